"""Why the default classifier trails with few training series: its choices against others.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/few_series.py
        [--size 30] [--seeds 0 1 2 3 4 5] [--datasets gunpoint ...] [--cache DIR]
        [--set NAME=VALUE ...] [--augment COPIES FRACTION] [--rules baseline default ...]
        [--choices]

For each task and seed, ``--size`` training series drawn as ``small_training_sets.py``
draws them (two of each class first; scored on a generated task's test split or on the
rest of a real set's training split: no real test split is read).  One fit of
``ReservoirClassifier(random_state=seed)`` (with ``--set``'s parameters) gives the
features; then the ridge read-out is solved at every (ω, α) of the grids (the library's,
``STATISTICS_WEIGHTS`` and ``ALPHAS``, and wider ones: ω up to 16 and down to 1/8, α up
to 10^6.3) and blended with the nearest series at every β; for each, the leave-one-out,
fitted and held-out outputs are kept (``--cache``: one ``.npz`` per split, so that rules
are compared without computing the features again).

A *rule* picks (ω, α, β) from the training series alone; its held-out accuracy is the
table's cell.  ``default`` is the library's rule (least leave-one-out squared error, then
``neighbours.choose``; asserted equal to the fitted classifier's predictions), ``wideA``,
``wideW``, ``wide`` the same on wider α, ω or both grids, ``ll`` (ω, α) by the ridge's
leave-one-out log-loss, ``llu-wide(A)`` by that of z in units of its spread (scale-free,
as a large α shrinks z), ``gcv`` and ``gcvc`` by generalised cross-validation and its
small-sample form (Boonstra, Mukherjee and Taylor 2015), ``w1`` ω = 1, ``b0`` β = 0,
``avg5`` the outputs of the five (ω, α) of least error averaged.  ``oracle-lib`` and
``oracle`` are the best (ω, α, β) of each split on its *held-out* series (the library's
grids, the wider ones): for the diagnosis only, never a choice.  ``baseline`` is the
library's default on the same split (no ``--set``, no crops); ``plain`` the classifier
fitted with ``--set`` but without crops; ``either`` (with ``--augment``) the crops' fit or
the baseline, whichever has the lesser least leave-one-out error.  The last lines count
the (task, seed) pairs where each rule is above and below the first one listed, with a
sign test's p.

``--augment COPIES FRACTION`` fits the ridge on the series and ``COPIES`` random crops of
each (a window of ``FRACTION`` of its length at a random start, not stretched: window
slicing, a known remedy for small training sets), the reservoirs and their thresholds
those of the series alone; its leave-one-out leaves each series out with its crops
(exactly, a dual fit per series from the Gram matrices), and ``default`` is then the
library's rule on that leave-one-out.

``--choices`` prints per task the (ω, α, β) the default took on each seed, its accuracy,
the ridge alone (β = 0) at its (ω, α), and, read from the held-out series, the best
(ω, α) of the ridge alone and the best (ω, α, β) fixed over the task's seeds, and the
per-split oracle; then the best single (ω, α, β) over every task and seed.
"""

from __future__ import annotations

import argparse
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np
import small_training_sets as S
import ucr_accuracy as U
from scipy.stats import binomtest

from frnn.data.inputs import as_sequences
from frnn.reservoir import ReservoirClassifier
from frnn.reservoir.calibration import temperature_losses
from frnn.reservoir.neighbours import WEIGHTS, Neighbours, blend, choose
from frnn.reservoir.readout import STATISTICS_WEIGHTS, feature_scaling
from frnn.reservoir.ridge import ALPHAS, ridge_loo

TASKS = S.DEFAULT_SETS + ("daily", "transients", "outlines", "gestures")
# The grids the read-outs are solved on: the library's first (so its rule can be replayed
# on them), then wider ones, α on the same logarithmic step beyond 10³ and ω beyond 4.
OMEGAS = STATISTICS_WEIGHTS + (8.0, 16.0, 0.125)
GRID_ALPHAS = np.concatenate([ALPHAS, 10.0 ** (3 + np.arange(1, 6) * 2 / 3)])
LIBRARY = (range(len(STATISTICS_WEIGHTS)), range(len(ALPHAS)))
WIDE = (range(len(OMEGAS)), range(len(GRID_ALPHAS)))


