"""Sequential loop vs parallel scan vs DEER vs quasi-DEER: forward time over T and I.

    OMP_NUM_THREADS=1 python benchmarks/bench_parallel.py [--quick] [--backward] [--json PATH]

For each T in {1e2, 1e3, 1e4, 1e5} and I in {1, 2, 5, 16, 64} (B = 1, D = 4) it times
``frnn.forward(model, x, method=...)`` (states and logits, no loss), the best of a few
repeats.  "scan" runs the linear activation; "deer" and "quasi-deer" run tanh with
R ~ N(0, 0.9²/I) and W, x ~ N(0, 1), a contracting regime where Newton converges in a few
iterations (the iteration count is printed next to the time).  The loop is timed with
both activations, so each parallel method is compared with the loop computing the same
function, and with two engines: "loop" is the default (``engine="auto"``, what users
get: a compiled numba loop at these sizes) and "ref loop" is ``engine="reference"``, the
plain numpy loop.  The "fastest" columns compare the parallel methods with the default
loop; the reference loop is shown for context only.  numba compiles its kernels before
any timing starts.

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

# column -> (method, activation, engine): each parallel method is timed against the loop on
# the same function; "ref loop" is the plain numpy loop, shown but never a contender
COLUMNS = {
    "loop (linear)": ("sequential", "linear", "auto"),
    "ref loop (linear)": ("sequential", "linear", "reference"),
    "scan (linear)": ("scan", "linear", "auto"),
    "loop (tanh)": ("sequential", "tanh", "auto"),
    "ref loop (tanh)": ("sequential", "tanh", "reference"),
    "deer (tanh)": ("deer", "tanh", "auto"),
    "quasi-deer (tanh)": ("quasi-deer", "tanh", "auto"),
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
    method, _, _ = COLUMNS[column]
    dense = method == "deer" or (backward and method == "quasi-deer")
    return 8 * T * (I * I if dense else I)


def cell(column: str, T: int, I: int, args, previous: dict) -> dict:
    method, activation, engine = COLUMNS[column]
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
            return net.forward(x, method=method, engine=engine)
        net.forward(x, np.ones((T, 1)) / 2, method=method, engine=engine)  # loss at every step
        return net.backward(engine=engine)

    with warnings.catch_warnings():
        warnings.simplefilter("error", frnn.DEERFallbackWarning)  # a fallback is no DEER time
        seconds = best_time(call, args.budget, args.repeats)
    result = {"seconds": seconds}
    if method in ("deer", "quasi-deer"):
        result["iterations"] = net.deer_iterations
    return result


def warm_up() -> None:
    """Compile (or load from numba's disk cache) the loop's kernels, outside every timing."""
    for activation in ("linear", "tanh"):
        net = model_for(2, activation)
        net.forward(np.zeros((3, 4)), np.zeros((3, 1)), engine="auto")
        net.backward(engine="auto")


def table(results: dict, Ts, Is) -> str:
    """Markdown: one row per (T, I), and the fastest way to each function.

    Columns missing from ``results`` (files saved before the reference loop was timed)
    are left out.
    """
    columns = [c for c in COLUMNS if any(key[0] == c for key in results)]
    head = "| T | I | " + " | ".join(columns) + " | fastest linear | fastest tanh |"
    lines = [head, "|" + " --- |" * (len(columns) + 4)]
    for T in Ts:
        for I in Is:
            row = {c: results[(c, T, I)] for c in columns}
            best = [_fastest(row, kind) for kind in ("(linear)", "(tanh)")]
            cells = " | ".join(_fmt(r) for r in row.values())
            lines.append(f"| {T:.0e} | {I} | {cells} | {best[0]} | {best[1]} |".replace("e+0", "e"))
    return "\n".join(lines)


def crossover(results: dict, Ts, Is) -> str:
    """Markdown: the best parallel method's speed-up over the default and the reference loop.

    One grid per function, rows T, columns I; each cell "a / b" is loop time ÷ parallel time
    with the default loop (a) and the reference loop (b): above 1 (bold) the parallel method
    wins.  The parallel method is the scan for linear, the faster of DEER and quasi-DEER for
    tanh ("q" marks quasi-DEER).
    """
    out = []
    for kind, methods in (("linear", ["scan"]), ("tanh", ["deer", "quasi-deer"])):
        out += [
            f"{kind}: {' or '.join(methods)} vs the loop (default / reference)\n",
            "| T | " + " | ".join(f"I = {I}" for I in Is) + " |",
            "|" + " --- |" * (len(Is) + 1),
        ]
        for T in Ts:
            cells = []
            for I in Is:
                timed = [
                    (results[(f"{m} ({kind})", T, I)].get("seconds"), m)
                    for m in methods
                    if (f"{m} ({kind})", T, I) in results
                ]
                timed = [(t, m) for t, m in timed if t is not None]
                loops = [
                    results.get((f"{loop} ({kind})", T, I), {}).get("seconds")
                    for loop in ("loop", "ref loop")
                ]
                if not timed:
                    cells.append("skipped")
                    continue
                seconds, method = min(timed)
                ratios = ["—" if t is None else _speedup(t / seconds) for t in loops]
                mark = " q" if method == "quasi-deer" else ""
                cells.append(" / ".join(ratios) + mark)
            out.append(f"| {T:.0e} | ".replace("e+0", "e") + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def _speedup(ratio: float) -> str:
    text = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.2g}"
    return f"**{text}**" if ratio > 1 else text


def _fastest(row: dict, kind: str) -> str:
    """The winner and its margin: over the loop, or, when the loop wins, over the next best.

    The contenders are the default loop and the parallel methods; the reference loop is not.
    """
    timed = {
        c.split()[0]: r["seconds"]
        for c, r in row.items()
        if kind in c and "seconds" in r and COLUMNS[c][2] != "reference"
    }
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
        saved = {(r.pop("column"), r.pop("T"), r.pop("I")): r for r in rows}
        print(table(saved, Ts, Is) + "\n\n" + crossover(saved, Ts, Is))
        return 0
    warm_up()
    results: dict = {}
    for T in Ts:
        for I in Is:
            previous = {(c, i): r for (c, t, i), r in results.items() if t == T // 10}
            for column in COLUMNS:
                results[(column, T, I)] = cell(column, T, I, args, previous)
                print(f"T={T} I={I} {column}: {_fmt(results[(column, T, I)])}", file=sys.stderr)
    what = "forward + backward" if args.backward else "forward"
    print(
        f"{what}; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, numpy {np.__version__}, "
        f"numba {_numba_version()}, B = 1\n"
    )
    print(table(results, Ts, Is) + "\n\n" + crossover(results, Ts, Is))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                [{"column": c, "T": t, "I": i, **r} for (c, t, i), r in results.items()],
                out,
                indent=1,
            )
    return 0


def _numba_version() -> str:
    try:
        import numba
    except ImportError:
        return "absent (the default loop is numpy)"
    return numba.__version__


if __name__ == "__main__":
    sys.exit(main())
