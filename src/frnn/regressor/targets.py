"""Targets of the regressor: checked, scaled to unit variance, and scored.

A target is one value vector per series, y (n,) or (n, K), or one per step, Y (n, T),
(n, T, K) or a list of (T_i,) / (T_i, K) arrays (sequence targets, many-to-many).  The
networks and the read-out learn (y − mean) / scale, so that the learning rate and the ridge
penalties mean the same whatever the user's units; predictions are scaled back.
"""

from __future__ import annotations

import math
import time

import numpy as np
from sklearn.metrics import r2_score

from ..data.inputs import ROUND_OFF, binary_unit, mask
from ..data.series import pad

__all__ = [
    "LARGEST_TARGET",
    "TargetInfo",
    "check_targets",
    "evaluate",
    "flat",
    "metrics",
    "r2_in_units",
    "scaling",
]


class TargetInfo:
    """How the training targets looked, so predictions come back in the same shape.

    sequence : a value per step (many-to-many); squeeze : no K axis was given (y (n,),
    Y (n, T) or a list of (T_i,)); ragged : a list of per-step arrays; K : outputs.
    """

    def __init__(self, sequence: bool, squeeze: bool, ragged: bool, K: int):
        self.sequence, self.squeeze, self.ragged, self.K = sequence, squeeze, ragged, K


def check_targets(y, n: int, lengths: np.ndarray, tabular: bool, name: str = "y"):
    """y as (n, K) or (n, T, K) float64, and its :class:`TargetInfo`.

    A 3-D y, a list of per-step arrays, or a 2-D y with as many columns as the (non-tabular)
    series have steps, is a sequence target.

    Raises
    ------
    ValueError
        Naming ``name``: missing, non-numeric, non-finite or of the wrong shape.
    """
    if y is None:
        raise ValueError(f"requires {name} to be passed, but the target {name} is None")
    T = int(lengths.max())
    ragged = isinstance(y, list | tuple) and len(y) > 0 and not tabular
    ragged = ragged and all(np.ndim(v) >= 1 for v in y) and len({np.shape(v) for v in y}) > 1
    if ragged:
        Y, squeeze = _ragged(y, n, lengths, name), all(np.ndim(v) == 1 for v in y)
    else:
        Y = _numeric(y, name)
        if Y.shape[0] != n:
            raise ValueError(
                f"X and {name} have inconsistent numbers of samples: X has {n}, "
                f"{name} has {Y.shape[0]}"
            )
        if Y.ndim > 3 or (Y.ndim == 3 and Y.shape[1] != T):
            raise ValueError(
                f"{name} must be (n,), (n, K), or per step (n, T) or (n, T, K) with T = {T}, "
                f"the length of X's series; got shape {Y.shape}"
            )
        sequence = Y.ndim == 3 or (Y.ndim == 2 and not tabular and T > 1 and Y.shape[1] == T)
        squeeze = Y.ndim == 1 or (sequence and Y.ndim == 2)
        Y = Y[..., None] if squeeze else Y  # (n, K) or (n, T, K)
    if not np.isfinite(Y).all():
        raise ValueError(
            f"Input {name} contains NaN or infinity; found {int((~np.isfinite(Y)).sum())} "
            "such value(s)"
        )
    return Y, TargetInfo(Y.ndim == 3, squeeze, ragged, Y.shape[-1])


def _numeric(y, name: str) -> np.ndarray:
    try:
        Y = np.asarray(y)
        if Y.dtype.kind != "c":  # numpy's cast would drop an imaginary part, with a warning
            Y = Y.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold real numbers; could not convert it: {error}") from None
    if Y.dtype.kind == "c":
        raise ValueError(f"{name} must hold real numbers; got complex values (dtype {Y.dtype})")
    if Y.ndim == 0 or Y.size == 0:
        raise ValueError(f"{name} must be (n,) or (n, K) with n ≥ 1; got shape {Y.shape}")
    return Y


def _ragged(y, n: int, lengths: np.ndarray, name: str) -> np.ndarray:
    """A list of per-step targets (T_i,) or (T_i, K) as (n, T, K), zero where padded."""
    arrays = [_numeric(v, f"{name}[{i}]") for i, v in enumerate(y)]
    arrays = [a[:, None] if a.ndim == 1 else a for a in arrays]
    if len(arrays) != n or any(a.ndim != 2 for a in arrays):
        raise ValueError(f"{name} must be a list of n = {n} arrays (T_i,) or (T_i, K)")
    got = np.array([a.shape[0] for a in arrays])
    if (got != lengths).any() or len({a.shape[1] for a in arrays}) > 1:
        i = int(np.flatnonzero(got != lengths)[0]) if (got != lengths).any() else 0
        raise ValueError(
            f"{name}[{i}] must have one row per step of X[{i}] ({lengths[i]}) and every "
            f"{name}[i] the same K; got shape {arrays[i].shape}"
        )
    return pad(arrays)[0]


#: The largest target magnitude a regressor fits: a target minus the mean of targets within
#: ±2^1022 lies within ±2^1023, a float (targets near ±1.8e308 overflowed in y − mean).
LARGEST_TARGET = 2.0**1022


