"""``fit``'s ``sample_weight``: checked once, rescaled to a mean of one, times the classes'.

    w_i = class_weight[y_i] · s_i / mean(s)

Each series' weight w_i multiplies its loss: the ridge read-out's squared error (and the
leave-one-out errors choosing α and ω, the neighbours' β, the softmax temperature τ), or
the BPTT networks' loss.  The sample weights s are rescaled to a mean of one so that α
means the same whatever their unit (weights all equal to c are no weights: the same model
as without them); relative to each other a weight of 2 counts as two copies would.  The
feature map is drawn from every training series alike, whatever its weight: the inputs'
standardisation, the reservoirs' thresholds θ, the features' scaling and a regressor's
target scaling, as a pipeline's earlier steps would not see the weights.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "checked",
    "combined",
    "refuse_single_series",
    "refuse_weightless_classes",
    "scoring_shape",
]


def checked(sample_weight, n: int, unit: float | None = None) -> tuple[np.ndarray | None, float]:
    """``sample_weight`` as n finite weights ≥ 0, not all 0, divided by their mean (or by
    ``unit``, a first chunk's mean); weights all equal (after the division: all 1) give
    None, the unweighted fit itself.

    Parameters
    ----------
    sample_weight : None, a number, or array_like (n,)
        A number weighs every series alike (as scikit-learn reads it).
    n : int
        The number of series.
    unit : float or None, default None
        The number the weights are divided by; None: their mean.

    Returns
    -------
    weights : (n,) float64 array or None
    unit : float
        The number they were divided by (1.0 for None).

    Raises
    ------
    ValueError
        ``sample_weight`` is not n numbers, or holds NaN, inf, a negative weight, or only
        zeros.
    """
    if sample_weight is None:
        return None, 1.0
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n, float(sample_weight))
    scoring_shape(sample_weight, n)
    w = np.array(sample_weight, dtype=np.float64)  # a copy: the caller's is never touched
    if not np.isfinite(w).all() or (w < 0).any():
        bad = float(w[~(np.isfinite(w) & (w >= 0))][0])
        raise ValueError(f"sample_weight must hold finite weights >= 0; got {bad!r}")
    if not (w > 0).any():
        raise ValueError("sample_weight must hold at least one weight > 0; got every weight zero")
    if unit is None:  # equal weights divided by themselves: exactly one each
        unit = float(w[0]) if (w == w[0]).all() else _mean(w)
    w /= unit
    return (None if (w == 1.0).all() else w), unit


def scoring_shape(sample_weight, n: int) -> None:
    """Refuse ``sample_weight`` that is not n numbers (a shape (n,) array_like), in the
    words ``fit`` uses: ``score`` passes the weights on to scikit-learn's metrics, whose
    words name no argument ("inconsistent numbers of samples: [24, 24, 3]")."""
    array = np.asarray(sample_weight)  # through __array__: np.shape would dispatch on it
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must be ({n},) numbers, one weight per series; got "
            f"{type(sample_weight).__name__} of dtype {array.dtype}"
        )
    shape = array.shape
    if shape != (n,):
        raise ValueError(f"sample_weight must be ({n},), one weight per series; got shape {shape}")


def _mean(w: np.ndarray) -> float:
    """The mean of weights w (n,) ≥ 0, finite where their sum overflows (weights near
    1e308: the mean was inf, so every weight became 0 and was refused as such)."""
    with np.errstate(over="ignore"):
        mean = float(w.mean())
    if math.isfinite(mean):
        return mean
    top = float(w.max())
    return top * float((w / top).mean())


def refuse_single_series(weights) -> None:
    """Refuse sample weights (n,) that leave fewer than two series any weight: the
    leave-one-out choices (α, ω) leave the one series out of a fit of none (0/0)."""
    if weights is not None and np.count_nonzero(weights) < 2:
        raise ValueError(
            "sample_weight leaves a single series of weight > 0: training='reservoir' "
            "chooses its penalty by leave-one-out over the weighted series, which needs two; "
            "give another series weight"
        )


def combined(class_weights: np.ndarray | None, weights: np.ndarray | None) -> np.ndarray | None:
    """Each series' weight (n,): its class's times its sample weight (either may be None)."""
    if class_weights is None or weights is None:
        return weights if class_weights is None else class_weights
    return class_weights * weights


def refuse_weightless_classes(classes: np.ndarray, codes: np.ndarray, weights) -> None:
    """Refuse sample weights that leave fewer than two of ``classes`` (indices ``codes``
    (n,)) any weight: no model tells classes apart from one.  A class left no weight while
    two others keep some is fitted as scikit-learn's classifiers fit it, a class never
    predicted (a bootstrap that drew none of a rare class's series: ``BaggingClassifier``
    passes its draws as weights, 0 for a series not drawn)."""
    if weights is None:
        return
    totals = np.bincount(codes, weights=weights, minlength=len(classes))  # (n_classes,)
    kept = np.flatnonzero(totals > 0)
    if len(kept) < 2 <= len(classes):
        empty = [classes[k].item() for k in np.flatnonzero(totals == 0)]
        raise ValueError(
            f"sample_weight gives class {empty[0]!r} no weight (every one of its series weighs "
            f"0), which leaves one class of weight > 0: a classifier needs two; drop the "
            f"weightless classes' series or give them weight"
        )
