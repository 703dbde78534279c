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

__all__ = ["CROP_COPIES", "CROP_FRACTION", "CROP_MAX_SERIES", "crop_rng", "crops"]

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
