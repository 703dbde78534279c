"""frnn's choices by leave-one-out on small training sets, beside fixed ones and the anchors.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/small_training_sets.py
        [--size 30] [--datasets gunpoint coffee ...] [--models frnn w1 b0 minirocket ...]

Many real sets have a few dozen training series, where a choice made by leave-one-out
(the ridge's α, the statistics' weight ω, the neighbours' β) rests on little evidence.
For each set and seeds 0, 1, 2: ``--size`` training series drawn at random (two of each
class first), the model fitted on them and scored on the rest: a generated task's own test
split, or, for the four real sets, the rest of their training split (half of it at most
is drawn; their test splits are never loaded here).  Models: ``frnn`` is
``RNNClassifier(random_state=seed)``; ``w1`` the reservoir classifier with ω fixed at 1;
``b0`` with β fixed at 0; ``minirocket``, ``hydra``, ``mr-hydra``, ``1nn`` the anchors of
``ucr_accuracy.py`` (the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import ucr_accuracy as U

FIXED = {"w1": {"statistics_weights": (1.0,)}, "b0": {"neighbour_weight": 0.0}}
DEFAULT_SETS = ("gunpoint", "coffee", "basicmotions", "sinesquare", "sine_square",
                "long_motif", "variable_length", "channels", "levels", "strokes")  # fmt: skip


def model(kind: str, seed: int):
    if kind == "frnn":
        return U.frnn_model("default", seed, {})
    if kind in FIXED:
        return U.frnn_model("reservoir", seed, FIXED[kind])
    return U.Anchor(kind, random_state=seed)


def draw(y: np.ndarray, size: int, rng) -> np.ndarray:
    """Indices of ``size`` series: two of each class, then the rest at random."""
    first = [rng.permutation(np.flatnonzero(y == c))[:2] for c in np.unique(y)]
    index = np.concatenate(first)
    rest = rng.permutation(np.setdiff1d(np.arange(len(y)), index))
    return np.concatenate([index, rest[: max(0, size - len(index))]])


def accuracies(name: str, size: int, models: list[str]) -> tuple[int, dict[str, float]]:
    X, y, X_test, y_test = U.load_split(name)
    real = name in U.REAL
    scores: dict[str, list[float]] = {m: [] for m in models}
    for seed in range(3):
        index = draw(y, min(size, len(y) // 2) if real else size, np.random.default_rng(100 + seed))
        held = np.setdiff1d(np.arange(len(y)), index)
        X_held, y_held = (U._rows(X, held), y[held]) if real else (X_test, y_test)
        for m in models:
            fitted = model(m, seed).fit(U._rows(X, index), y[index])
            scores[m].append(float(np.mean(fitted.predict(X_held) == y_held)))
    return len(index), {m: float(np.mean(v)) for m, v in scores.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_SETS))
    parser.add_argument(
        "--models", nargs="+", default=["frnn", "w1", "b0", "minirocket", "hydra", "1nn"]
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)  # aeon's on short series
    print(U.machine())
    print("| data set | n | " + " | ".join(args.models) + " |")
    print("| --- | ---: |" + " ---: |" * len(args.models))
    means: dict[str, list[float]] = {m: [] for m in args.models}
    for name in args.datasets:
        n, score = accuracies(name, args.size, args.models)
        print(f"| {name} | {n} | " + " | ".join(f"{score[m]:.3f}" for m in args.models) + " |")
        for m in args.models:
            means[m].append(score[m])
    print("| **mean** | | " + " | ".join(f"{np.mean(means[m]):.3f}" for m in args.models) + " |")


if __name__ == "__main__":
    main()
