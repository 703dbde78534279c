"""Forecasting one long series from the command line: ``frnn train --series`` and ``frnn
predict --series`` against the Python route (``holdout``, ``windows``, ``RNNRegressor``,
``last_window``), the held-out tail never seen, the naive baseline beside the scores, the
time stamps continued, and bad files refused in one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from frnn.cli import rundir
from helpers import assert_same_arrays
from helpers import run_cli as frnn

WINDOW, HORIZON, TEST = 12, 3, 30
SMALL = ["--n-reservoirs", "2"]
BPTT = ["--training", "bptt", "--epochs", "2", "--hidden-size", "4", "--n-ensemble", "1"]


def _values(T: int = 160, seed: int = 0) -> np.ndarray:
    """Two channels (T, 2): a noisy sine (load) and a slower cosine (temp)."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    return np.column_stack([np.sin(t / 5) + 0.1 * rng.standard_normal(T), np.cos(t / 7)])


def _write(path, values: np.ndarray, *, times=True, header=True, names=("load", "temp")):
    """One row per step: an hourly ISO 8601 time column, then the channels (repr: exact)."""
    start = datetime(2024, 3, 1)
    lines = [",".join((["time"] if times else []) + list(names))] if header else []
    for i, row in enumerate(values):
        stamp = [(start + timedelta(hours=i)).isoformat()] if times else []
        lines.append(",".join(stamp + [repr(float(v)) for v in row]))
    path.write_text("\n".join(lines) + "\n")
    return path


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run of frnn train --series on a two-channel file with a time column."""
    folder = tmp_path_factory.mktemp("forecast")
    values = _values()
    series = _write(folder / "load.csv", values)
    run = folder / "run"
    argv = ["--series", series, "--window", WINDOW, "--horizon", HORIZON, "--target", "load"]
    result = frnn("train", *argv, "--test-size", TEST, *SMALL, "--out", run, "--json")
    assert result.returncode == 0, result.stderr
    return folder, values, series, run, json.loads(result.stdout)


def _python_route(values, **params):
    """What docs/forecasting.md does: the tail cut off, windows, RNNRegressor, last_window."""
    import frnn as library
    from frnn.data import holdout, last_window, windows

    train, _ = holdout(values, TEST, window=WINDOW)
    X, Y = windows(train, WINDOW, HORIZON, target=0)
    model = library.RNNRegressor(random_state=0, **params).fit(X, Y)
    return model, model.predict(last_window(values, WINDOW))[0]  # (horizon,)


def _round_trip(trained_run, options, params):
    from frnn import io as frnn_io
    from frnn.data import last_window

    folder, values, series, run, _ = trained_run
    python, expected = _python_route(values, **params)
    cli = frnn_io.load(run / "model.npz")
    window = last_window(values, WINDOW)
    np.testing.assert_allclose(cli.predict(window)[0], expected, rtol=1e-12, atol=1e-12)
    result = frnn("predict", "--model", run, "--series", series)
    assert result.returncode == 0, result.stderr
    rows = _rows(result.stdout)
    assert [int(r["step"]) for r in rows] == [1, 2, 3]
    written = np.array([float(r["prediction"]) for r in rows])
    np.testing.assert_allclose(written, expected, rtol=1e-7)  # as written: 8 digits


def test_round_trip_equals_the_python_route(trained):
    _round_trip(trained, SMALL, {"n_reservoirs": 2})


def test_metrics_say_how_alpha_was_chosen_on_the_windows(trained, tmp_path):
    """The windows overlap: α by leave-block-out, its gap the Python route's loo_gap_
    (> 0), recorded in metrics.json and said in the summary line."""
    _, values, series, _, metrics = trained
    python, _ = _python_route(values, n_reservoirs=2)
    assert metrics["loo_gap"] == python.loo_gap_ > 0
    assert metrics["ridge_alpha"] == python.alpha_
    argv = ["--series", series, "--window", WINDOW, "--target", "load", "--test-size", TEST]
    out = frnn("train", *argv, *SMALL, "--out", tmp_path / "run")
    assert out.returncode == 0, out.stderr
    assert "windows either side)" in out.stdout.splitlines()[-1]


@pytest.mark.slow
def test_round_trip_equals_the_python_route_bptt(tmp_path):
    values = _values()
    series = _write(tmp_path / "load.csv", values)
    run = tmp_path / "run"
    argv = ["--series", series, "--window", WINDOW, "--horizon", HORIZON, "--target", "load"]
    result = frnn("train", *argv, "--test-size", TEST, *BPTT, "--out", run, "--quiet")
    assert result.returncode == 0, result.stderr
    params = {"training": "bptt", "epochs": 2, "hidden_size": 4, "n_ensemble": 1}
    _round_trip((tmp_path, values, series, run, None), BPTT, params)


def test_metrics_score_the_tail_per_step_beside_the_naive_forecast(trained):
    from frnn import io as frnn_io
    from frnn.data import holdout, windows

    _, values, _, run, metrics = trained
    forecast = metrics["forecast"]
    assert (forecast["window"], forecast["horizon"], forecast["target"]) == (WINDOW, 3, "load")
    _, tail = holdout(values, TEST, window=WINDOW)
    X, Y = windows(tail, WINDOW, HORIZON, target=0)  # every origin of the tail
    assert forecast["n_forecasts"] == len(Y) == TEST - HORIZON + 1
    P = frnn_io.load(run / "model.npz").predict(X)  # (n, 3)
    np.testing.assert_allclose(forecast["mae"], np.abs(P - Y).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(forecast["rmse"], np.sqrt(((P - Y) ** 2).mean(axis=0)), rtol=1e-12)
    naive = X[:, -1, 0][:, None]  # the last value of the target, every step ahead
    np.testing.assert_allclose(forecast["naive_mae"], np.abs(naive - Y).mean(axis=0), rtol=1e-12)
    assert forecast["step"] == [1, 2, 3]
    assert metrics["test"]["n"] == len(Y)


def test_the_model_never_sees_the_tail(trained, tmp_path):
    """The same model from a file whose held-out tail is anything else."""
    from frnn import io as frnn_io

    _, values, _, run, metrics = trained
    other = values.copy()
    other[-TEST:] += 100.0  # the tail alone changed: the training part's windows are not
    series = _write(tmp_path / "other.csv", other)
    argv = ["--window", WINDOW, "--horizon", HORIZON, "--target", "load", "--test-size", TEST]
    result = frnn("train", "--series", series, *argv, *SMALL, "--out", tmp_path / "r", "--json")
    assert result.returncode == 0, result.stderr
    assert_same_arrays(run / "model.npz", tmp_path / "r" / "model.npz")
    assert json.loads(result.stdout)["forecast"]["mae"] != metrics["forecast"]["mae"]
    # and one row fewer at the cut changes the model: the test above can fail
    values_cut = values.copy()
    values_cut[-TEST - 1] += 100.0
    series = _write(tmp_path / "cut.csv", values_cut)
    result = frnn("train", "--series", series, *argv, *SMALL, "--out", tmp_path / "c", "--quiet")
    assert result.returncode == 0, result.stderr
    a, b = frnn_io.load(run / "model.npz"), frnn_io.load(tmp_path / "c" / "model.npz")
    assert not np.array_equal(
        a.predict(np.ones((1, WINDOW, 2))), b.predict(np.ones((1, WINDOW, 2)))
    )


def test_config_records_the_windows_and_channels(trained):
    _, _, series, run, _ = trained
    data = rundir.read_json(run / "config.json")["data"]
    assert data["series"] == str(series)
    assert (data["window"], data["horizon"], data["stride"], data["test_size"]) == (12, 3, 1, 30)
    assert (data["target"], data["channels"], data["time_column"]) == (
        "load",
        ["load", "temp"],
        "time",
    )


def test_time_stamps_continue(trained):
    _, _, series, run, _ = trained
    rows = _rows(frnn("predict", "--model", run / "model.npz", "--series", series).stdout)
    last = datetime(2024, 3, 1) + timedelta(hours=len(_values()) - 1)
    expected = [(last + timedelta(hours=k)).isoformat(timespec="minutes") for k in (1, 2, 3)]
    assert [r["time"] for r in rows] == expected


def test_irregular_times_are_not_continued(trained, tmp_path):
    _, values, series, run, _ = trained
    lines = series.read_text().splitlines()
    lines[5] = lines[5].replace("T04:00", "T04:30")  # one step half an hour off
    (tmp_path / "odd.csv").write_text("\n".join(lines) + "\n")
    result = frnn("predict", "--model", run, "--series", tmp_path / "odd.csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "step,prediction"


def test_columns_are_read_by_name(trained, tmp_path):
    """A file of the same columns in another order forecasts the same."""
    _, values, series, run, _ = trained
    swapped = _write(tmp_path / "swapped.csv", values[:, ::-1], names=("temp", "load"))
    a = frnn("predict", "--model", run, "--series", series).stdout
    assert frnn("predict", "--model", run, "--series", swapped).stdout == a


def test_config_repeats_the_run(trained, tmp_path):
    _, _, _, run, _ = trained
    result = frnn("train", "--config", run / "config.json", "--out", tmp_path / "again", "--quiet")
    assert result.returncode == 0, result.stderr
    assert_same_arrays(run / "model.npz", tmp_path / "again" / "model.npz")
    given = frnn(
        "train",
        "--config",
        run / "config.json",
        "--horizon",
        "2",
        "--out",
        tmp_path / "h2",
        "--json",
    )
    assert given.returncode == 0, given.stderr
    assert json.loads(given.stdout)["forecast"]["step"] == [1, 2]


@pytest.mark.slow
def test_resume_continues_a_bptt_series_run(tmp_path):
    series = _write(tmp_path / "load.csv", _values())
    argv = ["--series", series, "--window", WINDOW, "--target", "load", *BPTT]
    folder = tmp_path / "r"
    assert frnn("train", *argv, "--out", folder, "--quiet").returncode == 0
    metrics = rundir.read_json(folder / "metrics.json")
    metrics["status"] = "interrupted"  # as a kill leaves it: resumed from its checkpoint
    rundir.write_json(folder / "metrics.json", metrics)
    result = frnn("train", "--resume", folder, "--quiet")
    assert result.returncode == 0, result.stderr
    refused = frnn("train", "--resume", folder, "--window", "5")
    assert refused.returncode == 2 and "drop --window" in refused.stderr


# -- bad input: one line naming the problem ---------------------------------------------


def _one_line(result, *parts: str) -> None:
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for part in parts:
        assert part in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--window", "5"], ["2 columns of values (load, temp)", "--target"]),
        (["--window", "5", "--target", "price"], ["--target price: no such column"]),
        (["--window", "5", "--target", "1"], ["--target 1: the time column"]),
        (["--window", "150", "--target", "load"], ["needs at least 151"]),
        (["--window", "4", "--horizon", "4", "--target", "load"], ["--horizon 4 equals --window"]),
        (
            ["--window", "4", "--horizon", "3", "--target", "2", "--test-size", "2"],
            ["shorter than"],
        ),
        (["--target", "load"], ["--series needs --window"]),
        (["--window", "4", "--train", "x.csv"], ["--train: not with --series"]),
        (["--window", "4", "--task", "classification"], ["--series forecasts values"]),
        (["--window", "0"], ["--window"]),
    ],
)
def test_train_refuses(tmp_path, extra, message):
    series = _write(tmp_path / "s.csv", _values(150))
    _one_line(frnn("train", "--series", series, *extra, "--out", tmp_path / "r"), *message)
    assert not (tmp_path / "r").exists()


def test_a_compressed_file_of_one_column_and_a_window_of_one(tmp_path):
    import gzip

    values = _values(60)[:, 0]
    path = tmp_path / "s.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(repr(float(v)) for v in values) + "\n").encode()))
    run = tmp_path / "run"
    argv = ["--series", path, "--window", "1", *SMALL, "--out", run, "--json"]
    result = frnn("train", *argv, "--test-size", "5")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["forecast"]["n_forecasts"] == 5
    rows = _rows(frnn("predict", "--model", run, "--series", path).stdout)
    assert list(rows[0]) == ["step", "prediction"] and len(rows) == 1


def test_series_reads_text_files_only(tmp_path):
    np.savez(tmp_path / "w.npz", X=np.zeros((4, 3, 1)), y=np.zeros(4))
    result = frnn("train", "--series", tmp_path / "w.npz", "--window", "3")
    _one_line(result, "--series reads a text file", "--train/--data")


def test_train_refuses_forecast_options_without_series(tmp_path):
    _one_line(
        frnn("train", "--window", "5", "--horizon", "2"), "--window and --horizon", "--series"
    )


def test_train_names_a_missing_value(tmp_path):
    values = _values(100)
    values[40, 1] = np.nan
    series = _write(tmp_path / "gap.csv", values)
    result = frnn("train", "--series", series, "--window", "5", "--target", "load")
    _one_line(result, "row 42, column 'temp': a missing value")  # the header is row 1


def test_train_refuses_times_out_of_order(tmp_path):
    series = _write(tmp_path / "s.csv", _values(50))
    lines = series.read_text().splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    series.write_text("\n".join(lines) + "\n")
    result = frnn("train", "--series", series, "--window", "5", "--target", "load")
    _one_line(result, "row 5's time", "is not after row 4's")  # header: row 1


def test_predict_refuses(trained, tmp_path):
    _, values, series, run, _ = trained
    short = _write(tmp_path / "short.csv", values[: WINDOW - 1])
    _one_line(frnn("predict", "--model", run, "--series", short), "11 rows", "--window 12")
    gap = values.copy()
    gap[-2, 0] = np.nan
    _one_line(
        frnn("predict", "--model", run, "--series", _write(tmp_path / "gap.csv", gap)),
        f"row {len(values)}, column 'load': a missing value in the last 12 rows",
    )
    one = _write(tmp_path / "one.csv", values[:, :1], names=("load",))
    _one_line(frnn("predict", "--model", run, "--series", one), "no column 'temp'")
    bare = _write(tmp_path / "bare.csv", values[:, :1], times=False, header=False)
    _one_line(frnn("predict", "--model", run, "--series", bare), "1 column(s) of values")
    _one_line(frnn("predict", "--model", run, "--series", series, "--label", "first"), "--label")


def test_predict_counts_the_channels_of_a_headerless_run(tmp_path):
    values = _values(80)
    series = _write(tmp_path / "bare.csv", values, times=False, header=False)
    run = tmp_path / "run"
    argv = ["--window", "6", "--target", "1", *SMALL, "--out", run, "--quiet"]
    assert frnn("train", "--series", series, *argv).returncode == 0
    assert rundir.read_json(run / "config.json")["data"]["channels"] == ["column 1", "column 2"]
    one = _write(tmp_path / "one.csv", values[:, :1], times=False, header=False)
    _one_line(frnn("predict", "--model", run, "--series", one), "1 column(s) of values", "on 2")
    result = frnn("predict", "--model", run, "--series", series)
    assert result.returncode == 0 and result.stdout.startswith("step,prediction\n1,")


def test_predict_refuses_a_model_not_trained_on_a_series(tmp_path):
    (tmp_path / "train.csv").write_text("\n".join(["1.5,0,1,2,3", "2.5,3,2,1,0"] * 4) + "\n")
    run = tmp_path / "run"
    argv = ["--train", tmp_path / "train.csv", "--task", "regression", *SMALL, "--out", run]
    assert frnn("train", *argv, "--quiet").returncode == 0
    series = _write(tmp_path / "s.csv", _values(30))
    _one_line(
        frnn("predict", "--model", run, "--series", series), "not trained by frnn train --series"
    )


def test_evaluate_scores_the_runs_tail_as_train_did(trained):
    _, _, series, run, metrics = trained
    result = frnn("evaluate", "--model", run, "--series", series, "--json")
    assert result.returncode == 0, result.stderr
    scored = json.loads(result.stdout)
    assert scored["forecast"] == metrics["forecast"]
    assert scored["rmse"] == pytest.approx(metrics["test"]["rmse"], rel=1e-12)
    text = frnn("evaluate", "--model", run, "--series", series).stdout
    assert "tail: 28 forecasts of 'load', per step ahead" in text
    assert "naive MAE" in text


def test_evaluate_scores_a_shorter_tail(trained):
    _, _, series, run, metrics = trained
    argv = ["--model", run, "--series", series, "--json", "--test-size", HORIZON + 1]
    forecast = json.loads(frnn("evaluate", *argv).stdout)["forecast"]
    assert forecast["n_forecasts"] == 2  # the last two origins of the 28
    assert forecast["mae"] != metrics["forecast"]["mae"]


def test_evaluate_refuses(trained, tmp_path):
    _, values, series, run, _ = trained
    argv = ["--model", run, "--series", series]
    _one_line(frnn("evaluate", *argv, "--test-size", "2"), "--test-size 2 is shorter")
    _one_line(frnn("evaluate", *argv, "--test-size", "150"), "needs more than 150 + --window 12")
    _one_line(frnn("evaluate", *argv, "--out", tmp_path / "cm.png"), "this is a forecaster")
    _one_line(frnn("evaluate", "--model", run, "--data", series, "--test-size", "3"), "--test-size")
    gap = values.copy()
    gap[-TEST - WINDOW, 1] = np.nan  # the first row the tail's first forecast reads
    result = frnn("evaluate", "--model", run, "--series", _write(tmp_path / "gap.csv", gap))
    _one_line(result, f"row {len(values) - TEST - WINDOW + 2}, column 'temp'")


def test_help_names_the_forecasting_options():
    train = frnn("train", "--help").stdout
    for option in (
        "--series FILE",
        "--window N",
        "--horizon H",
        "--target COLUMN",
        "--test-size N",
    ):
        assert option in train
    assert "--series FILE" in frnn("predict", "--help").stdout
    evaluate = frnn("evaluate", "--help").stdout
    assert "--series FILE" in evaluate and "--test-size N" in evaluate


# -- the seasonal naive baseline (--season P) ----------------------------------------------


def _seasonal_by_hand(values: np.ndarray, P: int) -> np.ndarray:
    """y(o + k − 1) forecast by y(o + k − 1 − P·⌈k / P⌉) at every origin o of the tail."""
    T = len(values)
    return np.array(
        [
            [values[o + k - 1 - P * int(np.ceil(k / P)), 0] for k in range(1, HORIZON + 1)]
            for o in range(T - TEST, T - HORIZON + 1)
        ]
    )  # (n, horizon)


@pytest.mark.parametrize("season", [2, 31])  # within the window, and beyond it
def test_season_scores_the_seasonal_naive_forecast(tmp_path, season):
    from frnn import io as frnn_io
    from frnn.data import holdout, windows

    values = _values()
    series = _write(tmp_path / "load.csv", values)
    run = tmp_path / "run"
    argv = ["--window", WINDOW, "--horizon", HORIZON, "--target", "load", "--test-size", TEST]
    result = frnn("train", "--series", series, *argv, "--season", season, *SMALL, "--out", run)
    assert result.returncode == 0, result.stderr
    forecast = rundir.read_json(run / "metrics.json")["forecast"]
    _, tail = holdout(values, TEST, window=WINDOW)
    _, Y = windows(tail, WINDOW, HORIZON, target=0)
    S = _seasonal_by_hand(values, season)
    assert forecast["season"] == season
    np.testing.assert_allclose(forecast["seasonal_mae"], np.abs(S - Y).mean(axis=0), rtol=1e-12)
    rmse = np.sqrt(((S - Y) ** 2).mean(axis=0))
    np.testing.assert_allclose(forecast["seasonal_rmse"], rmse, rtol=1e-12)
    P = frnn_io.load(run / "model.npz").predict(windows(tail, WINDOW, HORIZON, target=0)[0])
    naive = np.mean(forecast["naive_mae"])
    summary = f"MAE {np.abs(P - Y).mean():.4g} against {naive:.4g} naive, "
    summary += f"{np.abs(S - Y).mean():.4g} seasonal (P = {season}), the mean over 3 steps ahead"
    line = [s for s in result.stdout.splitlines() if s.startswith("MAE ")][0]
    assert line == summary
    assert "seas. MAE" in result.stdout
    assert rundir.read_json(run / "config.json")["data"]["season"] == season
    scored = frnn("evaluate", "--model", run, "--series", series, "--json")  # the run's P
    assert json.loads(scored.stdout)["forecast"] == forecast


def test_a_season_of_one_is_the_naive_forecast(trained):
    _, _, series, run, metrics = trained
    assert metrics["forecast"]["season"] is None and metrics["forecast"]["seasonal_mae"] is None
    result = frnn("evaluate", "--model", run, "--series", series, "--season", "1", "--json")
    forecast = json.loads(result.stdout)["forecast"]
    assert forecast["seasonal_mae"] == forecast["naive_mae"]
    assert forecast["seasonal_rmse"] == forecast["naive_rmse"]
    plain = frnn("evaluate", "--model", run, "--series", series).stdout
    assert "seasonal" not in plain and "seas." not in plain  # nothing without --season


def test_season_refusals(trained, tmp_path):
    _, _, series, run, _ = trained
    T = len(_values())
    argv = ["--window", WINDOW, "--target", "load", "--test-size", TEST, "--out", tmp_path / "r"]
    result = frnn("train", "--series", series, *argv, "--season", T - TEST + 1)
    _one_line(result, f"--season {T - TEST + 1}", f"only {T - TEST} rows come before")
    assert not (tmp_path / "r").exists()
    _one_line(frnn("train", "--season", "24"), "--season: for --series")
    _one_line(frnn("train", "--series", series, *argv, "--season", "0"), "--season")
    _one_line(
        frnn("evaluate", "--model", run, "--data", series, "--season", "3"),
        "--season: for --series",
    )


# -- missing values only where a window reads them ----------------------------------------


@pytest.mark.parametrize(
    ("T", "window", "horizon", "stride", "test_size"),
    [(40, 5, 1, 1, 0), (40, 5, 3, 7, 0), (41, 4, 2, 13, 9), (30, 1, 1, 4, 6), (12, 3, 2, 2, 3)],
)
def test_the_cells_marked_are_those_the_windows_read(T, window, horizon, stride, test_size):
    """_mark against windows() of the cells' own numbers: every input row's channels, the
    target's alone in a target row, nothing a stride leaves out."""
    from frnn.cli.forecast import _mark
    from frnn.data import windows

    D, target = 3, 1
    numbers = np.arange(T * D, dtype=float).reshape(T, D)
    read = np.zeros((T, D), dtype=bool)
    _mark(read[: T - test_size], window, horizon, stride, target)
    X, Y = windows(numbers[: T - test_size], window, horizon, stride=stride, target=target)
    expected = np.zeros(T * D, dtype=bool)
    expected[np.concatenate([X.ravel(), np.ravel(Y)]).astype(int)] = True
    np.testing.assert_array_equal(read.ravel(), expected)


