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
