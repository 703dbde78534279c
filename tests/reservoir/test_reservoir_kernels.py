"""The compiled reservoir loop (frnn.reservoir.kernels) against the plain path (run, pool)."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir import ReservoirFeatures, core, draw_reservoir, kernels  # noqa: F401
from frnn.reservoir.core import STATISTICS, pool, run, windows

SMALL = dict(n_reservoirs=4, units=8, n_thresholds=2)


def _reservoir(rng, D, window, units=6, k=3, recurrence="gaussian"):
    res = draw_reservoir(rng, D, units, window, "x", 1.5, 0.9, True, recurrence)
    res.theta = rng.normal(0.0, 1.0, (units, k))
    return res


def _series(rng, D=2):
    x = rng.standard_normal((4, 23, D))  # (n, T, D)
    lengths = np.array([23, 17, 5, 1])
    for i, L in enumerate(lengths):
        x[i, L:] = 0.0
    return x, lengths


def _plain(res, x, lengths, statistics):
    u, steps = windows(x, lengths, res)
    A, S = run(res, u, steps)
    return pool(A, S, steps, res.theta, statistics, res.b)


@pytest.mark.parametrize("window", [(1, 1, 1), (3, 2, 2), (4, 1, 4), (5, 3, 1), (2, 9, 1)])
@pytest.mark.parametrize("recurrence", ["gaussian", "orthogonal"])
@pytest.mark.parametrize("units", [6, 7])  # rows of S in pairs, and one left over
def test_compiled_features_match_the_plain_path_in_float64(window, recurrence, units):
    rng = np.random.default_rng(0)
    x, lengths = _series(rng)
    res = _reservoir(rng, 2, window, units=units, recurrence=recurrence)
    for statistics in (STATISTICS, ("ppv", "mean"), ("last",)):
        got = core._compiled_features(kernels, res, x, lengths, statistics)
        np.testing.assert_allclose(got, _plain(res, x, lengths, statistics), rtol=0, atol=1e-12)


@pytest.mark.parametrize("window", [(1, 1, 1), (5, 3, 1), (4, 1, 4)])
def test_compiled_features_match_the_plain_path_in_float32(window):
    rng = np.random.default_rng(1)
    x, lengths = _series(rng, D=3)
    res = _reservoir(rng, 3, window, units=16, k=4)
    got = core.features(res, x.astype(np.float32), lengths, STATISTICS)
    assert got.dtype == np.float32
    want = _plain(res, x.astype(np.float32), lengths, STATISTICS)  # the engine in float32
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-6)
    np.testing.assert_allclose(got, _plain(res, x, lengths, STATISTICS), rtol=0, atol=1e-5)


def test_ppv_counts_s_strictly_above_theta():
    # W = 0 and R = 0 leave s(t) = b at every step: a threshold equal to b counts no step.
    rng = np.random.default_rng(2)
    res = _reservoir(rng, 1, (3, 1, 1), units=4, k=3)
    res.W[:], res.R[:] = 0.0, 0.0
    res.b = np.array([0.5, -0.25, 0.0, 1.0])
    res.theta = np.stack([res.b, res.b - 1e-3, res.b + 1e-3], axis=1)  # (I, k): =, below, above
    x, lengths = rng.standard_normal((2, 9, 1)), np.array([9, 4])
    want = np.tile([0.0, 1.0, 0.0], (2, 4))  # (n, I·k), unit-major
    for dtype in (np.float32, np.float64):
        got = core._compiled_features(kernels, res, x.astype(dtype), lengths, ("ppv",))
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(_plain(res, x.astype(dtype), lengths, ("ppv",)), want)


def test_ppv_counts_past_int16s_steps_are_exact():
    # The loop counts in int16 and adds into int32 every kernels.FLUSH steps: a series of
    # 2.5 FLUSH steps with s above θ at every one (θ = −2 < tanh's range and |b| small)
    # counts all of them, and a threshold above every s counts none.
    rng = np.random.default_rng(9)
    res = _reservoir(rng, 1, (1, 1, 1), units=3, k=2)
    res.W *= 0.1
    res.b[:] = 0.0
    res.theta = np.tile([-2.0, 2.0], (3, 1))  # (I, k): every step above, none
    T = kernels.FLUSH * 5 // 2
    x = rng.uniform(-1.0, 1.0, (2, T, 1)).astype(np.float32)
    lengths = np.array([T, kernels.FLUSH + 1])
    x[1, lengths[1] :] = 0.0
    got = core._compiled_features(kernels, res, x, lengths, ("ppv", "mean"))
    np.testing.assert_array_equal(got[:, :6], np.tile([1.0, 0.0], (2, 3)))
    np.testing.assert_allclose(got, _plain(res, x, lengths, ("ppv", "mean")), rtol=0, atol=1e-6)


@pytest.mark.parametrize("units", [6, 8, 19])  # R's terms eight a pass, and those left
def test_compiled_pre_activations_match_run(units):
    rng = np.random.default_rng(3)
    x, lengths = _series(rng)
    res = _reservoir(rng, 2, (3, 2, 2), units=units)
    S, steps = core.pre_activations(res, x.astype(np.float32), lengths)
    u, want_steps = windows(x, lengths, res)
    np.testing.assert_array_equal(steps, want_steps)
    np.testing.assert_allclose(S, run(res, u, want_steps)[1], rtol=0, atol=1e-5)
    S64 = core._compiled_pre_activations(kernels, res, x, lengths)
    np.testing.assert_allclose(S64, run(res, u, want_steps)[1], rtol=0, atol=1e-13)


def test_without_numba_float32_features_take_the_plain_path(monkeypatch):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 40, 2))
    compiled = ReservoirFeatures(random_state=0, **SMALL).fit(X).transform(X)
    monkeypatch.setattr(core, "compiled", lambda: None)
    plain = ReservoirFeatures(random_state=0, **SMALL).fit(X).transform(X)
    assert compiled.dtype == plain.dtype == np.float64
    np.testing.assert_allclose(compiled, plain, rtol=0, atol=1e-5)


def test_float64_features_take_the_plain_path(monkeypatch):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((5, 30))
    before = ReservoirFeatures(random_state=0, dtype="float64", **SMALL).fit(X).transform(X)
    monkeypatch.setattr(core, "_compiled_features", None)  # called, it would raise
    monkeypatch.setattr(core, "_compiled_pre_activations", None)
    after = ReservoirFeatures(random_state=0, dtype="float64", **SMALL).fit(X).transform(X)
    np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("units", [1, 2, 7, 32])
def test_orthogonal_recurrence_puts_every_eigenvalue_on_the_ring(units):
    rng = np.random.default_rng(6)
    res = draw_reservoir(rng, 1, units, (5, 1, 1), "x", 1.0, 0.8, True, "orthogonal")
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(res.R)), 0.8, rtol=1e-10)
    np.testing.assert_allclose(res.R @ res.R.T, 0.64 * np.eye(units), atol=1e-12)


def test_a_series_features_do_not_depend_on_the_series_beside_it():
    rng = np.random.default_rng(7)
    X = [rng.standard_normal((int(T), 2)) for T in rng.integers(3, 30, 150)]  # two blocks
    features = ReservoirFeatures(random_state=0, **SMALL).fit(X)
    F = features.transform(X)
    for i in (0, 5, 77, 128, 149):
        assert features.transform([X[i]]).tobytes() == F[i : i + 1].tobytes()
    shuffled = rng.permutation(len(X))
    assert features.transform([X[i] for i in shuffled]).tobytes() == F[shuffled].tobytes()


def test_level_reservoirs_read_the_level_the_others_do_not():
    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 80)
    X = rng.standard_normal((80, 20, 2)) + 3.0 * y[:, None, None]  # the level is the class
    X_test, y_test = X[:40] + 0.0, y[:40]
    kw = dict(random_state=0, n_reservoirs=8, units=8)
    level = ReservoirFeatures(level_fraction=0.5, **kw).fit(X[40:])
    channels = [res.channel for res in level.reservoirs_]
    assert channels == ["x"] * 4 + ["level"] * 4
    for res in level.reservoirs_[4:]:  # weights over the taps need not sum to zero
        assert np.abs(res.W.reshape(8, 5, 2).sum(axis=1)).min() > 1e-6
    np.testing.assert_allclose(level.level_mean_, X[40:].mean(axis=(0, 1)))
    from frnn.reservoir import ReservoirClassifier

    for fraction, low, high in ((0.0, 0.0, 0.75), (0.5, 0.95, 1.0)):  # the reservoirs alone
        clf = ReservoirClassifier(level_fraction=fraction, neighbour_weight=0.0, **kw)
        clf.fit(X[40:], y[40:])
        assert low <= clf.score(X_test, y_test) <= high


def test_ramp_is_the_states_trend_over_each_series():
    # r(t) = (2t + 1)/steps − 1 runs from −1 to 1: a(t) = r(t) gives Σ r² / steps, a
    # constant a(t) gives 0; padded steps count for nothing.
    steps = np.array([4, 3])
    r = [(2 * np.arange(n) + 1) / n - 1 for n in steps]  # [−.75 −.25 .25 .75], [−2/3 0 2/3]
    A = np.zeros((2, 4, 2))
    A[0, :, 0], A[1, :3, 0] = r
    A[:, :, 1] = 0.7
    A[1, 3, 1] = 0.0  # padding is zero
    got = pool(A, A, steps, np.zeros((2, 1)), ("ramp",))
    want = [[np.mean(r[0] ** 2), 0.0], [np.mean(r[1] ** 2), 0.0]]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
