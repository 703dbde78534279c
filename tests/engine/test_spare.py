"""The compiled forward's states array is reused only when nothing else holds it.

``engine/spare.py`` hands out the last states array again when its reference count says
no one else holds it: never one that the model (``model.a``, a view), a caller
(``frnn.states``' result, a view or a memoryview of it) or another thread still holds.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import frnn
from frnn.engine import compiled, spare
from helpers import make_net

SHAPE = (100, 64, 256)  # 6.6 MB in float32: above spare.MIN_BYTES


@pytest.fixture(autouse=True)
def _fresh():
    spare.forget()
    yield
    spare.forget()


def test_a_free_array_is_handed_out_again():
    first = spare.states_array(SHAPE, np.float64)
    address = first.ctypes.data
    del first
    again = spare.states_array(SHAPE, np.float64)
    assert again.ctypes.data == address


@pytest.mark.parametrize(
    "hold",
    [lambda a: a, lambda a: a[3], lambda a: a.transpose(1, 0, 2), memoryview, lambda a: [a]],
    ids=["array", "view", "transpose", "memoryview", "list"],
)
def test_an_array_still_held_is_never_handed_out(hold):
    first = spare.states_array(SHAPE, np.float64)
    held = hold(first)
    address = first.ctypes.data
    del first
    again = spare.states_array(SHAPE, np.float64)
    assert again.ctypes.data != address
    del held


def test_other_shapes_dtypes_and_small_arrays_are_new():
    first = spare.states_array(SHAPE, np.float64)
    del first
    assert spare.states_array(SHAPE, np.float32).dtype == np.float32
    small = spare.states_array((2, 3, 4), np.float64)
    assert small.shape == (2, 3, 4) and spare._kept[0] is not small


def test_threads_never_share_an_array():
    got, barrier = [], threading.Barrier(4)

    def take():
        barrier.wait()
        got.append(spare.states_array(SHAPE, np.float64))

    workers = [threading.Thread(target=take) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({array.ctypes.data for array in got}) == 4


@pytest.mark.skipif(compiled.blas_kernels() is None, reason="numba's BLAS loops unusable")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_states_held_by_the_user_are_unchanged_by_the_next_forward(dtype):
    B, T, D, I = SHAPE[1], SHAPE[0], 8, SHAPE[2]
    model = make_net(D, I, 1, dtype=dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    y = (rng.random((B, 1)) < 0.5).astype(dtype)
    frnn.forward(model, x, y, engine="numba")
    frnn.backward(model, engine="numba")
    frnn.forward(model, x, y, engine="numba")  # the first states' array is free by now
    held, copy = model.a, model.a.copy()
    frnn.forward(model, -x, y, engine="numba")
    assert model.a.base is not held.base
    np.testing.assert_array_equal(held, copy)
    frnn.backward(model, engine="numba")
    del held
    address = model.a.base.ctypes.data  # training: forward drops the model's last states
    for _ in range(2):
        frnn.forward(model, x, y, engine="numba")
        assert model.a.base.ctypes.data == address
