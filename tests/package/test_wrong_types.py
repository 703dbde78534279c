"""Arguments of the wrong type or shape (issue 12): float sizes, float or scalar lengths,
scalar X and y, handed to every public entry point.  Each gives an error naming the
argument, what was expected and what was given, never numpy's "slice indices must be
integers", "len() of unsized object", an IndexError or an AttributeError."""

import numpy as np
import pytest

import frnn
from frnn import training
from frnn.data.series import Series, pad
from frnn.reservoir import ReservoirClassifier, ridge_loo
from helpers import run_cli

RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 5, 1))  # (n, T, D)
Y = np.array([0, 1, 0, 1, 0, 1])
FAST = {"n_reservoirs": 2}
BPTT = {"training": "bptt", "epochs": 1, "hidden_size": 3, "n_ensemble": 1}


def _net():
    return frnn.FullyRecurrentNetwork(1, 3, 1, rng=0)


def _fitted():
    return frnn.RNNClassifier(**FAST, random_state=0).fit(X, Y)


CASES = {
    # sizes that are not integers
    "FullyRecurrentNetwork I=2.5": (lambda: frnn.FullyRecurrentNetwork(1, 2.5, 1), "I must be"),
    "init D=2.0": (lambda: frnn.init(_net(), 2.0, 3, 1), "D must be a positive integer"),
    "RNNClassifier hidden_size=2.5": (
        lambda: frnn.RNNClassifier(hidden_size=2.5).fit(X, Y),
        "hidden_size must be a positive integer or None; got 2.5",
    ),
    "RNNClassifier chunk_length=2.5": (
        lambda: frnn.RNNClassifier(**BPTT, chunk_length=2.5).fit(X, Y),
        "chunk_length must be a positive integer or None; got 2.5",
    ),
    "RNNRegressor hidden_size=2.5": (
        lambda: frnn.RNNRegressor(hidden_size=2.5).fit(X, Y * 1.0),
        "hidden_size must be a positive integer or None; got 2.5",
    ),
    "RNNClassifier random_state=2.5": (
        lambda: frnn.RNNClassifier(**FAST, random_state=2.5).fit(X, Y),
        "random_state must be None, an integer in [0, 2**32)",
    ),
    "sequence_gradients chunk_length=2.5": (
        lambda: training.sequence_gradients(_net(), X, Y[:, None] * 1.0, [5] * 6, chunk_length=2.5),
        "chunk_length must be",
    ),
    "minibatches n=2.5": (
        lambda: list(training.minibatches(2.5, 2, np.random.default_rng())),
        "n must be a non-negative integer; got 2.5",
    ),
    "minibatches batch_size=2.5": (
        lambda: list(training.minibatches(6, 2.5, np.random.default_rng())),
        "batch_size must be a positive integer; got 2.5",
    ),
    "minibatches rng=0": (
        lambda: list(training.minibatches(6, 2, 0)),
        "rng must be a numpy.random.Generator; got int",
    ),
    "learning_rate_at epochs=0": (
        lambda: training.learning_rate_at(0.1, 0, 0, "cosine"),
        "epochs must be a positive integer; got 0",
    ),
    "gradient_flow_by_radius seed=2.5": (
        lambda: frnn.plots.gradient_flow_by_radius((1.0,), steps=3, hidden=2, seed=2.5),
        "seed must be a non-negative integer; got 2.5",
    ),
    # lengths that are floats or a scalar
    "forward lengths=[2.5]": (
        lambda: _net().forward(X, Y[:, None] * 1.0, lengths=[2.5] * 6),
        "lengths must be integers",
    ),
    "forward lengths=5": (
        lambda: _net().forward(X, Y[:, None] * 1.0, lengths=5),
        "lengths must have shape (B,) = (6,); got shape ()",
    ),
    "sequence_gradients lengths=5": (
        lambda: training.sequence_gradients(_net(), X, Y[:, None] * 1.0, 5),
        "lengths must have shape (B,) = (6,)",
    ),
    "Series lengths=2.5": (
        lambda: Series(X, Y, np.full(6, 2.5)).inputs(),
        "Series.lengths must be integers; got float64",
    ),
    "Series lengths=5": (
        lambda: Series(X, Y, 5),
        "Series.lengths must have shape (6,), one per series; got shape ()",
    ),
    "Series lengths > T": (lambda: Series(X, Y, np.full(6, 9)), "at most T = 5; got 9"),
    "RNNClassifier.fit Series lengths=2.5": (
        lambda: frnn.RNNClassifier(**BPTT).fit(Series(X, Y, np.full(6, 2.5)), Y),
        "Series.lengths must be integers",
    ),
    "linear_scan lengths=[2.5]": (
        lambda: frnn.linear_scan(np.ones((4, 2, 3, 3)), np.ones((4, 2, 3)), lengths=[2.5, 2.5]),
        "lengths must be an array",
    ),
    "diagonal_scan lengths=3": (
        lambda: frnn.diagonal_scan(np.ones((4, 2, 3)), np.ones((4, 2, 3)), lengths=3),
        "lengths must be an array (numpy's or another array-API library's); got int",
    ),
    # X, y or other arrays as scalars
    "forward x=3.0": (lambda: _net().forward(3.0, 1.0), "x must be (T, D) or (B, T, D)"),
    "forward x=0-d": (lambda: _net().forward(np.array(3.0), 1.0), "got shape ()"),
    "RNNClassifier.fit X=3.0": (
        lambda: frnn.RNNClassifier().fit(3.0, Y),
        "X must be (n, T), (n, T, D) or a list of (T_i, D) arrays; got an array of shape ()",
    ),
    "RNNClassifier.predict X=0-d": (lambda: _fitted().predict(np.array(3.0)), "X must be"),
    "RNNClassifier.fit y=1": (
        lambda: frnn.RNNClassifier(**FAST).fit(X, 1),
        "y must be (n,) class labels or (n, K) multi-label targets, one row per series; got "
        "shape ()",
    ),
    "RNNClassifier(bptt).fit y=0-d": (
        lambda: frnn.RNNClassifier(**BPTT).fit(X, np.array(1)),
        "y must be (n,) class labels",
    ),
    "RNNRegressor.fit y=1.0": (
        lambda: frnn.RNNRegressor(**FAST).fit(X, 1.0),
        "y must be (n,) or (n, K) with n ≥ 1; got shape ()",
    ),
    "ReservoirClassifier.fit y=1": (
        lambda: ReservoirClassifier(**FAST).fit(X, 1),
        "y must be (n,) class labels, one per series; got shape ()",
    ),
    "ridge_loo F=3.0": (
        lambda: ridge_loo(np.array(3.0), np.ones((3, 1)), (1.0,)),
        "F must be (n, p) features with n, p ≥ 1; got shape ()",
    ),
    "ridge_loo alphas=1.0": (
        lambda: ridge_loo(np.ones((3, 2)), np.ones((3, 1)), 1.0),
        "alphas must be a sequence of positive numbers",
    ),
    "clip_grad_norm grads=3.0": (
        lambda: training.clip_grad_norm(3.0, 1.0),
        "grads must be a dict of numpy arrays, as backward returns; got float",
    ),
    "Adam.step grads=3.0": (
        lambda: training.Adam().step({"W": np.ones(2)}, 3.0),
        "grads must be a dict of numpy arrays",
    ),
    "clip_grad_norm grads of a list": (
        lambda: training.clip_grad_norm({"W": [3.0, 4.0]}, 1.0),
        "grads['W'] must be a numpy array, as backward returns; got list",
    ),
    "clip_grad_norm grads of integers": (  # scaled in place: numpy refused it, unnamed
        lambda: training.clip_grad_norm({"W": np.array([3, 4])}, 1.0),
        "grads['W'] must be an array of floats (it is changed in place); got int64",
    ),
    "SGD.step params of integers": (
        lambda: training.SGD().step({"W": np.array([1, 2])}, {"W": np.ones(2)}),
        "params['W'] must be an array of floats (it is changed in place); got int64",
    ),
    "SGD.step grads of another shape": (
        lambda: training.SGD().step({"W": np.ones(2)}, {"W": np.ones(3)}),
        "grads['W'] must have shape (2,); got (3,)",
    ),
    "linear_scan A=2.0": (lambda: frnn.linear_scan(2.0, 3.0), "A must be an array"),
    "pad [1.0, 2.0]": (
        lambda: pad([1.0, 2.0]),
        "series must be a non-empty list of (T_i, D) arrays; got shapes [(), ()]",
    ),
}
UNCLEAR = ("slice indices", "len() of unsized", "tuple index", "has no attribute", "object of type")


