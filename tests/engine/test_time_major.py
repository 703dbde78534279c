"""The compiled copy of x into time-major order, and its finiteness check (``prepare``).

``compiled.time_major`` copies x (B, T, D) to (T, B, D) and says whether every value is
finite in one compiled pass; ``batch.prepare`` takes it for an unpadded x where numba
works.  It must give numpy's copy bit for bit, see every NaN and infinity wherever it
lies, and leave bad input the error it had.
"""

from __future__ import annotations

import numpy as np
import pytest

import frnn
from frnn.engine import batch as engine_batch
from frnn.engine import compiled


@pytest.fixture(scope="module")
def usable():
    if compiled.numba_kernels() is None:
        pytest.skip("numba unusable here")


SHAPES = [(1, 1, 1), (1, 7, 3), (5, 11, 1), (32, 100, 8), (3, 4, 33)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_the_copy_is_numpys_bit_for_bit(usable, shape, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    x_tm, finite = compiled.time_major(x)
    expected = engine_batch.time_major(x)
    assert finite is True and x_tm.dtype == dtype and x_tm.flags.c_contiguous
    assert x_tm.shape == expected.shape and x_tm.tobytes() == expected.tobytes()
    assert not np.shares_memory(x_tm, x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [(0, 0, 0), (2, 5, 1), (4, 10, 2)])
def test_every_non_finite_value_is_seen(usable, dtype, bad, where):
    x = np.random.default_rng(1).standard_normal((5, 11, 3)).astype(dtype)
    x[where] = bad
    assert compiled.time_major(x)[1] is False


def test_extreme_finite_values_pass(usable):
    big = np.finfo(np.float64).max
    x = np.array([[[big, -big, 5e-324, -0.0]]])  # v − v is 0 for each: none overflows
    assert compiled.time_major(x)[1] is True


def test_arrays_it_does_not_take_are_left_to_numpy(usable):
    x = np.zeros((4, 6, 3))
    assert compiled.time_major(x[:, ::2]) is None  # not C-contiguous
    assert compiled.time_major(x.astype(np.int64)) is None


@pytest.mark.parametrize("engine", ["auto", "numba", "numpy", "reference"])
def test_bad_x_gets_the_same_error_on_every_engine(engine):
    net = frnn.FullyRecurrentNetwork(3, 4, 1, rng=0)
    x = np.zeros((6, 9, 3))
    x[5, 8, 2], x[0, 0, 0] = np.nan, np.inf
    with pytest.raises(ValueError, match=r"x must not contain NaN or inf; found 2 such"):
        net.forward(x, np.ones(6), engine=engine)


def test_a_padded_x_may_hold_nan_beyond_its_lengths():
    """The compiled pass checks all of x, so padded batches keep numpy's masked check."""
    net = frnn.FullyRecurrentNetwork(3, 4, 1, rng=0)
    x = np.random.default_rng(2).standard_normal((3, 5, 3))
    clean = net.forward(x, np.ones(3), lengths=[5, 2, 5])
    x[1, 2:] = np.nan
    assert net.forward(x, np.ones(3), lengths=[5, 2, 5]) == clean


@pytest.mark.parametrize("lengths", [[7, 0, 7], [7, 8, 7], [-1, 7, 7]])
def test_compiled_loops_refuse_lengths_outside_one_to_T(lengths):
    kernels = compiled.blas_kernels() or compiled.numba_kernels()
    if kernels is None:
        pytest.skip("numba unusable here")
    net = frnn.FullyRecurrentNetwork(3, 4, 1, rng=0)
    net.forward(np.ones((3, 7, 3)), np.ones(3), engine="numba")
    batch = net._frnn_cache.threads.cache.batch
    batch.lengths = np.array(lengths, dtype=np.intp)
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T\] = \[1, 7\]"):
        compiled.states(kernels, net.W, net.R, batch, "tanh", None)
