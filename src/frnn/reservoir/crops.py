"""Random crops of few training series: more rows for the read-out, chosen by leave-one-out.

With a few dozen training series the read-out's ridge has few rows to fit.  Each training
series then gives it ``CROP_COPIES`` more: a window of ``CROP_FRACTION`` of its length at a
random start, not stretched back (window slicing), its features computed by the same
reservoirs and thresholds (those of the series alone) and its target the series'.  Whether
the crops are kept is chosen on the training series: the read-out's least leave-one-out
error with them, each series left out *with* its crops (:func:`frnn.reservoir.ridge.
ridge_loo`'s ``groups``), against that without them, both over the series themselves.

Chosen on generated tasks and training splits only (``benchmarks/small_training_sets.py``,
``benchmarks/results/reservoir_classifier.md`` §17 and §19): crops help where a class is a
shape anywhere in the series (GunPoint, transients, the long motif) and cost where it is
*when* something happens in a short series (daily's evening peak), which their
leave-one-out error mostly sees; one crop of 95% was the cheapest setting that won.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..data.inputs import as_sequences
from ..data.series import Series
from .features import seed
from .sums import feature_scaling

__all__ = [
    "CROP_COPIES",
    "CROP_FRACTION",
    "CROP_MAX_SERIES",
    "counted",
    "crop_rng",
    "crops",
    "with_crops",
]

#: Crops are tried only up to this many training series: they cost another pass of the
#: reservoirs over 95% of each series, and their gain is with few series (§17: 15 and 30).
#: Of the 20 sets of the fit-time check (docs/performance.md) only Coffee (28) has so few.
#: They won at 40 to 200 series too (§20), but 50 took that check's geometric mean of
#: frnn / MiniRocket from 0.92-0.94 to 1.00-1.04 (GunPoint's fit twice as long), over the
#: issue's bound of 1: the fit's time sets this bound, not the accuracy.
CROP_MAX_SERIES = 30
#: Crops of each series, and their length as a fraction of its own (§17: one of 95% won as
#: often as four, at a quarter of the cost; 90% cost strokes' 8-step series).
CROP_COPIES = 1
CROP_FRACTION = 0.95


def crop_rng(random_state) -> np.random.Generator:
    """The crops' own random stream, derived from the reservoirs' ``random_state``: a seed
    gives the same crops every fit, and other draws than the reservoirs'."""
    value = seed(random_state)
    if isinstance(value, numbers.Integral):
        return np.random.default_rng(np.random.SeedSequence(int(value), spawn_key=(1,)))
    return np.random.default_rng(value)  # a Generator (used as it is) or None


def crops(X, copies: int, fraction: float, rng: np.random.Generator) -> Series:
    """``copies`` random crops of each series of X, n·copies of them, series-major, as a
    Series (zero-padded, with their lengths: read as they are, in no other layout): a
    window of ``fraction`` of its length (at least 2 steps, at most its own) at a start
    drawn by ``rng``."""
    x, lengths, _ = as_sequences(X)  # (n, T, D), zero past each series' end
    widths = np.minimum(lengths, np.maximum(2, np.round(fraction * lengths).astype(np.intp)))
    out = np.zeros((len(x) * copies, int(widths.max(initial=1)), x.shape[2]))  # (N, W, D)
    for i, (row, L, width) in enumerate(zip(x, lengths, widths, strict=True)):
        for j, start in enumerate(rng.integers(0, L - width + 1, size=copies)):
            out[i * copies + j, :width] = row[start : start + width]
    return Series(out, np.zeros(len(out)), np.repeat(widths, copies))


def with_crops(
    X, F: np.ndarray, Y: np.ndarray, sample_weight, features, ridge, callback=None, shrink=0.0
):
    """The read-out fitted on the series and ``CROP_COPIES`` random crops of each, each
    series left out with its crops.

    Parameters
    ----------
    X : Series
        The n training series.
    F : (n, p) float array
        Their features.
    Y : (n, K) float array
        Their targets, each crop's its series'.
    sample_weight : (n,) array_like or None
        Their weights, each crop's its series'.
    features : ReservoirFeatures
        Fitted on X: the crops' features are computed by the same reservoirs and θ, the
        crops drawn from its ``random_state`` (:func:`crop_rng`).
    ridge : callable(F, Y, sample_weight=, groups=) -> RidgeFit
        The read-out's ridge (:func:`frnn.reservoir.ridge_loo` with its α, ω and
        ``copy=False``), given the scaled features of the series and their crops.
    callback : callable(done, total) or None
        Called as each reservoir's features of the crops are computed.
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
    extra = crops(X, CROP_COPIES, CROP_FRACTION, crop_rng(features.random_state))
    groups = np.concatenate([np.arange(n), np.repeat(np.arange(n), CROP_COPIES)])  # (N,)
    F = np.concatenate([F, features.transform(extra, callback=callback)])  # (N, p)
    mean, scale = feature_scaling(F, shrink)
    weights = None if sample_weight is None else np.asarray(sample_weight)[groups]
    return mean, scale, ridge((F - mean) / scale, Y[groups], sample_weight=weights, groups=groups)


def counted(callback, before: int, passes: int):
    """``callback(done, total)`` of one pass over the reservoirs, counted among
    ``passes`` of them of which ``before`` are done (a fit with crops makes two); None
    for None."""
    if callback is None:
        return None
    return lambda done, total: callback(before * total + done, passes * total)
