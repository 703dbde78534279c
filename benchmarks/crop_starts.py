"""Where the crops start, and how far their features move from their series'.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 PYTHONPATH=../src python crop_starts.py
        [--size 30] [--seeds 0 1 2] [--datasets long_motif transients ...]

For each task and seed, the split of ``small_training_sets.py`` (generated tasks' training
splits; a real set's held-out rest of its training split is not used here), then
``RNNClassifier(random_state=seed)`` fitted with the crops on (whatever the number of
series) and each crop starting at random (the library's), at 0 (``prefix``: the first 95%)
or at L − width (``suffix``: the last 95%), as ``ucr_accuracy.NoCrops`` does, or read as the
last 95% of the series' own run (``window``: ``ucr_accuracy.window_features``, its distance
from the series' features of the float64 plain path).  Printed per
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

START = {"random": "crops1000", "prefix": "prefix1000", "suffix": "suffix1000",
         "window": "window1000"}  # fmt: skip


def moved(kind: str, X, y, seed: int) -> tuple[bool, float]:
    """(kept, distance) of one fit with crops of ``kind``."""
    import frnn.reservoir.crops as crops

    seen = []
    inner = crops.crops  # read by ``crops.with_crops``: patched there

    def recording(X, copies, fraction, rng):  # the series and crops the read-out sees
        seen.append((X, inner(X, copies, fraction, rng)))
        return seen[-1][1]

    crops.crops = recording
    try:  # NoCrops swaps in its fixed starts around ``recording``, and restores it
        model = U.frnn_model(START[kind], seed, {}).fit(X, y).model_
    finally:
        crops.crops = inner
    fitted = model.reservoir_
    if kind == "window":  # no crop is run: the windows of the series' own runs, float64
        plain = U.float64(fitted.features_)
        f = plain.transform(X)  # (n, p)
        g = U.window_features(fitted.features_, X, crops.CROP_FRACTION)
    else:
        series, cut = seen[0]
        f, g = fitted.features_.transform(series), fitted.features_.transform(cut)  # (n, p)
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
