"""Networks that remember, side by side: one run, the same data and budget for every row.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/memory.py [--quick]
        [--tasks adding100 adding200 adding400 digits order200 recall200] [--rows ...]
        [--steps 8000] [--out benchmarks/results/memory.md] [--rows-file F.jsonl [--report]]

Rows (every BPTT row trains one network on the same training series with the same
budget: the same number of optimiser steps of the same batch size, the recommended
recipe's schedule, optimiser and clipping, the same framed and standardised inputs; only
the network and its start differ):

- ``frnn recipe (5 networks)``: the recommended recipe as the estimators would run it,
  an ensemble of 5 networks (5 times the budget: each network has its own);
- ``frnn <scheme>``: one network of frnn's engine with each initialisation scheme of
  ``frnn.init`` (the recipe's ReLU; identity is the recipe's), plus tanh with an
  orthogonal R, and the ablation R = 0 (frozen at 0);
- ``torch RNN``: torch.nn.RNN with the recipe's initialisation (R = I) and the same
  training, the frnn row's twin (their series per second compare the two engines);
- ``torch LSTM``, ``torch GRU``: torch's gated networks, their own initialisation;
- ``frnn reservoir``: ``RNNRegressor()`` / ``RNNClassifier()`` with their defaults (the
  reservoir: fixed random networks and a ridge read-out; no budget of steps).

Tasks: the adding problem at T = 100, 200, 400 (10,000 training series, 2,000 test series;
MSE, the constant mean's is 1/6); scikit-learn's 8×8 digits read pixel by pixel (T = 64;
the fixed 80/20 split of select_memory_defaults.py, accuracy); the temporal order and the
recall tasks at T = 200 (``order200``, ``recall200``: 4,000 training series, 2,000 test;
accuracy, chance 1/4 and 1/8).  Test sets are scored
once, after training; nothing here chooses anything.

Printed per row: the test metric, series seen in training, wall seconds (one thread each)
and series per second; ``--out`` writes the table in Markdown.  The full run takes about
an hour on one free core (``--quick``: a minute, small sets and 300 steps).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from bench_vs_torch import cpu_name  # noqa: E402
from memory_recipes import RECOMMENDED, fit, score, torch_fit  # noqa: E402
from select_memory_defaults import digits_split, resolve  # noqa: E402

from frnn.data import synthetic  # noqa: E402

ROWS = {
    "frnn recipe (5 networks)": {"ensemble": 5},
    "frnn uniform": {"scheme": "uniform"},
    "frnn torch": {"scheme": "torch"},
    "frnn identity (1 network)": {"scheme": "identity"},
    "frnn orthogonal": {"scheme": "orthogonal"},
    "frnn spectral": {"scheme": "spectral"},
    "frnn ring": {"scheme": "ring"},
    "frnn tanh orthogonal": {"scheme": "orthogonal", "activation": "tanh"},
    "frnn R = 0": {"fix_R_zero": True},
    "torch RNN": "rnn",
    "torch LSTM": "lstm",
    "torch GRU": "gru",
    "frnn reservoir": "reservoir",
}
_LOADS: list[float] = []  # the load average when each row finished (the machine is shared)
TASKS = ("adding100", "adding200", "adding400", "digits", "order200", "recall200")


def task_data(task: str, quick: bool):
    """(X, y, Xt, yt, kind): training and test series."""
    n, n_test = (1000, 500) if quick else (10_000, 2_000)
    if task.startswith("adding"):
        T = int(task[6:])
        X, y = synthetic.adding(n, np.random.default_rng(1), T)
        Xt, yt = synthetic.adding(n_test, np.random.default_rng(3), T)
        return X, y, Xt, yt, "regression"
    if task.startswith(("order", "recall")):
        name = "order" if task.startswith("order") else "recall"
        T = int(task[len(name) :])
        X, y = getattr(synthetic, name)(n * 2 // 5, np.random.default_rng(1), T)
        Xt, yt = getattr(synthetic, name)(n_test, np.random.default_rng(3), T)
        return X, y, Xt, yt, "classification"
    if task == "digits":
        X, Xt, y, yt = digits_split()
        return X, y, Xt, yt, "classification"
    raise ValueError(f"unknown task {task!r}")


def reservoir(X, y, Xt, yt, kind) -> tuple[float, float, int]:
    from frnn import RNNClassifier, RNNRegressor

    started = time.perf_counter()
    model = (RNNRegressor if kind == "regression" else RNNClassifier)(random_state=0)
    model.fit(X, y)
    seconds = time.perf_counter() - started
    prediction = model.predict(Xt)
    metric = np.mean((prediction - yt) ** 2) if kind == "regression" else np.mean(prediction == yt)
    return float(metric), seconds, len(X)


def one_row(row: str, task: str, data, steps: int) -> tuple[float, float, int]:
    X, y, Xt, yt, kind = data
    recipe = resolve(RECOMMENDED.but(steps=steps, ensemble=1), X.shape[1])
    spec = ROWS[row]
    if spec == "reservoir":
        return reservoir(X, y, Xt, yt, kind)
    if isinstance(spec, str):
        return torch_fit(spec, recipe, X, y, kind, Xt, yt)
    fitted = fit(recipe.but(**spec), X, y, kind)
    return score(fitted, Xt, yt), fitted.seconds, fitted.series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS))
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    parser.add_argument("--steps", type=int, default=None, help="optimiser steps per network")
    parser.add_argument("--quick", action="store_true", help="small sets, 300 steps")
    parser.add_argument("--out", default=None, help="write the Markdown table here")
    parser.add_argument(
        "--rows-file", default=None,
        help="append each finished row here (JSON lines) and skip rows already in it, so "
        "an interrupted run goes on where it stopped and a cut one still has a table",
    )  # fmt: skip
    parser.add_argument(
        "--report", action="store_true", help="train nothing: the table of --rows-file's rows"
    )
    args = parser.parse_args()
    import torch  # noqa: F401  (imported once, outside every timing)

    steps = args.steps or (300 if args.quick else RECOMMENDED.steps)
    table = _done(args.rows_file, steps)
    if not args.report:
        _warm_up()
    for task in [] if args.report else args.tasks:
        data = None
        for row in args.rows:
            if (row, task) in table:
                continue
            data = data or task_data(task, args.quick)
            metric, seconds, series = one_row(row, task, data, steps)
            table[row, task] = (metric, seconds, series)
            _record(args.rows_file, row, task, steps, metric, seconds, series)
            print(
                f"{task:10} {row:22} test {metric:.4f}  series {series:8d}  {seconds:7.1f} s "
                f" {series / seconds:8.0f} series/s",
                flush=True,
            )
            if args.out:
                _write(args.out, markdown(table, args, steps))
    text = markdown(table, args, steps)
    print("\n" + text)
    if args.out:
        _write(args.out, text)


def _warm_up() -> None:
    """Compile the engine's loops (numba) before any row is timed."""
    X, y = synthetic.adding(8, np.random.default_rng(0), 20)
    for kind, target in (("regression", y), ("classification", (y > 1).astype(int))):
        fit(RECOMMENDED.but(steps=2, ensemble=1, frame=1), X, target, kind)