@dataclass
class Split:
    """One split's read-outs at every (ω, α): LOO, fitted and held-out z (W, A, n|m, K), the
    neighbours' (n|m, K), LOO squared errors (W, A), the classes, the default's accuracy."""

    z_loo: np.ndarray
    z_fit: np.ndarray
    z_held: np.ndarray
    nn_loo: np.ndarray
    nn_held: np.ndarray
    error: np.ndarray
    y: np.ndarray
    y_held: np.ndarray
    default: float

    def accuracy(self, w: int, a: int, beta: float) -> float:
        z = blend(self.z_held[w, a], self.nn_held, beta)
        return float(np.mean(z.argmax(axis=1) == self.y_held))


def compute(X, y, X_held, y_held, seed: int, params: dict) -> Split:
    """Fit the default once; the read-out at every (ω, α) and the neighbours beside it."""
    clf = ReservoirClassifier(random_state=seed, **params).fit(X, y)
    y_index = np.searchsorted(clf.classes_, y)
    held_index = np.searchsorted(clf.classes_, y_held)
    default = float(np.mean(clf.predict(X_held) == y_held))
    m = clf.model_
    F, F_held = m.features_.transform(X), m.features_.transform(X_held)  # (n, p), (m, p)
    mean, scale = feature_scaling(F)
    others = ~m.features_.columns("ppv")
    Y = 2.0 * np.eye(len(clf.classes_))[y_index] - 1.0  # (n, K)
    z_loo, z_fit, z_held, error = [], [], [], []
    for omega in OMEGAS:
        d = np.where(others, omega, 1.0)
        rows, fitted, held, errs = [], [], [], []
        for alpha in GRID_ALPHAS:
            fit = ridge_loo((F - mean) / scale, Y, [alpha], others=others, weights=(omega,))
            rows.append(fit.loo)
            fitted.append(fit.predict((F - mean) / scale * d))
            held.append(fit.predict((F_held - mean) / scale * d))
            errs.append(fit.loo_error[0])
        z_loo.append(rows), z_fit.append(fitted), z_held.append(held), error.append(errs)
    near, nn_loo = Neighbours.fit(X, y_index, len(clf.classes_), z_loo[0][0], math.inf)
    return Split(np.array(z_loo), np.array(z_fit), np.array(z_held), nn_loo,
                 near.outputs(X_held), np.array(error), y_index, held_index, default)  # fmt: skip


def crops(X, copies: int, fraction: float, rng) -> list[np.ndarray]:
    """``copies`` random crops of each series (n·copies (L_i, D) arrays, series-major): a
    window of ``fraction`` of its length at a random start, not stretched back."""
    x, lengths, _ = as_sequences(X)  # (n, T, D)
    out = []
    for row, L in zip(x, lengths, strict=True):
        width = max(2, round(fraction * L))
        for start in rng.integers(0, L - width + 1, size=copies):
            out.append(row[start : start + width])
    return out


def compute_augmented(X, y, X_held, y_held, seed, params, copies, fraction) -> Split:
    """As ``compute``, but the ridge fitted on the series and ``copies`` crops of each
    (``crops``), with the reservoirs of the series alone; its leave-one-out left each series
    out with its crops (exact, from the Gram matrices: a dual fit per series left out)."""
    clf = ReservoirClassifier(random_state=seed, **params).fit(X, y)
    y_index, held_index = (np.searchsorted(clf.classes_, v) for v in (y, y_held))
    m, n, K = clf.model_, len(y), len(clf.classes_)
    augmented = crops(X, copies, fraction, np.random.default_rng(seed))
    F = m.features_.transform(X)  # (n, p), then the crops' below them: (N, p)
    F = np.concatenate([F, m.features_.transform(augmented)]) if augmented else F
    group = np.concatenate([np.arange(n), np.repeat(np.arange(n), copies)])  # (N,)
    mean, scale = feature_scaling(F)
    F, F_held = (F - mean) / scale, (m.features_.transform(X_held) - mean) / scale
    others = ~m.features_.columns("ppv")
    both = np.concatenate([F, F_held])  # (N + m, p)
    G_others = both[:, others] @ both[:, others].T  # (N + m, N + m)
    G_ppv = both[:, ~others] @ both[:, ~others].T
    Y = (2.0 * np.eye(K)[y_index] - 1.0)[group]  # (N, K)
    N = len(F)
    shape = (len(OMEGAS), len(GRID_ALPHAS))
    z_loo, z_fit, z_held = np.zeros(shape + (n, K)), np.zeros(shape + (n, K)), None
    z_held = np.zeros(shape + (len(held_index), K))
    for w, omega in enumerate(OMEGAS):
        G = G_ppv + omega**2 * G_others
        for i in range(n + 1):  # i = n: the fit on every series, for held-out and fitted z
            fold = group != i
            rest = np.flatnonzero(~fold) if i < n else np.arange(N, N + len(held_index))
            for a, z in enumerate(_dual(G, Y, fold, rest, GRID_ALPHAS)):
                if i < n:
                    z_loo[w, a, i] = z[0]
                else:
                    z_held[w, a] = z
                    z_fit[w, a] = _dual(G, Y, fold, np.arange(n), [GRID_ALPHAS[a]])[0]
    error = ((2.0 * np.eye(K)[y_index] - 1.0 - z_loo) ** 2).sum(axis=-1).mean(axis=-1)
    near, nn_loo = Neighbours.fit(X, y_index, K, z_loo[0, 0], math.inf)
    default = float(np.mean(clf.predict(X_held) == y_held))
    return Split(z_loo, z_fit, z_held, nn_loo, near.outputs(X_held), error, y_index,
                 held_index, default)  # fmt: skip


