"""The command line reads data files in the stated layout (issue 24): aeon's
(n_cases, n_channels, n_timepoints) in an ``.npz`` file refused or warned about in one line
naming ``--data-format``, read as stated, and predicted on in the layout the model records."""

from __future__ import annotations

import warnings

import numpy as np

from frnn import RNNClassifier
from frnn.data import LayoutWarning
from helpers import channel_series
from helpers import run_cli as frnn

SMALL = ["--n-reservoirs", "4", "--hidden-size", "8"]


def test_the_command_line_refuses_warns_and_reads_the_stated_layout(tmp_path):
    X, y = channel_series(n=16, T=30, C=1)
    np.savez(tmp_path / "aeon.npz", X=X.transpose(0, 2, 1), y=y)  # (16, 1, 30)
    done = frnn("train", "--train", "aeon.npz", *SMALL, "--out", "r0", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert "--data-format channels_first" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r0").exists()
    done = frnn(
        "train", "--train", "aeon.npz", *SMALL, "--data-format", "channels_first", "--out", "r1",
        "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = frnn("predict", "--model", "r1", "--data", "aeon.npz", "--label", "none", cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # read as the model was trained: channels first
    labels = [int(row.split(",")[1]) for row in done.stdout.splitlines()[1:]]
    expected = RNNClassifier(n_reservoirs=4, hidden_size=8, random_state=0).fit(X, y).predict(X)
    assert len(labels) == 16 and np.mean(np.array(labels) == expected) == 1.0
    X3, y3 = channel_series(n=12, T=30, C=3)
    np.savez(tmp_path / "three.npz", X=X3.transpose(0, 2, 1), y=y3)  # (12, 3, 30)
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", LayoutWarning)
        done = frnn("train", "--train", "three.npz", *SMALL, "--out", "r2", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("frnn train: warning: ") and len(done.stderr.splitlines()) == 1
    assert "--data-format channels_first" in done.stderr


def test_predict_and_evaluate_advise_what_they_can_do_about_a_layout(tmp_path):
    """predict and evaluate read an .npz in the model's layout and take no --data-format:
    before, their layout messages said "pass data_format='channels_first'" (a Python
    parameter, and nothing the command takes)."""
    X, y = channel_series(n=16, T=30, C=1)
    np.savez(tmp_path / "train.npz", X=X, y=y)  # frnn's (n, T, D)
    done = frnn("train", "--train", "train.npz", *SMALL, "--out", "r", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    np.savez(tmp_path / "wide.npz", X=np.zeros((4, 2, 5)), y=y[:4])  # more channels than steps
    np.savez(tmp_path / "step.npz", X=np.zeros((4, 1, 3)), y=y[:4])  # a single step
    for command in ("predict", "evaluate"):
        with warnings.catch_warnings():
            warnings.simplefilter("always", LayoutWarning)
            wide = frnn(command, "--model", "r", "--data", "wide.npz", cwd=tmp_path)
        step = frnn(command, "--model", "r", "--data", "step.npz", cwd=tmp_path)
        warning = wide.stderr.splitlines()[0]
        assert warning.startswith(f"frnn {command}: warning: wide.npz: X has shape (4, 2, 5)")
        assert step.returncode == 2 and len(step.stderr.splitlines()) == 1, step.stderr
        for said in (warning, step.stderr):
            assert "train the model with --data-format channels_first" in said, said
            assert "data_format=" not in said and "pass --data-format" not in said, said
