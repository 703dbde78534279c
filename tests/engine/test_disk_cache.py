"""numba's disk cache saved under frnn's file lock (``frnn.engine.disk_cache``).

numba's save of a new signature loads the function's index, takes the next free data
file and saves the index back: two processes compiling different signatures at once both
take data file 1, and one entry is lost or names the other's code (numba/numba#10128).
The slow test widens that window (a sleep before each index write, in the child processes
only) so that two processes compiling float64 and float32 at the same moment always meet
in it: with frnn's lock the second waits and both entries survive; without it, one is lost.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from frnn.engine import disk_cache

SRC = Path(__file__).resolve().parents[2] / "src"

# The race's processes are benchmarks/cache_race.py's: adam_kernel (one small loop,
# importing nothing from frnn) and disk_cache loaded from their files alone (importing
# frnn's package would take seconds), numba's window widened by FRNN_WINDOW seconds
_spec = importlib.util.spec_from_file_location(
    "cache_race", Path(__file__).parents[2] / "benchmarks" / "cache_race.py"
)
cache_race = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cache_race)
LOAD, WORKER = cache_race.LOAD, cache_race.WORKER

CHECK = (
    LOAD
    + """
import numpy as np
for name in ("float32", "float64"):
    dtype = np.dtype(name)
    h = dtype.type(0.5)
    p, g = np.full(3, 2.0, dtype), np.full(3, 0.5, dtype)
    m, v = np.zeros(3, dtype), np.zeros(3, dtype)
    adam_kernel.adam_update(p, g, m, v, False, dtype.type(1), dtype.type(0), False, *[h] * 6)
    mm, vv = h * g, h * (g * g)
    want = np.full(3, 2.0, dtype) - h * (mm / (np.sqrt(vv) / h + h))
    assert p.dtype == dtype and np.array_equal(p, want), (name, p, want)
stats = adam_kernel.adam_update.stats
print(sum(stats.cache_misses.values()), sum(stats.cache_hits.values()))
"""
)


def _race(tmp_path, mode: str) -> str:
    """Two processes compile float64 and float32 at once; a third runs both: 'misses hits',
    or its error (a wrong result; a signature's entry naming the other's code)."""
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
        "FRNN_SRC": str(SRC),
        "FRNN_WINDOW": "2.0",
        "OMP_NUM_THREADS": "1",
    }
    start = repr(time.time() + 2.0)  # after both have imported numba
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, start, dtype, mode],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for dtype in ("float64", "float32")
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-3000:]
    check = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=120
    )
    return check.stdout.strip() if check.returncode == 0 else check.stderr[-3000:]


@pytest.mark.slow
def test_processes_compiling_side_by_side_keep_every_signature(tmp_path):
    pytest.importorskip("numba")
    assert _race(tmp_path, "locked") == "0 2"  # both signatures loaded, none compiled


@pytest.mark.slow
def test_without_the_lock_the_same_race_loses_a_signature(tmp_path):
    """The control: the widened window does meet numba's race (so the test above can fail)."""
    pytest.importorskip("numba")
    assert _race(tmp_path, "unlocked") != "0 2"  # lost (compiled again: "1 1"), or crossed


def test_the_lock_excludes_another_holder(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    with disk_cache.locked(str(tmp_path)):
        fd = os.open(tmp_path / disk_cache.LOCK_NAME, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(tmp_path / disk_cache.LOCK_NAME, os.O_RDWR)  # released at the block's end
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def test_a_folder_without_a_lock_file_runs_unlocked(tmp_path):
    missing = tmp_path / "absent"  # cannot hold a lock file: the block still runs
    ran = []
    with disk_cache.locked(str(missing)):
        ran.append(True)
    assert ran == [True]


@pytest.mark.slow
def test_every_cached_loop_saves_under_the_lock():
    """Once each family is loaded, no frnn loop is left with numba's unlocked index."""
    pytest.importorskip("numba")
    from numba.core.caching import IndexDataCacheFile

    from frnn.engine import compiled, denormals
    from frnn.reservoir import core
    from frnn.training import optimizers

    assert compiled.blas_kernels() is not None
    assert core.compiled() is not None
    assert optimizers.adam_kernel() is not None
    denormals.available()
    indexes = {
        f"{name}.{key}": value._cache._cache_file
        for name, module in list(sys.modules.items())
        if name.startswith("frnn.")
        for key, value in vars(module).items()
        if isinstance(
            getattr(getattr(value, "_cache", None), "_cache_file", None), IndexDataCacheFile
        )
    }
    assert len(indexes) >= 40
    plain = sorted(name for name, index in indexes.items() if type(index) is IndexDataCacheFile)
    assert plain == []


def test_a_saved_signature_loads_back(tmp_path):
    """The locked index is numba's: what it saves, a new index object reads."""
    pytest.importorskip("numba")
    from numba.core.caching import IndexDataCacheFile

    _, locking = disk_cache._locked_index()
    index = locking(str(tmp_path), "f-1.py312", b"stamp")
    index.save(("sig", 1), np.arange(3))
    index.save(("sig", 2), np.arange(4))
    fresh = IndexDataCacheFile(str(tmp_path), "f-1.py312", b"stamp")
    np.testing.assert_array_equal(fresh.load(("sig", 1)), np.arange(3))
    np.testing.assert_array_equal(fresh.load(("sig", 2)), np.arange(4))
    assert (tmp_path / disk_cache.LOCK_NAME).exists()
