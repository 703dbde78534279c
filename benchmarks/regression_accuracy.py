"""RNNRegressor beside aeon's regressors, a ridge on the raw series and k-NN, on generated tasks.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 PYTHONPATH=src /tmp/bvenv/bin/python \\
        benchmarks/regression_accuracy.py [--tasks trend period ...] [--seeds 0 1 2]
        [--models frnn minirocket mr-hydra hydra ridge knn] [--set k=v ...] [--label NAME]
        [--test] [--out rows.jsonl]
    ... --summary rows.jsonl [--baseline frnn]     the tables and the sign tests

Tasks: ``generated_regression.py`` (training split from seed 1000, test split from seed
2000).  Each model is scored by 5-fold CV R² on the training split (``KFold(5,
shuffle=True, random_state=seed)``, the model's ``random_state=seed`` too), for each seed;
with ``--test`` instead, fitted once on the whole training split (seed 0) and scored on the
test split: run that once, at the end, after every choice.  Fit seconds are each fit's wall
seconds (on a shared machine: indicative only).

Models: ``frnn`` is ``RNNRegressor(random_state=seed)``; ``--set`` changes its reservoirs
one knob at a time: a ReservoirFeatures parameter (``statistics=mean,max``,
``normalise=True``, ``level_fraction=0.5``, ``recurrence=orthogonal``, ``dtype=float32``),
an estimator parameter (``n_reservoirs=96``, ``hidden_size=64``) or the weights ω of the
statistics that the read-out tries (``omegas=1,0.5,2,0.25,4``: the classifier's);
``--label`` names the row.  The
anchors: aeon's ``MiniRocketRegressor``, ``MultiRocketHydraRegressor`` and
``HydraRegressor`` (their defaults, ``random_state=seed``), scikit-learn's ``RidgeCV`` on
the flattened series (standardised columns, α in 10⁻³…10⁶) and ``KNeighborsRegressor``
(k = 5, distance-weighted, on the standardised flattened series).  Rows go to ``--out``
(JSON lines, appended), one per task, model and seed (or test).

``--summary``: per task the mean CV R² over the seeds of every row label, frnn's default
beside the best anchor; and for every label against ``--baseline``, the sign test over
tasks × seeds (wins, losses, the two-sided binomial p), the mean CV R² and the worst
task's change.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import time
import warnings
from collections import defaultdict

import generated_regression
import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from frnn import RNNRegressor
from frnn.regressor.task import Regression

ANCHORS = ("minirocket", "mr-hydra", "hydra", "ridge", "knn")
ESTIMATOR_KNOBS = ("n_reservoirs", "hidden_size")


def _value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def frnn_factory(settings: dict):
    """A function seed -> an RNNRegressor whose reservoirs depart from the default by
    ``settings`` (ReservoirFeatures' parameters, estimator parameters, ω)."""
    settings = dict(settings)
    params = {k: settings.pop(k) for k in ESTIMATOR_KNOBS if k in settings}
    omegas = settings.pop("omegas", None)
    if "statistics" in settings and isinstance(settings["statistics"], str):
        settings["statistics"] = tuple(settings["statistics"].split(","))
    cls = RNNRegressor
    if settings or omegas:

        class Task(Regression):
            def statistics_weights(self, est):
                return tuple(float(w) for w in omegas) if omegas else (1.0,)

        namespace = {
            "_reservoir_settings": RNNRegressor._reservoir_settings | settings,
            "_task": Task(),
        }
        cls = type("Variant", (RNNRegressor,), namespace)
    return lambda seed: cls(random_state=seed, **params)


def anchor_factory(name: str):
    """A function seed -> the anchor ``name``, fitted on (n, T, D) arrays."""
    if name in ("ridge", "knn"):
        model = (
            RidgeCV(alphas=np.logspace(-3, 6, 19))
            if name == "ridge"
            else KNeighborsRegressor(5, weights="distance")
        )
        return lambda seed: Flat(make_pipeline(StandardScaler(), model))
    import aeon.regression.convolution_based as aeon

    cls = {
        "minirocket": aeon.MiniRocketRegressor,
        "mr-hydra": aeon.MultiRocketHydraRegressor,
        "hydra": aeon.HydraRegressor,
    }[name]
    return lambda seed: Aeon(cls(random_state=seed))


class Flat:
    """An sklearn regressor on the flattened series (n, T·D)."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):
        self.model.fit(X.reshape(len(X), -1), y)
        return self

    def predict(self, X):
        return self.model.predict(X.reshape(len(X), -1))


class Aeon:
    """An aeon regressor on (n, T, D) series: aeon reads (n_cases, n_channels, n_timepoints)."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):
        self.model.fit(np.ascontiguousarray(X.transpose(0, 2, 1)), y)
        return self

    def predict(self, X):
        return self.model.predict(np.ascontiguousarray(X.transpose(0, 2, 1)))


def as_3d(X):
    X = np.asarray(X, dtype=np.float64)
    return X[:, :, None] if X.ndim == 2 else X


def cv_row(make, X, y, seed: int) -> dict:
    """5-fold CV R² (mean over folds) and the fits' mean wall seconds."""
    scores, seconds = [], []
    for train, test in KFold(5, shuffle=True, random_state=seed).split(X):
        model = make(seed)
        started = time.perf_counter()
        model.fit(X[train], y[train])
        seconds.append(time.perf_counter() - started)
        scores.append(r2_score(y[test], model.predict(X[test])))
    return {"r2": float(np.mean(scores)), "folds": scores, "fit_s": float(np.mean(seconds))}


def test_row(make, X, y, X_test, y_test) -> dict:
    model = make(0)
    started = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - started
    return {"r2": float(r2_score(y_test, model.predict(X_test))), "fit_s": seconds}


def run(args) -> None:
    settings = dict(kv.split("=", 1) for kv in args.set)
    settings = {k: _value(v) for k, v in settings.items()}
    if isinstance(settings.get("omegas"), str):
        settings["omegas"] = [float(w) for w in settings["omegas"].split(",")]
    factories = {}
    for name in args.models:
        if name == "frnn":
            label = args.label or ("frnn" if not settings else "frnn " + " ".join(args.set))
            factories[label] = frnn_factory(settings)
        else:
            factories[name] = anchor_factory(name)
    machine = f"{platform.processor() or platform.machine()}, load {os.getloadavg()[0]:.1f}"
    for task in args.tasks:
        X, y, X_test, y_test = generated_regression.split(task)
        X, X_test = as_3d(X), as_3d(X_test)
        for label, make in factories.items():
            rows = (
                [{"split": "test", **test_row(make, X, y, X_test, y_test)}]
                if args.test
                else [{"split": "cv", "seed": s, **cv_row(make, X, y, s)} for s in args.seeds]
            )
            for row in rows:
                row = {"task": task, "model": label, "machine": machine, **row}
                print(json.dumps({k: v for k, v in row.items() if k != "folds"}), flush=True)
                if args.out:
                    with open(args.out, "a") as f:
                        f.write(json.dumps(row) + "\n")


def sign_p(wins: int, losses: int) -> float:
    """Two-sided binomial sign-test p (ties dropped): scipy's ``binomtest``."""
    from scipy.stats import binomtest

    return binomtest(wins, wins + losses).pvalue if wins + losses else 1.0


def _rows(path: str) -> tuple[dict, dict, dict]:
    """CV R² {(label, task): {seed: r2}}, fit seconds {label: [s]}, test R² {(label, task): r2}."""
    cv, fit, test = defaultdict(dict), defaultdict(list), {}
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            if row["split"] == "cv":
                cv[row["model"], row["task"]][row["seed"]] = row["r2"]
                fit[row["model"]].append(row["fit_s"])
            else:
                test[row["model"], row["task"]] = row["r2"]
    return cv, fit, test


def _table(values: dict, labels: list, fit: dict | None = None) -> None:
    """One row per label: its value on each task (mean over seeds), the mean, fit seconds."""
    tasks = [t for t in generated_regression.GENERATED if any((m, t) in values for m in labels)]
    extra = " fit s (loaded) |" if fit else ""
    print(f"| model | {' | '.join(tasks)} | mean |{extra}")
    print("|---" * (len(tasks) + 2 + bool(fit)) + "|")
    for label in labels:
        means = [np.mean(values.get((label, t), np.nan)) for t in tasks]
        cells = " | ".join(f"{m:.3f}" for m in means)
        seconds = f" {np.mean(fit[label]):.2f} |" if fit else ""
        print(f"| {label} | {cells} | {np.nanmean(means):.3f} |{seconds}")


def _signs(cv: dict, labels: list, baseline: str) -> None:
    """Each label against ``baseline``: the sign test over tasks × seeds, the mean CV R²
    over the tasks both ran, its change and the worst task's change."""
    print(f"\n| against {baseline} | wins | losses | sign p | mean CV R² | Δ mean | worst task Δ |")
    print("|---|---|---|---|---|---|---|")
    for label in labels:
        if label == baseline or label in ANCHORS:
            continue
        common = [t for (m, t) in cv if m == label and (baseline, t) in cv]
        pairs = [
            (r2, cv[baseline, t][s]) for t in common for s, r2 in cv[label, t].items()
            if s in cv[baseline, t]
        ]  # fmt: skip
        wins, losses = sum(a > b for a, b in pairs), sum(a < b for a, b in pairs)
        delta = {t: np.mean(list(cv[label, t].values())) - np.mean(list(cv[baseline, t].values()))
                 for t in common}  # fmt: skip
        new = np.mean([np.mean(list(cv[label, t].values())) for t in common])
        worst = min(delta, key=delta.get)
        print(
            f"| {label} | {wins} | {losses} | {sign_p(wins, losses):.2g} | {new:.3f} | "
            f"{np.mean(list(delta.values())):+.3f} | {worst} {delta[worst]:+.3f} |"
        )


def summary(path: str, baseline: str) -> None:
    cv, fit, test = _rows(path)
    labels = list(dict.fromkeys(label for label, _ in cv))
    if cv:
        _table({k: list(v.values()) for k, v in cv.items()}, labels, fit)
    if baseline in labels:
        _signs(cv, labels, baseline)
    if test:
        print("\nTest split (fitted once on the training split, seed 0):\n")
        _table(test, list(dict.fromkeys(m for m, _ in test)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(generated_regression.GENERATED))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=["frnn", *ANCHORS])
    parser.add_argument("--set", nargs="*", default=[])
    parser.add_argument("--label")
    parser.add_argument("--test", action="store_true")
    parser.add_argument("--out")
    parser.add_argument("--summary")
    parser.add_argument("--baseline", default="frnn")
    args = parser.parse_args(argv)
    if args.summary:
        return summary(args.summary, args.baseline)
    warnings.simplefilter("ignore", category=FutureWarning)
    run(args)


if __name__ == "__main__":
    main()
