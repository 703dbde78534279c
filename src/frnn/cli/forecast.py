"""Forecasting one long series from the command line: ``frnn train --series FILE --window
N`` and ``frnn predict --model RUN --series FILE``.

``train`` reads the file (:func:`frnn.data.seriesfile.read_series_file`), cuts the test
tail off before any window is made (:func:`frnn.data.holdout`, ``--test-size``), makes the
training part's windows (:func:`frnn.data.windows`, ``--window``, ``--horizon``,
``--stride``, ``--target``) and fits an ``RNNRegressor`` on them as on any set of series;
the tail's windows (every origin) are scored per step ahead beside the naive forecast
(the window's last target value).  config.json's ``data`` records the file, the windows'
settings, the channels by name and the target, so that ``predict`` reads a new file of
the same layout and forecasts the ``horizon`` values after its last row
(:func:`frnn.data.last_window`), the time stamps continued where they are regular.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from pathlib import Path

import numpy as np

from .._validate import Interval, argument_type, check_file
from ..data.forecast import holdout, last_window, windows
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
FORECAST_KEYS = ("window", "horizon", "stride", "target", "test_size")
_POSITIVE = Interval("int", 1)
_SIZE = argument_type(_POSITIVE, "size")
_DEFAULTS = {"horizon": 1, "stride": 1, "target": None, "test_size": None}


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
    add("--window", type=_SIZE, default=hide, metavar="N", help="past values each input holds")
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
    """The training windows, the test tail's (None without --test-size) and the data entry
    with the channels' names, the target's and the time column's found in the file."""
    path = data["series"]
    _check_text(path)
    found = read_series_file(
        path, header=HEADERS[data.get("header", "auto")], time=data.get("time")
    )
    target = _target(path, found, data.get("target"))
    _refuse_missing(path, found, range(len(found.values)), "training")
    window, horizon, stride = data["window"], data["horizon"], data["stride"]
    _check_sizes(path, len(found.values), window, horizon, data.get("test_size"))
    y, test = found.values, None
    if data.get("test_size"):
        y, tail = holdout(y, data["test_size"], window=window)
        test = _split(*windows(tail, window, horizon, target=target), window)
    train = _split(*windows(y, window, horizon, stride=stride, target=target), window)
    resolved = {
        **data,
        "target": found.names[target],
        "channels": found.names,
        "time_column": found.time,
    }
    return train, test, resolved


def _check_text(path: str) -> None:
    """Refuse a missing file, and one that is no text file of values (.npz, .ts)."""
    check_file(path)
    if not text_file(path):
        raise ValueError(
            f"{path}: --series reads a text file of one row per time step (.csv, .tsv, .txt, "
            "perhaps compressed); for windows of your own in an .npz, use --train/--data"
        )


def _split(X: np.ndarray, Y: np.ndarray, window: int) -> Series:
    return Series(X=np.array(X), y=Y, lengths=np.full(len(X), window))


def _target(path: str, found, target) -> int:
    """The forecast channel's position: named, numbered (the file's column from 1), or the
    only one."""
    names = found.names
    if target is None:
        if len(names) > 1:
            raise ValueError(
                f"{path}: {len(names)} columns of values ({', '.join(names[:10])}); pass "
                "--target COLUMN, the one to forecast (every column is an input)"
            )
        return 0
    target = str(target)
    if target in names:
        return names.index(target)
    if target.isdigit() and int(target) in found.columns:
        return found.columns.index(int(target))
    if found.time is not None and target in (found.time, str(_time_number(found))):
        raise ValueError(f"{path}: --target {target}: the time column, not values")
    raise ValueError(
        f"{path}: --target {target}: no such column of values; the file's are "
        f"{', '.join(names[:10])} (columns {', '.join(map(str, found.columns[:10]))})"
    )


def _time_number(found) -> int:
    """The time column's number in the file, from 1 (the one missing among the channels')."""
    numbers = set(range(1, len(found.columns) + 2)) - set(found.columns)
    return min(numbers)


def _refuse_missing(path: str, found, steps, what: str) -> None:
    """Refuse a missing value among ``steps`` of the file, naming its row and column."""
    part = found.values[steps]
    bad = np.argwhere(~np.isfinite(part))
    if len(bad):
        step, channel = (int(v) for v in bad[0])
        row = found.rows[steps][step]
        raise ValueError(
            f"{path}: row {row}, column {found.names[channel]!r}: a missing value in the "
            f"{what} rows ({len(bad)} in all); fill or cut the gaps first"
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


def forecast_metrics(clf, test: Series, data: dict) -> dict:
    """The test tail's MAE and RMSE per step ahead, and the naive forecast's (every step
    the window's last target value), for metrics.json."""
    target = data["channels"].index(data["target"])
    P = np.asarray(clf.predict(test)).reshape(len(test.y), -1)  # (n, horizon)
    Y = test.y.reshape(len(test.y), -1)
    naive = np.repeat(test.X[:, -1, target][:, None], Y.shape[1], axis=1)  # (n, horizon)

    def scores(F):
        error = F - Y
        return np.abs(error).mean(axis=0).tolist(), np.sqrt((error**2).mean(axis=0)).tolist()

    mae, rmse = scores(P)
    naive_mae, naive_rmse = scores(naive)
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
    }


