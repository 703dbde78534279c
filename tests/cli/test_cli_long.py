"""Files of one row per time step (long format) and files with an id column at the command
line: --id and --time on frnn train, evaluate and predict, recorded in config.json; predict
writes each series' id; a header naming ids or time stamps is refused without --id (before,
``frnn train --train long.csv --label label`` trained on every row as a series of 3 values)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from helpers import run_cli as frnn

FAST = ["--training", "reservoir", "--n-reservoirs", "3", "--seed", "0", "--quiet"]
LONG = ["--id", "series_id", "--time", "timestamp", "--label", "label"]
NAMES = ("low", "high")


def _series(n=24, T=16, seed=0):
    """Rising (high) or falling (low) noisy ramps: (n, T) and their labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = np.linspace(-1, 1, T)[None] * (2 * y[:, None] - 1) + 0.1 * rng.standard_normal((n, T))
    return X, [NAMES[k] for k in y]


def _write_long(path, X, labels, shuffle=False):
    """``series_id,timestamp,value,label``, the rows in a random order when ``shuffle``."""
    rows = [(f"s{i}", t, X[i, t], labels[i]) for i in range(len(X)) for t in range(X.shape[1])]
    if shuffle:
        rows = [rows[k] for k in np.random.default_rng(1).permutation(len(rows))]
    lines = ["series_id,timestamp,value,label"]
    lines += [f"{i},{t},{v:.6f},{y}" for i, t, v, y in rows]
    path.write_text("\n".join(lines) + "\n")


def _write_wide(path, X, labels):
    lines = ["id,label," + ",".join(f"t{t}" for t in range(X.shape[1]))]
    lines += [
        f"s{i},{y}," + ",".join(f"{v:.6f}" for v in x)
        for i, (x, y) in enumerate(zip(X, labels, strict=True))
    ]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def files(tmp_path):
    X, labels = _series()
    Xt, test_labels = _series(n=10, seed=1)
    _write_long(tmp_path / "train.csv", X, labels)
    _write_long(tmp_path / "test.csv", Xt, test_labels, shuffle=True)
    _write_wide(tmp_path / "wide.csv", X, labels)
    _write_wide(tmp_path / "wide_test.csv", Xt, test_labels)
    return tmp_path


def _scores(run) -> dict:
    """A run's metrics.json, its timings left out."""
    metrics = json.loads((run / "metrics.json").read_text())
    return {k: {m: v for m, v in s.items() if m != "seconds"} if isinstance(s, dict) else s
            for k, s in metrics.items() if k != "seconds"}  # fmt: skip


def _one_line(result):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_long_file_without_id_is_refused_naming_the_columns(files):
    """Before: trained on 384 'series' of 3 values each, and exited 0."""
    line = _one_line(frnn("train", "--train", "train.csv", "--label", "label", *FAST, cwd=files))
    assert "column 'series_id' looks like a series id" in line
    assert "--id series_id and --time timestamp" in line and "--id none" in line
    assert not (files / "runs").exists()


def test_a_wide_file_with_an_id_column_is_read_with_id(files):
    """Before: 'expected a number, got 's0'', with no way to name the id column."""
    line = _one_line(frnn("train", "--train", "wide.csv", "--label", "label", *FAST, cwd=files))
    assert "column 'id' looks like a series id" in line and "--id id" in line
    result = frnn("train", "--train", "wide.csv", "--id", "id", "--out", "w", *FAST, cwd=files)
    assert result.returncode == 0, result.stderr
    predicted = frnn("predict", "--model", "w", "--data", "wide_test.csv", "--id", "id", cwd=files)
    assert predicted.returncode == 0, predicted.stderr
    rows = list(csv.reader(io.StringIO(predicted.stdout)))
    assert rows[0] == ["id", "prediction", "p_high", "p_low"]
    assert [r[0] for r in rows[1:]] == [f"s{i}" for i in range(10)]


