"""Issue 22, lead 1: does the read-out gain from columns that keep *where* things happen?

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/position_columns.py [--tasks ...]

The default reservoir features (seed 0) of each task's TRAINING split, with appended
columns: the piecewise aggregate approximation (segment means over P equal parts of each
series' own length) of the z-normalised series ("x") and/or of the series standardised
over the training set ("lvl"), each column scaled to unit variance and then multiplied by w
(its weight in the ridge's penalty).  Score: leave-one-out accuracy of the ridge read-out
(α by leave-one-out squared error), as ``select_defaults.py`` scores; no test split is read.
The last column is 1-NN ED's leave-one-out accuracy (equal lengths only).
"""

from __future__ import annotations

import argparse

import numpy as np
import select_defaults as sd

from frnn.data.inputs import as_sequences, standardise, znormalise
from frnn.reservoir import ReservoirClassifier, ReservoirFeatures, ridge_loo

# (P segments, weight w, which series); (0, 0, ...) is the features alone
CONFIGS = [(0, 0, "x+lvl")] + [(P, w, "x+lvl") for P in (8, 16) for w in (1, 3, 10)]
CONFIGS += [(16, 3, "x"), (16, 3, "lvl")]


def segment_means(x: np.ndarray, lengths: np.ndarray, P: int) -> np.ndarray:
    """(n, T, D) zero-padded -> (n, P·D): the means over P equal parts of each series."""
    n, T, D = x.shape
    c = np.concatenate([np.zeros((n, 1, D)), np.cumsum(x, axis=1)], axis=1)  # (n, T + 1, D)
    edges = np.floor(np.arange(P + 1)[None, :] * lengths[:, None] / P).astype(int)  # (n, P + 1)
    edges[:, 1:] = np.maximum(edges[:, 1:], edges[:, :-1] + 1)
    edges = np.minimum(edges, lengths[:, None])
    low = np.take_along_axis(c, edges[:, :-1, None], 1)  # (n, P, D)
    high = np.take_along_axis(c, edges[:, 1:, None], 1)
    width = np.maximum(edges[:, 1:] - edges[:, :-1], 1)[:, :, None]
    return ((high - low) / width).reshape(n, -1)


def _scaled(F: np.ndarray) -> np.ndarray:
    return (F - F.mean(axis=0)) / np.maximum(F.std(axis=0), 1e-12)


def _loo(F: np.ndarray, y: np.ndarray) -> float:
    classes, y_index = np.unique(y, return_inverse=True)
    Y = 2.0 * np.eye(len(classes))[y_index] - 1.0
    fit = ridge_loo(F, Y, ReservoirClassifier().alphas)
    return float((fit.loo.argmax(axis=1) == y_index).mean())


def _nn_loo(Z: np.ndarray, y: np.ndarray) -> float:
    d = ((Z[:, None] - Z[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return float((y[d.argmin(axis=1)] == y).mean())


def row(task: str) -> list[float]:
    X, y = sd.training_split(task, 0)
    y = np.asarray(y)
    features = ReservoirFeatures(random_state=0)
    F = _scaled(features.fit(X).transform(X))
    x, lengths, _ = as_sequences(X)
    series = {
        "x": znormalise(x, lengths),
        "lvl": standardise(x, lengths, features.level_mean_, features.level_std_),
    }
    out = []
    for P, w, kinds in CONFIGS:
        if P == 0:
            out.append(_loo(F, y))
            continue
        P = min(P, int(lengths.min()))
        extra = np.hstack([segment_means(series[k], lengths, P) for k in kinds.split("+")])
        out.append(_loo(np.hstack([F, w * _scaled(extra)]), y))
    equal = lengths.min() == lengths.max()
    out.append(_nn_loo(x.reshape(len(x), -1), y) if equal else float("nan"))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(sd.REAL + sd.SYNTHETIC))
    args = parser.parse_args(argv)
    names = [f"P={P} w={w} {k}" if P else "features alone" for P, w, k in CONFIGS]
    print("| task | " + " | ".join(names) + " | 1-NN ED |")
    print("| --- |" + " ---: |" * (len(names) + 1))
    rows = []
    for task in args.tasks:
        rows.append(row(task))
        print(f"| {task} | " + " | ".join(f"{v:.3f}" for v in rows[-1]) + " |", flush=True)
    means = np.nanmean(np.array(rows), axis=0)
    print("| mean | " + " | ".join(f"{v:.3f}" for v in means) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