def test_a_gap_no_window_reads_does_not_matter(tmp_path):
    """Rows a stride leaves out (the oldest), and a channel other than the target in a row
    read only as a target, may be missing: the model is the one of any value there."""
    values = _values(100)
    argv = ["--window", "5", "--stride", "7", "--target", "load", *SMALL]  # rows 0-2 unread
    filled = _write(tmp_path / "filled.csv", values)
    assert (
        frnn("train", "--series", filled, *argv, "--out", tmp_path / "a", "--quiet").returncode == 0
    )
    gaps = values.copy()
    gaps[1] = np.nan  # both channels of a row the stride leaves out (file row 3)
    gaps[-1, 1] = np.nan  # temp in the last row: read only as a target of load
    series = _write(tmp_path / "gaps.csv", gaps)
    result = frnn("train", "--series", series, *argv, "--out", tmp_path / "b", "--quiet")
    assert result.returncode == 0, result.stderr
    assert_same_arrays(tmp_path / "a" / "model.npz", tmp_path / "b" / "model.npz")
    gaps[3, 1] = np.nan  # the first window's first row: read
    result = frnn("train", "--series", _write(tmp_path / "read.csv", gaps), *argv)
    _one_line(result, "row 5, column 'temp': a missing value the training windows read (1 in all)")
    gaps[3, 1], gaps[-1, 0] = 0.0, np.nan  # the target in the last row
    result = frnn("train", "--series", _write(tmp_path / "target.csv", gaps), *argv)
    _one_line(result, "row 101, column 'load'")


