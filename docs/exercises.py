"""Write the student versions of the notebooks: every solution removed, every check kept.

    make exercises                                       # = the line below
    python3 docs/exercises.py docs/notebooks --out exercises

The notebooks under docs/notebooks hold each exercise three times: the question, a solution
between two marker lines, and a check cell that runs the answer.  In a code cell ::

    def init(model, D, I, K, rng):
        ### BEGIN SOLUTION
        ...the solution...
        ### END SOLUTION

and in a Markdown cell (a proof, an explanation) the same lines written ``**BEGIN SOLUTION**``
and ``**END SOLUTION**``.  A check cell is a code cell whose first line starts with
``# Check``; it says in a sentence what it checks and fails (AssertionError) on a wrong or a
missing answer.

The student version replaces each region by ``# YOUR CODE HERE`` and ``...`` at the region's
indentation (so ``def init(...):`` becomes a function that returns None, and the check after
it fails), or by *Your answer here.* in Markdown, and clears every output (a figure or a
printed number can give a solution away); the folder ``data/`` beside the notebooks is copied
with them.  Standard library only, so it runs before any
virtual environment exists.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import sys
from pathlib import Path

# A marker line: optional indentation, then "### BEGIN SOLUTION" (code) or
# "**BEGIN SOLUTION**" (Markdown); the same for END.
_MARKER = re.compile(r"^(?P<indent>\s*)(?:###|\*\*)\s*(?P<what>BEGIN|END) SOLUTION\s*(?:\*\*)?\s*$")
CHECK_PREFIX = "# Check"
CODE_STUB = "# YOUR CODE HERE\n..."
MARKDOWN_STUB = "*Your answer here.*"


class ExerciseError(ValueError):
    """A notebook whose solution markers or checks do not follow the rules above."""


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def solution_regions(text: str, where: str) -> list[tuple[int, int, str]]:
    """The (first, last, indentation) line numbers of each marked region, markers included."""
    regions, start = [], None
    for number, line in enumerate(text.split("\n")):
        match = _MARKER.match(line)
        if not match:
            continue
        if match["what"] == "BEGIN":
            if start is not None:
                raise ExerciseError(f"{where}: BEGIN SOLUTION inside a solution (line {number})")
            start, indent = number, match["indent"]
        else:
            if start is None:
                raise ExerciseError(f"{where}: END SOLUTION without BEGIN (line {number})")
            regions.append((start, number, indent))
            start = None
    if start is not None:
        raise ExerciseError(f"{where}: BEGIN SOLUTION never ended (line {start})")
    return regions


def strip_solutions(text: str, markdown: bool, where: str) -> tuple[str, list[str]]:
    """The text with each region replaced by its stub, and the removed solution lines."""
    lines = text.split("\n")
    removed = []
    for first, last, indent in reversed(solution_regions(text, where)):
        removed = lines[first + 1 : last] + removed
        stub = MARKDOWN_STUB if markdown else CODE_STUB
        lines[first : last + 1] = [indent + line for line in stub.split("\n")]
    return "\n".join(lines), removed


def is_check(cell: dict) -> bool:
    return cell["cell_type"] == "code" and _source(cell).lstrip().startswith(CHECK_PREFIX)


def student_version(notebook: dict, where: str) -> tuple[dict, list[str]]:
    """A copy of the notebook with the solutions removed and no outputs; and what was removed.

    Raises ExerciseError when the notebook poses no exercise, or no check cell follows its
    first solution (a student version would then not tell a wrong answer from a right one).
    """
    student = copy.deepcopy(notebook)
    removed, first_solution, first_check = [], None, None
    for index, cell in enumerate(student["cells"]):
        text = _source(cell)
        markdown = cell["cell_type"] == "markdown"
        stripped, lines = strip_solutions(text, markdown, f"{where} cell {index}")
        if lines or stripped != text:
            first_solution = index if first_solution is None else first_solution
            if is_check(cell):
                raise ExerciseError(f"{where} cell {index}: a check cell holds a solution")
        if is_check(cell) and first_check is None and first_solution is not None:
            first_check = index
        removed += lines
        cell["source"] = stripped
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell.get("metadata", {}).pop("execution", None)
    if first_solution is None:
        raise ExerciseError(f"{where}: no solution region (### BEGIN SOLUTION ... END)")
    if first_check is None:
        raise ExerciseError(f"{where}: no check cell (# Check ...) after the first solution")
    student.setdefault("metadata", {})["frnn_exercise"] = {
        "generated_by": "docs/exercises.py",
        "from": where,
        "first_check_cell": first_check,
    }
    return student, removed


def write_exercises(folder: Path, out: Path) -> list[Path]:
    """Write the student version of every notebook in ``folder`` into ``out``, and copy the
    data the notebooks read (``folder/data``) beside them."""
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise ExerciseError(f"no notebooks in {folder}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        student, _ = student_version(notebook, str(path))
        target = out / path.name
        temporary = target.with_suffix(".ipynb.tmp")
        temporary.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", "utf-8")
        temporary.replace(target)  # never a half-written notebook
        written.append(target)
    if (folder / "data").is_dir():
        shutil.copytree(folder / "data", out / "data", dirs_exist_ok=True)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the notebooks with their solutions")
    parser.add_argument("--out", type=Path, default=Path("exercises"), help="where to write")
    args = parser.parse_args(argv)
    try:
        written = write_exercises(args.folder, args.out)
    except (ExerciseError, OSError, json.JSONDecodeError) as error:
        print(f"exercises: {error}", file=sys.stderr)
        return 1
    print(f"{len(written)} student notebooks written to {args.out}/, solutions removed:")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
