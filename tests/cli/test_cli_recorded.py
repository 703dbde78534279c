"""``frnn evaluate`` and ``predict`` with a run directory read new files as the run read
its own: --label, --header, --id and --time not given come from its config.json (before,
a run trained with ``--label last`` could not be evaluated without ``--label last``
again, nor a long-format run without ``--id`` and ``--time``)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from frnn.cli import rundir
from helpers import run_cli as frnn

FAST = ["--training", "reservoir", "--n-reservoirs", "3", "--seed", "0", "--quiet"]
NAMES = ("low", "high")


def _series(n, T=12, seed=0):
    """Rising (high) or falling (low) noisy ramps: (n, T) and their labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = np.linspace(-1, 1, T)[None] * (2 * y[:, None] - 1) + 0.1 * rng.standard_normal((n, T))
    return X, [NAMES[k] for k in y]


def _wide(path, X, labels, where):
    """One series per row, the label first, last, or none; with a header row."""
    head = [f"t{t}" for t in range(X.shape[1])]
    rows = [[f"{v:.6f}" for v in x] for x in X]
    if where == "first":
        head, rows = ["class", *head], [[y, *r] for y, r in zip(labels, rows, strict=True)]
    if where == "last":
        head, rows = [*head, "class"], [[*r, y] for y, r in zip(labels, rows, strict=True)]
    path.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n")


