"""Subnormals flushed in the float32 BPTT loops (frnn.engine.denormals): the thread's MXCSR
set inside a loop and put back after, also after an error; float64 loops untouched; the
float32 gradients still those of the reference loops where δ(t) runs into subnormals."""

from __future__ import annotations

import types

import numpy as np
import pytest

import frnn
from frnn.engine import denormals

pytestmark = pytest.mark.skipif(not denormals.available(), reason="x86-64 with numba only")

TINY = np.float32(1e-39)  # subnormal in float32


def test_flushed_sets_ftz_and_daz_and_puts_the_register_back():
    before = denormals.get_mxcsr()
    seen = []

    def kernel(value):
        seen.append((denormals.get_mxcsr(), value * np.float32(1)))
        return "done"

    assert denormals.flushed(kernel)(TINY) == "done"
    assert seen[0][0] & denormals.FLUSH_BITS == denormals.FLUSH_BITS
    assert seen[0][1] == 0  # DAZ: the subnormal input reads as 0
    after = denormals.get_mxcsr()
    assert after & denormals.FLUSH_BITS == before & denormals.FLUSH_BITS
    assert TINY * np.float32(1) == TINY  # outside: subnormals as IEEE 754 says


def test_an_error_in_the_loop_puts_the_register_back():
    before = denormals.get_mxcsr() & denormals.FLUSH_BITS

    def failing():
        raise RuntimeError("inside")

    with pytest.raises(RuntimeError, match="inside"):
        denormals.flushed(failing)()
    assert denormals.get_mxcsr() & denormals.FLUSH_BITS == before


def test_only_float32_loops_flush(monkeypatch):
    calls = []
    original = denormals.flushed
    monkeypatch.setattr(denormals, "flushed", lambda k: calls.append(1) or original(k))
    for dtype, expected in ((np.float64, 0), (np.float32, 2)):
        calls.clear()
        model = frnn.init(types.SimpleNamespace(), 3, 40, 1, rng=0, dtype=dtype)
        x = np.random.default_rng(0).standard_normal((20, 30, 3)).astype(dtype)
        frnn.forward(model, x, np.ones(20, dtype=dtype), engine="numba")
        frnn.backward(model, engine="numba")
        assert len(calls) == expected


@pytest.mark.parametrize("I", [8, 48, 96])
def test_float32_gradients_that_run_into_subnormals_match_the_reference(I):
    """Small recurrent weights: δ(t) shrinks below 1.2e-38 within the 200 steps, so the
    flushed loops zero values the reference keeps; the gradients agree to float32's
    precision all the same."""
    rng = np.random.default_rng(1)
    model = frnn.init(types.SimpleNamespace(), 4, I, 1, rng=0, dtype=np.float32)
    model.R *= np.float32(0.2)  # δ shrinks by about 0.2 · |tanh'| a step
    x = rng.standard_normal((24, 200, 4)).astype(np.float32)
    y = (rng.random(24) < 0.5).astype(np.float32)
    frnn.forward(model, x, y, engine="numba")
    fast = frnn.backward(model, engine="numba")
    frnn.forward(model, x, y, engine="reference")
    slow = frnn.backward(model, engine="reference")
    for name in ("W", "R", "V"):
        np.testing.assert_allclose(
            fast[name], slow[name], rtol=2e-5, atol=1e-7 * np.abs(slow[name]).max()
        )
