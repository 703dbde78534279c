"""The classifiers on the labels a practitioner's arrays really hold: any kind of label comes
back as given, and labels that are not classes are refused naming y (without a warning from
scikit-learn's casts first)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from frnn import LengthWarning, RNNClassifier, RNNRegressor
from frnn.reservoir import LeaveOneOutWarning, ReservoirClassifier

CLASSIFIERS = {
    "reservoir": lambda: RNNClassifier(n_reservoirs=2, random_state=0),
    "bptt": lambda: RNNClassifier(
        training="bptt", steps=5, n_ensemble=1, hidden_size=4, random_state=0
    ),
    "ReservoirClassifier": lambda: ReservoirClassifier(n_reservoirs=2, random_state=0),
}


def _series(n=12, T=16, seed=0):
    rng = np.random.default_rng(seed)
    codes = np.arange(n) % 2
    X = rng.standard_normal((n, T)) + 2.0 * codes[:, None] * np.sin(np.arange(T))
    return X, codes


LABELS = {
    "text": np.array(["sine", "square"]),
    "negative-ints": np.array([-7, -3]),
    "integral-floats": np.array([1.0, 2.0]),
    "bools": np.array([False, True]),
    "text-objects": np.array(["a", "b"], dtype=object),
}


@pytest.mark.parametrize("kind", CLASSIFIERS)
@pytest.mark.parametrize("labels", LABELS.values(), ids=LABELS.keys())
def test_labels_of_any_kind_come_back_as_given(kind, labels):
    X, codes = _series()
    y = labels[codes]
    clf = CLASSIFIERS[kind]().fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.unique(y))
    predicted = clf.predict(X)
    assert predicted.dtype == clf.classes_.dtype and set(predicted) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


BAD_LABELS = [
    (np.r_[np.nan, np.ones(11)], "Input y contains NaN"),
    (np.r_[np.inf, np.arange(11.0) % 2], "Input y contains infinity"),
    (np.array([1, "a"] * 6, dtype=object), "all numbers or all text; got int, str"),
    (np.array([1, None] * 6, dtype=object), r"missing labels \(None or NaN\); found 6"),
    (np.array([np.nan, "a"] * 6, dtype=object), r"missing labels \(None or NaN\); found 6"),
    (np.array([(1, 2), "a"] * 6 + [None], dtype=object)[:-1], "got str, tuple"),  # (n,) of tuples
]


@pytest.mark.parametrize("kind", CLASSIFIERS)
@pytest.mark.parametrize(
    ("y", "match"), BAD_LABELS, ids=["nan", "inf", "mixed", "none", "nan-object", "tuple"]
)
def test_labels_that_are_not_classes_are_named(kind, y, match):
    """Before: a NaN label made ReservoirClassifier warn (numpy's cast to int) before the
    error; mixed labels got scikit-learn's 'Unknown label type: unknown. Maybe you are
    trying to fit a classifier ... on a regression target'."""
    X, _ = _series()
    with pytest.raises(ValueError, match=match):
        CLASSIFIERS[kind]().fit(X, y)


# -- classes leave-one-out cannot see: a warning the user can act on ---------------------------
RESERVOIR = [k for k in CLASSIFIERS if k != "bptt"]


def _prototypes(per_class, K=6, T=30, seed=0):
    """K classes, each a fixed random shape plus noise; per_class (K,) series of each."""
    rng = np.random.default_rng(seed)
    shapes = rng.standard_normal((K, T))
    y = np.repeat(np.arange(K), per_class)
    return shapes[y] + 0.3 * rng.standard_normal((len(y), T)), y


@pytest.mark.parametrize("kind", RESERVOIR)
def test_a_class_of_one_series_is_warned_about(kind):
    """Every class a single series (UCR's Fungi): leave-one-out never sees a class right,
    τ falls to the grid's least and predict_proba is uniform although predict is right."""
    X, y = _prototypes(per_class=1)
    with pytest.warns(
        LeaveOneOutWarning, match=r"6 of the 6 classes \(0, 1, 2, 3, 4, \.\.\.\) have a "
    ):
        clf = CLASSIFIERS[kind]().fit(X, y)
    X_new, y_new = _prototypes(per_class=20, seed=0)
    assert clf.score(X_new, y_new) > 0.9
    np.testing.assert_allclose(clf.predict_proba(X_new), 1 / 6, atol=0.01)  # what it warns of
    X, y = _prototypes(per_class=[2, 2, 2, 2, 2, 1])
    with pytest.warns(LeaveOneOutWarning, match="class 5 has a single series in the training set"):
        CLASSIFIERS[kind]().fit(X, y)


def test_a_dask_fit_warns_of_a_class_of_one_series_too():
    da = pytest.importorskip("dask.array")
    import dask

    X, y = _prototypes(per_class=[3, 3, 1], K=3)
    lazy = da.from_array(X, chunks=(4, X.shape[1]))
    with dask.config.set(scheduler="synchronous"):
        with pytest.warns(LeaveOneOutWarning, match="class 2 has a single series"):
            RNNClassifier(n_reservoirs=2, random_state=0).fit(lazy, y)


@pytest.mark.parametrize("kind", CLASSIFIERS)
def test_two_series_a_class_and_imbalance_fit_without_a_warning(kind):
    """PigCVP's two series a class, 1:200 imbalance: ordinary data, no warning (pytest turns
    any into an error)."""
    CLASSIFIERS[kind]().fit(*_prototypes(per_class=2))
    X, y = _prototypes(per_class=[200, 1, 1, 1, 1, 1])
    X, y = X[y < 2], y[y < 2]
    X, y = np.r_[X, X[-1:] + 0.01], np.r_[y, 1]  # 200 : 2
    clf = CLASSIFIERS[kind]().fit(X, y)
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all() and np.allclose(proba.sum(axis=1), 1.0)


def test_partial_fit_warns_of_a_first_chunk_without_a_class_and_refuses_one_series():
    """Before: a first chunk of one series gave 'invalid value encountered in divide' and a
    constant model; one without a class fixed α and τ on it, silently: held-out log-loss
    1.33 against 0.00 for a mixed first chunk (GunPoint's training split, 4 reservoirs)."""
    X, y = _prototypes(per_class=3, K=2)
    with pytest.warns(
        LeaveOneOutWarning, match="class 1 has no series in partial_fit's first chunk"
    ):
        RNNClassifier(n_reservoirs=2, random_state=0).partial_fit(X[:3], y[:3], classes=[0, 1])
    with pytest.raises(ValueError, match="X must hold at least 2 series on partial_fit's first"):
        RNNClassifier(n_reservoirs=2).partial_fit(X[:1], y[:1], classes=[0, 1])
    with pytest.raises(ValueError, match="X must hold at least 2 series on partial_fit's first"):
        RNNRegressor(n_reservoirs=2).partial_fit(X[:1], [0.5])
    clf = RNNClassifier(n_reservoirs=2, random_state=0).partial_fit(X[1:5], y[1:5], classes=[0, 1])
    clf.partial_fit(X[:1], y[:1])  # later chunks of one series are fine: nothing is chosen
    assert clf.predict(X).shape == (6,)


# -- values that are not numbers --------------------------------------------------------------
_COMPLEX = "^Complex data not supported: X must hold real numbers; got dtype complex128$"


def _not_numbers():
    X, _ = _series()
    text = X.astype(str).astype(object)
    text[3, 4] = "x"
    return {
        "complex-table": (X + 1j, _COMPLEX),
        "complex-series": ((X + 1j)[:, :, None], _COMPLEX),
        "word-in-table": (text, "X must be numeric; could not convert it: .*'x'"),
        "word-in-series": (text[:, :, None], "X must be numeric; could not convert it"),
        "text": (X.astype(str)[:, :, None], "X must be numeric; got dtype <U"),
        # before: a table of numbers written as text was parsed, where a 3-D X was refused
        "text-table": (X.astype(str), r"X must be numeric; got dtype <U\d+ \(text\)"),
        "bytes-table": (X.astype(bytes), r"X must be numeric; got dtype \|S\d+ \(text\)"),
        "text-rows": (X.astype(str).tolist(), r"X must be numeric; got dtype <U\d+ \(text\)"),
    }


@pytest.mark.parametrize("kind", CLASSIFIERS)
@pytest.mark.parametrize("case", _not_numbers())
def test_values_that_are_not_numbers_are_named(kind, case):
    """Before: a 2-D X's conversion errors were scikit-learn's, naming no argument ("could not
    convert string to float: 'x'") or printing every value ("Complex data not supported")."""
    X, match = _not_numbers()[case]
    with pytest.raises(ValueError, match=match):
        CLASSIFIERS[kind]().fit(X, np.arange(len(X)) % 2)


@pytest.mark.parametrize("kind", CLASSIFIERS)
def test_predict_refuses_a_table_of_text(kind):
    """Before: RNNClassifier parsed a 2-D X of numbers written as text when predicting."""
    X, y = _series()
    clf = CLASSIFIERS[kind]().fit(X, y)
    with pytest.raises(ValueError, match=r"X must be numeric; got dtype <U\d+ \(text\)"):
        clf.predict(X.astype(str))


def test_the_regressor_refuses_a_table_of_text():
    X, _ = _series()
    with pytest.raises(ValueError, match=r"X must be numeric; got dtype <U\d+ \(text\)"):
        RNNRegressor(n_reservoirs=2).fit(X.astype(str), X[:, 0])


@pytest.mark.parametrize("kind", ["reservoir", "bptt"])
def test_a_model_fitted_on_a_table_says_how_to_read_other_lengths(kind):
    """RNNClassifier's 2-D X (or a list of equal-length 1-D series, which numpy makes one) is
    a table of T features; series of another length are refused, as scikit-learn refuses
    them, and the message now says what to fit instead (before: scikit-learn's words alone).
    (ReservoirClassifier reads a 2-D X as series: n_features_in_ is D.)"""
    X, y = _series()
    clf = CLASSIFIERS[kind]().fit(list(X), y)
    with pytest.raises(ValueError, match=r"X has 10 features, but \w+ is expecting 16 .*fit X as"):
        clf.predict(X[:, :10])
    series = CLASSIFIERS[kind]().fit(X[:, :, None], y)
    assert series.predict(X[:, :12, None]).shape == (len(X),)
    with pytest.warns(LengthWarning, match="shorter than 75% of the shortest training series"):
        assert series.predict(X[:, :10, None]).shape == (len(X),)  # far shorter: warned


def test_the_command_line_prints_the_warning_as_one_line(tmp_path):
    """Before: Python's two lines, the path of frnn's source and its code line."""
    import warnings

    from helpers import run_cli

    X, y = _prototypes(per_class=[3, 3, 1], K=3)
    np.savez(tmp_path / "train.npz", X=X[:, :, None], y=y)
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", LeaveOneOutWarning)
        done = run_cli("train", "--train", "train.npz", "--n-reservoirs", "2", "--out", "r",
                       "--quiet", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("frnn train: warning: class 2 has a single series in the ")
    assert len(done.stderr.splitlines()) == 1, done.stderr


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 9),
    T=st.integers(1, 12),
    D=st.integers(1, 3),
    K=st.integers(2, 4),
    scale=st.sampled_from([1e-300, 1e-9, 1.0, 1e9, 1e300]),
    kind=st.sampled_from(["reservoir", "ReservoirClassifier"]),
    seed=st.integers(0, 2**16),
)
def test_any_small_shape_and_scale_gives_probabilities(n, T, D, K, scale, kind, seed):
    """n from 4, T from 1, D up to 3, values of any size (β = 0: the nearest series'
    distances overflow at 1e±300, a known limit of frnn.reservoir.neighbours): predict_proba
    rows finite and summing to one, predict among the classes, no warning."""
    # ReservoirClassifier reads frnn's layout alone (no data_format): more channels than
    # steps are warned about, one step of several refused
    assume(kind == "reservoir" or D <= T)
    rng = np.random.default_rng(seed)
    y = np.r_[np.arange(K), rng.integers(K, size=max(0, n - K))]  # every class
    y = np.r_[y, y]  # two series a class at least: no warning expected
    X = rng.standard_normal((len(y), T, D)) * scale
    params = dict(n_reservoirs=1, neighbour_weight=0, random_state=0)
    if kind == "reservoir":  # (n, T, D) as it is, one step or more channels than steps too
        clf = RNNClassifier(data_format="channels_last", **params).fit(X, y)
    else:
        clf = ReservoirClassifier(**params).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), len(np.unique(y))) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert set(clf.predict(X)) <= set(y)


