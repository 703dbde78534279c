"""The guide for users of aeon, sktime, PyTorch and Keras (docs/from-other-libraries.md):
every frnn snippet on it is a doctest, run here and checked against what it prints."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "from-other-libraries.md"


@pytest.mark.slow
def test_the_guides_frnn_snippets_run_and_print_what_it_says():
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(GUIDE), module_relative=False, optionflags=flags, report=True)
    assert result.failed == 0
    assert result.attempted >= 30  # the snippets were found: none is skipped silently
