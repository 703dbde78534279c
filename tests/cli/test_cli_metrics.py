"""What a run reports per epoch: comparable training and validation losses, test scores
that never steer training, the history's columns and curves (``frnn evaluate``'s per-class
report: test_cli_evaluate.py)."""

from __future__ import annotations

import csv
import json
import re
import types

import numpy as np
import pytest

import frnn as frnn_lib
from frnn.classifier import targets as class_targets
from frnn.cli.rundir import write_history
from frnn.data.datasets import load_dataset
from frnn.data.series import Series
from frnn.engine.network import forward_trusted
from frnn.estimator import RNNClassifier
from frnn.regressor import RNNRegressor
from frnn.regressor import targets as real_targets
from frnn.training.loop import Trainer
from frnn.training.optimizers import SGD
from frnn.training.settings import Member, Settings
from frnn.viz.curves import plot_curves
from helpers import run_cli as frnn

TINY = ["--training", "bptt", "--epochs", "3", "--hidden-size", "4"]  # as test_cli.py
OLD_KEYS = ("loss", "accuracy", "grad_norm", "val_loss", "val_accuracy", "seconds")


def _trainer(aux_weight: float, class_weights=None, epochs: int = 3):
    rng = np.random.default_rng(0)
    net = types.SimpleNamespace(activation="tanh", loss="bce")
    frnn_lib.init(net, 2, 4, 1, rng=rng, bias=True)
    x = rng.standard_normal((12, 6, 2))
    y = (x[:, :, 0].sum(axis=1, keepdims=True) > 0).astype(float)
    settings = Settings(
        learning_rate=0.1,
        schedule="constant",
        epochs=epochs,
        batch_size=12,  # one step per epoch: the batch mean is the loss before the step
        clip=None,
        chunk_length=None,
        aux_weight=aux_weight,
        patience=3,
        accuracy=lambda z, t: float(np.mean((z > 0) == (t > 0.5))),
        class_weights=class_weights,
    )
    member = Member(model=net, optimizer=SGD(0.1), rng=rng)
    return Trainer([member], settings), Series(x, y, np.full(12, 6))


@pytest.mark.parametrize(
    ("aux_weight", "class_weights"), [(0.5, None), (0.0, np.array([3.0, 1.0])), (0.0, None)]
)
def test_train_loss_is_the_main_loss_as_validation_computes_it(aux_weight, class_weights):
    trainer, data = _trainer(aux_weight, class_weights)
    before = []  # the training data's validation-style loss before each epoch's one step
    for _ in range(3):
        model = types.SimpleNamespace(**vars(trainer.members[0].model))
        before.append(forward_trusted(model, data.X, data.y, lengths=data.lengths))
        trainer._one_epoch(data, None, None)
    history = trainer.history
    np.testing.assert_allclose(history["train_loss"], before, rtol=1e-12)
    if aux_weight or class_weights is not None:  # the objective adds to it
        assert all(o != pytest.approx(t) for o, t in zip(history["loss"], before, strict=True))
    else:
        np.testing.assert_allclose(history["loss"], before, rtol=1e-12)


def test_monitor_is_scored_every_epoch_and_never_changes_training():
    ds = load_dataset("gunpoint")
    kw = dict(training="bptt", epochs=6, hidden_size=4, random_state=0, n_ensemble=2)
    kw.update(validation_fraction=0.3, patience=2)  # early stopping on validation
    plain = RNNClassifier(**kw).fit(ds.train, ds.train.y)
    watched = RNNClassifier(**kw).fit(ds.train, ds.train.y, monitor=(ds.test, ds.test.y))
    assert (plain.n_iter_, plain.stopped_by_) == (watched.n_iter_, watched.stopped_by_)
    for a, b in zip(plain.networks_, watched.networks_, strict=True):
        for name in "WRVbc":
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for key in OLD_KEYS[:-1] + ("train_loss",):
        assert plain.history_[key] == watched.history_[key]
    assert plain.history_["test_loss"] == [None] * plain.n_iter_
    assert all(0 <= v <= 1 for v in watched.history_["test_accuracy"])
    # Without validation the last epoch's parameters are kept: its test entries are the
    # model's scores on the test set, as frnn evaluate computes them (the loss of one
    # network: an ensemble's entries are its members' mean loss, as val_loss).
    kw.update(validation_fraction=0.0, n_ensemble=1)
    last = RNNClassifier(**kw).fit(ds.train, ds.train.y, monitor=(ds.test, ds.test.y))
    scores = class_targets.evaluate(last, ds.test, ds.test.y)
    assert last.history_["test_accuracy"][-1] == pytest.approx(scores["accuracy"], abs=1e-12)
    assert last.history_["test_loss"][-1] == pytest.approx(scores["loss"], rel=1e-10)


