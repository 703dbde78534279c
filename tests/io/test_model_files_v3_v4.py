"""Reservoir model files of format versions 3 and 4, written before the reservoirs recorded
their states' dtype, how R was drawn and the share that reads the level (version 5), load
and predict what they predicted when written (labels exactly; values to 1e-12 relative, as
tests/io/test_old_model_files.py holds them: the engine's compiled loops may round
differently).  Version 3: written by frnn at ea6c633 (tests/fixtures/*_v3.npz); version 4:
by frnn at 70e87e8 (main, with data_format; tests/fixtures/*_v4.npz).  Their reservoirs
read as float64 states through the plain path, a Gaussian R, no level-reading reservoirs
(``frnn.reservoir.persist.LEGACY``); saved again (as version 5, recording those values),
they load and predict the same; an old file that records any of them is refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import frnn
from frnn.reservoir.persist import LEGACY
from helpers import check_saved_outputs

DATA = Path(__file__).parents[1] / "fixtures"
METHODS = {
    "reservoir_classifier": ("rc", ("decision_function", "predict_proba", "predict")),
    "reservoir_regressor": ("rr", ("predict",)),
}
CASES = [(kind, version) for version in (3, 4) for kind in METHODS]


def _expected(version: int) -> dict:
    with np.load(DATA / f"v{version}_expected.npz") as archive:
        return {name: archive[name] for name in archive.files}


def _meta(path) -> dict:
    with np.load(path) as archive:
        return json.loads(archive["__meta__"].tobytes())


@pytest.mark.parametrize(("kind", "version"), CASES)
def test_old_reservoir_files_load_and_predict_as_written(kind, version):
    path = DATA / f"{kind}_v{version}.npz"
    assert _meta(path)["version"] == version
    model = frnn.load(path)
    features = model.reservoir_.features_
    assert {key: getattr(features, key) for key in LEGACY} == LEGACY
    check_saved_outputs(model, _expected(version), *METHODS[kind])


@pytest.mark.parametrize(("kind", "version"), CASES)
def test_old_reservoir_files_saved_again_predict_the_same(kind, version, tmp_path):
    frnn.save(frnn.load(DATA / f"{kind}_v{version}.npz"), tmp_path / "again.npz")
    meta = _meta(tmp_path / "again.npz")
    assert meta["version"] == frnn.io.FORMAT_VERSION == 9
    assert {key: meta["reservoir"]["features"][key] for key in LEGACY} == LEGACY
    check_saved_outputs(frnn.load(tmp_path / "again.npz"), _expected(version), *METHODS[kind])


def _rewrite(source, target, change) -> None:
    """``source`` with its metadata changed by ``change(meta)``: every array as it was."""
    with np.load(source) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop("__meta__").tobytes())
    change(meta)
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(target, **arrays)
    assert zipfile.is_zipfile(target)


@pytest.mark.parametrize("name", list(LEGACY))
@pytest.mark.parametrize("version", [3, 4])
def test_an_old_file_that_records_a_new_parameter_is_refused(name, version, tmp_path):
    def record(meta):
        meta["reservoir"]["features"][name] = LEGACY[name]

    _rewrite(DATA / f"reservoir_classifier_v{version}.npz", tmp_path / "f.npz", record)
    with pytest.raises(ValueError, match="version 4 or before records none of"):
        frnn.load(tmp_path / "f.npz")


def test_a_version_5_file_must_record_them(tmp_path):
    frnn.save(frnn.load(DATA / "reservoir_classifier_v4.npz"), tmp_path / "again.npz")

    def forget(meta):
        del meta["reservoir"]["features"]["dtype"]

    _rewrite(tmp_path / "again.npz", tmp_path / "f.npz", forget)
    with pytest.raises(ValueError, match="features must hold exactly"):
        frnn.load(tmp_path / "f.npz")


def test_an_old_file_read_as_version_5_is_refused(tmp_path):
    """Its missing parameters are not filled in for a file that says it is version 5."""

    def newer(meta):
        meta["version"] = 5

    _rewrite(DATA / "reservoir_classifier_v4.npz", tmp_path / "f.npz", newer)
    with pytest.raises(ValueError, match="features must hold exactly"):
        frnn.load(tmp_path / "f.npz")


def _fitted_file(tmp_path) -> tuple[dict, dict]:
    """A version-5 classifier of four reservoirs, two of them reading the level."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 10, 2)), np.arange(12) % 2
    frnn.save(frnn.RNNClassifier(n_reservoirs=4, hidden_size=3, random_state=0).fit(X, y),
              tmp_path / "v5.npz")  # fmt: skip
    with np.load(tmp_path / "v5.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    return arrays, json.loads(arrays.pop("__meta__").tobytes())


NEITHER = {  # reservoirs neither today's estimator nor one of before version 5 draws
    "dtype alone as before": ("dtype", "float64"),
    "R's kind alone as before": ("recurrence", "gaussian"),
    "no level reservoirs, today's rest": ("level_fraction", 0.0),
    "statistics of neither": ("statistics", ["mean"]),
    "another share of level reservoirs": ("level_fraction", 0.25),
}


@pytest.mark.parametrize("case", NEITHER)
def test_reservoirs_of_neither_kind_are_refused(tmp_path, case):
    arrays, meta = _fitted_file(tmp_path)
    assert [w[3] for w in meta["reservoir"]["windows"]] == ["x", "x", "level", "level"]
    name, value = NEITHER[case]
    meta["reservoir"]["features"][name] = value
    with pytest.raises(ValueError, match="damaged"):
        frnn.load(_save(tmp_path / "f.npz", arrays, meta))


@pytest.mark.parametrize(("r", "channel"), [(0, "level"), (3, "x"), (2, "diff")])
def test_a_level_reservoir_out_of_turn_is_refused(tmp_path, r, channel):
    arrays, meta = _fitted_file(tmp_path)
    meta["reservoir"]["windows"][r][3] = channel
    with pytest.raises(ValueError, match="out of turn"):
        frnn.load(_save(tmp_path / "f.npz", arrays, meta))


@pytest.mark.parametrize("value", [0.0, -1.0, np.nan])
def test_the_level_standardisation_is_held_to_its_rule(tmp_path, value):
    arrays, meta = _fitted_file(tmp_path)
    frnn.load(_save(tmp_path / "f.npz", arrays, meta))  # as written: loads
    arrays["features/level_std"] = np.array([1.0, value])
    with pytest.raises(ValueError, match="level_std"):
        frnn.load(_save(tmp_path / "f.npz", arrays, meta))
    del arrays["features/level_std"]
    with pytest.raises(ValueError, match="level_std is missing"):
        frnn.load(_save(tmp_path / "f.npz", arrays, meta))


def _save(path, arrays, meta):
    blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, __meta__=blob, **arrays)
    return path
