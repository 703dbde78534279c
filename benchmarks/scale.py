"""Beyond one machine: the reservoir fit in one process (in memory) and on a dask cluster.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/scale.py --out benchmarks/results/scale.md

Series of T = 150 steps in three classes (noisy sine, square and rectified waves) are made
chunk by chunk from a seed: on the cluster, lazily on the workers (the client never holds
X); in memory, by the same function in the fitting process.  Every (mode, n) runs in a
fresh process, so that each peak resident memory (``ru_maxrss``) is that run's own:

- ``memory``: ``RNNClassifier.fit(X, y)`` on numpy arrays, one process;
- ``cluster``: ``RNNClassifier.fit(X, y)`` on a dask array, a ``distributed.LocalCluster``
  of ``--workers`` worker processes of one thread each; the peak of each worker, and of
  the client (which merges nothing but holds the p × p sums and their eigendecomposition).

The workers get ``MALLOC_MMAP_THRESHOLD_`` = ``--mmap-threshold`` bytes (64 MiB; 0 leaves
dask's setting), through dask's ``distributed.nanny.pre-spawn-environ``: distributed starts
workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which turns off glibc's adaptive mmap
threshold, and the reservoirs' 8 MiB temporaries then cost a fresh mmap and its page faults
each, 1.5-1.9 times the features' time (measured here).

Both fit the same model (tests/estimators/test_dask.py holds them together); the table
also prints the test accuracy on 2,000 other series as a check that both learnt the same
thing.  One BLAS thread everywhere (``OMP_NUM_THREADS=1``), so the processes do not
compete for cores beyond the workers'.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

T = 150
CHUNK = 2000  # series per chunk
TEST_SEED = 10**6  # the test series' chunk index: never a training chunk's


def make_chunk(seed: int, index: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Chunk ``index``: series X (size, T) and classes y (size,), from (seed, index) alone."""
    rng = np.random.default_rng([seed, index])
    y = rng.integers(0, 3, size)
    t = np.arange(T)[None, :]
    wave = np.sin(rng.uniform(0.03, 0.3, (size, 1)) * t + rng.uniform(0, 2 * np.pi, (size, 1)))
    X = np.where(y[:, None] == 0, wave, np.where(y[:, None] == 1, np.sign(wave), np.abs(wave)))
    return X + 0.5 * rng.standard_normal((size, T)), y


def _sizes(n: int) -> list[int]:
    return [min(CHUNK, n - start) for start in range(0, n, CHUNK)]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_memory(n: int, config: dict, seed: int) -> dict:
    import frnn

    _warm_up()
    parts = [make_chunk(seed, i, size) for i, size in enumerate(_sizes(n))]
    X, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    started = time.perf_counter()
    clf = frnn.RNNClassifier(**config).fit(X, y)
    seconds = time.perf_counter() - started
    X_test, y_test = make_chunk(seed, TEST_SEED, 2000)
    return {"seconds": seconds, "peak": _peak_mib(), "accuracy": clf.score(X_test, y_test)}


def _lazy(seed: int, n: int):
    """X (n, T) and y (n,) as dask arrays whose chunks are made on the workers."""
    import dask
    import dask.array as da

    chunk = dask.delayed(make_chunk, nout=2)
    parts = [chunk(seed, i, size) for i, size in enumerate(_sizes(n))]
    pairs = list(zip(parts, _sizes(n), strict=True))
    X = da.concatenate([da.from_delayed(p[0], (s, T), float) for p, s in pairs])
    y = da.concatenate([da.from_delayed(p[1], (s,), np.int64) for p, s in pairs])
    return X, y


def _warm_up() -> None:
    import frnn

    X, y = make_chunk(0, 0, 30)
    frnn.RNNClassifier(n_reservoirs=2, random_state=0).fit(X, y)


