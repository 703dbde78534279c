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
