"""Sequential loop vs parallel scan vs DEER vs quasi-DEER: forward time over T and I.

    OMP_NUM_THREADS=1 python benchmarks/bench_parallel.py [--quick] [--backward] [--json PATH]

For each T in {1e2, 1e3, 1e4, 1e5} and I in {1, 2, 5, 16, 64} (B = 1, D = 4) it times
``frnn.forward(model, x, method=...)`` (states and logits, no loss), the best of a few
repeats.  "scan" runs the linear activation; "deer" and "quasi-deer" run tanh with
R ~ N(0, 0.9²/I) and W, x ~ N(0, 1), a contracting regime where Newton converges in a few
iterations (the iteration count is printed next to the time).  The loop is timed with
both activations, so each parallel method is compared with the loop computing the same
function.

Cells are skipped, and marked so, when a method's largest buffer would exceed
``--max-mb`` (default 512 MiB; full-Jacobian DEER keeps several (T, I, I) buffers, and
T·I²·8 bytes is 3.3 GB at T = 1e5, I = 64) or when the previous T's time predicts more
than ``--max-seconds``.  Timings on a shared machine are noisy: compare ratios, not digits.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads its BLAS

import numpy as np  # noqa: E402

import frnn  # noqa: E402

# column -> (method, activation): the scan is timed against the loop on the same function
COLUMNS = {
    "loop (linear)": ("sequential", "linear"),
    "scan (linear)": ("scan", "linear"),
    "loop (tanh)": ("sequential", "tanh"),
    "deer (tanh)": ("deer", "tanh"),
    "quasi-deer (tanh)": ("quasi-deer", "tanh"),
}


def model_for(I: int, activation: str, D: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    net = frnn.FullyRecurrentNetwork(D, I, 1, activation=activation, rng=seed)
    net.W = rng.normal(size=(I, D))
    net.R = rng.normal(size=(I, I)) * 0.9 / np.sqrt(I)
    return net


def best_time(call, budget: float, repeats: int) -> float:
    """The minimum over up to ``repeats`` runs, stopping once ``budget`` seconds are spent."""
    times, spent = [], 0.0
    while len(times) < repeats and (not times or spent < budget):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return min(times)


def bytes_needed(column: str, T: int, I: int, backward: bool) -> int:
    """The largest single buffer the column's method allocates (B = 1, float64).

    Full-Jacobian DEER keeps (T, I, I) Jacobians; so does the adjoint scan of any
    nonlinear parallel forward.  The loop and the stationary linear scan need (T, I).
    """
    method, activation = COLUMNS[column]
    dense = method == "deer" or (backward and method == "quasi-deer")
    return 8 * T * (I * I if dense else I)


def cell(column: str, T: int, I: int, args, previous: dict) -> dict:
    method, activation = COLUMNS[column]
    size = bytes_needed(column, T, I, args.backward)
    if size > args.max_mb * 2**20:
        return {"skip": f"memory: {size / 2**30:.1f} GiB per buffer"}
    last = previous.get((column, I))
    if last is not None and "seconds" in last and last["seconds"] * 10 > args.max_seconds:
        return {"skip": f"time: predicted ~{last['seconds'] * 10:.0f} s"}
    net = model_for(I, activation)
    x = np.random.default_rng(1).normal(size=(T, 4))

    def call():
        if not args.backward:
            return net.forward(x, method=method)
        net.forward(x, np.ones((T, 1)) / 2, method=method)  # a loss on every step
        return net.backward()

    with warnings.catch_warnings():
        warnings.simplefilter("error", frnn.DEERFallbackWarning)  # a fallback is no DEER time
        seconds = best_time(call, args.budget, args.repeats)
    result = {"seconds": seconds}
    if method in ("deer", "quasi-deer"):
        result["iterations"] = net.deer_iterations
    return result


def table(results: dict, Ts, Is) -> str:
    """Markdown: one row per (T, I), and the fastest way to each function."""
    head = "| T | I | " + " | ".join(COLUMNS) + " | fastest linear | fastest tanh |"
    lines = [head, "|" + " --- |" * (len(COLUMNS) + 4)]
    for T in Ts:
        for I in Is:
            row = {c: results[(c, T, I)] for c in COLUMNS}
            best = [_fastest(row, kind) for kind in ("(linear)", "(tanh)")]
            cells = " | ".join(_fmt(r) for r in row.values())
            lines.append(f"| {T:.0e} | {I} | {cells} | {best[0]} | {best[1]} |".replace("e+0", "e"))
    return "\n".join(lines)


def _fastest(row: dict, kind: str) -> str:
    """The winner and its margin: over the loop, or, when the loop wins, over the next best."""
    timed = {c.split()[0]: r["seconds"] for c, r in row.items() if kind in c and "seconds" in r}
    winner = min(timed, key=timed.get)
    others = [v for k, v in timed.items() if k != winner]
    rival = timed["loop"] if winner != "loop" else min(others, default=None)
    return winner + (f" ×{rival / timed[winner]:.1f}" if rival else "")


def _fmt(result: dict) -> str:
    if "skip" in result:
        return f"skipped ({result['skip']})"
    seconds = result["seconds"]
    text = f"{seconds:.3g} s" if seconds >= 1 else f"{seconds * 1e3:.3g} ms"
    return text + (f" ({result['iterations']} it)" if "iterations" in result else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="T up to 1e3 only")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per cell, roughly")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument(
        "--max-mb", type=float, default=512.0, help="skip cells whose largest buffer exceeds this"
    )
    parser.add_argument(
        "--backward",
        action="store_true",
        help="time forward with a loss + backward (the scan adjoint after a "
        "parallel forward) instead of forward alone",
    )
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument(
        "--table-from", metavar="JSON", help="print the table of results saved by --json and exit"
    )
    args = parser.parse_args(argv)
    Ts = [100, 1000] if args.quick else [100, 1000, 10_000, 100_000]
    Is = [1, 2, 5, 16, 64]
    if args.table_from:
        with open(args.table_from) as saved:
            rows = json.load(saved)
        print(table({(r.pop("column"), r.pop("T"), r.pop("I")): r for r in rows}, Ts, Is))
        return 0
    results: dict = {}
    for T in Ts:
        for I in Is:
            previous = {(c, i): r for (c, t, i), r in results.items() if t == T // 10}
            for column in COLUMNS:
                results[(column, T, I)] = cell(column, T, I, args, previous)
                print(f"T={T} I={I} {column}: {_fmt(results[(column, T, I)])}", file=sys.stderr)
    what = "forward + backward" if args.backward else "forward"
    print(
        f"{what}; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, numpy {np.__version__}, B = 1\n"
    )
    print(table(results, Ts, Is))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                [{"column": c, "T": t, "I": i, **r} for (c, t, i), r in results.items()],
                out,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
