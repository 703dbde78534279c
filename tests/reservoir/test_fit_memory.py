"""The reservoir read-out's fit and predict hold the (n, p) features about once.

Each (n, p) temporary is fresh memory, a page fault a page: on a virtual machine that hands
freed memory back to its host (9 µs a 4 KiB page on the 2-core one these were measured on)
a copy of 3,000 series' features cost 0.6 s against 0.08 s of arithmetic.  The features'
variance is summed in blocks of rows (``sums.squared_deviations``), the scaling is done in
place where nothing reads the raw features again, and ``transform`` writes each reservoir's
columns into one array.  Before: fit and predict both peaked at 3.0 times the features.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from frnn import RNNClassifier
from frnn.reservoir import sums
from frnn.reservoir.pooling import n_features


def _peak(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_fit_and_predict_hold_the_features_about_once():
    rng = np.random.default_rng(0)
    n, T, R = 400, 30, 24  # above the crops' 30 series: the scaling may go in place
    X, y = rng.standard_normal((n, T)), rng.integers(0, 2, n)
    model = RNNClassifier(random_state=0, n_reservoirs=R).fit(X[:50], y[:50])  # compiled
    F = n * R * n_features(32, 4, ("mean", "max", "ppv", "ramp")) * 8  # bytes of (n, p)
    assert _peak(lambda: model.fit(X, y)) < 2.2 * F  # 1.67 now
    assert _peak(lambda: model.predict(X)) < 1.5 * F  # 1.05 now


def test_a_fit_with_crops_holds_no_temporaries_of_its_rows():
    """With crops (at most 50 series) the series' and the crops' rows, (2n, p), are scaled
    in place and the series' scaled copy is let go first: 9.4 times the series' features at
    the peak before, 6.5 now."""
    rng = np.random.default_rng(0)
    n, T, R = 30, 200, 24
    X, y = rng.standard_normal((n, T)), rng.integers(0, 2, n)
    model = RNNClassifier(random_state=0, n_reservoirs=R).fit(X, y)  # compiled
    F = n * R * n_features(32, 4, ("mean", "max", "ppv", "ramp")) * 8  # bytes of (n, p)
    assert model.reservoir_.cropping(n)  # the crops are tried
    assert _peak(lambda: model.fit(X, y)) < 7.5 * F


@pytest.mark.parametrize("shape", [(1, 3), (7, 5), (256, 4), (257, 9), (700, 33)])
def test_squared_deviations_are_numpys_bit_for_bit(shape):
    """Blocks of ``ROWS`` rows, each sum started from the sum so far: the same additions in
    the same order as numpy's, so fits are unchanged to the last bit."""
    rng = np.random.default_rng(shape[0])
    F = rng.standard_normal(shape) * 10 ** rng.uniform(-3, 3, shape[1]) + 5.0  # (n, p)
    mean = F.mean(axis=0)
    got = sums.squared_deviations(F, mean)
    assert got.tobytes() == ((F - mean) ** 2).sum(axis=0).tobytes()
    assert (got / len(F)).tobytes() == F.var(axis=0).tobytes()
    columns = np.asfortranarray(F)  # not C-ordered: numpy's own sum, the same values
    np.testing.assert_allclose(sums.squared_deviations(columns, mean), got, rtol=1e-13)


def test_feature_scaling_is_mean_and_std():
    rng = np.random.default_rng(1)
    F = rng.standard_normal((300, 6))
    F[:, 2] = 0.5  # constant: scale 1
    mean, scale = sums.feature_scaling(F)
    assert mean.tobytes() == F.mean(axis=0).tobytes()
    expected = F.std(axis=0)
    expected[2] = 1.0
    assert scale.tobytes() == expected.tobytes()
