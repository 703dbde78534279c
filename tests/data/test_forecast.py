"""Forecasting windows (frnn.data.forecast): the pairs a naive loop makes, no input at or
after its targets, read-only views of a copy, clear refusals; and the time-ordered splits
that keep training and validation windows apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from frnn.data import holdout, last_window, time_split, windows
from frnn.data.forecast import overlap_gap, window_stride


def naive_windows(y, window, horizon, stride, target=0):
    """The pairs by hand: origins from the end back, every stride-th, oldest first."""
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    origins = list(range(len(y) - horizon, window - 1, -stride))[::-1]
    X = np.array([y[t - window : t] for t in origins])
    Y = np.array([y[t : t + horizon, target] for t in origins])
    return X, (Y[:, 0] if horizon == 1 else Y)


# -- the pairs -----------------------------------------------------------------------------
def test_exact_values_on_a_small_arange():
    X, Y = windows(np.arange(7), window=3, horizon=2)
    assert X.shape == (3, 3, 1) and Y.shape == (3, 2)
    assert X[..., 0].tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    assert Y.tolist() == [[3, 4], [4, 5], [5, 6]]
    X, Y = windows(np.arange(7), window=2)  # horizon 1: one target a window, (n,)
    assert X[..., 0].tolist() == [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]
    assert Y.tolist() == [2, 3, 4, 5, 6]


def test_a_stride_keeps_the_last_window_and_drops_the_oldest_values():
    X, Y = windows(np.arange(10), window=3, horizon=1, stride=3)
    assert X[..., 0].tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert Y.tolist() == [3, 6, 9]
    X, Y = windows(np.arange(9), window=3, horizon=1, stride=3)  # 0 and 1 are left out
    assert X[..., 0].tolist() == [[2, 3, 4], [5, 6, 7]] and Y.tolist() == [5, 8]


def test_the_shortest_series_gives_one_window():
    X, Y = windows([1.0, 2.0, 3.0], window=2, horizon=1)
    assert X.shape == (1, 2, 1) and Y.tolist() == [3.0]


@pytest.mark.filterwarnings("ignore:horizon = window")  # the pairs are right all the same
@given(
    T=st.integers(2, 40),
    window=st.integers(1, 12),
    horizon=st.integers(1, 6),
    stride=st.integers(1, 5),
    D=st.integers(1, 3),
)
def test_windows_equal_a_naive_loop_and_never_read_their_targets(T, window, horizon, stride, D):
    if T < window + horizon:
        return
    # every value is its own step number (channel d adds d / 10): a value says where it is from
    y = np.arange(T)[:, None] + np.arange(D) / 10  # (T, D)
    target = D - 1
    X, Y = windows(y, window, horizon, stride=stride, target=None if D == 1 else target)
    X_loop, Y_loop = naive_windows(y, window, horizon, stride, target)
    np.testing.assert_array_equal(X, X_loop)
    np.testing.assert_array_equal(Y, Y_loop)
    n = (T - window - horizon) // stride + 1
    assert X.shape == (n, window, D) and Y.shape == ((n,) if horizon == 1 else (n, horizon))
    first_target = np.floor(Y.reshape(n, -1)[:, 0])  # (n,) the step of each first target
    assert (np.floor(X.max(axis=(1, 2))) == first_target - 1).all()  # inputs end right before
    assert Y.reshape(n, -1)[-1, -1] == y[-1, target]  # the last value is a target


def test_a_horizon_equal_to_the_window_warns_that_the_regressor_reads_it_per_step():
    """fcli's finding: targets (n, W) beside windows of W steps are what RNNRegressor
    reads as sequence targets, a value per step; windows says so where it makes them."""
    y = np.arange(30.0)
    with pytest.warns(UserWarning, match="horizon = window = 4: RNNRegressor reads"):
        X, Y = windows(y, 4, 4)
    assert X.shape == (23, 4, 1) and Y.shape == (23, 4)
    for window, horizon in ((4, 3), (1, 1), (3, 4)):
        windows(y, window, horizon)  # no warning: an error under the suite's filters


def test_pandas_series_lists_and_dataframes_read_as_arrays():
    values = np.random.default_rng(0).standard_normal((30, 2))
    frame = pd.DataFrame(values, columns=["load", "temperature"], index=range(100, 130))
    X, Y = windows(frame, 5, 2, target="temperature")
    X_array, Y_array = windows(values, 5, 2, target=1)
    np.testing.assert_array_equal(X, X_array)
    np.testing.assert_array_equal(Y, Y_array)
    X_series, _ = windows(frame["load"], 5)
    np.testing.assert_array_equal(X_series, windows(values[:, 0].tolist(), 5)[0])
    np.testing.assert_array_equal(windows(values, 5, target=-1)[1], values[5:, 1])


def test_a_frames_target_is_read_as_its_column_label_first():
    """Integer labels are labels, as ``frame[target]`` reads them (a position for them
    forecast another column, silently); a duplicated label is refused, not its first."""
    values = np.arange(60.0).reshape(20, 3) * [1, 10, 100]
    frame = pd.DataFrame(values, columns=[2, 0, 1])  # e.g. pd.DataFrame(a)[[2, 0, 1]]
    for label, column in ((0, 1), (1, 2), (np.int64(2), 0)):
        np.testing.assert_array_equal(windows(frame, 4, target=label)[1], values[4:, column])
    years = pd.DataFrame(values, columns=[2019, 2020, 2021])
    with pytest.raises(ValueError, match=r"one of y's columns \[2019, 2020, 2021\]; got 0"):
        windows(years, 4, target=0)
    named = pd.DataFrame(values, columns=["load", "temperature", "load"])
    with pytest.raises(ValueError, match=r"'load' names 2 of .* \(positions \[0, 2\]\)"):
        windows(named, 4, target="load")
    np.testing.assert_array_equal(windows(named, 4, target=1)[1], values[4:, 1])  # a position
    with pytest.raises(ValueError, match="target must be an integer in .* got True"):
        windows(named, 4, target=True)


def test_the_last_window_is_the_input_of_the_forecast_beyond_the_data():
    """``windows``'s last window ends ``horizon`` values before the series, its targets the
    last values; ``last_window`` ends at the last value, with no target."""
    y = np.arange(30.0)
    X, _ = windows(y, 5, 3)
    assert X[-1, :, 0].tolist() == [22, 23, 24, 25, 26]
    x = last_window(y, 5)
    assert x.shape == (1, 5, 1) and x[0, :, 0].tolist() == [25, 26, 27, 28, 29]
    x[0, 0, 0] = -1.0  # an array of its own
    assert y[25] == 25
    frame = pd.DataFrame({"load": y, "temperature": -y}, index=pd.date_range("2024", periods=30))
    np.testing.assert_array_equal(last_window(frame, 4)[0], np.c_[y[-4:], -y[-4:]])
    np.testing.assert_array_equal(last_window(frame["load"], 30)[0, :, 0], y)
    assert last_window(y.tolist(), 2).tolist() == [[[28.0], [29.0]]]
    gappy = y.copy()
    gappy[3] = np.nan  # a gap further back than the window does not matter
    assert last_window(gappy, 5)[0, :, 0].tolist() == [25, 26, 27, 28, 29]


def test_a_model_forecasts_beyond_the_data_from_the_last_window():
    import frnn

    y = 5 + np.sin(np.arange(300) / 4)
    X, Y = windows(y, 16, 3)
    model = frnn.RNNRegressor(n_reservoirs=4, random_state=0).fit(X, Y)
    forecast = model.predict(last_window(y, 16))
    assert forecast.shape == (1, 3)
    assert np.abs(forecast[0] - (5 + np.sin(np.arange(300, 303) / 4))).max() < 0.1


@pytest.mark.parametrize(
    "y, window, match",
    [
        (np.arange(3.0), 4, "at least window = 4 steps; got 3"),
        (np.arange(3.0), 0, "window must be a positive integer; got 0"),
        (np.r_[1.0, 2.0, np.nan, 4.0], 2, "finite values .* nan at step 2, channel 0"),
        (np.zeros((4, 3, 2)), 2, r"one series, \(T,\) or \(T, D\).* \(4, 3, 2\)"),
        (np.float64(3.0), 1, r"one series.*got shape \(\)"),
    ],
)
def test_bad_input_to_last_window_is_refused_naming_the_argument(y, window, match):
    with pytest.raises(ValueError, match=match):
        last_window(y, window)


def test_the_windows_are_a_read_only_view_of_a_copy():
    y = np.arange(20.0)
    X, Y = windows(y, 4, 2)
    assert not X.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        X[0, 0, 0] = 99.0
    assert not np.shares_memory(X, y) and not np.shares_memory(Y, y)
    y[:] = -1  # the caller's series changed afterwards: the windows keep its old values
    assert X[0, :, 0].tolist() == [0, 1, 2, 3] and Y[0].tolist() == [4, 5]
    owner = X
    while owner.base is not None:
        owner = owner.base
    assert owner.size == y.size  # the memory under the windows holds T values, not n · window
    Y[0, 0] = 7.0  # the targets are a new array of their own
    X_copy = X.copy()
    X_copy[0, 0, 0] = 5.0


def test_the_targets_cost_their_own_memory_once():
    """A million values, twelve steps ahead: Y (n, 12) is the one new array of their size
    (an index array of Y's shape, built to gather them, doubled the peak)."""
    import tracemalloc

    y = np.zeros(1_000_000)
    tracemalloc.start()
    try:
        X, Y = windows(y, 50, 12)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert Y.shape == (999_939, 12) and peak < 1.3 * Y.nbytes


def test_the_windows_go_into_rnn_regressor_as_they_are():
    """Read-only X (n, window, 1) and direct multi-step targets (n, horizon): predict gives
    (n, horizon) in the series' units, near a noiseless sine's next values."""
    import frnn

    y = 5 + np.sin(np.arange(400) / 4)
    X, Y = windows(y, 16, 3, stride=2)
    model = frnn.RNNRegressor(n_reservoirs=4, random_state=0).fit(X[:-20], Y[:-20])
    forecast = model.predict(X[-20:])
    assert forecast.shape == (20, 3)
    assert np.abs(forecast - Y[-20:]).max() < 0.1


# -- refusals ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "y, kwargs, match",
    [
        (np.arange(10.0), {"window": 0}, "window must be a positive integer; got 0"),
        (np.arange(10.0), {"window": 2.5}, "window must be a positive integer; got 2.5"),
        (np.arange(10.0), {"window": 3, "horizon": 0}, "horizon must be a positive integer; got 0"),
        (np.arange(10.0), {"window": 3, "stride": 0}, "stride must be a positive integer; got 0"),
        (np.arange(4.0), {"window": 3, "horizon": 2}, r"horizon = 3 \+ 2 = 5 steps; got 4"),
        (np.r_[1.0, np.nan, 3.0, 4.0], {"window": 2}, "finite values .* nan at step 1, channel 0"),
        (np.r_[1.0, 2.0, np.inf, 4.0], {"window": 2}, "finite values .* inf at step 2"),
        (np.zeros((4, 3, 2)), {"window": 2}, r"one series, \(T,\) or \(T, D\).* \(4, 3, 2\)"),
        (np.float64(3.0), {"window": 1}, r"one series.*got shape \(\)"),
        (np.zeros((5, 0)), {"window": 1}, r"one series.*got shape \(5, 0\)"),
        (np.zeros((6, 2)), {"window": 2}, "target must name the channel .* 2 channels"),
        (np.zeros((6, 2)), {"window": 2, "target": 2}, r"target must be .*\[0, 2\); got 2"),
        (np.zeros((6, 2)), {"window": 2, "target": "a"}, r"target must be an integer in \[0, 2\)"),
        (pd.DataFrame({"a": range(6)}), {"window": 2, "target": "b"}, "y's columns .'a'.; got 'b'"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_argument(y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        windows(y, **kwargs)


def test_text_is_refused_as_not_numeric():
    with pytest.raises(TypeError, match="y must be a numeric array"):
        windows(["a", "b", "c"], 1)


# -- time-ordered splits -------------------------------------------------------------------
@pytest.mark.parametrize(
    "window, horizon, stride", [(1, 1, 1), (5, 1, 1), (4, 3, 1), (6, 2, 3), (3, 1, 4)]
)
def test_time_split_keeps_every_training_window_before_the_validation_windows(
    window, horizon, stride
):  # fmt: skip
    y = np.arange(200.0)
    X, Y = windows(y, window, horizon, stride=stride)
    Y = Y.reshape(len(Y), -1)
    tightest = []
    for train, test in time_split(4, window=window, horizon=horizon, stride=stride).split(X):
        last_seen = max(X[train].max(), Y[train].max())  # every value the model is fitted on
        first_read = X[test].min()  # the first value a validation window reads
        assert last_seen < first_read
        tightest.append(first_read - last_seen)
    # the gap is no wider than it has to be: with one window fewer between them they touch
    assert min(tightest) <= stride


def test_the_gap_without_the_window_would_leak():
    """The check above fails on the split a practitioner writes first, TimeSeriesSplit()
    (gap 0): the validation inputs are values the model was fitted to predict."""
    from sklearn.model_selection import TimeSeriesSplit

    X, Y = windows(np.arange(100.0), 8, 2)
    train, test = next(TimeSeriesSplit(4).split(X))
    assert Y[train].max() >= X[test].min()
    assert time_split(4, window=8, horizon=2).gap == 9


def test_time_split_passes_sizes_on_and_refuses_a_gap():
    split = time_split(3, window=4, horizon=2, test_size=10, max_train_size=50)
    assert (split.n_splits, split.test_size, split.max_train_size, split.gap) == (3, 10, 50, 5)
    with pytest.raises(TypeError, match="sets gap"):
        time_split(3, window=4, gap=0)
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        time_split(3, window=4, horizon=0)


def test_holdout_targets_are_the_tail_alone_and_inputs_end_before_them():
    y = np.arange(100.0)
    train, test = holdout(y, 20, window=6)
    assert train.tolist() == list(range(80)) and test[0] == 74 and test[-1] == 99
    X, Y = windows(test, 6, 3)
    assert Y.min() == 80 and Y.max() == 99 and X.max() < 99
    X_train, Y_train = windows(train, 6, 3)
    assert Y_train.max() == 79  # nothing of the tail in the training pairs
    series = pd.Series(y, index=np.arange(100) * 10)
    train, test = holdout(series, 20, window=6)  # by position, whatever the index
    assert train.iloc[-1] == 79 and test.iloc[0] == 74
    with pytest.raises(ValueError, match=r"more than test_size \+ window = 90 \+ 10"):
        holdout(y, 90, window=10)
    with pytest.raises(ValueError, match="test_size must be a positive integer; got 0"):
        holdout(y, 0, window=10)
    with pytest.raises(ValueError, match=r"y must be one series.*got shape \(\)"):
        holdout(3.0, 1, window=1)
    with pytest.raises(ValueError, match=r"y must be one series.*got shape \(2, 3, 4\)"):
        holdout(np.zeros((2, 3, 4)), 1, window=1)


# -- telling windows from independent series -------------------------------------------------
@pytest.mark.parametrize("stride", [1, 3])
@pytest.mark.parametrize("horizon", [1, 12])
def test_window_stride_reads_the_stride_of_windows_and_of_a_fold_of_them(stride, horizon):
    y = np.random.default_rng(0).standard_normal((400, 2))
    X, Y = windows(y, 24, horizon, stride=stride, target=0)
    assert window_stride(X) == stride
    assert overlap_gap(X, 1 if Y.ndim == 1 else Y.shape[1]) == (24 + horizon - 1) // stride
    assert window_stride(X[..., 0]) == stride  # (n, T) as well
    for train, test in time_split(3, window=24, horizon=horizon, stride=stride).split(X):
        assert window_stride(X[train]) == window_stride(X[test]) == stride


def test_window_stride_reads_no_stride_in_independent_or_degenerate_series():
    rng = np.random.default_rng(1)
    assert window_stride(rng.standard_normal((50, 30))) == 0
    assert window_stride(rng.integers(0, 2, (50, 30))) == 0  # binary, still independent
    assert window_stride(np.ones((20, 10, 1))) == 0  # a constant series' windows
    X, _ = windows(rng.standard_normal(100), 10)
    assert window_stride(X[:2]) == 0  # two rows: too few to read
    assert window_stride(X[::-1]) == 0  # the windows out of order
    assert window_stride(np.concatenate([X[:20], X[40:]])) == 0  # a run cut out
    assert window_stride(windows(rng.standard_normal(100), 5, stride=5)[0]) == 0  # no overlap
    assert overlap_gap(rng.standard_normal((50, 30)), 12) == 0


def test_window_stride_takes_the_least_shift_that_fits():
    """Windows of stride 4 of a series of period 3 fit shifts 1 and 4: the least, whose
    neighbours share more (a longer gap); of period 2, every window is the same: none."""
    X, _ = windows(np.tile([0.0, 1.0, 2.0], 40), 8, stride=4)
    assert window_stride(X) == 1
    assert window_stride(windows(np.tile([0.0, 1.0], 50), 8, stride=4)[0]) == 0
