"""Fit seconds and peak memory of ReservoirClassifier as n and T grow (random-walk series).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/reservoir_scaling.py

Each row: n series of length T in 4 classes; fit seconds (one thread) and the peak of
Python's traced allocations (numpy's arrays included) during fit.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from frnn.reservoir import ReservoirClassifier


def main() -> int:
    rng = np.random.default_rng(0)
    ReservoirClassifier(random_state=0).fit(rng.standard_normal((8, 30)), np.arange(8) % 2)
    print("| n | T | n·T | fit s | peak MiB |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n, T in ((100, 500), (200, 500), (400, 500), (100, 1000), (100, 2000), (100, 8000)):
        X = np.cumsum(rng.standard_normal((n, T)), axis=1)  # (n, T)
        y = np.arange(n) % 4
        tracemalloc.start()
        started = time.perf_counter()
        ReservoirClassifier(random_state=0).fit(X, y)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"| {n} | {T} | {n * T} | {seconds:.2f} | {peak:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
