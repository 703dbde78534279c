"""Model files of format version 3 (written by frnn at ea6c633, before the compiled float32
reservoirs: tests/data/*_v3.npz) load and predict bit for bit what they predicted then
(tests/data/v3_expected.npz): their reservoirs read as float64 states through the plain
path, a Gaussian R, no level-reading reservoirs (frnn.reservoir.persist.LEGACY).  Saved
again (as version 4, recording those values), they load and predict the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import frnn
from frnn.data.series import Series
from frnn.reservoir.persist import LEGACY

DATA = Path(__file__).parent / "data"
CASES = {
    "reservoir_classifier_v3": ("rc", ("decision_function", "predict_proba", "predict")),
    "reservoir_regressor_v3": ("rr", ("predict",)),
}
SHORT = {"decision_function": "decision", "predict_proba": "proba", "predict": "predict"}


@pytest.fixture(scope="module")
def expected():
    with np.load(DATA / "v3_expected.npz") as archive:
        return {name: archive[name] for name in archive.files}


def _check(model, expected, prefix, methods):
    X = expected[f"{prefix}_X"]
    if f"{prefix}_lengths" in expected:
        X = Series(X, np.zeros(len(X)), expected[f"{prefix}_lengths"])
    for method in methods:
        got = np.asarray(getattr(model, method)(X))
        want = expected[f"{prefix}_{SHORT[method]}"]
        assert got.dtype == want.dtype and got.shape == want.shape, method
        assert got.tobytes() == want.tobytes(), method  # bit for bit


@pytest.mark.parametrize("name", CASES)
def test_version_3_files_load_and_predict_bit_for_bit(expected, name):
    model = frnn.load(DATA / f"{name}.npz")
    features = model.reservoir_.features_
    assert {key: getattr(features, key) for key in LEGACY} == LEGACY
    _check(model, expected, *CASES[name])


@pytest.mark.parametrize("name", CASES)
def test_version_3_files_saved_again_predict_the_same(expected, name, tmp_path):
    frnn.save(frnn.load(DATA / f"{name}.npz"), tmp_path / "again.npz")
    with np.load(tmp_path / "again.npz") as archive:
        meta = json.loads(archive["__meta__"].tobytes())
    assert meta["version"] == frnn.io.FORMAT_VERSION
    assert {key: meta["reservoir"]["features"][key] for key in LEGACY} == LEGACY
    _check(frnn.load(tmp_path / "again.npz"), expected, *CASES[name])