@pytest.mark.parametrize(("call", "message"), CASES.values(), ids=CASES.keys())
def test_wrong_types_are_named(call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    text = str(caught.value)
    assert message in text
    assert not any(phrase in text for phrase in UNCLEAR)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--hidden-size", "2.5"], "--hidden-size must be a positive integer or none; got 2.5"),
        (
            ["--training", "bptt", "--chunk-length", "2.5"],
            "--chunk-length must be a positive integer or none; got 2.5",
        ),
        (["--n-train", "2.5"], "argument --n-train: invalid int value: '2.5'"),
    ],
)
def test_wrong_types_at_the_command_line(tmp_path, option, message):
    done = run_cli("train", "--dataset", "parity", *option, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert message in done.stderr


def test_series_keeps_the_array_it_checked_not_the_list_given():
    """Before: X was checked as np.asarray(X) but the list kept, so .X.shape, take() and
    equal_length failed on a Series made from nested lists."""
    series = Series(X.tolist(), Y, np.full(6, 5))
    assert isinstance(series.X, np.ndarray) and series.X.shape == (6, 5, 1)
    assert series.equal_length
    np.testing.assert_array_equal(series.take(np.array([1, 3]))[0], X[[1, 3]])
    ragged = [x[: 5 - i % 2].tolist() for i, x in enumerate(X)]  # not (n, T, D)
    with pytest.raises(ValueError):
        Series(ragged, Y, np.full(6, 5))
