"""numba's cache index race, reproduced: processes compiling one frnn loop side by side.

numba (``cache=True``) saves a compiled signature by loading the function's index, taking
the next free data-file name and saving the index back (``IndexDataCacheFile.save``): two
processes that compile different signatures of one function on an empty cache at the same
moment can each take data file 1, and one's index entry is lost, or (rarely) one
signature's entry names the other's code (numba/numba#10128).  frnn holds a file lock
around those saves (``frnn.engine.disk_cache``); ``--unlocked`` leaves it off.

Each round starts ``--processes`` processes on an empty ``NUMBA_CACHE_DIR``, each compiling
Adam's compiled update (``frnn.training.adam_kernel``) in one signature (float64,
float32, alternately) at the same wall-clock moment, then a fresh process that must load
every signature from the cache without compiling and give numpy's results.  It prints
the rounds that failed and how.

    PYTHONPATH=src python benchmarks/cache_race.py --rounds 100 [--unlocked] [--window 0.05]

``--window`` widens the race's window by a sleep in each process (in numba's index save,
after the load): the race then shows at a few processes on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

# The two modules loaded from their files alone (frnn's package takes seconds to import,
# which would spread the processes' start): the same files, so the same cache entries.
LOAD = """
import importlib.util, os, sys
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
SRC = os.environ["FRNN_SRC"]
adam_kernel = load("adam_kernel", os.path.join(SRC, "frnn/training/adam_kernel.py"))
"""

WORKER = (
    LOAD
    + """
import sys, time
import numpy as np
window = float(os.environ.get("FRNN_WINDOW", "0"))
if window:  # widen numba's window between loading the index and saving it
    from numba.core import caching
    save = caching.IndexDataCacheFile._save_index
    def slow_save(self, overloads):
        time.sleep(window)
        save(self, overloads)
    caching.IndexDataCacheFile._save_index = slow_save
if sys.argv[3] == "locked":
    disk_cache = load("disk_cache", os.path.join(SRC, "frnn/engine/disk_cache.py"))
    disk_cache.guard(adam_kernel)
dtype = np.dtype(sys.argv[2])
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))  # all processes compile at the same moment
one = np.ones(1, dtype)
adam_kernel.adam_update(one, one.copy(), np.zeros(1, dtype), np.zeros(1, dtype),
                        False, *[dtype.type(x) for x in (1, 0)], False,
                        *[dtype.type(0.5)] * 6)
"""
)

CHECK = (
    LOAD
    + """
import numpy as np
bad = []
for name in sys.argv[1:]:
    dtype = np.dtype(name)
    p, g = np.full(3, 2.0, dtype), np.full(3, 0.5, dtype)
    m, v = np.zeros(3, dtype), np.zeros(3, dtype)
    t = [dtype.type(x) for x in (1, 0)]
    try:
        adam_kernel.adam_update(p, g, m, v, False, *t, False, *[dtype.type(0.5)] * 6)
    except Exception as error:
        bad.append(f"{name}: {type(error).__name__}: {error}")
        continue
    # the same passes in numpy: m = 0.5 g, v = 0.5 g², p -= 0.5 m / (sqrt(v)/0.5 + 0.5)
    h = dtype.type(0.5)
    mm, vv = h * g, h * (g * g)
    want = np.full(3, 2.0, dtype) - h * (mm / (np.sqrt(vv) / h + h))
    if not np.array_equal(p, want):
        bad.append(f"{name}: wrong result {p} against {want}")
stats = adam_kernel.adam_update.stats
misses = sum(stats.cache_misses.values())
if misses:
    bad.append(f"{misses} signature(s) compiled again (lost from the index)")
print("; ".join(bad) or "ok")
"""
)


def one_round(processes: int, locked: bool, env: dict) -> str:
    with tempfile.TemporaryDirectory(prefix="frnn-race-") as cache:
        env = {**env, "NUMBA_CACHE_DIR": cache}
        dtypes = [("float64", "float32")[i % 2] for i in range(processes)]
        start = time.time() + 1.0  # time for every process to import numba
        mode = "locked" if locked else "unlocked"
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, repr(start), dtype, mode],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            for dtype in dtypes
        ]
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            if worker.returncode:
                return f"worker failed: {err[-300:]}"
        check = subprocess.run(
            [sys.executable, "-c", CHECK, *sorted(set(dtypes))],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return (
            (check.stdout.strip() or check.stderr[-300:])
            if check.returncode == 0
            else (f"check failed: {check.stderr[-300:]}")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--unlocked", action="store_true", help="without frnn's lock")
    parser.add_argument(
        "--window",
        type=float,
        default=0.0,
        help="seconds of sleep each process adds between loading the index and saving it",
    )
    args = parser.parse_args()
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "src")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "FRNN_SRC": os.path.abspath(src)}
    env["FRNN_WINDOW"] = repr(args.window)
    failures = 0
    for r in range(args.rounds):
        outcome = one_round(args.processes, not args.unlocked, env)
        if outcome != "ok":
            failures += 1
            print(f"round {r}: {outcome}", flush=True)
    print(
        f"{failures} of {args.rounds} rounds failed ({100 * failures / args.rounds:.1f}%), "
        f"{args.processes} processes, {'unlocked' if args.unlocked else 'locked'}, "
        f"window widened by {args.window} s"
    )


if __name__ == "__main__":
    main()
