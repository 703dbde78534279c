"""The regressor's α on forecasting windows: leave-one-out against leave-block-out.

    OMP_NUM_THREADS=1 python benchmarks/alpha_windows.py [--out rows.jsonl] [--table t.md]

``RNNRegressor()`` chooses its ridge penalty α over its training series.  Windows of one
long series (``frnn.data.windows``) share values with their neighbours, so plain
leave-one-out keeps a left-out window's near-copies in the fit and picks α too small; the
regressor now leaves each block of windows out with the windows either side that share a
value with it (``frnn.reservoir.ridge.tiles``, ``loo_gap_``).  This measures the choice by
time-ordered cross-validation on training data only: the training parts (the first 1,200
values; the 300-value tail of ``benchmarks/forecasting.py`` never read) of its two series
and four more generated here, windows 24, 48 and 96, horizons 1 and 12, 3-fold
``time_split``.  Three read-outs are fitted to the same reservoirs in each fold:

- ``loo``: plain leave-one-out (the choice before), the grid ``ALPHAS`` (1e-3 to 1e3);
- ``block``: leave-block-out (the choice now), the same grid;
- ``block+grid``: leave-block-out over the grid extended to 1e5 (same spacing).

Written: one JSON row per series, window, horizon, fold and read-out (validation MAE, α,
the gap, CPU seconds of the fit); printed: the CV MAE per series × window × horizon and
the sign tests of ``block`` against ``loo`` (and of the wider grid against ``block``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
import time
from collections import defaultdict

import numpy as np

import frnn
import frnn.estimators.reservoirs as reservoirs
from frnn.data import holdout, time_split, windows
from frnn.regressor.task import Regression
from frnn.reservoir.readout import ReservoirReadout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import forecasting  # noqa: E402  (the two series of the forecasting page)

WINDOWS, HORIZONS, FOLDS = (24, 48, 96), (1, 12), 3
WIDE = np.logspace(-3, 5, 13)  # ALPHAS' spacing (10^(2/3)), two more decades
VARIANTS = ("loo", "block", "block+grid")


def nonlinear_ar(T: int, seed: int = 1) -> np.ndarray:
    """Ozaki's exponential AR(2) (a noisy limit cycle): (T,)."""
    rng, y = np.random.default_rng(seed), np.zeros(T + 200)
    for t in range(2, T + 200):
        k = np.exp(-(y[t - 1] ** 2))
        y[t] = (0.5 + 0.9 * k) * y[t - 1] - (0.8 - 1.8 * k) * y[t - 2] + 0.2 * rng.standard_normal()
    return y[200:]


def sines(T: int, seed: int = 2) -> np.ndarray:
    """Three sines of incommensurate periods (7.1, 17.3, 41.7) and noise of sd 0.3: (T,)."""
    t = np.arange(T)
    waves = np.sin(2 * np.pi * t / 17.3) + 0.6 * np.sin(2 * np.pi * t / 41.7 + 1.0)
    waves += 0.4 * np.sin(2 * np.pi * t / 7.1 + 2.0)
    return waves + 0.3 * np.random.default_rng(seed).standard_normal(T)


