"""frnn train's runs over time: resume after SIGKILL and after Ctrl-C (in a child process: the
signal is the point), atomic writes, --config repeating a run, files that changed, the test
file checked, runs written before the reservoir default."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest

from frnn.cli import rundir as _rundir
from helpers import assert_same_model, stop_at_first_checkpoint, toy_series, write_file
from helpers import run_cli as frnn

TINY = ["--training", "bptt", "--epochs", "3", "--hidden-size", "4"]  # as test_cli.py


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
    args = ["train", *RESUMABLE, "--out", "run"]
    # into the next epoch (about 50 ms each): stopped mid-epoch
    return stop_at_first_checkpoint(args, folder, sig, settle=0.02)


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
        ({"estimator": 5, "data": None}, "parameters to values; got 5"),  # was "'int' object i"
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
    # before: "... got labels such as '0,5' (leave --task out ...)": the .ts file's 0.5;
    # now its reader refuses it, a file of real-valued targets (test_cli_practitioner.py)
    header = "@problemName r\n@classLabel false\n@targetLabel true\n@data\n"
    (tmp_path / "comma.ts").write_text(header + "1,2,3:0,5\n4,5,6:1,5\n")
    message = r"the target '0,5' is not a number, .* a decimal comma\? Write 0.5 \(','"
    with pytest.raises(ValueError, match=message):
        load_data({"train": str(tmp_path / "comma.ts"), "test": None}, "regression")
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


@pytest.mark.parametrize(
    ("training", "said"),
    [
        ("reservoir", "stopped; fit it again with frnn train --resume run"),
        ("bptt", "stopped; resume from the last checkpoint with frnn train --resume run"),
    ],
)
def test_ctrl_c_during_the_fit_says_what_resume_does(tmp_path, monkeypatch, training, said):
    """Before: a reservoir run stopped by Ctrl-C said 'resume from the last checkpoint', though
    a reservoir fit keeps none (--resume fits it again)."""
    from frnn.cli import train

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "fit", interrupted)
    result = frnn("train", "--training", training, "--out", "run", cwd=tmp_path)
    assert result.returncode == 130 and result.stderr.strip() == f"frnn train: {said}"
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["config.json"]
