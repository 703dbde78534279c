"""Probabilities from decision values: softmax(τ z), with τ fitted by log-loss.

    p_k = exp(τ z_k) / Σ_j exp(τ z_j),   loss(τ) = Σ_i w_i · (−log p_{y_i}(z_i))

The classifiers' ``predict_proba`` is softmax(τ z) with the τ of ``TEMPERATURES`` whose
log-loss on the leave-one-out outputs is least (:meth:`frnn.reservoir.ReservoirReadout.
calibrate`); the neighbours' β is chosen by the same loss, at each β's own best τ
(:func:`frnn.reservoir.neighbours.choose`).  Every loss is a sum over series, so chunks
of series add up (:mod:`frnn.estimators.chunked`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TEMPERATURES",
    "best_temperature",
    "softmax",
    "softmax_temperature",
    "temperature_losses",
]

#: The τ tried, 0.01 to 100: decision values of order one (the ridge's ±1 targets, z_nn's
#: distances in units of the median nearest one) need neither end.
TEMPERATURES = np.logspace(-2, 2, 41)


def softmax(z: np.ndarray, tau: float) -> np.ndarray:
    """(n, K) decision values -> (n, K) probabilities softmax(τ z), rows summing to one."""
    logits = tau * z - (tau * z).max(axis=1, keepdims=True)  # shifted: exp never overflows
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def softmax_temperature(z: np.ndarray, y_index: np.ndarray, sample_weight=None) -> float:
    """The τ in ``TEMPERATURES`` minimising the log-loss of held-out decision values z (n, K),
    each series counted with its weight ``sample_weight`` (n,) (None: one each)."""
    return best_temperature(temperature_losses(z, y_index, sample_weight))


def best_temperature(losses: np.ndarray) -> float:
    """The τ of ``TEMPERATURES`` whose log-loss in ``losses`` (n_τ,) is least."""
    return float(TEMPERATURES[int(np.argmin(losses))])


def temperature_losses(z: np.ndarray, y_index: np.ndarray, sample_weight=None) -> np.ndarray:
    """Σ_i w_i · (−log softmax(τ z_i)[y_i]) for each τ in ``TEMPERATURES``: (n_τ,), from
    decision values z (n, K), classes ``y_index`` (n,) and weights ``sample_weight`` (n,)
    (None: one each); a sum, so chunks of series add up.  A probability is floored at
    1e-300, so a series called wrong with any confidence costs at most 691."""
    rows = np.arange(len(y_index))
    w = 1.0 if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    # Several τ in one pass (the fit calls this for every β: one τ at a time was about 7%
    # of a small set's fit), in blocks of at most _BLOCK values; the same operations on
    # each τ's (n, K) as softmax's, so the same bits.
    step = max(1, _BLOCK // max(z.size, 1))
    losses = []
    for start in range(0, len(TEMPERATURES), step):
        tau = TEMPERATURES[start : start + step, None, None]  # (b, 1, 1)
        logits = tau * z - (tau * z).max(axis=2, keepdims=True)  # (b, n, K)
        e = np.exp(logits)
        p = (e / e.sum(axis=2, keepdims=True))[:, rows, y_index]  # (b, n)
        # Row by row: a sum along axis 1 adds in another order than a 1-D sum does.
        losses += [row.sum() for row in w * -np.log(np.clip(p, 1e-300, None))]
    return np.array(losses)


_BLOCK = 2**18  # values of τ·z computed at once: 2 MiB in float64