def _long(path, X, labels):
    """``series_id,timestamp,value[,label]``, one row a step, time stamps descending."""
    head = "series_id,timestamp,value" + (",label" if labels else "")
    lines = [head]
    for i, x in enumerate(X):
        for t in reversed(range(len(x))):
            lines.append(f"s{i},{t},{x[t]:.6f}" + (f",{labels[i]}" if labels else ""))
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def wide(tmp_path):
    """A run trained with --label last (no header option, no id), and new files."""
    X, labels = _series(30)
    Xt, test_labels = _series(10, seed=1)
    _wide(tmp_path / "train.csv", X, labels, "last")
    for where in ("first", "last", "none"):
        _wide(tmp_path / f"test_{where}.csv", Xt, test_labels, where)
    run = frnn("train", "--train", "train.csv", "--label", "last", "--out", "r", *FAST,
               cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    return tmp_path


@pytest.fixture
def long(tmp_path):
    """A run trained on a long file with --id, --time and --label label."""
    X, labels = _series(24)
    Xt, test_labels = _series(10, seed=1)
    _long(tmp_path / "train.csv", X, labels)
    _long(tmp_path / "test.csv", Xt, test_labels)
    _long(tmp_path / "bare.csv", Xt, None)
    keys = ["--id", "series_id", "--time", "timestamp", "--label", "label"]
    run = frnn("train", "--train", "train.csv", *keys, "--out", "r", *FAST, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    return tmp_path


def _scores(out: str) -> dict:
    """evaluate --json's object, its timing left out."""
    return {k: v for k, v in json.loads(out).items() if k != "seconds"}


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def _error(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_evaluate_a_label_last_run_without_label(wide):
    """Before: "column 13 ('class'): expected a number, got 'high' (... --label last)"."""
    out = _ok(frnn("evaluate", "--model", "r", "--data", "test_last.csv", "--json", cwd=wide))
    metrics = json.loads(out)  # one JSON object, nothing else printed
    assert metrics["n"] == 10 and metrics["accuracy"] >= 0.9


def test_predict_a_label_last_run_with_and_without_labels(wide):
    """The recorded --label last: auto looks at the last column (before: the error
    above for the labelled file)."""
    labelled = _ok(frnn("predict", "--model", "r", "--data", "test_last.csv", cwd=wide))
    bare = _ok(frnn("predict", "--model", "r", "--data", "test_none.csv", cwd=wide))
    assert labelled == bare
    assert labelled.splitlines()[0] == "row,prediction,p_high,p_low"
    assert len(labelled.splitlines()) == 11


def test_options_given_override_the_recorded_ones(wide):
    """--label first given reads the labels first, the run's last notwithstanding."""
    assert "expected a number" in _error(
        frnn("evaluate", "--model", "r", "--data", "test_first.csv", cwd=wide)
    )
    first = _ok(frnn("evaluate", "--model", "r", "--data", "test_first.csv", "--label", "first",
                     "--json", cwd=wide))  # fmt: skip
    last = _ok(frnn("evaluate", "--model", "r", "--data", "test_last.csv", "--json", cwd=wide))
    assert _scores(first) == _scores(last)
    # --header no given: the header row is read as a series, refused as text
    assert "expected a number" in _error(
        frnn("evaluate", "--model", "r", "--data", "test_last.csv", "--header", "no", cwd=wide)
    )


def test_the_model_file_given_directly_reads_as_before(wide):
    line = _error(frnn("evaluate", "--model", "r/model.npz", "--data", "test_last.csv", cwd=wide))
    assert "expected a number" in line and "--label last" in line


def test_a_built_in_dataset_ignores_the_recorded_options(wide):
    """GunPoint's test split: the run's channels match (1), its classes do not, as before."""
    line = _error(frnn("evaluate", "--model", "r", "--dataset", "gunpoint", cwd=wide))
    assert "not among the model's classes" in line


def test_a_long_run_predicts_and_evaluates_without_options(long):
    """Before: the header column 'series_id' was refused, naming --id and --time."""
    metrics = json.loads(_ok(frnn("evaluate", "--model", "r", "--data", "test.csv", "--json",
                                  cwd=long)))  # fmt: skip
    assert metrics["n"] == 10 and metrics["accuracy"] >= 0.9
    labelled = _ok(frnn("predict", "--model", "r", "--data", "test.csv", cwd=long))
    rows = list(csv.reader(io.StringIO(labelled)))
    assert rows[0] == ["series_id", "prediction", "p_high", "p_low"]
    assert [r[0] for r in rows[1:]] == [f"s{i}" for i in range(10)]
    keys = ["--id", "series_id", "--time", "timestamp", "--label", "label"]
    given = _ok(frnn("predict", "--model", "r", "--data", "test.csv", *keys, cwd=long))
    assert labelled == given


def test_predict_unlabelled_data_of_a_run_with_a_named_label(long):
    """The recorded --label label is taken where the file has the column, else none."""
    bare = _ok(frnn("predict", "--model", "r", "--data", "bare.csv", cwd=long))
    labelled = _ok(frnn("predict", "--model", "r", "--data", "test.csv", cwd=long))
    assert bare == labelled


def test_a_recorded_time_needs_the_recorded_id(long):
    """--id given: the recorded --time (of the recorded id) is not taken."""
    rows = (long / "bare.csv").read_text().splitlines()
    (long / "renamed.csv").write_text("\n".join(["key,timestamp,value", *rows[1:]]) + "\n")
    by_key = _ok(frnn("predict", "--model", "r", "--data", "renamed.csv", "--id", "key",
                      "--time", "timestamp", cwd=long))  # fmt: skip
    assert (
        by_key.splitlines()[1:]
        == _ok(frnn("predict", "--model", "r", "--data", "bare.csv", cwd=long)).splitlines()[1:]
    )
    # --id given alone: timestamp is not taken for --time; the guard names it
    line = _error(frnn("predict", "--model", "r", "--data", "renamed.csv", "--id", "key",
                       cwd=long))  # fmt: skip
    assert "timestamp" in line and "--time" in line


def test_an_npz_file_of_a_long_run_takes_no_column_options(long):
    """--id names a text file's column: an .npz read by the run directory as before."""
    X, labels = _series(10, seed=1)
    np.savez(long / "test.npz", X=X[:, :, None], y=np.array(labels))
    metrics = json.loads(_ok(frnn("evaluate", "--model", "r", "--data", "test.npz", "--json",
                                  cwd=long)))  # fmt: skip
    assert metrics["n"] == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"estimator": {}, "data": {"train": "t.csv", "test": null, "label": 5}}', "'data'"),
        ('{"estimator": {}, "data": {"train": "t.csv", "test": null, "header": "no?"}}', "'data'"),
    ],
)
def test_a_broken_config_json_is_one_line_naming_it(wide, text, expected):
    (wide / "r" / "config.json").write_text(text)
    for command in ("evaluate", "predict"):
        line = _error(frnn(command, "--model", "r", "--data", "test_last.csv", cwd=wide))
        assert "config.json" in line and expected in line, line
        assert "--model r/model.npz" in line


