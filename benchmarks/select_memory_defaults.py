"""How the BPTT recipe for memory was chosen: validation on generated and training data only.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/select_memory_defaults.py
        --task adding200 --grid lr [--epochs 30] [--jobs 2] [--out FILE.jsonl]

Each grid changes one ingredient of a base recipe and fits it on one task's training
series, scoring the validation series.  The base is ``BASE`` (the IRNN, R = I with ReLU,
Adam 4e-3 with 1% warm-up and cosine decay, clipping at 1, batches of 32, 8,000 steps,
frames of ⌈T/10⌉ samples) changed by ``--base '{"frame": "steps:20"}'`` (JSON); the
stages that chose the recommended recipe (``memory_recipes.RECOMMENDED``) and their
tables are in benchmarks/results/memory_selection.md.  Tasks:

- ``adding{T}``: 10,000 generated training series of length T (seed 1) and 2,000
  validation series (seed 2); the test series (seed 3) are never made here; MSE (the
  constant mean's is 1/6).
- ``digits``: scikit-learn's 8×8 digits read pixel by pixel (T = 64, D = 1, 10 classes);
  the set is split once 80/20 (stratified, seed 0) and the 20% test part never touched
  here; the grid scores a stratified 80/20 split of the training part (seed 1), and
  ``--folds 3`` a stratified 3-fold CV of the training part instead; accuracy.
- ``order{T}``, ``recall{T}``: 4,000 generated training and 2,000 validation series of
  the temporal-order and recall tasks (frnn.data.synthetic); accuracy (chance 1/4, 1/8).

Each row goes to ``--out`` as a JSON line (recipe, task, validation score, seconds, series,
series per second) and the table is printed: one row per value of the grid.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from memory_recipes import Recipe, fit, score  # noqa: E402

from frnn.data import synthetic  # noqa: E402

BASE = Recipe(frame="tenth", lr=4e-3, steps=8000)  # the framed IRNN (see the docstring)

GRIDS = {
    "base": [{}],
    "lr": [{"lr": v} for v in (5e-4, 1e-3, 2e-3, 4e-3)],
    "lr_R": [{"lr_R": v} for v in (1.0, 0.3, 0.1)],
    "batch": [{"batch": v} for v in (16, 32, 64, 128)],
    "hidden": [{"hidden": v} for v in (32, 64, 128)],
    "warmup": [{"warmup": v} for v in (0.0, 0.01, 0.05)],
    "clip": [{"clip": v} for v in (None, 1.0, 0.1)],
    "frame": [{"frame": "tenth"}, {"frame": 1}],  # ⌈T/10⌉ (the estimators' default) or raw
    "frame_rule": [{"frame": v} for v in ("tenth", "twentieth", "sqrt")],
    "frame_steps": [{"frame": f"steps:{v}"} for v in (10, 20, 32, 50)],
    "standardize": [{"standardize": v} for v in (True, False)],
    "decay": [{"decay": v} for v in ("constant", "cosine", "linear")],
    "init": [
        {},
        {"activation": "tanh", "scheme": "identity"},
        {"activation": "tanh", "scheme": "orthogonal"},
        {"activation": "tanh", "scheme": "ring"},
        {"activation": "tanh", "scheme": "torch"},
        {"activation": "relu", "scheme": "orthogonal"},
        {"activation": "relu", "scheme": "torch"},
    ],
    "scale": [{"scale": v} for v in (0.001, 0.01, 0.1)],
    "ensemble": [{"ensemble": v} for v in (1, 3)],
    "ablation": [{}, {"fix_R_zero": True, "scheme": "torch"}],
    "steps": [{"steps": v} for v in (4000, 8000, 16000)],
    "weight_decay": [{"weight_decay": v} for v in (0.0, 1e-5, 1e-4)],
}


def task_data(task: str, folds: int = 0):
    """[(X, y, Xv, yv), ...] (one split, or ``folds`` CV splits) and the task kind."""
    if task.startswith("adding"):
        T = int(task[6:])
        X, y = synthetic.adding(10_000, np.random.default_rng(1), T)
        Xv, yv = synthetic.adding(2_000, np.random.default_rng(2), T)
        return [(X, y, Xv, yv)], "regression"
    if task.startswith(("order", "recall")):
        name = "order" if task.startswith("order") else "recall"
        T = int(task[len(name) :])
        generate = getattr(synthetic, name)
        X, y = generate(4_000, np.random.default_rng(1), T)
        Xv, yv = generate(2_000, np.random.default_rng(2), T)
        return [(X, y, Xv, yv)], "classification"
    if task == "digits":
        X, y = digits_train()
        from sklearn.model_selection import StratifiedKFold, train_test_split

        if folds:
            splits = StratifiedKFold(folds, shuffle=True, random_state=1).split(X, y)
            return [(X[a], y[a], X[b], y[b]) for a, b in splits], "classification"
        X, Xv, y, yv = train_test_split(X, y, test_size=0.2, stratify=y, random_state=1)
        return [(X, y, Xv, yv)], "classification"
    raise ValueError(f"unknown task {task!r}")


def digits_split():
    """The 8×8 digits as (1797, 64, 1) pixel sequences, split once 80/20 (seed 0)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    X = data.images.reshape(-1, 64, 1).astype(np.float64)  # row by row, pixel by pixel
    return train_test_split(X, data.target, test_size=0.2, stratify=data.target, random_state=0)


