"""Forecasting one long series: sliding windows as (X, y) pairs, and time-ordered splits.

A series y[0], …, y[T − 1] becomes n pairs, window i's inputs the ``window`` values
before its origin t_i and its targets the ``horizon`` values from t_i on:

    X[i] = y[t_i − window : t_i]          (window, D)
    Y[i] = y[t_i : t_i + horizon]         (horizon,), of one channel

so that no input of a window is at or after its first target.  The windows are read from
the end: the last window's targets are the series' last ``horizon`` values, and every
``stride``-th origin before it is taken (the most recent data is never the part left out).

Where the leak hides is the split, not the windows: a model is scored on windows whose
targets come after every value it was fitted on.  :func:`holdout` cuts the series' tail
off before any window is made (the tail's first windows read their inputs from the last
values before the cut, as a forecast made at the cut would), and :func:`time_split` is
scikit-learn's ``TimeSeriesSplit`` with the gap that keeps each training window's targets
before the first input of the validation windows.  Standardising is the model's business:
``RNNRegressor`` and a ``Pipeline(StandardScaler(), RidgeCV())`` fit their scaling on the
training windows alone (standardising the whole series first would read the future).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

from .._validate import Interval, as_float_array

__all__ = ["holdout", "last_window", "overlap_gap", "time_split", "window_stride", "windows"]

_POSITIVE = Interval("int", 1)


def windows(y, window: int, horizon: int = 1, *, stride: int = 1, target=None):
    """The sliding windows of a series and the values that follow each.

        X[i] = y[t_i − window : t_i],  Y[i] = y[t_i : t_i + horizon, target],
        t_i = T − horizon − (n − 1 − i)·stride,  n = ⌊(T − window − horizon) / stride⌋ + 1

    Parameters
    ----------
    y : array_like (T,) or (T, D), a pandas Series or DataFrame
        The series, oldest value first; finite numbers.
    window : int ≥ 1
        The number of past values each input holds.
    horizon : int ≥ 1, default 1
        The number of values ahead each target holds (direct multi-step forecasting:
        one output per step ahead).
    stride : int ≥ 1, default 1
        The steps between one window's origin and the next.
    target : int, a DataFrame's column label, or None
        The channel forecast, of a series of D > 1 channels (every channel is an input);
        None for a series of one channel.

    Returns
    -------
    X : (n, window, D) float64 array, read-only
        A strided view of a float64 copy of y: the windows share memory with each other
        (n · window · D values cost T · D) and not with the caller's y; writing to it raises
        (``X.copy()`` gives a writable array of its own).
    Y : (n,) for horizon 1, else (n, horizon), float64 array
        A new array.

    Warns
    -----
    UserWarning
        horizon = window > 1: ``RNNRegressor`` reads targets (n, window) beside windows of
        ``window`` steps as a value per step (sequence targets), not the values ahead.

    Raises
    ------
    ValueError
        window, horizon or stride not an integer ≥ 1 (an InvalidParameterError); y not one
        series of T steps, holding NaN or inf, or shorter than window + horizon; target
        missing for several channels, or not one of them.
    TypeError
        y not numeric.
    """
    window = _POSITIVE.check(window, "window")
    horizon = _POSITIVE.check(horizon, "horizon")
    stride = _POSITIVE.check(stride, "stride")
    channel = _channel(y, target)
    series = _series(y)  # (T, D), a copy of its own
    T, D = series.shape
    if T < window + horizon:
        raise ValueError(
            f"y must hold at least window + horizon = {window} + {horizon} = "
            f"{window + horizon} steps; got {T}"
        )
    channel = _checked_channel(channel, D)
    n = (T - window - horizon) // stride + 1
    first = T - window - horizon - (n - 1) * stride  # the values before it are left out
    views = np.lib.stride_tricks.sliding_window_view(series[first:], window, axis=0)
    X = views[: n * stride : stride].transpose(0, 2, 1)  # (n, window, D), read-only
    # Y[i] = the target channel from window i's origin first + window + i·stride on; a
    # strided view copied once (an index array (n, horizon) cost as much memory as Y again)
    ahead = np.lib.stride_tricks.sliding_window_view(series[first + window :, channel], horizon)
    Y = np.array(ahead[: n * stride : stride])  # (n, horizon), an array of its own
    if horizon == window > 1:
        warnings.warn(
            f"horizon = window = {window}: RNNRegressor reads targets (n, T) of series of T "
            f"steps as a value per step (sequence targets), not {horizon} values ahead; "
            f"choose a window other than the horizon ({window + 1}, say) to fit them as "
            "the forecasts ahead",
            UserWarning,
            stacklevel=2,
        )
    return X, (Y[:, 0] if horizon == 1 else Y)


def last_window(y, window: int) -> np.ndarray:
    """The input of the forecast beyond the data: the series' last ``window`` values as one
    window, for ``model.predict`` to forecast y[T], …, y[T + horizon − 1].

    The windows of :func:`windows` each need their targets, so the last of them ends
    ``horizon`` values before the series does; this one ends at its last value.

    Parameters
    ----------
    y : array_like (T,) or (T, D), a pandas Series or DataFrame
        The series, oldest value first (every channel: the windows' inputs are all of
        them); its last ``window`` values finite.
    window : int ≥ 1
        As given to :func:`windows` for the training pairs.

    Returns
    -------
    (1, window, D) float64 array
        y[T − window :], an array of its own: ``model.predict(last_window(y, window))`` is
        (1,) for horizon 1, else (1, horizon).

    Raises
    ------
    ValueError
        window not an integer ≥ 1 (an InvalidParameterError); y not one series of T steps,
        holding NaN or inf, or shorter than window.
    TypeError
        y not numeric.
    """
    window = _POSITIVE.check(window, "window")
    T = len(y) if np.ndim(y) in (1, 2) else 0
    if T >= window:  # only the tail is read and checked: a gap further back does not matter
        y = getattr(y, "iloc", y)[T - window :]  # pandas by position, a list or an array
    series = _series(y, first=max(T - window, 0))  # (window, D), a copy of its own
    if len(series) < window:
        raise ValueError(f"y must hold at least window = {window} steps; got {len(series)}")
    return series[None]


def _series(y, first: int = 0) -> np.ndarray:
    """y as a (T, D) float64 array of its own, finite (a bad value named by its step in the
    caller's series, of which y starts at step ``first``)."""
    array = np.array(as_float_array(y, "y", dtype=np.float64))  # a copy: X views it alone
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"y must be one series, (T,) or (T, D) with T, D >= 1 (time along the first "
            f"axis); got shape {array.shape}"
        )
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        step, column = (int(v) for v in bad[0])
        raise ValueError(
            f"y must hold finite values (fill or cut gaps before making windows); got "
            f"{array[step, column]} at step {first + step}, channel {column} "
            f"({len(bad)} such value(s))"
        )
    return array


