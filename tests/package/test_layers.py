"""The layers the README shows are the layers the code has.

Every import of every module under ``src/frnn`` is read from its source — the lazy ones
inside functions too, since a lazy import is still an arrow — and each must go from a unit
(a subpackage, or a top-level module) to a unit on an earlier row of the README's layout
table, or to one on the same row; the units' graph has no cycle; and the table lists every
module there is, and nothing else.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "frnn"


def _module(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, package: Path) -> bool:
    where = package.parent / Path(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _unit(module: str) -> str:
    """frnn.engine.network -> engine; frnn.io -> io; frnn -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(package: Path = PACKAGE) -> list[tuple[str, str]]:
    """(importing module, imported module) for every import of the package's own modules."""
    edges = []
    for path in sorted(package.rglob("*.py")):
        module = _module(path, package)
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            own = [name for name in names if name.split(".")[0] == package.name]
            edges += [(module, name) for name in own if _is_module(name, package)]
    return edges


def readme_rows() -> list[list[str]]:
    """The paths (relative to src/frnn) in the first cell of each row of the README's
    layout table, in the table's order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.findall(r"`([^`]+\.py)`", row.split(" | ")[0]) for row in rows]


def layers() -> dict[str, int]:
    """Each unit's row: the first row of the README's table that names one of its modules."""
    order: dict[str, int] = {}
    for row, paths in enumerate(readme_rows()):
        for path in paths:
            order.setdefault(_unit("frnn." + path.removesuffix(".py").replace("/", ".")), row)
    return order


def test_the_readme_table_lists_every_module_and_only_those():
    listed = {path for row in readme_rows() for path in row}
    present = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")}
    present -= {p for p in present if p.endswith("__init__.py") and "/" in p}  # packages
    assert sorted(present - listed) == [], "modules the README's layout table does not list"
    assert sorted(listed - present) == [], "modules the README's layout table lists in vain"


def test_every_import_goes_to_a_layer_above_or_beside():
    order = layers()
    wrong = [
        f"{a} -> {b}"
        for a, b in imports()
        if _unit(a) != _unit(b) and order[_unit(b)] > order[_unit(a)]
    ]
    assert wrong == [], "imports that reach down the README's layer table"


def test_the_units_import_each_other_without_a_cycle():
    graph: dict[str, set[str]] = {}
    for a, b in imports():
        if _unit(a) != _unit(b):
            graph.setdefault(_unit(a), set()).add(_unit(b))
    done: set[str] = set()

    def visit(unit: str, path: tuple[str, ...]) -> None:
        if unit in path:
            pytest.fail(f"import cycle: {' -> '.join(path[path.index(unit) :] + (unit,))}")
        if unit not in done:
            for other in sorted(graph.get(unit, ())):
                visit(other, path + (unit,))
            done.add(unit)

    for unit in sorted(graph):
        visit(unit, ())


def test_the_reader_sees_lazy_relative_and_absolute_imports(tmp_path):
    package = tmp_path / "frnn"
    files = {
        "__init__.py": "",
        "low/__init__.py": "from .leaf import g\n",
        "low/leaf.py": "def g():\n    import frnn.high.top\n",
        "high/__init__.py": "",
        "high/top.py": "def f():\n    from ..low import leaf\n    from .. import low\n",
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    assert sorted(imports(package)) == [
        ("frnn.high.top", "frnn"),
        ("frnn.high.top", "frnn.low"),
        ("frnn.high.top", "frnn.low"),
        ("frnn.high.top", "frnn.low.leaf"),
        ("frnn.low", "frnn.low.leaf"),
        ("frnn.low.leaf", "frnn.high.top"),
    ]
