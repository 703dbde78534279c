"""The default RNNClassifier (training="reservoir"): it generalises on synthetic tasks,
handles many classes and variable lengths, saves and loads bit for bit, and repeats itself
under a random_state.  Older model files (BPTT, written before this default) still load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import frnn
from frnn.data.synthetic import sign_symmetric_waves
from frnn.estimator import RNNClassifier

DATA = Path(__file__).parents[1] / "fixtures"


def _sine_square(rng, n, T=120):
    """Sign-symmetric classes: sine vs square wave, random frequency, phase and sign."""
    return sign_symmetric_waves(n, rng, length=T, phases=7.0)


def _many_classes(rng, n, K=8, T=100):
    """K classes: a bump at one of K positions in noise (position = class)."""
    y = rng.integers(0, K, n)
    t = np.arange(T)
    centre = (y[:, None] + 0.5) * T / K + rng.normal(0, 1.5, (n, 1))
    X = np.exp(-0.5 * ((t - centre) / 3.0) ** 2) * 3 + rng.standard_normal((n, T))
    return X, y


def _variable_length(rng, n):
    """Two classes by frequency (slow vs fast sine), lengths 30-150, two channels."""
    y = rng.integers(0, 2, n)
    series = []
    for label in y:
        T = int(rng.integers(30, 151))
        f = rng.uniform(1 / 25, 1 / 15) if label else rng.uniform(1 / 9, 1 / 6)
        t = np.arange(T)
        s = np.column_stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)])
        series.append(s + 0.3 * rng.standard_normal((T, 2)))
    return series, y


def test_the_default_is_the_reservoir():
    assert RNNClassifier().training == "reservoir"


@pytest.mark.slow
def test_default_generalises_on_sign_symmetric_sine_vs_square():
    rng = np.random.default_rng(0)
    X, y = _sine_square(rng, 60)
    X_test, y_test = _sine_square(rng, 200)
    clf = RNNClassifier(random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.9


@pytest.mark.slow
def test_default_on_many_classes_with_probabilities():
    rng = np.random.default_rng(1)
    X, y = _many_classes(rng, 160)
    X_test, y_test = _many_classes(rng, 160)
    clf = RNNClassifier(random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.8
    proba = clf.predict_proba(X_test)
    assert proba.shape == (160, 8)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    z = clf.decision_function(X_test)
    assert z.shape == (160, 8)
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[z.argmax(axis=1)])
    np.testing.assert_array_equal(proba.argmax(axis=1), z.argmax(axis=1))


@pytest.mark.slow
def test_default_on_variable_length_multichannel_lists():
    rng = np.random.default_rng(2)
    series, y = _variable_length(rng, 60)
    test, y_test = _variable_length(rng, 100)
    clf = RNNClassifier(n_jobs=2, random_state=0).fit(series, y)
    assert clf.n_features_in_ == 2
    assert clf.score(test, y_test) >= 0.9
    alone = np.array([clf.decision_function([s])[0] for s in test[:5]])
    np.testing.assert_allclose(clf.decision_function(test[:5]), alone, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="2 features"):
        clf.predict([s[:, :1] for s in test])


def test_same_seed_same_model_other_seed_other_model():
    rng = np.random.default_rng(3)
    X, y = _sine_square(rng, 30, T=60)
    fits = [RNNClassifier(n_reservoirs=6, random_state=s).fit(X, y) for s in (5, 5, 6)]
    X_new, _ = _sine_square(rng, 20, T=60)
    a, b, c = (f.decision_function(X_new) for f in fits)
    assert a.tobytes() == b.tobytes()
    W = [f.reservoir_.features_.reservoirs_[0].W for f in fits]
    assert W[0].tobytes() == W[1].tobytes() and not np.allclose(a, c)
    threads = RNNClassifier(n_reservoirs=6, n_jobs=2, random_state=5).fit(X, y)
    assert threads.decision_function(X_new).tobytes() == a.tobytes()


def test_class_weight_moves_the_decision():
    rng = np.random.default_rng(4)
    X, y = _sine_square(rng, 60, T=60)
    X = X + 3.0 * rng.standard_normal(X.shape)  # hard: weights then decide
    plain = RNNClassifier(n_reservoirs=6, random_state=0).fit(X, y)
    heavy = RNNClassifier(n_reservoirs=6, class_weight={0: 100.0, 1: 0.01}, random_state=0)
    heavy.fit(X, y)
    assert (heavy.predict(X) == 0).mean() > (plain.predict(X) == 0).mean()


@pytest.mark.parametrize("labels", [np.array(["cat", "dog", "eel"]), np.array([3, 1, 2])])
def test_save_and_load_predict_bit_identically(tmp_path, labels):
    rng = np.random.default_rng(5)
    X, y = _many_classes(rng, 60, K=3, T=50)
    clf = RNNClassifier(n_reservoirs=5, class_weight={labels[0].item(): 2.0}, random_state=0).fit(
        X, labels[y]
    )
    frnn.save(clf, tmp_path / "m.npz")
    back = frnn.load(tmp_path / "m.npz")
    assert isinstance(back, RNNClassifier) and back.get_params() == clf.get_params()
    X_new = rng.standard_normal((7, 50))
    for method in ("decision_function", "predict_proba", "predict"):
        assert getattr(back, method)(X_new).tobytes() == getattr(clf, method)(X_new).tobytes()


def test_a_damaged_reservoir_file_is_refused(tmp_path):
    rng = np.random.default_rng(6)
    X, y = _sine_square(rng, 20, T=40)
    frnn.save(RNNClassifier(n_reservoirs=3, random_state=0).fit(X, y), tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["res1/R"] = arrays["res1/R"][:, :-1]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="damaged.*res1/R"):
        frnn.load(tmp_path / "bad.npz")


def test_a_bptt_model_file_written_before_the_reservoir_default_loads():
    clf = frnn.load(DATA / "bptt_classifier_main.npz")  # written by main at f422e98
    with np.load(DATA / "bptt_classifier_main_expected.npz") as archive:  # closed at once
        expected = dict(archive)
    assert clf.training == "bptt" and len(clf.networks_) == 2
    # Equal to round-off: the overflow-safe standardisation (x/s − mean/s)/(std/s) of issue
    # 12 rounds differently from the (x − mean)/std that wrote the expected values.
    z = clf.decision_function(expected["X"])
    np.testing.assert_allclose(z, expected["z"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(clf.predict_proba(expected["X"]), expected["proba"], rtol=1e-12)


def test_reservoir_rejects_what_it_cannot_fit():
    X = np.random.default_rng(7).standard_normal((20, 30))
    with pytest.raises(ValueError, match="multi-label"):
        RNNClassifier(n_reservoirs=2).fit(X, np.eye(2, dtype=int)[np.arange(20) % 2])
    with pytest.raises(ValueError, match="resume_state"):
        RNNClassifier(n_reservoirs=2).fit(X, np.arange(20) % 2, resume_state={})
    with pytest.raises(ValueError, match="spectral_radius|rho"):
        RNNClassifier(spectral_radius=(0.5, 1.5)).fit(X, np.arange(20) % 2)
    with pytest.raises(ValueError, match="training"):
        RNNClassifier(training="sgd").fit(X, np.arange(20) % 2)


def test_the_default_is_the_reservoir_engine_with_the_same_seed():
    """One model-building path: RNNClassifier(random_state=s) is ReservoirClassifier's fit."""
    from frnn.reservoir import ReservoirClassifier

    rng = np.random.default_rng(8)
    X, y = _sine_square(rng, 30, T=50)
    ours = RNNClassifier(n_reservoirs=4, hidden_size=8, random_state=3).fit(X, y)
    engine = ReservoirClassifier(n_reservoirs=4, units=8, random_state=3).fit(X, y)
    assert ours.decision_function(X).tobytes() == engine.decision_function(X).tobytes()
    # and with sample weights (zeros among them) and balanced class weights, probabilities too
    w = rng.uniform(0.0, 3.0, len(y))
    w[:3] = 0.0
    ours.set_params(class_weight="balanced").fit(X, y, sample_weight=w)
    engine.set_params(class_weight="balanced").fit(X, y, sample_weight=w)
    assert ours.decision_function(X).tobytes() == engine.decision_function(X).tobytes()
    assert ours.predict_proba(X).tobytes() == engine.predict_proba(X).tobytes()
    unweighted = ReservoirClassifier(n_reservoirs=4, units=8, random_state=3).fit(X, y)
    assert np.abs(unweighted.decision_function(X) - engine.decision_function(X)).max() > 1e-6
    with pytest.raises(ValueError, match="sample_weight must hold finite weights >= 0"):
        engine.fit(X, y, sample_weight=-w)