@pytest.mark.parametrize("kind", CLASSIFIERS)
@pytest.mark.parametrize("weight", [0.0, -1.0, float("nan"), float("inf"), "2", True])
def test_a_class_weight_that_is_not_a_finite_positive_number_is_named(kind, weight):
    # 0, negative or non-finite weights left the ridge no solution (numpy's "Eigenvalues did
    # not converge" after RuntimeWarnings, or a constant model) and BPTT a non-finite loss
    X, y = _series()
    clf = CLASSIFIERS[kind]().set_params(class_weight={0: weight, 1: 1.0})
    with pytest.raises(ValueError, match=r"class_weight's weights must be finite numbers > 0"):
        clf.fit(X, y)


@pytest.mark.parametrize(("dtype", "units"), [("float32", 1.0), ("float64", 1e-300)])
def test_series_beyond_the_networks_range_once_standardised_are_named(dtype, units):
    """Series far larger than the training series, standardised, beyond the networks'
    dtype: the cast made them infinite, and the networks' check said "x must not contain
    NaN or inf" of an x the user never passed (X itself finite)."""
    X, y = _series()
    clf = RNNClassifier(
        training="bptt", steps=5, n_ensemble=1, hidden_size=4, dtype=dtype, random_state=0
    ).fit(X * units, y)
    with pytest.raises(ValueError, match=rf"^X standardised .* beyond {dtype}'s range"):
        clf.predict(X * 1e300)
    assert clf.predict(X * units).shape == (len(X),)


def test_inputs_beyond_float32_with_standardize_false_are_named():
    X, y = _series()
    clf = RNNClassifier(training="bptt", steps=5, n_ensemble=1, dtype="float32", standardize=False)
    with pytest.raises(ValueError, match=r"^X reaches 1e\+300, beyond float32's range .*"):
        clf.fit(X * 1e300 / np.abs(X).max(), y)