def _channel(y, target):
    """A DataFrame's column label as its position; anything else unchanged.

    A label is read as a label first, as ``frame[target]`` reads it: of columns [1, 0],
    target 0 is the second.  An integer is a position only among labels none of which is a
    number (else a label that is no column would pass as the column at that position).
    """
    columns = getattr(y, "columns", None)
    if columns is None or target is None or isinstance(target, bool | np.bool_):
        return target
    found = [i for i, label in enumerate(columns) if _same(label, target)]
    if len(found) > 1:
        raise ValueError(
            f"target must name one column of y; {target!r} names {len(found)} of "
            f"{list(columns)} (positions {found}): rename them, or pass y.to_numpy() and "
            "the position"
        )
    if found:
        return found[0]
    if isinstance(target, int | np.integer) and not any(map(_number, columns)):
        return target  # a position: no column is labelled by a number
    raise ValueError(f"target must be one of y's columns {list(columns)}; got {target!r}")


def _same(label, target) -> bool:
    """Whether a column label is ``target`` (as pandas compares them; a bool names none)."""
    if isinstance(label, bool | np.bool_) or isinstance(target, bool | np.bool_):
        return False
    try:
        return bool(label == target)
    except (TypeError, ValueError):  # a label or target that refuses the comparison
        return False


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _checked_channel(target, D: int) -> int:
    """The position of the forecast channel among D."""
    if target is None:
        if D > 1:
            raise ValueError(
                f"target must name the channel to forecast for y of {D} channels "
                f"(an integer in [0, {D}) or a DataFrame's column); got None"
            )
        return 0
    if isinstance(target, bool) or not isinstance(target, int | np.integer):
        raise ValueError(f"target must be an integer in [0, {D}) or None; got {target!r}")
    if not -D <= target < D:
        raise ValueError(f"target must be an integer in [0, {D}); got {target}")
    return int(target) % D


def window_stride(X) -> int:
    """The stride s of :func:`windows` if X's rows are consecutive windows of one series,
    each the one before it moved on by s < T steps; else 0.

    Read from X alone, exactly: X[i + 1, : T − s] == X[i, s:] for every i, the least such
    s in [1, T) (a shorter shift that also fits is the one whose neighbours share more).
    What :func:`windows` makes, at any stride below the window, and every run of
    consecutive rows of it (a :func:`time_split` fold); independent series of real values
    do not pass.  Windows that repeat each other (a constant series: every row equal), and
    fewer than three rows, give 0: no shift to read.  The cost, a comparison of X with
    itself per shift that the first two rows' first values allow (at most 64 of them,
    the least first), is small beside any fit's.

    Parameters
    ----------
    X : (n, T) or (n, T, D) array

    Returns
    -------
    int
        s ≥ 1, or 0.
    """
    X = np.asarray(X)
    X = X[:, :, None] if X.ndim == 2 else X  # (n, T, D)
    if X.ndim != 3 or len(X) < 3 or X.shape[1] < 2 or np.array_equal(X[1:], X[:-1]):
        return 0
    for s in _shifts(X[0], X[1])[:_SHIFTS_TRIED]:
        if np.array_equal(X[1, :-s], X[0, s:]) and np.array_equal(X[1:, :-s], X[:-1, s:]):
            return int(s)
    return 0


