"""Crops of few training series (windows of their own run): the ridge's
leave-one-group-out, and the choice."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir import ReservoirClassifier, ridge_loo


def _problem(n=9, extra=2, p=14, K=3, seed=0):
    """F (N, p), Y (N, K), weights (N,), groups (N,): n series, each with ``extra`` rows."""
    rng = np.random.default_rng(seed)
    groups = np.concatenate([np.arange(n), np.repeat(np.arange(n), extra)])
    base = rng.normal(size=(n, p))
    F = base[groups] + 0.3 * rng.normal(size=(len(groups), p))  # a group's rows alike
    Y = rng.normal(size=(n, K))[groups]
    w = rng.uniform(0.5, 2.0, size=n)[groups]
    return F, Y, w, groups


def _refit(F, Y, w, groups, others, alpha, omega):
    """(n, K): each series predicted by the ridge refitted without it and its rows."""
    d = np.ones(F.shape[1]) if others is None else np.where(others, omega, 1.0)
    n = int(groups.max()) + 1
    out = np.empty((n, Y.shape[1]))
    for g in range(n):
        keep = groups != g
        fit = ridge_loo(F[keep], Y[keep], [alpha], w[keep], others=others, weights=(omega,))
        out[g] = fit.predict(F[g : g + 1] * d)[0]
    return out


@pytest.mark.parametrize("p", [14, 5])  # the dual form (N ≤ p) and the primal (N > p)
@pytest.mark.parametrize("omega", [1.0, 0.5])
@pytest.mark.parametrize("alpha", [1e-3, 0.7, 30.0])
def test_grouped_leave_one_out_is_refitting_without_each_series_and_its_rows(p, omega, alpha):
    F, Y, w, groups = _problem(p=p)
    others = np.arange(p) % 3 != 0
    fit = ridge_loo(F, Y, [alpha], w, others=others, weights=(omega,), groups=groups)
    brute = _refit(F, Y, w, groups, others, alpha, omega)
    assert fit.loo.shape == brute.shape
    assert np.allclose(fit.loo, brute, rtol=1e-10, atol=1e-10 * np.abs(brute).max())
    n = len(brute)  # the error is the series' own, weighted, over the n series
    expected = (w[:n, None] * (Y[:n] - brute) ** 2).sum() / w[:n].sum()
    assert fit.loo_error[0] == pytest.approx(expected, rel=1e-10)


def test_grouped_leave_one_out_chooses_omega_and_alpha_as_refitting_would():
    F, Y, w, groups = _problem(n=8, extra=1, p=20, seed=1)
    others = np.arange(20) % 2 == 0
    omegas, alphas = (1.0, 0.5, 2.0), [1e-3, 0.1, 10.0]
    fit = ridge_loo(F, Y, alphas, w, others=others, weights=omegas, groups=groups)
    n = 8
    errors = {
        (o, a): float(
            (w[:n, None] * (Y[:n] - _refit(F, Y, w, groups, others, a, o)) ** 2).sum() / w[:n].sum()
        )
        for o in omegas
        for a in alphas
    }
    best = min(errors, key=errors.get)
    assert (fit.weight, fit.alpha) == best
    at = [errors[(fit.weight, a)] for a in alphas]
    assert np.allclose(fit.loo_error, at, rtol=1e-10)
    assert np.allclose(fit.loo, _refit(F, Y, w, groups, others, best[1], best[0]), rtol=1e-9)


def test_the_alphas_batched_or_one_at_a_time_give_the_same_fit(monkeypatch):
    """``ridge.GROUPED_VALUES`` bounds how many α the grouped leave-one-out solves at once
    (every α for the crops' few series, one at a time where the rows are many)."""
    from frnn.reservoir import ridge

    F, Y, w, groups = _problem(n=8, extra=2, p=20, seed=2)
    alphas = np.logspace(-3, 3, 7)
    batched = ridge_loo(F, Y, alphas, w, groups=groups)
    monkeypatch.setattr(ridge, "GROUPED_VALUES", 1)
    single = ridge_loo(F, Y, alphas, w, groups=groups)
    monkeypatch.setattr(ridge, "GROUPED_VALUES", 3 * F.shape[0] * F.shape[0])  # 3 α at once
    thirds = ridge_loo(F, Y, alphas, w, groups=groups)
    for fit in (single, thirds):
        assert fit.alpha == batched.alpha and fit.loo_error.shape == (7,)
        assert np.allclose(fit.loo_error, batched.loo_error, rtol=1e-12)
        assert np.allclose(fit.loo, batched.loo, rtol=1e-12)


def test_constant_features_leave_no_spectrum_and_no_error():
    """Features that do not vary (series at 1e-300 scale, as Hypothesis found) leave no
    eigenvalue above round-off: r = 0, the grouped leave-one-out then the mean's."""
    _, Y, w, groups = _problem(n=6, extra=1)
    fit = ridge_loo(np.zeros((len(groups), 5)), Y, [0.1, 10.0], w, groups=groups)
    assert fit.loo.shape == (6, Y.shape[1]) and np.all(np.isfinite(fit.loo_error))


def test_groups_of_one_row_are_the_plain_leave_one_out():
    F, Y, w, _ = _problem(n=12, extra=0)
    plain = ridge_loo(F, Y, [0.01, 1.0], w)
    grouped = ridge_loo(F, Y, [0.01, 1.0], w, groups=np.arange(12))
    assert np.allclose(grouped.loo, plain.loo, rtol=1e-10)
    assert np.allclose(grouped.loo_error, plain.loo_error, rtol=1e-10)


@pytest.mark.parametrize(
    "groups", [np.array([1, 0, 0, 1]), np.array([0, 1, 0, 5]), np.array([0.0, 1, 0, 1]), [0, 1]]
)
def test_bad_groups_are_named(groups):
    F, Y, _, _ = _problem(n=2, extra=1)
    with pytest.raises(ValueError, match="groups must be"):
        ridge_loo(F, Y, [1.0], groups=groups)


# ---- the classifier's crops ----------------------------------------------------------


def _shapes(n, seed, D=1, ragged=False):
    """Few series with a bump (class 0) or a dip (class 1) at a random place: a shape
    anywhere in the series, where crops help (benchmarks/results/reservoir_classifier.md)."""
    rng = np.random.default_rng(seed)
    X, y = [], np.arange(n) % 2
    for label in y:
        T = int(rng.integers(40, 70)) if ragged else 60
        x = 0.3 * rng.normal(size=(T, D))
        at = int(rng.integers(0, T - 10))
        x[at : at + 10] += (1.0 if label == 0 else -1.0) * np.hanning(10)[:, None]
        X.append(x)
    return (X if ragged else np.stack(X)), y


def _no_crops(monkeypatch):
    from frnn.reservoir import readout

    monkeypatch.setattr(readout, "CROP_MAX_SERIES", 0)


def test_crops_are_kept_by_their_leave_one_out(monkeypatch):
    from frnn import RNNClassifier

    X, y = _shapes(20, 0)
    X_new = _shapes(40, 1)[0]
    first = RNNClassifier(random_state=3).fit(X, y)
    again = RNNClassifier(random_state=3).fit(X, y)
    assert first.reservoir_.cropped_
    assert np.array_equal(first.predict_proba(X_new), again.predict_proba(X_new))
    kept = first.reservoir_.readout_.loo_error.min()
    _no_crops(monkeypatch)
    plain = RNNClassifier(random_state=3).fit(X, y)
    assert not plain.reservoir_.cropped_
    assert kept < plain.reservoir_.readout_.loo_error.min()  # like with like: the series'
    assert first.reservoir_.loo_.shape == plain.reservoir_.loo_.shape == (20, 2)
    assert not np.array_equal(first.decision_function(X_new), plain.decision_function(X_new))


def test_beyond_crop_max_series_the_fit_is_the_plain_one(monkeypatch):
    from frnn.reservoir import readout

    X, y = _shapes(12, 2)
    monkeypatch.setattr(readout, "CROP_MAX_SERIES", 11)
    beyond = ReservoirClassifier(random_state=0, n_reservoirs=8).fit(X, y)
    _no_crops(monkeypatch)
    plain = ReservoirClassifier(random_state=0, n_reservoirs=8).fit(X, y)
    assert not beyond.model_.cropped_
    assert np.array_equal(beyond.decision_function(X), plain.decision_function(X))


def test_crops_of_ragged_multichannel_series_fit_and_survive_save_and_load(tmp_path):
    import frnn
    from frnn import RNNClassifier

    X, y = _shapes(16, 4, D=3, ragged=True)
    model = RNNClassifier(random_state=0).fit(X, y)
    assert model.reservoir_.cropped_
    frnn.save(model, tmp_path / "m.frnn")
    loaded = frnn.load(tmp_path / "m.frnn")
    X_new = _shapes(10, 5, D=3, ragged=True)[0]
    assert np.array_equal(loaded.predict_proba(X_new), model.predict_proba(X_new))


def test_crops_are_the_windows_of_the_series_own_run(monkeypatch):
    """The read-out's rows: each series' features, and its crop's, the statistics of the
    same run over the steps that read its last 95% (``transform(suffix=)``), one pass."""
    from frnn.reservoir import ReservoirFeatures, crops, readout

    assert crops.widths(np.array([20, 3, 2, 1, 100])).tolist() == [19, 3, 2, 1, 95]
    X, y = _shapes(10, 7, ragged=True)
    seen = []
    monkeypatch.setattr(readout, "with_crops", lambda *a: seen.append(a) or crops.with_crops(*a))
    clf = ReservoirClassifier(random_state=0, n_reservoirs=4, units=8).fit(X, y)
    F, windows = seen[0][:2]
    features = ReservoirFeatures(random_state=0, n_reservoirs=4, units=8).fit(X)
    lengths = np.array([len(x) for x in X])
    want = features.transform(X, suffix=np.round(0.95 * lengths).astype(int))
    np.testing.assert_array_equal(F, want[0])
    np.testing.assert_array_equal(windows, want[1])
    assert clf.model_.features_.transform(X).tobytes() == F.tobytes()


def test_crops_reach_fifty_training_series_and_no_more():
    """The library's own bound (no monkeypatch): 50 series cropped, 51 not (§19, §20, §26)."""
    from frnn.reservoir import crops

    assert crops.CROP_MAX_SERIES == 50
    X, y = _shapes(50, 1)
    assert ReservoirClassifier(random_state=0, n_reservoirs=8).fit(X, y).model_.cropped_
    X, y = _shapes(51, 1)
    assert not ReservoirClassifier(random_state=0, n_reservoirs=8).fit(X, y).model_.cropped_


def test_crops_false_fits_the_series_alone(monkeypatch):
    """ReservoirClassifier(crops=False): the fit of the read-out without crops, bit for bit."""
    X, y = _shapes(20, 4)
    off = ReservoirClassifier(random_state=0, n_reservoirs=8, crops=False).fit(X, y)
    on = ReservoirClassifier(random_state=0, n_reservoirs=8).fit(X, y)
    _no_crops(monkeypatch)
    plain = ReservoirClassifier(random_state=0, n_reservoirs=8).fit(X, y)
    assert on.model_.cropped_ and not off.model_.cropped_
    assert np.array_equal(off.decision_function(X), plain.decision_function(X))


def _fitted_arrays(clf) -> dict:
    model = clf.model_
    return {"mean": model.mean_, "scale": model.scale_, "coef": model.readout_.coef,
            "intercept": model.readout_.intercept, "loo": model.loo_,
            "temperature": np.array(model.temperature_)}  # fmt: skip


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize(("n", "cropped"), [(12, True), (51, False)])
def test_the_callback_counts_each_reservoir_once_and_leaves_the_fit_unchanged(n, cropped, n_jobs):
    """With crops (at most 50 series) or without, the callback counts each reservoir once
    (the crops come from the series' own pass), so that done reaches total as the fit's
    last features are computed and never passes it (in order, with threads too); the fit
    is the one without a callback, bit for bit."""
    X, y = _shapes(n, 5)
    seen = []
    params = {"random_state": 0, "n_reservoirs": 4, "units": 8, "n_jobs": n_jobs}
    counted = ReservoirClassifier(**params).fit(X, y, callback=lambda *a: seen.append(a))
    assert counted.model_.cropped_ == cropped  # the crops were tried and kept
    assert seen == [(done, 4) for done in range(1, 5)]
    plain = ReservoirClassifier(**params).fit(X, y)
    for name, value in _fitted_arrays(plain).items():
        np.testing.assert_array_equal(_fitted_arrays(counted)[name], value, err_msg=name)


def test_cropping_states_the_rule_of_the_crops():
    """``ReservoirReadout.cropping(n, sums)``: the crops are tried with the crops on, at
    most ``CROP_MAX_SERIES`` series, and no sums kept (``partial_fit``'s fit)."""
    from frnn.reservoir import ReservoirFeatures, ReservoirReadout
    from frnn.reservoir.crops import CROP_MAX_SERIES

    on = ReservoirReadout(ReservoirFeatures(), crops=True)
    off = ReservoirReadout(ReservoirFeatures(), crops=False)
    assert on.cropping(CROP_MAX_SERIES) and on.cropping(2)
    assert not on.cropping(CROP_MAX_SERIES + 1)
    assert not on.cropping(CROP_MAX_SERIES, sums=True)
    assert not off.cropping(2)
