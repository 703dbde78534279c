"""The forward loop compiled afresh and loaded from numba's disk cache: the same bits, and
no warning on the way (issue 22).

A warning while numba compiles is an error under pytest's warnings-as-errors: the loop
then fails to compile and ``dispatch`` falls back to another engine, whose sums differ in
the last bits.  That is how two inlined copies of the tanh in ``blas_kernels.states``
(numba's NumbaIRAssumptionWarning) once made ``frnn train --resume`` differ from an
uninterrupted run only when the cache was empty.  Each child process here runs with
``-W error`` on its own cache folder: the first compiles, the second loads.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

# blas_kernels.states directly, in float64 and float32, every activation, rows of equal
# and unequal lengths (one flat pass a step; a pass a row); the cache's hits and misses
RUN = """
import sys
import numpy as np
from frnn.engine import blas_kernels as bk

out = {}
for dtype in (np.float64, np.float32):
    for B, T, D, I in ((32, 12, 8, 32), (5, 9, 1, 8), (7, 6, 3, 13)):
        rng = np.random.default_rng(I)
        x = rng.standard_normal((T, B, D)).astype(dtype)
        WT = (rng.standard_normal((D, I)) * 0.5).astype(dtype)
        RT = (rng.standard_normal((I, I)) / np.sqrt(I)).astype(dtype)
        bias = (rng.standard_normal(I) * 0.1).astype(dtype)
        a0 = (rng.standard_normal((B, I)) * 0.1).astype(dtype)
        for code in range(4):  # TANH, RELU, LINEAR, HARDTANH
            for padded in (False, True):
                lengths = np.full(B, T, np.int64)
                lengths[::3] = T // 2 if padded else T
                A = np.empty((T, B, I), dtype)
                bk.states(x, WT, RT, bias, a0, lengths, code, dtype(1), A, 0, B, 4, 0)
                out[f"{dtype.__name__} {B} {I} {code} {padded}"] = A
np.savez(sys.argv[1], **out)
stats = bk.states.stats
print(sum(stats.cache_misses.values()), sum(stats.cache_hits.values()))
"""


def _run(tmp_path, name: str) -> tuple[str, dict]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    path = tmp_path / f"{name}.npz"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", RUN, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with np.load(path) as arrays:
        return done.stdout.strip(), {key: arrays[key] for key in arrays.files}


@pytest.mark.slow
def test_states_compiled_afresh_and_from_the_cache_agree_bit_for_bit(tmp_path):
    pytest.importorskip("numba")
    pytest.importorskip("scipy")
    fresh_counts, fresh = _run(tmp_path, "fresh")
    cached_counts, cached = _run(tmp_path, "cached")
    assert fresh_counts == "2 0"  # float64 and float32 compiled
    assert cached_counts == "0 2"  # and both loaded from the cache
    assert fresh.keys() == cached.keys()
    for key in fresh:
        np.testing.assert_array_equal(fresh[key].view(np.uint8), cached[key].view(np.uint8), key)