def test_train_on_long_files_records_id_and_time_for_config_and_resume(files):
    result = frnn(
        "train", "--train", "train.csv", "--test", "test.csv", *LONG, "--out", "r", *FAST, cwd=files
    )
    assert result.returncode == 0, result.stderr
    config = json.loads((files / "r" / "config.json").read_text())
    assert config["data"]["id"] == "series_id" and config["data"]["time"] == "timestamp"
    metrics = _scores(files / "r")
    assert metrics["test"]["n"] == 10 and metrics["test"]["accuracy"] >= 0.9
    # --config repeats it: the same reading, the same model
    again = frnn("train", "--config", "r/config.json", "--out", "r2", "--quiet", cwd=files)
    assert again.returncode == 0, again.stderr
    assert _scores(files / "r2")["test"] == metrics["test"]
    # a new --test file beside the --config is read with its --id and --time
    (files / "other.csv").write_text((files / "test.csv").read_text())
    third = frnn(
        "train", "--config", "r/config.json", "--test", "other.csv", "--train", "train.csv",
        "--out", "r3", "--quiet", cwd=files,
    )  # fmt: skip
    assert third.returncode == 0, third.stderr
    assert _scores(files / "r3")["test"] == metrics["test"]
    refused = _one_line(frnn("train", "--resume", "r", "--id", "x", cwd=files))
    assert "drop --id" in refused


def test_evaluate_and_predict_long_files_write_the_ids(files):
    assert (
        frnn("train", "--train", "train.csv", *LONG, "--out", "r", *FAST, cwd=files).returncode == 0
    )
    evaluated = frnn("evaluate", "--model", "r", "--data", "test.csv", *LONG, "--json", cwd=files)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["n"] == 10
    predicted = frnn("predict", "--model", "r", "--data", "test.csv", *LONG, cwd=files)
    assert predicted.returncode == 0, predicted.stderr
    rows = list(csv.reader(io.StringIO(predicted.stdout)))
    assert rows[0] == ["series_id", "prediction", "p_high", "p_low"]
    # the series in the order their ids first appear in the shuffled file
    lines = (files / "test.csv").read_text().splitlines()[1:]
    first_seen = list(dict.fromkeys(line.split(",")[0] for line in lines))
    assert [r[0] for r in rows[1:]] == first_seen
    truth = dict(line.split(",")[::3] for line in lines)  # id -> label
    right = sum(truth[r[0]] == r[1] for r in rows[1:])
    assert right >= 9
    # --label auto (predict's default) takes the label column when every value is a class
    auto = frnn("predict", "--model", "r", "--data", "test.csv", "--id", "series_id",
                "--time", "timestamp", "--label", "label", cwd=files)  # fmt: skip
    assert auto.stdout == predicted.stdout


def test_predict_a_long_file_without_label_reads_the_label_column(files):
    """The model file alone (the run's recorded --label not read): the header's 'label'
    column is the labels for --label auto (it was refused as 'column 4 ('label'): expected
    a number'); the file without it is unlabelled; all three predict alike."""
    assert (
        frnn("train", "--train", "train.csv", *LONG, "--out", "r", *FAST, cwd=files).returncode == 0
    )
    keys = ["--id", "series_id", "--time", "timestamp"]
    direct = frnn("predict", "--model", "r/model.npz", "--data", "test.csv", *keys, cwd=files)
    lines = (files / "test.csv").read_text().splitlines()
    (files / "bare.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines))
    bare = frnn("predict", "--model", "r", "--data", "bare.csv", *keys, cwd=files)
    full = frnn("predict", "--model", "r", "--data", "test.csv", *LONG, cwd=files)
    for result in (direct, bare, full):
        assert result.returncode == 0, result.stderr
    assert bare.stdout == full.stdout == direct.stdout


def test_predict_without_id_writes_row_numbers_as_before(files):
    X, labels = _series(n=6)
    (files / "plain.csv").write_text(
        "\n".join(f"{y}," + ",".join(f"{v:.6f}" for v in x) for x, y in zip(X, labels, strict=True))
    )
    assert frnn("train", "--train", "plain.csv", "--out", "p", *FAST, cwd=files).returncode == 0
    result = frnn("predict", "--model", "p", "--data", "plain.csv", cwd=files)
    assert result.stdout.splitlines()[0] == "row,prediction,p_high,p_low"
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == list("123456")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "parity", "--id", "series_id"], "--id: for --train/--test files"),
        (["--train", "train.csv", "--id", "series_id", "--label", "label"],
         "column 'timestamp' looks like a time stamp: pass --time timestamp"),
        (["--train", "train.csv", "--time", "timestamp"], "--time timestamp orders the rows"),
        (["--train", "train.csv", "--id", "series_id", "--time", "timestamp"],
         "'value' changes within the series 's0'"),
        (["--train", "train.csv", "--id", "nope", "--label", "label"], "no column named 'nope'"),
    ],
)  # fmt: skip
def test_bad_id_and_time_options_are_one_line(files, args, message):
    line = _one_line(frnn("train", *args, *FAST, cwd=files))
    assert message in line


