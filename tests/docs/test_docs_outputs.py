"""The outputs the README and the documentation pages show are the outputs the code prints.

Two forms are checked, wherever they appear in README.md and docs/*.md:

- a ```python block followed by a line "prints" and a fenced block (or by "prints `…`" on
  one line): the block runs alone in a fresh interpreter and its standard output must be
  the shown text, exactly;
- a fenced block right after the comment ``<!-- output of: COMMAND -->``: COMMAND (an
  ``frnn`` command line) runs, and every shown line must appear in its output, in order:
  its words exactly, its decimals to within 5% or 0.02 (a training run's last digits
  follow the CPU's and BLAS's rounding: another machine prints 0.641221 for 0.643414),
  and a shown decimal below 0.02 to within half of itself or two units of its last digit
  (a loss of 0.002293 shown where 0.000540 is printed passed the 0.02 and went stale).
  Timings and run folders are masked on both sides; a shown line "..." stands for lines
  left out, "$ …" for the command typed, and a progress bar for what went to stderr.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\s*$")
_COMMAND = re.compile(r"^<!-- output of: (frnn [^>]*?) -->\s*$")
_PRINTS_INLINE = re.compile(r"^prints `([^`]*)`")


def _blocks(lines: list[str]) -> list[tuple[int, str, str]]:
    """(line number of the opening fence, language, body) of every fenced block."""
    blocks, start, language, body = [], None, "", []
    for number, line in enumerate(lines):
        match = _FENCE.match(line)
        if start is None and match:
            start, language, body = number, match.group(1), []
        elif start is not None and line.strip() == "```":
            blocks.append((start, language, "\n".join(body)))
            start = None
        elif start is not None:
            body.append(line)
    return blocks


def _next_text(lines: list[str], after: int) -> tuple[int, str]:
    """The first non-blank line after line ``after``: (its number, its text)."""
    for number in range(after + 1, len(lines)):
        if lines[number].strip():
            return number, lines[number]
    return len(lines), ""


def _examples():
    """(page, line, code, shown output) of every python block that shows its output."""
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").split("\n")
        blocks = {start: (language, body) for start, language, body in _blocks(lines)}
        ends = {}
        for start in blocks:
            ends[start] = next(n for n in range(start + 1, len(lines)) if lines[n].strip() == "```")
        for start, (language, code) in blocks.items():
            if language != "python":
                continue
            number, text = _next_text(lines, ends[start])
            inline = _PRINTS_INLINE.match(text)
            if inline:
                found.append((page, start + 1, code, inline.group(1)))
            elif text.strip() == "prints":
                shown_start, _ = _next_text(lines, number)
                assert shown_start in blocks, f"{page.name}:{number + 1}: 'prints' and no block"
                found.append((page, start + 1, code, blocks[shown_start][1]))
    return found


def _commands():
    """(page, line, command, shown output) of every block marked as a command's output."""
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").split("\n")
        blocks = {start: body for start, _, body in _blocks(lines)}
        for number, line in enumerate(lines):
            match = _COMMAND.match(line)
            if match:
                shown_start, _ = _next_text(lines, number)
                assert shown_start in blocks, f"{page.name}:{number + 1}: a marker and no block"
                found.append((page, number + 1, match.group(1), blocks[shown_start]))
    return found


def _environment() -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}


EXAMPLES = _examples()
COMMANDS = _commands()