def test_a_gap_in_the_tail_or_the_seasons_it_reads_is_named(tmp_path):
    values = _values()
    argv = ["--window", WINDOW, "--target", "load", "--test-size", TEST, *SMALL]
    gap = values.copy()
    gap[-1, 1] = np.nan  # temp in the last row: no forecast of the tail reads it
    assert (
        frnn("train", "--series", _write(tmp_path / "a.csv", gap), *argv, "--quiet").returncode == 0
    )
    gap[-2, 1] = np.nan  # the last window's last input
    result = frnn("train", "--series", _write(tmp_path / "b.csv", gap), *argv)
    _one_line(result, f"row {len(values)}, column 'temp': a missing value the tail's forecasts")
    season = WINDOW + 20  # read before the tail's first window
    gap = values.copy()
    gap[len(values) - TEST - season, 0] = np.nan  # the first forecast's seasonal value
    series = _write(tmp_path / "c.csv", gap)
    run = ["--model", tmp_path / "run", "--series", series]  # scoring reads only the tail
    assert frnn("train", "--series", _write(tmp_path / "d.csv", values), *argv, "--out", run[1])
    assert frnn("evaluate", *run).returncode == 0
    result = frnn("evaluate", *run, "--season", season)
    _one_line(result, f"row {len(values) - TEST - season + 2}, column 'load'")


