"""Data as the time-series ecosystem hands it (issue 24), the input layer's part: aeon's and
sktime's (n_cases, n_channels, n_timepoints) never read silently as frnn's (n, T, D); their
lists, pandas DataFrames and ``.npz`` files read in the stated layout.

The estimators' reading of every container, checked against the same series in frnn's
layout, is tests/estimators/test_estimator_layouts.py; the command line's,
tests/cli/test_cli_layouts.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from frnn.data.inputs import as_sequences
from frnn.data.layouts import LayoutWarning, channels_last
from frnn.data.readers import read_npz
from frnn.reservoir import ReservoirFeatures
from helpers import channel_series, multiindex_frame


# -- what a shape says ---------------------------------------------------------------------
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
    X, y = channel_series(C=1)
    table = X[:, :, 0]  # (n, T): aeon's numpy2D and frnn's table agree
    for data_format in (None, "channels_last", "channels_first"):
        x, _, tabular = as_sequences(table, data_format=data_format)
        np.testing.assert_array_equal(x, X)
        assert tabular


def test_channels_last_refuses_a_layout_it_does_not_know():
    with pytest.raises(ValueError, match="data_format must be one of"):
        channels_last(np.zeros((2, 3, 4)), "NCT")


# -- lists of series -----------------------------------------------------------------------
def test_an_equal_length_list_is_checked_as_its_array():
    series = [np.zeros((1, 6)) for _ in range(3)]  # three (C=1, T=6) arrays, aeon's way
    with pytest.raises(ValueError, match="single step"):
        as_sequences(series)
    x, lengths, _ = as_sequences(series, data_format="channels_first")
    assert x.shape == (3, 6, 1) and list(lengths) == [6, 6, 6]


# -- DataFrames ----------------------------------------------------------------------------
def test_multiindex_cases_keep_their_order_of_appearance():
    X, _ = channel_series(n=4, T=5, C=2)
    frame = multiindex_frame(X)
    names = np.array(["d", "b", "c", "a"])[frame.index.get_level_values(0)]
    frame.index = pd.MultiIndex.from_arrays([names, frame.index.get_level_values(1)])
    x, lengths, _ = as_sequences(frame)
    np.testing.assert_array_equal(x, X)  # d, b, c, a as given, not sorted
    assert list(lengths) == [5] * 4


def test_multiindex_rows_are_read_in_the_order_of_their_times():
    """Rows out of time order (a merge, a query without ORDER BY) were taken as given: each
    series scrambled, silently.  Each case's rows now follow its times, as a long-format
    file's do; the cases keep their order of appearance."""
    X, _ = channel_series(n=4, T=5, C=2)
    frame = multiindex_frame(X)
    shuffled = frame.sample(frac=1.0, random_state=0)  # rows of every case out of order
    cases = list(dict.fromkeys(shuffled.index.get_level_values(0)))
    x, lengths, _ = as_sequences(shuffled)
    np.testing.assert_array_equal(x, X[cases])
    assert list(lengths) == [5] * 4
    days = pd.to_datetime(["2024-03-03", "2024-03-01", "2024-03-02"])
    dated = pd.DataFrame({"v": [3.0, 1.0, 2.0]}, index=pd.MultiIndex.from_arrays([["a"] * 3, days]))
    np.testing.assert_array_equal(as_sequences(dated)[0][0, :, 0], [1.0, 2.0, 3.0])


def test_two_multiindex_rows_of_one_case_at_one_time_are_refused():
    index = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0), ("a", 1)])
    frame = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0]}, index=index)
    with pytest.raises(ValueError, match=r"^X has two rows of case a at time 1; expected one"):
        as_sequences(frame)


def test_a_nested_row_of_unequal_channels_is_named():
    frame = pd.DataFrame({"a": [pd.Series([1.0, 2.0])], "b": [pd.Series([1.0, 2.0, 3.0])]})
    with pytest.raises(ValueError, match=r"X's row 0 must hold one series per column"):
        as_sequences(frame)


# -- the reservoir engine and files --------------------------------------------------------
def test_the_reservoir_features_check_the_layout_too():
    with pytest.raises(ValueError, match="single step"):
        ReservoirFeatures(n_reservoirs=2).fit(np.zeros((4, 1, 20)))


def test_read_npz_reads_the_stated_layout(tmp_path):
    X, y = channel_series()
    np.savez(tmp_path / "aeon.npz", X=X.transpose(0, 2, 1)[:, :1], y=y)  # (n, 1, T)
    with pytest.raises(ValueError, match=r"aeon.npz: X has shape \(12, 1, 30\).*channels_first"):
        read_npz(str(tmp_path / "aeon.npz"))
    split = read_npz(str(tmp_path / "aeon.npz"), data_format="channels_first")
    np.testing.assert_array_equal(split.X, X[:, :, :1])
