"""The chunks' products of the BLAS loops added straight into [dR, dW] (β = 1).

``blas_kernels._add_product`` adds Fᵀ Y into C by one gemm call with β = 1 where BLAS runs
the products, and by a product into scratch and a pass elsewhere (the tiles, or a call
that fails): held here to numpy's product in a wider precision with C a whole matrix and
a block of columns of a wider one (dR and dW inside [dR, dW]), with F and Y whole or
steps of rows, in float64 and float32; both ways give the same sums to round-off.  The
BPTT loops through it are held to the reference by the routes of ``tests/helpers.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from frnn.engine import compiled

numba = pytest.importorskip("numba")
if compiled.blas_kernels() is None:
    pytest.skip("numba's BLAS loops are unusable here", allow_module_level=True)
from frnn.engine import blas_kernels  # noqa: E402


@numba.njit
def _add(F, Y, C, split, part):
    blas_kernels._add_product(F, Y, C, split, F.dtype.type(0), part)


@numba.njit
def _gemm(F, Y, C):
    return blas_kernels._gemm_added(F, Y, C)


TOL = {np.float64: 1e-13, np.float32: 1e-5}
SHAPES = [(1, 1, 1, 0), (7, 5, 3, 2), (512, 256, 256, 32), (96, 33, 17, 9), (0, 4, 4, 2),
          (1, 6, 5, 3)]  # fmt: skip


def _case(K, M, N, D, dtype, rng):
    F = rng.standard_normal((K, M)).astype(dtype)
    Y = rng.standard_normal((K, N + D + 3)).astype(dtype)[:, : N + D]  # rows N + D + 3 apart
    C = rng.standard_normal((M, N + D)).astype(dtype)
    return F, Y, C


# numba warns that its np.dot (the fallback) is slower on arrays of rows not contiguous,
# which the loops never pass it (their chunks are whole matrices) and the test does
@pytest.mark.filterwarnings("ignore::numba.core.errors.NumbaPerformanceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("split", [1, 0])  # BLAS with β = 1 | tiles, then a pass
@pytest.mark.parametrize(("K", "M", "N", "D"), SHAPES)
def test_the_product_is_added_into_c_and_its_columns(K, M, N, D, dtype, split):
    rng = np.random.default_rng(K + M + N)
    F, Y, C = _case(K, M, N, D, dtype, rng)
    expected = C.astype(np.float64) + F.T.astype(np.float64) @ Y.astype(np.float64)
    whole = C.copy()
    _add(F, Y, whole, split, np.empty(whole.shape, dtype))  # [dR, dW] at once
    parts = C.copy()  # dR and dW on their own: blocks of columns, rows N + D apart
    _add(F, Y[:, :N], parts[:, :N], split, np.empty((M, N), dtype))
    _add(F, Y[:, N:], parts[:, N:], split, np.empty((M, D), dtype))
    scale = max(1.0, float(np.abs(expected).max()))
    for got in (whole, parts):
        assert got.dtype == dtype
        assert np.abs(got - expected).max() <= TOL[dtype] * scale * max(1, K) ** 0.5


def test_the_gemm_call_succeeds_and_adds_once():
    rng = np.random.default_rng(0)
    F, Y, C = _case(40, 24, 16, 0, np.float64, rng)
    before = C.copy()
    assert _gemm(F, Y, C) == 0  # scipy's BLAS found by numba's wrapper
    np.testing.assert_allclose(C - before, F.T @ Y, rtol=1e-13, atol=1e-13)


def test_a_single_row_whose_stride_is_any_is_added():
    rng = np.random.default_rng(1)
    F = rng.standard_normal((1, 9))[:, ::1]
    Y = np.lib.stride_tricks.as_strided(rng.standard_normal(12), (1, 12), (8, 8))  # stride 1
    C = np.zeros((9, 12))
    assert _gemm(F, Y, C) == 0
    np.testing.assert_allclose(C, F.T @ Y, rtol=1e-15, atol=0)
