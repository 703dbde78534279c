"""numba's disk cache is kept fresh for the code a compiled loop inlines from other files.

numba (``cache=True``) keys a compiled function's cache by the text of the function's own
file alone.  The loops inline code from the files they import (``kernel_math``'s tanh, the
activations' codes, the pooling's constants), so after an update that changed only such a
file (``git pull`` over the README's editable install) numba would load the loop compiled
from the old code, silently.  Each module with cached loops therefore holds
``IMPORTS_DIGEST``, a digest of the files it imports from frnn: a change there must change
the module too, and this test says so.  After editing such a file, run

    .venv/bin/python tests/engine/test_cache_stamps.py --write

which rewrites the digests (a module's own digest covers its imports' digests, so a chain
of imports is followed by running it until nothing changes; it loops for you).
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "frnn"
LINE = re.compile(r'^IMPORTS_DIGEST = "([0-9a-f]*)"$', re.MULTILINE)


def cached_modules() -> list[Path]:
    """The package's files that compile loops into numba's disk cache."""
    return sorted(p for p in PACKAGE.rglob("*.py") if "cache=True" in p.read_text())


def imported_files(path: Path) -> list[Path]:
    """The frnn files ``path`` imports from (relative imports: module files, or a package's
    ``__init__.py``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
            target = base.joinpath(*node.module.split(".")) if node.module else base
            for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                if candidate.is_file():
                    found.add(candidate)
                    break
    return sorted(found)


def digest(path: Path) -> str:
    """sha256 (16 hex digits) of the texts of the files ``path`` imports, with their names."""
    h = hashlib.sha256()
    for dep in imported_files(path):
        h.update(dep.relative_to(PACKAGE).as_posix().encode() + b"\0" + dep.read_bytes())
    return h.hexdigest()[:16]


@pytest.mark.parametrize("path", cached_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_digest_is_current(path):
    written = LINE.search(path.read_text())
    assert written is not None, f"{path} compiles cached loops but has no IMPORTS_DIGEST line"
    assert written[1] == digest(path), (
        f"{path.name}'s IMPORTS_DIGEST is stale: a file it imports changed, and numba would "
        "load its loops compiled from the old code; run "
        ".venv/bin/python tests/engine/test_cache_stamps.py --write"
    )


def test_the_digest_follows_every_imported_file(tmp_path):
    """The digest changes with the text of any file imported, and only those."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("X = 1\n")
    (tmp_path / "pkg" / "b.py").write_text("Y = 2\n")
    (tmp_path / "pkg" / "k.py").write_text("from .a import X\nimport numpy\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        before = digest(tmp_path / "pkg" / "k.py")
        (tmp_path / "pkg" / "b.py").write_text("Y = 3\n")  # not imported
        assert digest(tmp_path / "pkg" / "k.py") == before
        (tmp_path / "pkg" / "a.py").write_text("X = 2\n")
        assert digest(tmp_path / "pkg" / "k.py") != before
    finally:
        PACKAGE = saved


def write() -> None:
    """Rewrite every stale IMPORTS_DIGEST, until none changes (a chain of imports)."""
    changed = True
    while changed:
        changed = False
        for path in cached_modules():
            text = path.read_text()
            written = LINE.search(text)
            if written is None:
                raise SystemExit(f'{path}: add a line IMPORTS_DIGEST = "" after its imports')
            if written[1] != (new := digest(path)):
                path.write_text(LINE.sub(f'IMPORTS_DIGEST = "{new}"', text, count=1))
                print(f"{path.relative_to(PACKAGE)}: {new}")
                changed = True


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tests/engine/test_cache_stamps.py --write")
    write()