def test_a_config_json_too_large_is_refused_unread(wide, monkeypatch):
    monkeypatch.setattr(rundir, "MAX_JSON_BYTES", 100)
    line = _error(frnn("predict", "--model", "r", "--data", "test_last.csv", cwd=wide))
    assert "config.json" in line and "at most 100" in line


def test_a_run_directory_without_config_json_reads_as_before(wide):
    (wide / "r" / "config.json").unlink()
    line = _error(frnn("evaluate", "--model", "r", "--data", "test_last.csv", cwd=wide))
    assert "--label last" in line


def test_a_regressor_with_a_named_target_predicts_without_label(tmp_path):
    """A regressor has no classes for auto to tell by (before: "--label auto cannot tell a
    regressor's target column"); the recorded column name tells, present or not."""
    X, _ = _series(30)
    head = ",".join(f"t{t}" for t in range(X.shape[1]))
    rows = [",".join(f"{v:.6f}" for v in x) for x in X]
    targets = [f"{x.sum():.6f}" for x in X]
    (tmp_path / "train.csv").write_text(
        "\n".join([f"{head},target", *(f"{r},{y}" for r, y in zip(rows, targets, strict=True))])
    )
    (tmp_path / "new.csv").write_text("\n".join([head, *rows]))
    run = frnn("train", "--train", "train.csv", "--label", "target", "--task", "regression",
               "--out", "r", *FAST, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    bare = _ok(frnn("predict", "--model", "r", "--data", "new.csv", cwd=tmp_path))
    labelled = _ok(frnn("predict", "--model", "r", "--data", "train.csv", cwd=tmp_path))
    assert bare.splitlines()[0] == "row,prediction" and labelled == bare


def test_predict_auto_reads_a_column_named_class_as_the_labels(wide):
    """A model file given directly has no recorded --label; its header's 'class' column,
    last, was read as the series' last value, silently (a probe: 1 of 150 predictions and
    76 probabilities changed).  Now --label auto reads a column named label, class or
    target as the labels: the same output as the run directory's."""
    run = _ok(frnn("predict", "--model", "r", "--data", "test_last.csv", cwd=wide))
    direct = _ok(frnn("predict", "--model", "r/model.npz", "--data", "test_last.csv", cwd=wide))
    bare = _ok(frnn("predict", "--model", "r/model.npz", "--data", "test_none.csv", cwd=wide))
    assert direct == run == bare
    first = _ok(frnn("predict", "--model", "r/model.npz", "--data", "test_first.csv", cwd=wide))
    assert first == run


def test_predict_auto_does_not_read_integer_labels_as_values(tmp_path):
    """The probe's silent case: integer classes (GunPoint's 1 and 2) in a last column
    named 'label' read as a number, one value more per series, no error."""
    X, labels = _series(30)
    Xt, test_labels = _series(10, seed=1)
    codes = {"low": "1", "high": "2"}
    for name, x, y in (("train", X, labels), ("test", Xt, test_labels)):
        head = ",".join([*(f"t{t}" for t in range(x.shape[1])), "label"])
        rows = [",".join([*(f"{v:.6f}" for v in r), codes[c]]) for r, c in zip(x, y, strict=True)]
        (tmp_path / f"{name}.csv").write_text("\n".join([head, *rows]) + "\n")
    _ok(frnn("train", "--train", "train.csv", "--label", "last", "--out", "r", *FAST,
             cwd=tmp_path))  # fmt: skip
    run = _ok(frnn("predict", "--model", "r", "--data", "test.csv", cwd=tmp_path))
    direct = _ok(frnn("predict", "--model", "r/model.npz", "--data", "test.csv", cwd=tmp_path))
    assert direct == run