def test_regressor_history_holds_rmse_in_the_targets_units():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 12))
    y = 30 * X[:, -3:].sum(axis=1) + 100
    reg = RNNRegressor(training="bptt", epochs=3, hidden_size=4, random_state=0)
    reg.fit(X[:40], y[:40], monitor=(X[40:], y[40:]))
    scores = real_targets.evaluate(reg, X[40:], y[40:])
    assert reg.history_["test_rmse"][-1] == pytest.approx(scores["rmse"], rel=1e-10)
    assert reg.history_["test_accuracy"][-1] == pytest.approx(scores["r2"], abs=1e-10)
    assert reg.history_["val_rmse"] == [None] * 3 and reg.history_["train_rmse"][0] > 1


SCALES = [1e-300, 1e-150, 1.0, 1e150, 1e200]


@pytest.mark.parametrize("units", SCALES)
def test_regressor_scores_and_history_rmse_in_any_units(units):
    """RMSE, MAE, R² and the loss (``frnn evaluate``'s and ``frnn train``'s metrics) and the
    history's RMSEs of targets in any units are those of the same targets in units of one,
    times the units (the squares of 1e-300s vanished: RMSE 0, R² 0; those of 1e200s overflowed)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 12))
    y = 30 * X[:, -3:].sum(axis=1) + 100
    kw = dict(training="bptt", epochs=3, hidden_size=4, random_state=0)

    def fitted(s):
        reg = RNNRegressor(**kw).fit(X[:40], s * y[:40], monitor=(X[40:], s * y[40:]))
        return reg, real_targets.evaluate(reg, X[40:], s * y[40:])

    (one, want), (reg, got) = fitted(1.0), fitted(units)
    for key in ("train_rmse", "test_rmse"):
        np.testing.assert_allclose(
            np.divide(reg.history_[key], units), one.history_[key], rtol=1e-9
        )
    assert got["rmse"] / units == pytest.approx(want["rmse"], rel=1e-9)
    assert got["mae"] / units == pytest.approx(want["mae"], rel=1e-9)
    assert got["loss"] == pytest.approx(want["loss"] * units * units, rel=1e-9)  # 1e-600: 0
    assert got["r2"] == pytest.approx(want["r2"], abs=1e-12) and 0.01 < abs(want["r2"]) < 0.99
    assert got["r2"] == reg.score(X[40:], units * y[40:])


def test_cli_metrics_of_tiny_targets(tmp_path):
    """``frnn train``'s metrics.json and ``frnn evaluate`` for targets of size 1e-300, against
    the saved model's predictions scored here by hand, in units of 2^-997."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((60, 9))
    y = 1e-300 * (X[:, :3].sum(axis=1) + 0.5 * rng.standard_normal(60))
    for name, rows in (("train.csv", slice(0, 40)), ("test.csv", slice(40, 60))):
        with open(tmp_path / name, "w", newline="") as handle:
            csv.writer(handle).writerows(np.column_stack([y[rows], X[rows]]).tolist())
    args = ["--train", "train.csv", "--test", "test.csv", "--task", "regression"]
    done = frnn("train", *args, "--n-reservoirs", "4", "--out", "r", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    predicted = frnn_lib.load(tmp_path / "r" / "model.npz").predict(X[40:])
    unit = 2.0**-997  # y / unit is near one
    error = (predicted - y[40:]) / unit
    rmse = np.sqrt(np.mean(error**2)) * unit
    r2 = 1 - np.sum(error**2) / np.sum(((y[40:] - y[40:].mean()) / unit) ** 2)
    evaluated = frnn("evaluate", "--model", "r", "--data", "test.csv", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    for scores in (json.loads((tmp_path / "r" / "metrics.json").read_text())["test"],
                   json.loads(evaluated.stdout)):  # fmt: skip
        assert scores["rmse"] == pytest.approx(rmse, rel=1e-12) and 1e-301 < rmse < 1e-299
        assert scores["r2"] == pytest.approx(r2, abs=1e-12) and 0.1 < r2 < 0.99


def _strict(text: str):
    """JSON as strict readers (JavaScript's, Go's) take it: no NaN, no Infinity."""

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_an_undefined_r2_is_null_in_json_and_no_python_warning(tmp_path):
    """A test split of one series, whose R² is undefined: metrics.json and --json held
    NaN (invalid JSON) and scikit-learn's UndefinedMetricWarning came out as two lines of
    Python; now null, and nothing on stderr."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((21, 9))
    y = X[:, :3].sum(axis=1)
    for name, rows in (("train.csv", slice(0, 20)), ("one.csv", slice(20, 21))):
        with open(tmp_path / name, "w", newline="") as handle:
            csv.writer(handle).writerows(np.column_stack([y[rows], X[rows]]).tolist())
    args = ["--train", "train.csv", "--test", "one.csv", "--task", "regression", "--json"]
    done = frnn("train", *args, "--n-reservoirs", "2", "--out", "r", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    evaluated = frnn("evaluate", "--model", "r", "--data", "one.csv", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0 and evaluated.stderr == "", evaluated.stderr
    for text in (done.stdout, (tmp_path / "r" / "metrics.json").read_text(), evaluated.stdout):
        scores = _strict(text)
        scores = scores.get("test", scores)
        assert scores["r2"] is None and scores["n"] == 1 and scores["rmse"] >= 0


def test_a_setting_of_inf_stays_inf_in_config_json(tmp_path):
    """metrics.json writes an undefined score as null; config.json keeps an infinite
    setting as Python writes it, so that --config repeats the run (null read as none)."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((12, 6))
    y = np.arange(12) % 2
    np.savetxt(tmp_path / "t.csv", np.column_stack([y, X + y[:, None]]), delimiter=",")
    args = ["--train", "t.csv", "--n-reservoirs", "2", "--neighbour-weight", "inf", "--quiet"]
    assert frnn("train", *args, "--out", "a", cwd=tmp_path).returncode == 0
    config = json.loads((tmp_path / "a" / "config.json").read_text())
    assert config["estimator"]["neighbour_weight"] == np.inf
    again = frnn("train", "--config", "a/config.json", "--out", "b", "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_monitor_refused_clearly_and_the_old_fit_kept():
    ds = load_dataset("gunpoint")
    clf = RNNClassifier(training="bptt", epochs=1, hidden_size=4, random_state=0)
    clf.fit(ds.train, ds.train.y)
    weights = clf.networks_[0].W.copy()
    with pytest.raises(ValueError, match="not among the model's classes"):
        clf.fit(ds.train, ds.train.y, monitor=(ds.test, np.full(150, 7)))
    with pytest.raises(ValueError, match=r"monitor's X holds 150 series.*\(20,\)"):
        clf.fit(ds.train, ds.train.y, monitor=(ds.test, ds.test.y[:20]))
    with pytest.raises(ValueError, match="monitor must be a pair"):
        clf.fit(ds.train, ds.train.y, monitor=ds.test)
    np.testing.assert_array_equal(clf.networks_[0].W, weights)
    with pytest.raises(ValueError, match="monitor apply to training='bptt' only"):
        RNNClassifier(n_reservoirs=2).fit(ds.train, ds.train.y, monitor=(ds.test, ds.test.y))


def test_a_state_written_before_the_new_history_keys_resumes():
    trainer, data = _trainer(0.5)
    trainer.run(data, None)
    state = trainer.state()
    state["history"] = {key: state["history"][key] for key in OLD_KEYS}  # frnn ≤ 0.1
    resumed, _ = _trainer(0.5, epochs=4)
    resumed.load_state(state)
    resumed.run(data, None)
    assert resumed.history["train_loss"][:3] == [None] * 3
    assert resumed.history["train_loss"][3] is not None
    assert resumed.history["loss"][:3] == trainer.history["loss"]


def _history(n: int = 4, train_loss: bool = True) -> dict:
    rng = np.random.default_rng(1)
    history = {key: list(rng.uniform(0.1, 1, n)) for key in OLD_KEYS}
    if train_loss:
        history |= {"train_loss": list(rng.uniform(0.1, 1, n)), "test_loss": [None] * n}
        history["test_accuracy"] = [None] * n
    return history


def test_curves_compare_the_main_losses_and_show_the_objective_apart():
    history = _history()
    fig = plot_curves(history)
    ax = fig.axes[0]
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    np.testing.assert_array_equal(
        lines["train (mean over the epoch's batches)"], history["train_loss"]
    )
    np.testing.assert_array_equal(lines["validation"], history["val_loss"])
    np.testing.assert_array_equal(lines["training objective (+ auxiliary term)"], history["loss"])
    assert "test (watched only)" not in lines  # no test set: no line
    assert "without the auxiliary term" in ax.get_ylabel()
    old = plot_curves(_history(train_loss=False))  # a model saved before train_loss
    labels = [line.get_label() for line in old.axes[0].get_lines()]
    assert labels == ["validation", "training objective (+ auxiliary term)"]
    assert plot_curves(_history(), regression=True).axes[1].get_ylabel() == "R²"


def test_curves_name_the_loop_s_unit_on_every_x_axis():
    """A budget of steps (epochs=None) records rounds, not epochs: the axes say which."""
    assert [ax.get_xlabel() for ax in plot_curves(_history()).axes] == ["epoch"] * 3
    rounds = plot_curves(_history(), unit="round")
    assert [ax.get_xlabel() for ax in rounds.axes] == ["round"] * 3
    assert "train (mean over the round's batches)" in [
        line.get_label() for line in rounds.axes[0].get_lines()
    ]


def test_history_csv_names_its_columns(tmp_path):
    history = _history()
    write_history(tmp_path / "h.csv", history)
    with open(tmp_path / "h.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "epoch",
        "train_loss",
        "train_accuracy",
        "val_loss",
        "val_accuracy",
        "test_loss",
        "test_accuracy",
        "objective",
        "grad_norm",
        "seconds",
    ]
    assert float(rows[2]["objective"]) == history["loss"][2] and rows[0]["test_loss"] == ""
    write_history(tmp_path / "old.csv", _history(train_loss=False), regression=True)
    header = (tmp_path / "old.csv").read_text().splitlines()[0].split(",")
    assert header == [
        "epoch",
        "train_r2",
        "val_loss",
        "val_r2",
        "objective",
        "grad_norm",
        "seconds",
    ]


def test_train_prints_validation_and_test_scores_per_epoch(tmp_path):
    args = [*TINY, "--validation-fraction", "0.2", "--patience", "50", "--out", "r"]
    result = frnn("train", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()[:4]
    assert header.split()[:13] == (
        "epoch train loss train acc val loss val acc test loss test acc".split()
    )
    assert "test: watched only; early stopping and the model kept use validation" in header
    with open(tmp_path / "r" / "history.csv") as handle:
        history = list(csv.DictReader(handle))
    for row, epoch in zip(rows, history, strict=True):
        cells = row.split()
        assert cells[0] == epoch["epoch"]
        assert float(cells[3]) == pytest.approx(float(epoch["val_loss"]), rel=1e-3)
        assert float(cells[6]) == pytest.approx(float(epoch["test_accuracy"]), abs=1e-3)
        for loss in (cells[1], cells[3], cells[5]):  # one loss format, as every other table
            assert re.fullmatch(r"\d+\.\d{6}", loss), row
    assert "val loss" in result.stderr and "test loss" in result.stderr  # the bar


def test_no_watch_test_scores_the_test_set_only_at_the_end(tmp_path):
    result = frnn("train", *TINY, "--no-watch-test", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert header.split()[:5] == "epoch train loss train acc".split() and "test" not in header
    with open(tmp_path / "r" / "history.csv") as handle:
        history = list(csv.DictReader(handle))
    assert len(history) == 3 and all(not row.get("test_loss") for row in history)
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["test"]["n"] == 150  # the end's results table still scores it


def test_a_reservoir_classifier_s_log_loss_is_sklearn_s_and_never_negative():
    """Certain predictions (p rounding a last bit above 1) report a loss of 0, not −0."""
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 30))
    y = np.repeat([0, 1], 20)
    X[y == 1] += 3.0  # far apart: probabilities of (nearly) one
    clf = RNNClassifier(n_reservoirs=2, random_state=0).fit(X, y)
    got = class_targets.evaluate(clf, X, y)["loss"]
    assert got >= 0.0 and np.copysign(1.0, got) == 1.0
    expected = log_loss(y, np.clip(clf.predict_proba(X), 0.0, 1.0), labels=[0, 1])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)
