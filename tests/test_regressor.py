"""RNNRegressor: scikit-learn's estimator checks, targets, sequence targets, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import frnn
from frnn.data.synthetic import adding
from frnn.regressor import RNNRegressor

# Small and quick: the checks fit dozens of times on tiny data.
QUICK_RESERVOIR = dict(n_reservoirs=3, units=8)
QUICK_BPTT = dict(training="bptt", hidden_size=8, epochs=60, n_ensemble=1)


@parametrize_with_checks([RNNRegressor(**QUICK_RESERVOIR), RNNRegressor(**QUICK_BPTT)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