def test_predict_ignores_a_gap_in_a_column_the_model_does_not_take(trained, tmp_path):
    _, values, series, run, _ = trained
    extra = np.column_stack([values, np.full(len(values), np.nan)])  # humidity: all missing
    wider = _write(tmp_path / "wider.csv", extra, names=("load", "temp", "humidity"))
    result = frnn("predict", "--model", run, "--series", wider)
    assert result.returncode == 0, result.stderr
    assert result.stdout == frnn("predict", "--model", run, "--series", series).stdout
    scored = frnn("evaluate", "--model", run, "--series", wider, "--json")
    assert scored.returncode == 0, scored.stderr


# -- a model file without its run directory ------------------------------------------------


def test_a_model_file_alone_forecasts_by_position(trained, tmp_path):
    import shutil

    _, _, series, run, _ = trained
    alone = tmp_path / "elsewhere" / "model.npz"
    alone.parent.mkdir()
    shutil.copy(run / "model.npz", alone)
    result = frnn("predict", "--model", alone, "--series", series)
    assert result.returncode == 0, result.stderr
    assert result.stdout == frnn("predict", "--model", run, "--series", series).stdout
    note = result.stderr.strip().splitlines()
    assert len(note) == 1 and "the window (12) and the horizon (3) read from the model" in note[0]
    assert "columns load, temp in this order" in note[0]
    one = _write(tmp_path / "one.csv", _values()[:, :1], names=("load",))
    _one_line(frnn("predict", "--model", alone, "--series", one), "1 column(s) of values", "on 2")
    short = _write(tmp_path / "short.csv", _values()[: WINDOW - 1])  # the note not said
    _one_line(frnn("predict", "--model", alone, "--series", short), "11 rows", "--window 12")
    _one_line(  # before: "... says which of the 2 channels ...; pass the run directory"
        frnn("evaluate", "--model", alone, "--series", series, "--test-size", "5"),
        "model.npz forecasts one of the file's 2 channels (load, temp), and only its run's "
        "config.json records which (the target): pass --model RUN_DIR, the run directory of "
        "frnn train --series, or copy its config.json beside model.npz",
    )


