"""A small matrix product in compiled code, its tiles of the result held in vector registers.

Each step of the BPTT loops multiplies the batch's rows by R (forward a(t−1) Rᵀ, backward
δ(t) R): at the small size of the benchmark a 32 × 32 by 32 × 32 product, 200 of them a
step.  OpenBLAS's kernels for AVX-512 cores take such a product as it is; its others
(AVX2's Haswell kernels, and every core before them) copy both operands into packed
panels first, at every call, and its call costs as much again: 1.9 µs for the float64
product, 1.3 µs for the float32 one, where :func:`product` takes 1.2 / 0.6 µs on the same
Zen 4 core held to AVX2 (``benchmarks/bench_vs_torch.py --isa avx2``).

:func:`product` is the form of BLAS's kernels without the packing: the result in tiles of
4 rows by two vectors (:mod:`frnn.engine.simd`), each tile's eight vectors of sums held in
registers while the terms stream in, each term one multiply-add of a row of M by one
broadcast element of a; the columns left over by one vector in tiles of 8 rows, then one
at a time.  The sums run in passes of ``KC`` terms, each carrying them on, so every sum
adds its terms in the order k = 0, 1, ... (as BLAS's kernels do within a block): the
results are the reference's to rounding.  The BPTT loops use it for the chunks' products
too (W x(t), and dR, dW from δ's 512 rows), where BLAS would pack as well.

It indexes without checks: the caller passes out (m, n) and M (k, n) with contiguous rows
(``compiled`` copies R and Rᵀ into C order and checks x and the states), and a (m, k) in
any layout (read an element at a time: δᵀ is a transposed view).
"""

from __future__ import annotations

from numba import njit, uintp

from .kernel_math import FMA
from .simd import fmuladd, load, splat, store

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "356c34f1ff90f944"

# Terms of the sums a pass over the tiles: a tile's slices of a and M (KC rows of M, two
# vectors wide) then stay in the first-level cache while its rows of a stream past (with
# every term at once, a 512-term product of the BPTT's chunks ran at 18.5 GMAC/s float64
# against 25 with 64 terms).  Each pass carries the tile's sums on from the last, so they
# add their terms in the same order either way.
KC = 128