def _dual(G, Y, fold, rest, alphas):
    """The ridge (intercept unpenalised) on rows ``fold`` of the Gram matrix G, its outputs
    on rows ``rest``, for each α: a list of (len(rest), K)."""
    train = np.flatnonzero(fold)
    Gt = G[np.ix_(train, train)]
    c = Gt.mean(axis=0)  # (n,) centring: Fc Fcᵀ = G − 1cᵀ − c1ᵀ + mean(c)
    Gc = Gt - c[None, :] - c[:, None] + c.mean()
    Gr = (
        G[np.ix_(rest, train)]
        - c[None, :]
        - G[np.ix_(rest, train)].mean(axis=1)[:, None]
        + c.mean()
    )
    s2, U = np.linalg.eigh(Gc)
    nu = Y[train].mean(axis=0)
    UtY = U.T @ (Y[train] - nu)
    return [Gr @ (U @ (UtY / (s2 + alpha)[:, None])) + nu for alpha in alphas]


def load(name: str, size: int, seed: int, params: dict, cache: str | None, augment=None) -> Split:
    tag = _tag(params) + (f"-crops{augment[0]}x{augment[1]}" if augment else "")
    path = cache and os.path.join(cache, f"{name}-{size}-{seed}-{tag}.npz")
    if path and os.path.exists(path):
        with np.load(path) as f:
            return Split(**{k: f[k] for k in f.files})
    X, y, X_held, y_held = S.split(name, size, seed)
    if augment:
        split = compute_augmented(X, y, X_held, y_held, seed, params, *augment)
    else:
        split = compute(X, y, X_held, y_held, seed, params)
    if path:
        os.makedirs(cache, exist_ok=True)
        np.savez(path, **split.__dict__)
    return split


def _tag(params: dict) -> str:
    return "default" if not params else "_".join(f"{k}={v}" for k, v in sorted(params.items()))


# ---- rules: each maps a Split to (ω index, α index, β) or to held-out z directly ----


def _beta(s: Split, w: int, a: int, weights=WEIGHTS) -> float:
    return choose(s.z_loo[w, a], s.nn_loo, s.y, weights)


def _least_error(s: Split, grid=LIBRARY, score=None) -> tuple[int, int]:
    """(ω, α) of the least ``score`` (W, A) (the LOO squared error by default) over
    ``grid``'s indices, ties to the earlier (ω outer, α inner), as ``ridge_loo`` breaks them."""
    score = s.error if score is None else score
    best = None
    for w in grid[0]:
        a = min(grid[1], key=lambda a: score[w, a])
        if best is None or score[w, a] < score[best]:
            best = w, a
    return best


def default(s: Split) -> float:
    w, a = _least_error(s)
    return s.accuracy(w, a, _beta(s, w, a))


def loss(z, y) -> float:
    return float(temperature_losses(z, y).min())


def _losses(s: Split, unit: bool = False) -> np.ndarray:
    """(W, A) the ridge's LOO log-loss at its best τ; ``unit``: of z in units of its root
    mean square about each row's mean (scale-free: a large α shrinks z beyond τ's grid)."""

    def scaled(z):
        c = z - z.mean(axis=1, keepdims=True)
        return z / max(float(np.sqrt(np.mean(c * c))), 1e-300) if unit else z

    return np.array([[loss(scaled(s.z_loo[w, a]), s.y) for a in range(s.error.shape[1])]
                     for w in range(s.error.shape[0])])  # fmt: skip