def test_a_lone_model_file_of_one_channel_is_scored(tmp_path):
    import shutil

    values = _values(80)[:, :1]
    series = _write(tmp_path / "s.csv", values, names=("load",))
    run = tmp_path / "run"
    argv = ["--window", "6", "--horizon", "2", "--test-size", "10", *SMALL, "--out", run]
    assert frnn("train", "--series", series, *argv, "--quiet").returncode == 0
    shutil.copy(run / "model.npz", tmp_path / "m.npz")
    a = frnn("evaluate", "--model", run, "--series", series, "--json")
    b = frnn("evaluate", "--model", tmp_path / "m.npz", "--series", series, "--test-size", "10")
    assert b.returncode == 0, b.stderr
    mae = json.loads(a.stdout)["forecast"]["mae"]
    assert f"MAE {np.mean(mae):.4g} against" in b.stdout
    _one_line(  # before: "(the run held out none)", which a lone file cannot know
        frnn("evaluate", "--model", tmp_path / "m.npz", "--series", series),
        "pass --test-size N, the last N rows to score (no config.json beside",
    )


def test_a_lone_model_file_of_windows_of_other_lengths_is_refused(tmp_path):
    lines = ["1.5,0,1,2,3", "2.5,3,2,1", "0.5,1,2"] * 4
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    run = tmp_path / "run"
    argv = ["--train", tmp_path / "train.csv", "--task", "regression", *SMALL, "--out", run]
    assert frnn("train", *argv, "--quiet").returncode == 0
    (run / "config.json").unlink()
    series = _write(tmp_path / "s.csv", _values(30))
    _one_line(
        frnn("predict", "--model", run / "model.npz", "--series", series),
        "no config.json beside",
        "pass the run directory",
    )


