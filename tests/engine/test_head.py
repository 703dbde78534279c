"""The compiled output layer (``kernels.head``): many-to-one logits, loss, dZ and dV in one
pass after the time loop, the same function as numpy's forms in ``losses`` and ``network``."""

from __future__ import annotations

import types

import numpy as np
import pytest

import frnn
from frnn.engine import compiled, network
from frnn.engine.batch import prepare


def _case(dtype, loss, bias, padded, K=2, B=7, T=9, D=3, I=5, seed=0):
    rng = np.random.default_rng(seed)
    model = frnn.init(types.SimpleNamespace(), D, I, K, rng=seed, dtype=dtype, bias=bias)
    model.W *= 20  # logits far from zero too: both branches of the stable forms
    model.V *= 40
    model.loss = loss
    x = rng.standard_normal((B, T, D)).astype(dtype)
    y = rng.random((B, K)).astype(dtype)
    y[0] = [0.0, 1.0][:K] if K == 2 else y[0]  # hard labels as well as soft ones
    lengths = rng.integers(1, T + 1, B) if padded else None
    return model, x, y, lengths


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize(("bias", "padded"), [(False, False), (True, True)])
def test_head_is_numpys_forms(dtype, loss, bias, padded):
    model, x, y, lengths = _case(dtype, loss, bias, padded)
    batch = prepare(x, y, lengths, None, W=model.W, K=2, loss=loss)
    A = np.asarray(np.random.default_rng(1).uniform(-1, 1, (9, 7, 5)), dtype=dtype)
    c = model.c if bias else None
    Z, value, dZ, dV = compiled.head(A, batch, model.V, c, loss)
    cache = frnn.engine.cache.Cache(batch, A, network._logits(A, batch, model.V, c), "tanh", loss)
    expected_dZ, expected_dV = network._output_gradients(cache)
    per_output = network.LOSSES[loss][0](cache.Z, batch.y)
    tol = 1e-14 if dtype == np.float64 else 1e-6
    assert Z.dtype == dZ.dtype == dV.dtype == dtype
    np.testing.assert_allclose(Z, cache.Z, rtol=tol, atol=tol * abs(cache.Z).max())
    assert value == pytest.approx(float(per_output.sum()) / 7, rel=tol)
    np.testing.assert_allclose(dZ, expected_dZ, rtol=tol, atol=tol * abs(expected_dZ).max())
    np.testing.assert_allclose(dV, expected_dV, rtol=tol, atol=tol * abs(expected_dV).max())


def test_head_runs_in_forward_and_backward_matches_numpy():
    model, x, y, lengths = _case(np.float64, "bce", True, True)
    loss = frnn.forward(model, x, y, lengths=lengths)
    assert frnn.engine.cache.get(model).head is not None  # the compiled layer ran
    grads = frnn.backward(model)
    expected = frnn.forward(model, x, y, lengths=lengths, engine="numpy")
    assert frnn.engine.cache.get(model).head is None
    reference = frnn.backward(model, engine="numpy")
    assert loss == pytest.approx(expected, rel=1e-14)
    for name in "WRVbc":
        np.testing.assert_allclose(grads[name], reference[name], rtol=1e-12, atol=1e-15)


def test_each_backward_returns_its_own_dV():
    """dV is kept with forward's states: a second backward must not hand out the array the
    caller of the first may have changed (an optimizer's update in place)."""
    model, x, y, _ = _case(np.float64, "bce", False, False)
    frnn.forward(model, x, y)
    first = frnn.backward(model)
    kept = first["V"].copy()
    first["V"] *= 0.0
    np.testing.assert_array_equal(frnn.backward(model)["V"], kept)


def test_head_checks_the_lengths_it_indexes_with():
    model, x, y, _ = _case(np.float64, "bce", False, False)
    batch = prepare(x, y, None, None, W=model.W, K=2, loss="bce")
    A = np.zeros((9, 7, 5))
    batch.lengths = batch.lengths.copy()
    batch.lengths[3] = 10  # beyond T = 9
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T\]"):
        compiled.head(A, batch, model.V, None, "bce")
    batch.lengths[3] = 0
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T\]"):
        compiled.head(A, batch, model.V, None, "bce")
    batch.lengths = batch.lengths[:-1]
    with pytest.raises(ValueError, match="lengths must be"):
        compiled.head(A, batch, model.V, None, "bce")


@pytest.mark.parametrize("engine", ["auto", "numpy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.nan, "y must not contain NaN or inf; found 1"),
        (-np.inf, "y must not contain NaN or inf; found 1"),
        (2.0, r"y must lie in \[0, 1\] for the bce loss; got values in \[0, 2\]"),
        (-0.5, r"y must lie in \[-0.5, 1\]|y must lie in \[0, 1\] for the bce loss"),
    ],
)
def test_bce_targets_are_checked_on_every_engine(engine, dtype, bad, match):
    """The targets' range test (one compiled call on the compiled engines) lets no bad
    value through, and the error is numpy's message either way."""
    model = frnn.init(types.SimpleNamespace(), 2, 3, 1, rng=0, dtype=dtype)
    y = np.array([0.0, 1.0, 0.5, 1.0])
    frnn.forward(model, np.ones((4, 5, 2)), y, engine=engine)  # in range: accepted
    y[2] = bad
    with pytest.raises(ValueError, match=match):
        frnn.forward(model, np.ones((4, 5, 2)), y, engine=engine)


def _weighted_case(seed=3):
    model, x, y, lengths = _case(np.float64, "bce", True, True, seed=seed)
    weights = np.random.default_rng(seed).uniform(0, 3, 7)
    return model, x, y, lengths, weights


def _trusted_step(model, x, y, lengths, weights):
    loss, _ = network.forward_cached(model, x, y, lengths=lengths, weights=weights)
    return loss, network.backward_trusted(model)


def test_sequence_weights_of_one_are_the_unweighted_arithmetic():
    """The training loop's class weights weigh the many-to-one loss's sequences: weights of
    1 give the unweighted step bit for bit (the estimators' class_weight of ones)."""
    model, x, y, lengths, _ = _weighted_case()
    plain = _trusted_step(model, x, y, lengths, None)
    ones = _trusted_step(model, x, y, lengths, np.ones(7))
    assert plain[0] == ones[0]
    for name in "WRVbc":
        np.testing.assert_array_equal(plain[1][name], ones[1][name])


def test_sequence_weights_match_the_weighted_last_steps(monkeypatch):
    """Weights w_b of a many-to-one loss equal the many-to-many loss with step weights
    w_b [t = T_b] (the form the training loop used), by the compiled output layer and by
    numpy's forms."""
    model, x, y, lengths, weights = _weighted_case()
    T = x.shape[1]
    every = np.repeat(y[:, None, :], T, axis=1)  # (B, T, K)
    last_steps = np.zeros((7, T))
    last_steps[np.arange(7), lengths - 1] = weights
    expected = _trusted_step(model, x, every, lengths, last_steps)
    compiled_layer = _trusted_step(model, x, y, lengths, weights)
    monkeypatch.setattr(network.dispatch, "head", lambda *args, **kwargs: None)
    numpy_forms = _trusted_step(model, x, y, lengths, weights)
    for got in (compiled_layer, numpy_forms):
        assert got[0] == pytest.approx(expected[0], rel=1e-13)
        for name in "WRVbc":
            np.testing.assert_allclose(got[1][name], expected[1][name], rtol=1e-12, atol=1e-15)
