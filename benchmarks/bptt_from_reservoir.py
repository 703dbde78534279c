"""Does BPTT gain from a reservoir start?  5-fold CV on training splits only.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bptt_from_reservoir.py gunpoint coffee

``RNNClassifier(training="bptt")`` with its defaults, started from its own initialisation
(W, R, V uniform in ±1/√I) or from a reservoir's (W with std(W x) ≈ 1, R Gaussian rescaled
to spectral radius 0.9; V as the default draws it), then trained by BPTT as usual.  The
default reservoir classifier's pooled PPV features are not differentiable, so this is the
nearest BPTT can come to fine-tuning it: a last-state network started as a reservoir.
"""

from __future__ import annotations

import math
import sys
import time
import warnings

import numpy as np
from sklearn.model_selection import StratifiedKFold

import frnn.training.ensemble as bptt
from frnn.datasets import load_dataset
from frnn.estimator import RNNClassifier

default_network = bptt.network


def reservoir_network(clf, D: int, K: int, rng):
    """The default network with W and R drawn as a reservoir's."""
    net = default_network(clf, D, K, rng)
    I = clf.hidden_size
    net.W = (rng.standard_normal((I, D)) / math.sqrt(D)).astype(clf.dtype)  # (I, D)
    R = rng.standard_normal((I, I)) / math.sqrt(I)  # (I, I)
    net.R = (R * 0.9 / np.max(np.abs(np.linalg.eigvals(R)))).astype(clf.dtype)
    return net


def main(names: list[str]) -> int:
    warnings.filterwarnings("ignore", message="The number of unique classes")
    print("| data set | start | CV accuracy | fit s |")
    print("| --- | --- | ---: | ---: |")
    starts = (
        ("default (uniform ±1/√I)", default_network),
        ("reservoir (ρ = 0.9)", reservoir_network),
    )
    for name in names:
        data = load_dataset(name)
        X, y = data.train.X, data.train.y  # the training split only
        for start, network in starts:
            bptt.network = network  # the trainer draws each network through this function
            scores, seconds = [], []
            for train, held in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
                started = time.perf_counter()
                clf = RNNClassifier(training="bptt", random_state=0).fit(X[train], y[train])
                seconds.append(time.perf_counter() - started)
                scores.append(clf.score(X[held], y[held]))
            print(f"| {name} | {start} | {np.mean(scores):.3f} | {np.mean(seconds):.2f} |")
    bptt.network = default_network
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["gunpoint", "coffee"]))