def test_out_of_an_earlier_run_is_all_that_is_said(trained, tmp_path):
    """Before: the file's note of a missing time step came first, then the --out error."""
    _, _, series, run, _ = trained
    lines = series.read_text().splitlines()
    del lines[50]
    (tmp_path / "gap.csv").write_text("\n".join(lines) + "\n")
    argv = ["--window", WINDOW, "--target", "load", *SMALL, "--out", run, "--quiet"]
    result = frnn("train", "--series", tmp_path / "gap.csv", *argv)
    _one_line(result, f"frnn train: error: --out {run} already exists and is not empty")


def test_a_missing_time_step_is_said_and_the_times_continue(trained, tmp_path):
    """A row missing from an hourly file: one line on standard error (the rows are read as
    consecutive steps), and predict continues the stamps by the usual hour."""
    _, values, series, run, _ = trained
    lines = series.read_text().splitlines()
    del lines[50]  # the 50th step: file rows 50 and 51 now two hours apart
    (tmp_path / "gap.csv").write_text("\n".join(lines) + "\n")
    argv = ["--window", WINDOW, "--target", "load", *SMALL, "--out", tmp_path / "r", "--quiet"]
    result = frnn("train", "--series", tmp_path / "gap.csv", *argv)
    assert result.returncode == 0, result.stderr
    assert "1 time step(s) of 1:00:00 missing (the first between rows 50 and 51)" in result.stderr
    rows = _rows(frnn("predict", "--model", run, "--series", tmp_path / "gap.csv").stdout)
    last = datetime(2024, 3, 1) + timedelta(hours=len(values) - 1)
    assert rows[0]["time"] == (last + timedelta(hours=1)).isoformat(timespec="minutes")


