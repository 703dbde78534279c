"""RNNClassifier: scikit-learn's estimator checks, targets, inputs, errors, resume."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

import frnn
from frnn.estimator import RNNClassifier, expected_failed_checks

# Small and quick: the checks fit dozens of times on tiny data.
QUICK = dict(training="bptt", hidden_size=8, epochs=20, n_ensemble=1)
# The default (training="reservoir") with fewer reservoirs; the default instance itself
# passes the same checks in about a minute (test_classifier_default.py measures it).
SMALL_RESERVOIR = dict(n_reservoirs=8)


@pytest.mark.slow
@parametrize_with_checks(
    [RNNClassifier(**QUICK), RNNClassifier(**SMALL_RESERVOIR)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _series(n=40, T=12, seed=0):
    """Learnable: class 1 when the first half of the series is above its second half."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T))
    y = (X[:, : T // 2].sum(axis=1) > X[:, T // 2 :].sum(axis=1)).astype(int)
    return X, y


def test_learns_a_synthetic_task_and_the_loss_decreases():
    X, y = _series(n=80)
    clf = RNNClassifier(
        training="bptt", epochs=60, n_ensemble=1, aux_weight=0.0, random_state=0
    ).fit(X, y)
    assert clf.loss_curve_[-1] < 0.3 * clf.loss_curve_[0]
    X_test, y_test = _series(n=200, seed=1)
    assert clf.score(X_test, y_test) > 0.8
    assert clf.n_iter_ == 60 and len(clf.history_["accuracy"]) == 60


def test_same_seed_same_model_other_seed_other_model():
    X, y = _series()
    fits = [RNNClassifier(**QUICK, random_state=s).fit(X, y) for s in (3, 3, 4)]
    np.testing.assert_array_equal(fits[0].networks_[0].R, fits[1].networks_[0].R)
    assert not np.array_equal(fits[0].networks_[0].R, fits[2].networks_[0].R)


def test_multiclass_string_labels_and_probabilities():
    X, y = _series(n=60)
    labels = np.array(["low", "mid", "high"])[y + (X[:, 0] > 1)]
    clf = RNNClassifier(**QUICK, random_state=0).fit(X, labels)
    assert list(clf.classes_) == ["high", "low", "mid"]
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.decision_function(X).shape == (60, 3)
    for net in clf.networks_:
        net.V *= 1e4  # logits far below −745, where σ underflows to 0
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


def test_multilabel_targets():
    X, y = _series(n=50)
    Y = np.column_stack([y, 1 - y, (X[:, -1] > 0).astype(int)])
    clf = RNNClassifier(**QUICK, random_state=0).fit(X, Y)
    assert clf.predict(X).shape == (50, 3) and set(np.unique(clf.predict(X))) <= {0, 1}
    assert clf.predict_proba(X).shape == (50, 3)


def test_variable_length_sequences_are_padded_exactly():
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((int(n), 2)) for n in rng.integers(3, 15, size=30)]
    y = np.array([int(s[:, 0].mean() > 0) for s in seqs])
    clf = RNNClassifier(**QUICK, frame_size=2, random_state=0).fit(seqs, y)
    assert clf.n_features_in_ == 2
    together = clf.decision_function(seqs)
    alone = np.array([clf.decision_function([s])[0] for s in seqs])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-14)
    same_length = np.stack([s[:3] for s in seqs])  # (30, 3, 2): an array this time
    np.testing.assert_allclose(
        clf.decision_function(same_length), clf.decision_function([s[:3] for s in seqs]), rtol=1e-12
    )


def test_univariate_ragged_lists_then_equal_length_series():
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal(int(n)) for n in rng.integers(4, 12, size=20)]
    y = np.array([int(s.mean() > 0) for s in seqs])
    clf = RNNClassifier(**QUICK, random_state=0).fit(seqs, y)
    assert clf.n_features_in_ == 1
    assert clf.predict(np.ones((3, 7))).shape == (3,)  # (n, T) series of one feature


def test_multivariate_array_and_float32():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 8, 3))
    y = (X[:, :, 1].mean(axis=1) > 0).astype(int)
    clf = RNNClassifier(**QUICK, dtype="float32", random_state=0).fit(X, y)
    assert clf.networks_[0].W.dtype == np.float32 and clf.n_features_in_ == 3
    assert clf.predict(X[:, :5]).shape == (30,)  # any length is fine for sequences


