"""How accuracy falls when the series predicted are shorter (or longer) than the training series.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/lengths.py
        [--sets gunpoint coffee ...] [--model reservoir|bptt|regressor] [--folds 5]
        [--longer F] [--ratios 1 1.1 1.25 ...]

The evidence behind ``frnn.data.lengths.SHORT_FRACTION``, the fraction of the shortest
training length below which ``predict`` warns (:class:`frnn.LengthWarning`).  Training
splits only: each set's training series are cut into k stratified folds (k = 5, fewer where
a class has fewer series); the model is fitted on k − 1 of them and predicts the held-back
fold cut to a fraction of each series' length, keeping its start or its end.  The four real
sets' test splits are never read; the generated tasks (``generated.py``) give their training
split alone.

- shorter (the default): fitted on the series as they are; held-back series cut to the
  fractions 1, 0.9, 0.8, 0.75, 0.67, 0.6, 0.5, 0.25.
- ``--longer F``: fitted on the training series cut to the fraction F of their length
  (start, or end, kept); held-back series cut to F times 1, 1.25, 1.5, 2, 3, 4 (×1: the
  training length), as far as their whole length (F = 0.5: up to ×2; F = 0.25: up to ×4);
  ``--ratios`` names other multiples (a finer grid near 1).

The last row, "kept", is the median over the sets of the share of each set's accuracy
above chance (its largest class's share; 0 for R²) that the cut keeps:
(score − chance) / (score at ×1 − chance), leaving out a set less than 0.05 above chance
at ×1.

Models: ``reservoir`` is ``RNNClassifier(random_state=fold)`` (the default, which
``ReservoirClassifier`` shares); ``bptt`` is ``RNNClassifier(training="bptt",
n_ensemble=1, steps=2000)`` (a twentieth of the default's work), ``bptt-default``
``RNNClassifier(training="bptt")``; ``regressor`` is
``RNNRegressor`` (both modes) on a generated task: y the frequency of a noisy sine of
random phase (R² instead of accuracy).  Each cell is the accuracy over all folds, then the
mean of the largest probability of ``predict_proba`` (how sure the model says it is).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import ucr_accuracy as U
from generated import training_split
from sklearn.model_selection import KFold, StratifiedKFold

from frnn import RNNClassifier, RNNRegressor
from frnn.data.inputs import as_sequences

SHORTER = (1.0, 0.9, 0.8, 0.75, 0.67, 0.6, 0.5, 0.25)
RATIOS = (1.0, 1.25, 1.5, 2.0, 3.0, 4.0)  # --longer: held-back length / training length
DEFAULT_SETS = ("gunpoint", "coffee", "basicmotions", "pigcvp", "sine_square",
                "many_classes", "variable_length", "channels", "transients", "outlines",
                "harmonics", "counts", "daily", "gestures")  # fmt: skip


def series(name: str) -> tuple[list[np.ndarray], np.ndarray]:
    """A set's training split as a list of (T_i, D) series and labels (n,)."""
    if name == "frequency":
        return frequency(np.random.default_rng(1000), 150)
    if name in U.REAL:
        from frnn.data import load_dataset

        train = load_dataset(name).train
        x, lengths, y = train.X, train.lengths, train.y
    else:
        X, y = training_split(name)
        x, lengths, _ = as_sequences(X)  # (n, T, D), (n,)
    return [x[i, : lengths[i]] for i in range(len(x))], np.asarray(y)


def frequency(rng, n: int, T: int = 200) -> tuple[list[np.ndarray], np.ndarray]:
    """A generated regression task: y the frequency (cycles a step) of a noisy sine."""
    y = rng.uniform(1 / 40, 1 / 8, n)
    t = np.arange(T)
    X = np.sin(2 * np.pi * y[:, None] * t + rng.uniform(0, 2 * np.pi, (n, 1)))
    X = X + 0.3 * rng.standard_normal((n, T))
    return [x[:, None] for x in X], y


def cut(X: list[np.ndarray], fraction: float, keep: str) -> list[np.ndarray]:
    """Each series cut to ``fraction`` of its length (at least one step), its start or end kept."""
    out = []
    for s in X:
        L = max(1, round(fraction * len(s)))
        out.append(s[:L] if keep == "start" else s[len(s) - L :])
    return out


def model(kind: str, seed: int):
    if kind == "bptt-default":
        return RNNClassifier(training="bptt", random_state=seed)
    if kind == "bptt":
        return RNNClassifier(training="bptt", n_ensemble=1, steps=2000, random_state=seed)
    if kind == "regressor":
        return RNNRegressor(random_state=seed)
    if kind == "regressor-bptt":
        return RNNRegressor(training="bptt", n_ensemble=1, steps=2000, random_state=seed)
    return RNNClassifier(random_state=seed)


def folds(y: np.ndarray, k: int, seed: int, classify: bool):
    if not classify:
        return KFold(k, shuffle=True, random_state=seed).split(y)
    k = int(min(k, np.unique(y, return_counts=True)[1].min()))
    return StratifiedKFold(k, shuffle=True, random_state=seed).split(y, y)