# -- --inputs: the columns read --------------------------------------------------------------


def test_inputs_leave_other_columns_unread(trained, tmp_path):
    """A column of text and one of gaps beside the channels: --inputs reads the two, to the
    model of a file of them alone; predict and evaluate read them alone too."""
    _, values, series, run, metrics = trained
    lines = series.read_text().splitlines()
    notes = ["note"] + ["holiday" if i % 24 == 0 else "" for i in range(len(values))]
    wider = [f"{line},{note},?" for line, note in zip(lines, notes, strict=True)]
    wider[0] = wider[0].replace(",?", ",humidity")
    path = tmp_path / "wider.csv"
    path.write_text("\n".join(wider) + "\n")
    argv = ["--window", WINDOW, "--horizon", HORIZON, "--target", "load", "--test-size", TEST]
    refused = frnn("train", "--series", path, *argv, "--out", tmp_path / "no")
    _one_line(refused, "column 4 ('note'): expected a number, got 'holiday' (a column of text")
    out = tmp_path / "r"
    result = frnn("train", "--series", path, *argv, "--inputs", "temp,load", *SMALL, "--out", out)
    assert result.returncode == 0, result.stderr
    data = rundir.read_json(out / "config.json")["data"]
    assert data["inputs"] == ["temp", "load"] and data["channels"] == ["temp", "load"]
    swapped = _write(tmp_path / "swapped.csv", values[:, ::-1], names=("temp", "load"))
    alone = frnn("train", "--series", swapped, *argv, *SMALL, "--out", tmp_path / "a", "--quiet")
    assert alone.returncode == 0, alone.stderr
    assert_same_arrays(out / "model.npz", tmp_path / "a" / "model.npz")
    forecast = frnn("predict", "--model", out, "--series", path)
    assert forecast.returncode == 0, forecast.stderr
    assert forecast.stdout == frnn("predict", "--model", tmp_path / "a", "--series", series).stdout
    scored = frnn("evaluate", "--model", out, "--series", path, "--json")
    assert scored.returncode == 0, scored.stderr


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ("temp", "--target load is not among --inputs temp"),
        ("load,time", "'time' is the time column"),
        ("load,wind", "no column 'wind'; the file's columns of values are load, temp"),
        ("load,2", "the column 'load' is chosen twice"),  # column 2: load (1 is the time)
        ("load,", "column names or numbers, comma-separated"),
    ],
)
def test_inputs_refused(tmp_path, inputs, message):
    series = _write(tmp_path / "s.csv", _values(60))
    argv = ["--window", "5", "--target", "load", "--inputs", inputs, "--out", tmp_path / "r"]
    _one_line(frnn("train", "--series", series, *argv), message)
    assert not (tmp_path / "r").exists()


