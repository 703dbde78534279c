"""Compiled time loops that call BLAS for each step's products (numba), for larger networks.

The same recurrence as reference.py, over the rows b0 ≤ b < b1 of the batch (one block of
``threads.row_blocks``; the whole batch is one block).  Each step is one product with R
and one fused pass over its rows: a(t) = f(W x(t) + b + R a(t−1)) forward, and
δ(t) = (g(t) + Rᵀ δ(t+1)) ⊙ f'(a(t)) backward, with ``kernel_math``'s vectorised tanh.
The products with x and a(t−1) are hoisted out of the time loop into one product per
chunk of ``n`` steps: W x(t) before the chunk's steps, the chunk's share of
dW = Σ δ(t) x(t)ᵀ and dR = Σ δ(t) a(t−1)ᵀ after them (from copies of the block's rows,
which stay in cache, where those rows do not lie contiguous), added straight into
[dR, dW] by BLAS's gemm with β = 1.  Every product runs on the block's own thread: a
product on all of BLAS's threads would wake BLAS's other threads, which then poll for
more work a while on the cores the blocks need.
Against numpy's path: no per-call overhead (a microsecond a call, five calls a step), no
pass over memory for each element-wise operation, and, split into blocks, every part of
the step in parallel.

numba runs ``np.dot`` through scipy's BLAS (scipy.linalg.cython_blas); ``dispatch`` runs
these loops only after a trial call succeeds, and holds BLAS to one thread around them.
Every argument's shape was checked there: these loops index without checks.  Each step's
product with R is BLAS's, or, where BLAS would pack its operands at every call (no
small-matrix kernels), the compiled tiles of :func:`frnn.engine.tiles.product` for small
networks and :func:`frnn.engine.panels.product` from R's panels, packed once a loop, for
larger ones, in the CPU's widest vectors; those panels in 512-bit vectors on Intel CPUs
with AVX-512 too, up to ``compiled.WIDE_PANELS_MAX_UNITS`` units, where BLAS's one call
packs R (``compiled.step_product`` decides).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

from .activations import HARDTANH, LINEAR, RELU, TANH
from .kernel_math import FMA, lengths_within  # noqa: F401  (``compiled`` calls it)
from .kernel_math import f as _f
from .kernel_math import f_prime as _f_prime
from .panels import aligned, pack, panels
from .panels import product as panel_product
from .simd import prefer_widest, widest
from .tiles import product

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "05462d229775e467"

CALLS_BLAS = True  # ``compiled`` holds BLAS to one thread around these loops


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FMA)
def states(x, WT, RT, bias, a0, lengths, code, one, A, b0, b1, n, split):
    """Fill rows b0..b1−1 of A (T, B, I) with a(1..T); padded steps hold zero.

    x (T, B, D), WT (D, I) = Wᵀ, RT (I, I) = Rᵀ, bias (I,) (zeros for none), a0 (B, I),
    lengths (B,); ``one`` is 1 in the arrays' dtype; n ≥ 1 steps a chunk; each step's
    product with R in the compiled tiles where ``split`` is 0, from Rᵀ's packed panels
    where it is negative (``compiled.PANELS``), else in BLAS calls of ``split`` rows.
    """
    prefer_widest()  # the tanh pass in 512-bit vectors with AVX-512
    T, B, D = x.shape
    I = RT.shape[0]
    zero = one - one
    rows = b1 - b0
    X = np.empty((n, rows, D), dtype=A.dtype)  # x(t) of a chunk, where not contiguous
    U = np.empty((n, rows, I), dtype=A.dtype)  # W x(t) of a chunk
    carry = aligned(A, rows, I)  # R a(t−1); on 64 bytes for the panels' vectors
    P, edge = _packed(RT, rows, split, zero)
    shortest, tiled = _shortest(lengths, b0, b1, T), _tiled(bias, rows)
    # flat views for ``_activate``, made once (numba's reshape is a call)
    flat_A, flat_U, flat_carry = (
        A.reshape(T, B * I),
        U.reshape(n, rows * I),
        carry.reshape(rows * I),
    )
    for t0 in range(0, T, n):
        t1 = min(T, t0 + n)
        m = t1 - t0
        # W x(t) into U, which the pass reads: never into A's rows, for a pass that read
        # and wrote one array would not vectorise (its operands overlap), and never
        # copied into A first (a pass over the chunk's rows)
        _dot(_rows(x, t0, t1, b0, b1, X), WT, U[:m].reshape(m * rows, I), split, zero)
        for t in range(t0, t1):
            previous = a0[b0:b1] if t == 0 else A[t - 1, b0:b1]
            _dot_rows(previous, RT, carry, split, zero, P, edge)
            # every row real: one pass over the step's rows·I values; else a pass a row.
            # One call of ``_activate`` either way: numba inlines its tanh once (two
            # copies of the inlined tanh in one function made numba's SSA pass warn,
            # NumbaIRAssumptionWarning, which pytest's warnings-as-errors turned into a
            # failed compile)
            whole = t < shortest
            span = rows * I if whole else I
            for r in range(1 if whole else rows):
                b = b0 + r
                if not whole and t >= lengths[b]:
                    A[t, b, :] = zero
                    continue
                lo, hi = r * I, r * I + span
                y = flat_A[t, b0 * I + lo : b0 * I + hi]
                w, c = flat_U[t - t0, lo:hi], flat_carry[lo:hi]
                _activate(y, w, c, tiled[lo:hi], code, one, zero)


@njit(cache=True, nogil=True, error_model="numpy")
def gradients(x, A, a0, lengths, R, V, dZ, many_to_many, code, one, b0, b1, n, split, dRW, db):
    """Add rows b0..b1−1's share of [dR, dW] (I, I + D) and db (I,) into them (BPTT).

    dRW holds dR (I, I) and dW (I, D) side by side, so that one product adds a chunk's
    share of both; dZ is ∂L/∂z: (T, B, K) many-to-many (zero where padded) or (1, B, K)
    many-to-one, where it enters at each sequence's last step; db of shape (0,) means a
    model without biases (nothing is written to it).  n ≥ 1 steps a chunk; ``split`` as
    ``states``'.
    """
    T, B, D = x.shape
    I = R.shape[0]
    K = V.shape[0]
    zero = one - one
    rows = b1 - b0
    bias = db.shape[0] > 0
    delta = np.empty((n, rows, I), dtype=A.dtype)  # δ(t) of the chunk's steps
    PX = np.empty((n, rows, I + D), dtype=A.dtype)  # [a(t−1), x(t)], where copied
    G = np.empty((rows, I), dtype=A.dtype)  # many-to-many: Vᵀ ∂L/∂z(t)
    carry = aligned(A, rows, I)  # ∂L/∂a(t): Rᵀ δ(t+1), then + g(t)
    carry[:] = zero
    dR, dW = dRW[:, :I], dRW[:, I:]
    part = np.empty((I, I + D), dtype=A.dtype)  # a chunk's [dR, dW] by one product
    part_R = np.empty((I, I), dtype=A.dtype)  # or by two (tiles, or no BLAS pointer)
    part_W = np.empty((I, D), dtype=A.dtype)
    P, edge = _packed(R, rows, split, zero)
    for t1 in range(T, 0, -n):
        t0 = max(0, t1 - n)
        m = t1 - t0
        for t in range(t1 - 1, t0 - 1, -1):
            k = t - t0
            if many_to_many:
                np.dot(dZ[t, b0:b1], V, G)
            for r in range(rows):
                b = b0 + r
                if t >= lengths[b]:
                    delta[k, r, :] = zero  # nothing reaches the loss from a padded step
                    continue
                if many_to_many:
                    for j in range(I):
                        carry[r, j] += G[r, j]
                elif t == lengths[b] - 1:
                    for q in range(K):
                        gq = dZ[0, b, q]
                        for j in range(I):
                            carry[r, j] += gq * V[q, j]
                _derivative_row(delta, k, r, carry, A, t, b, code, one, zero)
                if bias:
                    for j in range(I):
                        db[j] += delta[k, r, j]
            if t > 0:
                _dot_rows(delta[k], R, carry, split, zero, P, edge)  # Rᵀ δ(t): δ(t) R
        flat = delta[:m].reshape(m * rows, I)
        if t0 > 0 and _contiguous(A, t0, t1, b0, b1):  # two products, in place
            _add_product(flat, _view(A, t0 - 1, t1 - 1, b0, b1), dR, split, zero, part_R)
            _add_product(flat, _view(x, t0, t1, b0, b1), dW, split, zero, part_W)
        else:  # copied side by side: one product for both
            PXm = _side_by_side(x, A, a0, t0, t1, b0, b1, PX)
            _add_product(flat, PXm, dRW, split, zero, part)


# The passes test the activation's ``code`` once a pass, each branch a loop with a constant
# code (folded by the compiler): with the test inside the loop the loop did not vectorise
# (the forward pass of the small size 189 -> 169 µs with tanh, 151 -> 32 µs linear).


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath=FMA)
def _activate(y, w, c, tiled, code, one, zero):
    """y = f((w + b) + c), the reference's order, (W x + b) + R a, over a run of whole
    rows, flat (k·I,): W x(t), R a(t−1) and a(t); ``tiled`` (k·I,) holds b once per row.
    A step's rows in one pass where none is padded, without a loop's start for each row
    (at the small size, Ice Lake, 512-bit vectors: the forward 6% faster in float64, 11%
    in float32)."""
    if code == TANH:
        for i in range(y.shape[0]):
            y[i] = _f((w[i] + tiled[i]) + c[i], TANH, one, zero)
    elif code == RELU:
        for i in range(y.shape[0]):
            y[i] = _f((w[i] + tiled[i]) + c[i], RELU, one, zero)
    elif code == HARDTANH:
        for i in range(y.shape[0]):
            y[i] = _f((w[i] + tiled[i]) + c[i], HARDTANH, one, zero)
    else:
        for i in range(y.shape[0]):
            y[i] = _f((w[i] + tiled[i]) + c[i], LINEAR, one, zero)


@njit(cache=True, nogil=True, inline="always")
def _shortest(lengths, b0, b1, T):
    """The shortest length of rows b0..b1−1 (T for none): before it no row is padded."""
    shortest = T
    for b in range(b0, b1):
        shortest = min(shortest, lengths[b])
    return shortest


@njit(cache=True, nogil=True, inline="always")
def _tiled(bias, rows):
    """bias (I,) repeated ``rows`` times, (rows·I,)."""
    I = bias.shape[0]
    tiled = np.empty(rows * I, dtype=bias.dtype)
    for r in range(rows):
        for j in range(I):
            tiled[r * I + j] = bias[j]
    return tiled


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _derivative_row(delta, k, r, carry, A, t, b, code, one, zero):
    """delta[k, r] = carry[r] ⊙ f'(A[t, b]): δ(t) = ∂L/∂a(t) ⊙ f'(s(t)) for one row."""
    I = A.shape[2]
    if code == TANH:
        for j in range(I):
            delta[k, r, j] = carry[r, j] * _f_prime(A[t, b, j], TANH, one, zero)
    elif code == RELU:
        for j in range(I):
            delta[k, r, j] = carry[r, j] * _f_prime(A[t, b, j], RELU, one, zero)
    elif code == HARDTANH:
        for j in range(I):
            delta[k, r, j] = carry[r, j] * _f_prime(A[t, b, j], HARDTANH, one, zero)
    else:
        for j in range(I):
            delta[k, r, j] = carry[r, j] * _f_prime(A[t, b, j], LINEAR, one, zero)


@njit(cache=True, nogil=True, inline="always")  # inlined: no cache file of its own to corrupt
def _side_by_side(x, A, a0, t0, t1, b0, b1, PX):
    """[a(t−1), x(t)] of steps t0..t1−1 and rows b0..b1−1, as one (m·rows, I + D) matrix.

    Where the rows do not lie contiguous in A and x (a block of the batch, or the first
    chunk, whose a(0) lies outside A) they are copied anyway; side by side, one product
    makes a chunk's dR and dW, where dW's alone, with D columns, ran at half the peak
    (D = 32, I = 256: two blocks' steps 3% faster).
    """
    I, D = A.shape[2], x.shape[2]
    # element by element: numba's slice assignments check their operands for overlap at
    # each row (a block of 128 rows, 100 steps of (256 + 32) float32 values: 2.0 → 1.0 ms;
    # float64 3.9 → 3.85, AVX2, thread time)
    for t in range(t0, t1):
        for r in range(b1 - b0):
            if t == 0:
                for j in range(I):
                    PX[t - t0, r, j] = a0[b0 + r, j]
            else:
                for j in range(I):
                    PX[t - t0, r, j] = A[t - 1, b0 + r, j]
            for j in range(D):
                PX[t - t0, r, I + j] = x[t, b0 + r, j]
    return PX[: t1 - t0].reshape((t1 - t0) * (b1 - b0), PX.shape[2])


@njit(cache=True, nogil=True, inline="always")
def _dot(a, M, out, split, zero):
    """out = a M: a chunk's product, in the compiled tiles where ``split`` is 0 (there BLAS
    would pack these too: the small size's 512-term products of dR and dW ran 2–3 times
    faster in the tiles than in OpenBLAS's Haswell kernels), else by BLAS (with the
    panels too: their 512 rows make BLAS's packing a small share)."""
    if split == 0:
        product(a, M, out, zero)
    else:
        np.dot(a, M, out)


@njit(cache=True, nogil=True, inline="always")
def _add_product(F, Y, C, split, zero, part):
    """C += Fᵀ Y: F (K, M), Y (K, N), C (M, N), each with contiguous rows; ``part`` (M, N)
    scratch.

    Where BLAS runs the chunks' products (``split`` ≠ 0), one call of its gemm with
    β = 1 adds them straight into C (:func:`_gemm_added`): with β = 0 (numba's
    ``np.dot``) BLAS first zeroes a scratch matrix, and a pass then adds it into C.
    That path remains for the tiles and where the call fails.
    """
    if split != 0 and _gemm_added(F, Y, C) == 0:
        return
    _dot(F.T, Y, part, split, zero)
    _add_into(C, part)


@njit(cache=True, nogil=True, inline="always")
def _add_into(C, part):
    """C += part, element by element: C is a view of [dR, dW] whose rows are not
    contiguous, and numba's ``+=`` on such an array runs a general strided loop (a chunk's
    (32, 32) and (32, 8) of the small size: 0.7-1.3 µs against 0.2-0.3)."""
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            C[i, j] += part[i, j]


# numba's own wrapper of BLAS's gemm (the one ``np.dot`` calls, in its helper library: it
# finds dgemm / sgemm in scipy.linalg.cython_blas), here with β = 1 and any row strides.
# Its arguments: kind ('s' | 'd'), transa, transb, m, n, k, &α, a, lda, b, ldb, &β, c, ldc,
# column-major, as BLAS's; it returns 0, or −1 where scipy's BLAS is missing.
_xxgemm = types.ExternalFunction(
    "numba_xxgemm",
    types.intc(
        *(types.char, types.char, types.char, types.intp, types.intp, types.intp),
        *(types.voidptr, types.voidptr, types.intp, types.voidptr, types.intp),
        *(types.voidptr, types.voidptr, types.intp),
    ),
)


@njit(cache=True, nogil=True, inline="always")
def _gemm_added(F, Y, C):
    """C += Fᵀ Y by one gemm call with β = 1 (``_add_product``'s shapes); its status, 0
    when done.

    Row-major C (M, N) is column-major Cᵀ (N, M), and Cᵀ += Yᵀ F: BLAS's A = Yᵀ, not
    transposed (Y's rows are its columns), B = F transposed.  Each block adds into its
    own C, so the order of its sums is fixed: C's old value first, then the K terms
    (in BLAS's own passes of them).
    """
    K, M = F.shape
    N = Y.shape[1]
    if K == 0 or M == 0 or N == 0:
        return 0
    scalars = np.ones(2, dtype=C.dtype)  # α = β = 1
    kind = 100 if C.itemsize == 8 else 115  # 'd' | 's'
    return _xxgemm(
        kind, 110, 116, N, M, K,  # 'n', 't'
        scalars[:1].ctypes, Y.ctypes, _leading(Y),
        F.ctypes, _leading(F),
        scalars[1:].ctypes, C.ctypes, _leading(C),
    )  # fmt: skip


@njit(cache=True, nogil=True, inline="always")
def _leading(Y):
    """Y's rows' distance in values, as BLAS's leading dimension: at least its columns
    (BLAS refuses less, and a single row's stride may be anything)."""
    return max(Y.strides[0] // Y.itemsize, Y.shape[1], 1)


@njit(cache=True, nogil=True, inline="always")
def _packed(M, rows, split, zero):
    """(M's panels, the product's scratch (rows, 2L)) where ``split`` < 0: packed once
    for the loop's every step, for the CPU's widest vectors (``simd.WIDEST``); else two
    empty arrays."""
    if split < 0:
        P = panels(M, widest(zero))
        pack(M, P, zero)
        return P, aligned(M, rows, P.shape[1])
    none = np.empty((0, 64 // M.itemsize), dtype=M.dtype)
    return none, none


@njit(cache=True, nogil=True, inline="always")
def _dot_rows(a, M, out, split, zero, P, edge):
    """out = a M, (rows, I): in the compiled tiles where ``split`` is 0, from M's panels P
    where it is negative, else one BLAS product per ``split`` rows
    (``compiled.step_product``)."""
    if split == 0:
        product(a, M, out, zero)
        return
    if split < 0:
        panel_product(a, P, M.shape[1], out, edge, widest(zero))
        return
    for r0 in range(0, a.shape[0], split):
        r1 = min(a.shape[0], r0 + split)
        np.dot(a[r0:r1], M, out[r0:r1])


@njit(cache=True, nogil=True, inline="always")
def _contiguous(Y, t0, t1, b0, b1):
    """Whether Y[t0:t1, b0:b1] lies in memory as one matrix (the whole batch, or one step)."""
    return b1 - b0 == Y.shape[1] or t1 - t0 == 1


@njit(cache=True, nogil=True, inline="always")
def _rows(Y, t0, t1, b0, b1, buffer):
    """Y[t0:t1, b0:b1] as one (m·rows, ·) matrix: a view where ``_contiguous``, else
    copied into ``buffer`` (n, rows, ·)."""
    if _contiguous(Y, t0, t1, b0, b1):
        return _view(Y, t0, t1, b0, b1)
    m, rows = t1 - t0, b1 - b0
    buffer[:m] = Y[t0:t1, b0:b1]
    return buffer[:m].reshape(m * rows, Y.shape[2])


@njit(cache=True, nogil=True, inline="always")
def _view(Y, t0, t1, b0, b1):
    """Y[t0:t1, b0:b1] as one (m·rows, ·) matrix, where ``_contiguous``."""
    m, rows = t1 - t0, b1 - b0
    return Y[t0:t1].reshape(m * Y.shape[1], Y.shape[2])[b0 : b0 + m * rows]
