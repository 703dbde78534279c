"""A model of integer classes reads a later file's labels written with leading zeros (01,
02) as those classes: labels such as 01 stay text when a file is read alone
(frnn.data.labels), and before, predict --label auto read such a column as a series'
first values, evaluate and train --test refused it as "not among the classes"."""

import warnings

import numpy as np
import pytest

from frnn.cli.data import LabelWarning
from helpers import run_cli as frnn

SMALL = ["--n-reservoirs", "2", "--hidden-size", "4", "--quiet"]


def _rows(n=24, seed=0):
    """(label 1 or 2, the series' text): rising or falling noisy ramps."""
    rng = np.random.default_rng(seed)
    labels = 1 + np.arange(n) % 2
    series = [np.linspace(-1, 1, 10) * (3 - 2 * y) + 0.1 * rng.standard_normal(10) for y in labels]
    return [(int(y), ",".join(f"{v:.5f}" for v in x)) for y, x in zip(labels, series, strict=True)]


def _write(path, rows, label=str):
    """A CSV (label first, or no label for ``label=None``) or a .ts file of ``rows``."""
    if path.suffix == ".ts":
        head = "@problemName p\n@univariate true\n@classLabel true\n@data\n"
        path.write_text(head + "".join(f"{x}:{label(y)}\n" for y, x in rows))
    else:
        path.write_text("".join((f"{label(y)}," if label else "") + f"{x}\n" for y, x in rows))
    return path.name


@pytest.fixture
def run(tmp_path):
    """A model trained on labels written 1 and 2."""
    train = _write(tmp_path / "train.csv", _rows())
    done = frnn("train", "--train", train, *SMALL, "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


@pytest.mark.parametrize("suffix", [".csv", ".ts"])
def test_predict_auto_reads_zero_padded_labels_as_the_models_classes(run, suffix):
    rows = _rows(8, seed=1)
    padded = _write(run / f"padded{suffix}", rows, label=lambda y: f"{y:02d}")
    plain = _write(run / "plain.csv", rows, label=None)  # the same series, unlabelled
    outputs = [frnn("predict", "--model", "run", "--data", f, cwd=run) for f in (padded, plain)]
    assert [o.returncode for o in outputs] == [0, 0], outputs[0].stderr + outputs[1].stderr
    assert outputs[0].stdout == outputs[1].stdout  # the label column not read as a value
    assert outputs[0].stdout.splitlines()[0] == "row,prediction,p_1,p_2"
    scored = frnn("evaluate", "--model", "run", "--data", padded, "--json", cwd=run)
    assert scored.returncode == 0 and '"n": 8' in scored.stdout, scored.stderr


def test_labels_that_are_not_the_models_classes_as_numbers_stay_as_documented(run):
    """03 is no class of the model: predict --label auto reads the file as unlabelled (its
    first column a value), evaluate names the label in one line."""
    rows = _rows(6, seed=2)
    odd = _write(run / "odd.csv", rows, label=lambda y: "03")
    as_values = _write(run / "values.csv", [(y, f"3,{x}") for y, x in rows], label=None)
    outputs = [frnn("predict", "--model", "run", "--data", f, cwd=run) for f in (odd, as_values)]
    assert outputs[0].returncode == 0 and outputs[0].stdout == outputs[1].stdout
    refused = frnn("evaluate", "--model", "run", "--data", odd, cwd=run)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "frnn evaluate: error: odd.csv: the labels 3 are not among the model's classes "
        "[1, 2]; a classifier can only be scored on the classes it was trained on"
    ]


def test_train_reads_a_test_file_of_zero_padded_labels_as_the_training_classes(tmp_path):
    train = _write(tmp_path / "train.csv", _rows())
    test = _write(tmp_path / "test.csv", _rows(8, seed=3), label=lambda y: f"{y:02d}")
    done = frnn("train", "--train", train, "--test", test, *SMALL, "--out", "r", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_predict_auto_says_when_most_labels_are_classes_and_some_are_not(run):
    """A class the model never saw among known ones: --label auto reads the file as
    unlabelled, as documented, and now says so in one line (before: silently, the label
    column read as each series' first value)."""
    rows = _rows(6, seed=4)
    mixed = _write(run / "mixed.csv", rows, label=lambda y: "7" if y == 2 else str(y))
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", LabelWarning)
        done = frnn("predict", "--model", "run", "--data", mixed, cwd=run)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines() == [
        "frnn predict: warning: mixed.csv: the first column names the model's classes in 3 "
        "of 6 rows but not in the others (7), so the file is read as unlabelled, that column "
        "as the series' first values; pass --label first if it holds labels"
    ]
    unknown_only = _write(run / "odd.csv", rows, label=lambda y: "03")  # none: no warning
    quiet = frnn("predict", "--model", "run", "--data", unknown_only, cwd=run)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_predict_auto_reads_text_labels_with_one_unseen_as_labels(tmp_path):
    """Text labels, one of no class of the model: read as unlabelled, the file failed on
    that text at once ("row 1, column 1: expected a number, got 'up'"), after a warning
    saying it was read so.  Text is no series' value: the column is the labels, the
    series are predicted as with the known labels alone, and one line says so."""
    names = {1: "up", 2: "down"}
    train = _write(tmp_path / "train.csv", _rows(), label=lambda y: names[y])
    done = frnn("train", "--train", train, *SMALL, "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = _rows(6, seed=4)
    known = _write(tmp_path / "known.csv", rows, label=lambda y: names[y])
    odd = _write(tmp_path / "odd.csv", rows, label=lambda y: "side ways" if y == 2 else "up")
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", LabelWarning)
        done = frnn("predict", "--model", "run", "--data", odd, "--out", "odd_p.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines() == [
        "frnn predict: warning: odd.csv: the first column is read as labels, though 3 of them "
        "('side ways') name no class of the model: those series are predicted as one of its "
        "classes"
    ]
    same = frnn("predict", "--model", "run", "--data", known, "--out", "known_p.csv", cwd=tmp_path)
    assert same.returncode == 0 and same.stderr == ""
    assert (tmp_path / "odd_p.csv").read_text() == (tmp_path / "known_p.csv").read_text()
