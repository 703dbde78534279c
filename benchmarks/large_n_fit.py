"""Fit time of the default classifier on many training series, beside MiniRocket.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/large_n_fit.py [--n 2000 7200]
        [--T 46] [--classes 24] [--no-subsample] [--limits 500 ...] [--repeats 1]

Generated series (``--classes`` sine frequencies with random phase and noise, T = 46 and 24
classes by default: the shape of UCR's Crop, n = 7,200) fitted in one process, in turn:
aeon's ``MiniRocketClassifier`` (``n_jobs=1``; the ``bench`` extra), frnn's default
``RNNClassifier`` and, with ``--no-subsample``, the same with ω chosen on every series
(``frnn.reservoir.ridge.OMEGA_SERIES`` switched off, as before it existed); with
``--limits``, the same with ``OMEGA_SERIES`` set to each (0: off).  ``--repeats`` fits of
each after a small warm-up fit (compilation), the models taking turns; the median wall
and CPU seconds, their ratios to MiniRocket's (CPU seconds move less with the load of a
shared machine), and the training accuracy as a check that each fit learnt.  Run each
size in its own process with ``/usr/bin/time -v`` for a peak memory of its own.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

from frnn import RNNClassifier
from frnn.reservoir import ridge


def series(n: int, T: int, classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, T), y (n,)): a sine of the class's frequency, random phase, noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    t = np.arange(T)
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    X = np.sin(2 * np.pi * (1 + y[:, None]) * t / T / 3 + phase)
    return X + 0.5 * rng.standard_normal((n, T)), y


def timed(fit, X, y) -> tuple[float, float, object]:
    """Wall and CPU seconds of ``fit(X, y)``, and what it returns."""
    started, cpu = time.perf_counter(), time.process_time()
    model = fit(X, y)
    return time.perf_counter() - started, time.process_time() - cpu, model


def _one_job(make) -> dict:
    """MiniRocket's n_jobs=1 (frnn runs on the threads OMP_NUM_THREADS allows)."""
    return {} if make is RNNClassifier else {"n_jobs": 1}


def _fit(X, y, channels_first: bool, omega_series: int) -> tuple[float, float, float]:
    """Wall and CPU seconds of one fit with ``OMEGA_SERIES`` = omega_series, and its
    training accuracy."""
    from aeon.classification.convolution_based import MiniRocketClassifier

    ridge.OMEGA_SERIES = omega_series
    data = X[:, None] if channels_first else X  # (n, 1, T) for aeon
    make = MiniRocketClassifier if channels_first else RNNClassifier
    seconds, cpu, model = timed(make(random_state=0, **_one_job(make)).fit, data, y)
    return seconds, cpu, float(np.mean(model.predict(data) == y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2000, 7200])
    parser.add_argument("--T", type=int, default=46)
    parser.add_argument("--classes", type=int, default=24)
    parser.add_argument("--no-subsample", action="store_true", help="also ω on every series")
    parser.add_argument("--limits", type=int, nargs="+", default=[],
                        help="also frnn with OMEGA_SERIES at each (0: every series)")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=1, help="fits of each, the median kept")
    args = parser.parse_args()
    from aeon.classification.convolution_based import MiniRocketClassifier
    from threadpoolctl import threadpool_info

    blas = {f"{i['internal_api']} {i['version']}" for i in threadpool_info()}
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; BLAS: {sorted(blas)}")
    X, y = series(100, args.T, args.classes)
    with warnings.catch_warnings():  # a class of one series among 100 warns: not the point
        warnings.simplefilter("ignore")
        MiniRocketClassifier(n_jobs=1, random_state=0).fit(X[:, None], y)  # compile both
        RNNClassifier(random_state=0).fit(X, y)
    limit = ridge.OMEGA_SERIES
    # (name, whether it reads (n, C, T), the read-out's OMEGA_SERIES)
    models = [("MiniRocket", True, limit), ("frnn", False, limit)]
    if args.no_subsample:
        models.append(("frnn, ω on every series", False, np.iinfo(np.int64).max))
    for other in args.limits:
        models.append((f"frnn, OMEGA_SERIES = {other}", False, other or np.iinfo(np.int64).max))
    print("| n | T | classes | model | fit s | CPU s | ratio to MiniRocket | CPU ratio | "
          "training accuracy |")  # fmt: skip
    print("| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for n in args.n:
        X, y = series(n, args.T, args.classes, seed=1)
        runs = {name: [] for name, _, _ in models}
        for _ in range(args.repeats):  # the models take turns: a change of load hits all
            for name, channels_first, omega_series in models:
                runs[name].append(_fit(X, y, channels_first, omega_series))
        base, base_cpu = (np.median([r[i] for r in runs["MiniRocket"]]) for i in (0, 1))
        for name, own in runs.items():
            seconds, cpu = (float(np.median([r[i] for r in own])) for i in (0, 1))
            print(f"| {n} | {args.T} | {args.classes} | {name} | {seconds:.2f} | {cpu:.2f} | "
                  f"{seconds / base:.2f} | {cpu / base_cpu:.2f} | {own[-1][2]:.3f} |",
                  flush=True)  # fmt: skip
    ridge.OMEGA_SERIES = limit
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
