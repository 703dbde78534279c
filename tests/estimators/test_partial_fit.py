"""partial_fit (reservoir mode): chunks of series accumulated into the read-out's sums.

The first chunk fixes the reservoirs (θ drawn from its series), α and τ (and the
regressor's standardisation); with those fixed, the model after the last chunk is one fit
on all the chunks.  The reference here is built from the public pieces: the partial fit's
own ReservoirFeatures run over every series at once, feature_scaling, and ridge_loo at the
fixed α.
"""

from __future__ import annotations

import numpy as np
import pytest

import frnn
from frnn.data.inputs import standardisation
from frnn.reservoir.readout import feature_scaling
from frnn.reservoir.ridge import ridge_loo
from helpers import three_waves

SMALL = dict(n_reservoirs=4, hidden_size=8, random_state=1)


def _rel(a, b):
    return float(np.abs(a - b).max() / np.abs(a).max())


def _reference(model, X, targets, weights=None):
    """z (n, K) of series X from the read-out one fit on all the chunks makes, the partial
    fit's features, α fixed."""
    features = model.reservoir_.features_
    F = features.transform(X)  # (n, p)
    mean, scale = feature_scaling(F)
    ridge = ridge_loo((F - mean) / scale, targets, [model.alpha_], weights)
    return lambda X_new: ((features.transform(X_new) - mean) / scale) @ ridge.coef + ridge.intercept


def test_one_call_is_fit(monkeypatch):
    X, y = three_waves(90)
    once = frnn.RNNClassifier(**SMALL).partial_fit(X, y, classes=[0, 1, 2])
    assert once.reservoir_.readout_.weight == 1.0  # the sums weigh every statistic alike
    monkeypatch.setattr(frnn.classifier.task, "STATISTICS_WEIGHTS", (1.0,))  # so does fit then
    fit = frnn.RNNClassifier(**SMALL).fit(X, y)
    np.testing.assert_array_equal(once.decision_function(X), fit.decision_function(X))
    assert once.reservoir_.temperature_ == fit.reservoir_.temperature_
    reg = frnn.RNNRegressor(**SMALL)
    np.testing.assert_array_equal(
        reg.partial_fit(X, X[:, -1]).predict(X),
        frnn.RNNRegressor(**SMALL).fit(X, X[:, -1]).predict(X),
    )


def test_the_classifier_after_the_last_chunk_is_one_fit_on_all_chunks():
    X, y = three_waves(360)
    weight = {0: 1.0, 1: 2.5, 2: 0.5}
    clf = frnn.RNNClassifier(**SMALL, class_weight=weight)
    for start in range(0, 360, 90):
        clf.partial_fit(X[start : start + 90], y[start : start + 90], classes=[0, 1, 2])
    assert clf.reservoir_.sums_.n == 360
    targets = 2.0 * np.eye(3)[y] - 1.0
    z = _reference(clf, X, targets, np.array([weight[c] for c in y]))
    X_test, y_test = three_waves(200, seed=1)
    assert _rel(z(X_test), clf.decision_function(X_test)) < 1e-8
    np.testing.assert_array_equal(z(X_test).argmax(axis=1), clf.predict(X_test))
    assert clf.score(X_test, y_test) > 0.9


def test_the_regressor_after_the_last_chunk_is_one_fit_on_all_chunks():
    X, _ = three_waves(300, D=2)
    X = 4.0 + 2.0 * X
    Y = np.column_stack([X[:, -5:, 0].mean(axis=1), 10.0 * X[:, :, 1].std(axis=1)])
    reg = frnn.RNNRegressor(**SMALL)
    for start in range(0, 300, 100):
        reg.partial_fit(X[start : start + 100], Y[start : start + 100])
    # The level reservoirs read the series standardised as the first chunk was
    assert reg.reservoir_.features_.level_fraction > 0
    first = standardisation(X[:100], np.full(100, 40))
    np.testing.assert_array_equal(reg.reservoir_.features_.level_mean_, first[0])
    z = _reference(reg, X, (Y - reg.y_mean_) / reg.y_scale_)
    X_test, _ = three_waves(100, D=2, seed=2)
    X_test = 4.0 + 2.0 * X_test
    expected = z(X_test)
    assert _rel(expected * reg.y_scale_ + reg.y_mean_, reg.predict(X_test)) < 1e-8


def test_a_refused_chunk_leaves_the_model_as_it_was():
    X, y = three_waves(120)
    clf = frnn.RNNClassifier(**SMALL).partial_fit(X[:60], y[:60], classes=[0, 1, 2])
    z = clf.decision_function(X)
    bad = X[60:].copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.partial_fit(bad, y[60:])
    unknown = r"the labels 7 are not among the model's classes \[0, 1, 2\]; it can only be trai"
    with pytest.raises(ValueError, match=unknown):  # was "... only be evaluated on those"
        clf.partial_fit(X[60:], np.where(y[60:] == 2, 7, y[60:]))
    with pytest.raises(ValueError, match="expecting 40 features"):
        clf.partial_fit(X[60:, :30], y[60:])
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        clf.partial_fit(X[60:], y[60:], classes=[0, 1])
    np.testing.assert_array_equal(clf.decision_function(X), z)
    assert clf.reservoir_.sums_.n == 60


