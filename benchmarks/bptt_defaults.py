"""The BPTT defaults against the issue's goals: adding T = 200, 400 and digits pixel by pixel.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/bptt_defaults.py \
        [--tasks adding200 adding400 digits] [--out FILE.json]

``RNNRegressor(training="bptt")`` and ``RNNClassifier(training="bptt")`` with their
defaults (the memory recipe of benchmarks/results/memory_selection.md: 5 IRNNs of 64
units, frames of ⌈T/20⌉ samples, Adam 4e-3 with 1% warm-up and cosine decay, clipping at
1, 8,000 steps of 32 series drawn at random), each fitted once on arrays in hand and
scored once on a test set that nothing chose from:

- ``adding{T}``: 10,000 generated training series (seed 1), 2,000 test series (seed 3;
  the selection's validation series were seed 2); test MSE (the constant mean: ≈ 0.167;
  goals ≤ 0.01 at T = 200, ≤ 0.05 at T = 400, in ≤ 10 minutes of one core);
- ``digits``: scikit-learn's 8×8 digits read pixel by pixel (T = 64, D = 1), the fixed
  80/20 split of select_memory_defaults.py's ``digits_split``; test accuracy (goal ≥ 0.97);
- ``stream{T}`` (not run by default): the adding problem learnt from a stream,
  ``fit_stream`` on fresh batches of 32 series with 2,000 validation series (seed 2), the
  same test series (seed 3).

Printed per task: the test score, the fit's CPU seconds (time.process_time: one thread,
so the time the fit would take on one free core) and wall seconds, the load average
before and after, the CPU and the BLAS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from frnn import RNNClassifier, RNNRegressor
from frnn.data import synthetic


def digits_split():
    """The 8×8 digits as (1797, 64, 1) pixel sequences, split once 80/20 (stratified, seed 0),
    as benchmarks/select_memory_defaults.py splits them."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    X = data.images.reshape(-1, 64, 1).astype(np.float64)  # row by row, pixel by pixel
    return train_test_split(X, data.target, test_size=0.2, stratify=data.target, random_state=0)


def task(name: str):
    """(estimator, X, y, X_test, y_test, metric name)."""
    if name == "digits":
        X, Xt, y, yt = digits_split()
        return RNNClassifier(training="bptt", random_state=0), X, y, Xt, yt, "accuracy"
    T = int(name.removeprefix("adding"))
    X, y = synthetic.adding(10_000, np.random.default_rng(1), T)
    Xt, yt = synthetic.adding(2_000, np.random.default_rng(3), T)
    return RNNRegressor(training="bptt", random_state=0), X, y, Xt, yt, "mse"


def run(name: str) -> dict:
    stream = name.startswith("stream")
    est, X, y, Xt, yt, metric = task(name.replace("stream", "adding"))
    if stream:
        T = int(name.removeprefix("stream"))
        X, y = synthetic.adding(2_000, np.random.default_rng(2), T)  # the validation set
    load = os.getloadavg()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    if stream:
        est.fit_stream(lambda rng: synthetic.adding(32, rng, T), validation=(X, y))
    else:
        est.fit(X, y)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    prediction = est.predict(Xt)
    score = np.mean(prediction == yt) if metric == "accuracy" else np.mean((prediction - yt) ** 2)
    return {
        "task": name, metric: float(score), "cpu_s": round(cpu, 1), "wall_s": round(wall, 1),
        "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2),
        "series_seen": est.steps * est.batch_size * est.n_ensemble,
        "frame_size": est.frame_size_, "stopped_by": est.stopped_by_,
    }  # fmt: skip


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    blas = "unknown"
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]["name"]
    except (TypeError, KeyError):
        pass
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    return f"{cpu}, {os.cpu_count()} cores, BLAS {blas}, OMP_NUM_THREADS={threads}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=["adding200", "adding400", "digits"])
    parser.add_argument("--out", help="also write the rows as JSON")
    args = parser.parse_args()
    print(machine(), flush=True)
    rows = []
    for name in args.tasks:
        rows.append(run(name))
        print(json.dumps(rows[-1]), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"machine": machine(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
