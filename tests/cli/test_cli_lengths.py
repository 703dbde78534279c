"""frnn predict, frnn evaluate and frnn train (its test split) print a LengthWarning (series
far from the training lengths) as one line on stderr, naming the data, never a traceback;
none for series of the training lengths."""

from __future__ import annotations

import warnings

import numpy as np

from frnn import LengthWarning
from helpers import run_cli as frnn
from helpers import toy_series, write_file

SMALL = ["--n-reservoirs", "4", "--hidden-size", "8", "--quiet"]


def test_predict_and_evaluate_warn_of_short_series_in_one_line(tmp_path):
    series, labels = toy_series(30, np.random.default_rng(0))  # T = 8
    write_file(tmp_path / "train.csv", series, labels)
    write_file(tmp_path / "same.csv", series[:6], labels[:6])
    write_file(tmp_path / "short.csv", [s[:4] for s in series[:6]], labels[:6])  # 4 < 6
    done = frnn("train", "--train", "train.csv", *SMALL, "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for command in ("predict", "evaluate"):
        same = frnn(command, "--model", "run", "--data", "same.csv", cwd=tmp_path)
        assert same.returncode == 0 and same.stderr == "", same.stderr
        with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
            warnings.simplefilter("always", LengthWarning)
            short = frnn(command, "--model", "run", "--data", "short.csv", cwd=tmp_path)
        assert short.returncode == 0, short.stderr
        assert short.stderr.startswith(
            f"frnn {command}: warning: 6 of 6 series of short.csv are shorter than 75% of the "
            "shortest training series (8 steps): predictions for them are unreliable"
        ), short.stderr
        assert short.stderr.rstrip().endswith("train on series of the lengths you predict")
        assert len(short.stderr.splitlines()) == 1 and "Traceback" not in short.stderr


def test_train_warns_of_a_test_split_far_from_the_training_lengths(tmp_path):
    series, labels = toy_series(30, np.random.default_rng(0))  # T = 8
    write_file(tmp_path / "train.csv", series, labels)
    write_file(tmp_path / "long.csv", [np.tile(s, (2, 1)) for s in series[:6]], labels[:6])
    with warnings.catch_warnings():
        warnings.simplefilter("always", LengthWarning)
        done = frnn(
            "train", "--train", "train.csv", "--test", "long.csv", *SMALL, "--out", "r",
            cwd=tmp_path,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(
        "frnn train: warning: 6 of 6 series of the test split are longer than 1.5 times the "
        "longest training series (8 steps)"
    ), done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