def digits_train():
    X, _, y, _ = digits_split()
    return X, y


def resolve(recipe: Recipe, T: int) -> Recipe:
    """The recipe with its framing rule made a frame size for series of length T:
    "tenth" ⌈T/10⌉ (about 10 steps, the estimators' frame_size=None), "twentieth" ⌈T/20⌉,
    "sqrt" ⌈√T⌉ (about √T steps of √T samples), "steps:N" ⌈T/N⌉ (about N steps)."""
    rules = {
        "tenth": lambda: -(-T // 10),
        "twentieth": lambda: -(-T // 20),
        "sqrt": lambda: int(np.ceil(np.sqrt(T))),
    }
    if isinstance(recipe.frame, str) and recipe.frame.startswith("steps:"):  # ⌈T / N⌉
        return recipe.but(frame=-(-T // int(recipe.frame[6:])))
    return recipe.but(frame=rules[recipe.frame]()) if recipe.frame in rules else recipe


def run_one(args) -> dict:
    task, changes, epochs, folds, base = args
    global BASE
    BASE = Recipe(**base)
    splits, kind = task_data(task, folds)
    recipe = resolve(
        BASE.but(**({"epochs": epochs} if epochs else {}), **changes), splits[0][0].shape[1]
    )
    scores, seconds, series = [], 0.0, 0
    for X, y, Xv, yv in splits:
        fitted = fit(recipe, X, y, kind)
        scores.append(score(fitted, Xv, yv))
        seconds += fitted.seconds
        series += fitted.series
    return {
        "task": task,
        "changes": {k: v for k, v in changes.items()},
        "recipe": recipe.label(BASE.but(**({"epochs": epochs} if epochs else {}))),
        "base": BASE.label(Recipe()),
        "epochs": epochs,
        "folds": folds,
        "score": float(np.mean(scores)),
        "scores": scores,
        "seconds": seconds,
        "series": series,
        "series_per_second": series / seconds,
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }


def report(path: str) -> str:
    """Markdown tables from a JSON-lines file of rows: one table per base recipe and budget,
    a row per recipe, a column per task (the last row written wins), the score and the
    seconds."""
    rows = [json.loads(line) for line in open(path)]
    tables: dict = {}
    for row in rows:
        key = (row.get("base", ""), row.get("folds", 0) > 0)
        label = ", ".join(f"{k}={v}" for k, v in row["changes"].items()) or "base"
        tables.setdefault(key, {}).setdefault(label, {})[row["task"]] = row
    out = []
    for (base, _), table in tables.items():
        tasks = sorted({t for cells in table.values() for t in cells})
        out += [f"base: {base}", "", "| recipe | " + " | ".join(tasks) + " |"]
        out.append("|---" * (len(tasks) + 1) + "|")
        for recipe, cells in table.items():
            text = [
                f"{cells[t]['score']:.4f} ({cells[t]['seconds']:.0f} s)" if t in cells else ""
                for t in tasks
            ]
            out.append(f"| {recipe} | " + " | ".join(text) + " |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", nargs="+", default=["adding200"])
    parser.add_argument("--grid", default="base", choices=sorted(GRIDS))
    parser.add_argument("--changes", default=None, help="JSON: run this one recipe instead")
    parser.add_argument("--epochs", type=float, default=0, help="(with steps=None)")
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", default="benchmarks/results/memory_selection.jsonl")
    parser.add_argument("--report", default=None, help="print Markdown tables of this file")
    parser.add_argument("--base", default=None, help="JSON: changes to the base recipe")
    args = parser.parse_args()
    if args.report:
        print(report(args.report))
        return
    grid = [json.loads(args.changes)] if args.changes else GRIDS[args.grid]
    base = asdict(BASE.but(**json.loads(args.base))) if args.base else asdict(BASE)
    work = [(t, changes, args.epochs, args.folds, base) for t in args.task for changes in grid]
    with ProcessPoolExecutor(args.jobs) as pool:
        for row in pool.map(run_one, work):
            with open(args.out, "a") as handle:
                handle.write(json.dumps(row) + "\n")
            print(
                f"{row['task']:10} {row['recipe']:50} score {row['score']:.4f}  "
                f"{row['seconds']:6.0f} s  {row['series_per_second']:7.0f} series/s",
                flush=True,
            )


if __name__ == "__main__":
    main()
