"""The classifiers on the labels a practitioner's arrays really hold: any kind of label comes
back as given, and labels that are not classes are refused naming y (without a warning from
scikit-learn's casts first)."""

from __future__ import annotations

import numpy as np
import pytest

from frnn import RNNClassifier
from frnn.reservoir import ReservoirClassifier

CLASSIFIERS = {
    "reservoir": lambda: RNNClassifier(n_reservoirs=2, random_state=0),
    "bptt": lambda: RNNClassifier(
        training="bptt", steps=5, n_ensemble=1, hidden_size=4, random_state=0
    ),
    "ReservoirClassifier": lambda: ReservoirClassifier(n_reservoirs=2, random_state=0),
}


def _series(n=12, T=16, seed=0):
    rng = np.random.default_rng(seed)
    codes = np.arange(n) % 2
    X = rng.standard_normal((n, T)) + 2.0 * codes[:, None] * np.sin(np.arange(T))
    return X, codes


LABELS = {
    "text": np.array(["sine", "square"]),
    "negative ints": np.array([-7, -3]),
    "integral floats": np.array([1.0, 2.0]),
    "bools": np.array([False, True]),
    "text objects": np.array(["a", "b"], dtype=object),
}


@pytest.mark.parametrize("kind", CLASSIFIERS)
@pytest.mark.parametrize("labels", LABELS.values(), ids=LABELS.keys())
def test_labels_of_any_kind_come_back_as_given(kind, labels):
    X, codes = _series()
    y = labels[codes]
    clf = CLASSIFIERS[kind]().fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.unique(y))
    predicted = clf.predict(X)
    assert predicted.dtype == clf.classes_.dtype and set(predicted) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


BAD_LABELS = [
    (np.r_[np.nan, np.ones(11)], "Input y contains NaN"),
    (np.r_[np.inf, np.arange(11.0) % 2], "Input y contains infinity"),
    (np.array([1, "a"] * 6, dtype=object), "all numbers or all text; got int, str"),
    (np.array([1, None] * 6, dtype=object), r"missing labels \(None or NaN\); found 6"),
    (np.array([np.nan, "a"] * 6, dtype=object), r"missing labels \(None or NaN\); found 6"),
    (np.array([(1, 2), "a"] * 6 + [None], dtype=object)[:-1], "got str, tuple"),  # (n,) of tuples
]


@pytest.mark.parametrize("kind", CLASSIFIERS)
@pytest.mark.parametrize(("y", "match"), BAD_LABELS, ids=[m for _, m in BAD_LABELS])
def test_labels_that_are_not_classes_are_named(kind, y, match):
    """Before: a NaN label made ReservoirClassifier warn (numpy's cast to int) before the
    error; mixed labels got scikit-learn's 'Unknown label type: unknown. Maybe you are
    trying to fit a classifier ... on a regression target'."""
    X, _ = _series()
    with pytest.raises(ValueError, match=match):
        CLASSIFIERS[kind]().fit(X, y)