def _gcv(s: Split, corrected: bool) -> np.ndarray:
    """(W, A) generalised cross-validation of the ridge: RSS / (1 − df/n)², or the small-
    sample GCVc, log RSS − 2 log(1 − df/n − 2/n) (Boonstra, Mukherjee and Taylor 2015),
    df the hat matrix's trace (intercept included), h_ii from the LOO and fitted residuals."""
    n = len(s.y)
    Y = 2.0 * np.eye(s.z_fit.shape[-1])[s.y] - 1.0  # (n, K)
    r, e = Y - s.z_fit, Y - s.z_loo  # (W, A, n, K)
    h = 1.0 - (r * e).sum(axis=-1) / np.maximum((e * e).sum(axis=-1), 1e-300)  # (W, A, n)
    df, rss = h.sum(axis=-1), (r * r).sum(axis=(-2, -1))  # (W, A)
    if not corrected:
        return rss / np.maximum(1.0 - df / n, 1e-12) ** 2
    return np.log(np.maximum(rss, 1e-300)) - 2.0 * np.log(np.maximum(1.0 - df / n - 2.0 / n, 1e-12))


def chosen(grid=LIBRARY, score=None, beta=True):
    """A rule: (ω, α) of the least ``score(s)`` over ``grid``, then β by the library's
    ``choose`` (``beta``) or 0."""

    def rule(s: Split) -> float:
        w, a = _least_error(s, grid, None if score is None else score(s))
        return s.accuracy(w, a, _beta(s, w, a) if beta else 0.0)

    return rule


def rule_average(s: Split, top: int = 5) -> float:
    """The held-out z averaged over the ``top`` (ω, α) of least LOO error, β on the average."""
    error = np.full(s.error.shape, np.inf)
    error[: len(STATISTICS_WEIGHTS), : len(ALPHAS)] = s.error[
        : len(STATISTICS_WEIGHTS), : len(ALPHAS)
    ]
    order = np.argsort(error, axis=None, kind="stable")[:top]
    pairs = [np.unravel_index(i, s.error.shape) for i in order]
    z_loo = np.mean([s.z_loo[w, a] for w, a in pairs], axis=0)
    z_held = np.mean([s.z_held[w, a] for w, a in pairs], axis=0)
    b = choose(z_loo, s.nn_loo, s.y, WEIGHTS)
    return float(np.mean(blend(z_held, s.nn_held, b).argmax(axis=1) == s.y_held))


def oracle(s: Split, grid=WIDE) -> float:
    return max(s.accuracy(w, a, b) for w in grid[0] for a in grid[1] for b in WEIGHTS)


RULES = {
    "default": default,
    "baseline": lambda s: s.baseline,  # the library's default, no --set, no crops
    "plain": lambda s: s.default,  # the classifier fitted without crops
    # crops or none, whichever's least leave-one-out error (grouped or plain) is less
    "either": lambda s: default(s) if s.error[_least_error(s)] < s.plain_error else s.baseline,
    "wideA": chosen((LIBRARY[0], WIDE[1])),
    "wideW": chosen((WIDE[0], LIBRARY[1])),
    "wide": chosen(WIDE),
    "ll": chosen(score=_losses),
    "llu-wide": chosen(WIDE, score=lambda s: _losses(s, True)),
    "llu-wideA": chosen((LIBRARY[0], WIDE[1]), score=lambda s: _losses(s, True)),
    "gcv": chosen(score=lambda s: _gcv(s, False)),
    "gcvc": chosen(score=lambda s: _gcv(s, True)),
    "w1": chosen(([0], LIBRARY[1])),
    "b0": chosen(beta=False),
    "avg5": rule_average,
    "oracle-lib": lambda s: oracle(s, LIBRARY),
    "oracle": oracle,
}


