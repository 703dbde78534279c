"""Data as the time-series ecosystem hands it (issue 24): aeon's and sktime's
(n_cases, n_channels, n_timepoints) never read silently as frnn's (n, T, D); their containers,
pandas DataFrames and torch tensors read by their own layout.

Every container is checked against the same series in frnn's layout: the predictions agree
bit for bit, so a container read in the wrong order of axes (or cases) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from frnn import RNNClassifier, RNNRegressor, load, save
from frnn._validate import InvalidParameterError
from frnn.data.inputs import as_sequences
from frnn.data.layouts import LayoutWarning, channels_last
from frnn.data.readers import read_npz
from frnn.datasets import load_dataset
from frnn.reservoir import ReservoirFeatures

SMALL = dict(n_reservoirs=4, hidden_size=8, random_state=0)


def _series(n=12, T=30, C=3, seed=0):
    """(n, T, C) series in frnn's layout whose class says which channel carries a sine, and
    its sign (max(C, 2) classes)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % max(C, 2)
    X = 0.3 * rng.standard_normal((n, T, C))
    X[np.arange(n), :, y % C] += np.outer(1 - 2 * (y // C), np.sin(np.linspace(0, 6, T)))
    return X, y


def _fitted_frnn_layout(X, y):
    return RNNClassifier(**SMALL).fit(X, y).decision_function(X)


# -- what a shape says ---------------------------------------------------------------------
def test_gunpoint_in_aeons_layout_is_refused_naming_the_fix():
    data = load_dataset("gunpoint")
    aeon = data.train.X.transpose(0, 2, 1)  # (50, 1, 150), as aeon's loader hands it
    with pytest.raises(ValueError, match=r"\(50, 1, 150\).*single step.*channels_first"):
        RNNClassifier(random_state=0).fit(aeon, data.train.y)
    stated = RNNClassifier(**SMALL, data_format="channels_first").fit(aeon, data.train.y)
    frnn_layout = RNNClassifier(**SMALL).fit(data.train.X, data.train.y)
    test = data.test.X.transpose(0, 2, 1)
    np.testing.assert_array_equal(
        stated.decision_function(test), frnn_layout.decision_function(data.test.X)
    )


def test_more_channels_than_steps_warns_and_stating_the_layout_silences_it():
    X, y = _series(T=30, C=3)
    aeon = X.transpose(0, 2, 1)  # (12, 3, 30): read as 3 steps of 30 channels
    with pytest.warns(LayoutWarning, match=r"\(12, 3, 30\).*3 steps with 30 channels"):
        RNNClassifier(**SMALL).fit(aeon, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNNClassifier(**SMALL, data_format="channels_last").fit(aeon, y)  # as stated: no check
        stated = RNNClassifier(**SMALL, data_format="channels_first").fit(aeon, y)
    np.testing.assert_array_equal(stated.decision_function(aeon), _fitted_frnn_layout(X, y))


def test_predict_reads_the_layout_fit_read_and_checks_it_too():
    X, y = _series()
    clf = RNNClassifier(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="single step"):
        clf.predict(np.zeros((2, 1, 3)))
    aeon = RNNClassifier(**SMALL, data_format="channels_first").fit(X.transpose(0, 2, 1), y)
    np.testing.assert_array_equal(aeon.predict(X.transpose(0, 2, 1)), clf.predict(X))


@pytest.mark.parametrize(
    "shape, outcome",
    [
        ((5, 1, 4), "refused"),  # one step, several channels
        ((5, 2, 9), "warned"),  # fewer steps than channels
        ((5, 1, 1), "read"),  # one step of one channel: nothing to misread
        ((5, 8, 8), "read"),  # as many channels as steps: an 8 × 8 image row by row
        ((5, 30, 3), "read"),
    ],
)
def test_the_plausibility_rule(shape, outcome):
    X = np.random.default_rng(0).standard_normal(shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            x, lengths, _ = as_sequences(X)
        except ValueError:
            assert outcome == "refused"
            return
    assert outcome == ("warned" if caught else "read"), caught
    assert all(issubclass(w.category, LayoutWarning) for w in caught)
    np.testing.assert_array_equal(x, X)
    assert set(lengths) == {shape[1]}
    x, _, _ = as_sequences(X, data_format="channels_last")  # stated: read as it is
    np.testing.assert_array_equal(x, X)


def test_a_two_dimensional_x_is_univariate_in_every_layout():
    X, y = _series(C=1)
    table = X[:, :, 0]  # (n, T): aeon's numpy2D and frnn's table agree
    for data_format in (None, "channels_last", "channels_first"):
        x, _, tabular = as_sequences(table, data_format=data_format)
        np.testing.assert_array_equal(x, X)
        assert tabular


def test_data_format_is_checked_by_fit_not_by_the_constructor():
    clf = RNNRegressor(data_format="sideways")  # scikit-learn: __init__ stores, fit checks
    assert clf.get_params()["data_format"] == "sideways"
    with pytest.raises(InvalidParameterError, match="data_format must be one of"):
        clf.fit(np.zeros((4, 5)), np.arange(4.0))
    with pytest.raises(ValueError, match="data_format must be one of"):
        channels_last(np.zeros((2, 3, 4)), "NCT")


# -- lists of series -----------------------------------------------------------------------
def test_aeons_list_of_channels_first_arrays():
    X, y = _series(n=9, T=40, C=2)
    lengths = 20 + np.arange(9) * 2
    ragged = [x[:length] for x, length in zip(X, lengths, strict=True)]  # (T_i, C)
    aeon = [s.T for s in ragged]  # aeon's np-list: (C, T_i)
    with pytest.raises(ValueError, match="share their first size 2.*channels_first"):
        RNNClassifier(**SMALL).fit(aeon, y)
    stated = RNNClassifier(**SMALL, data_format="channels_first").fit(aeon, y)
    np.testing.assert_array_equal(
        stated.decision_function(aeon),
        RNNClassifier(**SMALL).fit(ragged, y).decision_function(ragged),
    )


def test_an_equal_length_list_is_checked_as_its_array():
    series = [np.zeros((1, 6)) for _ in range(3)]  # three (C=1, T=6) arrays, aeon's way
    with pytest.raises(ValueError, match="single step"):
        as_sequences(series)
    x, lengths, _ = as_sequences(series, data_format="channels_first")
    assert x.shape == (3, 6, 1) and list(lengths) == [6, 6, 6]


# -- pandas, sktime and aeon containers ----------------------------------------------------
def test_a_plain_dataframe_is_a_table_with_feature_names():
    X, y = _series(C=1)
    frame = pd.DataFrame(X[:, :, 0], columns=[f"t{i}" for i in range(X.shape[1])])
    clf = RNNClassifier(**SMALL).fit(frame, y)
    assert list(clf.feature_names_in_) == list(frame.columns) and clf.n_features_in_ == 30
    # pandas hands its values column-major: the same numbers, summed in another order
    np.testing.assert_allclose(clf.decision_function(frame), _fitted_frnn_layout(X, y), rtol=1e-12)


def _nested(X, lengths=None):
    """sktime's nested_univ, by hand: a row per case, a column per channel, each cell a
    pd.Series of that channel's values."""
    n, T, C = X.shape
    lengths = [T] * n if lengths is None else lengths
    return pd.DataFrame(
        {f"var_{c}": [pd.Series(X[i, : lengths[i], c]) for i in range(n)] for c in range(C)}
    )


def _multiindex(X):
    """aeon's and sktime's pd-multiindex, by hand: rows (case, time), a column per channel."""
    n, T, C = X.shape
    index = pd.MultiIndex.from_product([range(n), range(T)], names=["instances", "timepoints"])
    return pd.DataFrame(X.reshape(n * T, C), index=index, columns=[f"var_{c}" for c in range(C)])


@pytest.mark.parametrize("container", ["nested", "multiindex"])
@pytest.mark.parametrize("data_format", [None, "channels_first"])
def test_dataframes_holding_series_are_read_by_their_own_layout(container, data_format):
    X, y = _series()
    frame = (_nested if container == "nested" else _multiindex)(X)
    clf = RNNClassifier(**SMALL, data_format=data_format).fit(frame, y)
    assert clf.n_features_in_ == 3
    np.testing.assert_array_equal(clf.decision_function(frame), _fitted_frnn_layout(X, y))


def test_sktimes_own_containers():
    from sktime.datatypes import convert_to

    X, y = _series()
    expected = _fitted_frnn_layout(X, y)
    numpy3d = X.transpose(0, 2, 1)  # sktime's numpy3D: (n, C, T)
    for mtype in ("nested_univ", "pd-multiindex", "df-list"):
        data = convert_to(numpy3d, to_type=mtype)
        clf = RNNClassifier(**SMALL).fit(data, y)  # df-list: each DataFrame (T, C)
        np.testing.assert_array_equal(clf.decision_function(data), expected, err_msg=mtype)
    clf = RNNClassifier(**SMALL, data_format="channels_first").fit(numpy3d, y)
    np.testing.assert_array_equal(clf.decision_function(numpy3d), expected)


def test_unequal_lengths_in_containers():
    X, y = _series(n=6, T=20)
    lengths = [20, 12, 17, 20, 9, 14]
    ragged = [x[:length] for x, length in zip(X, lengths, strict=True)]
    expected = RNNClassifier(**SMALL).fit(ragged, y).decision_function(ragged)
    nested = _nested(X, lengths)
    index = pd.MultiIndex.from_tuples([(i, t) for i, s in enumerate(ragged) for t in range(len(s))])
    multi = pd.DataFrame(np.concatenate(ragged), index=index)
    for data in (nested, multi):
        clf = RNNClassifier(**SMALL).fit(data, y)
        np.testing.assert_array_equal(clf.decision_function(data), expected)


def test_multiindex_cases_keep_their_order_of_appearance():
    X, _ = _series(n=4, T=5, C=2)
    frame = _multiindex(X)
    names = np.array(["d", "b", "c", "a"])[frame.index.get_level_values(0)]
    frame.index = pd.MultiIndex.from_arrays([names, frame.index.get_level_values(1)])
    x, lengths, _ = as_sequences(frame)
    np.testing.assert_array_equal(x, X)  # d, b, c, a as given, not sorted
    assert list(lengths) == [5] * 4


def test_a_nested_row_of_unequal_channels_is_named():
    frame = pd.DataFrame({"a": [pd.Series([1.0, 2.0])], "b": [pd.Series([1.0, 2.0, 3.0])]})
    with pytest.raises(ValueError, match=r"X's row 0 must hold one series per column"):
        as_sequences(frame)


# -- torch tensors -------------------------------------------------------------------------
def test_torch_tensors_as_x():
    X, y = _series()
    expected = _fitted_frnn_layout(X, y)
    tensor = torch.tensor(X, requires_grad=True)  # numpy() alone would refuse it
    clf = RNNClassifier(**SMALL).fit(tensor, y)
    np.testing.assert_array_equal(clf.decision_function(tensor), expected)
    ragged = [torch.tensor(x[: 10 + i]) for i, x in enumerate(X)]
    arrays = [x[: 10 + i] for i, x in enumerate(X)]
    clf = RNNClassifier(**SMALL).fit(ragged, y)
    np.testing.assert_array_equal(
        clf.decision_function(ragged),
        RNNClassifier(**SMALL).fit(arrays, y).decision_function(arrays),
    )
    aeon = RNNClassifier(**SMALL, data_format="channels_first").fit(tensor.transpose(1, 2), y)
    np.testing.assert_array_equal(aeon.decision_function(tensor.transpose(1, 2)), expected)


# -- the reservoir engine, model files, the command line ------------------------------------
def test_the_reservoir_features_check_the_layout_too():
    with pytest.raises(ValueError, match="single step"):
        ReservoirFeatures(n_reservoirs=2).fit(np.zeros((4, 1, 20)))


def test_a_model_file_keeps_the_layout(tmp_path):
    X, y = _series()
    aeon = X.transpose(0, 2, 1)
    clf = RNNClassifier(**SMALL, data_format="channels_first").fit(aeon, y)
    save(clf, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert loaded.data_format == "channels_first"
    np.testing.assert_array_equal(loaded.decision_function(aeon), clf.decision_function(aeon))


def test_read_npz_reads_the_stated_layout(tmp_path):
    X, y = _series()
    np.savez(tmp_path / "aeon.npz", X=X.transpose(0, 2, 1)[:, :1], y=y)  # (n, 1, T)
    with pytest.raises(ValueError, match=r"aeon.npz: X has shape \(12, 1, 30\).*channels_first"):
        read_npz(str(tmp_path / "aeon.npz"))
    split = read_npz(str(tmp_path / "aeon.npz"), data_format="channels_first")
    np.testing.assert_array_equal(split.X, X[:, :, :1])


ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def _frnn(*args, cwd):
    command = [sys.executable, "-m", "frnn", *map(str, args)]
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def test_the_command_line_refuses_warns_and_reads_the_stated_layout(tmp_path):
    X, y = _series(n=16, T=30, C=1)
    np.savez(tmp_path / "aeon.npz", X=X.transpose(0, 2, 1), y=y)  # (16, 1, 30)
    small = ["--n-reservoirs", "4", "--hidden-size", "8"]
    done = _frnn("train", "--train", "aeon.npz", *small, "--out", "r0", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert "--data-format channels_first" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r0").exists()
    done = _frnn(
        "train", "--train", "aeon.npz", *small, "--data-format", "channels_first", "--out", "r1",
        "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = _frnn("predict", "--model", "r1", "--data", "aeon.npz", "--label", "none", cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # read as the model was trained: channels first
    labels = [int(row.split(",")[1]) for row in done.stdout.splitlines()[1:]]
    expected = RNNClassifier(**SMALL).fit(X, y).predict(X)
    assert len(labels) == 16 and np.mean(np.array(labels) == expected) == 1.0
    X3, y3 = _series(n=12, T=30, C=3)
    np.savez(tmp_path / "three.npz", X=X3.transpose(0, 2, 1), y=y3)  # (12, 3, 30)
    done = _frnn("train", "--train", "three.npz", *small, "--out", "r2", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("frnn train: warning: ") and len(done.stderr.splitlines()) == 1
    assert "--data-format channels_first" in done.stderr
