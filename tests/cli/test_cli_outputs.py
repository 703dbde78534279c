"""Where frnn writes: an --out that cannot be written is named in one line (never the
temporary file beside it, never a bare errno), before any work is lost."""

from __future__ import annotations

import numpy as np
import pytest

import frnn as frnn_lib
from frnn.estimator import RNNClassifier
from helpers import run_cli as frnn


@pytest.fixture
def tiny_model(tmp_path):
    """A fitted two-class model saved as tmp_path/m.npz, and its series as d.csv."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 5, 1))  # (n, T, D)
    y = np.array([0, 1] * 3)
    model = RNNClassifier(training="bptt", epochs=1, hidden_size=2, n_ensemble=1).fit(X, y)
    frnn_lib.save(model, tmp_path / "m.npz")
    rows = np.column_stack([y, X[:, :, 0]])
    np.savetxt(tmp_path / "d.csv", rows, delimiter=",", fmt="%.6g")
    return tmp_path


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("folder", "could not write folder: it is a directory; expected a file name"),
        ("missing/p.csv", "could not write missing/p.csv: its folder"),
    ],
)
def test_predict_out_that_cannot_be_written_is_one_line_naming_it(tiny_model, out, message):
    (tiny_model / "folder").mkdir()
    result = frnn("predict", "--model", "m.npz", "--data", "d.csv", "--out", out, cwd=tiny_model)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr and ".tmp" not in result.stderr, result.stderr
    assert sorted(p.name for p in tiny_model.iterdir()) == ["d.csv", "folder", "m.npz"]


@pytest.mark.parametrize("out", ["d.csv", "./d.csv", "m.npz", "link.csv"])
def test_predict_out_that_is_its_own_data_or_model_file_is_refused(tiny_model, out):
    """Before: the predictions replaced the --data file (the series lost) or the model
    file ('wrote m.npz', then 'not a readable frnn model file'), exit 0."""
    (tiny_model / "link.csv").symlink_to("d.csv")
    before = {name: (tiny_model / name).read_bytes() for name in ("d.csv", "m.npz")}
    result = frnn("predict", "--model", "m.npz", "--data", "d.csv", "--out", out, cwd=tiny_model)
    assert result.returncode == 2, result.stderr
    flag = "--model" if out == "m.npz" else "--data"
    assert result.stderr.strip() == (
        f"frnn predict: error: --out {out} is the {flag} file: the predictions would replace "
        "it; pass another --out"
    ), result.stderr
    assert {name: (tiny_model / name).read_bytes() for name in before} == before


def test_evaluate_out_in_a_missing_folder_is_refused_before_the_scores(tiny_model):
    """Before: the scores were printed, then 'could not write missing/cm.png' and exit 2:
    a command that failed after its output."""
    args = ["--model", "m.npz", "--data", "d.csv", "--out", "missing/cm.png"]
    result = frnn("evaluate", *args, cwd=tiny_model)
    assert result.returncode == 2 and result.stdout == "", result.stdout
    assert result.stderr.startswith(
        "frnn evaluate: error: could not write missing/cm.png: its folder "
    ), result.stderr


def test_out_in_a_read_only_folder_is_refused_before_the_work(tiny_model, monkeypatch):
    """Before: evaluate printed every score, then 'could not write ro/cm.png: Permission
    denied' and exit 2; predict did its work first (a folder of mode 555, as a user who
    is not root).  The tests run as root, whom no mode stops: os.access says no here."""
    import os

    (tiny_model / "ro").mkdir()
    access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: not str(path).endswith("ro") and access(path, mode)
    )
    for command, out in (("evaluate", "ro/cm.png"), ("predict", "ro/p.csv")):
        args = ["--model", "m.npz", "--data", "d.csv", "--out", out]
        result = frnn(command, *args, cwd=tiny_model)
        assert result.returncode == 2 and result.stdout == "", result.stdout
        assert result.stderr == (
            f"frnn {command}: error: could not write {out}: its folder {tiny_model / 'ro'} is "
            "not writable\n"
        ), result.stderr
    assert list((tiny_model / "ro").iterdir()) == []


def test_predict_data_that_is_a_directory_is_named_so(tiny_model):
    """Before: 'folder.csv: no such file', though it was there (a directory)."""
    (tiny_model / "folder.csv").mkdir()
    result = frnn("predict", "--model", "m.npz", "--data", "folder.csv", cwd=tiny_model)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().endswith("folder.csv: a directory, not a file"), result.stderr


def test_predict_out_dash_is_standard_output(tiny_model):
    """Before: --out - wrote a file named '-' and printed 'wrote -'."""
    to_stdout = frnn("predict", "--model", "m.npz", "--data", "d.csv", cwd=tiny_model)
    dash = frnn("predict", "--model", "m.npz", "--data", "d.csv", "--out", "-", cwd=tiny_model)
    assert dash.returncode == 0 and to_stdout.returncode == 0, dash.stderr
    assert dash.stdout == to_stdout.stdout and dash.stdout.startswith("row,prediction,p_0,p_1\n")
    assert not (tiny_model / "-").exists()


@pytest.mark.parametrize("level", [0.0, 1e15])
def test_predict_writes_a_regressors_predictions_to_their_spread(tmp_path, level):
    """Targets of 1e15 ± 20 (epoch times in microseconds, prices in micro-units) were all
    written as 1e+15 (8 significant digits): each output gets 8 digits of its targets'
    spread now, and targets near the origin are written as before."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 8))
    y = level + 20 * X[:, 2]
    model = frnn_lib.RNNRegressor(n_reservoirs=2, hidden_size=4, random_state=0).fit(X, y)
    frnn_lib.save(model, tmp_path / "m.npz")
    np.savetxt(tmp_path / "d.csv", X, delimiter=",", fmt="%.17g")
    result = frnn("predict", "--model", "m.npz", "--data", "d.csv", "--label", "none", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = np.loadtxt(result.stdout.splitlines()[1:], delimiter=",")[:, 1]
    predicted = model.predict(np.loadtxt(tmp_path / "d.csv", delimiter=","))
    np.testing.assert_allclose(written - level, predicted - level, atol=20 * 1e-7)
    if level == 0:  # as written before: 8 significant digits
        assert result.stdout.splitlines()[1] == f"1,{predicted[0]:.8g}"
