"""Crops of few training series, read from their own run: more rows for the read-out,
chosen by leave-one-out.

With a few dozen training series the read-out's ridge has few rows to fit.  Each training
series then gives it one more: its *crop*, the features of the same run of the same
reservoirs pooled over a window of it, the steps that read its last ``CROP_FRACTION`` of
samples (``ReservoirFeatures.transform(suffix=)``; the compiled loop pools both as the
series runs, so the crop costs no second pass), its target the series'.  Whether the
crops are kept is chosen on the training series: the read-out's least leave-one-out error
with them, each series left out *with* its crop (:func:`frnn.reservoir.ridge.ridge_loo`'s
``groups``), against that without them, both over the series themselves.

Chosen on generated tasks and training splits only (``benchmarks/small_training_sets.py``,
``benchmarks/results/reservoir_classifier.md`` §17, §19, §21 and §25): crops help where a
class is a shape anywhere in the series (GunPoint, transients, the long motif) and cost
where it is *when* something happens in a short series (daily's evening peak), which their
leave-one-out error mostly sees.  One crop of 95% was the cheapest setting that won (§17);
random crops run by themselves did as well as the windows (§25: 0.9010 against 0.9014 at
15 and 30 series) at another pass of the reservoirs over 95% of each series.
"""

from __future__ import annotations

import numpy as np

from .sums import feature_scaling

__all__ = ["CROP_FRACTION", "CROP_MAX_SERIES", "widths", "windowed", "with_crops"]

#: Crops are tried only up to this many training series: their gain is largest with few
#: series (§17: 15 and 30) and they won at 40 and 50 too (§26: the library's windows, 52
#: (task, seed) pairs better, 19 worse); they won at 100 and 200 as well (§20), but they
#: cost 1.15-2 times the fit without them (the second, grouped ridge on 2n rows), and 50
#: is as far as the fit-time check's geometric mean of frnn / MiniRocket stays below one
#: with room to spare (§26; with a second pass of the reservoirs, §20, it did not).
CROP_MAX_SERIES = 50
#: A crop's length as a fraction of its series' (§17: one crop of 95% won as often as
#: four; 90% cost strokes' 8-step series).
CROP_FRACTION = 0.95


def widths(lengths: np.ndarray) -> np.ndarray:
    """Each crop's width in samples (n,): ``CROP_FRACTION`` of its series' length,
    rounded, at least 2 samples and at most the series' own."""
    lengths = np.asarray(lengths)
    return np.minimum(lengths, np.maximum(2, np.round(CROP_FRACTION * lengths).astype(np.intp)))


def windowed(features, X, callback=None) -> tuple[np.ndarray, np.ndarray]:
    """The features (n, p) of the series X and those of their crops (n, p), in one pass.

    Parameters
    ----------
    features : ReservoirFeatures
        Fitted on X.
    X : Series
        The n training series.
    callback : callable(done, total) or None
        ``ReservoirFeatures.transform``'s.

    Returns
    -------
    F, crops : (n, p) float arrays
        ``features.transform(X)``, and each series' features over the steps of the same
        run that read its last ``widths`` samples.
    """
    return features.transform(X, callback=callback, suffix=widths(X.lengths))


def with_crops(F: np.ndarray, crops: np.ndarray, Y: np.ndarray, sample_weight, ridge, shrink=0.0):
    """The read-out fitted on the series and their crops, each series left out with its
    crop.

    Parameters
    ----------
    F, crops : (n, p) float arrays
        The features of the n series and of their crops (:func:`windowed`).
    Y : (n, K) float array
        The series' targets, each crop's its series'.
    sample_weight : (n,) array_like or None
        The series' weights, each crop's its series'.
    ridge : callable(F, Y, sample_weight=, groups=) -> RidgeFit
        The read-out's ridge (:func:`frnn.reservoir.ridge_loo` with its α, ω and
        ``copy=False``), given the scaled features of the series and their crops.
    shrink : float
        The features' scaling's ``shrink`` (:func:`frnn.reservoir.sums.feature_scaling`).

    Returns
    -------
    mean, scale : (p,) float arrays
        The scaling of the series and their crops.
    fit : RidgeFit
        The ridge, its leave-one-out outputs and errors those of the n series.
    """
    n = len(F)
    groups = np.concatenate([np.arange(n), np.arange(n)])  # (2n,): a series and its crop
    rows = np.concatenate([F, crops])  # (2n, p): ours, so scaled in place
    mean, scale = feature_scaling(rows, shrink)
    weights = None if sample_weight is None else np.asarray(sample_weight)[groups]
    # (rows − mean) / scale, the same bits, with no (2n, p) temporaries: fresh memory costs
    # a page fault a page (sums.ROWS), most of what the crops added to a fit
    np.subtract(rows, mean, out=rows)
    np.divide(rows, scale, out=rows)
    return mean, scale, ridge(rows, Y[groups], sample_weight=weights, groups=groups)
