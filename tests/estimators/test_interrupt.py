"""Ctrl-C (KeyboardInterrupt) in a BPTT fit: raised again, the estimator fitted to the last
whole round (every network, its optimiser and generator put back to that round's end),
``stopped_by_ = "interrupted"``; before the first whole round, the estimator as it was."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import frnn
from frnn import RNNClassifier, RNNRegressor
from frnn.training.optimizers import Adam
from helpers import halves

# 40 series, batches of 32: rounds of max(⌈40/32⌉, ⌈600/100⌉) = 6 steps a network
QUICK = dict(training="bptt", hidden_size=8, steps=600, frame_size=3, random_state=7)
ROUND = 6


def data(estimator):
    X, y = halves()
    if estimator is RNNRegressor:
        return X, X[:, :6].sum(axis=1) - X[:, 6:].sum(axis=1)
    return X, y


def interrupt_at(monkeypatch, call: int) -> None:
    """Adam's ``call``-th step updates the first parameter (W) alone, then Ctrl-C lands:
    the weights of no single step, as a real interrupt between two updates leaves them."""
    original, calls = Adam._step, [0]

    def step(self, params, grads, scale=1.0, **kwargs):
        calls[0] += 1
        if calls[0] != call:
            return original(self, params, grads, scale, **kwargs)
        original(self, dict(list(params.items())[:1]), grads, scale, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(Adam, "_step", step)


def assert_same_fit(a, b) -> None:
    assert a.n_iter_ == b.n_iter_ and a.loss_curve_ == b.loss_curve_
    assert set(a.history_) == set(b.history_)
    for key in set(a.history_) - {"seconds"}:
        assert a.history_[key] == b.history_[key], key
    assert len(a.history_["seconds"]) == a.n_iter_
    for net_a, net_b in zip(a.networks_, b.networks_, strict=True):
        for name in "WRVbc":
            np.testing.assert_array_equal(getattr(net_a, name), getattr(net_b, name))


@pytest.mark.parametrize("estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize(
    ("n_ensemble", "call"),
    [
        (1, 2 * ROUND + 3),  # round 3, its third step
        (2, 2 * 2 * ROUND + ROUND + 4),  # round 3, the second network's fourth step
    ],
)
def test_an_interrupted_fit_is_the_fit_of_its_last_whole_round(
    monkeypatch, tmp_path, estimator, n_ensemble, call
):
    X, y = data(estimator)
    params = dict(QUICK, n_ensemble=n_ensemble)
    stopped = estimator(**params).fit(X, y, callback=lambda info: info["epoch"] == 2)
    whole = estimator(**params).fit(X, y)
    states = []
    interrupt_at(monkeypatch, call)
    est = estimator(**params)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y, callback=lambda info: states.append(info["state"]))
    monkeypatch.undo()
    assert est.stopped_by_ == "interrupted" and est.n_iter_ == 2
    assert_same_fit(est, stopped)
    np.testing.assert_array_equal(est.predict(X), stopped.predict(X))
    # the trainer's state after the interrupt is round 2's: optimiser moments and
    # generators too, so a resume from it ends as the fit never interrupted
    resumed = estimator(**params).fit(X, y, resume_state=states[-1]())
    assert_same_fit(resumed, whole)
    frnn.save(est, tmp_path / "model.npz")  # a model file keeps "interrupted"
    assert frnn.load(tmp_path / "model.npz").stopped_by_ == "interrupted"


@pytest.mark.parametrize("estimator", [RNNClassifier, RNNRegressor])
def test_an_interrupt_in_the_first_round_leaves_the_estimator_unfitted(monkeypatch, estimator):
    """Nothing trained to keep: not a "fitted" model of the networks as drawn (which
    predicted and saved as one), but the estimator as before ``fit``, as a reservoir fit
    stopped by Ctrl-C leaves it: check_is_fitted raises."""
    X, y = data(estimator)
    interrupt_at(monkeypatch, 2)
    est = estimator(**QUICK)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    monkeypatch.undo()
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert not hasattr(est, "networks_") and not hasattr(est, "stopped_by_")
    assert not hasattr(est, "n_features_in_")


def test_an_interrupt_in_the_first_round_of_a_refit_keeps_the_previous_fit(monkeypatch):
    X, y = halves()
    clf = RNNClassifier(**QUICK).fit(X, y)
    before = clf.predict_proba(X)
    interrupt_at(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        clf.set_params(steps=1200).fit(X[:30], y[:30])
    monkeypatch.undo()
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.stopped_by_ == "steps" and clf.n_iter_ == 100


def test_an_interrupt_in_the_first_round_of_a_stream_leaves_it_unfitted(monkeypatch):
    X, y = halves()
    interrupt_at(monkeypatch, 2)
    clf = RNNClassifier(**QUICK)
    with pytest.raises(KeyboardInterrupt):
        clf.fit_stream(lambda rng: (X[:16], y[:16]), validation=(X, y))
    monkeypatch.undo()
    with pytest.raises(NotFittedError):
        clf.predict(X)