def test_chunked_training_equals_full_when_the_chunk_covers_the_series():
    X, y = _series()
    full = RNNClassifier(**QUICK, frame_size=3, random_state=0).fit(X, y)
    chunked = RNNClassifier(**QUICK, frame_size=3, chunk_length=4, random_state=0).fit(X, y)
    np.testing.assert_array_equal(full.networks_[0].W, chunked.networks_[0].W)
    short = RNNClassifier(**QUICK, frame_size=3, chunk_length=2, random_state=0).fit(X, y)
    assert not np.array_equal(full.networks_[0].W, short.networks_[0].W)


def test_early_stopping_keeps_the_best_validation_epoch():
    X, y = _series(n=60)
    states = []
    clf = RNNClassifier(
        **{**QUICK, "epochs": 300},
        validation_fraction=0.3,
        patience=3,
        learning_rate=0.05,
        schedule="constant",
        random_state=0,
    )
    clf.fit(X, y, callback=lambda info: states.append(info["state"]()))
    assert clf.stopped_by_ == "early_stopping" and clf.n_iter_ < 300
    val = clf.history_["val_loss"]
    best = int(np.argmin(val))
    assert clf.n_iter_ == best + 1 + 3
    np.testing.assert_array_equal(clf.networks_[0].R, states[best]["members"][0]["params"]["R"])


def test_callback_info_and_stop():
    X, y = _series()
    seen = []
    clf = RNNClassifier(**QUICK, validation_fraction=0.25, random_state=0)
    clf.fit(X, y, callback=lambda info: seen.append(info) or info["epoch"] == 3)
    assert clf.n_iter_ == 3 and clf.stopped_by_ == "callback" and len(seen) == 3
    for key in ("epoch", "loss", "accuracy", "grad_norm", "val_loss", "val_accuracy", "seconds"):
        assert isinstance(seen[-1][key], int | float), key
    np.testing.assert_array_equal(
        seen[-1]["state"]()["members"][0]["params"]["W"], clf.networks_[0].W
    )
    assert clf.predict(X).shape == y.shape


@pytest.mark.parametrize(
    "extra",
    [
        dict(),
        dict(validation_fraction=0.25, patience=2),
        dict(n_ensemble=2, chunk_length=2, optimizer="sgd"),
    ],
)
def test_resume_is_bit_identical(tmp_path, extra):
    X, y = _series()
    params = dict(QUICK, frame_size=3, random_state=7, **extra)
    whole = RNNClassifier(**params).fit(X, y)
    saved = tmp_path / "state.npz"

    def interrupt(info):
        if info["epoch"] == 5:
            frnn.save_state(saved, info["state"]())
            return True
        return False

    RNNClassifier(**params).fit(X, y, callback=interrupt)
    resumed = RNNClassifier(**params).fit(X, y, resume_state=frnn.load_state(saved))
    assert resumed.n_iter_ == whole.n_iter_
    assert resumed.loss_curve_ == whole.loss_curve_
    for a, b in zip(resumed.networks_, whole.networks_, strict=True):
        for name in "WRVbc":  # the biases too (bias=True by default)
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_resume_from_the_epoch_that_stopped_early():
    X, y = _series(n=60)
    params = dict(QUICK, epochs=300, validation_fraction=0.3, patience=3, learning_rate=0.05)
    whole = RNNClassifier(**params, random_state=0).fit(X, y)
    assert whole.stopped_by_ == "early_stopping"
    states = []
    RNNClassifier(**params, random_state=0).fit(
        X, y, callback=lambda info: states.append(info["state"]()) or info["epoch"] == whole.n_iter_
    )
    resumed = RNNClassifier(**params, random_state=0).fit(X, y, resume_state=states[-1])
    assert resumed.stopped_by_ == "early_stopping" and resumed.n_iter_ == whole.n_iter_
    np.testing.assert_array_equal(resumed.networks_[0].R, whole.networks_[0].R)


def test_resume_rejects_a_state_of_another_ensemble():
    X, y = _series()
    states = []
    RNNClassifier(**QUICK).fit(X, y, callback=lambda info: states.append(info["state"]()))
    with pytest.raises(ValueError, match="n_ensemble"):
        RNNClassifier(**{**QUICK, "n_ensemble": 2}).fit(X, y, resume_state=states[-1])
    with pytest.raises(ValueError, match="does not fit"):
        RNNClassifier(**{**QUICK, "hidden_size": 3}).fit(X, y, resume_state=states[-1])
    with pytest.raises(ValueError, match=r"does not fit.*\(bias\)"):
        RNNClassifier(**{**QUICK, "bias": False}).fit(X, y, resume_state=states[-1])


