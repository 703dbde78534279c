"""ω chosen on a subsample of many training series: what it changes, and what it saves.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/omega_subsample.py
        [--n 3000] [--seeds 0 1] [--limits 0 500 1000 2000] [--tasks daily levels ...]
        [--jsonl rows.jsonl] [--table rows.jsonl [--base 0]]

The default read-out tries five weights ω of the statistics beside PPV, each with its own
eigendecomposition of the n × n Gram matrix, so from about a thousand training series the
five dominate the fit.  ``frnn.reservoir.ridge.OMEGA_SERIES`` = N chooses ω on N of the
series instead (α still on all of them, in one decomposition).  For each generated task
(``generated.py``: ``--n`` training series from the task's generator with seed 1000 + s, its
test series with seed 2000 + s) and the digits (the first min(n, 1,150) of the training part of
``select_memory_defaults.digits_split`` in a seeded order, scored on the last 287 of that
order, whatever n: no test split is read),
the default ``RNNClassifier(random_state=s)`` is fitted with each limit N (0: every series,
the rule switched off) and the ω and α it chose, its held-out accuracy and log-loss (rows
from before the log-loss was recorded have none) and its fit seconds
are recorded, one JSON object a line.  ``--table`` prints the comparison of every limit
with ``--base`` (0 by default) from such a file, each n apart, with a two-sided sign test
on the fits whose accuracy differs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
from generated import GENERATED
from select_memory_defaults import digits_split
from sklearn.metrics import log_loss

from frnn import RNNClassifier
from frnn.reservoir import ridge

TASKS = ("sine_square", "many_classes", "variable_length", "channels", "levels", "strokes",
         "prototypes", "harmonics", "outlines", "daily", "transients", "counts", "gestures",
         "digits")  # fmt: skip


def task_split(name: str, n: int, seed: int) -> tuple:
    """(X, y, X_held, y_held) of a task: n generated training series and the task's test
    series, or up to 1,150 of the digits' training part and its last 287 (the same 287
    whatever n)."""
    if name == "digits":
        X, _, y, _ = digits_split()
        order = np.random.default_rng(seed).permutation(len(y))
        fit, held = order[: min(n, 1150)], order[1150:]
        return X[fit], y[fit], X[held], y[held]
    generate, _, n_test = GENERATED[name]
    X, y = generate(np.random.default_rng(1000 + seed), n)
    return (X, y, *generate(np.random.default_rng(2000 + seed), max(n_test, 1000)))


def one_fit(name: str, n: int, seed: int, limit: int) -> dict:
    """Fit the default with ``OMEGA_SERIES`` = limit (0: off) and score it."""
    X, y, X_held, y_held = task_split(name, n, seed)
    ridge.OMEGA_SERIES = limit or np.iinfo(np.int64).max
    started, cpu = time.perf_counter(), time.process_time()
    clf = RNNClassifier(random_state=seed).fit(X, y)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    fit, near = clf.reservoir_.readout_, clf.reservoir_.neighbours_
    return {"task": name, "n": len(y), "seed": seed, "limit": limit, "omega": fit.weight,
            "alpha": fit.alpha, "beta": 0.0 if near is None else float(near.weight),
            "accuracy": float(clf.score(X_held, y_held)),
            "log_loss": float(log_loss(y_held, clf.predict_proba(X_held), labels=clf.classes_)),
            "seconds": round(seconds, 2),
            "cpu": round(cpu, 2)}  # fmt: skip


def sign_test(better: int, worse: int) -> float:
    """Two-sided exact sign test of ``better`` against ``worse`` (ties dropped)."""
    from scipy.stats import binomtest

    return binomtest(better, better + worse).pvalue if better + worse else 1.0


def table(rows: list[dict], base_limit: int = 0) -> None:
    """Each limit against ``base_limit`` (0: every series), each n apart: ω agreement,
    accuracy, a sign test, fit seconds."""
    for n in sorted({r["n"] for r in rows}):
        own = [r for r in rows if r["n"] == n]
        base = {(r["task"], r["seed"]): r for r in own if r["limit"] == base_limit}
        print(f"\nn = {n}, against limit {base_limit}:")
        print("| limit N | fits | same ω | mean accuracy, N / base | better / worse | "
              "sign test p | mean log-loss, N / base | log-loss better / worse, p | "
              "fit s, N / base |")  # fmt: skip
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for limit in sorted({r["limit"] for r in own} - {base_limit}):
            pairs = [(r, base[r["task"], r["seed"]]) for r in own
                     if r["limit"] == limit and (r["task"], r["seed"]) in base]  # fmt: skip
            if pairs:
                _line(limit, pairs)
    _per_task(rows)


def _line(limit: int, pairs: list[tuple[dict, dict]]) -> None:
    same = sum(a["omega"] == b["omega"] for a, b in pairs)
    acc = [np.mean([p[i]["accuracy"] for p in pairs]) for i in (0, 1)]
    better = sum(a["accuracy"] > b["accuracy"] for a, b in pairs)
    worse = sum(a["accuracy"] < b["accuracy"] for a, b in pairs)
    secs = [np.sum([p[i]["seconds"] for p in pairs]) for i in (0, 1)]
    losses = [[p[i].get("log_loss") for p in pairs] for i in (0, 1)]
    loss, signs = "–", "–"
    if None not in losses[0] + losses[1]:
        loss = " / ".join(f"{np.mean(v):.4f}" for v in losses)
        # the same ω gives the same fit but for round-off (one ω's path scales in place)
        moved = np.array(losses[0]) - losses[1]
        moved[np.abs(moved) <= 1e-9 * (1 + np.abs(losses[1]))] = 0.0
        lower, higher = int((moved < 0).sum()), int((moved > 0).sum())
        signs = f"{lower} / {higher}, {sign_test(lower, higher):.2f}"
    print(f"| {limit} | {len(pairs)} | {same} | {acc[0]:.4f} / {acc[1]:.4f} | "
          f"{better} / {worse} | {sign_test(better, worse):.2f} | {loss} | {signs} | "
          f"{secs[0]:.0f} / {secs[1]:.0f} |")  # fmt: skip


def _per_task(rows: list[dict]) -> None:
    print("\nper task and n (accuracy at each limit, ω in brackets, seeds averaged):")
    limits = sorted({r["limit"] for r in rows})
    for task, n in dict.fromkeys((r["task"], r["n"]) for r in rows):
        cells = []
        for limit in limits:
            own = [r for r in rows if (r["task"], r["n"], r["limit"]) == (task, n, limit)]
            if own:
                omegas = "/".join(f"{r['omega']:g}" for r in own)
                cells.append(f"N={limit}: {np.mean([r['accuracy'] for r in own]):.4f} ({omegas})")
        print(f"  {task:16} {n:5} " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="generated training series")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--limits", type=int, nargs="+", default=[0, 500, 1000, 2000])
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--jsonl", help="append each fit's row to this file")
    parser.add_argument("--table", help="print the comparison from this file and stop")
    parser.add_argument("--base", type=int, default=0, help="the limit --table compares with")
    args = parser.parse_args()
    if args.table:
        with open(args.table) as lines:
            table([json.loads(line) for line in lines], args.base)
        return
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; load "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    rows = []
    for task in args.tasks:
        for seed in args.seeds:
            for limit in args.limits:
                row = one_fit(task, args.n, seed, limit)
                rows.append(row)
                print(json.dumps(row), flush=True)
                if args.jsonl:
                    with open(args.jsonl, "a") as out:
                        out.write(json.dumps(row) + "\n")
    table(rows)


if __name__ == "__main__":
    main()