_SHIFTS_TRIED = 64  # shifts checked in full, the least first: more only in periodic data


def _shifts(first: np.ndarray, second: np.ndarray, prefix: int = 16) -> np.ndarray:
    """The shifts s in [1, T) with second[j] == first[s + j] for the first ``prefix`` j
    (those within the row), in increasing order: O(prefix·T) where checking every shift
    in full would cost O(T²)."""
    T = len(first)
    shifts = np.arange(1, T)
    for j in range(min(prefix, T - 1)):
        inside = shifts + j < T
        at = np.minimum(shifts + j, T - 1)
        shifts = shifts[~inside | (first[at] == second[j]).all(axis=-1)]
    return shifts


def overlap_gap(X, K: int = 1) -> int:
    """The rows either side of each window that share a value with it, inputs or targets:
    ⌊(T + K − 1) / s⌋ (:func:`time_split`'s gap) for windows of stride s = :func:`window_stride`
    (X) with K targets each (direct multi-step: ``horizon``), 0 if X is no such windows.

    Window i reads y[t_i − T : t_i + K] and window i + d's origin is d·s further on: they
    share a value while d·s < T + K.

    Parameters
    ----------
    X : (n, T) or (n, T, D) array
    K : int ≥ 1, the targets' columns

    Returns
    -------
    int ≥ 0
    """
    s = window_stride(X)
    return (np.shape(X)[1] + K - 1) // s if s else 0


def holdout(y, test_size: int, *, window: int):
    """The series cut in two for a final test: the training part y[: T − test_size] and
    the tail's windows' values y[T − test_size − window :], the ``window`` values before
    the cut and the tail.

    ``windows(test_part, window, horizon)`` then has targets in the tail alone, the first
    of them the first value after the cut, and inputs that end before each target: the
    forecasts a model fitted on the training part would make from the cut on.

    Parameters
    ----------
    y : array_like (T,) or (T, D), a pandas Series or DataFrame
    test_size : int ≥ 1
        The number of values in the tail.
    window : int ≥ 1
        The windows' length (the tail's part reads that many values before the cut).

    Returns
    -------
    train : (T − test_size,) or (T − test_size, D)
    test : (window + test_size,) or (window + test_size, D)
        Slices of y (views of an array, rows of a pandas object), not copies.
    """
    test_size = _POSITIVE.check(test_size, "test_size")
    window = _POSITIVE.check(window, "window")
    if np.ndim(y) not in (1, 2):  # a number, or a stack of series: no time axis to cut
        raise ValueError(f"y must be one series, (T,) or (T, D); got shape {np.shape(y)}")
    T = len(y)
    if T <= test_size + window:
        raise ValueError(
            f"y must hold more than test_size + window = {test_size} + {window} steps, a "
            f"training part besides the tail; got {T}"
        )
    rows = getattr(y, "iloc", y)  # pandas: by position, whatever the index
    return rows[: T - test_size], rows[T - test_size - window :]


def time_split(n_splits: int = 5, *, window: int, horizon: int = 1, stride: int = 1, **kwargs):
    """scikit-learn's ``TimeSeriesSplit`` over the windows of :func:`windows`, with a gap
    that keeps every training window, inputs and targets, before the first input of the
    validation windows: ⌊(window + horizon − 1) / stride⌋ windows left out between them.

    Window i reads y[t_i − window : t_i + horizon]; the first validation window j reads
    from t_j − window on, and t_j − t_i = (j − i)·stride, so (j − i)·stride ≥ window +
    horizon, j − i − 1 ≥ the gap, puts the whole of window i before it.  (A gap of
    ⌊(horizon − 1) / stride⌋ would keep only the targets apart: the validation inputs would
    be values the model was fitted to predict.)

    Parameters
    ----------
    n_splits : int ≥ 2, default 5
    window, horizon, stride : int ≥ 1
        As given to :func:`windows`.
    **kwargs
        ``max_train_size``, ``test_size``, passed on to ``TimeSeriesSplit``.

    Returns
    -------
    sklearn.model_selection.TimeSeriesSplit
        For ``cross_val_score(model, X, Y, cv=...)``, ``GridSearchCV(..., cv=...)``.
    """
    window = _POSITIVE.check(window, "window")
    horizon = _POSITIVE.check(horizon, "horizon")
    stride = _POSITIVE.check(stride, "stride")
    if "gap" in kwargs:
        raise TypeError("time_split sets gap from window, horizon and stride; do not pass it")
    gap = (window + horizon - 1) // stride
    return TimeSeriesSplit(n_splits=n_splits, gap=gap, **kwargs)
