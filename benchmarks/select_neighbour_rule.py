"""How the neighbours' β is chosen: leave-one-out accuracy, log-loss, and its ties.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/select_neighbour_rule.py
        small|cv [--seeds 0 1 2] [--size 30] [--datasets gunpoint coffee ...] [--loo]

β of z + β·z_nn (:mod:`frnn.reservoir.neighbours`) is chosen from ``WEIGHTS`` on the
training series' leave-one-out outputs.  Rules compared, each of ``WEIGHTS``:

- ``accuracy``: the most series classified right, the smallest β of ties (frnn's rule
  before §15 of ``results/reservoir_classifier.md``);
- ``acc+ll``: the same, its ties broken by the least log-loss;
- ``log-loss``: the least log-loss of softmax(τ·blend) at each β's best τ, the smallest
  β of ties (frnn's rule of §15);
- ``ll+margin``: the same, its ties broken by the largest relative margin (the smallest
  series' margin over their root mean square; frnn's rule since §16,
  :func:`frnn.reservoir.neighbours.choose`);
- ``ll+1nn``: ``ll+margin``, but β = ∞ (1-NN alone) wherever 1-NN is among the ties;
- ``ll+largest``: ``log-loss``, its ties to the largest β (a prior towards the neighbours);
- ``ll>=1nn``: the least log-loss among the β whose leave-one-out accuracy is at least
  1-NN's alone (a floor by leave-one-out);

and beside them the read-out alone (``β=0``) and 1-NN alone (``1-NN``).  One fit per
split serves every rule: ``choose`` is patched to record the leave-one-out outputs (and to
keep the series, β = 1), then each rule's β blends the read-out's and the neighbours'
outputs of the held-out series.  ``small``: ``--size`` training series per seed, as
``small_training_sets.py`` draws them (two of each class first), scored on the rest (a
real set's training rest, a generated task's test split); ``cv``: stratified 5-fold CV of
the training split, one run per seed.  No real test split is scored.  ``--loo`` prints,
per task and seed, each β's leave-one-out log-loss (at its best τ) and accuracy.  The
last lines count, per rule, the tasks where it is above and below ``log-loss``.
"""

from __future__ import annotations

import argparse
import json
import math
import warnings

import numpy as np
import small_training_sets as S
import ucr_accuracy as U
from sklearn.model_selection import StratifiedKFold

import frnn.reservoir.neighbours as N
from frnn.reservoir import ReservoirClassifier
from frnn.reservoir.calibration import temperature_losses

RECORD: dict = {}
_CHOOSE = N.choose  # the library's rule, held to ``ll+margin``
RULES = ("accuracy", "acc+ll", "log-loss", "ll+margin", "ll+1nn", "ll+largest", "ll>=1nn", "β=0",
         "1-NN")  # fmt: skip


def _recording_choose(z_loo, nn, y_index, weights, sample_weight=None):
    RECORD.update(z=z_loo.copy(), nn=nn.copy(), y=np.asarray(y_index).copy())
    return 1.0


def loo_table(z, nn, y) -> tuple[np.ndarray, np.ndarray]:
    """Each β's leave-one-out log-loss at its best τ and accuracy, (len(WEIGHTS),) each."""
    blends = [N.blend(z, nn, b) for b in N.WEIGHTS]
    losses = np.array([temperature_losses(b, y).min() for b in blends])
    return losses, np.array([np.mean(b.argmax(axis=1) == y) for b in blends])


def rule(name: str, z, nn, y) -> float:
    """The β of ``WEIGHTS`` that rule ``name`` takes from the leave-one-out outputs."""
    if name in ("β=0", "1-NN"):
        return 0.0 if name == "β=0" else math.inf
    losses, right = loo_table(z, nn, y)
    best = losses if name.startswith("l") else -right  # the least is the best
    if name == "ll>=1nn":
        best = np.where(right >= right[-1], losses, np.inf)  # WEIGHTS[-1]: ∞, 1-NN alone
    tied = np.flatnonzero(best == best.min())
    if name == "ll+largest":
        tied = [tied[-1]]
    elif name == "acc+ll":
        tied = [min(tied, key=lambda i: losses[i])]
    elif name == "ll+1nn" and N.WEIGHTS[tied[-1]] == math.inf:
        tied = [tied[-1]]
    elif name == "ll+margin" or name == "ll+1nn":
        margins = [N.relative_margin(N.blend(z, nn, N.WEIGHTS[i]), y) for i in tied]
        tied = [tied[int(np.argmax(margins))]]
    return N.WEIGHTS[tied[0]]