def scaling(Y: np.ndarray, lengths: np.ndarray, name: str = "y"):
    """Per-output mean and scale (K,) over the real targets; constant targets, and targets
    beyond ±:data:`LARGEST_TARGET`, are an error.

    Constant means a spread of at most :data:`~frnn.data.inputs.ROUND_OFF` (16 float64
    epsilons) of the mean's size, whatever the units: targets of size 1e-13 that vary are
    data, and so are 1e15 ± 20 (epoch times, prices in micro-units).  The moments are taken
    in units of a power of two near each output's largest value, which is exact, so that
    neither the sum of 1e200s nor the square of 1e-300s leaves the floats.
    """
    real = Y[mask(Y, lengths)] if Y.ndim == 3 else Y  # (N, K)
    largest = np.abs(real).max(axis=0)  # (K,)
    if (largest > LARGEST_TARGET).any():
        raise ValueError(
            f"{name} holds values up to {largest.max():.6g} in magnitude; targets must lie "
            f"within ±2^1022 ({LARGEST_TARGET:.6g}), so that their differences from their "
            "mean and the predictions stay finite: divide them by a power of ten (the fit is "
            "the same in any units)"
        )
    unit = binary_unit(largest)  # (K,)
    mean, scale = (real / unit).mean(axis=0) * unit, (real / unit).std(axis=0) * unit
    constant = ~(scale > ROUND_OFF * np.abs(mean))  # all equal: the spread is round-off or 0
    if constant.any():
        k = int(np.flatnonzero(constant)[0])
        if scale[k] > 0:  # they vary, by round-off of their size (1e15 ± 1: 8 units of 1/8)
            raise ValueError(
                f"{name} varies by round-off of its size only (output {k}: {mean[k]:.17g} "
                f"with a standard deviation of {scale[k]:.3g}, at most 16 float64 epsilons "
                f"of its mean), which a regressor reads as constant: subtract the level "
                f"(y − {mean[k]:.17g}) to fit what varies"
            )
        one = " (a single series: fit at least 2)" if len(real) == 1 else ""
        raise ValueError(
            f"{name} is constant (output {k} is always {mean[k]:.6g} over {len(real)} "
            f"sample(s)): a regressor needs targets that vary{one}"
        )
    return mean, scale


def flat(Y: np.ndarray, lengths: np.ndarray | None) -> np.ndarray:
    """(n, K) stays; (n, T, K) becomes the real steps' (Σ T_i, K)."""
    return Y if Y.ndim == 2 else Y[mask(Y, lengths)]


def r2_in_units(Y: np.ndarray, Z: np.ndarray, unit: np.ndarray, sample_weight=None) -> float:
    """R² of predictions Z against targets Y, both (N, K): scikit-learn's ``r2_score``
    uniformly averaged over the outputs, at most 1.

    R² is the same in any units: it is taken in ``unit`` (K,), powers of two near each
    output's scale (``binary_unit`` of the fit's ``y_scale_``), an exact division, so that
    the squares of targets of 1e-300 or 1e150 neither vanish nor overflow.
    ``sample_weight`` (N,) or None weighs the rows.
    """
    return float(r2_score(Y / unit, Z / unit, sample_weight=sample_weight))


def metrics(y_true: np.ndarray, y_pred: np.ndarray, unit: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R² (averaged uniformly over outputs; NaN for N = 1) of (N, K) arrays;
    loss = ½ Σ_k MSE.

    Each in the targets' units, computed in ``unit`` (K,) as :func:`r2_in_units` is: the
    errors are divided by the largest unit (exact) before they are squared and the RMSE
    and MAE multiplied back, so neither underflows to 0 for targets of 1e-300 nor
    overflows for targets of 1e200.
    """
    u = float(np.max(unit))
    error = (y_pred - y_true) / u  # (N, K) in units of u
    rmse = float(np.sqrt(np.mean(error**2))) * u
    return {
        "rmse": rmse,
        "mae": float(np.mean(np.abs(error))) * u,
        # undefined for a single row: NaN without scikit-learn's UndefinedMetricWarning,
        # which the command line printed as two lines of Python (frnn evaluate, a --test)
        "r2": r2_in_units(y_true, y_pred, unit) if len(y_true) > 1 else math.nan,
        "loss": 0.5 * y_true.shape[1] * rmse * rmse,  # ½ Σ_k MSE_k = ½ K RMSE²
    }


def evaluate(regressor, X, y) -> dict:
    """RMSE, MAE, R² and the least-squares loss of a fitted regressor on series with targets.

    Parameters
    ----------
    regressor : fitted RNNRegressor
    X : what ``regressor.predict`` takes (an array, a list of series, a Series)
    y : targets shaped as in ``fit``

    Returns
    -------
    dict with "rmse", "mae", "r2", "loss", "n" and "seconds"
    """
    started = time.perf_counter()
    Y_true, Y_pred, _ = regressor._compare(X, y)
    result = metrics(Y_true, Y_pred, binary_unit(regressor.y_scale_))
    n = len(y)
    return {**result, "n": int(n), "seconds": round(time.perf_counter() - started, 4)}
