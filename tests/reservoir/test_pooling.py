"""The reservoirs' pooled statistics against a plain numpy statement of their definition
(issue 24), ties included.

Over the real steps t < T_i of series i, per unit u (and threshold θ_uj):

    mean = Σ_t a_t,u / T_i      max = max_t a_t,u      last = a_{T_i−1},u
    ppv  = #{t : s_t,u > θ_uj} / T_i                 (strictly greater: a tie does not count)

A constant stretch of a series drives a reservoir to a fixed point, where s(t) repeats
exactly; a threshold there lands on s itself, and ≥ for > would count every step of it.
"""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir import ReservoirFeatures, draw_reservoir, run, windows
from frnn.reservoir.core import STATISTICS, pool


def _definition(A, S, steps, theta, statistics) -> np.ndarray:
    """The statistics by their definition, one series, unit and threshold at a time."""
    B, _, I = A.shape
    rows = []
    for i in range(B):
        T = steps[i]
        row = []
        for name in statistics:
            for u in range(I):
                a = A[i, :T, u]
                if name == "mean":
                    row.append(sum(a) / T)
                elif name == "max":
                    row.append(max(a))
                elif name == "last":
                    row.append(a[T - 1])
                else:
                    row += [sum(1 for s in S[i, :T, u] if s > th) / T for th in theta[u]]
        rows.append(row)
    return np.array(rows)


def _states(x, lengths, seed=0, units=5, window=(3, 2, 1), rho=0.9):
    rng = np.random.default_rng(seed)
    res = draw_reservoir(rng, x.shape[2], units, window, "x", scale=1.0, rho=rho)
    u, steps = windows(x, lengths, res)
    A, S = run(res, u, steps)
    return A, S, steps


def _with_constant_stretch(rng, n=4, T=140):
    x = rng.standard_normal((n, T, 1))
    x[:, 10:130] = 0.7  # 120 equal samples: the states settle on a fixed point
    return x


@pytest.mark.parametrize("statistics", [STATISTICS, ("ppv",), ("max", "mean")])
def test_pool_is_its_definition_on_padded_series(statistics):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 30, 2))
    lengths = np.array([30, 21, 9, 1])
    for i, length in enumerate(lengths):
        x[i, length:] = 0.0
    A, S, steps = _states(x, lengths)
    theta = rng.standard_normal((A.shape[2], 3))
    got = pool(A, S, steps, theta, statistics)
    np.testing.assert_allclose(got, _definition(A, S, steps, theta, statistics), rtol=0, atol=1e-14)


def test_a_fixed_point_makes_ties_and_a_tie_does_not_count():
    x = _with_constant_stretch(np.random.default_rng(2))
    A, S, steps = _states(x, np.full(len(x), x.shape[1]), window=(1, 1, 1), rho=0.5)
    # the stretch's last steps repeat s exactly: the fixed point, or on some CPUs a cycle
    # between neighbouring floats (how tanh rounds there); the ties are counted below
    theta = np.stack([S[0, 129], S[1, 129]], axis=1)  # (I, 2): thresholds exactly on s
    got = pool(A, S, steps, theta, ("ppv",))
    np.testing.assert_array_equal(got, _definition(A, S, steps, theta, ("ppv",)))
    ties = (S[0] == theta[:, 0]).sum(axis=0)  # (I,) steps of series 0 on θ_·0
    assert ties.min() >= 10  # the test has ties to count (or not)
    at_least = (S[0] >= theta[:, 0]).sum(axis=0) / steps[0]  # what ≥ would give
    assert (got[0].reshape(-1, 2)[:, 0] < at_least).all()


def test_the_features_of_a_constant_stretch_are_their_definition():
    """End to end: ReservoirFeatures' PPV, max and mean on series with a fixed point."""
    rng = np.random.default_rng(3)
    x = _with_constant_stretch(rng, n=6)
    features = ReservoirFeatures(
        n_reservoirs=3, units=4, n_thresholds=2, statistics=("mean", "max", "ppv"),
        normalise=False, max_steps=None, rho=(0.3, 0.5), max_frame_fraction=0.05,
        random_state=0,
    ).fit(x)  # fmt: skip
    ties = 0
    for res in features.reservoirs_:  # θ exactly on a fixed-point value of series 0
        u, steps = windows(x, np.full(6, 140), res)
        _, S = run(res, u, steps)
        res.theta[:, 0] = S[0, 125 // res.stride]
        ties += int((S[0] == res.theta[:, 0]).sum())
    assert ties >= 10  # steps on θ, which ≥ for > would count
    got = features.transform(x)
    expected = []
    for res in features.reservoirs_:
        u, steps = windows(x, np.full(6, 140), res)
        A, S = run(res, u, steps)
        expected.append(_definition(A, S, steps, res.theta, features.statistics))
    np.testing.assert_allclose(got, np.concatenate(expected, axis=1), rtol=0, atol=1e-14)
