"""Forecasting one long series from the command line: ``frnn train --series FILE --window
N`` and ``frnn predict --model RUN --series FILE``.

``train`` reads the file (:func:`frnn.data.seriesfile.read_series_file`), cuts the test
tail off before any window is made (:func:`frnn.data.holdout`, ``--test-size``), makes the
training part's windows (:func:`frnn.data.windows`, ``--window``, ``--horizon``,
``--stride``, ``--target``) and fits an ``RNNRegressor`` on them as on any set of series;
the tail's windows (every origin) are scored per step ahead beside the naive forecast
(the window's last target value) and, with ``--season P``, the seasonal naive one (the
value P·⌈k/P⌉ steps before the k-th step ahead, read from the series: P may exceed the
window).  ``--inputs`` chooses the columns read.  A missing value is refused only where a
window, the tail or the season reads it (no row is dropped: that would join the steps
either side); a time step the file skips is said on standard error.  config.json's
``data`` records the file, the windows' settings, the channels by name and the target, so
that ``predict`` reads a new file of the same layout and forecasts the ``horizon`` values
after its last row (:func:`frnn.data.last_window`), the time stamps continued where they
are regular; a model file without its config.json forecasts from its own window (its
training series' length) and horizon, the file's columns taken in order.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import numpy as np

from .._validate import Interval, argument_type, check_file
from ..data.forecast import last_window, windows
from ..data.series import Series
from ..data.seriesfile import read_series_file
from .data import HEADERS, text_file
from .flags import flag

__all__ = [
    "FORECAST_KEYS",
    "add_forecast_options",
    "evaluate_forecast",
    "forecast_metrics",
    "load_series",
    "print_forecast",
    "run_forecast",
    "series_spec",
]

#: The windows' settings ``frnn train --series`` records in config.json's data entry.
FORECAST_KEYS = ("window", "horizon", "stride", "target", "test_size", "season", "inputs")
_POSITIVE = Interval("int", 1)
_SIZE = argument_type(_POSITIVE, "size")
_DEFAULTS = {
    "horizon": 1,
    "stride": 1,
    "target": None,
    "test_size": None,
    "season": None,
    "inputs": None,
}


def add_forecast_options(parser: argparse.ArgumentParser) -> None:
    """``frnn train``'s --series and the windows' options (absent from the namespace unless
    given: a --config's apply then)."""
    group = parser.add_argument_group(
        "forecasting one long series (--series: one row per time step, one column per "
        "channel; --header and --time as for files)"
    )
    add = group.add_argument
    hide = argparse.SUPPRESS
    add(
        "--series",
        default=hide,
        metavar="FILE",
        help="a .csv/.tsv/.txt file of one long series, oldest row first, perhaps a time "
        "column (ISO 8601 dates, or numbers under a header such as time or date): train a "
        "forecaster of the next --horizon values from the last --window ones",
    )
    add(
        "--window",
        type=_SIZE,
        default=hide,
        metavar="N",
        help="past values (rows) each input holds (required with --series: no default)",
    )
    add(
        "--horizon",
        type=_SIZE,
        default=hide,
        metavar="H",
        help="values ahead forecast, one output per step ahead (default 1)",
    )
    add(
        "--target",
        default=hide,
        metavar="COLUMN",
        help="the column forecast, by header name or by its number in the file from 1 "
        "(default: the one column of values; every column is an input)",
    )
    add(
        "--stride",
        type=_SIZE,
        default=hide,
        metavar="S",
        help="steps between training windows' origins (default 1)",
    )
    add(
        "--test-size",
        type=_SIZE,
        default=hide,
        metavar="N",
        help="the last N rows held out before any window is made, and scored per step ahead "
        "beside the naive (last value) forecast (default: none; train on every row)",
    )
    add(
        "--inputs",
        type=_column_list,
        default=hide,
        metavar="COLUMNS",
        help="the columns read as inputs, by header name or number from 1, comma-separated, "
        "the target among them (default: every column but the time column; the others are "
        "not read: text, gaps, anything)",
    )
    add("--season", type=_SIZE, default=hide, metavar="P", help=SEASON_HELP)


#: --season's help, train's and evaluate's.
SEASON_HELP = (
    "the season in steps (24 for hours of a daily cycle): the tail is also scored beside the "
    "seasonal naive forecast, the value P steps before each target (2P, ... for steps ahead "
    "beyond P); P may exceed --window (default: none)"
)


def _column_list(text: str) -> list[str]:
    """--inputs load,temp: the columns' names or numbers."""
    columns = [c.strip() for c in text.split(",")]
    if not all(columns):
        raise argparse.ArgumentTypeError(f"{text!r}: column names or numbers, comma-separated")
    return columns


def series_spec(given: dict, base: dict | None) -> dict | None:
    """The data entry of a --series run (None where neither --series nor the --config's
    data is one): the file and its digest, --header, --time and the windows' settings,
    those given over the --config's."""
    from .config import _sha256

    options = {key: given[key] for key in FORECAST_KEYS if key in given}
    series = "series" in (base or {})
    if "series" not in given and not series:
        if options:
            names = " and ".join(flag(key) for key in options)
            raise ValueError(f"{names}: for --series (forecasting one long series)")
        return None
    others = [f for f in ("train", "test", "dataset", "id", "label") if f in given]
    if others:
        raise ValueError(
            f"{flag(others[0])}: not with --series; give either --series (one long series) "
            "or --train/--dataset (sets of series)"
        )
    spec = {key: value for key, value in (base or {}).items() if series}
    spec.pop("channels", None)  # found again in the file read
    spec.pop("time_column", None)
    if "series" in given:
        path = os.path.abspath(given["series"])
        spec.update(series=path, sha256={"series": _sha256(path)})
    for key in ("header", "time"):
        if key in given:
            spec[key] = given[key]
    spec.update(options)
    if "window" not in spec:
        raise ValueError("--series needs --window N, the number of past values each input holds")
    return {**_DEFAULTS, **spec}


def load_series(data: dict):
    """The training windows, the test tail's (None without --test-size), the seasonal naive
    forecast of the tail (None without --season) and the data entry with the channels'
    names, the target's and the time column's found in the file."""
    path = data["series"]
    _check_text(path)
    inputs = data.get("inputs")
    header, time = HEADERS[data.get("header", "auto")], data.get("time")
    found = read_series_file(path, header=header, time=time, columns=inputs)
    target = _target(path, found, data.get("target"), inputs)
    window, horizon, stride = data["window"], data["horizon"], data["stride"]
    size, T = data.get("test_size") or 0, len(found.values)
    _check_sizes(path, T, window, horizon, size)
    read = np.zeros(found.values.shape, dtype=bool)  # (T, D): the cells some window reads
    _mark(read[: T - size], window, horizon, stride, target)
    _refuse_missing(path, found, read, "the training windows read")
    test = seasonal = None
    if size:
        test, seasonal = _tail(path, found, data, size, target)
    values = found.values
    values = np.where(np.isnan(values) & ~read, 0.0, values)  # never read: windows() is strict
    train = _split(*windows(values[: T - size], window, horizon, stride=stride, target=target))
    _note_skips(path, found)  # once every check has passed: an error stays one line
    resolved = {
        **data,
        "target": found.names[target],
        "channels": found.names,
        "time_column": found.time,
    }
    return train, test, seasonal, resolved


def _mark(read: np.ndarray, window: int, horizon: int, stride: int, target: int) -> None:
    """Mark in ``read`` (T, D) the cells the windows of its T rows read: every channel of
    an input row, the target's of a target row (as :func:`frnn.data.windows` makes them,
    from the end; the oldest rows a stride leaves out are not read)."""
    T = len(read)
    n = (T - window - horizon) // stride + 1
    starts = T - window - horizon - (n - 1 - np.arange(n)) * stride  # (n,) first input rows

    def rows(offset: int, length: int) -> np.ndarray:
        count = np.zeros(T + 1, dtype=np.int64)  # +1 at a run's start, -1 after its end
        np.add.at(count, starts + offset, 1)
        np.add.at(count, starts + offset + length, -1)
        return np.cumsum(count[:T]) > 0  # (T,)

    read[rows(0, window)] = True
    read[rows(window, horizon), target] = True


def _tail(path: str, found, data: dict, size: int, target: int):
    """The windows of the last ``size`` rows of ``found``'s values (T, D), every origin
    each reading the ``window`` rows before it, and the seasonal naive forecast of each
    (n, horizon) or None; a missing value they read refused."""
    window, horizon, season = data["window"], data["horizon"], data.get("season")
    values, T = found.values, len(found.values)
    read = np.zeros(values.shape, dtype=bool)
    _mark(read[T - size - window :], window, horizon, 1, target)
    seasonal = None
    if season:
        back = _season_rows(T, size, horizon, season, path)  # (n, horizon)
        read[back.ravel(), target] = True
        seasonal = values[back, target]
    _refuse_missing(path, found, read, "the tail's forecasts read")
    values = np.where(np.isnan(values) & ~read, 0.0, values)[T - size - window :]
    return _split(*windows(values, window, horizon, target=target)), seasonal


def _season_rows(T: int, size: int, horizon: int, season: int, path: str) -> np.ndarray:
    """The rows (n, horizon) of the seasonal naive forecasts of the last ``size`` rows'
    origins: y(o + k − 1) forecast by y(o + k − 1 − P·⌈k / P⌉), k = 1 … horizon, the
    latest value of the same phase of the season before the origin o."""
    first = T - size  # the tail's first origin
    if season > first:
        raise ValueError(
            f"{path}: --season {season} forecasts each value by the one {season} rows before "
            f"it, but only {first} rows come before the --test-size {size} rows scored; pass "
            "a shorter --season or --test-size"
        )
    origins = np.arange(first, T - horizon + 1)  # (n,)
    k = np.arange(1, horizon + 1)
    lag = season * -(-k // season)  # P·⌈k / P⌉: never at or after the origin
    return origins[:, None] + (k - 1 - lag)[None, :]


def _check_text(path: str) -> None:
    """Refuse a missing file, and one that is no text file of values (.npz, .ts)."""
    check_file(path)
    if not text_file(path):
        raise ValueError(
            f"{path}: --series reads a text file of one row per time step (.csv, .tsv, .txt, "
            "perhaps compressed); for windows of your own in an .npz, use --train/--data"
        )


def _split(X: np.ndarray, Y: np.ndarray) -> Series:
    return Series(X=np.array(X), y=Y, lengths=np.full(len(X), X.shape[1]))


def _target(path: str, found, target, inputs=None) -> int:
    """The forecast channel's position: named, numbered (the file's column from 1), or the
    only one (``inputs``: the --inputs chosen, None for every column)."""
    names = found.names
    if target is None:
        if len(names) > 1:
            which = "each of --inputs" if inputs else "every column"
            raise ValueError(
                f"{path}: {len(names)} columns of values ({', '.join(names[:10])}); pass "
                f"--target COLUMN, the one to forecast ({which} is an input)"
            )
        return 0
    target = str(target)
    if target in names:
        return names.index(target)
    if target.isdigit() and int(target) in found.columns:
        return found.columns.index(int(target))
    if inputs:
        raise ValueError(
            f"--target {target} is not among --inputs {','.join(map(str, inputs))}: the "
            "target's past values are inputs too; add it to them"
        )
    if found.time is not None and target in (found.time, str(_time_number(found))):
        raise ValueError(f"{path}: --target {target}: the time column, not values")
    raise ValueError(f"{path}: --target {target}: no such column; {found.columns_said()}")


def _time_number(found) -> int:
    """The time column's number in the file, from 1 (the one missing among the channels')."""
    numbers = set(range(1, len(found.columns) + 2)) - set(found.columns)
    return min(numbers)


def _refuse_missing(path: str, found, read: np.ndarray, what: str) -> None:
    """Refuse a missing value among the cells ``read`` (T, D) of ``found``'s values (the
    model's channels), naming the first one's row and column: a gap no window reads (rows
    a stride leaves out, a column the model does not take) does not matter."""
    bad = np.argwhere(read & np.isnan(found.values))
    if len(bad):
        step, channel = (int(v) for v in bad[0])
        raise ValueError(
            f"{path}: row {found.rows[step]}, column {found.names[channel]!r}: a missing "
            f"value {what} ({len(bad)} in all); fill the gaps first (rows cut out of the "
            "middle would join the steps either side)"
        )


def _check_sizes(path: str, T: int, window: int, horizon: int, test_size) -> None:
    """Refuse windows the file is too short for, in the options' words."""
    if horizon == window > 1:
        raise ValueError(
            f"--horizon {horizon} equals --window: the regressor would read (n, {window}) "
            "targets as one per input step, not per step ahead; change one of them"
        )
    if test_size and test_size < horizon:
        raise ValueError(
            f"--test-size {test_size} is shorter than --horizon {horizon}: no forecast of the "
            "tail would end inside it"
        )
    train = T - (test_size or 0)
    if train < window + horizon or (test_size and T <= test_size + window):
        cut = f" less the --test-size {test_size}" if test_size else ""
        raise ValueError(
            f"{path}: {T} rows{cut} leave {train} to train on; --window {window} + --horizon "
            f"{horizon} needs at least {window + horizon}"
        )


def forecast_metrics(clf, test: Series, data: dict, seasonal=None) -> dict:
    """The test tail's MAE and RMSE per step ahead, the naive forecast's (every step the
    window's last target value) and, with a season P, the seasonal naive forecast's
    (``seasonal`` (n, horizon), from :func:`load_series`), for metrics.json."""
    target = data["channels"].index(data["target"])
    P = np.asarray(clf.predict(test)).reshape(len(test.y), -1)  # (n, horizon)
    Y = test.y.reshape(len(test.y), -1)
    naive = np.repeat(test.X[:, -1, target][:, None], Y.shape[1], axis=1)  # (n, horizon)

    def scores(F):
        error = F - Y
        return np.abs(error).mean(axis=0).tolist(), np.sqrt((error**2).mean(axis=0)).tolist()

    mae, rmse = scores(P)
    naive_mae, naive_rmse = scores(naive)
    seasonal_mae, seasonal_rmse = (None, None) if seasonal is None else scores(seasonal)
    return {
        "window": data["window"],
        "horizon": data["horizon"],
        "target": data["target"],
        "n_forecasts": len(Y),
        "step": list(range(1, Y.shape[1] + 1)),
        "mae": mae,
        "rmse": rmse,
        "naive_mae": naive_mae,
        "naive_rmse": naive_rmse,
        "season": data.get("season") if seasonal is not None else None,
        "seasonal_mae": seasonal_mae,
        "seasonal_rmse": seasonal_rmse,
    }


def print_forecast(metrics: dict) -> None:
    """The per-step table of the test tail (about twelve rows of a long horizon), and the
    MAE over every step ahead beside the baselines'."""
    steps = metrics["step"]
    every = max(1, len(steps) // 12)
    keys = ["mae", "naive_mae", "rmse", "naive_rmse"]
    heads = ["MAE", "naive MAE", "RMSE", "naive RMSE"]
    if metrics.get("season"):  # "seas.": the table within 80 columns
        keys[2:2], heads[2:2] = ["seasonal_mae"], ["seas. MAE"]
        keys.append("seasonal_rmse")
        heads.append("seas. RMSE")
    width = 12
    print(f"tail: {metrics['n_forecasts']} forecasts of {metrics['target']!r}, per step ahead")
    print(f"{'step':>6}" + "".join(f"{h:>{width}}" for h in heads))
    for i, step in enumerate(steps):
        if i % every and i != len(steps) - 1:
            continue
        print(f"{step:>6}" + "".join(f"{metrics[k][i]:>{width}.4g}" for k in keys))
    print(_summary(metrics))


def _summary(metrics: dict) -> str:
    """ "MAE 3.1 against 4.0 naive, 3.5 seasonal (P = 24)": the means over the steps ahead."""
    mean = {k: float(np.mean(metrics[k])) for k in ("mae", "naive_mae")}
    text = f"MAE {mean['mae']:.4g} against {mean['naive_mae']:.4g} naive"
    if metrics.get("season"):
        seasonal = float(np.mean(metrics["seasonal_mae"]))
        text += f", {seasonal:.4g} seasonal (P = {metrics['season']})"
    steps = len(metrics["step"])
    return text + (f", the mean over {steps} steps ahead" if steps > 1 else "")


# -- frnn predict --series ----------------------------------------------------------------


def recorded_series(model_path: str, model) -> dict:
    """The --series data entry of the run whose model ``model`` is (``model_path``: its
    directory, or the model file in it), or, for a model file without its config.json,
    what the model itself tells (:func:`_bare_model`)."""
    from .config import _read_config

    path = Path(model_path)
    folder = path if path.is_dir() else path.parent
    config = folder / "config.json"
    data = _read_config(config)["data"] if config.exists() else None
    if data is None:
        return _bare_model(model_path, model)
    if "series" not in data or "channels" not in data:
        raise ValueError(
            f"--series: {model_path} was not trained by frnn train --series (its run directory "
            "records no windows); forecast with --data FILE of windows, or train with --series"
        )
    return data


def refuse_classifier(model_path: str, model, instead: str) -> None:
    """Refuse ``--series`` for a classifier (``model``, read from ``model_path``), saying
    what it is and what to do ``instead``: it labels whole series, and no ``frnn train
    --series`` run makes one (the message was the windows' of a regressor of another run,
    "forecast with --data FILE of windows")."""
    from ..classifier.estimator import RNNClassifier

    if isinstance(model, RNNClassifier):
        raise ValueError(
            f"--series: {model_path} is a classifier, not a forecaster: it gives whole series "
            f"a label (one series per row of a file); {instead}, "
            "or train a forecaster on the long series with frnn train --series FILE"
        )


def _bare_model(model_path: str, model) -> dict:
    """A model file copied without its run directory: the window is its training series'
    length, the horizon its outputs, the channels the file's columns in order (their names
    unknown: announced on standard error)."""
    window = getattr(model, "min_length_", None)
    if (
        window is None
        or window != getattr(model, "max_length_", None)
        or not hasattr(model, "n_outputs_")
        or model.sequence_
    ):
        raise ValueError(
            f"--series: no config.json beside {model_path} records the windows it was trained "
            "on (window, horizon, target, channels); pass the run directory of frnn train "
            "--series, or copy its config.json beside the model file"
        )
    return {
        "window": int(window),
        "horizon": int(model.n_outputs_),
        "channels": None,  # by position: n_features_in_ of them
        "target": None,
        "test_size": None,
        "season": None,
    }


def _read_for_model(args: argparse.Namespace, model, scored: bool = False):
    """The run's --series record and the file read as the run read its own, its values the
    model's channels (T, D) in the model's order (``scored``: the target needed too)."""
    for name in ("label", "id"):
        if getattr(args, name) is not None:
            raise ValueError(f"--{name}: not with --series (one long series has no {name}s)")
    data = recorded_series(args.model, model)
    header = args.header or data.get("header", "auto")
    time = args.time if args.time is not None else data.get("time")
    _check_text(args.series)
    choose = _chooser(args.series, data["channels"], data.get("inputs"))
    found = read_series_file(args.series, header=HEADERS[header], time=time, columns=choose)
    _count(args.series, found, data["channels"], model.n_features_in_)
    if data["channels"] is None:
        if scored and len(found.names) > 1:
            names = ", ".join(found.names[:10]) + (" ..." if len(found.names) > 10 else "")
            raise ValueError(
                f"--series: {args.model} forecasts one of the file's {len(found.names)} "
                f"channels ({names}), and only its run's config.json records which (the "
                "target): pass --model RUN_DIR, the run directory of frnn train --series, or "
                f"copy its config.json beside {Path(args.model).name}"
            )
        data = {**data, "channels": found.names, "target": found.names[0], "bare": args.model}
    return data, found


def _notes(path: str, found, data: dict, first: int) -> None:
    """What predict and evaluate say on standard error once the checks have passed: a
    model file read without its config.json, time steps missing from row ``first`` on."""
    if data.get("bare"):
        _note(
            f"no config.json beside {data['bare']}: the window ({data['window']}) and the "
            f"horizon ({data['horizon']}) read from the model, its channels taken to be the "
            f"file's columns {', '.join(found.names[:10])} in this order"
        )
    _note_skips(path, found, first)


def _note_skips(path: str, found, first: int = 0) -> None:
    """Say on standard error where whole time steps are missing from row ``first`` on (the
    rows a forecast reads): the rows are read as consecutive steps all the same."""
    skips = found.skips()
    if skips is None or not np.any(skips[1] >= first):
        return
    usual, at = skips[0], skips[1][skips[1] >= first]
    gaps = np.diff(found.times)[at] / usual - 1  # the steps missing at each
    unit = f"{usual:g}" if found.time_kind == "number" else _interval(usual)
    calendar = found.calendar()
    if calendar is not None:  # business days, opening hours: the rows are the steps meant
        follow = "follow the pattern" if calendar[1] else "go on by the usual step"
        _note(
            f"{path}: the rows skip time in a pattern that repeats every {calendar[0]} rows "
            f"(steps of {unit}; business days or opening hours?): read as consecutive "
            f"steps; the forecasts' time stamps {follow}"
        )
        return
    i = int(at[0])
    _note(
        f"{path}: {int(round(gaps.sum()))} time step(s) of {unit} missing (the first between "
        f"rows {found.rows[i]} and {found.rows[i + 1]}); the rows are read as consecutive "
        "steps, so a window across a gap spans more time: insert the missing rows, with "
        "their values, to keep the spacing"
    )


def _interval(microseconds: int) -> str:
    """An interval of dates as people write it: "1 day", "2 days", "1:00:00"."""
    days, rest = divmod(microseconds, 86_400_000_000)
    if days and not rest:
        return f"{days} day{'s' if days > 1 else ''}"
    return str(timedelta(microseconds=microseconds))


def _note(text: str) -> None:
    import sys

    print(f"frnn: {text}", file=sys.stderr)


def evaluate_forecast(args: argparse.Namespace, model) -> int:
    """``frnn evaluate --series``: the forecasts of the file's last --test-size rows, each
    from the --window rows before it (a rolling origin), scored per step ahead beside the
    naive forecast (and the seasonal one, --season or the run's); printed (or --json);
    returns 0."""
    from ..regressor import targets as real_targets
    from . import rundir
    from .evaluation import format_evaluation

    refuse_classifier(args.model, model, "score it on labelled series with --data FILE")
    if args.out:
        raise ValueError("--out draws a classifier's confusion matrix; this is a forecaster")
    data, found = _read_for_model(args, model, scored=True)
    size = args.test_size or data.get("test_size")
    if not size:
        held = (  # a lone model file cannot tell what its run held out
            f"no config.json beside {data['bare']} records the run's"
            if data.get("bare")
            else "the run held out none"
        )
        raise ValueError(f"--series: pass --test-size N, the last N rows to score ({held})")
    if args.season is not None:
        data = {**data, "season": args.season}
    window, horizon = data["window"], data["horizon"]
    T = len(found.values)
    if size < horizon:
        raise ValueError(
            f"--test-size {size} is shorter than --horizon {horizon}: no forecast would end "
            "inside the rows scored"
        )
    if T <= size + window:
        raise ValueError(
            f"{args.series}: {T} rows; scoring the last --test-size {size} needs more than "
            f"{size} + --window {window}"
        )
    target = data["channels"].index(data["target"])
    test, seasonal = _tail(args.series, found, data, size, target)
    _notes(args.series, found, data, T - size - window)
    metrics = real_targets.evaluate(model, test, test.y)
    metrics["forecast"] = forecast_metrics(model, test, data, seasonal)
    if args.json:
        print(rundir.json_text(metrics))
    else:
        print(format_evaluation(metrics))
        print_forecast(metrics["forecast"])
    return 0


def run_forecast(args: argparse.Namespace, model) -> str:
    """``frnn predict --series``: the ``horizon`` values after the file's last row, one CSV
    row per step ahead: step[, time], prediction."""
    from .predict import _digits

    refuse_classifier(args.model, model, "label series with --data FILE")
    data, found = _read_for_model(args, model)
    window = data["window"]
    T = len(found.values)
    if T < window:
        raise ValueError(
            f"{args.series}: {T} rows; the model forecasts from the last --window {window}"
        )
    read = np.zeros(found.values.shape, dtype=bool)
    read[T - window :] = True
    _refuse_missing(args.series, found, read, f"in the last {window} rows")
    _notes(args.series, found, data, T - window)
    forecast = np.asarray(model.predict(last_window(found.values, window))).reshape(-1)  # (H,)
    times = _continued(found, len(forecast))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["step", *(["time"] if times else []), "prediction"])
    digits = f"{{:.{_digits(model)[0]}g}}"
    for k, value in enumerate(forecast):
        writer.writerow([k + 1, *([times[k]] if times else []), digits.format(value)])
    return buffer.getvalue()


def _chooser(path: str, channels: list | None, inputs):
    """The columns of a file the model reads, for :func:`read_series_file` (only these are
    read: other columns may hold anything): by name where both the model's and the file's
    have a header (in the model's order, a missing one named), by ``column N`` where the
    run chose some of a file without one (``inputs``), else every column (by position)."""

    def choose(labels: list, header: bool):
        if channels is None:
            return None
        named = not all(c.startswith("column ") for c in channels)
        if header and named:
            missing = [c for c in channels if c not in labels]
            if missing:
                raise ValueError(
                    f"{path}: no column {missing[0]!r}; the model was trained on the columns "
                    f"{', '.join(channels)} (the file has {', '.join(labels[:10])})"
                )
            return channels
        if not header and not named and inputs and all(c in labels for c in channels):
            return channels
        return None

    return choose


def _count(path: str, found, channels: list | None, D: int) -> None:
    """Refuse a file whose columns read are not the model's D channels."""
    if len(found.names) != D:
        trained = f" ({', '.join(channels)})" if channels else ""
        raise ValueError(
            f"{path}: {len(found.names)} column(s) of values, but the model was trained on "
            f"{D}{trained}"
        )


def _continued(found, horizon: int) -> list[str] | None:
    """The time stamps of the ``horizon`` steps after the last row, where the file's are
    regular, or regular but for whole steps missing (by the usual step, or by the file's
    calendar where the steps missing repeat: ``SeriesFile.calendar``; None otherwise)."""
    gaps = [found.step()]
    if gaps[0] is None:
        skips = found.skips()
        if skips is None:
            return None
        calendar = found.calendar()  # else whole steps missing further back: the usual one
        gaps = calendar[1] if calendar is not None and calendar[1] else [skips[0]]
    p = len(gaps)
    ahead = (found.times[-1] + np.cumsum([gaps[k % p] for k in range(horizon)])).tolist()
    if found.time_kind == "number":
        whole = np.all(found.times == np.round(found.times))
        return [str(int(t)) if whole else f"{t:.15g}" for t in ahead]
    zone = "UTC" if found.time_kind == "utc" else "naive"
    stamps = np.array(ahead, dtype="datetime64[us]")
    unit = _unit(found.times)
    return [str(s) for s in np.datetime_as_string(stamps, unit=unit, timezone=zone)]


def _unit(ticks: np.ndarray) -> str:
    """The coarsest unit that writes every time stamp of the file as it was (microseconds)."""
    for unit, size in (("D", 86_400_000_000), ("m", 60_000_000), ("s", 1_000_000)):
        if np.all(ticks % size == 0):
            return unit
    return "us"