def walk_cycle(T: int, seed: int = 3) -> np.ndarray:
    """A random walk (steps of sd 0.1) plus a cycle of period 24 and noise of sd 0.2: (T,)."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(0.1 * rng.standard_normal(T))
    return walk + np.sin(2 * np.pi * np.arange(T) / 24) + 0.2 * rng.standard_normal(T)


def regimes(T: int, seed: int = 4) -> np.ndarray:
    """Two AR(1) regimes, switching with probability 0.01 a step: around 0 (coefficient
    0.9, noise 0.3) and around 2 (coefficient 0.3, noise 0.6): (T,)."""
    rng, y, state = np.random.default_rng(seed), np.zeros(T), 0
    for t in range(1, T):
        state = 1 - state if rng.random() < 0.01 else state
        mean, phi, sd = ((0.0, 0.9, 0.3), (2.0, 0.3, 0.6))[state]
        y[t] = mean + phi * (y[t - 1] - mean) + sd * rng.standard_normal()
    return y


SERIES = {
    "seasonal": forecasting.seasonal,
    "Mackey-Glass": forecasting.mackey_glass,
    "nonlinear AR(2)": nonlinear_ar,
    "sines": sines,
    "walk + cycle": walk_cycle,
    "regimes": regimes,
}


@contextlib.contextmanager
def variant(name: str):
    """The regressor's read-out as ``name`` chooses α (the library's code, patched here)."""
    loo_gap, readout = Regression.loo_gap, reservoirs.ReservoirReadout
    if name == "loo":
        Regression.loo_gap = lambda self, est, x, lengths, Y: 0
    if name.endswith("+grid"):
        reservoirs.ReservoirReadout = functools.partial(ReservoirReadout, alphas=WIDE)
    try:
        yield
    finally:
        Regression.loo_gap, reservoirs.ReservoirReadout = loo_gap, readout


def run(out_path: str) -> list[dict]:
    rows = []
    for name, make in SERIES.items():
        train = holdout(make(forecasting.T), forecasting.TEST, window=max(WINDOWS))[0]
        for window in WINDOWS:
            for horizon in HORIZONS:
                X, Y = windows(train, window, horizon)
                cv = time_split(FOLDS, window=window, horizon=horizon)
                for fold, (tr, va) in enumerate(cv.split(X)):
                    order = VARIANTS if fold % 2 == 0 else VARIANTS[::-1]  # CPU: alternated
                    for v in order:
                        with variant(v):
                            start = time.process_time()
                            model = frnn.RNNRegressor(random_state=0).fit(X[tr], Y[tr])
                            cpu = time.process_time() - start
                        mae = float(np.mean(np.abs(model.predict(X[va]) - Y[va])))
                        rows.append(dict(
                            series=name, window=window, horizon=horizon, fold=fold, variant=v,
                            n=len(tr), mae=mae, alpha=model.alpha_, gap=model.loo_gap_,
                            cpu=cpu,
                        ))  # fmt: skip
                print(name, window, horizon, flush=True)
        with open(out_path, "w") as f:  # every series' rows so far: a stop keeps them
            f.writelines(json.dumps(r) + "\n" for r in rows)
    return rows


def sign_p(wins: int, losses: int) -> float:
    from scipy.stats import binomtest

    return binomtest(wins, wins + losses).pvalue if wins + losses else 1.0


def table(rows: list[dict]) -> str:
    """The CV MAE of each read-out per series × window × horizon, and the sign tests."""
    mae, alphas, cpu = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in rows:
        key = (r["series"], r["window"], r["horizon"], r["variant"])
        mae[key].append(r["mae"])
        alphas[key].append(r["alpha"])
        cpu[r["variant"], r["n"] > 600].append(r["cpu"])
    lines = [
        "| series | window | h | gap (last fold) | MAE loo | MAE block | MAE block+grid | "
        "α loo | α block | α block+grid |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    cells = sorted({k[:3] for k in mae}, key=lambda k: (list(SERIES).index(k[0]), k[1], k[2]))
    gaps = {  # the last fold's: the gap lowered on the first folds' fewer windows
        (r["series"], r["window"], r["horizon"]): r["gap"] for r in rows if r["variant"] == "block"
    }
    for cell in cells:
        m = [np.mean(mae[(*cell, v)]) for v in VARIANTS]
        a = ["/".join(f"{x:.3g}" for x in alphas[(*cell, v)]) for v in VARIANTS]
        lines.append(
            f"| {cell[0]} | {cell[1]} | {cell[2]} | {gaps[cell]} | "
            + " | ".join(f"{x:.4f}" for x in m)
            + " | "
            + " | ".join(a)
            + " |"
        )
    lines.append("")
    for new, old in (("block", "loo"), ("block+grid", "block")):
        ratios = [np.mean(mae[(*c, new)]) / np.mean(mae[(*c, old)]) for c in cells]
        wins = sum(q < 1 for q in ratios)
        losses = sum(q > 1 for q in ratios)
        pairs = defaultdict(list)  # series × horizon: the windows' MAE ratios' geometric mean
        for c, q in zip(cells, ratios, strict=True):
            pairs[c[0], c[2]].append(np.log(q))
        pw = sum(np.mean(v) < 0 for v in pairs.values())
        pl = sum(np.mean(v) > 0 for v in pairs.values())
        lines.append(
            f"- {new} against {old}: series × window × horizon {wins} better / {losses} worse "
            f"(sign test p = {sign_p(wins, losses):.3g}); series × horizon (geometric mean "
            f"over the windows) {pw} / {pl} (p = {sign_p(pw, pl):.3g}); MAE ratio median "
            f"{np.median(ratios):.3f}, range {min(ratios):.3f}–{max(ratios):.3f}"
        )
    for big in (False, True):
        med = {v: np.median(cpu[v, big]) for v in VARIANTS if cpu[v, big]}
        lines.append(
            f"- fit CPU seconds, median over the folds of {'more' if big else 'at most'} "
            "600 training windows: " + ", ".join(f"{v} {s:.2f}" for v, s in med.items())
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="alpha_windows.jsonl")
    parser.add_argument("--table", default=None)
    parser.add_argument("--rows", default=None, help="tabulate these rows instead of running")
    args = parser.parse_args()
    if args.rows:
        with open(args.rows) as f:
            rows = [json.loads(line) for line in f]
    else:
        rows = run(args.out)
    text = table(rows)
    print(text)
    if args.table:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        head = (
            "# The regressor's α on forecasting windows: leave-one-out against leave-block-out\n\n"
            "`OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/alpha_windows.py "
            f"--table {args.table}` (load average at the end: {load}; CPU seconds, "
            "the variants alternated in one process)\n\n"
            "CV MAE: the mean over the 3 `time_split` folds of the training part (the first "
            "1,200 values); α: each fold's.\n\n"
        )
        with open(args.table, "w") as f:
            f.write(head + text)


if __name__ == "__main__":
    main()