def measure(
    name: str, kind: str, k: int, longer: float | None, ratios=RATIOS
) -> dict[tuple[str, float], tuple]:
    """{(keep, fraction): (score, mean largest probability or nan)} over the folds."""
    X, y = series(name)
    classify = not kind.startswith("regressor")
    fractions = fractions_of(longer, ratios)
    hits: dict = {(keep, f): [] for keep in ("start", "end") for f in fractions}
    sure: dict = {key: [] for key in hits}
    for fold, (train, held) in enumerate(folds(y, k, 0, classify)):
        fitted = None
        for keep in ("start", "end"):
            X_fit = [X[i] for i in train]
            if longer:  # a fit on each half: the series it sees begin or end as the held's
                fitted = model(kind, fold).fit(cut(X_fit, longer, keep), y[train])
            elif fitted is None:  # one fit on the whole series serves both cuts
                fitted = model(kind, fold).fit(X_fit, y[train])
            for f in fractions:
                X_held = cut([X[i] for i in held], f, keep)
                hits[keep, f].append(_scores(fitted, X_held, y[held], classify))
                if classify:
                    sure[keep, f].append(fitted.predict_proba(X_held).max(axis=1))
    return {
        key: (
            _pooled(hits[key], classify),
            float(np.mean(np.concatenate(sure[key]))) if classify else float("nan"),
        )
        for key in hits
    }


def fractions_of(longer: float | None, ratios=RATIOS) -> tuple[float, ...]:
    """The fractions of their length the held-back series are cut to."""
    if longer is None:
        return SHORTER
    return tuple(longer * r for r in ratios if longer * r <= 1.0 + 1e-9)


def _scores(fitted, X, y, classify: bool):
    predicted = fitted.predict(X)
    return (predicted == y) if classify else (predicted, y)


def _pooled(parts, classify: bool) -> float:
    """Accuracy over every held-back series, or R² of the pooled predictions."""
    if classify:
        return float(np.mean(np.concatenate(parts)))
    predicted = np.concatenate([p for p, _ in parts])
    y = np.concatenate([t for _, t in parts])
    return float(1 - np.sum((predicted - y) ** 2) / np.sum((y - y.mean()) ** 2))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=None)
    parser.add_argument(
        "--model",
        default="reservoir",
        choices=("reservoir", "bptt", "bptt-default", "regressor", "regressor-bptt"),
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--longer", type=float, default=None, metavar="F")
    parser.add_argument("--ratios", type=float, nargs="+", default=list(RATIOS),
                        help="with --longer: held-back length / training length")  # fmt: skip
    args = parser.parse_args(argv)
    if args.ratios[0] != 1.0:
        parser.error("--ratios must start with 1 (the training length, the reference)")
    regress = args.model.startswith("regressor")
    sets = args.sets or (["frequency"] if regress else list(DEFAULT_SETS))
    fractions = fractions_of(args.longer, args.ratios)
    what = "R²" if regress else "accuracy (mean largest probability)"
    head = [f"{keep} {f / (args.longer or 1):g}×" for keep in ("start", "end")
            for f in fractions]  # fmt: skip
    print(f"{args.model}, {args.folds} folds of the training split: {what}")
    print(f"{U.machine()}\n")
    print("| set | n | T | " + " | ".join(head) + " | s |")
    print("|---" * (len(head) + 4) + "|")
    columns = [(keep, f) for keep in ("start", "end") for f in fractions]
    kept = []
    for name in sets:
        started = time.perf_counter()
        X, y = series(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LeaveOneOutWarning on PigCVP's folds, the
            # LengthWarning of the cuts themselves: measured here, not shown
            table = measure(name, args.model, args.folds, args.longer, args.ratios)
        chance = 0.0 if regress else np.unique(y, return_counts=True)[1].max() / len(y)
        above = {keep: table[keep, fractions[0]][0] - chance for keep in ("start", "end")}
        kept.append(  # a set at chance at ×1 has nothing to keep: left out of the median
            [
                (table[c][0] - chance) / above[c[0]] if above[c[0]] > 0.05 else np.nan
                for c in columns
            ]
        )
        lengths = sorted({len(s) for s in X})
        T = str(lengths[0]) if len(lengths) == 1 else f"{lengths[0]}-{lengths[-1]}"
        cells = [
            f"{score:.3f}" + ("" if np.isnan(p) else f" ({p:.2f})")
            for (score, p) in (table[c] for c in columns)
        ]
        seconds = time.perf_counter() - started
        print(
            f"| {name} | {len(y)} | {T} | " + " | ".join(cells) + f" | {seconds:.0f} |", flush=True
        )
    median = np.nanmedian(np.array(kept), axis=0)  # (columns,)
    print("| kept (median) | | | " + " | ".join(f"{v:.2f}" for v in median) + " | |")


if __name__ == "__main__":
    main()
