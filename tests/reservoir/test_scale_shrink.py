"""The features' scaling where a class has a single training series: each feature's
variance pulled towards the median of all (frnn.reservoir.sums.feature_scaling)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import frnn
from frnn.reservoir import ReservoirClassifier, readout
from frnn.reservoir.classifier import SINGLE_SERIES_SHRINK, scale_shrink
from frnn.reservoir.sums import feature_scaling

SMALL = dict(n_reservoirs=3, units=6, n_thresholds=2)


def test_shrink_pulls_each_variance_towards_the_median_as_k_more_series():
    rng = np.random.default_rng(0)
    F = rng.normal(0.0, [0.1, 1.0, 2.0, 5.0], (3, 4))  # (n, p)
    mean, scale = feature_scaling(F, 2.0)
    var = F.var(axis=0)
    np.testing.assert_allclose(scale**2, (3 * var + 2 * np.median(var)) / 5, rtol=1e-14)
    np.testing.assert_array_equal(mean, F.mean(axis=0))
    plain = feature_scaling(F)
    assert plain[1].tobytes() == F.std(axis=0).tobytes()  # no shrink: as before, bit for bit
    assert feature_scaling(F, 0.0)[1].tobytes() == plain[1].tobytes()


def test_two_series_no_longer_weigh_every_feature_alike():
    # From two series every feature's spread is half their difference: plain scaling makes
    # every scaled feature ±1, a hair's difference weighed as a large one.
    F = np.array([[0.0, 0.0, 0.0], [1e-3, 1.0, 10.0]])
    _, plain = feature_scaling(F)
    assert np.allclose(np.abs((F - F.mean(axis=0)) / plain), 1.0)
    _, pulled = feature_scaling(F, SINGLE_SERIES_SHRINK)
    assert np.ptp(np.abs((F - F.mean(axis=0)) / pulled)[1]) > 1.0  # sizes kept apart


@pytest.mark.parametrize(
    ("y_index", "want"), [([0, 1, 1], SINGLE_SERIES_SHRINK), ([0, 0, 1, 1], 0.0), ([0, 1], 2.0)]
)
def test_shrink_applies_where_a_class_has_a_single_series(y_index, want):
    assert scale_shrink(np.array(y_index), 2) == want


def _spy(monkeypatch):
    seen = []

    def scaling(F, shrink=0.0):
        seen.append(shrink)
        return feature_scaling(F, shrink)

    monkeypatch.setattr(readout, "feature_scaling", scaling)
    return seen


@pytest.mark.parametrize("per_class", [1, 2])
def test_both_classifiers_pass_the_shrink_to_the_readout(monkeypatch, per_class):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3 * per_class, 30))
    y = np.repeat([0, 1, 2], per_class)
    want = SINGLE_SERIES_SHRINK if per_class == 1 else 0.0
    seen = _spy(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", frnn.reservoir.LeaveOneOutWarning)
        ReservoirClassifier(random_state=0, crops=False, **SMALL).fit(X, y)
        frnn.RNNClassifier(random_state=0, n_reservoirs=3, hidden_size=6).fit(X, y)
    assert seen == [want, want]


def test_the_regressor_and_partial_fit_keep_the_plain_scaling(monkeypatch):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 30))
    seen = _spy(monkeypatch)
    frnn.RNNRegressor(random_state=0, n_reservoirs=3, hidden_size=6).fit(X, rng.normal(size=4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", frnn.reservoir.LeaveOneOutWarning)
        model = frnn.RNNClassifier(random_state=0, n_reservoirs=3, hidden_size=6)
        model.partial_fit(X[:3], [0, 1, 1], classes=[0, 1])
    assert seen == [0.0, 0.0]


@pytest.mark.parametrize("shrink", [-1.0, float("nan"), float("inf"), "2", True])
def test_a_shrink_that_is_not_a_finite_number_at_least_zero_is_refused(shrink):
    model = readout.ReservoirReadout(frnn.reservoir.ReservoirFeatures(**SMALL))
    X, Y = np.zeros((2, 10)), np.array([[1.0, -1.0], [-1.0, 1.0]])
    with pytest.raises(ValueError, match="shrink must be a finite number >= 0; got"):
        model.fit(X, Y, shrink=shrink)
