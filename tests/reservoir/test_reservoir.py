"""The reservoir features, the leave-one-out ridge read-out and the reservoir classifier."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from frnn.data.synthetic import sign_symmetric_waves
from frnn.reservoir import (
    ReservoirClassifier,
    ReservoirFeatures,
    draw_reservoir,
    ridge,
    ridge_loo,
    run,
    windows,
)
from frnn.reservoir.classifier import softmax

SMALL = dict(n_reservoirs=4, units=8, n_thresholds=2)


def _sine_square(rng, n, T=120):
    """Sign-symmetric classes: sine vs square wave, random frequency, phase and sign."""
    return sign_symmetric_waves(n, rng, length=T, phases=7.0)


def _numpy_recurrence(res, u, steps):
    """s(t) = W u(t) + R a(t−1) + b, a(t) = tanh(s(t)), by a plain loop per series."""
    B, T, _ = u.shape
    A, S = np.zeros((B, T, len(res.b))), np.zeros((B, T, len(res.b)))
    for i in range(B):
        a = np.zeros(len(res.b))
        for t in range(steps[i]):
            s = res.W @ u[i, t] + res.R @ a + res.b
            a = np.tanh(s)
            A[i, t], S[i, t] = a, s
    return A, S


@pytest.mark.parametrize("window", [(1, 1, 1), (3, 2, 2), (4, 1, 4), (5, 3, 1)])
def test_states_through_the_engine_match_a_numpy_recurrence(window):
    rng = np.random.default_rng(0)
    res = draw_reservoir(rng, D=2, units=6, window=window, channel="x", scale=1.5, rho=0.9)
    x = rng.standard_normal((3, 23, 2))  # (B, T, D)
    lengths = np.array([23, 17, 5])
    x[1, 17:] = x[2, 5:] = 0.0
    u, steps = windows(x, lengths, res)
    A, S = run(res, u, steps)
    A_ref, S_ref = _numpy_recurrence(res, u, steps)
    np.testing.assert_allclose(A, A_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(S, S_ref, rtol=0, atol=1e-12)


def test_windows_read_the_dilated_samples():
    res = draw_reservoir(np.random.default_rng(0), 1, 2, (3, 2, 4), "x", 1.0, 0.5)
    x = np.arange(1.0, 11.0)[None, :, None]  # (1, 10, 1): samples 1..10
    u, steps = windows(x, np.array([10]), res)
    assert steps.tolist() == [3]  # ⌈10 / 4⌉
    np.testing.assert_array_equal(u[0], [[1, 3, 5], [5, 7, 9], [9, 0, 0]])  # zero past the end


def test_feature_shape_and_determinism():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((7, 50, 3))
    features = ReservoirFeatures(random_state=3, **SMALL).fit(X)
    F = features.transform(X)
    per_reservoir = 8 * (3 + 2)  # mean, max, ramp, and 2 PPV thresholds per unit
    assert F.shape == (7, 4 * per_reservoir)
    stats = ("mean", "max", "last", "ppv")
    every = ReservoirFeatures(random_state=3, statistics=stats, **SMALL).fit(X).transform(X)
    assert every.shape == (7, 4 * 8 * 5)
    assert F.shape == (7, 4 * per_reservoir)
    again = ReservoirFeatures(random_state=3, **SMALL).fit(X).transform(X)
    np.testing.assert_array_equal(F, again)
    other = ReservoirFeatures(random_state=4, **SMALL).fit(X).transform(X)
    assert not np.allclose(F, other)


def test_a_padded_series_has_the_features_of_the_series_alone():
    rng = np.random.default_rng(2)
    series = [rng.standard_normal(n) for n in (40, 25, 31)]
    features = ReservoirFeatures(random_state=0, **SMALL).fit(series)
    together = features.transform(series)  # padded to 40 inside
    alone = np.concatenate([features.transform([s, s]) for s in series])[::2]
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)


def test_ridge_leave_one_out_matches_refitting_without_each_series():
    rng = np.random.default_rng(3)
    for n, p in ((12, 30), (30, 5)):  # the dual (n ≤ p) and primal forms
        F, Y = rng.standard_normal((n, p)), rng.standard_normal((n, 2))
        w = rng.uniform(0.5, 2.0, n)
        fit = ridge_loo(F, Y, [0.1, 1.0, 10.0], sample_weight=w)
        for i in range(n):
            keep = np.arange(n) != i
            alone = ridge_loo(F[keep], Y[keep], [fit.alpha], sample_weight=w[keep])
            np.testing.assert_allclose(fit.loo[i], alone.predict(F[i : i + 1])[0], atol=1e-9)


def test_ridge_coefficients_solve_the_normal_equations():
    rng = np.random.default_rng(4)
    for n, p in ((10, 25), (40, 6)):
        F, Y = rng.standard_normal((n, p)), rng.standard_normal((n, 3))
        fit = ridge_loo(F, Y, [0.7])
        Fc, Yc = F - F.mean(0), Y - Y.mean(0)
        expected = np.linalg.solve(Fc.T @ Fc + 0.7 * np.eye(p), Fc.T @ Yc)
        np.testing.assert_allclose(fit.coef, expected, atol=1e-10)
        np.testing.assert_allclose(fit.intercept, Y.mean(0) - F.mean(0) @ expected, atol=1e-10)


def _plain_loo_error(F, Y, alpha, w):
    """Σ w_i ‖y_i − ŷ_(−i)‖² / Σ w by refitting without each series: the normal equations
    of the weighted ridge with an unpenalised intercept, solved in numpy."""
    n, p = F.shape
    total = 0.0
    for i in range(n):
        keep = np.arange(n) != i
        A = np.hstack([F[keep], np.ones((n - 1, 1))]) * np.sqrt(w[keep])[:, None]
        penalty = alpha * np.diag(np.r_[np.ones(p), 0.0])  # the intercept is not penalised
        beta = np.linalg.solve(A.T @ A + penalty, A.T @ (Y[keep] * np.sqrt(w[keep])[:, None]))
        total += w[i] * ((Y[i] - np.r_[F[i], 1.0] @ beta) ** 2).sum()
    return total / w.sum()


@pytest.mark.parametrize("n, p", [(14, 30), (30, 6)], ids=["dual", "primal"])
def test_weighted_block_ridge_is_the_ridge_on_weighted_columns(n, p):
    """``others`` times each ω: the chosen (ω, α) of least leave-one-out error, the fit
    that of the columns multiplied by ω, and the errors those of refitting by hand."""
    rng = np.random.default_rng(9)
    F, Y = rng.standard_normal((n, p)), rng.standard_normal((n, 2))
    F[:, : p // 3] *= 3.0  # a block on another scale: ω matters
    Y[:, 0] += F[:, 0] - F[:, -1]
    w = rng.uniform(0.5, 2.0, n)
    others, alphas, weights = np.arange(p) < p // 3, [0.3, 3.0, 30.0], (1.0, 0.25, 4.0)
    fit = ridge_loo(F, Y, alphas, sample_weight=w, others=others, weights=weights)
    errors = {
        (omega, a): _plain_loo_error(F * np.where(others, omega, 1.0), Y, a, w)
        for omega in weights
        for a in alphas
    }
    assert (fit.weight, fit.alpha) == min(errors, key=errors.get)
    assert fit.weight != 1.0  # the test chooses another ω than the plain ridge's
    want = [errors[fit.weight, a] for a in alphas]
    np.testing.assert_allclose(fit.loo_error, want, rtol=1e-9)
    D = np.where(others, fit.weight, 1.0)
    plain = ridge_loo(F * D, Y, [fit.alpha], sample_weight=w)
    np.testing.assert_allclose(fit.coef, plain.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fit.intercept, plain.intercept, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fit.loo, plain.loo, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n, p", [(14, 30), (30, 6)], ids=["dual", "primal"])
def test_a_single_weight_is_the_ridge_on_weighted_columns(n, p):
    """One ω (the columns scaled in place, one Gram matrix): the plain ridge on F · D_ω."""
    rng = np.random.default_rng(11)
    F, Y = rng.standard_normal((n, p)), rng.standard_normal((n, 2))
    w, others, alphas = rng.uniform(0.5, 2.0, n), np.arange(p) % 3 == 0, [0.3, 3.0, 30.0]
    F_before = F.copy()
    fit = ridge_loo(F, Y, alphas, sample_weight=w, others=others, weights=(0.25,))
    np.testing.assert_array_equal(F, F_before)  # the caller's F is not scaled
    plain = ridge_loo(F * np.where(others, 0.25, 1.0), Y, alphas, sample_weight=w)
    assert (fit.weight, fit.alpha) == (0.25, plain.alpha)
    for got, want in ((fit.coef, plain.coef), (fit.intercept, plain.intercept),
                      (fit.loo, plain.loo), (fit.loo_error, plain.loo_error)):  # fmt: skip
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("weights", [(1.0,), (0.5,), (1.0, 0.25, 4.0)])
def test_copy_false_centres_in_place_and_fits_the_same(weights):
    rng = np.random.default_rng(12)
    F, Y = rng.standard_normal((20, 30)), rng.standard_normal((20, 2))
    w, others = rng.uniform(0.5, 2.0, 20), np.arange(30) % 2 == 0
    fit = ridge_loo(F, Y, [0.3, 3.0], sample_weight=w, others=others, weights=weights)
    mine = F.copy()
    again = ridge_loo(mine, Y, [0.3, 3.0], sample_weight=w, others=others, weights=weights,
                      copy=False)  # fmt: skip
    assert not np.array_equal(mine, F)  # used as the centred, weighted features
    for field in ("coef", "intercept", "loo", "loo_error"):
        np.testing.assert_array_equal(getattr(again, field), getattr(fit, field))
    assert (again.alpha, again.weight) == (fit.alpha, fit.weight)


@pytest.mark.parametrize("n, p", [(40, 60), (60, 16)], ids=["dual", "primal"])
def test_beyond_omega_series_the_weight_is_chosen_on_a_subsample(n, p, monkeypatch):
    """More than OMEGA_SERIES series and features: ω is the one a seeded subsample of
    OMEGA_SERIES series chooses, α and the fit those of every series at that ω."""
    rng = np.random.default_rng(2)  # data on which the subsample and all choose apart
    F, Y = rng.standard_normal((n, p)), rng.standard_normal((n, 2))
    F[:, : p // 3] *= 3.0
    Y[:, 0] += F[:, 0] - F[:, -1]
    others, alphas, weights = np.arange(p) < p // 3, [0.3, 3.0, 30.0], (1.0, 0.25, 4.0)
    everyone = ridge_loo(F, Y, alphas, others=others, weights=weights)
    monkeypatch.setattr(ridge, "OMEGA_SERIES", 12)
    fit = ridge_loo(F, Y, alphas, others=others, weights=weights)
    pick = np.sort(np.random.default_rng(0).choice(n, 12, replace=False))
    chosen = ridge_loo(F[pick], Y[pick], alphas, others=others, weights=weights).weight
    assert fit.weight == chosen != everyone.weight
    at_omega = ridge_loo(F, Y, alphas, others=others, weights=(chosen,))
    assert fit.alpha == at_omega.alpha
    np.testing.assert_allclose(fit.coef, at_omega.coef, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fit.loo, at_omega.loo, rtol=1e-12, atol=1e-14)
    again = ridge_loo(F, Y, alphas, others=others, weights=weights)  # the same draw again
    np.testing.assert_array_equal(fit.coef, again.coef)


def test_the_weight_of_600_series_is_chosen_on_500_of_them(monkeypatch):
    """The limit itself, 500: 600 series and features are beyond it, so ω is that of a
    seeded 500 of them, not the one every series chooses (as at a limit of 600)."""
    rng = np.random.default_rng(3)  # data on which 500 of the 600 and all choose apart
    n, p = 600, 620
    F, Y = rng.standard_normal((n, p)), rng.standard_normal((n, 1))
    Y[:, 0] += 0.3 * F[:, :5].sum(1) + 0.3 * F[:, -5:].sum(1)
    others, alphas, weights = np.arange(p) < p // 2, [3.0, 30.0, 300.0], (1.0, 0.7, 1.4)
    fit = ridge_loo(F, Y, alphas, others=others, weights=weights)
    pick = np.sort(np.random.default_rng(0).choice(n, 500, replace=False))
    chosen = ridge_loo(F[pick], Y[pick], alphas, others=others, weights=weights).weight
    monkeypatch.setattr(ridge, "OMEGA_SERIES", n)
    everyone = ridge_loo(F, Y, alphas, others=others, weights=weights).weight
    assert fit.weight == chosen != everyone


def test_the_classifier_folds_the_weight_into_the_scaling():
    X, y = _sine_square(np.random.default_rng(10), 40)
    clf = ReservoirClassifier(random_state=0, neighbour_weight=0.0, **SMALL).fit(X, y)
    model = clf.model_
    plain = ReservoirClassifier(
        random_state=0, neighbour_weight=0.0, statistics_weights=(1.0,), **SMALL
    ).fit(X, y)
    ppv = model.features_.columns("ppv")
    assert ppv.sum() == 4 * 8 * 2 and plain.model_.readout_.weight == 1.0
    omega = model.readout_.weight
    assert omega != 1.0  # ω chosen by leave-one-out: 2 here
    np.testing.assert_allclose(model.scale_[ppv], plain.model_.scale_[ppv], rtol=0)
    np.testing.assert_allclose(model.scale_[~ppv] * omega, plain.model_.scale_[~ppv], rtol=1e-12)
    F = model.features_.transform(X)
    z = (F - model.mean_) / model.scale_ @ model.readout_.coef + model.readout_.intercept
    np.testing.assert_allclose(model.predict(X), z, rtol=1e-12)


@pytest.mark.slow
def test_sign_symmetric_sine_vs_square_generalises():
    rng = np.random.default_rng(5)
    X, y = _sine_square(rng, 120)
    X_test, y_test = _sine_square(rng, 200)
    clf = ReservoirClassifier(random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.9


def test_classifier_api_many_classes_and_probabilities():
    rng = np.random.default_rng(6)
    y = np.repeat(np.array(["a", "b", "c", "d"]), 8)
    t = np.arange(60)
    period = {"a": 6, "b": 10, "c": 15, "d": 25}
    X = [
        np.sin(2 * np.pi * t[: 40 + i % 20] / period[c] + rng.uniform(0, 6))
        for i, c in enumerate(y)
    ]
    clf = ReservoirClassifier(random_state=0, **SMALL).fit(X, y)
    P = clf.predict_proba(X)
    assert P.shape == (32, 4)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    assert clf.decision_function(X).shape == (32, 4)
    assert set(clf.predict(X)) <= set(y)
    assert clf.classes_[P.argmax(axis=1)].tolist() == clf.predict(X).tolist()
    assert clf.temperature_ > 0 and clf.alpha_ > 0


def test_two_classes_decision_and_balanced_weights():
    rng = np.random.default_rng(7)
    X, y = _sine_square(rng, 40)
    y = np.where(y == 1, "square", "sine")
    clf = ReservoirClassifier(random_state=0, class_weight="balanced", **SMALL).fit(X, y)
    z = clf.decision_function(X)
    assert z.shape == (40,)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(z > 0).astype(int)])
    np.testing.assert_allclose(softmax(np.c_[-z, z] / 2, 1.0).sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros((4, 10)), [0, 0, 0, 0], "two classes"),
        (np.zeros((4, 10)), [0, 1, 0], "labels"),
        (np.full((4, 10), np.nan), [0, 1, 0, 1], "NaN"),
    ],
)
def test_bad_input_is_named(X, y, match):
    with pytest.raises(ValueError, match=match):
        ReservoirClassifier(**SMALL).fit(X, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_an_unfitted_classifier_says_so(method):
    """Before: AttributeError ('no attribute classes_' / 'model_'), not scikit-learn's
    NotFittedError, which pipelines and searches catch."""
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="ReservoirClassifier instance is not fitted"):
        getattr(ReservoirClassifier(**SMALL), method)(np.zeros((2, 10)))


def test_transform_refuses_other_channels():
    features = ReservoirFeatures(random_state=0, **SMALL).fit(np.zeros((3, 20, 2)))
    with pytest.raises(ValueError, match="channels"):
        features.transform(np.zeros((3, 20, 3)))


def test_threads_compute_the_same_features():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((6, 30))
    one = ReservoirFeatures(random_state=0, **SMALL).fit(X).transform(X)
    features = ReservoirFeatures(random_state=0, n_jobs=2, **SMALL)
    np.testing.assert_array_equal(features.fit(X).transform(X), one)


def test_fixed_temperature_and_single_sample_series():
    X = [np.array([0.5]), np.array([1.0, -1.0]), np.array([2.0]), np.array([0.0, 3.0, 1.0])]
    clf = ReservoirClassifier(random_state=0, temperature=2.0, **SMALL).fit(X, [0, 1, 0, 1])
    assert clf.temperature_ == 2.0
    assert clf.predict_proba(X).shape == (4, 2)


def test_many_classes_with_two_series_each_fit_without_warnings():
    rng = np.random.default_rng(9)
    y = np.repeat(np.arange(10), 2)  # as PigCVP: more classes than half the series
    X = rng.standard_normal((20, 30)) + y[:, None]
    clf = ReservoirClassifier(random_state=0, **SMALL).fit(X, y)  # warnings are errors here
    assert clf.predict_proba(X).shape == (20, 10)


@pytest.mark.slow
def test_regressor_learns_the_frequency_of_a_wave():
    from frnn import RNNRegressor

    rng = np.random.default_rng(10)

    def waves(n):
        period = rng.uniform(5, 30, n)
        t = np.arange(150)
        X = np.sin(2 * np.pi * t / period[:, None] + rng.uniform(0, 7, (n, 1)))
        return X + 0.1 * rng.standard_normal(X.shape), period

    X, y = waves(150)
    X_test, y_test = waves(100)
    reg = RNNRegressor(random_state=0).fit(X, y)
    assert reg.predict(X_test).shape == (100,)
    assert reg.score(X_test, y_test) >= 0.9  # R²
    two = RNNRegressor(random_state=0, n_reservoirs=8).fit(X, np.c_[y, -y])
    assert two.predict(X_test).shape == (100, 2)


@pytest.mark.parametrize(
    ("setting", "match"),
    [
        ({"n_reservoirs": 0}, "n_reservoirs"),
        ({"units": 2.5}, "units"),
        ({"max_steps": -1}, "max_steps"),
        ({"window": "conv"}, "window"),
        ({"statistics": ("mean", "median")}, "statistics"),
        ({"statistics": ()}, "statistics"),
        ({"scales": (2.0, 1.0)}, "scales"),
        ({"rho": (0.5, 1.2)}, "rho"),
        ({"max_frame_fraction": 0}, "max_frame_fraction"),
        ({"level_fraction": 1.5}, "level_fraction"),
        ({"level_fraction": True}, "level_fraction"),
        ({"recurrence": "unitary"}, "recurrence"),
        ({"dtype": "float16"}, "dtype"),
        ({"class_weight": "auto"}, "class_weight"),
        ({"statistics_weights": ()}, "statistics_weights"),
        ({"statistics_weights": (1.0, -2.0)}, "statistics_weights"),
        ({"statistics_weights": "auto"}, "statistics_weights"),
        ({"crops": "yes"}, "crops"),
        ({"crops": 1}, "crops"),
    ],
)
def test_bad_parameters_are_named(setting, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ReservoirClassifier(**setting).fit(np.zeros((4, 10)), [0, 1, 0, 1])


def test_reservoir_classifier_reads_the_layout_it_is_told():
    # it had no data_format, while its LayoutWarning told the user to pass one
    from frnn import LayoutWarning, RNNClassifier
    from frnn.reservoir import ReservoirClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3, 50))  # aeon's (n_cases, n_channels, n_timepoints)
    y = np.arange(20) % 2
    X[y == 1, 1] += 1.0
    kw = {"n_reservoirs": 2, "random_state": 0}
    first = ReservoirClassifier(data_format="channels_first", **kw).fit(X, y)
    frnns = ReservoirClassifier(**kw).fit(X.transpose(0, 2, 1), y)
    np.testing.assert_array_equal(
        first.decision_function(X), frnns.decision_function(X.transpose(0, 2, 1))
    )
    np.testing.assert_array_equal(first.predict_proba(X), frnns.predict_proba(X.transpose(0, 2, 1)))
    np.testing.assert_array_equal(first.predict(X), frnns.predict(X.transpose(0, 2, 1)))
    np.testing.assert_array_equal(  # the estimator's reservoir mode reads it alike
        RNNClassifier(data_format="channels_first", **kw).fit(X, y).decision_function(X),
        first.decision_function(X),
    )
    with pytest.warns(LayoutWarning, match="data_format='channels_first'"):
        ReservoirClassifier(**kw).fit(X, y)
    ReservoirClassifier(data_format="channels_last", **kw).fit(X, y)  # stated: no warning
    with pytest.raises(ValueError, match="data_format must be one of"):
        ReservoirClassifier(data_format="nchw", **kw).fit(X, y)


def _refused(X, y):
    """A refit that fails at the labels, and one that fails in the callback mid-fit."""

    def interrupted(done, total):
        if done == 2:
            raise KeyboardInterrupt

    yield lambda clf: clf.fit(X, np.full(len(X), 7)), ValueError  # one class
    yield lambda clf: clf.fit(X, y, callback=interrupted), KeyboardInterrupt


def test_a_refused_refit_leaves_the_previous_fit_whole():
    rng = np.random.default_rng(0)
    X, y = _sine_square(rng, 24, T=40)
    clf = ReservoirClassifier(**SMALL, random_state=0).fit(X, y)
    before = {k: pickle.dumps(v) for k, v in vars(clf).items()}
    z = clf.decision_function(X)
    X2, y2 = X[:, :30] * 3.0, np.where(y == y[0], "a", "b")  # other lengths, classes, scale
    for refit, error in _refused(X2, y2):
        with pytest.raises(error):
            refit(clf)
        assert {k: pickle.dumps(v) for k, v in vars(clf).items()} == before
        np.testing.assert_array_equal(clf.decision_function(X), z)
