"""RNNRegressor: scikit-learn's estimator checks, targets, sequence targets, errors."""

from __future__ import annotations

import csv
import json
import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import frnn
from frnn.data.synthetic import adding
from frnn.regressor import RNNRegressor, expected_failed_checks
from helpers import run_cli as run_frnn

# Small and quick: the checks fit dozens of times on tiny data.
QUICK_RESERVOIR = dict(n_reservoirs=3, hidden_size=8)
# tanh and torch's draw: scikit-learn's check_regressors_train asks R² > 0.5 on a linear
# function of 10 features read as 10 steps, which the memory recipe (ReLU, R = I) with 8
# units and 200 series fits to only 0.43-0.62 in 1,000 steps (0.79-0.81 this way, 600)
QUICK_BPTT = dict(
    training="bptt", hidden_size=8, steps=600, n_ensemble=1, activation="tanh", init="torch"
) | dict(learning_rate=0.01)


@pytest.mark.slow
@parametrize_with_checks(
    [RNNRegressor(**QUICK_RESERVOIR), RNNRegressor(**QUICK_BPTT)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _adding(n=200, T=20, seed=0):
    return adding(n, np.random.default_rng(seed), T)


@pytest.mark.slow
def test_reservoir_default_learns_the_adding_problem():
    X, y = _adding(300)
    model = RNNRegressor(random_state=0).fit(X, y)
    X_test, y_test = _adding(300, seed=1)
    assert model.score(X_test, y_test) > 0.8  # the constant mean scores 0
    assert model.predict(X_test).shape == (300,) and model.alpha_ > 0


def _bumps(n, rng, T=40):
    """A bump's place (the target) in series of their own gain and offset, as sensors give."""
    place = rng.uniform(5, 35, n)
    shape = np.exp(-0.5 * ((np.arange(T) - place[:, None]) / 2.0) ** 2)  # (n, T)
    return rng.uniform(0.2, 5, (n, 1)) * shape + rng.uniform(-10, 10, (n, 1)), place


@pytest.mark.parametrize("seed", [0, 1])
def test_reservoirs_read_each_series_shape_and_its_level(seed):
    # Half the reservoirs read each series z-normalised, half standardised over the
    # training set (benchmarks/results/regression.md, "against the anchors"): the bump's
    # place, blurred by each series' gain and offset when every reservoir read the series
    # standardised as a whole (R² 0.77 and 0.81 at seeds 0, 1), is read from its shape.
    rng = np.random.default_rng(0)
    (X, y), (X_test, y_test) = _bumps(80, rng), _bumps(200, rng)
    model = RNNRegressor(n_reservoirs=8, random_state=seed).fit(X, y)
    features = model.reservoir_.features_
    assert features.normalise and features.level_fraction == 0.5
    assert features.statistics == ("mean",) and features.dtype == "float32"
    assert model.score(X_test, y_test) > 0.95


class _Float64States(RNNRegressor):
    """The regressor with the float64 states of before (``_earlier_reservoir_settings``)."""

    _reservoir_settings = RNNRegressor._reservoir_settings | {"dtype": "float64"}


@pytest.mark.parametrize("case", ["offset 1e8 and a constant channel", "T = 5,000"])
def test_float32_states_predict_as_float64_ones_where_float32_could_not_hold_the_series(case):
    # The states are float32 (benchmarks/results/regression.md, "float32 states"): the
    # series are z-normalised and standardised in float64 before they are cast, so series
    # far from zero (1e8 + x: float32 holds 1e8 to ±4), a constant channel and long series
    # predict as with float64 states, to round-off, with the same α.
    if case == "T = 5,000":
        (X, y), kw = _adding(20, T=5000), dict(n_reservoirs=2, hidden_size=8)
    else:
        X, y = _adding(60)
        X = np.concatenate([X + 1e8, np.full(X.shape[:2] + (1,), 7.0)], axis=2)
        kw = dict(n_reservoirs=4)
    model = RNNRegressor(random_state=0, **kw).fit(X, y)
    plain = _Float64States(random_state=0, **kw).fit(X, y)
    assert model.reservoir_.features_.dtype == "float32" and model.alpha_ == plain.alpha_
    np.testing.assert_allclose(model.predict(X), plain.predict(X), atol=1e-4 * np.std(y))


def test_bptt_learns_and_its_loss_decreases():
    X, y = _adding(200, T=10)
    model = RNNRegressor(training="bptt", epochs=40, n_ensemble=1, random_state=0).fit(X, y)
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]
    assert model.score(*_adding(200, T=10, seed=1)) > 0.3
    assert model.networks_[0].loss == "mse" and model.n_iter_ == 40


@pytest.mark.parametrize("training", ["reservoir", "bptt"])
def test_predictions_come_back_in_the_users_units(training):
    X, y = _adding(80)
    kw = dict(training=training, n_reservoirs=4, epochs=5, n_ensemble=1, random_state=0)
    a = RNNRegressor(**kw).fit(X, y).predict(X)
    b = RNNRegressor(**kw).fit(X, 1000.0 * y + 5e4).predict(X)
    np.testing.assert_allclose(b, 1000.0 * a + 5e4, rtol=1e-9)


@pytest.mark.parametrize("units", [1e-12, 1e-150, 1e-300, 1e150, 1e300])
@pytest.mark.parametrize("training", ["reservoir", "bptt"])
def test_targets_of_any_scale_are_learnt_in_their_units(training, units):
    """Tiny targets vary as much as unit ones (they were refused as constant below 1e-12),
    and R² is R² in any units (r2_score's squares of 1e-300s vanish: it gave 1.0)."""
    X, y = _adding(80)
    kw = dict(training=training, n_reservoirs=4, epochs=5, n_ensemble=1, random_state=0)
    a = RNNRegressor(**kw).fit(X, y).predict(X)
    model = RNNRegressor(**kw).fit(X, units * y)
    np.testing.assert_allclose(model.predict(X), units * a, rtol=1e-9)
    assert 0.0 < model.y_scale_[0] / units < 1.0
    assert model.score(X, units * y) == pytest.approx(RNNRegressor(**kw).fit(X, y).score(X, y))


@pytest.mark.parametrize("offset", [1e12, 1e15])
def test_targets_far_from_the_origin_are_learnt_in_their_units(offset):
    """1e15 ± 20 (epoch times, prices in micro-units) was refused as constant (a spread
    below 1e-12 of the mean); float64 holds it to 1/8, and it is learnt as ±20 is."""
    X, y = _adding(80)
    y = np.round(20 * y / np.abs(y).max())  # whole numbers within ±20: exact at 1e15
    kw = dict(n_reservoirs=4, random_state=0)
    a = RNNRegressor(**kw).fit(X, y)
    model = RNNRegressor(**kw).fit(X, offset + y)
    np.testing.assert_allclose(model.predict(X) - offset, a.predict(X), atol=0.25)
    assert model.score(X, offset + y) == pytest.approx(a.score(X, y), abs=1e-3)


def test_targets_varying_by_round_off_of_their_size_say_so():
    """1e15 + 0 or 1 (8 units of 1/8 apart): read as constant, as round-off of its size,
    and the error said "always 1e+15", which they are not; it names their spread now."""
    X, _ = _adding(20)
    y = 1e15 + np.arange(20) % 2
    with pytest.raises(ValueError, match=r"y varies by round-off of its size only .* subtract"):
        RNNRegressor(n_reservoirs=2).fit(X, y)
    RNNRegressor(n_reservoirs=2).fit(X, y - 1e15)  # the remedy it names


def test_targets_beyond_two_to_the_1022_are_refused_by_name():
    # beyond 2^1023 their unit was infinite: "y is constant (always nan)" after a warning
    X, y = _adding(40)
    with pytest.raises(ValueError, match=r"y holds values up to 1\.7e\+308 .* within ±2\^1022"):
        RNNRegressor(n_reservoirs=2).fit(X, y / np.abs(y).max() * 1.7e308)
    RNNRegressor(n_reservoirs=2).fit(X, y / np.abs(y).max() * 2.0**1022)  # the largest


@pytest.mark.parametrize("training", ["reservoir", "bptt"])
def test_target_shapes_multi_output_and_ragged_inputs(training):
    X, y = _adding(60)
    kw = dict(training=training, n_reservoirs=4, epochs=3, n_ensemble=1, random_state=0)
    assert RNNRegressor(**kw).fit(X, y[:, None]).predict(X).shape == (60, 1)
    Y = np.column_stack([y, -y, y**2])
    model = RNNRegressor(**kw).fit(X, Y)
    assert model.predict(X).shape == (60, 3) and model.n_outputs_ == 3
    ragged = [x[: 10 + i % 7] for i, x in enumerate(X)]
    assert RNNRegressor(**kw).fit(ragged, y).predict(ragged).shape == (60,)
    assert RNNRegressor(**kw).fit(X[:, :, 0], y).n_features_in_ == 20  # a table: T features


def test_sequence_targets_train_many_to_many():
    X, _ = _adding(120, T=15)
    Y = np.cumsum(X[:, :, 0], axis=1) / 5  # (n, T): the running sum, a value per step
    kw = dict(training="bptt", epochs=30, n_ensemble=1, random_state=0)
    model = RNNRegressor(**kw).fit(X, Y)
    assert model.sequence_ and model.frame_size_ == 1
    assert model.predict(X).shape == (120, 15) and model.score(X, Y) > 0.5
    assert RNNRegressor(**{**kw, "epochs": 2}).fit(X, Y[:, :, None]).predict(X).shape == (
        120,
        15,
        1,
    )
    ragged_X = [x[: 8 + i % 8] for i, x in enumerate(X)]
    ragged_Y = [y[: 8 + i % 8] for i, y in enumerate(Y)]
    out = RNNRegressor(**{**kw, "epochs": 2}).fit(ragged_X, ragged_Y).predict(ragged_X)
    assert [len(o) for o in out] == [len(x) for x in ragged_X]
    with pytest.raises(ValueError, match="training='bptt'"):
        RNNRegressor(n_reservoirs=2).fit(X, Y)


@pytest.mark.parametrize("bias", [False, True])
def test_many_to_many_gradients_are_the_engines(bias):
    from frnn.training.steps import _sequence_gradients

    rng = np.random.default_rng(0)
    net = frnn.FullyRecurrentNetwork(2, 5, 3, loss="mse", rng=rng, bias=bias)
    x, y = rng.standard_normal((4, 6, 2)), rng.standard_normal((4, 6, 3))
    lengths = np.array([6, 3, 1, 5])
    loss, grads, z, _ = _sequence_gradients(net, x, y, lengths)
    reference = frnn.FullyRecurrentNetwork(2, 5, 3, loss="mse", rng=0, bias=bias)
    for name in ("W", "R", "V", "b", "c")[: 5 if bias else 3]:
        setattr(reference, name, getattr(net, name))
    assert loss == pytest.approx(reference.forward(x, y, lengths=lengths), rel=1e-14)
    expected = reference.backward()
    assert set(grads) == set(expected) == ({"W", "R", "V"} | ({"b", "c"} if bias else set()))
    for name, g in expected.items():
        np.testing.assert_allclose(grads[name], g, rtol=1e-12, atol=1e-15)


def test_bptt_networks_have_biases_and_fit_what_an_odd_network_cannot():
    # Inputs in pairs x, −x with the same target |x|²: without biases a tanh network is an
    # odd function, z(−x) = −z(x), so on centred targets its R² is at most 0.
    rng = np.random.default_rng(0)
    half = rng.standard_normal((60, 10, 1))
    X = np.concatenate([half, -half])
    y = (X[:, :, 0] ** 2).mean(axis=1)
    kw = dict(training="bptt", hidden_size=16, epochs=60, n_ensemble=1, random_state=0)
    kw |= dict(activation="tanh", init="torch", learning_rate=0.01)  # the odd network's
    with_bias = RNNRegressor(**kw).fit(X, y)
    without = RNNRegressor(**kw, bias=False).fit(X, y)
    net = with_bias.networks_[0]
    assert net.b.shape == (16,) and net.c.shape == (1,) and not hasattr(without.networks_[0], "b")
    assert without.score(X, y) <= 1e-9
    assert with_bias.score(X, y) > 0.5


@pytest.mark.parametrize("training", ["reservoir", "bptt"])
def test_a_refused_refit_keeps_the_old_fit(training):
    X, y = _adding(40)
    kw = dict(training=training, n_reservoirs=3, epochs=2, n_ensemble=1, random_state=0)
    model = RNNRegressor(**kw).fit(X, y)
    before, state = model.predict(X), set(vars(model))
    for bad in (dict(y=np.r_[np.nan, y[1:]]), dict(X=X[:, :, :0])):
        with pytest.raises(ValueError):
            model.fit(bad.get("X", X), bad.get("y", y))
        assert set(vars(model)) == state
        np.testing.assert_array_equal(model.predict(X), before)
    model.set_params(validation_fraction=0.999)  # bptt: no training series left
    if training == "bptt":
        with pytest.raises(ValueError, match="validation_fraction"):
            model.fit(X, y)
        np.testing.assert_array_equal(model.predict(X), before)


def test_predict_leaves_no_states_on_the_networks_and_reports_reservoir_progress():
    X, y = _adding(30)
    model = RNNRegressor(training="bptt", epochs=2, n_ensemble=2, random_state=0).fit(X, y)
    model.predict(X)
    assert not any(hasattr(net, name) for net in model.networks_ for name in ("a", "z"))
    seen = []
    RNNRegressor(n_reservoirs=3, random_state=0).fit(X, y, callback=seen.append)
    assert [info["reservoir"] for info in seen] == [1, 2, 3] and seen[-1]["of"] == 3


BAD_TARGETS = [
    (np.r_[np.nan, np.ones(19)], "y contains NaN or infinity"),
    (np.r_[np.inf, np.arange(19.0)], "y contains NaN or infinity"),
    (np.arange(21.0), "X has 20, y has 21"),
    (np.ones((20, 2, 3, 4)), "got shape"),
    (np.full(20, 3.0), "y is constant"),
    (np.array(["a"] * 20), "y must hold real numbers"),
    (np.arange(20.0) + 1j, r"y must hold real numbers; got complex values \(dtype complex128\)"),
    ([0.5j] * 20, "y must hold real numbers; got complex"),  # numpy dropped the imaginary part
    (None, "requires y to be passed"),
]


@pytest.mark.parametrize(("y", "message"), BAD_TARGETS, ids=[m for _, m in BAD_TARGETS])
def test_bad_targets_name_the_argument(y, message):
    X, _ = _adding(20)
    with pytest.raises(ValueError, match=message):
        RNNRegressor(n_reservoirs=2).fit(X, y)


def test_outputs_or_features_changing_after_fit_are_errors():
    X, y = _adding(40)
    model = RNNRegressor(n_reservoirs=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="y has 2 output"):
        model.score(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="expecting 2 features"):
        model.predict(np.ones((3, 20, 5)))
    with pytest.raises(ValueError, match="training must be one of"):
        RNNRegressor(training="ridge").fit(X, y)


@pytest.mark.parametrize(
    "kw",
    [
        dict(n_reservoirs=3),
        dict(training="bptt", epochs=2, n_ensemble=2),
    ],
)
def test_save_and_load_give_the_same_predictions(tmp_path, kw):
    X, y = _adding(40)
    for Y in (y, np.column_stack([y, y**2])):
        model = RNNRegressor(random_state=0, **kw).fit(X, Y)
        frnn.save(model, tmp_path / "m.npz")
        loaded = frnn.load(tmp_path / "m.npz")
        assert isinstance(loaded, RNNRegressor) and loaded.get_params() == model.get_params()
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


def test_save_and_load_sequence_targets_and_a_damaged_file(tmp_path):
    X, _ = _adding(30, T=8)
    Y = np.cumsum(X[:, :, 0], axis=1)
    model = RNNRegressor(training="bptt", epochs=2, n_ensemble=1, random_state=0).fit(X, Y)
    frnn.save(model, tmp_path / "m.npz")
    np.testing.assert_array_equal(frnn.load(tmp_path / "m.npz").predict(X), model.predict(X))
    reservoir = RNNRegressor(n_reservoirs=2, random_state=0).fit(X, Y[:, -1])
    frnn.save(reservoir, tmp_path / "r.npz")
    with np.load(tmp_path / "r.npz", allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for name, bad in (
        ("readout/coef", arrays["readout/coef"][:-1]),
        ("y_scale", -arrays["y_scale"]),
        ("y_mean", np.r_[arrays["y_mean"], 0.0]),
    ):
        np.savez(tmp_path / "bad.npz", **{**arrays, name: bad})
        with pytest.raises(ValueError, match="damaged frnn model file"):
            frnn.load(tmp_path / "bad.npz")


# -- the command line -------------------------------------------------------------------------
SMALL_ADDING = ["--dataset", "adding", "--n-train", "60", "--n-test", "40", "--length", "12"]


def test_cli_trains_the_adding_task_as_regression(tmp_path):
    fixed = ["--training", "reservoir", "--n-reservoirs", "4"]  # the fixed generated set
    result = run_frnn("train", *SMALL_ADDING, *fixed, "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["rmse", "mae", "r2"]  # --task inferred from the set
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert set(metrics["test"]) >= {"rmse", "mae", "r2", "loss", "n"} and metrics["epochs"] is None
    assert json.loads((tmp_path / "r" / "config.json").read_text())["task"] == "regression"
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", frnn.LengthWarning)
        evaluated = run_frnn(
            "evaluate", "--model", "r", "--dataset", "adding", "--json", cwd=tmp_path
        )
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stderr.startswith(  # the set's own length, 50, against 12 trained
        "frnn evaluate: warning: 1000 of 1000 series of data set adding are longer than 1.5 "
        "times the longest training series (12 steps)"
    ), evaluated.stderr
    assert set(json.loads(evaluated.stdout)) >= {"rmse", "mae", "r2"}


def test_cli_regression_on_a_csv_file_with_bptt_and_predict(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 9))
    y = X.sum(axis=1) * 0.5 + 3.0  # real-valued targets, the label column of the CSV
    with open(tmp_path / "train.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(np.column_stack([y, X]).tolist())
    args = ["--train", "train.csv", "--training", "bptt", "--epochs", "3", "--n-ensemble", "1"]
    no_task = run_frnn("train", "--train", "train.csv", "--out", "r", cwd=tmp_path)
    assert no_task.returncode == 2 and "pass --task regression" in no_task.stderr
    assert not (tmp_path / "r").exists()  # no run directory left behind
    result = run_frnn("train", *args, "--task", "regression", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r" / "history.csv").exists()
    auto = run_frnn("predict", "--model", "r", "--data", "train.csv", cwd=tmp_path)
    assert auto.returncode == 2 and "pass --label first" in auto.stderr  # never guessed
    run_frnn(
        "predict",
        "--model",
        "r",
        "--data",
        "train.csv",
        "--label",
        "first",
        "--out",
        "p.csv",
        cwd=tmp_path,
    )
    rows = list(csv.reader((tmp_path / "p.csv").read_text().splitlines()))
    assert rows[0] == ["row", "prediction"] and len(rows) == 41
    model = frnn.load(tmp_path / "r" / "model.npz")
    expected = model.predict(X)
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]], expected, rtol=1e-7)


def test_every_regressor_parameter_is_an_option():
    from frnn.cli.main import build_parser
    from frnn.cli.options import estimator_defaults

    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    options = {action.dest for action in train._actions}
    assert set(estimator_defaults("regression")) <= options
    assert {"task", "training", "n_reservoirs", "aux_weight"} <= options
