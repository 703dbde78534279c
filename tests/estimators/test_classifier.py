"""RNNClassifier: scikit-learn's estimator checks, targets, inputs, errors, resume."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

import frnn
from frnn.estimator import RNNClassifier, expected_failed_checks
from helpers import halves

# Small and quick: the checks fit dozens of times on tiny data.
QUICK = dict(training="bptt", hidden_size=8, steps=600, n_ensemble=1)
# The default (training="reservoir") with fewer reservoirs; the default instance itself
# passes the same 61 checks, one more an expected failure (measured by hand: docs/testing.md).
SMALL_RESERVOIR = dict(n_reservoirs=8)


@pytest.mark.slow
@parametrize_with_checks(
    [RNNClassifier(**QUICK), RNNClassifier(**SMALL_RESERVOIR)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_the_reservoirs_are_held_to_scikit_learns_accuracy_checks():
    # Half the reservoirs read each series' level (level_fraction=0.5), so tables of two
    # columns (scikit-learn's blobs) are told apart: no poor_score to excuse them.
    for params in (SMALL_RESERVOIR, QUICK):
        assert not RNNClassifier(**params).__sklearn_tags__().classifier_tags.poor_score


def test_learns_a_synthetic_task_and_the_loss_decreases():
    X, y = halves(n=80)
    clf = RNNClassifier(training="bptt", steps=600, n_ensemble=1, random_state=0).fit(X, y)
    assert clf.loss_curve_[-1] < 0.3 * clf.loss_curve_[0]
    X_test, y_test = halves(n=200, seed=1)
    assert clf.score(X_test, y_test) > 0.8
    # rounds of max(⌈80 / 32⌉, ⌈600 / 100⌉) = 6 steps: 100 of them, one history row each
    assert clf.n_iter_ == 100 and len(clf.history_["accuracy"]) == 100
    by_epochs = RNNClassifier(training="bptt", epochs=60, n_ensemble=1, random_state=0)
    by_epochs.fit(X, y)
    assert by_epochs.n_iter_ == 60 and by_epochs.stopped_by_ == "epochs"
    assert by_epochs.loss_curve_[-1] < 0.5 * by_epochs.loss_curve_[0]


def test_same_seed_same_model_other_seed_other_model():
    X, y = halves()
    fits = [RNNClassifier(**QUICK, random_state=s).fit(X, y) for s in (3, 3, 4)]
    np.testing.assert_array_equal(fits[0].networks_[0].R, fits[1].networks_[0].R)
    assert not np.array_equal(fits[0].networks_[0].R, fits[2].networks_[0].R)


def test_multiclass_string_labels_and_probabilities():
    X, y = halves(n=60)
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
    X, y = halves(n=50)
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


def test_univariate_ragged_lists_then_equal_lengthhalves():
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
    assert clf.predict(X[:, :7]).shape == (30,)  # any length is fine for sequences
    with pytest.warns(frnn.LengthWarning, match="30 of 30 series of X are shorter"):
        assert clf.predict(X[:, :5]).shape == (30,)  # far shorter: warned about


def test_chunked_training_equals_full_when_the_chunk_covers_thehalves():
    X, y = halves()
    full = RNNClassifier(**QUICK, frame_size=3, random_state=0).fit(X, y)
    chunked = RNNClassifier(**QUICK, frame_size=3, chunk_length=4, random_state=0).fit(X, y)
    np.testing.assert_array_equal(full.networks_[0].W, chunked.networks_[0].W)
    short = RNNClassifier(**QUICK, frame_size=3, chunk_length=2, random_state=0).fit(X, y)
    assert not np.array_equal(full.networks_[0].W, short.networks_[0].W)


def test_early_stopping_keeps_the_best_validation_epoch():
    X, y = halves(n=60)
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
    X, y = halves()
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
    X, y = halves()
    params = dict(QUICK, frame_size=3, random_state=7, **extra)
    whole = RNNClassifier(**params).fit(X, y)
    saved = tmp_path / "state.npz"

    def interrupt(info):
        if info["epoch"] == 2:
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
    X, y = halves(n=60)
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
    X, y = halves()
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
    X, y = halves(n=40)
    grid = GridSearchCV(
        RNNClassifier(**QUICK, random_state=0),
        {"hidden_size": [4, 8], "learning_rate": [0.01, 0.03]},
        cv=2,
        n_jobs=2,
    )
    grid.fit(X, y)
    assert set(grid.best_params_) == {"hidden_size", "learning_rate"}
    assert len(grid.cv_results_["mean_test_score"]) == 4


@pytest.mark.parametrize(
    ("estimator", "states"), [(RNNClassifier, "float32"), (frnn.RNNRegressor, "float32")]
)
def test_the_dtype_parameter_says_what_the_reservoirs_compute_in(estimator, states):
    """dtype is the BPTT networks'; the docstring names the reservoirs' own (the classifier's
    said float64 where its compiled loop runs float32)."""
    X, y = halves()
    fitted = estimator(n_reservoirs=2, hidden_size=4, dtype="float64", random_state=0)
    assert fitted.fit(X, y).reservoir_.features_.dtype == states
    entry = estimator.__doc__.split("    dtype : ")[1].split(" : ")[0]  # to the next entry
    assert f"the reservoirs' states are {states}" in " ".join(entry.split())
