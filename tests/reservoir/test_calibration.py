"""The temperature's log-loss: computed for every τ at once, the same bits as one τ at a time."""

import numpy as np
import pytest
from scipy.special import log_softmax

from frnn.reservoir import calibration
from frnn.reservoir.calibration import TEMPERATURES, softmax, temperature_losses


def one_at_a_time(z, y_index, sample_weight=None):
    """The definition: softmax(τ z) for each τ in turn, floored at 1e-300."""
    rows = np.arange(len(y_index))
    w = 1.0 if sample_weight is None else sample_weight
    return np.array(
        [(w * -np.log(np.clip(softmax(z, t)[rows, y_index], 1e-300, None))).sum()
         for t in TEMPERATURES]
    )  # fmt: skip


SHAPES = [(1, 2, 1.0), (50, 2, 1.0), (333, 7, 30.0), (2000, 24, 0.01)]  # n, K, spread of z


@pytest.mark.parametrize("n, K, spread", SHAPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_every_temperature_at_once_gives_the_same_bits(n, K, spread, weighted, monkeypatch):
    rng = np.random.default_rng(n + K)
    z = spread * rng.standard_normal((n, K))
    y = rng.integers(0, K, n)
    w = rng.random(n) if weighted else None
    expected = one_at_a_time(z, y, w)
    assert np.array_equal(temperature_losses(z, y, w), expected)
    monkeypatch.setattr(calibration, "_BLOCK", 3 * z.size)  # blocks of 3 τ, the last short
    assert np.array_equal(temperature_losses(z, y, w), expected)


def test_the_loss_is_the_log_loss_and_a_confident_error_costs_at_most_691():
    z = np.array([[0.0, 1.0], [2.0, -1.0], [0.0, 1e6]])
    y = np.array([1, 0, 0])
    losses = temperature_losses(z, y)
    exact = -log_softmax(TEMPERATURES[:, None, None] * z, axis=2)[:, np.arange(3), y]
    np.testing.assert_allclose(losses, np.minimum(exact, -np.log(1e-300)).sum(axis=1), rtol=1e-12)
