"""Targets in the forms scikit-learn's own estimators take, read as they read them.

- A column-vector y (n, 1) of labels: every classifier (RNNClassifier in both modes,
  ReservoirClassifier) ravels it with scikit-learn's DataConversionWarning, as
  LogisticRegression does, and fits what y (n,) fits (ReservoirClassifier refused it).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression

import frnn
from frnn.reservoir import ReservoirClassifier

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 10, 1))  # (n, T, D)
LABELS = np.arange(12) % 3

CLASSIFIERS = {
    "RNNClassifier": lambda: frnn.RNNClassifier(n_reservoirs=2, hidden_size=4, random_state=0),
    "RNNClassifier bptt": lambda: frnn.RNNClassifier(
        training="bptt", hidden_size=3, n_ensemble=1, steps=3, random_state=0
    ),
    "ReservoirClassifier": lambda: ReservoirClassifier(n_reservoirs=2, units=4, random_state=0),
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
