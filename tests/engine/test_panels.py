"""R's packed panels (``engine/panels.py``): a step's product from panels packed once.

Held to numpy's product in a wider precision at every shape the tiles cut differently
(8-row tiles of 512-bit vectors, 6-row tiles of 256-bit ones, 4 rows, single rows; whole
blocks of two vectors' columns and a last block past n; one pass of ``KC`` terms and
several), in float64 and float32, with the CPU's widest vectors and with 256-bit ones
(AVX2's path, forced: on a CPU without AVX-512 both are the same); the panels' layout;
and a product repeated from the same panels.  The BPTT loops through them are held to the
reference by the routes ``numba-panels`` and ``numba-panels-blocks`` (``tests/helpers.py``,
``test_fast_path.py``), at every size on this machine whatever its BLAS.
"""

from __future__ import annotations

import numpy as np
import pytest

numba = pytest.importorskip("numba")
panels = pytest.importorskip("frnn.engine.panels")
simd = pytest.importorskip("frnn.engine.simd")


@numba.njit
def _product_as(a, M, out, zero, v):
    P = panels.panels(M, v)
    panels.pack(M, P, zero)
    edge = np.empty((a.shape[0], P.shape[1]), dtype=M.dtype)
    panels.product(a, P, M.shape[1], out, edge, v)
    return P


@numba.njit
def _widest(a, M, out, zero):  # the BPTT loops' path: the CPU's widest vectors
    return _product_as(a, M, out, zero, simd.widest(zero))


@numba.njit
def _avx2(a, M, out, zero):  # 256-bit vectors, as on a CPU without AVX-512
    return _product_as(a, M, out, zero, simd.splat(zero))


WIDTHS = {"widest": (_widest, simd.WIDEST), "256-bit": (_avx2, 32)}


SHAPES = [(1, 1, 1), (3, 5, 7), (4, 8, 8), (5, 9, 17), (6, 16, 16), (7, 3, 33), (10, 32, 32),
          (11, 40, 24), (13, 64, 70), (16, 65, 65), (6, 300, 40), (9, 513, 8),
          (32, 128, 128)]  # fmt: skip


def _exact_bound(a, M, dtype):
    exact = a.astype(np.longdouble) @ M.astype(np.longdouble)
    # each sum's rounding: k terms, each within an ulp of |a||M| summed
    bound = a.shape[1] * np.finfo(dtype).eps * (np.abs(a).astype(np.float64) @ np.abs(M))
    return exact, bound + np.finfo(dtype).tiny


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("m", "k", "n"), SHAPES)
def test_product_matches_numpy(width, dtype, m, k, n):
    rng = np.random.default_rng(m * 1000 + k * 10 + n)
    a = rng.standard_normal((m, k)).astype(dtype)
    M = rng.standard_normal((k, n)).astype(dtype)
    out = np.full((m, n), np.nan, dtype=dtype)  # every element must be written
    WIDTHS[width][0](a, M, out, dtype(0))
    exact, bound = _exact_bound(a, M, dtype)
    assert out.dtype == dtype
    assert np.all(np.abs(out - exact).astype(np.float64) <= bound)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_panels_hold_blocks_of_columns_each_k_contiguous(width, dtype):
    product, vector_bytes = WIDTHS[width]
    M = np.arange(3 * 37, dtype=dtype).reshape(3, 37)
    P = product(np.ones((1, 3), dtype=dtype), M, np.empty((1, 37), dtype=dtype), dtype(0))
    W = 2 * vector_bytes // np.dtype(dtype).itemsize  # two vectors
    blocks = -(-37 // W)
    assert P.shape == (blocks * 3, W)
    padded = np.zeros((3, blocks * W), dtype=dtype)
    padded[:, :37] = M
    for jb in range(blocks):
        np.testing.assert_array_equal(P[jb * 3 : jb * 3 + 3], padded[:, jb * W : jb * W + W])


def test_the_same_panels_serve_every_step():
    """Packed once, the panels give each new left operand its own product (nothing of
    the previous one left in the scratch block or the result)."""

    @numba.njit
    def steps(a, M, out, zero):
        v = simd.widest(zero)
        P = panels.panels(M, v)
        panels.pack(M, P, zero)
        edge = np.empty((a.shape[1], P.shape[1]), dtype=M.dtype)
        for t in range(a.shape[0]):
            panels.product(a[t], P, M.shape[1], out[t], edge, v)

    rng = np.random.default_rng(5)
    a, M = rng.standard_normal((4, 9, 21)), rng.standard_normal((21, 21))
    out = np.full((4, 9, 21), np.nan)
    steps(a, M, out, 0.0)
    for t in range(4):
        exact, bound = _exact_bound(a[t], M, np.float64)
        assert np.all(np.abs(out[t] - exact).astype(np.float64) <= bound)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_infinite_input_spoils_only_its_own_row(width):
    """The sums start from a zero passed in, and the zeros padding the last block meet an
    infinite input only in columns past n, which are never copied out."""
    a = np.ones((8, 16))
    a[0, 0] = np.inf
    out = np.empty((8, 13))
    WIDTHS[width][0](a, np.ones((16, 13)), out, 0.0)
    assert np.all(np.isinf(out[0])) and np.all(out[1:] == 16.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("rows", "columns"), [(0, 16), (1, 1), (3, 5), (10, 16), (300, 32)])
def test_aligned_arrays_start_on_a_cache_line(dtype, rows, columns):
    """numba's np.empty gives 32 bytes; a 512-bit vector split over two lines runs slower."""
    array = numba.njit(lambda like, r, c: panels.aligned(like, r, c))(
        np.zeros(1, dtype=dtype), rows, columns
    )
    assert array.shape == (rows, columns) and array.dtype == dtype
    assert array.flags.c_contiguous and array.ctypes.data % 64 == 0


def test_panels_start_on_a_cache_line():
    P = _widest(np.ones((5, 7)), np.ones((7, 9)), np.empty((5, 9)), 0.0)
    assert P.ctypes.data % 64 == 0


@numba.njit
def _doubled(x, y):
    simd.prefer_widest()
    for i in range(x.shape[0]):
        y[i] = 2.0 * x[i]


def test_prefer_widest_lifts_the_256_bit_preference_only_with_avx512():
    """``simd.prefer_widest`` puts LLVM's "prefer-vector-width"="512" on the calling
    function where numba targets AVX-512 (``WIDEST`` 64), and nothing elsewhere; the loop
    computes the same either way."""
    x, y = np.arange(37.0), np.empty(37)
    _doubled(x, y)
    np.testing.assert_array_equal(y, 2.0 * x)
    ir = next(iter(_doubled.inspect_llvm().values()))
    assert ('"prefer-vector-width"="512"' in ir) == (simd.WIDEST == 64)
