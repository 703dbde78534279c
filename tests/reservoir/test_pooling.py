"""The reservoirs' pooled statistics against a plain numpy statement of their definition
(issue 24), ties included.

Over the real steps t < T_i of series i, per unit u (and threshold θ_uj):

    mean = Σ_t a_t,u / T_i      max = max_t a_t,u      last = a_{T_i−1},u
    ppv  = #{t : s_t,u > θ_uj} / T_i                 (strictly greater: a tie does not count)
    ramp = Σ_t r_t a_t,u / T_i,  r_t = (2t + 1)/T_i − 1  (from −1 to 1: the states' trend)
    mpv  = mean of s_t,u − θ_uj over {t : s_t,u > θ_uj}, 0 if empty
    mipv = mean of (t + ½)/T_i over {t : s_t,u > θ_uj}, −1 if empty
    lspv = the longest run of consecutive t with s_t,u > θ_uj, / T_i
    wins = #{t : s_t,u = max of s_t,v over u's group of 8} / T_i  (losses: the min)

A constant stretch of a series drives a reservoir to a fixed point, where s(t) repeats
exactly; a threshold there lands on s itself, and ≥ for > would count every step of it.
The plain path (float64 states through the engine, then ``pool``) and the compiled loop
that pools float32 states as they run (``frnn.reservoir.kernels``) are both held to it.
"""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir import ReservoirFeatures, core, draw_reservoir, run, windows
from frnn.reservoir.core import STATISTICS, pool


def _definition(A, S, steps, theta, statistics, b=None) -> np.ndarray:
    """The statistics by their definition, one series, unit and threshold at a time (b the
    bias that wins and losses leave out of s)."""
    B, _, I = A.shape
    b = np.zeros(I) if b is None else b
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
                elif name == "ramp":
                    row.append(sum(((2 * t + 1) / T - 1) * float(a[t]) for t in range(T)) / T)
                elif name in ("wins", "losses"):
                    group = range(u - u % 8, min(u - u % 8 + 8, I))
                    pick = max if name == "wins" else min
                    drive = [[S[i, t, v] - b[v] for v in range(I)] for t in range(T)]
                    row.append(sum(drive[t][u] == pick(drive[t][v] for v in group)
                                   for t in range(T)) / T)  # fmt: skip
                else:
                    row += [_thresholded(list(S[i, :T, u]), th, name) for th in theta[u]]
        rows.append(row)
    return np.array(rows)


def _thresholded(s, th, name) -> float:
    """A thresholded statistic of one unit's s (a list over the real steps) at θ = th."""
    T, hits = len(s), [t for t in range(len(s)) if s[t] > th]
    if name == "ppv":
        return len(hits) / T
    if name == "mpv":
        return sum(s[t] - th for t in hits) / len(hits) if hits else 0.0
    if name == "mipv":
        return sum((t + 0.5) / T for t in hits) / len(hits) if hits else -1.0
    longest = run = 0  # lspv
    for t in range(T):
        run = run + 1 if s[t] > th else 0
        longest = max(longest, run)
    return longest / T


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


@pytest.mark.parametrize(
    "statistics", [STATISTICS, ("ppv",), ("max", "mean"), ("lspv", "wins", "mipv", "losses", "mpv")]
)
def test_pool_is_its_definition_on_padded_series(statistics):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 30, 2))
    lengths = np.array([30, 21, 9, 1])
    for i, length in enumerate(lengths):
        x[i, length:] = 0.0
    A, S, steps = _states(x, lengths, units=11)  # groups of 8 and 3 units
    theta = rng.standard_normal((A.shape[2], 3))
    theta[:, 2] = 50.0  # never exceeded: mpv 0, mipv −1, lspv 0
    b = rng.uniform(-1.0, 1.0, A.shape[2])  # wins and losses compare s − b
    got = pool(A, S, steps, theta, statistics, b)
    want = _definition(A, S, steps, theta, statistics, b)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)


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
        level_fraction=0.0, dtype="float64", random_state=0,
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
        expected.append(_definition(A, S, steps, res.theta, features.statistics, res.b))
    np.testing.assert_allclose(got, np.concatenate(expected, axis=1), rtol=0, atol=1e-14)


def test_the_compiled_loop_counts_a_tie_as_the_definition_does():
    """The float32 loop on a constant stretch: with R = 0 and one tap, s(t) = W u(t) + b is
    the same sum in the loop and in ``pre_activations`` (its zero terms add nothing), so s
    repeats exactly over the stretch and θ can be put on it."""
    rng = np.random.default_rng(4)
    x = _with_constant_stretch(rng).astype(np.float32)
    lengths = np.full(len(x), x.shape[1])
    res = draw_reservoir(rng, 1, 7, (1, 1, 1), "x", scale=1.0, rho=0.0)
    assert not res.R.any()
    S, steps = core.pre_activations(res, x, lengths)  # (n, T, I) float32, compiled
    A = np.tanh(S)  # (n, T, I) float32
    res.theta = np.stack([S[0, 125], S[1, 125]], axis=1).astype(np.float64)  # (I, 2) on s
    assert (S[0] == res.theta[:, 0].astype(np.float32)).sum(axis=0).min() >= 100  # ties
    got = core.features(res, x, lengths, STATISTICS)  # the compiled loop
    want = _definition(A, S, steps, res.theta.astype(np.float32), STATISTICS, res.b)
    ppv = slice(3 * 7, 3 * 7 + 7 * 2)  # mean, max, last, then I·k PPV proportions
    counts = (np.rint(v[:, ppv] * steps[:, None]) for v in (got, want))  # float32 shares
    np.testing.assert_array_equal(*counts)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)