def test_what_partial_fit_refuses():
    X, y = three_waves(30)
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        frnn.RNNClassifier(**SMALL).partial_fit(X, y)
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        frnn.RNNClassifier(**SMALL, class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(frnn.RNNClassifier(training="bptt"), "partial_fit")
    assert not hasattr(frnn.RNNRegressor(training="bptt"), "partial_fit")
    with pytest.raises(ValueError, match=r"y has 2 output\(s\); the training targets have 1$"):
        reg = frnn.RNNRegressor(**SMALL).partial_fit(X, y)
        reg.partial_fit(X, np.column_stack([y, y]))


ANEW = r"^partial_fit on a fitted RNN(Classifier|Regressor) starts anew: fit and frnn.load keep"


def test_after_fit_partial_fit_starts_anew_with_the_fits_classes_and_says_so_once():
    """Before: the fitted model was replaced without a word (documented in the docstrings
    alone).  Now a UserWarning, on the call that replaces it; the calls after it add to its
    sums, silently, as partial_fit from the first chunk on does."""
    X, y = three_waves(120)
    clf = frnn.RNNClassifier(**SMALL).fit(X, y)
    with pytest.warns(UserWarning, match=ANEW):
        clf.partial_fit(X[:40], y[:40])
    clf.partial_fit(X[40:80], y[40:80])  # no warning: filterwarnings = error
    again = frnn.RNNClassifier(**SMALL).partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    again.partial_fit(X[40:80], y[40:80])
    np.testing.assert_array_equal(clf.decision_function(X), again.decision_function(X))
    with pytest.raises(ValueError, match=r"the labels 3 are not among the model's classes"):
        clf.partial_fit(X[80:], np.where(y[80:] == 2, 3, y[80:]))  # a new class: refused
    reg = frnn.RNNRegressor(**SMALL).fit(X, X[:, -1])
    with pytest.warns(UserWarning, match=ANEW):
        reg.partial_fit(X[:40], X[:40, -1])
    reg.partial_fit(X[40:80], X[40:80, -1])
    chunks = frnn.RNNRegressor(**SMALL).partial_fit(X[:40], X[:40, -1])
    chunks.partial_fit(X[40:80], X[40:80, -1])
    np.testing.assert_array_equal(reg.predict(X), chunks.predict(X))


def test_a_chunk_refused_after_fit_leaves_the_fit_and_warns_of_nothing():
    X, y = three_waves(40)
    clf = frnn.RNNClassifier(**SMALL).fit(X, y)
    z = clf.decision_function(X)
    bad = X.copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):  # no warning first
        clf.partial_fit(bad, y)
    np.testing.assert_array_equal(clf.decision_function(X), z)


def test_bptt_has_no_partial_fit_and_the_traceback_says_what_to_use():
    """scikit-learn's AttributeError names the attribute alone; its cause says why."""
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as caught:
        frnn.RNNRegressor(training="bptt").partial_fit  # noqa: B018
    assert "fit_stream (batches as they come) or by fit's resume_state" in str(
        caught.value.__cause__
    )


def test_a_saved_partial_fit_loads_as_its_model_and_a_loaded_one_starts_anew(tmp_path):
    X, y = three_waves(120)
    clf = frnn.RNNClassifier(**SMALL)
    for start in (0, 40, 80):
        clf.partial_fit(X[start : start + 40], y[start : start + 40], classes=[0, 1, 2])
    frnn.save(clf, tmp_path / "partial.npz")  # the model, not the sums (format 4, strict)
    loaded = frnn.load(tmp_path / "partial.npz")
    np.testing.assert_array_equal(loaded.decision_function(X), clf.decision_function(X))
    with pytest.warns(UserWarning, match=ANEW):  # no sums kept: a first call, its classes
        loaded.partial_fit(X[:40], y[:40])
    anew = frnn.RNNClassifier(**SMALL).partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    np.testing.assert_array_equal(loaded.decision_function(X), anew.decision_function(X))


def test_reservoir_parameters_changed_after_fit_are_refused_where_they_would_mislead(tmp_path):
    """Before: set_params(hidden_size=16) after fit saved a file that load refused as
    damaged ("the reservoirs' ['units'] disagree"), and partial_fit after
    set_params(n_reservoirs=3) went on with the 2 reservoirs fitted, get_params saying 3.
    n_jobs, threads, changes no model: it is taken as set."""
    X, y = three_waves(40)
    clf = frnn.RNNClassifier(**SMALL).fit(X, y)
    clf.set_params(hidden_size=16)
    with pytest.raises(ValueError, match=r"^RNNClassifier cannot be saved: hidden_size=16 set "):
        frnn.save(clf, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    clf.set_params(hidden_size=8, n_jobs=2)
    frnn.save(clf, tmp_path / "m.npz")
    assert frnn.load(tmp_path / "m.npz").n_jobs == 2
    chunks = frnn.RNNClassifier(**SMALL).partial_fit(X[:20], y[:20], classes=[0, 1, 2])
    before = chunks.decision_function(X)
    with pytest.raises(ValueError, match=r"cannot take more chunks: n_reservoirs=3 set after"):
        chunks.set_params(n_reservoirs=3).partial_fit(X[20:], y[20:])
    np.testing.assert_array_equal(chunks.decision_function(X), before)
