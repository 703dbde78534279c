"""A practitioner's own files at the command line: a test file the model cannot be scored
on refused before training, files of other channels or classes named at predict and
evaluate, and errors in the user's words (no "[Errno 2]", no "np.str_")."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from frnn.cli.data import IgnoredWarning
from helpers import run_cli


def frnn(*args, **options):
    """``frnn ARGS``, an option the file does not take shown as the command shows it (one
    line), not raised by pytest."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", IgnoredWarning)
        return run_cli(*args, **options)


SMALL = ["--n-reservoirs", "4"]


def _files(tmp_path) -> None:
    ramps = ["1,0,1,2,3,4,5", "2,5,4,3,2,1,0"] * 4  # two classes, rising and falling
    (tmp_path / "train.csv").write_text("\n".join(ramps) + "\n")
    (tmp_path / "unseen.csv").write_text("1,0,1,2,3,4,5\n3,0,0,0,0,0,0\n")
    (tmp_path / "words.csv").write_text("up,0,1,2,3,4,5\ndown,5,4,3,2,1,0\n")
    rows = "\n".join(f"0,1,2,3:5,4,3,2:{c}" for c in (1, 2, 1, 2))
    (tmp_path / "two.ts").write_text(f"@problemName x\n@classLabel true 1 2\n@data\n{rows}\n")
    unlabelled = "@problemName x\n@univariate true\n@classLabel false\n@data\n0,1,2,3,4,5\n"
    (tmp_path / "none.ts").write_text(unlabelled)
    (tmp_path / "real.csv").write_text("0.5,0.25,1\n1.5,0.75,2\n2.5,0.5,1\n")


def _one_line_error(result, message: str) -> None:
    """Exit 2 and one line holding each part of ``message`` ("..." between parts)."""
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert all(part in result.stderr for part in message.split("...")), result.stderr


@pytest.mark.parametrize(
    ("test", "message"),
    [
        ("unseen.csv", "unseen.csv: the labels 3 are not among the classes of ...train.csv [1, 2]"),
        (
            "words.csv",
            "words.csv: the labels 'down', 'up' are not among the classes of ...train.csv [1, 2]",
        ),
        ("two.ts", "two.ts: the series have 2 channel(s) per step, but the training series"),
    ],
)
def test_a_test_file_the_model_cannot_be_scored_on_is_refused_before_training(
    tmp_path, test, message
):
    """Before: the model was fitted (by BPTT, perhaps hours) and saved, then scoring the
    test file failed, leaving a run without metrics.json and a message naming no file."""
    _files(tmp_path)
    result = frnn(
        "train", "--train", "train.csv", "--test", test, "--out", "run", *SMALL, cwd=tmp_path
    )
    _one_line_error(result, message)
    assert not (tmp_path / "run").exists()


def test_predict_and_evaluate_name_the_file_whose_channels_or_classes_differ(tmp_path):
    """Before: "X has 2 features per step, but RNNClassifier is expecting 1 features as
    input" and "the labels 3 are not among the model's classes", neither naming the file."""
    _files(tmp_path)
    trained = frnn("train", "--train", "train.csv", "--out", "run", "--quiet", *SMALL, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    predicted = frnn("predict", "--model", "run", "--data", "two.ts", cwd=tmp_path)
    _one_line_error(predicted, "two.ts: the series have 2 channel(s) per step, but the model")
    evaluated = frnn("evaluate", "--model", "run", "--data", "unseen.csv", cwd=tmp_path)
    _one_line_error(evaluated, "unseen.csv: the labels 3 are not among the model's classes [1")
    unlabelled = frnn("evaluate", "--model", "run", "--data", "none.ts", cwd=tmp_path)
    _one_line_error(unlabelled, "none.ts: the series carry no labels to evaluate against (its")
    out = frnn(
        "predict", "--model", "run", "--data", "train.csv", "--out", "no/p.csv", cwd=tmp_path
    )
    _one_line_error(out, "could not write no/p.csv: its folder ")
    assert "Errno" not in out.stderr and "'no/p.csv'" not in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train", "none.ts"], "none.ts: the series carry no labels (its header declares none)"),
        (["--train", "words.csv", "--task", "regression"], "got labels such as 'up' (leave"),
        (["--train", "real.csv"], "regressor (or, when the labels are in another column, --label"),
    ],
)
def test_training_files_without_class_labels_say_why(tmp_path, args, message):
    """Before: "(an .npz needs 'y' for them)" of a .ts file, "np.str_('up')", and real
    numbers in the first column sent the user to --task regression alone."""
    _files(tmp_path)
    _one_line_error(frnn("train", *args, *SMALL, cwd=tmp_path), message)


def test_the_commands_help_names_the_regressor_too(tmp_path):
    """Before: train, evaluate and predict were "of a saved classifier" in frnn --help."""
    text = frnn("--help", cwd=tmp_path).stdout
    for command in ("train", "evaluate", "predict"):
        line = next(line for line in text.splitlines() if line.strip().startswith(command))
        assert "regressor" in line, line
    # before: the description said "train a classifier" alone
    described = " ".join(text.split("positional arguments")[0].split())
    assert "a classifier or a regressor" in described and "forecaster" in described


