"""frnn's errors: one line on stderr and exit 2 for every bad option, file and model; --debug
shows the traceback."""

from __future__ import annotations

import os

import pytest

from helpers import run_cli as frnn

TINY = ["--training", "bptt", "--epochs", "3", "--hidden-size", "4"]  # as test_cli.py


# -- errors: one line on stderr, exit 2 -----------------------------------------------------


def bad_files(tmp_path) -> None:
    (tmp_path / "nan.csv").write_text("1,1,2,3\n0,1,nan,2\n1,3,2,1\n")
    (tmp_path / "rows.ts").write_text("@problemName x\n@data\n1,2:3,4:a\n1,2:b\n")
    (tmp_path / "word.csv").write_text("1,1,2\n0,1,two\n")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81\x92")
    (tmp_path / "notmodel.npz").write_bytes(b"PK not really")
    (tmp_path / "real.csv").write_text("0.25,1,2,3\n1.5,1,0,2\n0.75,3,2,1\n")
    (tmp_path / "one.csv").write_text("1,1,2,3\n1,3,2,1\n")
    os.mkdir(tmp_path / "emptyrun")
    os.mkdir(tmp_path / "folder.csv")
    os.mkfifo(tmp_path / "pipe.csv")


ERRORS = [
    (["train", "--train", "absent.csv"], "absent.csv: no such file"),
    (["train", "--train", "binary.csv"], "binary.csv: not UTF-8 or UTF-16 text"),
    (["train", "--train", "nan.csv"], "missing values (NaN) in row(s) 2"),
    (["train", "--train", "folder.csv"], "folder.csv: a directory, not a file"),
    (["train", "--train", "pipe.csv"], "pipe.csv: not a regular file (a pipe or a device)"),
    (["predict", "--model", "pipe.csv", "--dataset", "coffee"], "pipe.csv: not a regular fi"),
    (["train", "--config", "folder.csv"], "folder.csv: a directory, not a file"),
    (["train", "--dataset", "coffee", "--out", "one.csv/run"], "--out one.csv/run: cannot crea"),
    (["train", "--dataset", "coffee", "--out", "one.csv"], "--out one.csv is a file; expected a"),
    (["train", "--train", "rows.ts"], "inconsistent rows: line 3 (series 1) has 2 dimension(s)"),
    (["train", "--train", "word.csv"], "got 'two' (are the labels in the last column? pass --l"),
    (["train", "--train", "word.csv", "--label", "first"], "last column? pass --label last)"),
    (["train", "--dataset", "mnist"], "unknown data set 'mnist'"),
    (["train", "--dataset", "adding", "--task", "classification"], "adding is a regression task"),
    (["train", "--train", "real.csv"], "not class labels; pass --task regression"),
    (["train", "--train", "one.csv"], "one.csv: every series has the label 1; a classifier"),
    (["train", "--train", "one.csv", *TINY], "the label 1; a classifier needs at least 2"),
    (["train", "--train", "word.csv", "--task", "regression"], "expected a number"),
    (["train", "--task", "regression", "--aux-weight", "1"], "--aux-weight: not an option"),
    (["train", "--task", "regression", "--taps", "3"], "--taps: not an option of the regression"),
    (["train", "--dataset", "adding", "--training", "ridge"], "training must be one of"),
    (["train", "--task", "ranking"], "argument --task: invalid choice"),
    (["train", "--epochs", "-1"], "epochs must be a positive integer or none; got -1"),
    (["train", "--hidden-size", "0"], "--hidden-size must be a positive integer or none; got 0"),
    (["train", "--steps", "0"], "--steps must be a positive integer; got 0"),
    (["train", "--init", "zeros"], "--init must be one of"),
    (["train", "--learning-rate", "-0.1"], "--learning-rate must be a positive number; got -0.1"),
    (["train", "--activation", "sine"], "activation must be one of"),
    (["train", "--epochs", "many"], "--epochs must be a positive integer or none; got 'many'"),
    (["train", "--steps", "many"], "argument --steps: expected a number or none, got 'many'"),
    (["train", "--bias", "maybe"], "argument --bias: expected true or false, got 'maybe'"),
    (["train", "--length", "0", "--dataset", "parity"], "option --length of data set 'parity'"),
    (["train", "--length", "5"], "--length: not an option of data set 'gunpoint'"),
    (["train", "--checkpoint-every", "0"], "must be a positive integer"),
    (["graph", "--steps", "0"], "argument --steps: must be a positive integer; got '0'"),
    (["graph", "--steps", "1001"], "--steps must be at most 1000; got 1001"),
    (["plot", "gradient-flow", "--out", "g.png", "--radii", "-1"], "must be a positive number"),
    (["plot", "gradient-flow", "--out", "g.png", "--seed", "x"], "must be a non-negative integer"),
    (["train", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    (["demo", "--seed", "-1"], "argument --seed: must be a non-negative integer; got '-1'"),
    (["train", "--resume", "emptyrun"], "emptyrun/config.json"),
    (["train", "--resume", "absent"], "absent: no such directory"),
    (["evaluate", "--model", "absent.npz", "--dataset", "coffee"], "absent.npz: no such model"),
    (["evaluate", "--model", "notmodel.npz", "--dataset", "coffee"], "notmodel.npz"),
    (["predict", "--model", "emptyrun", "--data", "nan.csv"], "no such model file"),
    (["predict", "--model", "folder.csv", "--data", "nan.csv"], "no such model file"),
    (
        ["evaluate", "--model", "x.npz"],
        "one of the arguments --data --dataset --series is required",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_errors_are_one_line_and_exit_2(tmp_path, args, message):
    bad_files(tmp_path)
    result = frnn(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and message in result.stderr
    assert not (tmp_path / "runs").exists()  # nothing written for a run that did not start


def test_a_bad_size_limit_is_named_alone_not_as_the_model_files_fault(tmp_path):
    """Before: "notmodel.npz is not a readable frnn model file: FRNN_MAX_FILE_BYTES must be
    ...", as if the model file were damaged."""
    bad_files(tmp_path)
    env = {"FRNN_MAX_FILE_BYTES": "1GB"}
    result = frnn("predict", "--model", "notmodel.npz", "--data", "one.csv", cwd=tmp_path, env=env)
    assert result.returncode == 2
    expected = "frnn predict: error: FRNN_MAX_FILE_BYTES must be a whole number of bytes"
    assert result.stderr.startswith(expected), result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = frnn("--debug", "train", "--dataset", "mnist", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" in result.stderr
