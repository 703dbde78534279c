"""docs/contract.md names every public name of ``frnn`` (its ``__all__``): what other code
may rely on is written down, and a new name comes with its row."""

from __future__ import annotations

import re
from pathlib import Path

import frnn

CONTRACT = (Path(__file__).resolve().parents[2] / "docs" / "contract.md").read_text("utf-8")


def test_every_root_name_is_in_the_contract():
    written = set(re.findall(r"`frnn\.(\w+)", CONTRACT))
    assert not sorted(set(frnn.__all__) - written), "names of frnn.__all__ not in the contract"


def test_names_whose_home_was_the_readout_module_are_still_imported_from_it():
    """``frnn.reservoir.readout`` was their home (the contract names
    ``frnn.reservoir.readout.STATISTICS_WEIGHTS``): imports users may have keep working,
    and give the one object of the name's home now."""
    from frnn.data import inputs
    from frnn.reservoir import calibration, readout, sums, weights

    homes = {
        weights: ["STATISTICS_WEIGHTS", "check_weights", "class_weights"],
        sums: ["feature_scaling"],
        inputs: ["as_series"],
        calibration: ["TEMPERATURES", "best_temperature", "softmax", "softmax_temperature"],
    }
    for home, names in homes.items():
        for name in names:
            assert getattr(readout, name) is getattr(home, name), name