def test_labels_none_of_which_is_a_class_hint_at_the_column(tmp_path):
    """A file whose label column holds values (unlabelled, or the labels in another
    column) says so; a file of another kind of labels, or of one unseen class, does not."""
    _files(tmp_path)
    noisy = np.random.default_rng(0).normal(size=(6, 6))  # unlabelled measurements
    np.savetxt(tmp_path / "bare.csv", noisy, delimiter=",", fmt="%.4f")
    hint = "most series have their own: if the file has no labels, frnn predict reads it"
    assert (
        frnn("train", "--train", "train.csv", "--out", "run", *SMALL, cwd=tmp_path).returncode == 0
    )
    for test, hinted in (("bare.csv", True), ("words.csv", False), ("unseen.csv", False)):
        result = frnn("evaluate", "--model", "run", "--data", test, cwd=tmp_path)
        assert result.returncode == 2 and (hint in result.stderr) == hinted, result.stderr


def test_header_with_a_ts_or_npz_file_is_said_to_be_ignored(tmp_path):
    """Before: --header yes (or no) with a .ts or an .npz file was ignored without a word.
    Now one line on stderr names the file and says it is read without it; the run goes on
    as before."""
    _files(tmp_path)
    run = tmp_path / "run"
    trained = frnn("train", "--train", "two.ts", *SMALL, "--out", run, "--quiet", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    np.savez(tmp_path / "two.npz", X=np.zeros((2, 4, 2)), y=[1, 2])
    said = "applies to text files (.csv/.tsv/.txt); "
    for name, what in (("two.ts", "a .ts file (its header"), ("two.npz", "an .npz file (arrays")):
        for command in ("evaluate", "predict"):
            result = frnn(command, "--model", run, "--data", name, "--header", "yes", cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, result.stderr
            assert lines[0].startswith(f"frnn {command}: warning: {name}: --header yes {said}")
            assert what in lines[0] and lines[0].endswith("is read without it"), lines[0]
    again = frnn(
        "train", "--train", "two.ts", "--header", "no", *SMALL, "--out", "r2", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert "two.ts: --header no applies to text files" in again.stderr
    quiet = frnn("evaluate", "--model", run, "--data", "two.ts", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_label_or_header_with_a_built_in_dataset_is_refused(tmp_path):
    """Before: evaluate and predict ignored --label and --header beside --dataset without a
    word (train refused them; --id and --time were refused)."""
    _files(tmp_path)
    run = tmp_path / "run"
    trained = frnn("train", "--train", "train.csv", *SMALL, "--out", run, "--quiet", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    for command in ("evaluate", "predict"):
        for options, named in (
            (["--header", "yes"], "--header"),
            (["--label", "last", "--id", "x"], "--label and --id"),
        ):
            result = frnn(command, "--model", run, "--dataset", "coffee", *options)
            _one_line_error(
                result, f"{named}: for --data files; a built-in --dataset has no columns to choose"
            )


def test_ts_targets_written_with_a_decimal_comma_are_refused_with_the_hint(tmp_path):
    """Before: a .ts file of @targetLabel true whose targets were written 0,5 trained a
    classifier of one class per value (leave-one-out warning the only word) without
    --task regression."""
    header = "@problemName r\n@classLabel false\n@targetLabel true\n@data\n"
    rows = [f"{i},{i + 1},{i + 2},{i + 1}:{i % 4},{5 + i % 3}" for i in range(12)]
    (tmp_path / "comma.ts").write_text(header + "\n".join(rows) + "\n")
    for task in ([], ["--task", "regression"]):
        result = frnn("train", "--train", "comma.ts", *task, *SMALL, "--out", "r", cwd=tmp_path)
        _one_line_error(
            result,
            "comma.ts: line 5 (series 1): the target '0,5' is not a number, but the header "
            "declares @targetLabel true (real-valued targets): a decimal comma? Write 0.5 ...",
        )
        assert not (tmp_path / "r").exists()
    (tmp_path / "word.ts").write_text(header + "1,2,3:up\n3,2,1:down\n")
    _one_line_error(
        frnn("train", "--train", "word.ts", "--out", "r", cwd=tmp_path),
        "word.ts: line 5 (series 1): the target 'up' is not a number...declare '@classLabel true'",
    )


def test_a_fit_beyond_the_memory_is_one_line_naming_the_size(tmp_path, monkeypatch):
    """Before: any MemoryError was "not enough memory for these sizes", whatever it said."""
    from frnn import _memory

    _files(tmp_path)
    monkeypatch.setattr(_memory, "limit", lambda: 1024)
    result = frnn("train", "--train", "train.csv", *SMALL, "--out", "r", "--quiet", cwd=tmp_path)
    _one_line_error(
        result,
        "frnn train: error: the features of 8 series (8 × 896 features × 8 bytes, 2 copies) "
        "would take 112.0 KiB, more than the 1.0 KiB of memory this process may use; fit "
        "chunk by chunk...draw fewer features (--n-reservoirs, --hidden-size, --n-thresholds)",
    )
    assert not (tmp_path / "r").exists()
