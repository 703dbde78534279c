"""RNNRegressor on forecasting windows: α chosen leaving each window's overlapping neighbours
out with it (``loo_gap_``), read from X; independent series fitted as before."""

from __future__ import annotations

import numpy as np
import pytest

import frnn
from frnn.data import time_split, windows
from frnn.regressor.task import Regression

SMALL = dict(n_reservoirs=4, hidden_size=8, random_state=0)


def _series(T=400, seed=0):
    t = np.arange(T)
    rng = np.random.default_rng(seed)
    waves = np.sin(2 * np.pi * t / 17) + 0.5 * np.sin(2 * np.pi * t / 5.3)
    return waves + 0.2 * rng.standard_normal(T)


@pytest.mark.parametrize(("stride", "horizon"), [(1, 1), (1, 12), (3, 1), (3, 12)])
def test_windows_are_told_and_their_neighbours_left_out(stride, horizon):
    X, Y = windows(_series(), 24, horizon, stride=stride)
    model = frnn.RNNRegressor(**SMALL).fit(X, Y)
    assert model.loo_gap_ == (24 + horizon - 1) // stride
    assert model.reservoir_.readout_.gap == model.loo_gap_


@pytest.mark.parametrize("T", [400, 800])
def test_a_time_split_fold_of_windows_is_told_too(T):
    """Each fold's windows are told; where they are few (57 of them) the gap is lowered so
    that every fit keeps half of them (ridge.tiles)."""
    X, Y = windows(_series(T), 24, 12)
    for train, _ in time_split(3, window=24, horizon=12).split(X):
        model = frnn.RNNRegressor(**SMALL).fit(X[train], Y[train])
        assert model.loo_gap_ == min(35, (len(train) - 2) // 5) > 0


def test_a_fit_on_windows_is_the_fit_with_the_gap_forced(monkeypatch):
    X, Y = windows(_series(), 24, 12)
    detected = frnn.RNNRegressor(**SMALL).fit(X, Y)
    monkeypatch.setattr(Regression, "loo_gap", lambda self, est, x, lengths, Y: 35)
    forced = frnn.RNNRegressor(**SMALL).fit(X.copy(), Y)
    assert forced.alpha_ == detected.alpha_ and forced.loo_gap_ == 35
    assert np.array_equal(forced.predict(X), detected.predict(X))
    monkeypatch.setattr(Regression, "loo_gap", lambda self, est, x, lengths, Y: 0)
    plain = frnn.RNNRegressor(**SMALL).fit(X, Y)
    assert plain.loo_gap_ == 0
    # plain leave-one-out, fooled by the neighbours, penalises less
    assert plain.alpha_ < detected.alpha_


def test_independent_series_keep_plain_leave_one_out():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 30)), rng.standard_normal(60)
    model = frnn.RNNRegressor(**SMALL).fit(X, y)
    assert model.loo_gap_ == 0 and model.reservoir_.readout_.gap == 0
    ragged = [rng.standard_normal(20 + i % 3) for i in range(30)]  # padded: never windows
    assert frnn.RNNRegressor(**SMALL).fit(ragged, rng.standard_normal(30)).loo_gap_ == 0


def test_loo_gap_is_a_reservoir_regressors_attribute_dropped_by_a_refit():
    X, Y = windows(_series(), 24)
    model = frnn.RNNRegressor(**SMALL).fit(X, Y)
    assert model.loo_gap_ == 24
    model.set_params(training="bptt", steps=2, n_ensemble=1).fit(X[:20], Y[:20])
    assert not hasattr(model, "loo_gap_")
    assert not hasattr(frnn.RNNClassifier(**SMALL).fit(X, Y > 0), "loo_gap_")


def test_partial_fit_chooses_its_alpha_on_the_first_chunk_as_fit_does():
    X, Y = windows(_series(), 24)
    model = frnn.RNNRegressor(**SMALL).partial_fit(X[:200], Y[:200])
    assert model.loo_gap_ == 24
    assert model.alpha_ == frnn.RNNRegressor(**SMALL).fit(X[:200], Y[:200]).alpha_
