"""A table a page copies from a benchmark's results file (marked by the comment
``<!-- the table: benchmarks/results/NAME.md -->`` above it) holds the file's numbers: the
same rows, cells and order, the page's emphasis (``**…**``, backticks) aside and the
file's columns the page leaves out (its seconds) ignored. A re-run of the benchmark that
moves a number shows here, not in a reader's run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_MARK = re.compile(r"^<!-- the table: (benchmarks/results/\S+\.md) -->\s*$")


def _table(lines: list[str], start: int = 0) -> list[list[str]]:
    """The first Markdown table at or after line ``start``: its rows' cells, the header's
    included and the rule ``| --- |`` left out, emphasis and backticks removed."""
    rows, inside = [], False
    for line in lines[start:]:
        if line.startswith("|"):
            inside = True
            cells = [re.sub(r"\*\*|`", "", c).strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
        elif inside:
            break
    return rows


def _copies():
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines):
            match = _MARK.match(line)
            if match:
                found.append((page, number + 1, match.group(1), _table(lines, number + 1)))
    return found


COPIES = _copies()


def test_the_forecasting_table_is_marked():
    assert any(source == "benchmarks/results/forecasting.md" for _, _, source, _ in COPIES)


@pytest.mark.parametrize(
    "page, line, source, shown", COPIES, ids=[f"{p.name}:{n}" for p, n, *_ in COPIES]
)
def test_a_copied_table_holds_the_results_files_numbers(page, line, source, shown):
    results = _table((ROOT / source).read_text(encoding="utf-8").split("\n"))
    assert shown and results, f"{page.name}:{line}: no table on the page or in {source}"
    header = results[0]
    kept = [header.index(name) for name in shown[0]]  # a column the page names, not in
    # the file, is a ValueError here: the page shows something the file does not hold
    assert [[row[i] for i in kept] for row in results] == shown, (
        f"{page.name}:{line}: the table differs from {source}'s"
    )


def test_a_changed_number_is_found(tmp_path):
    lines = ["| a | MAE | s |", "| --- | ---: | ---: |", "| x | **0.25** | 3 |", ""]
    page = ["| a | MAE |", "| --- | --- |", "| x | 0.26 |"]
    assert _table(lines) == [["a", "MAE", "s"], ["x", "0.25", "3"]]
    results, shown = _table(lines), _table(page)
    kept = [results[0].index(name) for name in shown[0]]
    assert [[row[i] for i in kept] for row in results] != shown
