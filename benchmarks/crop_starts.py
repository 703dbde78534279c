"""Where the crops start, and how far their features move from their series'.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 PYTHONPATH=../src python crop_starts.py
        [--size 30] [--seeds 0 1 2] [--datasets long_motif transients ...]

For each task and seed, the split of ``small_training_sets.py`` (generated tasks' training
splits; a real set's held-out rest of its training split is not used here), then
``RNNClassifier(random_state=seed)`` fitted with the crops on (whatever the number of
series) and each crop starting at random (the library's before §25), at 0 (``prefix``: the
first 95%) or at L − width (``suffix``: the last 95%), as ``ucr_accuracy.NoCrops`` does, or
read as the last 95% of the series' own run (``window``: the library's crops since §25).
Printed per
task and start: the share of fits that kept the crops, and the crops' distance from their
own series in the reservoirs' features (each column at unit variance over the series and
the crops together), ‖f(crop) − f(series)‖², over the series' mean squared distance from
their mean (0: the crop is a copy of its series; 1: as far as a typical series is from
the centre).  Training series only: no held-out score is read.
"""

from __future__ import annotations

import argparse

import numpy as np
import small_training_sets as S
import ucr_accuracy as U

START = {"random": "random1000", "prefix": "prefix1000", "suffix": "suffix1000",
         "window": "crops1000"}  # fmt: skip


def moved(kind: str, X, y, seed: int) -> tuple[bool, float]:
    """(kept, distance) of one fit with crops of ``kind``."""
    import frnn.reservoir.readout as readout

    seen = []
    inner = readout.with_crops  # given the features of the series and of their crops

    def recording(F, crops, *args):
        seen.append((F, crops))
        return inner(F, crops, *args)

    readout.with_crops = recording
    try:
        fitted = U.frnn_model(START[kind], seed, {}).fit(X, y).model_.reservoir_
    finally:
        readout.with_crops = inner
    f, g = seen[0]  # (n, p) each
    scale = np.concatenate([f, g]).std(axis=0)  # over series and crops: bounded per column
    f, g = f[:, scale > 0] / scale[scale > 0], g[:, scale > 0] / scale[scale > 0]
    spread = np.mean(np.sum((f - f.mean(axis=0)) ** 2, axis=1))
    return bool(fitted.cropped_), float(np.mean(np.sum((g - f) ** 2, axis=1)) / spread)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", default=list(S.DEFAULT_SETS))
    args = parser.parse_args(argv)
    print(U.machine(), f"; size {args.size}; seeds {args.seeds}")
    print("| task | " + " | ".join(f"{k}: kept | distance" for k in START) + " |")
    print("| --- |" + " ---: | ---: |" * len(START))
    for name in args.datasets:
        cells = []
        for kind in START:
            runs = [moved(kind, *S.split(name, args.size, seed)[:2], seed) for seed in args.seeds]
            kept, distance = zip(*runs, strict=True)
            cells.append(f"{sum(kept)}/{len(kept)} | {np.mean(distance):.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
