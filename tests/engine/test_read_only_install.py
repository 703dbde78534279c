"""frnn installed where its package cannot be written (site-packages owned by root, a
read-only container): numba keeps the compiled loops in the user's cache folder instead.

numba (0.68) tries its cache folders in turn: ``NUMBA_CACHE_DIR`` when set, else the
``__pycache__`` beside the loop's file when it can be written, else the user's cache
folder (``$XDG_CACHE_HOME/numba``, ``~/.cache/numba`` on Linux).  With a read-only copy of
the package and no ``NUMBA_CACHE_DIR``, a first process compiles the time loops there,
with no warning (``-W error``), and a second loads them without compiling; frnn's lock
file goes beside them, and nothing is written into the package.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "frnn"

RUN = """
import json
import frnn
from frnn.engine import compiled, fallback
module = compiled.numba_kernels()
assert module is not None, fallback.reasons()
stats = module.states.stats
print(json.dumps([frnn.__file__, sum(stats.cache_misses.values()),
                  sum(stats.cache_hits.values()), module.states._cache.cache_path]))
"""


def _read_only_copy(site: Path) -> list[Path]:
    """A copy of the package under ``site`` that no process can write into; its folders."""
    shutil.copytree(SRC, site / "frnn", ignore=shutil.ignore_patterns("__pycache__"))
    folders = [p for p in (site / "frnn").rglob("*") if p.is_dir()] + [site / "frnn"]
    for folder in folders:
        if os.geteuid() == 0:  # root writes whatever the modes say: a file where numba
            (folder / "__pycache__").write_text("")  # would make its folder stops it too
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    return folders


def _run(site: Path, home: Path) -> list:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(home / "cache"), HOME=str(home))
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", RUN],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=home,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_read_only_package_caches_its_loops_in_the_users_folder(tmp_path):
    pytest.importorskip("numba")
    pytest.importorskip("scipy")
    site, home = tmp_path / "site", tmp_path / "home"
    home.mkdir()
    folders = _read_only_copy(site)
    try:
        where, misses, hits, cache = _run(site, home)
        assert Path(where).parent == site / "frnn"  # the read-only copy ran
        assert (misses, hits) == (1, 0)  # compiled once
        assert Path(cache).is_relative_to(home / "cache" / "numba")
        assert any(Path(cache).glob("kernels.states-*.nbi"))
        assert (Path(cache) / "frnn-index.lock").exists()  # frnn's lock beside the index
        assert not list((site / "frnn").rglob("*.nb[ic]"))  # nothing written in the package
        assert _run(site, home)[1:3] == [0, 1]  # then loaded, not compiled
    finally:
        for folder in folders:
            folder.chmod(stat.S_IRWXU)