def evaluate(X, y, X_held, y_held, seed: int) -> tuple[dict[str, float], tuple]:
    """Held-out accuracy of each rule's β, from one fit on X, y; and the LOO table."""
    clf = ReservoirClassifier(random_state=seed).fit(X, y)
    m = clf.model_
    z = m.readout_.predict(m._scaled(m.features_.transform(X_held)))  # (n, K) the read-out's
    nn = m.neighbours_.outputs(X_held)  # (n, K) the neighbours'
    assert rule("ll+margin", RECORD["z"], RECORD["nn"], RECORD["y"]) == _CHOOSE(
        RECORD["z"], RECORD["nn"], RECORD["y"], N.WEIGHTS
    ), "the library's choose is not ll+margin"
    out = {}
    for name in RULES:
        b = rule(name, RECORD["z"], RECORD["nn"], RECORD["y"])
        out[name] = float(np.mean(clf.classes_[N.blend(z, nn, b).argmax(axis=1)] == y_held))
    return out, loo_table(RECORD["z"], RECORD["nn"], RECORD["y"])


def splits(name: str, mode: str, seed: int, size: int = 30):
    if mode == "small":
        yield S.split(name, size, seed)
        return
    X, y = U.load_split(name)[:2]
    k = int(min(5, np.unique(y, return_counts=True)[1].min()))
    for train, held in StratifiedKFold(k, shuffle=True, random_state=seed).split(y, y):
        yield U._rows(X, train), y[train], U._rows(X, held), y[held]


def _print_loo(name: str, seed: int, tables: list[tuple]) -> None:
    losses, right = (np.mean([t[i] for t in tables], axis=0) for i in (0, 1))
    print(f"|   {name} seed {seed}: LOO log-loss " + " ".join(f"{v:.3g}" for v in losses)
          + " ; LOO accuracy " + " ".join(f"{v:.3f}" for v in right) + " |")  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("small", "cv"))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--size", type=int, default=30, help="training series in small mode")
    parser.add_argument("--datasets", nargs="+", choices=U.DATASETS)
    parser.add_argument("--loo", action="store_true", help="print each β's LOO loss, accuracy")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    N.choose = _recording_choose
    # PigCVP has 52 classes of two series: 30 series cannot hold two of each
    names = args.datasets or [d for d in U.DATASETS if args.mode == "cv" or d != "pigcvp"]
    print(U.machine())
    what = f"{args.mode}{f' {args.size}' if args.mode == 'small' else ''}, seeds {args.seeds}"
    print(f"| {what} | " + " | ".join(RULES) + " |")
    print("| --- |" + " ---: |" * len(RULES))
    if args.loo:
        print(f"|   (β = {', '.join(f'{b:g}' for b in N.WEIGHTS)}) |")
    rows: dict[str, dict[str, float]] = {}
    for name in names:
        runs = []
        for seed in args.seeds:
            done = [evaluate(*split, seed) for split in splits(name, args.mode, seed, args.size)]
            runs += [d[0] for d in done]
            if args.loo:
                _print_loo(name, seed, [d[1] for d in done])
        rows[name] = {r: float(np.mean([run[r] for run in runs])) for r in RULES}
        print(f"| {name} | " + " | ".join(f"{rows[name][r]:.3f}" for r in RULES) + " |", flush=True)
    print("| **mean** | " + " | ".join(
        f"{np.mean([row[r] for row in rows.values()]):.4f}" for r in RULES) + " |")  # fmt: skip
    for r in RULES:
        d = np.array([row[r] - row["log-loss"] for row in rows.values()])
        below = [n for n, row in rows.items() if row[r] < row["1-NN"] - 1e-12]
        print(f"{r}: above log-loss on {int((d > 1e-12).sum())} tasks, below on "
              f"{int((d < -1e-12).sum())}; below 1-NN on {below}")  # fmt: skip
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
