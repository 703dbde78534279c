"""Two real regression sets that aeon (a bench extra) ships offline, train/test as shipped.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/regression_sets.py

Covid3Month (140 / 61 series, T = 84: the next month's COVID death rate of a country) and
CardanoSentiment (74 / 33 series, T = 24, D = 2: a day's sentiment from the price and the
volume).  Test RMSE and R² of the constant mean, ``RNNRegressor()`` and
``RNNRegressor(training="bptt")`` with their defaults; nothing was tuned on these sets.
"""

from __future__ import annotations

import time

import numpy as np
from aeon.datasets import load_cardano_sentiment, load_covid_3month

from frnn import RNNRegressor


def main() -> None:
    print("| set | model | test RMSE | test R² | fit s |\n|---|---|---|---|---|")
    for name, load in (
        ("Covid3Month", load_covid_3month),
        ("CardanoSentiment", load_cardano_sentiment),
    ):
        (X, y), (Xt, yt) = (load(split=s) for s in ("train", "test"))
        X, Xt = X.transpose(0, 2, 1), Xt.transpose(0, 2, 1)  # aeon's (n, D, T) -> (n, T, D)
        rmse = np.sqrt(np.mean((yt - y.mean()) ** 2))
        print(f"| {name} | constant mean | {rmse:.4f} | {1 - rmse**2 / np.var(yt):.3f} | |")
        for label, model in (
            ("RNNRegressor()", RNNRegressor(random_state=0)),
            ('RNNRegressor(training="bptt")', RNNRegressor(training="bptt", random_state=0)),
        ):
            started = time.perf_counter()
            model.fit(X, y)
            seconds = time.perf_counter() - started
            rmse = np.sqrt(np.mean((model.predict(Xt) - yt) ** 2))
            r2 = model.score(Xt, yt)
            print(f"| {name} | {label} | {rmse:.4f} | {r2:.3f} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
