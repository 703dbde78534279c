"""How the neighbours' β is chosen: leave-one-out accuracy or leave-one-out log-loss.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/select_neighbour_rule.py
        small|cv [--seeds 0 1 2] [--datasets gunpoint coffee ...]

β of z + β·z_nn (:mod:`frnn.reservoir.neighbours`) is chosen from ``WEIGHTS`` on the
training series' leave-one-out outputs.  Rules compared, each picking the smallest β of
its best:

- ``accuracy``: the most series classified right (frnn's rule before §15 of
  ``results/reservoir_classifier.md``);
- ``acc+ll``: the same, its ties broken by the least log-loss;
- ``log-loss``: the least log-loss of softmax(τ·blend) at each β's best τ (frnn's rule,
  :func:`frnn.reservoir.neighbours.choose`).

One fit per split serves every rule: ``choose`` is patched to record the leave-one-out
outputs (and to keep the series, β = 1), then each rule's β blends the read-out's and the
neighbours' outputs of the held-out series.  ``small``: 30 training series per seed, as
``small_training_sets.py`` draws them, scored on the rest (a real set's training rest, a
generated task's test split); ``cv``: stratified 5-fold CV of the training split, one run
per seed.  No real test split is loaded.
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np
import small_training_sets as S
import ucr_accuracy as U
from sklearn.model_selection import StratifiedKFold

import frnn.reservoir.neighbours as N
from frnn.reservoir import ReservoirClassifier
from frnn.reservoir.calibration import temperature_losses

RECORD: dict = {}
_CHOOSE = N.choose


def _recording_choose(z_loo, nn, y_index, weights, sample_weight=None):
    RECORD.update(z=z_loo.copy(), nn=nn.copy(), y=np.asarray(y_index).copy())
    return 1.0


def rule(name: str, z, nn, y) -> float:
    if name == "log-loss":
        return _CHOOSE(z, nn, y, N.WEIGHTS)
    right = [np.mean(N.blend(z, nn, b).argmax(axis=1) == y) for b in N.WEIGHTS]
    best = [i for i, r in enumerate(right) if r == max(right)]
    if name == "acc+ll":
        return N.WEIGHTS[min(best, key=lambda i: temperature_losses(
            N.blend(z, nn, N.WEIGHTS[i]), y).min())]  # fmt: skip
    return N.WEIGHTS[best[0]]


RULES = ("accuracy", "acc+ll", "log-loss")


def evaluate(X, y, X_held, y_held, seed: int) -> dict[str, float]:
    """Held-out accuracy of each rule's β, from one fit on X, y."""
    clf = ReservoirClassifier(random_state=seed).fit(X, y)
    m = clf.model_
    z = m.readout_.predict(m._scaled(m.features_.transform(X_held)))  # (n, K) the read-out's
    nn = m.neighbours_.outputs(X_held)  # (n, K) the neighbours'
    out = {}
    for name in RULES:
        b = rule(name, RECORD["z"], RECORD["nn"], RECORD["y"])
        out[name] = float(np.mean(clf.classes_[N.blend(z, nn, b).argmax(axis=1)] == y_held))
    return out


def splits(name: str, mode: str, seed: int):
    X, y, X_test, y_test = U.load_split(name)
    if mode == "small":
        real = name in U.REAL
        index = S.draw(y, min(30, len(y) // 2) if real else 30, np.random.default_rng(100 + seed))
        held = np.setdiff1d(np.arange(len(y)), index)
        X_held, y_held = (U._rows(X, held), y[held]) if real else (X_test, y_test)
        yield U._rows(X, index), y[index], X_held, y_held
        return
    k = int(min(5, np.unique(y, return_counts=True)[1].min()))
    for train, held in StratifiedKFold(k, shuffle=True, random_state=seed).split(y, y):
        yield U._rows(X, train), y[train], U._rows(X, held), y[held]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("small", "cv"))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", choices=U.DATASETS)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    N.choose = _recording_choose
    # PigCVP has 52 classes of two series: 30 series cannot hold two of each
    names = args.datasets or [d for d in U.DATASETS if args.mode == "cv" or d != "pigcvp"]
    print(U.machine())
    print(f"| {args.mode}, seeds {args.seeds} | " + " | ".join(RULES) + " |")
    print("| --- |" + " ---: |" * len(RULES))
    means: dict[str, list[float]] = {r: [] for r in RULES}
    for name in names:
        runs = [
            evaluate(*split, seed) for seed in args.seeds for split in splits(name, args.mode, seed)
        ]
        row = {r: float(np.mean([run[r] for run in runs])) for r in RULES}
        print(f"| {name} | " + " | ".join(f"{row[r]:.3f}" for r in RULES) + " |", flush=True)
        for r in RULES:
            means[r].append(row[r])
    print("| **mean** | " + " | ".join(f"{np.mean(means[r]):.4f}" for r in RULES) + " |")
    print(json.dumps({r: float(np.mean(v)) for r, v in means.items()}))


if __name__ == "__main__":
    main()
