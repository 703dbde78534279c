"""The exercises of the notebooks: docs/exercises.py writes student versions (make exercises)
with every solution removed; each, run as handed out, fails at its first check; and each
check fails on a planted wrong answer, so that a check is known to tell wrong from right.

The notebooks run in a Jupyter kernel (nbclient), cell by cell, as a student runs them.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("exercises", ROOT / "docs" / "exercises.py")
exercises = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(exercises)


@pytest.fixture
def kernel_env(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # two cores are shared: no BLAS threads
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's own paths, no warning


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _client(notebook, folder: Path) -> NotebookClient:
    return NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )


# -- the generator's rules ----------------------------------------------------------------
def test_a_code_region_becomes_a_stub_at_its_indentation():
    text = "def f(x):\n    ### BEGIN SOLUTION\n    y = x + 1\n    return y\n    ### END SOLUTION\n"
    stripped, removed = exercises.strip_solutions(text, markdown=False, where="t")
    assert stripped == "def f(x):\n    # YOUR CODE HERE\n    ...\n"
    assert removed == ["    y = x + 1", "    return y"]
    namespace = {}
    exec(stripped, namespace)  # the stub is valid Python: a function that returns None
    assert namespace["f"](1) is None


def test_a_markdown_region_becomes_your_answer_here():
    text = "Prove it.\n\n**BEGIN SOLUTION**\n\nBecause.\n\n**END SOLUTION**\n\nNext."
    stripped, removed = exercises.strip_solutions(text, markdown=True, where="t")
    assert stripped == "Prove it.\n\n*Your answer here.*\n\nNext."
    assert "Because." in removed


@pytest.mark.parametrize(
    "text, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "never ended"),
        ("x = 1\n### END SOLUTION\n", "without BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside a solution"),
    ],
)
def test_unbalanced_markers_are_refused(text, message):
    with pytest.raises(exercises.ExerciseError, match=message):
        exercises.strip_solutions(text, markdown=False, where="t")


def _notebook(*cells: tuple[str, str]) -> dict:
    return {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source}
            | ({"outputs": [{"output_type": "stream", "text": "x"}]} if kind == "code" else {})
            for kind, source in cells
        ],
        "metadata": {},
    }


def test_a_notebook_needs_a_solution_and_a_check_after_it():
    with pytest.raises(exercises.ExerciseError, match="no solution region"):
        exercises.student_version(_notebook(("code", "x = 1")), "t")
    solution = ("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
    with pytest.raises(exercises.ExerciseError, match="no check cell"):
        exercises.student_version(_notebook(("code", "# Check: f\nassert f()"), solution), "t")
    hidden = ("code", "# Check: f\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    with pytest.raises(exercises.ExerciseError, match="check cell holds a solution"):
        exercises.student_version(_notebook(solution, hidden), "t")
    student, _ = exercises.student_version(_notebook(solution, ("code", "# Check: f\n1")), "t")
    assert student["metadata"]["frnn_exercise"]["first_check_cell"] == 1
    assert all(cell["outputs"] == [] for cell in student["cells"])


def test_make_exercises_writes_every_notebook_and_its_data(tmp_path):
    out = tmp_path / "exercises"
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "exercises.py"), str(FOLDER), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    assert (out / "data" / "coriolanus.txt").read_bytes() == (
        FOLDER / "data" / "coriolanus.txt"
    ).read_bytes()
    bad = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "exercises.py"), str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "no notebooks in" in bad.stderr


# -- the student versions -----------------------------------------------------------------
def test_there_are_at_least_ten_notebooks():
    assert len(NOTEBOOKS) >= 10, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_names_its_requirements_in_its_first_cell(path):
    first = "".join(_read(path)["cells"][0]["source"])
    assert "pip install -e '.[notebooks]'" in first and "make notebooks" in first


_INLINE_MATH = re.compile(r"(?<!\$)\$(?!\$)([^$]*)\$")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebooks_text_holds_its_tex_whole(path):
    """No control character in a cell (a TeX command written into JSON with one backslash
    turns \\frac, \\bar, \\theta into form feed, backspace, tab), and no inline formula that
    opens or closes on white space (\\rho whose \\r became a line break: "$\\nho$")."""
    for index, cell in enumerate(_read(path)["cells"]):
        text = "".join(cell["source"])
        control = sorted({c for c in text if ord(c) < 32 and c != "\n"})
        assert not control, f"cell {index} holds control characters {control}"
        if cell["cell_type"] == "markdown":
            inline = _INLINE_MATH.findall(re.sub(r"\$\$.*?\$\$", "", text, flags=re.S))
            broken = [m for m in inline if m != m.strip()]
            assert not broken, f"cell {index}: inline formulas open or close on a space {broken}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_student_version_holds_no_solution(path):
    full = _read(path)
    student, _ = exercises.student_version(full, path.name)
    sources = [exercises._source(cell) for cell in student["cells"]]
    assert not [
        line for text in sources for line in text.split("\n") if exercises._MARKER.match(line)
    ]
    assert all(cell.get("outputs", []) == [] for cell in student["cells"])
    # every line of a solution long enough to say something is gone from its cell and from
    # every cell after it (code given before an exercise, to start from, may repeat in it)
    for index, cell in enumerate(full["cells"]):
        markdown = cell["cell_type"] == "markdown"
        _, removed = exercises.strip_solutions(exercises._source(cell), markdown, "cell")
        telling = {line.strip() for line in removed if len(re.sub(r"\s", "", line)) >= 20}
        later = {line.strip() for text in sources[index:] for line in text.split("\n")}
        assert not telling & later, f"cell {index}'s solution lines left: {sorted(telling & later)}"


# -- every check fails on a wrong answer --------------------------------------------------
# (notebook, the solution's text, a typical mistake in its place): the check after that
# solution must fail.
PLANTED = [
    ("01", "np.log1p(np.exp(-np.abs(z)))", "np.log(1 + np.exp(-np.abs(z)))"),  # loses tiny losses
    ("01", "return np.where(z >= 0, (1 - y) - tail, tail - y)", "return 1 / (1 + np.exp(-z)) - y"),
    ("02", "rng.uniform(-0.01, 0.01, size=(I, I))", "rng.normal(0, 0.01, size=(I, I))"),
    ("02", "model.a, model.z = a, z", "model.z = z"),  # the states not stored
    ("02", "z = model.V @ a[-1]", "z = a @ model.V.T"),  # every step's logits
    (
        "02",
        "float(np.sum(frnn.bce_with_logits(z, y)))",
        "float(np.sum(-y * np.log(frnn.sigmoid(z)) - (1 - y) * np.log(1 - frnn.sigmoid(z))))",
    ),  # fmt: skip
    ("03", 'f"L(z({t}), y({t}))", label="BCE"', 'f"L({t})", label="BCE"'),
    ("03", 'label=f"Rᵀ δ{v[1:]}"', 'label=""'),
    (
        "04",
        "delta = (1 - a[t] ** 2) * g",
        "delta = (1 - a[t] ** 2) * (V.T @ e if t == T else 0) + R.T @ delta_next",
    ),  # fmt: skip
    ("05", "da = R.T @ ((1 - a[t + 1] ** 2) * da)", "da = R.T @ da"),
    ("06", "state = model.a[-1]\n", "state = np.zeros_like(state)\n"),  # not carried
    ("07", "distances.argmin(axis=1)", "distances.argmax(axis=1)"),
    ("08", "g *= max_norm / (norm + 1e-6)", "g *= max_norm / norm"),
    ("08", "slope = 1 - A[t] ** 2 if", "slope = 1 - A[t] if"),
    ("09", "SLOPE[activation](a)[:, None] * R", "R * SLOPE[activation](a)[None, :]"),
    (
        "10",
        "return (y - Phi @ ridge(Phi, y, alpha)) / (1 - h)",
        "return y - Phi @ ridge(Phi, y, alpha)",
    ),  # fmt: skip
    ("10", "G = Phi.T @ Phi + alpha * np.eye", "G = Phi.T @ Phi + np.eye"),  # alpha = 1
    ("11", "z = (V @ a + c) / temperature", "z = V @ a + c"),
    ("11", "E /= B * T", "E /= B"),
    ("12", "Y.append(y[t : t + horizon])", "Y.append(y[t - 1 : t - 1 + horizon])"),  # its own
    ("12", "return window + horizon - 1", "return horizon - 1"),  # keeps the targets alone apart
]


def _mistakes(prefix: str) -> list[tuple[str, str]]:
    return [(right, wrong) for p, right, wrong in PLANTED if p == prefix]


def _run_until_error(client, cells, start: int, stop: int):
    """Run cells[start:stop] in order; the (index, error name) of the first that fails."""
    for index in range(start, stop):
        try:
            client.execute_cell(cells[index], index)
        except CellExecutionError as error:
            return index, error.ename
    return None


@pytest.fixture(scope="module")
def student_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("exercises")
    exercises.write_exercises(FOLDER, out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_version_fails_its_first_check_and_each_check_a_planted_mistake(
    path, student_folder, kernel_env
):
    """In one kernel: the student version, run as handed out, stops at its first check with
    an AssertionError; then the full version, run from the top, with each planted mistake in
    its solution in turn, fails at the check after that solution and passes without it."""
    student = nbformat.read(student_folder / path.name, as_version=4)
    first_check = student.metadata["frnn_exercise"]["first_check_cell"]
    full = nbformat.read(path, as_version=4)
    cells = full.cells
    planted = []
    for right, wrong in _mistakes(path.name[:2]):
        where = [
            i for i, c in enumerate(cells) if right in c.source and "BEGIN SOLUTION" in c.source
        ]
        assert len(where) == 1, f"{path.name}: {right!r} is in {len(where)} solution cells"
        check = next(i for i in range(where[0] + 1, len(cells)) if exercises.is_check(cells[i]))
        planted.append((where[0], check, right, wrong))
    assert planted, f"{path.name}: no planted mistake tries its checks"
    # the client writes each cell it runs into its own notebook: give it a copy of its own
    client = _client(copy.deepcopy(full), student_folder)  # the data folder is copied there
    with client.setup_kernel():
        stopped = _run_until_error(client, student.cells, 0, len(student.cells))
        assert stopped == (first_check, "AssertionError"), (
            f"the student version should stop at its first check (cell {first_check}) with an "
            f"AssertionError; it stopped at {stopped}"
        )
        done = 0  # cells of the full version run so far, in order, as written
        for solution, check, right, wrong in sorted(planted):
            assert _run_until_error(client, cells, done, solution) is None
            original = cells[solution].source
            cells[solution].source = original.replace(right, wrong)
            try:
                failed = _run_until_error(client, cells, solution, check + 1)
            finally:
                cells[solution].source = original
            assert failed is not None and failed[0] == check, (
                f"with {wrong!r} for {right!r} the check (cell {check}) should fail; got {failed}"
            )
            assert _run_until_error(client, cells, solution, check + 1) is None  # right again
            done = check + 1