def choices(name: str, splits: list[Split]) -> None:
    """Per seed the default's (ω, α, β), and the ridge alone at its α against every α."""
    cells = []
    for s in splits:
        w, a = _least_error(s)
        cells.append(f"{OMEGAS[w]:g}/{GRID_ALPHAS[a]:.2g}/{_beta(s, w, a):g}")
    ridge = np.array([[[s.accuracy(w, a, 0.0) for a in WIDE[1]] for w in WIDE[0]]
                      for s in splits])  # fmt: skip
    ridge_chosen = np.mean([s.accuracy(*_least_error(s), 0.0) for s in splits])
    grid = np.array([[[[s.accuracy(w, a, b) for b in WEIGHTS] for a in WIDE[1]] for w in WIDE[0]]
                     for s in splits])  # fmt: skip
    fw, fa, fb = np.unravel_index(np.argmax(grid.mean(axis=0)), grid.shape[1:])
    rw, ra = np.unravel_index(np.argmax(ridge.mean(axis=0)), ridge.shape[1:])
    print(
        f"| {name} | {' '.join(cells)} | {np.mean([s.default for s in splits]):.3f} | "
        f"{ridge_chosen:.3f} | {ridge.mean(axis=0)[rw, ra]:.3f} ({OMEGAS[rw]:g}/"
        f"{GRID_ALPHAS[ra]:.2g}) | {grid.mean(axis=0)[fw, fa, fb]:.3f} ({OMEGAS[fw]:g}/"
        f"{GRID_ALPHAS[fa]:.2g}/{WEIGHTS[fb]:g}) | {np.mean([oracle(s) for s in splits]):.3f} |"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(6)))
    parser.add_argument("--datasets", nargs="+", default=list(TASKS))
    parser.add_argument("--cache", default=None, help="folder of the splits' .npz")
    parser.add_argument("--set", type=U._setting, action="append", default=[])
    parser.add_argument("--rules", nargs="+", default=list(RULES), choices=list(RULES))
    parser.add_argument("--choices", action="store_true")
    parser.add_argument("--augment", type=float, nargs=2, metavar=("COPIES", "FRACTION"))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    params = dict(args.set)
    print(U.machine(), f"; {args.size} series, seeds {args.seeds}, changed {params}")
    augment = None if args.augment is None else (int(args.augment[0]), args.augment[1])
    splits = {n: [load(n, args.size, s, params, args.cache, augment) for s in args.seeds]
              for n in args.datasets}  # fmt: skip
    if {"baseline", "either"} & set(args.rules):  # the library's default on the same split
        for n, runs in splits.items():
            for seed, split in zip(args.seeds, runs, strict=True):
                plain = load(n, args.size, seed, {}, args.cache)
                split.baseline = default(plain)
                split.plain_error = plain.error[_least_error(plain)]
    for name, runs in splits.items():
        for s in runs:
            if not augment:
                assert abs(default(s) - s.default) < 1e-12, f"{name}: the default rule differs"
    if args.choices:
        print("| task | ω/α/β per seed | default | ridge at its α | best fixed ridge (ω/α) "
              "| best fixed (ω/α/β) | oracle per split |")  # fmt: skip
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for name, runs in splits.items():
            choices(name, runs)
        every = [s for runs in splits.values() for s in runs]
        base = np.array([default(s) for s in every])
        fixed = max((np.mean([s.accuracy(w, a, b) for s in every]), w, a, b)
                    for w in WIDE[0] for a in WIDE[1] for b in WEIGHTS)  # fmt: skip
        acc = np.array([s.accuracy(*fixed[1:]) for s in every])
        print(f"\nThe best single (ω, α, β) over every task and seed (read from held-out series): "
              f"{OMEGAS[fixed[1]]:g}/{GRID_ALPHAS[fixed[2]]:.3g}/{fixed[3]:g}, mean "
              f"{fixed[0]:.4f} against the default's {base.mean():.4f}; (task, seed) pairs "
              f"{(acc > base).sum()} better / {(acc < base).sum()} worse\n")  # fmt: skip
    table = {n: {r: [RULES[r](s) for s in runs] for r in args.rules} for n, runs in splits.items()}
    print("| task | " + " | ".join(args.rules) + " |")
    print("| --- |" + " ---: |" * len(args.rules))
    for name, cells in table.items():
        print(f"| {name} | " + " | ".join(f"{np.mean(v):.3f}" for v in cells.values()) + " |")
    means = [np.mean([np.mean(table[n][r]) for n in table]) for r in args.rules]
    print("| **mean** | " + " | ".join(f"{m:.4f}" for m in means) + " |")
    first = args.rules[0]
    for r in args.rules[1:]:
        diff = [b - a for n in table for a, b in zip(table[n][first], table[n][r], strict=True)]
        up, down = sum(d > 0 for d in diff), sum(d < 0 for d in diff)
        p = binomtest(up, up + down, alternative="greater").pvalue if up + down else 1.0
        print(f"{r}: against {first}, (task, seed) pairs {up} better / {down} worse, p = {p:.3f}")


if __name__ == "__main__":
    main()