def test_a_regressor_on_a_long_file_writes_each_series_id(files):
    X, _ = _series(n=12)
    targets = [f"{x.mean():.4f}" for x in X]  # a real target a series, on each of its rows
    _write_long(files / "reg.csv", X, targets)
    trained = frnn("train", "--train", "reg.csv", *LONG, "--task", "regression", "--out", "g",
                   *FAST, cwd=files)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = frnn("predict", "--model", "g", "--data", "reg.csv", *LONG, cwd=files)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["series_id", "prediction"]
    assert [r[0] for r in rows[1:]] == [f"s{i}" for i in range(12)]


def test_a_config_with_a_bad_id_is_one_line(files):
    assert (
        frnn("train", "--train", "train.csv", *LONG, "--out", "r", *FAST, cwd=files).returncode == 0
    )
    config = json.loads((files / "r" / "config.json").read_text())
    config["data"]["id"] = 5
    (files / "bad.json").write_text(json.dumps(config))
    line = _one_line(frnn("train", "--config", "bad.json", cwd=files))
    assert "'data' must be" in line and "'id' and 'time': COLUMN" in line


def test_resume_reads_the_files_with_the_recorded_id_and_time(files):
    """A run killed before it saved anything: --resume reads the long files as recorded."""
    from frnn.cli import config as cli_config
    from frnn.cli import rundir
    from frnn.cli.main import build_parser

    argv = ["train", "--train", "train.csv", "--test", "test.csv", *LONG, *FAST]
    with_cwd = build_parser().parse_args(argv)
    with_cwd.train, with_cwd.test = str(files / "train.csv"), str(files / "test.csv")
    (files / "k").mkdir()
    rundir.write_json(files / "k" / "config.json", cli_config.new_config(with_cwd))
    result = frnn("train", "--resume", "k", "--quiet", cwd=files)
    assert result.returncode == 0, result.stderr
    assert _scores(files / "k")["test"]["n"] == 10


def _dated(path, times) -> None:
    """``path`` with each row's time stamp t written as ``times(int(t))``."""
    lines = path.read_text().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    path.write_text(
        "\n".join([lines[0]] + [",".join([r[0], times(int(r[1])), *r[2:]]) for r in rows])
    )


def test_long_files_with_iso_dates_train_evaluate_and_predict(files):
    """Before: 'the time '2024-03-01T09:00:00+01:00' ... is not a number; time stamps must
    be numbers'. The shuffled test file's rows are put in order by their dates, offsets in UTC."""
    from datetime import datetime, timedelta

    start = datetime(2024, 3, 1, 9)
    _dated(files / "train.csv", lambda t: (start + timedelta(hours=t)).strftime("%Y-%m-%d %H:%M"))
    _dated(files / "test.csv", lambda t: (start + timedelta(hours=t)).isoformat() + "+01:00")
    assert (
        frnn("train", "--train", "train.csv", *LONG, "--out", "r", *FAST, cwd=files).returncode == 0
    )
    evaluated = frnn("evaluate", "--model", "r", "--data", "test.csv", *LONG, "--json", cwd=files)
    assert evaluated.returncode == 0, evaluated.stderr
    assert (
        json.loads(evaluated.stdout)["n"] == 10 and json.loads(evaluated.stdout)["accuracy"] >= 0.9
    )
    # a date without an offset among dates with one: one line naming both rows
    lines = (files / "test.csv").read_text().splitlines()
    lines.append(lines[-1].replace("+01:00", "").replace(":00:00,", ":30:00,", 1))
    (files / "test.csv").write_text("\n".join(lines))
    line = _one_line(frnn("predict", "--model", "r", "--data", "test.csv", *LONG, cwd=files))
    assert (
        f"row {len(lines)}: the time" in line
        and "is a date without a UTC offset, but row 2's" in line
    )
