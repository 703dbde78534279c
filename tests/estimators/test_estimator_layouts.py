"""The estimators read data as the time-series ecosystem hands it (issue 24): aeon's and
sktime's (n_cases, n_channels, n_timepoints) never read silently as frnn's (n, T, D); their
containers, pandas DataFrames and torch tensors read by their own layout.

Every container is checked against the same series in frnn's layout: the predictions agree
bit for bit, so a container read in the wrong order of axes (or cases) fails here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from frnn import RNNClassifier, RNNRegressor, load, save
from frnn._validate import InvalidParameterError
from frnn.data import LayoutWarning, load_dataset
from helpers import channel_series, multiindex_frame, three_waves

SMALL = dict(n_reservoirs=4, hidden_size=8, random_state=0)


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
    X, y = channel_series(T=30, C=3)
    aeon = X.transpose(0, 2, 1)  # (12, 3, 30): read as 3 steps of 30 channels
    with pytest.warns(LayoutWarning, match=r"\(12, 3, 30\).*3 steps with 30 channels"):
        RNNClassifier(**SMALL).fit(aeon, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNNClassifier(**SMALL, data_format="channels_last").fit(aeon, y)  # as stated: no check
        stated = RNNClassifier(**SMALL, data_format="channels_first").fit(aeon, y)
    np.testing.assert_array_equal(stated.decision_function(aeon), _fitted_frnn_layout(X, y))


def test_predict_reads_the_layout_fit_read_and_checks_it_too():
    X, y = channel_series()
    clf = RNNClassifier(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match="single step"):
        clf.predict(np.zeros((2, 1, 3)))
    aeon = RNNClassifier(**SMALL, data_format="channels_first").fit(X.transpose(0, 2, 1), y)
    np.testing.assert_array_equal(aeon.predict(X.transpose(0, 2, 1)), clf.predict(X))


def test_data_format_is_checked_by_fit_not_by_the_constructor():
    clf = RNNRegressor(data_format="sideways")  # scikit-learn: __init__ stores, fit checks
    assert clf.get_params()["data_format"] == "sideways"
    with pytest.raises(InvalidParameterError, match="data_format must be one of"):
        clf.fit(np.zeros((4, 5)), np.arange(4.0))


# -- lists of series -----------------------------------------------------------------------
def test_aeons_list_of_channels_first_arrays():
    X, y = channel_series(n=9, T=40, C=2)
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


# -- pandas, sktime and aeon containers ----------------------------------------------------
def test_a_plain_dataframe_is_a_table_with_feature_names():
    X, y = channel_series(C=1)
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


@pytest.mark.parametrize("container", ["nested", "multiindex"])
@pytest.mark.parametrize("data_format", [None, "channels_first"])
def test_dataframes_holding_series_are_read_by_their_own_layout(container, data_format):
    X, y = channel_series()
    frame = (_nested if container == "nested" else multiindex_frame)(X)
    clf = RNNClassifier(**SMALL, data_format=data_format).fit(frame, y)
    assert clf.n_features_in_ == 3
    np.testing.assert_array_equal(clf.decision_function(frame), _fitted_frnn_layout(X, y))


def test_sktimes_own_containers():
    from sktime.datatypes import convert_to

    X, y = channel_series()
    expected = _fitted_frnn_layout(X, y)
    numpy3d = X.transpose(0, 2, 1)  # sktime's numpy3D: (n, C, T)
    for mtype in ("nested_univ", "pd-multiindex", "df-list"):
        data = convert_to(numpy3d, to_type=mtype)
        clf = RNNClassifier(**SMALL).fit(data, y)  # df-list: each DataFrame (T, C)
        np.testing.assert_array_equal(clf.decision_function(data), expected, err_msg=mtype)
    clf = RNNClassifier(**SMALL, data_format="channels_first").fit(numpy3d, y)
    np.testing.assert_array_equal(clf.decision_function(numpy3d), expected)


def test_unequal_lengths_in_containers():
    X, y = channel_series(n=6, T=20)
    lengths = [20, 12, 17, 20, 9, 14]
    ragged = [x[:length] for x, length in zip(X, lengths, strict=True)]
    expected = RNNClassifier(**SMALL).fit(ragged, y).decision_function(ragged)
    nested = _nested(X, lengths)
    index = pd.MultiIndex.from_tuples([(i, t) for i, s in enumerate(ragged) for t in range(len(s))])
    multi = pd.DataFrame(np.concatenate(ragged), index=index)
    for data in (nested, multi):
        clf = RNNClassifier(**SMALL).fit(data, y)
        np.testing.assert_array_equal(clf.decision_function(data), expected)


# -- torch tensors -------------------------------------------------------------------------
def test_torch_tensors_as_x():
    X, y = channel_series()
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


# -- model files ---------------------------------------------------------------------------
def test_a_model_file_keeps_the_layout(tmp_path):
    X, y = channel_series()
    aeon = X.transpose(0, 2, 1)
    clf = RNNClassifier(**SMALL, data_format="channels_first").fit(aeon, y)
    save(clf, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert loaded.data_format == "channels_first"
    np.testing.assert_array_equal(loaded.decision_function(aeon), clf.decision_function(aeon))


def test_a_dask_arrays_layout_warning_comes_once_a_call_not_once_a_chunk():
    da = pytest.importorskip("dask.array")  # no distributed client here: chunks run in-process
    X, y = three_waves(40, T=3, D=5)  # more channels than steps: warned about
    chunks = da.from_array(X, chunks=10)
    with pytest.warns(LayoutWarning) as fitting:
        est = RNNClassifier(n_reservoirs=4, hidden_size=8, random_state=3).fit(chunks, y)
    with pytest.warns(LayoutWarning) as predicting:
        labels = est.predict(chunks).compute()
    assert [str(w.message).split(", which")[0] for w in [*fitting, *predicting]] == [
        "X has shape (40, 3, 5)"
    ] * 2
    with pytest.warns(LayoutWarning):
        assert np.array_equal(labels, est.predict(X))
