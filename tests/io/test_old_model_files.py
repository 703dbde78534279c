"""Model files of earlier format versions load and predict what they predicted when written
(labels exactly; values to round-off, 1e-12 relative: the engine's compiled loops may round
differently from the frnn that wrote the file — a vectorised tanh, fused multiply-adds — but
compute the same function of the file's weights): version 1 (before the biases:
tests/fixtures/*_v1.npz), version 2 (written by frnn at f4d5f8e, before the one estimator
core: tests/fixtures/*_v2.npz, saved again they load and predict the same), and a BPTT
classifier written before the reservoir default
(tests/estimators/test_classifier_default.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import frnn
from helpers import check_saved_outputs

DATA = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def expected():
    with np.load(DATA / "v2_expected.npz") as archive:
        return {name: archive[name] for name in archive.files}


CASES = {
    "reservoir_classifier_v2": ("rc", ("decision_function", "predict_proba", "predict")),
    "reservoir_binary_v2": ("rb", ("decision_function", "predict_proba", "predict")),
    "reservoir_regressor_v2": ("rr", ("predict",)),
    "bptt_regressor_v2": ("br", ("predict",)),
    "bptt_multilabel_v2": ("bm", ("decision_function", "predict_proba", "predict")),
}


@pytest.mark.parametrize("name", CASES)
def test_version_2_files_load_and_predict_as_written(expected, name):
    prefix, methods = CASES[name]
    check_saved_outputs(frnn.load(DATA / f"{name}.npz"), expected, prefix, methods)


@pytest.mark.parametrize("name", CASES)
def test_version_2_files_saved_again_predict_the_same(expected, name, tmp_path):
    prefix, methods = CASES[name]
    frnn.save(frnn.load(DATA / f"{name}.npz"), tmp_path / "again.npz")
    check_saved_outputs(frnn.load(tmp_path / "again.npz"), expected, prefix, methods)


def _v1_expected() -> dict:
    """What frnn computed from network_v1.npz and classifier_v1.npz when it wrote them
    (before the biases, format version 1): tests/fixtures/v1_expected.npz."""
    with np.load(DATA / "v1_expected.npz") as archive:
        return {name: archive[name] for name in archive.files}


def test_network_files_of_format_version_1_load_and_predict_identically():
    expected = _v1_expected()
    net = frnn.load(DATA / "network_v1.npz")
    assert isinstance(net, frnn.FullyRecurrentNetwork) and net.b is None
    net.forward(expected["x"], None, lengths=expected["lengths"])
    np.testing.assert_allclose(net.z, expected["z"], rtol=1e-12, atol=1e-300)


def test_classifier_files_of_format_version_1_load_and_predict_identically():
    expected = _v1_expected()
    clf = frnn.load(DATA / "classifier_v1.npz")
    assert all(getattr(n, "b", None) is None for n in clf.networks_)
    assert clf.bias is False  # a version-1 classifier had no biases, whatever the default
    np.testing.assert_array_equal(clf.predict_proba(expected["X"]), expected["proba"])


@pytest.mark.parametrize("name", ["bptt_regressor_v2", "bptt_multilabel_v2"])
def test_files_before_the_memory_recipe_take_the_old_defaults(name):
    # Written before init, warmup and steps existed: loaded, they hold the values fit had
    # then (torch's ±1/√I draw, no warm-up, a budget of epochs), so a refit repeats theirs.
    model = frnn.load(DATA / f"{name}.npz")
    assert model.init == ("torch" if model.init_scale is None else "uniform")
    assert model.warmup == 0.0 and isinstance(model.epochs, int)
    assert model.activation == "tanh" and isinstance(model.hidden_size, int)


V7 = {"reservoir_classifier_v7": ("rc", ("decision_function", "predict_proba", "predict")),
      "bptt_regressor_v7": ("br", ("predict",))}  # fmt: skip


@pytest.mark.parametrize("name", V7)
def test_version_7_files_load_without_lengths_and_cannot_warn(name, tmp_path):
    """Written by frnn at 9dd3941 (format version 7, before the training lengths):
    ``RNNClassifier(n_reservoirs=2, hidden_size=4, random_state=0)`` fitted on 12 series of
    20 steps, ``RNNRegressor(training="bptt", hidden_size=3, n_ensemble=1, steps=20,
    batch_size=5, random_state=0)`` on 10 series of 16 steps; tests/fixtures/v7_expected.npz
    holds their outputs on series of 6 and 4 steps.  They load without ``min_length_``, so
    those short series draw no LengthWarning (the suite makes any warning an error), and
    predict as they did; saved again, the file still has no lengths and loads."""
    with np.load(DATA / "v7_expected.npz") as archive:
        expected = {key: archive[key] for key in archive.files}
    prefix, methods = V7[name]
    model = frnn.load(DATA / f"{name}.npz")
    assert not hasattr(model, "min_length_") and not hasattr(model, "max_length_")
    check_saved_outputs(model, expected, prefix, methods)
    frnn.save(model, tmp_path / "again.npz")
    again = frnn.load(tmp_path / "again.npz")
    assert not hasattr(again, "min_length_")
    check_saved_outputs(again, expected, prefix, methods)


# The regressor's reservoirs as files saved before each change of them record them:
# (normalise, level_fraction, dtype).
EARLIER_REGRESSORS = {
    "reservoir_regressor_v8": (False, 0.0, "float64"),  # before the level reservoirs
    "reservoir_regressor_v8_level": (True, 0.5, "float64"),  # before float32 states
}


@pytest.mark.parametrize("name", EARLIER_REGRESSORS)
def test_a_regressor_saved_before_its_reservoirs_changed_loads_and_predicts_as_written(
    tmp_path, name
):
    """Written by frnn (format version 8) at 00240b0, when every reservoir of a regressor
    read the series standardised as a whole (reservoir_regressor_v8), and at 7d98b93, with
    the level reservoirs and float64 states (reservoir_regressor_v8_level):
    ``RNNRegressor(n_reservoirs=2, hidden_size=4, random_state=0)`` fitted on 12
    adding-problem series of 10 steps; tests/fixtures/v8_expected.npz and
    v8_level_expected.npz hold their predictions on 3 more.  Each loads with its
    reservoirs and predicts as it did, saved again too; a refit draws today's."""
    with np.load(DATA / f"{name.replace('reservoir_regressor_', '')}_expected.npz") as archive:
        expected = {key: archive[key] for key in archive.files}
    model = frnn.load(DATA / f"{name}.npz")
    features = model.reservoir_.features_
    recorded = (features.normalise, features.level_fraction, features.dtype)
    assert recorded == EARLIER_REGRESSORS[name]
    check_saved_outputs(model, expected, "rr", ("predict",))
    frnn.save(model, tmp_path / "again.npz")
    check_saved_outputs(frnn.load(tmp_path / "again.npz"), expected, "rr", ("predict",))
    X = expected["rr_X"]
    refit = model.fit(np.concatenate([X] * 4), np.arange(12.0)).reservoir_.features_
    assert (refit.normalise, refit.level_fraction, refit.dtype) == (True, 0.5, "float32")


def _with_meta(source: Path, target: Path, change) -> None:
    """``source``'s arrays and metadata, the metadata changed by ``change(meta)``."""
    import json

    with np.load(source) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays["__meta__"].tobytes())
    change(meta)
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(target, **arrays)


def test_a_regressor_file_before_n_jobs_loads_with_none_and_a_new_one_must_hold_it(tmp_path):
    """Version 9 added the regressor's n_jobs: a version-8 file has none and loads with
    None (saved again, it records it); a version-9 file without it is one save never
    writes, refused as the strict reader refuses a parameter left out."""
    old = frnn.load(DATA / "reservoir_regressor_v8.npz")
    assert old.n_jobs is None
    frnn.save(old, tmp_path / "again.npz")
    X = np.random.default_rng(0).standard_normal((3, old.max_length_, old.n_features_in_))
    np.testing.assert_array_equal(frnn.load(tmp_path / "again.npz").predict(X), old.predict(X))

    def drop(meta):
        del meta["params"]["n_jobs"]

    _with_meta(tmp_path / "again.npz", tmp_path / "dropped.npz", drop)
    with pytest.raises(ValueError, match=r"damaged frnn model file: .*\['params'\]"):
        frnn.load(tmp_path / "dropped.npz")
