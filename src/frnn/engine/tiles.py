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
registers while the k terms stream in, each term one multiply-add of a row of M by one
broadcast element of a; the columns left over (fewer than two vectors' lanes) by one
vector, then one at a time.  Every sum adds its terms in the order k = 0, 1, ..., as
BLAS's kernels do for K this small, so the results are the reference's to rounding.

It indexes without checks: the caller passes out (m, n), a (m, k), M (k, n), each row
contiguous (``compiled`` copies R and Rᵀ into C order; the loops' state rows are).
"""

from __future__ import annotations

from numba import njit

from .kernel_math import FMA
from .simd import fmuladd, load, splat, store

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "763252b1c0d25b18"

ROWS = 4  # a tile's rows: 4 × 2 vectors of sums, 2 of M's row, 1 of a: 11 of 16 registers


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FMA)
def product(a, M, out, zero):
    """out = a M: out (m, n), a (m, k), M (k, n), every row contiguous (unchecked); ``zero``
    is 0 in their dtype."""
    m, n = out.shape
    L = 32 // out.itemsize  # a vector's lanes (simd.BYTES)
    j = 0
    while j + 2 * L <= n:
        i = 0
        while i + ROWS <= m:
            _tile4x2(a, M, out, i, j, L, zero)
            i += ROWS
        while i < m:
            _tile1x2(a, M, out, i, j, L, zero)
            i += 1
        j += 2 * L
    if j + L <= n:
        for i in range(m):
            _tile1x1(a, M, out, i, j, zero)
        j += L
    for jj in range(j, n):  # fewer than a vector's lanes left
        for i in range(m):
            s = zero
            for p in range(a.shape[1]):
                s = a[i, p] * M[p, jj] + s
            out[i, jj] = s


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile4x2(a, M, out, i, j, L, zero):
    """out[i : i + 4, j : j + 2L] = a[i : i + 4] M[:, j : j + 2L], in eight vectors."""
    z = splat(zero)
    c00, c01, c10, c11, c20, c21, c30, c31 = z, z, z, z, z, z, z, z
    for p in range(a.shape[1]):
        m0, m1 = load(M, p, j), load(M, p, j + L)
        x = splat(a[i, p])
        c00, c01 = fmuladd(x, m0, c00), fmuladd(x, m1, c01)
        x = splat(a[i + 1, p])
        c10, c11 = fmuladd(x, m0, c10), fmuladd(x, m1, c11)
        x = splat(a[i + 2, p])
        c20, c21 = fmuladd(x, m0, c20), fmuladd(x, m1, c21)
        x = splat(a[i + 3, p])
        c30, c31 = fmuladd(x, m0, c30), fmuladd(x, m1, c31)
    store(out, i, j, c00), store(out, i, j + L, c01)
    store(out, i + 1, j, c10), store(out, i + 1, j + L, c11)
    store(out, i + 2, j, c20), store(out, i + 2, j + L, c21)
    store(out, i + 3, j, c30), store(out, i + 3, j + L, c31)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile1x2(a, M, out, i, j, L, zero):
    """out[i, j : j + 2L] = a[i] M[:, j : j + 2L]."""
    c0 = c1 = splat(zero)
    for p in range(a.shape[1]):
        x = splat(a[i, p])
        c0, c1 = fmuladd(x, load(M, p, j), c0), fmuladd(x, load(M, p, j + L), c1)
    store(out, i, j, c0), store(out, i, j + L, c1)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _tile1x1(a, M, out, i, j, zero):
    """out[i, j : j + L] = a[i] M[:, j : j + L]."""
    c = splat(zero)
    for p in range(a.shape[1]):
        c = fmuladd(splat(a[i, p]), load(M, p, j), c)
    store(out, i, j, c)
