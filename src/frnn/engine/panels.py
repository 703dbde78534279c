"""A step's product with R from panels packed once per loop: R's columns laid out for tiles.

Each step of the BPTT loops multiplies the block's rows by the same matrix (forward
a(t−1) Rᵀ, backward δ(t) R).  OpenBLAS's Haswell kernels (every CPU without AVX-512)
copy that matrix into packed panels at every call; :func:`pack` makes the panels once per
loop and :func:`product` runs each step's product from them.

The panels: M's columns in blocks of two vectors (``2L`` columns, zeros past the last),
each block's k rows one after another, so a tile's terms are read in order from one
contiguous stretch of memory (M's own rows lie n values apart), as BLAS's packed panels
are.  Each tile of the result is held in vector registers as ``tiles.product``'s are,
here 6 rows by two vectors (12 vectors of sums, 2 of the panel, 1 of a's element: 15 of
AVX2's 16 registers; with ``tiles.product``'s 4 rows a 128 × 256 by 256 × 256 product
took 8% longer, 180 against 167 µs in float32), then 4 rows, then single rows.  Each
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
from .simd import fmuladd, load, splat, store
from .tiles import _start  # a tile's sums as a pass starts: the tiles' own

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "7e91e449bed24be7"

# Terms of the sums a pass over the tiles: a panel's KC rows, 2L wide (16 KiB), stay in the
# first-level cache while every row of a passes by.  At I = 256 (128 rows, one thread,
# AVX2) 256 terms took 0.96 of 128's time in float32 (167 / 173 µs), 0.95 in float64,
# and 512 the same as 256; at I = 128 all three the same.
KC = 256


@njit(cache=True, nogil=True)
def panels(M):
    """An empty panel array for M (k, n): (blocks · k, 2L), blocks = ⌈n / 2L⌉."""
    k, n = M.shape
    W = 64 // M.itemsize
    return np.empty((-(-n // W) * k, W), dtype=M.dtype)


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
def product(a, P, n, out, edge, zero):
    """out = a M from M's panels P (:func:`pack`): a (m, k), out (m, n), edge (m, 2L)
    scratch; rows contiguous (unchecked)."""
    m, k = a.shape
    L = 32 // out.itemsize
    W = 2 * L
    blocks = -(-n // W)
    for k0 in range(0, max(k, 1), KC):  # k = 0: one pass, which writes zeros
        k1 = min(k, k0 + KC)
        for jb in range(blocks):
            j = jb * W
            if j + W <= n:
                _block(a, P, jb * k, out, j, m, L, k0, k1, zero)
            else:  # the last block's columns past n: summed in edge
                _block(a, P, jb * k, edge, 0, m, L, k0, k1, zero)
    left = n - (blocks - 1) * W if blocks else W
    if left < W:
        for i in range(m):
            for c in range(left):
                out[i, n - left + c] = edge[i, c]


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _block(a, P, base, dst, j, m, L, k0, k1, zero):
    """dst[:, j : j + 2L] (+)= a[:, k0:k1] M[k0:k1, block]: tiles of 6 rows, 4, then 1."""
    i = 0
    while i + 6 <= m:
        _tile6(a, P, base, dst, i, j, L, k0, k1, zero)
        i += 6
    if i + 4 <= m:
        _tile4(a, P, base, dst, i, j, L, k0, k1, zero)
        i += 4
    for r in range(i, m):
        _tile1(a, P, base, dst, r, j, L, k0, k1, zero)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile6(a, P, base, dst, i, j, L, k0, k1, zero):
    """dst[i : i + 6, j : j + 2L] (+)= a[i : i + 6, k0:k1] M[k0:k1, block]."""
    c00, c01 = _start(dst, i, j, k0, zero), _start(dst, i, j + L, k0, zero)
    c10, c11 = _start(dst, i + 1, j, k0, zero), _start(dst, i + 1, j + L, k0, zero)
    c20, c21 = _start(dst, i + 2, j, k0, zero), _start(dst, i + 2, j + L, k0, zero)
    c30, c31 = _start(dst, i + 3, j, k0, zero), _start(dst, i + 3, j + L, k0, zero)
    c40, c41 = _start(dst, i + 4, j, k0, zero), _start(dst, i + 4, j + L, k0, zero)
    c50, c51 = _start(dst, i + 5, j, k0, zero), _start(dst, i + 5, j + L, k0, zero)
    for p in range(k0, k1):
        m0, m1 = load(P, base + p, 0), load(P, base + p, L)
        x = splat(a[i, p])
        c00, c01 = fmuladd(x, m0, c00), fmuladd(x, m1, c01)
        x = splat(a[i + 1, p])
        c10, c11 = fmuladd(x, m0, c10), fmuladd(x, m1, c11)
        x = splat(a[i + 2, p])
        c20, c21 = fmuladd(x, m0, c20), fmuladd(x, m1, c21)
        x = splat(a[i + 3, p])
        c30, c31 = fmuladd(x, m0, c30), fmuladd(x, m1, c31)
        x = splat(a[i + 4, p])
        c40, c41 = fmuladd(x, m0, c40), fmuladd(x, m1, c41)
        x = splat(a[i + 5, p])
        c50, c51 = fmuladd(x, m0, c50), fmuladd(x, m1, c51)
    store(dst, i, j, c00), store(dst, i, j + L, c01)
    store(dst, i + 1, j, c10), store(dst, i + 1, j + L, c11)
    store(dst, i + 2, j, c20), store(dst, i + 2, j + L, c21)
    store(dst, i + 3, j, c30), store(dst, i + 3, j + L, c31)
    store(dst, i + 4, j, c40), store(dst, i + 4, j + L, c41)
    store(dst, i + 5, j, c50), store(dst, i + 5, j + L, c51)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile4(a, P, base, dst, i, j, L, k0, k1, zero):
    """dst[i : i + 4, j : j + 2L] (+)= a[i : i + 4, k0:k1] M[k0:k1, block]."""
    c00, c01 = _start(dst, i, j, k0, zero), _start(dst, i, j + L, k0, zero)
    c10, c11 = _start(dst, i + 1, j, k0, zero), _start(dst, i + 1, j + L, k0, zero)
    c20, c21 = _start(dst, i + 2, j, k0, zero), _start(dst, i + 2, j + L, k0, zero)
    c30, c31 = _start(dst, i + 3, j, k0, zero), _start(dst, i + 3, j + L, k0, zero)
    for p in range(k0, k1):
        m0, m1 = load(P, base + p, 0), load(P, base + p, L)
        x = splat(a[i, p])
        c00, c01 = fmuladd(x, m0, c00), fmuladd(x, m1, c01)
        x = splat(a[i + 1, p])
        c10, c11 = fmuladd(x, m0, c10), fmuladd(x, m1, c11)
        x = splat(a[i + 2, p])
        c20, c21 = fmuladd(x, m0, c20), fmuladd(x, m1, c21)
        x = splat(a[i + 3, p])
        c30, c31 = fmuladd(x, m0, c30), fmuladd(x, m1, c31)
    store(dst, i, j, c00), store(dst, i, j + L, c01)
    store(dst, i + 1, j, c10), store(dst, i + 1, j + L, c11)
    store(dst, i + 2, j, c20), store(dst, i + 2, j + L, c21)
    store(dst, i + 3, j, c30), store(dst, i + 3, j + L, c31)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile1(a, P, base, dst, i, j, L, k0, k1, zero):
    """dst[i, j : j + 2L] (+)= a[i, k0:k1] M[k0:k1, block]."""
    c0, c1 = _start(dst, i, j, k0, zero), _start(dst, i, j + L, k0, zero)
    for p in range(k0, k1):
        x = splat(a[i, p])
        c0 = fmuladd(x, load(P, base + p, 0), c0)
        c1 = fmuladd(x, load(P, base + p, L), c1)
    store(dst, i, j, c0), store(dst, i, j + L, c1)