def test_the_pages_show_outputs_that_are_checked():
    pages = {page.name for page, *_ in EXAMPLES + COMMANDS}
    assert {"README.md", "getting-started.md", "derivations.md"} <= pages
    assert {command for _, _, command, _ in COMMANDS} >= {
        "frnn train",
        "frnn train --training bptt",
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "page, line, code, shown", EXAMPLES, ids=[f"{p.name}:{n}" for p, n, *_ in EXAMPLES]
)
def test_a_python_example_prints_what_the_page_shows(page, line, code, shown, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # examples may write files (frnn.save)
        env=_environment(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    printed = "\n".join(line.rstrip() for line in result.stdout.rstrip("\n").split("\n"))
    expected = "\n".join(line.rstrip() for line in shown.rstrip("\n").split("\n"))
    assert printed == expected, (
        f"{page.name}:{line} shows\n{expected}\nbut the code prints\n{printed}"
    )


def _masked(line: str) -> str:
    """A line with its timings and run folder replaced by placeholders."""
    line = re.sub(r"(runs/|/)\S*\d{8}-\d{6}\S*|saved in \S+", "saved in <run>", line)
    line = re.sub(r"\d+(\.\d+)? s\b", "<t> s", line)  # "fit in 1.6 s"
    if re.match(r"^(train|test|validation)\s+\d", line):  # a results row: seconds last
        line = re.sub(r"\s+\d+\.\d+$", " <t>", line)
    return re.sub(r"\s+", " ", line).strip()


def _shown_lines(shown: str) -> list[str]:
    keep = []
    for line in shown.split("\n"):
        text = line.strip()
        if not text or text == "..." or text.startswith("$ ") or re.search(r"\d+%\|", text):
            continue  # omitted lines, the command typed, a progress bar (stderr)
        keep.append(_masked(line))
    return keep


@pytest.fixture(scope="module")
def run_command(tmp_path_factory):
    """Run an frnn command line once per module (two pages show `frnn train`)."""
    outputs = {}

    def run(command: str) -> list[str]:
        if command not in outputs:
            folder = tmp_path_factory.mktemp("command")
            result = subprocess.run(
                [sys.executable, "-m", "frnn", *command.split()[1:], "--out", str(folder / "run")],
                capture_output=True,
                text=True,
                cwd=folder,
                env=_environment(),
                timeout=600,
            )
            assert result.returncode == 0, result.stderr[-3000:]
            outputs[command] = [_masked(line) for line in result.stdout.split("\n") if line.strip()]
        return outputs[command]

    return run


def _close(printed: str, shown: str) -> bool:
    """A printed decimal within 5% or 0.02 of the shown one; within half of it (or two units
    of its last digit) where it is below 0.02, which 0.02 would not hold at all."""
    a, b = float(printed), float(shown)
    if abs(b) >= 0.02:
        return abs(a - b) <= max(0.05 * abs(b), 0.02)
    unit = 10.0 ** -len(shown.split(".")[1])
    return abs(a - b) <= max(0.5 * abs(b), 2 * unit)


def _same_line(printed: str, shown: str) -> bool:
    """The same words and integers, and decimals close to the shown ones (:func:`_close`)."""
    got, want = printed.split(" "), shown.split(" ")
    if len(got) != len(want):
        return False
    for a, b in zip(got, want, strict=True):
        if a == b:
            continue
        if not (re.fullmatch(r"-?\d+\.\d+", a) and re.fullmatch(r"-?\d+\.\d+", b)):
            return False
        if not _close(a, b):
            return False
    return True


def test_same_line_allows_rounding_not_other_words_or_counts():
    assert _same_line("300 0.000080 1.000 0.641221 0.940", "300 0.000079 1.000 0.643414 0.940")
    assert not _same_line("290 0.000080 1.000 0.641221 0.940", "300 0.000079 1.000 0.643414 0.940")
    assert not _same_line("test 0.700 0.641221", "test 0.940 0.641221")
    assert not _same_line("48 reservoirs", "24 reservoirs")
    assert not _same_line("train 1.000", "train 1.000 50")
    assert not _same_line("test 1.000 0.000540", "test 1.000 0.002293")  # stale, 4x
    assert _same_line("test 1.000 0.000560", "test 1.000 0.000540")
    assert _same_line("train 1.000 0.000001", "train 1.000 0.000000")  # the last digit's round-off
    assert not _same_line("train 1.000 0.000009", "train 1.000 0.000000")


@pytest.mark.slow
@pytest.mark.parametrize(
    "page, line, command, shown", COMMANDS, ids=[f"{p.name}:{n}" for p, n, *_ in COMMANDS]
)
def test_a_command_prints_what_the_page_shows(page, line, command, shown, run_command):
    printed = run_command(command)
    position = 0
    for wanted in _shown_lines(shown):
        while position < len(printed) and not _same_line(printed[position], wanted):
            position += 1
        assert position < len(printed), (
            f"{page.name}:{line}: the shown line\n  {wanted}\nis not in what `{command}` "
            f"prints (in order):\n" + "\n".join(printed)
        )
        position += 1
