"""What frnn evaluate reports per class: the confusion matrix, precision, recall and F1, the
matrix drawn; --out and --label refused where they cannot apply, before any work."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

import frnn as frnn_lib
from frnn import LengthWarning
from frnn.data.datasets import load_dataset
from frnn.estimator import RNNClassifier
from helpers import run_cli as frnn

TINY = ["--training", "bptt", "--epochs", "3", "--hidden-size", "4"]  # as test_cli.py


@pytest.fixture(scope="module")
def classifier_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("evaluate")
    assert frnn("train", *TINY, "--quiet", "--out", "run", cwd=cwd).returncode == 0
    return cwd


@pytest.mark.slow
def test_evaluate_prints_the_confusion_matrix_and_per_class_scores(classifier_run):
    result = frnn("evaluate", "--model", "run", "--dataset", "gunpoint", cwd=classifier_run)
    assert result.returncode == 0, result.stderr
    assert re.match(r"accuracy \d\.\d{4}  loss \d+\.\d{6}  n 150\n", result.stdout), result.stdout
    test = load_dataset("gunpoint").test
    predicted = frnn_lib.load(classifier_run / "run" / "model.npz").predict(test)
    matrix = confusion_matrix(test.y, predicted, labels=[1, 2])
    precision, recall, f1, support = precision_recall_fscore_support(
        test.y, predicted, labels=[1, 2], zero_division=0
    )
    lines = result.stdout.splitlines()
    start = lines.index("confusion matrix (rows: true class, columns: predicted class)")
    assert lines[start + 1].split() == ["true", "\\", "predicted", "1", "2"]
    assert [[int(v) for v in line.split()[1:]] for line in lines[start + 2 : start + 4]] == (
        matrix.tolist()
    )
    table = lines[lines.index(next(line for line in lines if line.startswith("class "))) :]
    assert table[0].split() == ["class", "precision", "recall", "f1", "support"]
    for k, line in enumerate(table[1:3]):
        cells = line.split()
        assert cells[0] == str(k + 1) and int(cells[4]) == support[k]
        np.testing.assert_allclose(
            [float(c) for c in cells[1:4]], [precision[k], recall[k], f1[k]], atol=5e-4
        )
    assert table[3].split()[:2] == ["macro", "avg"]
    as_json = json.loads(
        frnn(
            "evaluate", "--model", "run", "--dataset", "gunpoint", "--json", cwd=classifier_run
        ).stdout
    )
    assert as_json["confusion_matrix"] == matrix.tolist() and as_json["classes"] == [1, 2]
    assert as_json["per_class"]["2"]["recall"] == pytest.approx(recall[1])


def test_evaluate_draws_the_confusion_matrix(classifier_run):
    args = ["evaluate", "--model", "run", "--dataset", "gunpoint"]
    result = frnn(*args, "--out", "cm.png", cwd=classifier_run)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "wrote cm.png"
    assert (classifier_run / "cm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = frnn(*args, "--out", "cm.bmp", cwd=classifier_run)
    assert bad.returncode == 2 and "--out must end in .png, .svg or .pdf" in bad.stderr
    assert len(bad.stderr.splitlines()) == 1 and not (classifier_run / "cm.bmp").exists()


@pytest.mark.slow
def test_evaluate_out_refused_for_a_regressor(tmp_path):
    train = ["train", "--dataset", "adding", "--length", "20", "--n-train", "64", *TINY]
    assert frnn(*train, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    args = ["evaluate", "--model", "r", "--dataset", "adding", "--out", "cm.png"]
    refused = frnn(*args, cwd=tmp_path)
    assert refused.returncode == 2 and "a regressor" in refused.stderr
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", LengthWarning)  # the set's length 50, not 20
        plain = frnn(*args[:-2], cwd=tmp_path)
    assert plain.returncode == 0 and plain.stdout.split()[::2][:3] == ["rmse", "mae", "r2"]
    assert plain.stderr.startswith("frnn evaluate: warning: ") and "longer" in plain.stderr


def test_evaluate_names_the_file_whose_targets_are_not_the_models(tmp_path):
    """Before: "y has 1 output(s); the model was fitted to 2", no file named."""
    X = np.random.default_rng(0).standard_normal((20, 6))
    Y = np.column_stack([X.mean(axis=1), X.std(axis=1)])
    np.savez(tmp_path / "two.npz", X=X, y=Y)
    np.savez(tmp_path / "one.npz", X=X, y=Y[:, 0])
    train = ["train", "--train", "two.npz", "--task", "regression", "--n-reservoirs", "2"]
    assert frnn(*train, "--quiet", "--out", "r", cwd=tmp_path).returncode == 0
    refused = frnn("evaluate", "--model", "r", "--data", "one.npz", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr == (
        "frnn evaluate: error: one.npz: 1 target(s) per series, but the model was fitted to 2\n"
    )
    assert frnn("evaluate", "--model", "r", "--data", "two.npz", cwd=tmp_path).returncode == 0
    # a classifier on a regressor's files: before, every value listed as an unknown label
    y = (X[:, 0] > 0).astype(int)
    np.savez(tmp_path / "classes.npz", X=X, y=y)
    train = ["train", "--train", "classes.npz", "--n-reservoirs", "2", "--quiet", "--out", "c"]
    assert frnn(*train, cwd=tmp_path).returncode == 0
    for name, said in (
        ("two.npz", "two.npz: 2 targets per series, but the model is a classifier of one label"),
        ("one.npz", "none of them is a class, and most series have their own"),
    ):
        refused = frnn("evaluate", "--model", "c", "--data", name, cwd=tmp_path)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr
        assert len(refused.stderr.splitlines()) == 1


def test_evaluate_label_auto_knows_the_classifier_and_none_is_refused(tmp_path, capsys):
    """Before: evaluate --label auto read without the model's classes, so a classifier was
    told about regressors; --label none, offered in its help, could never evaluate."""
    from frnn.cli.main import main
    from helpers import toy_series, write_file

    rng = np.random.default_rng(3)
    series, labels = toy_series(12, rng)
    write_file(tmp_path / "train.npz", series, labels)
    write_file(tmp_path / "test.csv", series, labels)
    (tmp_path / "other.csv").write_text("5,1,2,3\n6,4,5,6\n")  # labels not the model's
    model = RNNClassifier(training="bptt", epochs=1, hidden_size=2, n_ensemble=1)
    frnn_lib.save(model.fit(*_xy(series, labels)), tmp_path / "m.npz")
    evaluate = ["evaluate", "--model", str(tmp_path / "m.npz"), "--data"]
    assert main([*evaluate, str(tmp_path / "test.csv"), "--label", "auto", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 12
    assert main([*evaluate, str(tmp_path / "other.csv"), "--label", "auto"]) == 2
    err = capsys.readouterr().err
    assert "carry no labels to evaluate against" in err and "regressor" not in err, err
    assert main([*evaluate, str(tmp_path / "test.csv"), "--label", "none"]) == 2
    assert "--label none: evaluate compares the predictions with the labels" in (
        capsys.readouterr().err
    )


def _xy(series, labels):
    return np.stack(series), np.asarray(labels)  # (n, T, 1), (n,)


def test_evaluate_out_refused_for_a_multi_label_model_before_evaluating(
    tmp_path, monkeypatch, capsys
):
    """Before: the whole evaluation ran, and printed nothing, before --out was refused."""
    from frnn.cli import predict
    from frnn.cli.main import main

    rng = np.random.default_rng(4)
    X = rng.standard_normal((8, 5, 1))  # (n, T, D)
    Y = (rng.random((8, 3)) < 0.5).astype(int)  # (n, K) 0/1
    model = RNNClassifier(training="bptt", epochs=1, hidden_size=2, n_ensemble=1).fit(X, Y)
    frnn_lib.save(model, tmp_path / "m.npz")
    np.savez(tmp_path / "d.npz", X=X, y=Y)

    def evaluated(*args, **kwargs):
        raise AssertionError("evaluated before --out was refused")

    monkeypatch.setattr(predict.class_targets, "evaluate", evaluated)
    argv = ["evaluate", "--model", str(tmp_path / "m.npz"), "--data", str(tmp_path / "d.npz")]
    assert main([*argv, "--out", str(tmp_path / "cm.png")]) == 2
    assert "--out draws a confusion matrix; a multi-label model has none" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "cm.png").exists()
