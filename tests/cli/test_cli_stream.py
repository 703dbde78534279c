"""frnn train on a generated memory task: BPTT from fresh series every step, progress rows
by round, Ctrl-C then --resume finishing the same run, one-line errors."""

from __future__ import annotations

import json
import signal

import pytest

from helpers import assert_same_model, stop_at_first_checkpoint
from helpers import run_cli as frnn

SMALL = ["--length", "20", "--n-train", "100", "--n-test", "100", "--hidden-size", "8"]


@pytest.mark.slow
def test_a_memory_task_trains_from_a_stream(tmp_path):
    args = ["train", "--dataset", "adding", *SMALL, "--steps", "300", "--n-ensemble", "2"]
    done = frnn(*args, "--init", "orthogonal", "--out", "r", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0][:5] == ["round", "train", "rmse", "train", "R²"]
    assert [row[0] for row in rows[1:4]] == ["1", "2", "3"]  # rounds of 100 steps
    assert done.stdout.splitlines()[-1].startswith("3 rounds, fit in")
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    assert config["estimator"]["training"] == "bptt" and config["estimator"]["init"] == "orthogonal"
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["budget"] == "steps" and metrics["stopped_by"] == "steps"
    assert metrics["test"]["r2"] > 0.3  # learnt something in 300 steps
    fixed = frnn(*args[:-4], "--training", "reservoir", "--json", "--out", "f", cwd=tmp_path)
    assert json.loads(fixed.stdout)["training"] == "reservoir"  # the fixed set, as before


# About 0.5 s a round of 100 steps (2 networks of 8 units, T = 20): stopped mid-run.
RESUMABLE = [
    "train", "--dataset", "recall", "--length", "20", "--n-train", "100", "--n-test", "50",
    "--hidden-size", "8", "--n-ensemble", "2", "--steps", "2000", "--checkpoint-every", "1",
    "--quiet",
]  # fmt: skip


@pytest.mark.slow
def test_ctrl_c_then_resume_finishes_the_same_stream_run(tmp_path):
    whole = frnn(*RESUMABLE, "--out", "whole", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    returncode, stderr = stop_at_first_checkpoint(
        [*RESUMABLE, "--out", "run"], tmp_path, signal.SIGINT
    )
    assert returncode == 130 and "Traceback" not in stderr, stderr
    assert "interrupted after round" in stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and metrics["epochs"] < 20
    resumed = frnn("train", "--resume", "run", "--quiet", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_model(tmp_path / "run" / "model.npz", tmp_path / "whole" / "model.npz")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--steps", "0"], "--steps must be a positive integer; got 0"),
        (["--init", "zeros"], "--init must be one of"),
        (["--warmup", "1.5"], "--warmup must be"),
        (["--init", "torch", "--init-scale", "0.1"], "--init-scale must be none for --init torch"),
    ],
)
def test_bad_recipe_values_are_one_line(tmp_path, option, message):
    done = frnn("train", "--dataset", "adding", *option, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
