"""The sizes the practitioner's page states for the default classifier's read-out (its
memory arithmetic for dask and ``partial_fit``) are those of the classifier as it is: p
from its own defaults, and the p × p sums' bytes from p."""

from __future__ import annotations

import re
from pathlib import Path

import frnn
from frnn.estimators import reservoirs
from frnn.reservoir.pooling import n_features

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "practitioners.md").read_text(encoding="utf-8")
INCREMENTAL = (ROOT / "src" / "frnn" / "estimators" / "incremental.py").read_text("utf-8")


def _p(**params) -> int:
    drawn = reservoirs.features(frnn.RNNClassifier(**params))
    return drawn.n_reservoirs * n_features(drawn.units, drawn.n_thresholds, drawn.statistics)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_default_p_and_its_sums_are_stated_as_they_are():
    p = _p()
    stated = re.search(
        r"p = (\d+) reservoirs × (\d+) units × (\d+) statistics[^=]*= ([\d,]+)", PAGE
    )
    assert stated, "the memory arithmetic's p is not on the page"
    reservoirs_, units, per_unit, total = (_number(g) for g in stated.groups())
    assert reservoirs_ * units * per_unit == total == p
    sums_mb = round(8 * p**2 / 1e6)  # one float64 p × p matrix
    assert f"8·p² = {sums_mb} MB" in PAGE
    assert f"({sums_mb} MB at the default p)" in PAGE
    assert f"{sums_mb} MB at the default p = {p:,}" in INCREMENTAL
    assert f"8·n·p B = {round(8 * p / 1e3)} kB a series" in PAGE


def test_the_smaller_read_out_is_stated_as_it_is():
    p = _p(n_reservoirs=8)
    assert f"(8 reservoirs: p = {p:,}, {round(8 * p**2 / 1e6)} MB a sums matrix)" in PAGE