def test_a_target_beyond_a_headerless_file_says_how_many_columns_it_has(tmp_path):
    """Before: "no such column of values; the file's are column 1, column 2, column 3
    (columns 1, 2, 3)"."""
    values = np.column_stack([_values(30), np.arange(30.0)])  # columns 1, 2, 3
    series = _write(tmp_path / "bare.csv", values, times=False, header=False)
    argv = ["--window", "5", "--target", "99", "--out", tmp_path / "r"]
    said = "--target 99: no such column; the file has 3 columns (1..3) and no header row: "
    _one_line(frnn("train", "--series", series, *argv), said + "name a column of values by its")
    named = _write(tmp_path / "named.csv", values[:, :2])  # a time column, then load, temp
    said = "the file's columns of values are load, temp (columns 2, 3)"
    _one_line(frnn("train", "--series", named, *argv), said)


def test_inputs_by_number_in_a_file_without_a_header(tmp_path):
    values = np.column_stack([_values(80), np.arange(80.0)])  # columns 1, 2, 3
    series = _write(tmp_path / "bare.csv", values, times=False, header=False)
    run = tmp_path / "run"
    argv = ["--window", "6", "--target", "1", "--inputs", "1,3", *SMALL, "--out", run, "--quiet"]
    assert frnn("train", "--series", series, *argv).returncode == 0
    assert rundir.read_json(run / "config.json")["data"]["channels"] == ["column 1", "column 3"]
    two = _write(tmp_path / "two.csv", values[:, [0, 2]], times=False, header=False)
    argv = ["--window", "6", "--target", "1", *SMALL, "--out", tmp_path / "b", "--quiet"]
    assert frnn("train", "--series", two, *argv).returncode == 0
    a = frnn("predict", "--model", run, "--series", series)
    assert a.returncode == 0, a.stderr
    assert a.stdout == frnn("predict", "--model", tmp_path / "b", "--series", two).stdout


def test_business_days_are_said_once_and_the_times_follow_them(tmp_path, capsys):
    """Weekends absent: a calendar, not gaps to fill; predict's stamps skip the weekend."""
    from frnn.cli.forecast import _continued, _note_skips
    from frnn.data.seriesfile import read_series_file

    days = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-12-31"))
    days = days[np.is_busday(days)]  # ends on Monday 2024-12-30
    path = tmp_path / "b.csv"
    path.write_text("date,price\n" + "".join(f"{d},{i % 7}\n" for i, d in enumerate(days)))
    found = read_series_file(str(path))
    _note_skips(str(path), found)
    note = capsys.readouterr().err
    assert "repeats every 5 rows (steps of 1 day; business days" in note
    assert "insert the missing rows" not in note and note.count("\n") == 1
    assert _continued(found, 6) == [
        "2024-12-31", "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"
    ]  # fmt: skip


def test_series_with_a_classifier_says_it_is_a_classifier(tmp_path):
    """Before: "was not trained by frnn train --series (its run directory records no
    windows); forecast with --data FILE of windows": advice for a regressor of windows,
    given to a classifier (a bare model file's: "no config.json ... records the windows")."""
    (tmp_path / "train.csv").write_text("\n".join(["1,0,1,2,3", "2,3,2,1,0"] * 4) + "\n")
    run = tmp_path / "run"
    assert frnn("train", "--train", tmp_path / "train.csv", *SMALL, "--out", run).returncode == 0
    (tmp_path / "bare.npz").write_bytes((run / "model.npz").read_bytes())
    series = _write(tmp_path / "s.csv", _values(30))
    said = "is a classifier, not a forecaster: it gives whole series a label"
    for model in (run, run / "model.npz", tmp_path / "bare.npz"):
        _one_line(
            frnn("predict", "--model", model, "--series", series),
            f"--series: {model} {said}",
            "label series with --data FILE, or train a forecaster on the long series with "
            "frnn train --series FILE",
        )
    _one_line(
        frnn("evaluate", "--model", run, "--series", series, "--out", tmp_path / "c.png"),
        f"--series: {run} {said}",
        "score it on labelled series with --data FILE",
    )
