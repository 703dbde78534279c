"""A step's product with R from panels packed once per loop: R's columns laid out for tiles.

Each step of the BPTT loops multiplies the block's rows by the same matrix (forward
a(t−1) Rᵀ, backward δ(t) R).  OpenBLAS's Haswell kernels (every CPU without AVX-512)
copy that matrix into packed panels at every call; :func:`pack` makes the panels once per
loop and :func:`product` runs each step's product from them.  Its SkylakeX kernels pack
it too, in the one call of an Intel CPU with AVX-512 (``compiled.split_products``), where
the panels in 512-bit vectors are faster up to ``compiled.WIDE_PANELS_MAX_UNITS`` units.

The panels: M's columns in blocks of two vectors (``2L`` columns, zeros past the last),
each block's k rows one after another, so a tile's terms are read in order from one
contiguous stretch of memory (M's own rows lie n values apart), as BLAS's packed panels
are.  The vectors are the CPU's widest (``simd.WIDEST``; the caller's vector v sets the
width): 512-bit with AVX-512, else 256-bit.  Each tile of the result is held in vector
registers as ``tiles.product``'s are: with 256-bit vectors 6 rows by two vectors (12
vectors of sums, 2 of the panel, 1 of a's element: 15 of AVX2's 16 registers; with
``tiles.product``'s 4 rows a 128 × 256 by 256 × 256 product took 8% longer, 180 against
167 µs in float32), with 512-bit ones 8 rows by two (26 of AVX-512's 32 registers: LLVM
loads a's 8 elements before the multiply-adds, so 12 rows spilled sums to the stack and
ran at 0.6 of 8 rows' speed, float64, Ice Lake; 4 rows by four vectors ran as fast as 8
by two, within the machine's noise); then 4 rows, then single rows.  Each
block's panel stays in the first-level cache while every row of a passes by (a, m × k,
in the second).  The sums run in passes of ``KC`` terms, each carrying them on, so every
sum adds its terms in the order k = 0, 1, ... and the results are the reference's to
rounding.  The columns of the last block that lie past n are summed in a scratch block
and copied out.

It indexes without checks: the caller passes a (m, k) with contiguous rows, P from
:func:`pack` of an M (k, n), out (m, n) with contiguous rows and edge (m, 2L).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernel_math import FMA
from .simd import fmuladd, lanes, load_as, splat_as, store

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "356c34f1ff90f944"

# Terms of the sums a pass over the tiles: a panel's KC rows, 2L wide (16 KiB), stay in the
# first-level cache while every row of a passes by.  At I = 256 (128 rows, one thread,
# AVX2) 256 terms took 0.96 of 128's time in float32 (167 / 173 µs), 0.95 in float64,
# and 512 the same as 256; at I = 128 all three the same.
KC = 256


@njit(cache=True, nogil=True)
def panels(M, v):
    """An empty panel array for M (k, n) and vectors as wide as v: (blocks · k, 2L),
    blocks = ⌈n / 2L⌉, L = v's lanes."""
    k, n = M.shape
    W = 2 * lanes(v)
    return aligned(M, -(-n // W) * k, W)


@njit(cache=True, nogil=True)
def aligned(like, rows, columns):
    """An empty (rows, columns) array of like's dtype starting on a 64-byte boundary.

    numba's ``np.empty`` aligns to 32 bytes (64 only for some larger arrays): then each
    of a panel's 512-bit vectors may straddle two cache lines, and every load (and every
    store of a row of the result) touch both.  On the Ice Lake Xeon the training step
    with the 512-bit panels ran 0.96–1.01x as fast as with BLAS's one call (medium size,
    float64, one thread, the two sampled in turn) before the panels, their scratch and
    the step's sums were aligned so, 1.25x after.
    """
    size = rows * columns
    buffer = np.empty(size + 64 // like.itemsize, dtype=like.dtype)
    start = (-buffer.ctypes.data) % 64 // like.itemsize
    return buffer[start : start + size].reshape((rows, columns))


@njit(cache=True, nogil=True)
def pack(M, P, zero):
    """P[jb·k + p, c] = M[p, jb·2L + c], zero past n: M (k, n) into its panels."""
    k, n = M.shape
    W = P.shape[1]
    for jb in range(-(-n // W)):
        j0 = jb * W
        w = min(W, n - j0)
        for p in range(k):
            row = jb * k + p
            for c in range(w):
                P[row, c] = M[p, j0 + c]
            for c in range(w, W):
                P[row, c] = zero


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FMA)
def product(a, P, n, out, edge, v):
    """out = a M from M's panels P (:func:`pack`, for vectors as wide as v): a (m, k),
    out (m, n), edge (m, 2L) scratch; rows contiguous (unchecked).  v, zero in every lane,
    is where each sum starts: ``simd.widest(zero)``, or ``simd.splat(zero)`` for AVX2's."""
    m, k = a.shape
    L = lanes(v)
    W = 2 * L
    blocks = -(-n // W)
    for k0 in range(0, max(k, 1), KC):  # k = 0: one pass, which writes zeros
        k1 = min(k, k0 + KC)
        for jb in range(blocks):
            j = jb * W
            if j + W <= n:
                _block(a, P, jb * k, out, j, m, L, k0, k1, v)
            else:  # the last block's columns past n: summed in edge
                _block(a, P, jb * k, edge, 0, m, L, k0, k1, v)
    left = n - (blocks - 1) * W if blocks else W
    if left < W:
        for i in range(m):
            for c in range(left):
                out[i, n - left + c] = edge[i, c]


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _block(a, P, base, dst, j, m, L, k0, k1, v):
    """dst[:, j : j + 2L] (+)= a[:, k0:k1] M[k0:k1, block]: tiles of 8 rows (512-bit
    vectors) or 6 (256-bit), then 4, then 1."""
    i = 0
    if L * dst.itemsize == 64:  # a constant: the compiler keeps one branch
        while i + 8 <= m:
            _tile8(a, P, base, dst, i, j, L, k0, k1, v)
            i += 8
    else:
        while i + 6 <= m:
            _tile6(a, P, base, dst, i, j, L, k0, k1, v)
            i += 6
    if i + 4 <= m:
        _tile4(a, P, base, dst, i, j, L, k0, k1, v)
        i += 4
    for r in range(i, m):
        _tile1(a, P, base, dst, r, j, L, k0, k1, v)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _start(dst, i, j, k0, v):
    """A tile's vector of sums dst[i, j : j + L] as a pass starts: v (zeros) in the first."""
    return v if k0 == 0 else load_as(dst, i, j, v)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile8(a, P, base, dst, i, j, L, k0, k1, v):
    """dst[i : i + 8, j : j + 2L] (+)= a[i : i + 8, k0:k1] M[k0:k1, block]: AVX-512's
    tile (16 vectors of sums, 2 of the panel, 8 of a's elements, which LLVM loads all
    before the multiply-adds: 26 of its 32 registers)."""
    c00, c01 = _start(dst, i, j, k0, v), _start(dst, i, j + L, k0, v)
    c10, c11 = _start(dst, i + 1, j, k0, v), _start(dst, i + 1, j + L, k0, v)
    c20, c21 = _start(dst, i + 2, j, k0, v), _start(dst, i + 2, j + L, k0, v)
    c30, c31 = _start(dst, i + 3, j, k0, v), _start(dst, i + 3, j + L, k0, v)
    c40, c41 = _start(dst, i + 4, j, k0, v), _start(dst, i + 4, j + L, k0, v)
    c50, c51 = _start(dst, i + 5, j, k0, v), _start(dst, i + 5, j + L, k0, v)
    c60, c61 = _start(dst, i + 6, j, k0, v), _start(dst, i + 6, j + L, k0, v)
    c70, c71 = _start(dst, i + 7, j, k0, v), _start(dst, i + 7, j + L, k0, v)
    for p in range(k0, k1):
        m0, m1 = load_as(P, base + p, 0, v), load_as(P, base + p, L, v)
        x = splat_as(a[i, p], v)
        c00, c01 = fmuladd(x, m0, c00), fmuladd(x, m1, c01)
        x = splat_as(a[i + 1, p], v)
        c10, c11 = fmuladd(x, m0, c10), fmuladd(x, m1, c11)
        x = splat_as(a[i + 2, p], v)
        c20, c21 = fmuladd(x, m0, c20), fmuladd(x, m1, c21)
        x = splat_as(a[i + 3, p], v)
        c30, c31 = fmuladd(x, m0, c30), fmuladd(x, m1, c31)
        x = splat_as(a[i + 4, p], v)
        c40, c41 = fmuladd(x, m0, c40), fmuladd(x, m1, c41)
        x = splat_as(a[i + 5, p], v)
        c50, c51 = fmuladd(x, m0, c50), fmuladd(x, m1, c51)
        x = splat_as(a[i + 6, p], v)
        c60, c61 = fmuladd(x, m0, c60), fmuladd(x, m1, c61)
        x = splat_as(a[i + 7, p], v)
        c70, c71 = fmuladd(x, m0, c70), fmuladd(x, m1, c71)
    store(dst, i, j, c00), store(dst, i, j + L, c01)
    store(dst, i + 1, j, c10), store(dst, i + 1, j + L, c11)
    store(dst, i + 2, j, c20), store(dst, i + 2, j + L, c21)
    store(dst, i + 3, j, c30), store(dst, i + 3, j + L, c31)
    store(dst, i + 4, j, c40), store(dst, i + 4, j + L, c41)
    store(dst, i + 5, j, c50), store(dst, i + 5, j + L, c51)
    store(dst, i + 6, j, c60), store(dst, i + 6, j + L, c61)
    store(dst, i + 7, j, c70), store(dst, i + 7, j + L, c71)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile6(a, P, base, dst, i, j, L, k0, k1, v):
    """dst[i : i + 6, j : j + 2L] (+)= a[i : i + 6, k0:k1] M[k0:k1, block]."""
    c00, c01 = _start(dst, i, j, k0, v), _start(dst, i, j + L, k0, v)
    c10, c11 = _start(dst, i + 1, j, k0, v), _start(dst, i + 1, j + L, k0, v)
    c20, c21 = _start(dst, i + 2, j, k0, v), _start(dst, i + 2, j + L, k0, v)
    c30, c31 = _start(dst, i + 3, j, k0, v), _start(dst, i + 3, j + L, k0, v)
    c40, c41 = _start(dst, i + 4, j, k0, v), _start(dst, i + 4, j + L, k0, v)
    c50, c51 = _start(dst, i + 5, j, k0, v), _start(dst, i + 5, j + L, k0, v)
    for p in range(k0, k1):
        m0, m1 = load_as(P, base + p, 0, v), load_as(P, base + p, L, v)
        x = splat_as(a[i, p], v)
        c00, c01 = fmuladd(x, m0, c00), fmuladd(x, m1, c01)
        x = splat_as(a[i + 1, p], v)
        c10, c11 = fmuladd(x, m0, c10), fmuladd(x, m1, c11)
        x = splat_as(a[i + 2, p], v)
        c20, c21 = fmuladd(x, m0, c20), fmuladd(x, m1, c21)
        x = splat_as(a[i + 3, p], v)
        c30, c31 = fmuladd(x, m0, c30), fmuladd(x, m1, c31)
        x = splat_as(a[i + 4, p], v)
        c40, c41 = fmuladd(x, m0, c40), fmuladd(x, m1, c41)
        x = splat_as(a[i + 5, p], v)
        c50, c51 = fmuladd(x, m0, c50), fmuladd(x, m1, c51)
    store(dst, i, j, c00), store(dst, i, j + L, c01)
    store(dst, i + 1, j, c10), store(dst, i + 1, j + L, c11)
    store(dst, i + 2, j, c20), store(dst, i + 2, j + L, c21)
    store(dst, i + 3, j, c30), store(dst, i + 3, j + L, c31)
    store(dst, i + 4, j, c40), store(dst, i + 4, j + L, c41)
    store(dst, i + 5, j, c50), store(dst, i + 5, j + L, c51)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile4(a, P, base, dst, i, j, L, k0, k1, v):
    """dst[i : i + 4, j : j + 2L] (+)= a[i : i + 4, k0:k1] M[k0:k1, block]."""
    c00, c01 = _start(dst, i, j, k0, v), _start(dst, i, j + L, k0, v)
    c10, c11 = _start(dst, i + 1, j, k0, v), _start(dst, i + 1, j + L, k0, v)
    c20, c21 = _start(dst, i + 2, j, k0, v), _start(dst, i + 2, j + L, k0, v)
    c30, c31 = _start(dst, i + 3, j, k0, v), _start(dst, i + 3, j + L, k0, v)
    for p in range(k0, k1):
        m0, m1 = load_as(P, base + p, 0, v), load_as(P, base + p, L, v)
        x = splat_as(a[i, p], v)
        c00, c01 = fmuladd(x, m0, c00), fmuladd(x, m1, c01)
        x = splat_as(a[i + 1, p], v)
        c10, c11 = fmuladd(x, m0, c10), fmuladd(x, m1, c11)
        x = splat_as(a[i + 2, p], v)
        c20, c21 = fmuladd(x, m0, c20), fmuladd(x, m1, c21)
        x = splat_as(a[i + 3, p], v)
        c30, c31 = fmuladd(x, m0, c30), fmuladd(x, m1, c31)
    store(dst, i, j, c00), store(dst, i, j + L, c01)
    store(dst, i + 1, j, c10), store(dst, i + 1, j + L, c11)
    store(dst, i + 2, j, c20), store(dst, i + 2, j + L, c21)
    store(dst, i + 3, j, c30), store(dst, i + 3, j + L, c31)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile1(a, P, base, dst, i, j, L, k0, k1, v):
    """dst[i, j : j + 2L] (+)= a[i, k0:k1] M[k0:k1, block]."""
    c0, c1 = _start(dst, i, j, k0, v), _start(dst, i, j + L, k0, v)
    for p in range(k0, k1):
        x = splat_as(a[i, p], v)
        c0 = fmuladd(x, load_as(P, base + p, 0, v), c0)
        c1 = fmuladd(x, load_as(P, base + p, L, v), c1)
    store(dst, i, j, c0), store(dst, i, j + L, c1)
