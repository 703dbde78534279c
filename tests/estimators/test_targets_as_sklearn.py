"""Targets in the forms scikit-learn's own estimators take, read as they read them.

- A column-vector y (n, 1) of labels: every classifier (RNNClassifier in both modes,
  ReservoirClassifier) ravels it with scikit-learn's DataConversionWarning, as
  LogisticRegression does, and fits what y (n,) fits (ReservoirClassifier refused it).
- y given as strings of numbers: RNNRegressor (both modes; fit, partial_fit, score)
  reads them as the numbers, as Ridge does; a string that is no number is refused naming y.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression, Ridge

import frnn
from frnn.reservoir import ReservoirClassifier

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 10, 1))  # (n, T, D)
LABELS = np.arange(12) % 3
VALUES = np.round(RNG.standard_normal(12), 3)  # exact as text: str(v) reads back as v

CLASSIFIERS = {
    "RNNClassifier": lambda: frnn.RNNClassifier(n_reservoirs=2, hidden_size=4, random_state=0),
    "RNNClassifier bptt": lambda: frnn.RNNClassifier(
        training="bptt", hidden_size=3, n_ensemble=1, steps=3, random_state=0
    ),
    "ReservoirClassifier": lambda: ReservoirClassifier(n_reservoirs=2, units=4, random_state=0),
}
REGRESSORS = {
    "reservoir": lambda: frnn.RNNRegressor(n_reservoirs=2, hidden_size=4, random_state=0),
    "bptt": lambda: frnn.RNNRegressor(
        training="bptt", hidden_size=3, n_ensemble=1, steps=3, random_state=0
    ),
}


def test_scikit_learn_ravels_a_column_of_labels_with_a_warning():
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = LogisticRegression().fit(X[:, :, 0], LABELS[:, None])
    flat = LogisticRegression().fit(X[:, :, 0], LABELS)
    np.testing.assert_array_equal(column.coef_, flat.coef_)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_every_classifier_takes_a_column_of_labels_as_scikit_learn_does(name):
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = CLASSIFIERS[name]().fit(X, LABELS[:, None])
    flat = CLASSIFIERS[name]().fit(X, LABELS)
    np.testing.assert_array_equal(column.classes_, flat.classes_)
    np.testing.assert_array_equal(column.decision_function(X), flat.decision_function(X))


def test_reservoir_classifier_still_refuses_two_columns_naming_y():
    with pytest.raises(ValueError, match=r"y must be \(n,\) class labels.*\(12, 2\)"):
        CLASSIFIERS["ReservoirClassifier"]().fit(X, np.stack([LABELS, LABELS], axis=1))


def test_scikit_learn_regressors_read_strings_of_numbers_as_the_numbers():
    text = VALUES.astype(str)
    assert text.dtype.kind == "U"
    np.testing.assert_array_equal(
        Ridge().fit(X[:, :, 0], text).coef_, Ridge().fit(X[:, :, 0], VALUES).coef_
    )
    with pytest.raises(ValueError, match="could not convert string to float"):
        Ridge().fit(X[:, :, 0], np.array(["a", *text[1:]]))


@pytest.mark.parametrize("mode", REGRESSORS)
@pytest.mark.parametrize("form", ["array", "list", "bytes"])
def test_rnn_regressor_reads_strings_of_numbers_as_the_numbers(mode, form):
    text = {
        "array": VALUES.astype(str),
        "list": [str(v) for v in VALUES],
        "bytes": VALUES.astype(str).astype(bytes),
    }[form]
    from_text = REGRESSORS[mode]().fit(X, text)
    from_numbers = REGRESSORS[mode]().fit(X, VALUES)
    predicted = from_text.predict(X)
    assert predicted.dtype == np.float64
    np.testing.assert_array_equal(predicted, from_numbers.predict(X))
    assert from_text.score(X, text) == from_numbers.score(X, VALUES)


def test_rnn_regressor_partial_fit_reads_strings_of_numbers():
    text = VALUES.astype(str)
    chunks = REGRESSORS["reservoir"]().partial_fit(X[:6], text[:6]).partial_fit(X[6:], text[6:])
    numbers = (
        REGRESSORS["reservoir"]().partial_fit(X[:6], VALUES[:6]).partial_fit(X[6:], VALUES[6:])
    )
    np.testing.assert_array_equal(chunks.predict(X), numbers.predict(X))


@pytest.mark.parametrize("mode", REGRESSORS)
def test_a_string_that_is_no_number_is_refused_naming_y(mode):
    bad = np.array(["a", *VALUES[1:].astype(str)])
    message = r"^y must hold real numbers; could not convert it: could not convert string"
    with pytest.raises(ValueError, match=message):
        REGRESSORS[mode]().fit(X, bad)
    fitted = REGRESSORS[mode]().fit(X, VALUES)
    with pytest.raises(ValueError, match=message):
        fitted.score(X, bad)