# Each tile reads a's rows through 1-D views taken once a tile (a[i]), indexed by an
# unsigned p: numba wraps a negative index around (a sign test, a mask and an add at every
# read), and cannot prove p = k0, ..., k1 − 1 non-negative, so with a[i + r, p] each term
# paid those integer operations four times beside its eight multiply-adds, on the ports
# the vector loads need.  Unsigned, no wraparound is compiled: the same arithmetic, in the
# same order, the same bits; AVX2 (Ice Lake held to it, one thread, thread time, a block
# of 32 rows times R (32 × 32) and the BPTT chunks' 512-term products) 14–20% faster.


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FMA)
def product(a, M, out, zero):
    """out = a M: out (m, n), a (m, k), M (k, n), out's and M's rows contiguous (unchecked);
    ``zero`` is 0 in their dtype."""
    k = a.shape[1]
    for k0 in range(0, max(k, 1), KC):  # k = 0: one pass, which writes zeros
        _pass(a, M, out, k0, min(k, k0 + KC), zero)


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath=FMA)
def _pass(a, M, out, k0, k1, zero):
    """out (+)= a[:, k0:k1] M[k0:k1]: tiles of two vectors' columns, then one, then single
    columns; the sums start at zero in the first pass (k0 = 0), else at out."""
    m, n = out.shape
    L = 32 // out.itemsize  # a vector's lanes (simd.BYTES)
    j = 0
    while j + 2 * L <= n:
        i = 0
        while i + 4 <= m:
            _tile4x2(a, M, out, i, j, L, k0, k1, zero)
            i += 4
        for r in range(i, m):  # the rows left: one at a time
            _tile1x2(a, M, out, r, j, L, k0, k1, zero)
        j += 2 * L
    if j + L <= n:
        i = 0
        while i + 8 <= m:
            _tile8x1(a, M, out, i, j, k0, k1, zero)
            i += 8
        for r in range(i, m):
            _tile1x1(a, M, out, r, j, k0, k1, zero)
        j += L
    for jj in range(j, n):  # fewer than a vector's lanes left
        for i in range(m):
            s = zero if k0 == 0 else out[i, jj]
            for p in range(k0, k1):
                s = a[i, p] * M[p, jj] + s
            out[i, jj] = s


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _start(out, i, j, k0, zero):
    """A tile's vector of sums out[i, j : j + L] as the pass starts: zero in the first."""
    return splat(zero) if k0 == 0 else load(out, i, j)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile4x2(a, M, out, i, j, L, k0, k1, zero):
    """out[i : i + 4, j : j + 2L] (+)= a[i : i + 4, k0:k1] M[k0:k1, j : j + 2L]: eight
    vectors of sums, two of M's row and one of a's element: 11 of AVX2's 16 registers."""
    c00, c01 = _start(out, i, j, k0, zero), _start(out, i, j + L, k0, zero)
    c10, c11 = _start(out, i + 1, j, k0, zero), _start(out, i + 1, j + L, k0, zero)
    c20, c21 = _start(out, i + 2, j, k0, zero), _start(out, i + 2, j + L, k0, zero)
    c30, c31 = _start(out, i + 3, j, k0, zero), _start(out, i + 3, j + L, k0, zero)
    a0, a1, a2, a3 = a[i], a[i + 1], a[i + 2], a[i + 3]
    for q in range(k0, k1):
        p = uintp(q)
        m0, m1 = load(M, p, j), load(M, p, j + L)
        x = splat(a0[p])
        c00, c01 = fmuladd(x, m0, c00), fmuladd(x, m1, c01)
        x = splat(a1[p])
        c10, c11 = fmuladd(x, m0, c10), fmuladd(x, m1, c11)
        x = splat(a2[p])
        c20, c21 = fmuladd(x, m0, c20), fmuladd(x, m1, c21)
        x = splat(a3[p])
        c30, c31 = fmuladd(x, m0, c30), fmuladd(x, m1, c31)
    store(out, i, j, c00), store(out, i, j + L, c01)
    store(out, i + 1, j, c10), store(out, i + 1, j + L, c11)
    store(out, i + 2, j, c20), store(out, i + 2, j + L, c21)
    store(out, i + 3, j, c30), store(out, i + 3, j + L, c31)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile1x2(a, M, out, i, j, L, k0, k1, zero):
    """out[i, j : j + 2L] (+)= a[i, k0:k1] M[k0:k1, j : j + 2L]."""
    c0, c1 = _start(out, i, j, k0, zero), _start(out, i, j + L, k0, zero)
    row = a[i]
    for q in range(k0, k1):
        p = uintp(q)
        x = splat(row[p])
        c0, c1 = fmuladd(x, load(M, p, j), c0), fmuladd(x, load(M, p, j + L), c1)
    store(out, i, j, c0), store(out, i, j + L, c1)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile8x1(a, M, out, i, j, k0, k1, zero):
    """out[i : i + 8, j : j + L] (+)= a[i : i + 8, k0:k1] M[k0:k1, j : j + L]: eight
    vectors of sums, as many as keep the multiply-adds from waiting on their latency
    (a product 8 columns wide in float32 at 47 GMAC/s, single rows at a quarter of it)."""
    c0, c1 = _start(out, i, j, k0, zero), _start(out, i + 1, j, k0, zero)
    c2, c3 = _start(out, i + 2, j, k0, zero), _start(out, i + 3, j, k0, zero)
    c4, c5 = _start(out, i + 4, j, k0, zero), _start(out, i + 5, j, k0, zero)
    c6, c7 = _start(out, i + 6, j, k0, zero), _start(out, i + 7, j, k0, zero)
    a0, a1, a2, a3 = a[i], a[i + 1], a[i + 2], a[i + 3]
    a4, a5, a6, a7 = a[i + 4], a[i + 5], a[i + 6], a[i + 7]
    for q in range(k0, k1):
        p = uintp(q)
        v = load(M, p, j)
        c0, c1 = fmuladd(splat(a0[p]), v, c0), fmuladd(splat(a1[p]), v, c1)
        c2, c3 = fmuladd(splat(a2[p]), v, c2), fmuladd(splat(a3[p]), v, c3)
        c4, c5 = fmuladd(splat(a4[p]), v, c4), fmuladd(splat(a5[p]), v, c5)
        c6, c7 = fmuladd(splat(a6[p]), v, c6), fmuladd(splat(a7[p]), v, c7)
    store(out, i, j, c0), store(out, i + 1, j, c1), store(out, i + 2, j, c2)
    store(out, i + 3, j, c3), store(out, i + 4, j, c4), store(out, i + 5, j, c5)
    store(out, i + 6, j, c6), store(out, i + 7, j, c7)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile1x1(a, M, out, i, j, k0, k1, zero):
    """out[i, j : j + L] (+)= a[i, k0:k1] M[k0:k1, j : j + L]."""
    c = _start(out, i, j, k0, zero)
    row = a[i]
    for q in range(k0, k1):
        p = uintp(q)
        c = fmuladd(splat(row[p]), load(M, p, j), c)
    store(out, i, j, c)
