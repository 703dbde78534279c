"""The command line: train, evaluate, predict, every input format, every error, atomic
writes (run in-process), resume after SIGKILL and after Ctrl-C (in a child process: the
signal is the point)."""

from __future__ import annotations

import csv
import json
import os
import re
import warnings

import numpy as np
import pytest

from frnn import LengthWarning
from frnn.data.lengths import BPTT_LONG_FACTOR
from frnn.estimator import RNNClassifier
from helpers import model_arrays, toy_series, write_file
from helpers import run_cli as frnn

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
TINY = ["--training", "bptt", "--epochs", "3", "--hidden-size", "4"]
RESERVOIR = ["--n-reservoirs", "6", "--hidden-size", "8"]  # the default training, smaller


# -- frnn train ---------------------------------------------------------------------------


@pytest.mark.slow
def test_train_writes_the_run_directory(tmp_path):
    result = frnn("train", *TINY, "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    epochs, lines = result.stdout.splitlines()[:4], result.stdout.splitlines()[4:]
    assert epochs[0].split()[:7] == ["epoch", "train", "loss", "train", "acc", "test", "loss"]
    assert [row.split()[0] for row in epochs[1:]] == ["1", "2", "3"]  # one row per epoch
    assert lines[0].split() == ["accuracy", "loss", "n", "seconds"]
    assert lines[1].split()[0] == "train" and lines[1].split()[3] == "50"  # GunPoint's train
    assert lines[2].split()[0] == "test" and lines[2].split()[3] == "150"
    assert "3/3" in result.stderr and "loss" in result.stderr  # the progress bar
    run = tmp_path / "run"
    config = json.loads((run / "config.json").read_text())
    assert config["estimator"] == {
        **RNNClassifier().get_params(),
        "training": "bptt",
        "spectral_radius": [0.5, 0.99],  # JSON lists
        "input_scale": [0.3, 3.0],
        "epochs": 3,
        "hidden_size": 4,
        "random_state": 0,
    }
    assert config["data"] == {"dataset": "gunpoint", "options": {}}
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["status"] == "finished" and metrics["epochs"] == 3
    assert 0 <= metrics["test"]["accuracy"] <= 1 and metrics["train"]["n"] == 50
    with open(run / "history.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert {"train_loss", "train_accuracy", "val_loss", "val_accuracy"} <= set(rows[0])
    assert {"test_loss", "test_accuracy", "objective", "grad_norm"} <= set(rows[0])
    assert (run / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (run / "model.npz").is_file() and (run / "checkpoint.npz").is_file()


@pytest.mark.slow
def test_train_json_and_quiet(tmp_path):
    result = frnn("train", *TINY, "--json", "--out", "a", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    summary = json.loads(result.stdout)
    assert summary["run_dir"] == "a" and summary["test"]["n"] == 150
    quiet = frnn("train", *TINY, "--quiet", "--out", "b", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    default = frnn("train", *TINY, "--quiet", cwd=tmp_path)  # runs/<timestamp>
    assert default.returncode == 0 and len(list((tmp_path / "runs").iterdir())) == 1


def test_every_estimator_parameter_is_an_option(tmp_path):
    text = frnn("train", "--help", cwd=tmp_path).stdout
    for name in RNNClassifier().get_params():
        assert "--" + name.replace("_", "-") in text
    assert "--bias [BOOL]" in text and "--no-bias" in text  # yes/no parameters are switches


@pytest.mark.slow
@pytest.mark.parametrize(
    ("switch", "bias"), [(["--no-bias"], False), (["--bias"], True), (["--bias", "no"], False)]
)
def test_bias_switch_reaches_the_model(tmp_path, switch, bias):
    assert frnn("train", *TINY, *switch, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "r" / "config.json").read_text())["estimator"]["bias"] is bias
    assert ("net0/b" in model_arrays(tmp_path / "r" / "model.npz")) is bias


@pytest.mark.slow
def test_options_reach_the_estimator(tmp_path):
    args = [
        "--optimizer",
        "sgd",
        "--learning-rate",
        "0.05",
        "--clip",
        "none",
        "--chunk-length",
        "4",
        "--standardize",
        "false",
        "--seed",
        "7",
        "--validation-fraction",
        "0.25",
    ]
    assert frnn("train", *TINY, *args, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    params = json.loads((tmp_path / "r" / "config.json").read_text())["estimator"]
    assert params["optimizer"] == "sgd" and params["learning_rate"] == 0.05
    assert params["clip"] is None and params["chunk_length"] == 4
    assert params["standardize"] is False and params["random_state"] == 7
    with open(tmp_path / "r" / "history.csv") as handle:
        assert next(csv.DictReader(handle))["val_loss"] != ""  # a validation loss was recorded


def test_reservoir_progress_bar_counts_each_reservoir_once_and_ends_full(tmp_path):
    """16 training series (at most CROP_MAX_SERIES): the crops come from the series' own
    pass; the bar counts each reservoir once, ends full, never goes past."""
    parity = ["--dataset", "parity", "--n-train", "16", "--n-test", "8", "--length", "5"]
    reservoirs = ["--training", "reservoir", "--n-reservoirs", "3"]  # parity's default: BPTT
    result = frnn("train", *parity, *reservoirs, "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    counts = [tuple(map(int, m)) for m in re.findall(r"(\d+)/(\d+) \[", result.stderr)]
    assert counts and all(done <= total for done, total in counts)
    assert counts[-1] == (3, 3)  # 3 reservoirs, the series' crops read from their run


def test_default_reservoir_train_writes_results_and_resume_refits(tmp_path):
    result = frnn("train", *RESERVOIR, "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["accuracy", "loss", "n", "seconds"]
    assert lines[2].split()[0] == "test" and lines[2].split()[3] == "150"
    assert lines[3].startswith("6 reservoirs, 336 features, ridge α")  # 6 × 8 units × (3 + 4)
    assert "6/6" in result.stderr and "reservoir" in result.stderr  # the progress bar
    run = tmp_path / "run"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["training"] == "reservoir" and metrics["epochs"] is None
    assert metrics["reservoirs"] == 6 and metrics["test"]["accuracy"] >= 0.8
    assert not (run / "checkpoint.npz").exists() and not (run / "history.csv").exists()
    config = json.loads((run / "config.json").read_text())
    assert config["estimator"]["training"] == "reservoir"
    evaluation = frnn("evaluate", "--model", "run", "--dataset", "gunpoint", "--json", cwd=tmp_path)
    assert json.loads(evaluation.stdout)["accuracy"] == metrics["test"]["accuracy"]
    # An unfinished reservoir run has no checkpoint: --resume fits it again, to the same model.
    first = model_arrays(run / "model.npz")
    (run / "metrics.json").unlink()
    (run / "model.npz").unlink()
    resumed = frnn("train", "--resume", "run", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    again = model_arrays(run / "model.npz")
    for key in first:
        if not key.startswith("__"):
            np.testing.assert_array_equal(first[key], again[key], err_msg=key)


def test_reservoir_options_have_help_and_reach_the_estimator(tmp_path):
    text = frnn("train", "--help", cwd=tmp_path).stdout
    assert "--training" in text and "(reservoir)" in text and "LOW,HIGH" in text
    args = ["--spectral-radius", "0,0", "--class-weight", "balanced", "--max-steps", "none"]
    assert frnn("train", *RESERVOIR, *args, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    params = json.loads((tmp_path / "r" / "config.json").read_text())["estimator"]
    assert params["spectral_radius"] == [0.0, 0.0] and params["class_weight"] == "balanced"
    assert params["max_steps"] is None
    bad = frnn("train", *RESERVOIR, "--spectral-radius", "2", "--out", "s", cwd=tmp_path)
    assert bad.returncode == 2 and "LOW,HIGH" in bad.stderr


def _actions(parser, command="frnn"):
    """(command, action) for every argument of ``parser`` and of its subcommands."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{command} {name}")
        else:
            yield command, action


def test_every_argument_of_every_command_has_a_help_line():
    from frnn.cli.main import build_parser

    silent = [
        f"{command} {'/'.join(action.option_strings) or action.dest}"
        for command, action in _actions(build_parser())
        if not action.help
    ]
    assert not silent, f"arguments without a help line: {silent}"


#: Options that take a value and need no default: what to read or run (one of them is the
#: command's subject) and the runs to repeat or continue.
_SUBJECTS = {"--model", "--data", "--dataset", "--series", "--config", "--resume", "--test"}


def test_every_option_that_takes_a_value_says_its_default():
    """Before: --window, --id, evaluate's --out and --train said none (--window has none:
    it says it is required with --series)."""
    import argparse

    from frnn.cli.main import build_parser

    silent = [
        f"{command} {action.option_strings[0]}"
        for command, action in _actions(build_parser())
        if action.option_strings
        and action.nargs != 0
        and action.help is not argparse.SUPPRESS
        and not set(action.option_strings) & _SUBJECTS
        and not any(word in action.help.lower() for word in ("default", "required"))
    ]
    assert not silent, f"options that do not say their default: {silent}"


@pytest.mark.parametrize(("given", "kept"), [("inf", float("inf")), ("3", 3.0), ("auto", "auto")])
def test_neighbour_weight_takes_a_number_or_auto(tmp_path, given, kept):
    run = frnn("train", *RESERVOIR, "--neighbour-weight", given, "--quiet", "--out", "r",
               cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    params = json.loads((tmp_path / "r" / "config.json").read_text())["estimator"]
    assert params["neighbour_weight"] == kept
    again = frnn("train", "--config", "r/config.json", "--quiet", "--out", "s", cwd=tmp_path)
    assert again.returncode == 0, again.stderr  # inf is written and read back (Infinity)
    assert "--neighbour-weight WORD|NUMBER" in frnn("train", "--help", cwd=tmp_path).stdout
    bad = frnn("train", *RESERVOIR, "--neighbour-weight", "-1", "--out", "t", cwd=tmp_path)
    assert bad.returncode == 2 and "neighbour-weight must be 'auto' or a number" in bad.stderr


# -- data formats ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "model",
    [
        ["--training", "bptt", "--steps", "300", "--hidden-size", "6"],
        RESERVOIR,  # the default
    ],
    ids=["bptt", "reservoir"],
)
@pytest.mark.parametrize(
    ("suffix", "dims", "ragged"),
    [(".csv", 1, True), (".tsv", 1, False), (".ts", 2, True), (".npz", 3, True)],
)
def test_train_evaluate_predict_on_each_file_format(tmp_path, suffix, dims, ragged, model):
    rng = np.random.default_rng(0)
    for name, n in (("train", 40), ("test", 12)):
        write_file(tmp_path / f"{name}{suffix}", *toy_series(n, rng, dims, ragged))
    train = frnn(
        "train",
        "--train",
        f"train{suffix}",
        "--test",
        f"test{suffix}",
        *model,
        "--json",
        "--out",
        "run",
        cwd=tmp_path,
    )
    assert train.returncode == 0, train.stderr
    assert json.loads(train.stdout)["test"]["accuracy"] >= 0.75  # an easy task, learned
    evaluation = frnn(
        "evaluate", "--model", "run", "--data", f"test{suffix}", "--json", cwd=tmp_path
    )
    assert evaluation.returncode == 0, evaluation.stderr
    assert json.loads(evaluation.stdout)["accuracy"] == json.loads(train.stdout)["test"]["accuracy"]
    predict = frnn(
        "predict",
        "--model",
        "run/model.npz",
        "--data",
        f"test{suffix}",
        "--out",
        "preds.csv",
        cwd=tmp_path,
    )
    assert predict.returncode == 0 and predict.stdout == "wrote preds.csv\n"
    with open(tmp_path / "preds.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12 and set(rows[0]) == {"row", "prediction", "p_0", "p_1"}
    assert abs(float(rows[0]["p_0"]) + float(rows[0]["p_1"]) - 1) < 1e-5


@pytest.mark.slow
def test_built_in_synthetic_sets_and_printed_predictions(tmp_path):
    args = ["--dataset", "reber", "--n-train", "30", "--n-test", "10", "--max-length", "14"]
    assert frnn("train", *TINY, *args, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    assert config["data"] == {
        "dataset": "reber",
        "options": {"n_train": 30, "n_test": 10, "max_length": 14},
    }
    shown = frnn("predict", "--model", "r", "--dataset", "gunpoint", cwd=tmp_path)
    assert shown.returncode == 2  # 7 symbols against 1 channel, the data set named
    assert "gunpoint: the series have 1 channel(s) per step" in shown.stderr
    assert "trained on 7" in shown.stderr
    out = frnn("evaluate", "--model", "r", "--dataset", "parity", cwd=tmp_path)
    assert out.returncode == 2
    par = ["--dataset", "parity", "--n-train", "20", "--n-test", "6", "--length", "5"]
    assert frnn("train", *TINY, *par, "--quiet", "--out", "p", cwd=tmp_path).returncode == 0
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", LengthWarning)
        done = frnn("predict", "--model", "p", "--dataset", "parity", cwd=tmp_path)
    lines = done.stdout
    assert lines.splitlines()[0] == "row,prediction,p_0,p_1" and len(lines.splitlines()) == 501
    assert done.stderr.startswith(  # the set's own length, 10, against 5 trained (BPTT)
        "frnn predict: warning: 500 of 500 series of data set parity are longer than "
        f"{BPTT_LONG_FACTOR:g} times"
    ), done.stderr


@pytest.mark.slow
def test_a_run_directory_is_never_overwritten(tmp_path):
    assert frnn("train", *TINY, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    again = frnn("train", *TINY, "--out", "r", cwd=tmp_path)
    assert again.returncode == 2 and "already exists and is not empty" in again.stderr
    finished = frnn("train", "--resume", "r", cwd=tmp_path)
    assert finished.returncode == 2 and "has finished; nothing to resume" in finished.stderr
    changed = frnn("train", "--resume", "r", "--epochs", "9", cwd=tmp_path)
    assert changed.returncode == 2 and "drop --epochs" in changed.stderr


def test_help_shows_no_restructured_text(tmp_path):
    """The options' help comes from the estimators' docstrings; a probe read
    ":func:`frnn.init`" and ":mod:`frnn.engine.schemes`" in ``frnn train --help``."""
    text = frnn("train", "--help", cwd=tmp_path).stdout
    assert "frnn.init" in text and "frnn.engine.schemes" in text
    assert not re.search(r":(func|mod|class|meth|attr|data|obj):|``", text)