def run_cluster(n: int, config: dict, seed: int, workers: int, limit: str, mmap: int) -> dict:
    import dask
    from distributed import Client, LocalCluster

    import frnn

    key = "distributed.nanny.pre-spawn-environ"  # read by glibc at the worker's start
    environ = {**dask.config.get(key), **({"MALLOC_MMAP_THRESHOLD_": str(mmap)} if mmap else {})}
    with (
        dask.config.set({key: environ}),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, memory_limit=limit, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(_warm_up)  # a cluster in use has its imports done, its loops compiled
        X, y = _lazy(seed, n)
        started = time.perf_counter()
        clf = frnn.RNNClassifier(**config).fit(X, y)
        seconds = time.perf_counter() - started
        peaks = client.run(_peak_mib)
        assert set(client.run(os.getenv, "MALLOC_MMAP_THRESHOLD_").values()) == {
            str(mmap) if mmap else None
        }
        X_test, y_test = make_chunk(seed, TEST_SEED, 2000)
        accuracy = clf.score(X_test, y_test)
    return {
        "seconds": seconds,
        "peak": _peak_mib(),
        "workers": sorted(peaks.values()),
        "accuracy": accuracy,
    }


def n_features(n_reservoirs: int) -> int:
    """p of the default classifier with ``n_reservoirs`` reservoirs, from frnn's own defaults
    (units, thresholds, statistics): what the read-out's sums are sized by."""
    import frnn
    from frnn.estimators import reservoirs
    from frnn.reservoir.pooling import n_features as per_reservoir

    drawn = reservoirs.features(frnn.RNNClassifier(n_reservoirs=n_reservoirs))
    return n_reservoirs * per_reservoir(drawn.units, drawn.n_thresholds, drawn.statistics)


def rates(n_reservoirs: int, n: int = 1000) -> str:
    """The default-sized read-out's costs, one thread: what a bigger cluster's time is made of.

    Per series: the features (each pass computes them), and its share of the Gram matrix
    (pass 1) or of the projection onto the eigenvectors (pass 2, the same flops); once: the
    eigendecomposition of the p × p matrix on the client.
    """
    import frnn
    from frnn.estimators import reservoirs

    _warm_up()
    X, y = make_chunk(0, 0, n)
    features = reservoirs.features(frnn.RNNClassifier(n_reservoirs=n_reservoirs)).fit(X)
    started = time.perf_counter()
    F = features.transform(X)  # (n, p)
    per_series = (time.perf_counter() - started) / n
    started = time.perf_counter()
    G = F.T @ F  # (p, p)
    gram = (time.perf_counter() - started) / n
    started = time.perf_counter()
    np.linalg.eigh(G)
    eigh = time.perf_counter() - started
    return (
        f"n_reservoirs = {n_reservoirs}, p = {F.shape[1]}: features {1000 * per_series:.2f} ms "
        f"per series, Gram {1000 * gram:.2f} ms per series, eigh {eigh:.1f} s "
        f"(one thread, load {os.getloadavg()[0]:.1f})"
    )


def _child(args) -> int:
    config = json.loads(args.config)
    if args.mode == "memory":
        result = run_memory(args.n, config, args.seed)
    else:
        result = run_cluster(
            args.n, config, args.seed, args.workers, args.memory_limit, args.mmap_threshold
        )
    print(json.dumps(result))
    return 0


def _run(mode: str, n: int, args) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--n", str(n), "--seed", str(args.seed)]
    command += ["--workers", str(args.workers), "--memory-limit", args.memory_limit]
    command += ["--config", args.config, "--mmap-threshold", str(args.mmap_threshold)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ})
    if done.returncode != 0:
        raise SystemExit(f"{mode} n={n} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 30_000, 100_000])
    parser.add_argument("--cluster-only", type=int, nargs="*", default=[])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GiB")
    parser.add_argument("--mmap-threshold", type=int, default=64 * 2**20)
    parser.add_argument("--n-reservoirs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    parser.add_argument(
        "--rates", action="store_true", help="print the default read-out's costs and stop"
    )
    parser.add_argument("--child", choices=("memory", "cluster"), dest="mode")
    parser.add_argument("--n", type=int)
    parser.add_argument("--config", default=None)
    args = parser.parse_args(argv)
    if args.mode:
        return _child(args)
    if args.rates:
        print(rates(48), flush=True)
        return 0
    args.config = json.dumps({"n_reservoirs": args.n_reservoirs, "random_state": 0})
    p = n_features(args.n_reservoirs)
    lines = [
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f} at the start; OMP_NUM_THREADS="
        f"{os.environ.get('OMP_NUM_THREADS')}; T = {T}, n_reservoirs = {args.n_reservoirs} "
        f"(p = {p} features), chunks of {CHUNK} series, {args.workers} workers of "
        f"{args.memory_limit}, MALLOC_MMAP_THRESHOLD_={args.mmap_threshold or 'unset'} on them",
        "",
        "| n | mode | fit s | s per 1,000 series | peak MiB (fitting process or client) "
        "| peak MiB per worker | test accuracy |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    print("\n".join(lines), flush=True)
    for n in [*args.sizes, *args.cluster_only]:
        modes = ("memory", "cluster") if n in args.sizes else ("cluster",)
        for mode in modes:
            r = _run(mode, n, args)
            workers = " / ".join(f"{w:.0f}" for w in r.get("workers", [])) or "–"
            line = (
                f"| {n:,} | {mode} | {r['seconds']:.1f} | {1000 * r['seconds'] / n:.2f} | "
                f"{r['peak']:.0f} | {workers} | {r['accuracy']:.3f} |"
            )
            print(line, flush=True)
            lines.append(line)
    lines.append(f"\nload {os.getloadavg()[0]:.1f} at the end")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