@pytest.mark.slow
def test_grid_search_in_two_processes():
    X, y = _series(n=40)
    grid = GridSearchCV(
        RNNClassifier(**QUICK, random_state=0),
        {"hidden_size": [4, 8], "learning_rate": [0.01, 0.03]},
        cv=2,
        n_jobs=2,
    )
    grid.fit(X, y)
    assert set(grid.best_params_) == {"hidden_size", "learning_rate"}
    assert len(grid.cv_results_["mean_test_score"]) == 4


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_inputs_are_rejected(value):
    X, y = _series()
    X[3, 4] = value
    with pytest.raises(ValueError, match="NaN|inf"):
        RNNClassifier(**QUICK).fit(X, y)
    clf = RNNClassifier(**QUICK).fit(*_series())
    with pytest.raises(ValueError, match="NaN|inf"):
        clf.predict(X)
    with pytest.raises(ValueError, match="NaN or infinity"):
        clf.predict([np.ones((4, 1)), np.full((3, 1), value)])


def test_single_class_and_length_mismatch():
    X, y = _series()
    with pytest.raises(ValueError, match="2 classes"):
        RNNClassifier(**QUICK).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RNNClassifier(**QUICK).fit(X, y[:-1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RNNClassifier(**QUICK).fit(list(X[:, :, None])[:-2] + [X[0, :3, None]], y)


def test_predict_before_fit_and_wrong_feature_count():
    X, y = _series()
    with pytest.raises(NotFittedError):
        RNNClassifier().predict(X)
    clf = RNNClassifier(**QUICK).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :-1])
    seq = RNNClassifier(**QUICK).fit(X[:, :, None].repeat(2, axis=2), y)
    with pytest.raises(ValueError, match="2 features"):
        seq.predict(X[:, :, None])


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(learning_rate=-0.1), "learning_rate"),
        (dict(hidden_size=0), "hidden_size"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(epochs=1.5), "epochs"),
        (dict(clip=0.0), "clip"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(activation="gelu"), "activation"),
        (dict(dtype="float16"), "dtype"),
        (dict(frame_size=0), "frame_size"),
        (dict(n_ensemble=True), "n_ensemble"),
        (dict(bias="yes"), "bias"),
    ],
)
def test_invalid_hyper_parameters(bad, match):
    X, y = _series()
    with pytest.raises(ValueError, match=match):
        RNNClassifier(**bad).fit(X, y)


def test_non_finite_loss_is_a_clear_error_and_keeps_finite_parameters():
    X, y = _series()
    clf = RNNClassifier(
        **QUICK,
        activation="linear",
        optimizer="sgd",
        learning_rate=1e300,
        clip=None,
        random_state=0,
    )
    with pytest.raises(RuntimeError, match="non-finite.*restored"):
        clf.fit(X, y)
    assert all(np.isfinite(getattr(net, n)).all() for net in clf.networks_ for n in "WRV")


def test_top_level_name_and_cli_friendly_parameters():
    assert frnn.RNNClassifier is RNNClassifier
    for name, value in RNNClassifier().get_params().items():
        pair = isinstance(value, tuple) and all(isinstance(v, float) for v in value)
        assert pair or value is None or isinstance(value, bool | int | float | str), name


def test_targets_encode_known_labels_and_name_unknown_ones():
    from frnn.classifier.targets import encode

    classes = np.array(["cat", "dog", "eel"])
    assert encode(classes, ["eel", "cat"]).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert encode(np.array([3, 5]), [5, 3, 5]).ravel().tolist() == [1, 0, 1]
    with pytest.raises(
        ValueError, match=r"the labels 'fox' are not among .*\['cat', 'dog', 'eel'\]"
    ):
        encode(classes, ["dog", "fox"])
    with pytest.raises(ValueError, match=r"the labels 1, 2 are not among"):
        encode(classes, [1, 2, 1])  # numbers never match text labels


def test_bptt_class_weight_scales_each_series_loss():
    X, y = _series(n=40)
    plain = RNNClassifier(**QUICK, random_state=0).fit(X, y)
    ones = RNNClassifier(**QUICK, class_weight={0: 1.0, 1: 1.0}, random_state=0).fit(X, y)
    for a, b in zip(plain.networks_, ones.networks_, strict=True):
        np.testing.assert_array_equal(a.W, b.W)  # weights of 1: the same arithmetic
    no_aux = dict(QUICK, aux_weight=0.0, random_state=0)
    np.testing.assert_allclose(  # the weighted path equals the plain many-to-one path
        RNNClassifier(**no_aux, class_weight={0: 1.0, 1: 1.0}).fit(X, y).networks_[0].W,
        RNNClassifier(**no_aux).fit(X, y).networks_[0].W,
        rtol=1e-9,
        atol=1e-12,
    )
    heavy = RNNClassifier(**QUICK, class_weight={0: 50.0, 1: 0.02}, random_state=0).fit(X, y)
    assert (heavy.predict(X) == 0).mean() > (plain.predict(X) == 0).mean()
