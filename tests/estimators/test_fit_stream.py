"""The BPTT estimators trained from a stream (``fit_stream``) and by a budget of steps:
resumed bit-identically, bad batches and bad calls refused with their names."""

from __future__ import annotations

import numpy as np
import pytest

from frnn import RNNClassifier, RNNRegressor
from frnn.data import synthetic
from frnn.io import load, save
from frnn.training import StreamError

VAL = synthetic.adding(100, np.random.default_rng(2), 20)
KW = dict(training="bptt", steps=250, n_ensemble=2, hidden_size=8, random_state=0)


def _adding_batches(rng):
    return synthetic.adding(16, rng, 20)


def _interrupted(make, fit, stop_at):
    """The state after round ``stop_at`` of a run stopped there by its callback."""
    states = []

    def callback(info):
        states.append(info["state"]())
        return len(states) == stop_at

    fit(make(), callback)
    return states[-1]


def test_a_stream_fit_learns_and_keeps_the_best_validation_loss():
    est = RNNRegressor(**KW).fit_stream(_adding_batches, validation=VAL)
    assert est.n_iter_ == 3 and est.stopped_by_ == "steps"  # rounds of 100, 100, 50 steps
    losses = est.history_["val_loss"]
    assert est.score(*VAL) > 0.3 and losses[-1] < losses[0]
    best = int(np.argmin(losses))  # the best round's parameters are kept
    rmse = np.sqrt(np.mean((est.predict(VAL[0]) - VAL[1]) ** 2))
    assert rmse == pytest.approx(est.history_["val_rmse"][best], rel=1e-9)


@pytest.mark.parametrize("kind", ["function", "iterable"])
def test_a_stream_fit_resumes_bit_identically(kind, tmp_path):
    def batches():
        if kind == "function":
            return _adding_batches
        return synthetic.stream("adding", 16, np.random.default_rng(5), length=20)

    whole = RNNRegressor(**KW).fit_stream(batches(), validation=VAL)
    state = _interrupted(
        lambda: RNNRegressor(**KW),
        lambda est, cb: est.fit_stream(batches(), validation=VAL, callback=cb),
        stop_at=2,
    )
    resumed = RNNRegressor(**KW).fit_stream(batches(), validation=VAL, resume_state=state)
    np.testing.assert_array_equal(resumed.predict(VAL[0]), whole.predict(VAL[0]))
    assert resumed.history_ == {k: v for k, v in whole.history_.items()} | {
        "seconds": resumed.history_["seconds"]
    }
    save(resumed, tmp_path / "m.npz")
    np.testing.assert_array_equal(load(tmp_path / "m.npz").predict(VAL[0]), whole.predict(VAL[0]))


def test_a_fit_by_steps_with_early_stopping_resumes_bit_identically():
    X, y = synthetic.recall(96, np.random.default_rng(1), length=12)
    kw = dict(KW, steps=120, validation_fraction=0.25, patience=3)
    whole = RNNClassifier(**kw).fit(X, y)
    state = _interrupted(
        lambda: RNNClassifier(**kw), lambda est, cb: est.fit(X, y, callback=cb), stop_at=5
    )
    resumed = RNNClassifier(**kw).fit(X, y, resume_state=state)
    np.testing.assert_array_equal(resumed.decision_function(X), whole.decision_function(X))
    assert resumed.n_iter_ == whole.n_iter_ and resumed.stopped_by_ == whole.stopped_by_


def test_a_classifier_learns_recall_from_a_stream():
    Xv, yv = synthetic.recall(200, np.random.default_rng(2), length=10, symbols=4)
    clf = RNNClassifier(**dict(KW, steps=400, hidden_size=16))
    clf.fit_stream(lambda rng: synthetic.recall(32, rng, length=10, symbols=4), validation=(Xv, yv))
    assert clf.score(Xv, yv) > 0.9  # chance: 0.25
    assert list(clf.classes_) == [0, 1, 2, 3]


BAD_BATCHES = {
    "features": (lambda rng: (np.zeros((4, 20, 3)), np.zeros(4)), "batch 1: X has 3 features"),
    "nan": (lambda rng: (np.full((4, 20, 2), np.nan), np.zeros(4)), "batch 1: "),
    "not a pair": (lambda rng: np.zeros((4, 20, 2)), "batch 1 must be a pair (X, y)"),
    "targets": (lambda rng: (np.zeros((4, 20, 2)), np.zeros(3)), "batch 1: "),
    "ended": (iter([synthetic.adding(4, np.random.default_rng(0), 20)]), "ended after 1"),
}


@pytest.mark.parametrize("batches,message", BAD_BATCHES.values(), ids=BAD_BATCHES.keys())
def test_a_bad_batch_is_refused_with_its_number(batches, message):
    est = RNNRegressor(**KW)
    with pytest.raises(StreamError, match=message.replace("(", r"\(").replace(")", r"\)")):
        est.fit_stream(batches, validation=VAL)


def test_a_label_the_validation_set_lacks_is_refused():
    Xv, yv = synthetic.recall(40, np.random.default_rng(2), length=6, symbols=4)
    keep = yv < 3
    clf = RNNClassifier(**KW)
    with pytest.raises(StreamError, match="batch 1: "):
        clf.fit_stream(
            lambda rng: synthetic.recall(64, rng, length=6, symbols=4),
            validation=(Xv[keep], yv[keep]),
        )


@pytest.mark.parametrize(
    "change,message",
    [
        (dict(training="reservoir"), "needs training='bptt' and epochs=None"),
        (dict(epochs=3), "needs training='bptt' and epochs=None"),
        (dict(steps=0), "steps must be"),
        (dict(init="zeros"), "init must be one of"),
        (dict(warmup=1.0), "warmup must be"),
        (dict(init="torch", init_scale=0.1), "init_scale must be None for init='torch'"),
    ],
)
def test_bad_calls_are_refused_before_training(change, message):
    est = RNNRegressor(**dict(KW, **change))
    with pytest.raises(ValueError, match=message):
        est.fit_stream(_adding_batches, validation=VAL)
    assert not hasattr(est, "networks_")


def test_validation_must_be_a_pair():
    with pytest.raises(ValueError, match="validation must be a pair"):
        RNNRegressor(**KW).fit_stream(_adding_batches, validation=VAL[0])
    with pytest.raises(StreamError, match="batches must be a function"):
        RNNRegressor(**KW).fit_stream(3, validation=VAL)


def test_a_stream_fit_refused_before_training_leaves_the_previous_fit_whole():
    reg = RNNRegressor(**KW).fit_stream(_adding_batches, validation=VAL)
    before = {k: repr(v) for k, v in vars(reg).items()}
    with pytest.raises(ValueError, match="validation"):
        reg.fit_stream(_adding_batches, validation=(VAL[0], VAL[1][:-1]))  # one y short
    assert {k: repr(v) for k, v in vars(reg).items()} == before
