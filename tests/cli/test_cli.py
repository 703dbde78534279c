"""The command line: train, evaluate, predict, every input format, every error, atomic
writes (run in-process), resume after SIGKILL and after Ctrl-C (in a child process: the
signal is the point)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from frnn import io as frnn_io
from frnn.cli import rundir as _rundir
from frnn.estimator import RNNClassifier
from helpers import run_cli as frnn
from helpers import toy_series, write_file

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
TINY = ["--training", "bptt", "--epochs", "3", "--hidden-size", "4"]
RESERVOIR = ["--n-reservoirs", "6", "--hidden-size", "8"]  # the default training, smaller


def model_arrays(path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def assert_same_model(a, b) -> None:
    """Bit-identical parameters; the metadata may differ only in the recorded timings."""
    arrays_a, arrays_b = model_arrays(a), model_arrays(b)
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:
        if not key.startswith("__"):
            np.testing.assert_array_equal(arrays_a[key], arrays_b[key], err_msg=key)
    clf_a, clf_b = frnn_io.load(a), frnn_io.load(b)
    assert clf_a.get_params() == clf_b.get_params() and clf_a.n_iter_ == clf_b.n_iter_
    for key in ("loss", "accuracy", "grad_norm", "train_loss", "test_loss", "test_accuracy"):
        assert clf_a.history_[key] == clf_b.history_[key]


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


def test_default_reservoir_train_writes_results_and_resume_refits(tmp_path):
    result = frnn("train", *RESERVOIR, "--out", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["accuracy", "loss", "n", "seconds"]
    assert lines[2].split()[0] == "test" and lines[2].split()[3] == "150"
    assert lines[3].startswith("6 reservoirs, 288 features, ridge α")  # 6 × 8 units × (2 + 4)
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


# -- data formats ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "model",
    [
        ["--training", "bptt", "--epochs", "30", "--hidden-size", "6"],
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
    assert shown.returncode == 2 and "features" in shown.stderr  # 7 symbols vs 1 feature
    out = frnn("evaluate", "--model", "r", "--dataset", "parity", cwd=tmp_path)
    assert out.returncode == 2
    par = ["--dataset", "parity", "--n-train", "20", "--n-test", "6", "--length", "5"]
    assert frnn("train", *TINY, *par, "--quiet", "--out", "p", cwd=tmp_path).returncode == 0
    lines = frnn("predict", "--model", "p", "--dataset", "parity", cwd=tmp_path).stdout
    assert lines.splitlines()[0] == "row,prediction,p_0,p_1" and len(lines.splitlines()) == 501


# -- errors: one line on stderr, exit 2 -----------------------------------------------------


def bad_files(tmp_path) -> None:
    (tmp_path / "nan.csv").write_text("1,1,2,3\n0,1,nan,2\n1,3,2,1\n")
    (tmp_path / "rows.ts").write_text("@problemName x\n@data\n1,2:3,4:a\n1,2:b\n")
    (tmp_path / "word.csv").write_text("1,1,2\n0,1,two\n")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81\x92")
    (tmp_path / "notmodel.npz").write_bytes(b"PK not really")
    (tmp_path / "real.csv").write_text("0.25,1,2,3\n1.5,1,0,2\n0.75,3,2,1\n")
    os.mkdir(tmp_path / "emptyrun")


ERRORS = [
    (["train", "--train", "absent.csv"], "absent.csv: no such file"),
    (["train", "--train", "binary.csv"], "binary.csv: not a text file"),
    (["train", "--train", "nan.csv"], "missing values (NaN) in row(s) 2"),
    (["train", "--train", "rows.ts"], "inconsistent rows: row 1 has 2 dimension(s)"),
    (["train", "--train", "word.csv"], "row 2, column 3: expected a number, got 'two'"),
    (["train", "--dataset", "mnist"], "unknown data set 'mnist'"),
    (["train", "--dataset", "adding", "--task", "classification"], "adding is a regression task"),
    (["train", "--train", "real.csv"], "not class labels; pass --task regression"),
    (["train", "--train", "word.csv", "--task", "regression"], "expected a number"),
    (["train", "--task", "regression", "--aux-weight", "1"], "--aux-weight: not an option"),
    (["train", "--task", "regression", "--taps", "3"], "--taps: not an option of the regression"),
    (["train", "--dataset", "adding", "--training", "ridge"], "training must be one of"),
    (["train", "--task", "ranking"], "argument --task: invalid choice"),
    (["train", "--epochs", "-1"], "epochs must be a positive integer; got -1"),
    (["train", "--hidden-size", "0"], "--hidden-size must be a positive integer; got 0"),
    (["train", "--learning-rate", "-0.1"], "--learning-rate must be a positive number; got -0.1"),
    (["train", "--activation", "sine"], "activation must be one of"),
    (["train", "--epochs", "many"], "argument --epochs: expected a number or none, got 'many'"),
    (["train", "--bias", "maybe"], "argument --bias: expected true or false, got 'maybe'"),
    (["train", "--length", "0", "--dataset", "parity"], "option --length of data set 'parity'"),
    (["train", "--length", "5"], "--length: not an option of data set 'gunpoint'"),
    (["train", "--checkpoint-every", "0"], "must be a positive integer"),
    (["graph", "--steps", "0"], "argument --steps: must be a positive integer; got '0'"),
    (["graph", "--steps", "1001"], "--steps must be at most 1000; got 1001"),
    (["plot", "gradient-flow", "--out", "g.png", "--radii", "-1"], "must be a positive number"),
    (["plot", "gradient-flow", "--out", "g.png", "--seed", "x"], "must be a non-negative integer"),
    (["train", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    (["train", "--resume", "emptyrun"], "emptyrun/config.json"),
    (["train", "--resume", "absent"], "absent: no such directory"),
    (["evaluate", "--model", "absent.npz", "--dataset", "coffee"], "absent.npz: no such model"),
    (["evaluate", "--model", "notmodel.npz", "--dataset", "coffee"], "notmodel.npz"),
    (["predict", "--model", "emptyrun", "--data", "nan.csv"], "no such model file"),
    (["evaluate", "--model", "x.npz"], "one of the arguments --data --dataset is required"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_errors_are_one_line_and_exit_2(tmp_path, args, message):
    bad_files(tmp_path)
    result = frnn(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and message in result.stderr
    assert not (tmp_path / "runs").exists()  # nothing written for a run that did not start


def test_debug_shows_the_traceback(tmp_path):
    result = frnn("--debug", "train", "--dataset", "mnist", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" in result.stderr


@pytest.mark.slow
def test_a_run_directory_is_never_overwritten(tmp_path):
    assert frnn("train", *TINY, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    again = frnn("train", *TINY, "--out", "r", cwd=tmp_path)
    assert again.returncode == 2 and "already exists and is not empty" in again.stderr
    finished = frnn("train", "--resume", "r", cwd=tmp_path)
    assert finished.returncode == 2 and "has finished; nothing to resume" in finished.stderr
    changed = frnn("train", "--resume", "r", "--epochs", "9", cwd=tmp_path)
    assert changed.returncode == 2 and "drop --epochs" in changed.stderr


# -- checkpoints, resume, Ctrl-C --------------------------------------------------------------

# About 50 ms an epoch on GunPoint (150 steps, 5 networks): long enough to be killed mid-run.
RESUMABLE = [
    "--training",
    "bptt",
    "--epochs",
    "40",
    "--hidden-size",
    "8",
    "--frame-size",
    "1",
    "--checkpoint-every",
    "1",
    "--quiet",
]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("full")
    result = frnn("train", *RESUMABLE, "--out", "run", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "run"


def start_and_stop(folder, sig) -> tuple[int, str]:
    """Start a run, send ``sig`` once its first checkpoint exists; (exit code, stderr)."""
    command = [sys.executable, "-m", "frnn", "train", *RESUMABLE, "--out", "run"]
    with subprocess.Popen(
        command, cwd=folder, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        checkpoint = folder / "run" / "checkpoint.npz"
        deadline = time.monotonic() + 120
        while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.02)  # into the next epoch (about 50 ms each): stopped mid-epoch
        assert process.poll() is None, "the run ended before it could be stopped"
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


@pytest.mark.slow
def test_resume_after_sigkill_is_bit_identical(tmp_path, uninterrupted):
    returncode, _ = start_and_stop(tmp_path, signal.SIGKILL)
    assert returncode == -signal.SIGKILL
    run = tmp_path / "run"
    assert not (run / "model.npz").exists()  # killed before the end
    resumed = frnn("train", "--resume", "run", "--json", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["epochs"] == 40
    assert_same_model(run / "model.npz", uninterrupted / "model.npz")
    loss = [line.split(",")[1] for line in (run / "history.csv").read_text().splitlines()]
    full = [line.split(",")[1] for line in (uninterrupted / "history.csv").read_text().splitlines()]
    assert loss == full


@pytest.mark.slow
def test_ctrl_c_saves_then_resume_finishes_the_same_run(tmp_path, uninterrupted):
    returncode, stderr = start_and_stop(tmp_path, signal.SIGINT)
    assert returncode == 130 and "Traceback" not in stderr
    assert "frnn train --resume run" in stderr
    run = tmp_path / "run"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and metrics["epochs"] < 40
    assert metrics["stopped_by"] == "ctrl-c"
    resumed = frnn("train", "--resume", "run", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_model(run / "model.npz", uninterrupted / "model.npz")


def test_interrupted_atomic_writes_leave_the_previous_file(tmp_path, monkeypatch):
    from frnn.io import load_state, save_state

    path = tmp_path / "config.json"
    _rundir.write_json(path, {"epochs": 1})
    save_state(tmp_path / "checkpoint.npz", {"epoch": 1, "W": np.arange(3.0)})

    def fail(*args, **kwargs):
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk pulled out"):
        _rundir.write_json(path, {"epochs": 2})
    with pytest.raises(OSError, match="disk pulled out"):
        save_state(tmp_path / "checkpoint.npz", {"epoch": 2, "W": np.arange(4.0)})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"epochs": 1}
    state = load_state(tmp_path / "checkpoint.npz")
    assert state["epoch"] == 1
    np.testing.assert_array_equal(state["W"], np.arange(3.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.npz", "config.json"]


def test_train_without_test_file_and_predict_unlabelled_series(tmp_path):
    rng = np.random.default_rng(1)
    write_file(tmp_path / "train.csv", *toy_series(20, rng))
    series, _ = toy_series(4, rng)
    rows = [",".join(map(str, s[:, 0].tolist())) for s in series]
    (tmp_path / "new.ts").write_text("@classLabel false\n@data\n" + "\n".join(rows) + "\n")
    result = frnn("train", "--train", "train.csv", *TINY, "--json", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["test"] is None
    predicted = frnn("predict", "--model", "r", "--data", "new.ts", cwd=tmp_path)
    assert predicted.returncode == 0 and len(predicted.stdout.splitlines()) == 5
    unlabelled = frnn("evaluate", "--model", "r", "--data", "new.ts", cwd=tmp_path)
    assert unlabelled.returncode == 2 and "carry no labels" in unlabelled.stderr


@pytest.mark.slow
def test_config_json_repeats_a_run_exactly(tmp_path):
    args = ["--dataset", "parity", "--n-train", "30", "--length", "6", "--hidden-size", "5"]
    args += ["--training", "bptt"]
    assert (
        frnn("train", *args, "--epochs", "4", "--quiet", "--out", "a", cwd=tmp_path).returncode == 0
    )
    again = frnn("train", "--config", "a/config.json", "--quiet", "--out", "b", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert_same_model(tmp_path / "a" / "model.npz", tmp_path / "b" / "model.npz")
    longer = frnn(
        "train", "--config", "a/config.json", "--epochs", "5", "--quiet", "--out", "c", cwd=tmp_path
    )
    assert longer.returncode == 0
    config = json.loads((tmp_path / "c" / "config.json").read_text())
    assert config["estimator"]["epochs"] == 5 and config["estimator"]["hidden_size"] == 5
    assert config["data"] == {"dataset": "parity", "options": {"n_train": 30, "length": 6}}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"estimator": {"hiden_size": 3}, "data": None}, "unknown: ['hiden_size']"),
        ({"estimator": {}, "data": {"dataset": 3}}, "'data' must be"),
        (
            {"estimator": {}, "data": {"dataset": "coffee", "options": {}}, "checkpoint_every": 0},
            "'checkpoint_every' must be a positive integer",
        ),
        (  # before: "unhashable type: 'list'"
            {"estimator": {}, "data": {"train": "t.csv", "test": None, "header": ["yes"]}},
            "'data' must be",
        ),
    ],
)
def test_bad_config_files_are_one_line(tmp_path, config, message):
    (tmp_path / "c.json").write_text(json.dumps(config))
    (tmp_path / "list.json").write_text("[1, 2]")
    result = frnn("train", "--config", "c.json", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    broken = frnn("train", "--config", "list.json", cwd=tmp_path)
    assert broken.returncode == 2 and "expected a JSON object" in broken.stderr


def test_resume_refuses_data_files_that_changed(tmp_path):
    rng = np.random.default_rng(2)
    write_file(tmp_path / "train.csv", *toy_series(20, rng))
    result = frnn("train", "--train", "train.csv", *TINY, "--quiet", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    metrics = tmp_path / "r" / "metrics.json"
    metrics.write_text(json.dumps({**json.loads(metrics.read_text()), "status": "interrupted"}))
    with open(tmp_path / "train.csv", "a") as handle:
        handle.write("\n1,0.5,0.25\n")
    changed = frnn("train", "--resume", "r", cwd=tmp_path)
    assert (
        changed.returncode == 2 and "train.csv has changed since the run started" in changed.stderr
    )


def test_evaluate_refuses_labels_the_model_does_not_know(tmp_path):
    rng = np.random.default_rng(2)
    write_file(tmp_path / "train.csv", *toy_series(20, rng))
    series, labels = toy_series(6, rng)
    labels = np.where(np.arange(6) < 2, 7, labels)  # two series of a class never trained on
    write_file(tmp_path / "other.csv", series, labels)
    result = frnn("train", "--train", "train.csv", *TINY, "--quiet", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    refused = frnn("evaluate", "--model", "r", "--data", "other.csv", cwd=tmp_path)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "the labels 7 are not among the model's classes [0, 1]" in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""


def test_the_test_file_targets_are_checked_against_the_task_too(tmp_path):
    """Before: only the training file's targets were checked; an .npz without 'y' was an
    IndexError (a traceback at the command line)."""
    from frnn.cli.data import load_data

    (tmp_path / "train.csv").write_text("0,1,2,3\n1,4,5,6\n")
    (tmp_path / "real.csv").write_text("0.5,1,2,3\n1.5,4,5,6\n")
    (tmp_path / "words.csv").write_text("a,1,2,3\nb,4,5,6\n")
    np.savez(tmp_path / "none.npz", X=np.zeros((2, 3)))

    def data(test):
        return {"train": str(tmp_path / "train.csv"), "test": str(tmp_path / test)}

    with pytest.raises(ValueError, match=r"real.csv: the targets are real numbers \(e.g. 0.5\)"):
        load_data(data("real.csv"), "classification")
    with pytest.raises(ValueError, match=r"words.csv: --task regression needs numeric targets"):
        load_data(data("words.csv"), "regression")
    with pytest.raises(ValueError, match=r"none.npz: the series carry no labels"):
        load_data(data("none.npz"), "classification")
    with pytest.raises(ValueError, match=r"none.npz: the series carry no labels"):
        load_data({"train": str(tmp_path / "none.npz"), "test": None}, "classification")
    train, test = load_data(data("real.csv"), "regression")
    assert test.y.tolist() == [0.5, 1.5]


def test_a_run_written_before_the_reservoir_default_still_means_bptt(tmp_path):
    old = {
        "frnn_version": "0.1.0",
        "estimator": {"epochs": 2, "hidden_size": 3, "n_ensemble": 1, "random_state": 0},
        "data": {"dataset": "parity", "options": {"n_train": 20, "length": 4}},
        "checkpoint_every": 10,
    }
    (tmp_path / "old.json").write_text(json.dumps(old))
    result = frnn("train", "--config", "old.json", "--json", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["training"] == "bptt"
    assert json.loads(result.stdout)["epochs"] == 2
