"""frnn's choices by leave-one-out on small training sets, beside fixed ones and the anchors.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/small_training_sets.py
        [--size 30] [--seeds 0 1 2] [--datasets gunpoint coffee ...]
        [--models frnn w1 b0 reservoir minirocket ...] [--set NAME=VALUE ...] [--jsonl FILE]

Many real sets have a few dozen training series, where a choice made by leave-one-out
(the ridge's α, the statistics' weight ω, the neighbours' β) rests on little evidence.
For each set and seed (``--seeds``, 0 1 2 by default): ``--size`` training series drawn
at random (two of each class first), the model fitted on them and scored on the rest: a
generated task's own test split, or, for the four real sets, the rest of their training
split (half of it at most is drawn; their test splits, which ``load_split`` loads with
them, are set aside at once: never scored on).  Models:
``frnn`` is ``RNNClassifier(random_state=seed)``; ``nocrops`` the same without the crops
of few series (the default before them), ``crops<N>`` (``crops100``) with the crops up to
N training series, ``random<N>`` with each crop run by itself at a random start (the
library's before §25), ``prefix<N>`` / ``suffix<N>`` the same with each crop the first /
last 95% of its series, ``window<N>`` §25's float64 emulation of the library's crops
(``ucr_accuracy.window_features``); ``w1`` the reservoir classifier with ω
fixed at 1; ``b0`` with β fixed at 0; ``reservoir`` the reservoir classifier with
``--set``'s parameters;
``minirocket``, ``hydra``, ``mr-hydra``, ``1nn`` the anchors of ``ucr_accuracy.py`` (the
``bench`` extra).  ``--jsonl`` appends every (task, seed, model)'s accuracy, one JSON
object a line, for sign tests across runs; ``--pairs FILE A B`` reads such a file and
counts the (task, size, seed) where model B is above and below model A, per size and
pooled, with a one-sided sign test's p.
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import ucr_accuracy as U

FIXED = {"w1": {"statistics_weights": (1.0,)}, "b0": {"neighbour_weight": 0.0}}
DEFAULT_SETS = ("gunpoint", "coffee", "basicmotions", "sinesquare", "sine_square",
                "long_motif", "variable_length", "channels", "levels", "strokes")  # fmt: skip


def model(kind: str, seed: int, params=None):
    if kind == "frnn":
        return U.frnn_model("default", seed, {})
    if kind == "nocrops" or kind.startswith(tuple(U.STARTS)):
        return U.frnn_model(U.model_kind(kind), seed, {})
    if kind == "reservoir":
        return U.frnn_model("reservoir", seed, params or {})
    if kind in FIXED:
        return U.frnn_model("reservoir", seed, FIXED[kind])
    return U.Anchor(kind, random_state=seed)


def draw(y: np.ndarray, size: int, rng) -> np.ndarray:
    """Indices of ``size`` series: two of each class, then the rest at random."""
    first = [rng.permutation(np.flatnonzero(y == c))[:2] for c in np.unique(y)]
    index = np.concatenate(first)
    rest = rng.permutation(np.setdiff1d(np.arange(len(y)), index))
    return np.concatenate([index, rest[: max(0, size - len(index))]])


def split(name: str, size: int, seed: int) -> tuple:
    """(X, y, X_held, y_held) of seed ``seed``: ``size`` series drawn (at most half of a
    real set's training split), held out the rest of it, or a generated task's test split."""
    X, y, X_test, y_test = U.load_split(name)
    real = name in U.REAL
    if real:
        X_test = y_test = None  # a real set's test split is never scored here
    index = draw(y, min(size, len(y) // 2) if real else size, np.random.default_rng(100 + seed))
    held = np.setdiff1d(np.arange(len(y)), index)
    X_held, y_held = (U._rows(X, held), y[held]) if real else (X_test, y_test)
    return U._rows(X, index), y[index], X_held, y_held


def accuracies(
    name: str, size: int, models: list[str], seeds=(0, 1, 2), params=None
) -> tuple[int, dict[str, list[float]]]:
    """The number of training series and each model's held-out accuracy per seed."""
    scores: dict[str, list[float]] = {m: [] for m in models}
    for seed in seeds:
        X, y, X_held, y_held = split(name, size, seed)
        for m in models:
            fitted = model(m, seed, params).fit(X, y)
            scores[m].append(float(np.mean(fitted.predict(X_held) == y_held)))
    return len(y), scores


def pairs(path: str, first: str, second: str) -> None:
    """(task, size, seed) pairs where ``second`` beats and trails ``first``, per size and
    pooled, from a ``--jsonl`` file (the last row of each kept), with a sign test's p."""
    from scipy.stats import binomtest

    rows: dict[tuple, float] = {}
    with open(path) as lines:
        for line in lines:
            row = json.loads(line)
            rows[(row["model"], row["task"], row["size"], row["seed"])] = row["accuracy"]
    keys = sorted({k[1:] for k in rows if k[0] == first} & {k[1:] for k in rows if k[0] == second})
    for size in sorted({k[1] for k in keys}) + [None]:
        mine = [k for k in keys if size is None or k[1] == size]
        a = np.array([rows[(first, *k)] for k in mine])
        b = np.array([rows[(second, *k)] for k in mine])
        up, down = int((b > a).sum()), int((b < a).sum())
        p = binomtest(up, up + down, alternative="greater").pvalue if up + down else 1.0
        print(f"{'pooled' if size is None else f'size {size}'}: {len(mine)} pairs, mean "
              f"{first} {a.mean():.4f}, {second} {b.mean():.4f}; {second} better in {up}, "
              f"worse in {down}; sign test p = {p:.4f}")  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_SETS))
    parser.add_argument(
        "--models", nargs="+", default=["frnn", "w1", "b0", "minirocket", "hydra", "1nn"]
    )
    parser.add_argument("--set", type=U._setting, action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--jsonl", help="append each (task, seed, model)'s accuracy to this file")
    parser.add_argument("--pairs", nargs=3, metavar=("FILE", "A", "B"), help="compare two models")
    args = parser.parse_args(argv)
    if args.pairs:
        return pairs(*args.pairs)
    warnings.filterwarnings("ignore", category=UserWarning)  # aeon's on short series
    params = dict(args.set)
    print(U.machine(), f"; seeds {args.seeds}" + (f"; reservoir: {params}" if params else ""))
    print("| data set | n | " + " | ".join(args.models) + " |")
    print("| --- | ---: |" + " ---: |" * len(args.models))
    means: dict[str, list[float]] = {m: [] for m in args.models}
    for name in args.datasets:
        n, scores = accuracies(name, args.size, args.models, args.seeds, params)
        print(
            f"| {name} | {n} | " + " | ".join(f"{np.mean(scores[m]):.3f}" for m in args.models)
            + " |", flush=True,
        )  # fmt: skip
        for m in args.models:
            means[m].append(float(np.mean(scores[m])))
        if args.jsonl:
            with open(args.jsonl, "a") as out:
                for m in args.models:
                    for seed, value in zip(args.seeds, scores[m], strict=True):
                        label = m if m != "reservoir" else f"reservoir {params}"
                        row = {"task": name, "size": args.size, "seed": seed, "model": label}
                        out.write(json.dumps(row | {"accuracy": value}) + "\n")
    print("| **mean** | | " + " | ".join(f"{np.mean(means[m]):.3f}" for m in args.models) + " |")


if __name__ == "__main__":
    main()
