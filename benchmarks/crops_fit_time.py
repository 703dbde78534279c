"""CPU seconds of the default classifier's fit with the crops of few series and without.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/crops_fit_time.py
        [--datasets gunpoint coffee basicmotions] [--size N] [--max-series N] [--repeats 5]
        [--old nocrops random30 ...]

``RNNClassifier(random_state=0)`` (the new default, crops up to
``frnn.reservoir.crops.CROP_MAX_SERIES`` series) against the same fitted with the crops
off (``ucr_accuracy.NoCrops``, the old default), alternating in one process after a first
fit of each (``--old``); with ``--max-series N`` the new one has the crops up to N series
(``ucr_accuracy.py``'s ``crops<N>``: a threshold to try).  The median CPU seconds
(``time.process_time``: a shared machine's load moves it less than wall time) and their
ratio new / old.  On each set's training split, or with
``--size`` on the ``small_training_sets.py`` split of seed 0.  ``--old`` names the fits
timed beside it (``ucr_accuracy.py``'s kinds: ``nocrops`` by default; ``random30`` the
crops run by themselves, as the library did before §25).  Where the crops are not
reached (more training series than ``CROP_MAX_SERIES``) the two fits are the same code
and the ratio is 1 up to noise.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import small_training_sets as S
import ucr_accuracy as U
from sklearn.base import clone

from frnn.reservoir.crops import CROP_MAX_SERIES


def cpu(fit) -> float:
    started = time.process_time()
    fit()
    return time.process_time() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["gunpoint", "coffee", "basicmotions"])
    parser.add_argument("--size", type=int, default=None, help="the small split of seed 0")
    parser.add_argument("--max-series", type=int, default=None, help="the new one's threshold")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--old", nargs="+", default=["nocrops"], metavar="KIND",
        help="the fits timed beside it: ucr_accuracy.py --model kinds",
    )  # fmt: skip
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    cap = CROP_MAX_SERIES if args.max_series is None else args.max_series
    print(U.machine(), f"; new: crops up to {cap} series")
    olds = [U.model_kind(kind) for kind in args.old]
    print("| data set | n | crops kept | new CPU s | " + " | ".join(
        f"{kind} CPU s | new / {kind}" for kind in olds) + " |")  # fmt: skip
    print("| --- | ---: | --- | ---: |" + " ---: | ---: |" * len(olds))
    ratios = []
    for name in args.datasets:
        if args.size:
            X, y = S.split(name, args.size, 0)[:2]
        else:
            X, y = U.load_split(name)[:2]
        kind = "default" if args.max_series is None else f"crops{args.max_series}"
        models = [U.frnn_model(kind, 0, {})] + [U.frnn_model(k, 0, {}) for k in olds]
        first = clone(models[0]).fit(X, y)  # and the first fit: numba's cache
        kept = (first.model_ if args.max_series is not None else first).reservoir_.cropped_
        for model in models[1:]:
            clone(model).fit(X, y)
        times = [[] for _ in models]
        for _ in range(args.repeats):  # alternating
            for i, model in enumerate(models):
                times[i].append(cpu(lambda m=model, X=X, y=y: clone(m).fit(X, y)))
        a, *b = (statistics.median(t) for t in times)
        ratios.append([a / t for t in b])
        cells = " | ".join(f"{t:.3f} | {a / t:.2f}" for t in b)
        kept_text = "yes" if kept else "no"
        print(f"| {name} | {len(y)} | {kept_text} | {a:.3f} | {cells} |", flush=True)
    means = np.exp(np.mean(np.log(ratios), axis=0))
    text = ", ".join(f"new / {k}: {m:.3f}" for k, m in zip(olds, means, strict=True))
    print("\ngeometric mean of " + text)


if __name__ == "__main__":
    main()
