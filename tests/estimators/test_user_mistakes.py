"""Mistakes a user makes with a fitted estimator, each answered in words that name it.

- ``score`` with labels the model never saw: before, text labels against number classes
  (or the reverse) raised scikit-learn's "Mix of label input types (string and number)",
  a missing label (None) a TypeError of ``<``, and unseen labels of the classes' kind
  said nothing.  Now the first two are refused naming the labels and the classes; the
  unseen ones are counted as wrong, as scikit-learn counts them, with a warning naming them.
- one series passed without its batch axis (``X[0]``): before, the message gave the
  shape alone ("X has 1 features per step, but RNNClassifier is expecting 2") or
  ``X.reshape(1, -1)``, which is wrong for a multivariate series; now it says "X[None]
  (or X[:1])".  The shapes accepted are unchanged (docs/contract.md).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from frnn import LengthWarning, RNNClassifier, RNNRegressor

QUICK = dict(n_reservoirs=2, random_state=0)


def _data(D=None, labels=("a", "b", "c"), n=24, T=10):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, T) if D is None else (n, T, D))
    y = np.array(labels)[np.arange(n) % len(labels)]
    X[y == y[0]] += 1.0
    return X, y


@pytest.fixture(scope="module")
def text_model():
    X, y = _data()
    return RNNClassifier(**QUICK).fit(X, y), X


@pytest.fixture(scope="module")
def number_model():
    X, y = _data(labels=(0, 1, 2))
    return RNNClassifier(**QUICK).fit(X, y), X


def test_unseen_labels_of_the_classes_kind_are_counted_wrong_and_named(text_model):
    clf, X = text_model
    y = np.array(["a", "b", "zz", "qq", "a", "zz"], dtype=object)
    with pytest.warns(UserWarning, match=r"not fitted on: 'zz', 'qq' \(3 of 6 series\)") as got:
        score = clf.score(X[:6], y)
    assert "the classes are ['a', 'b', 'c']: those series are counted as wrong" in str(
        got[0].message
    )
    assert got[0].filename == __file__  # the line that called score
    right = (clf.predict(X[:6]) == y).mean()
    assert score == pytest.approx(right)  # scikit-learn's accuracy, unseen labels wrong


def test_labels_of_the_classes_kind_say_nothing(text_model):
    clf, X = text_model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.score(X[:6], ["a", "b", "c", "a", "b", "c"])


@pytest.mark.parametrize(
    ("model", "y", "message"),
    [
        ("number", ["0", "1", "2", "0"], r"'0', '1', '2' \(4 of 4 series\); the classes are "),
        ("number", ["0", "1", "2", "0"], r"\[0, 1, 2\]: text labels never equal number classes"),
        ("text", [0, 1, 5, 6, 7, 8, 9], r"0, 1, 5, 6, 7 and 2 more \(7 of 7 series\)"),
        ("text", [0, 1, 5, 6, 7, 8, 9], r"number labels never equal text classes"),
        ("text", np.array(["a", None, "b"], dtype=object), r"must not hold missing labels"),
    ],
)
def test_labels_of_another_kind_are_refused_naming_them(
    text_model, number_model, model, y, message
):
    clf, X = text_model if model == "text" else number_model
    with pytest.raises(ValueError, match=message):
        clf.score(X[: len(y)], y)


def test_score_before_fit_is_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RNNClassifier().score(np.ones((2, 5)), ["a", "b"])


ONE_SERIES = r"Pass it with the batch axis, as a batch of one: X\[None\] \(or X\[:1\]"


@pytest.mark.parametrize("D", [None, 3])
@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score"])
def test_one_series_without_its_batch_axis_is_told_how_to_pass_it(D, method):
    """X[0] of (n, T) is (T,), of (n, T, D) it is (T, D): read as T series of D steps."""
    X, y = _data(D)
    clf = RNNClassifier(**QUICK).fit(X, y)
    args = (X[0], y[:1]) if method == "score" else (X[0],)
    with pytest.raises(ValueError, match=ONE_SERIES):
        getattr(clf, method)(*args)
    getattr(clf, method)(*((X[None, 0], y[:1]) if method == "score" else (X[:1],)))


def test_one_series_as_a_column_is_told_how_to_pass_it_to_a_table_model():
    X, y = _data()
    clf = RNNClassifier(**QUICK).fit(X, y)  # a table: T features
    with pytest.raises(ValueError, match=r"reads as 10 series of one step: a single series\?"):
        clf.predict(X[0][:, None])


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_one_series_as_one_step_series_to_a_sequence_model_is_told_how_to_pass_it(Estimator):
    """Before: X[0] (T, 1) or X[0][:, None] (T, 1, 1) of a model fitted on (n, T, 1) read
    as T series of one step with only the LengthWarning of series far shorter than the
    training ones (the contract's reading, kept: D matches, so nothing to refuse)."""
    X, y = _data(1)
    if Estimator is RNNRegressor:
        y = np.arange(len(X), dtype=float)
    est = Estimator(**QUICK).fit(X, y)
    for x in (X[0], X[0][:, None]):
        said = rf"^X of shape \({len(x)}, 1(, 1)?\) reads as 10 series of one step each .*"
        said += r"a single series of 10 steps\? Pass it as a batch of one, X\.reshape\(1, -1, 1\)"
        with pytest.warns(LengthWarning, match=said + r".*10 of 10 series of X are shorter"):
            assert est.predict(x).shape == (10,)
    with pytest.warns(LengthWarning) as caught:  # series of some steps: the plain warning
        est.predict(X[:, :3])
    assert str(caught[0].message).startswith("24 of 24 series of X are shorter")


def test_the_regressor_says_so_too():
    X, _ = _data(3)
    reg = RNNRegressor(**QUICK).fit(X, np.arange(len(X), dtype=float))
    with pytest.raises(ValueError, match=ONE_SERIES):
        reg.predict(X[0])
    with pytest.raises(ValueError, match=ONE_SERIES):
        reg.predict(X[0, :, 0])


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_score_names_y_and_sample_weight_of_another_length(Estimator):
    """Before: scikit-learn's "Found input variables with inconsistent numbers of samples:
    [24, 24, 3]", naming neither argument (the classifier's y too: "[5, 24]")."""
    X, y = _data()
    if Estimator is RNNRegressor:
        y = np.arange(len(X), dtype=float)
    est = Estimator(**QUICK).fit(X, y)
    with pytest.raises(ValueError, match=r"^sample_weight must be \(24,\), one weight per series"):
        est.score(X, y, sample_weight=np.ones(3))
    with pytest.raises(
        ValueError, match=r"^X and y have inconsistent numbers of samples: X has 24, y has 5"
    ):
        est.score(X, y[:5])
    assert est.score(X, y, sample_weight=np.ones(len(X))) == est.score(X, y)


def test_a_1d_x_keeps_scikit_learns_words():
    """scikit-learn's check_fit2d_predict1d looks for "Reshape your data"."""
    X, y = _data()
    clf = RNNClassifier(**QUICK).fit(X, y)
    with pytest.raises(ValueError, match=r"\. Reshape your data: a single series of T values\?"):
        clf.predict(X[0])


def test_an_empty_list_is_not_taken_for_one_series():
    with pytest.raises(ValueError, match=r"got an array of shape \(0,\)\. It holds no series\.$"):
        RNNClassifier(**QUICK).fit([], [])


def test_a_regressor_fitted_on_one_series_says_so():
    """Before: "y is constant (... over 1 sample(s))" alone."""
    X, _ = _data()
    with pytest.raises(ValueError, match=r"targets that vary \(a single series: fit at least 2\)$"):
        RNNRegressor(**QUICK).fit(X[:1], [1.5])


def test_a_dask_x_is_scored_with_the_same_words(text_model):
    da = pytest.importorskip("dask.array")
    clf, X = text_model
    dX = da.from_array(X, chunks=(8, X.shape[1]))
    with pytest.raises(ValueError, match=r"number labels never equal text classes"):
        clf.score(dX, np.arange(len(X)))
    with pytest.raises(ValueError, match=r"^X and y have inconsistent numbers of samples"):
        clf.score(dX, ["a"] * 5)
    with pytest.warns(UserWarning, match=r"not fitted on: 'zz'"):
        clf.score(dX, ["zz"] + ["a"] * (len(X) - 1))