def _done(path: str | None, steps: int) -> dict:
    """The rows of an earlier run with the same budget, from ``--rows-file``."""
    table = {}
    if path and os.path.exists(path):
        with open(path) as handle:
            for line in handle:
                r = json.loads(line)
                if r["steps"] == steps:
                    table[r["row"], r["task"]] = (r["metric"], r["seconds"], r["series"])
                    _LOADS.append(r["load"])
    return table


def _record(path, row, task, steps, metric, seconds, series) -> None:
    _LOADS.append(os.getloadavg()[0])
    if path:
        record = dict(row=row, task=task, steps=steps, metric=metric, seconds=seconds,
                      series=series, load=_LOADS[-1])  # fmt: skip
        with open(path, "a") as handle:
            handle.write(json.dumps(record) + "\n")


def _write(path: str, text: str) -> None:
    """Write atomically: a reader never sees half a table."""
    with open(path + ".tmp", "w") as handle:
        handle.write(text)
    os.replace(path + ".tmp", path)


def markdown(table, args, steps: int) -> str:
    metric = {t: "MSE" if t.startswith("adding") else "accuracy" for t in args.tasks}
    head = " | ".join(f"{t} {metric[t]} (s; series/s)" for t in args.tasks)
    lines = [f"| row | {head} |", "|---" * (len(args.tasks) + 1) + "|"]
    for row in args.rows:
        cells = []
        for task in args.tasks:
            if (row, task) not in table:
                cells.append("not run")
                continue
            value, seconds, series = table[row, task]
            cells.append(f"{value:.4f} ({seconds:.0f} s; {series / seconds:,.0f})")
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    recipe = RECOMMENDED.but(steps=steps, ensemble=1).label(None)
    lines += [
        "",
        f"Budget: {steps} optimiser steps of {RECOMMENDED.batch} series per BPTT network "
        f"(the 5-network row: 5 networks); "
        f"recipe {recipe}; {'--quick: 1,000 training series' if args.quick else ''}",
        f"CPU {cpu_name()}; numpy's BLAS {_blas()}; "
        f"one thread each; the load average (2 cores, shared) was {min(_LOADS, default=0):.1f}"
        f" to {max(_LOADS, default=0):.1f} as the rows finished.",
    ]
    return "\n".join(lines) + "\n"


def _blas() -> str:
    return np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]


if __name__ == "__main__":
    main()
