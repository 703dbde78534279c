"""How RNNRegressor's reservoir defaults were chosen: 5-fold CV on generated training sets.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/select_regression_defaults.py [ROW ...]
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/select_regression_defaults.py bptt

Tasks (all generated here; nothing is a test split): the adding problem (T = 50, 100),
a noisy sine's amplitude and its frequency (T = 100, variable phase, noise σ = 0.3).
Each row changes one ingredient of the reservoir features; the score is the 5-fold CV R²
of the ridge read-out (α by leave-one-out inside each fold).  Inputs are standardised
per channel with the training fold's mean and std when ``normalise`` is False.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.model_selection import KFold

from frnn.data.synthetic import adding
from frnn.reservoir import ReservoirFeatures, ridge_loo


def noisy_sine(n, rng, what, length=100):
    t = np.arange(length)
    amplitude = rng.uniform(0.5, 2.0, n)
    frequency = rng.uniform(0.02, 0.1, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    x = amplitude[:, None] * np.sin(2 * np.pi * frequency[:, None] * t + phase[:, None])
    x += 0.3 * rng.standard_normal(x.shape)
    return x[:, :, None], amplitude if what == "amplitude" else frequency


TASKS = {
    "adding50": lambda rng: adding(600, rng, 50),
    "adding100": lambda rng: adding(600, rng, 100),
    "amplitude": lambda rng: noisy_sine(600, rng, "amplitude"),
    "frequency": lambda rng: noisy_sine(600, rng, "frequency"),
}

GRID = {
    "classifier defaults (normalise)": {},
    "normalise=False": {"normalise": False},
    "normalise=False, +last": {"normalise": False, "statistics": ("mean", "max", "last", "ppv")},
    "normalise=False, mean+last": {"normalise": False, "statistics": ("mean", "last")},
    "normalise=False, window=frame": {"normalise": False, "window": "frame"},
    "normalise=False, centred=False": {"normalise": False, "centred": False},
    # round 2, from the best of round 1
    "normalise=False, mean+last, frame": {
        "normalise": False,
        "statistics": ("mean", "last"),
        "window": "frame",
    },
    "normalise=False, last": {"normalise": False, "statistics": ("last",)},
    "normalise=False, mean": {"normalise": False, "statistics": ("mean",)},
    "normalise=False, mean+last, 96 reservoirs": {
        "normalise": False,
        "statistics": ("mean", "last"),
        "n_reservoirs": 96,
    },
}


def cv_r2(params, X, y, seed=0):
    scores = []
    for train, test in KFold(5, shuffle=True, random_state=seed).split(X):
        xtr, xte = X[train], X[test]
        if not params.get("normalise", True):
            mean, std = xtr.mean(axis=(0, 1)), xtr.std(axis=(0, 1))
            xtr, xte = (xtr - mean) / std, (xte - mean) / std
        f = ReservoirFeatures(**params, random_state=seed).fit(xtr)
        Ftr, Fte = f.transform(xtr), f.transform(xte)
        mu, sd = Ftr.mean(0), Ftr.std(0)
        sd[sd < 1e-12] = 1
        fit = ridge_loo((Ftr - mu) / sd, y[train, None], np.logspace(-3, 3, 10))
        pred = fit.predict((Fte - mu) / sd)[:, 0]
        scores.append(1 - np.mean((y[test] - pred) ** 2) / np.var(y[test]))
    return float(np.mean(scores))


BPTT_GRID = {
    "defaults": {},
    "validation_fraction=0.2": {"validation_fraction": 0.2},
    "weight_decay=1e-3": {"weight_decay": 1e-3},
}


def bptt_cv() -> None:
    """RNNRegressor(training="bptt") variants: 3-fold CV R² on the adding problem."""
    from frnn import RNNRegressor

    data = {name: TASKS[name](np.random.default_rng(1)) for name in ("adding50", "adding100")}
    print("| training='bptt' | adding50 | adding100 | mean | seconds |\n|---|---|---|---|---|")
    for label, params in BPTT_GRID.items():
        started, r2 = time.perf_counter(), []
        for X, y in data.values():
            folds = KFold(3, shuffle=True, random_state=0).split(X)
            model = RNNRegressor(training="bptt", random_state=0, **params)
            r2.append(np.mean([model.fit(X[a], y[a]).score(X[b], y[b]) for a, b in folds]))
        seconds = time.perf_counter() - started
        cells = " | ".join(f"{v:.3f}" for v in r2)
        print(f"| {label} | {cells} | {np.mean(r2):.3f} | {seconds:.0f} |", flush=True)


def main():
    import sys

    if sys.argv[1:] == ["bptt"]:
        return bptt_cv()
    rows = [int(i) for i in sys.argv[1:]] or range(len(GRID))  # a subset: row numbers
    data = {name: make(np.random.default_rng(1)) for name, make in TASKS.items()}
    print(f"| configuration | {' | '.join(TASKS)} | mean | seconds |")
    print("|---" * (len(TASKS) + 3) + "|")
    for i, (label, params) in enumerate(GRID.items()):
        if i not in rows:
            continue
        started = time.perf_counter()
        r2 = [cv_r2(params, *data[name]) for name in TASKS]
        seconds = time.perf_counter() - started
        cells = " | ".join(f"{v:.3f}" for v in r2)
        print(f"| {label} | {cells} | {np.mean(r2):.3f} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