def print_forecast(metrics: dict) -> None:
    """The per-step table of the test tail (about twelve rows of a long horizon)."""
    steps = metrics["step"]
    every = max(1, len(steps) // 12)
    print(f"tail: {metrics['n_forecasts']} forecasts of {metrics['target']!r}, per step ahead")
    print(f"{'step':>6}{'MAE':>12}{'naive MAE':>12}{'RMSE':>12}{'naive RMSE':>12}")
    for i, step in enumerate(steps):
        if i % every and i != len(steps) - 1:
            continue
        cells = (metrics[k][i] for k in ("mae", "naive_mae", "rmse", "naive_rmse"))
        print(f"{step:>6}" + "".join(f"{v:>12.4g}" for v in cells))


# -- frnn predict --series ----------------------------------------------------------------


def recorded_series(model: str) -> dict:
    """The --series data entry of the run whose model ``model`` is (its directory, or the
    model file in it); a model without one refused in words."""
    from .config import _read_config

    path = Path(model)
    folder = path if path.is_dir() else path.parent
    config = folder / "config.json"
    data = _read_config(config)["data"] if config.exists() else {}
    if "series" not in data or "channels" not in data:
        raise ValueError(
            f"--series: {model} was not trained by frnn train --series (its run directory "
            "records no windows); forecast with --data FILE of windows, or train with --series"
        )
    return data


def _read_for_model(args: argparse.Namespace):
    """The run's --series record, the file read as the run read its own, and its values
    as the model's channels (T, D)."""
    for name in ("label", "id"):
        if getattr(args, name) is not None:
            raise ValueError(f"--{name}: not with --series (one long series has no {name}s)")
    data = recorded_series(args.model)
    header = args.header or data.get("header", "auto")
    time = args.time if args.time is not None else data.get("time")
    _check_text(args.series)
    found = read_series_file(args.series, header=HEADERS[header], time=time)
    return data, found, _channels(args.series, found, data["channels"])


def evaluate_forecast(args: argparse.Namespace, model) -> int:
    """``frnn evaluate --series``: the forecasts of the file's last --test-size rows, each
    from the --window rows before it (a rolling origin), scored per step ahead beside the
    naive forecast; printed (or --json); returns 0."""
    from ..regressor import targets as real_targets
    from . import rundir
    from .evaluation import format_evaluation

    if args.out:
        raise ValueError("--out draws a classifier's confusion matrix; this is a forecaster")
    data, found, values = _read_for_model(args)
    size = args.test_size or data.get("test_size")
    if not size:
        raise ValueError(
            "--series: pass --test-size N, the last N rows to score (the run held out none)"
        )
    window, horizon = data["window"], data["horizon"]
    T = len(values)
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
    _refuse_missing(args.series, found, range(T - size - window, T), f"last {size + window}")
    target = data["channels"].index(data["target"])
    test = _split(
        *windows(holdout(values, size, window=window)[1], window, horizon, target=target), window
    )
    metrics = real_targets.evaluate(model, test, test.y)
    metrics["forecast"] = forecast_metrics(model, test, data)
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

    data, found, values = _read_for_model(args)
    window = data["window"]
    T = len(values)
    if T < window:
        raise ValueError(
            f"{args.series}: {T} rows; the model forecasts from the last --window {window}"
        )
    _refuse_missing(args.series, found, range(T - window, T), f"last {window}")
    forecast = np.asarray(model.predict(last_window(values, window))).reshape(-1)  # (horizon,)
    times = _continued(found, len(forecast))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["step", *(["time"] if times else []), "prediction"])
    digits = f"{{:.{_digits(model)[0]}g}}"
    for k, value in enumerate(forecast):
        writer.writerow([k + 1, *([times[k]] if times else []), digits.format(value)])
    return buffer.getvalue()


def _channels(path: str, found, channels: list) -> np.ndarray:
    """The file's values as the model's channels (T, D): by name where both have a header
    (in the model's order), else by position; another number of them refused."""
    names = found.names
    if found.header and not all(c.startswith("column ") for c in channels):
        missing = [c for c in channels if c not in names]
        if missing:
            raise ValueError(
                f"{path}: no column {missing[0]!r}; the model was trained on the columns "
                f"{', '.join(channels)} (the file has {', '.join(names[:10])})"
            )
        return found.values[:, [names.index(c) for c in channels]]
    if len(names) != len(channels):
        raise ValueError(
            f"{path}: {len(names)} column(s) of values, but the model was trained on "
            f"{len(channels)} ({', '.join(channels)})"
        )
    return found.values


def _continued(found, horizon: int) -> list[str] | None:
    """The time stamps of the ``horizon`` steps after the last row, where the file's are
    regular (None otherwise)."""
    step = found.step()
    if step is None:
        return None
    last = found.times[-1]
    ahead = [last + step * (k + 1) for k in range(horizon)]
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
