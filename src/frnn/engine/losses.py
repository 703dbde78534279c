"""The logistic sigmoid, the stable binary cross-entropy from logits, and least squares.

Every function here is elementwise and safe for every float: no overflow, no warning,
and the mathematical limit at ±inf.  docs/derivations.md proves the identities used.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validate import as_float_array, check_finite, check_unit_interval

__all__ = ["sigmoid", "bce_with_logits", "bce_with_logits_grad", "mse", "mse_grad"]


def _exp_neg_abs(z: np.ndarray) -> np.ndarray:
    """e^{−|z|} ∈ (0, 1]: the one exponential every stable form needs; it cannot overflow."""
    return np.exp(-np.abs(z))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # σ(z) = 1/(1+e^{−z}) for z ≥ 0 and e^{z}/(1+e^{z}) for z < 0: both written with
    # e = e^{−|z|} ≤ 1, so nothing overflows and ±inf give exactly 1 and 0.
    e = _exp_neg_abs(z)
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _bce(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # max(z, 0) − z·y equals |z|·(1 − y) for z ≥ 0 and |z|·y for z < 0.  For finite z the
    # two forms agree to rounding (at y = 1, z − z·1 is exactly 0 too); the product is
    # chosen for the infinite logit: where the weight is 0 it is skipped, so |z| = inf
    # gives 0, where z − z·y would give inf − inf = NaN.
    weight = np.where(z >= 0, 1.0 - y, y)
    linear = np.multiply(
        np.abs(z), weight, out=np.zeros(np.broadcast(z, y).shape, z.dtype), where=weight != 0
    )
    return linear + np.log1p(_exp_neg_abs(z))


def _bce_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # σ(z) − y, with σ(z) = 1 − e/(1+e) folded into (1 − y) − e/(1+e) for z ≥ 0 so that
    # hard labels keep full relative accuracy where the gradient is tiny.
    e = _exp_neg_abs(z)
    tail = e / (1.0 + e)
    return np.where(z >= 0, (1.0 - y) - tail, tail - y)


def _mse(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.5 * (z - y) ** 2


def _mse_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return z - y


def sigmoid(z: ArrayLike) -> np.ndarray:
    """The logistic function, σ(z) = 1 / (1 + e^{−z}), for every float.

    Parameters
    ----------
    z : array_like, any shape
        Logits; ±inf allowed, NaN rejected.

    Returns
    -------
    ndarray, the shape of ``z``
        σ(z) in [0, 1]; exactly 1 at +inf and 0 at −inf.

    Examples
    --------
    >>> import numpy as np, frnn
    >>> frnn.sigmoid([-np.inf, -800.0, 0.0, 800.0, np.inf])  # no overflow warning
    array([0. , 0. , 0.5, 1. , 1. ])
    """
    z = as_float_array(z, "z")
    check_finite(z, "z", allow_inf=True)
    return _sigmoid(z)


def bce_with_logits(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Binary cross-entropy from the logit, stable for every float.

    L(z, y) = max(z, 0) − z·y + log(1 + e^{−|z|}),  which equals
    −y log σ(z) − (1 − y) log(1 − σ(z)).

    Parameters
    ----------
    z : array_like
        Logits; ±inf allowed (the loss is then 0 or inf, never NaN).
    y : array_like, broadcastable with ``z``
        Targets in [0, 1]; soft labels allowed.  Broadcasting is numpy's: logits
        z (B, 1) against targets y (B,) give a (B, B) grid, every logit against every
        target (torch's ``binary_cross_entropy_with_logits`` refuses them); for one
        target per logit give y in z's shape (``y[:, None]`` or ``z.ravel()``).

    Returns
    -------
    ndarray, the broadcast shape of ``z`` and ``y``
        The elementwise loss, ≥ 0.

    Examples
    --------
    The textbook formula gives nan at z = 40 (σ(z) rounds to 1) and loses every digit
    long before; the stable form keeps them:

    >>> import numpy as np, frnn
    >>> frnn.bce_with_logits([0.0, 36.7, -1e4, np.inf], 1.0)
    array([6.93147181e-01, 1.15184095e-16, 1.00000000e+04, 0.00000000e+00])
    """
    z, y = _check_pair(z, y)
    check_unit_interval(y, "y")
    return _bce(z, y)


def bce_with_logits_grad(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """∂L/∂z of :func:`bce_with_logits`: σ(z) − y.

    Parameters
    ----------
    z : array_like
        Logits; ±inf allowed.
    y : array_like, broadcastable with ``z``
        Targets in [0, 1].

    Returns
    -------
    ndarray, the broadcast shape of ``z`` and ``y``
        σ(z) − y in [−1, 1].

    Examples
    --------
    >>> import frnn
    >>> frnn.bce_with_logits_grad([0.0, 0.0, 50.0], [1.0, 0.5, 0.0])
    array([-0.5,  0. ,  1. ])
    """
    z, y = _check_pair(z, y)
    check_unit_interval(y, "y")
    return _bce_grad(z, y)


def mse(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Least squares on the identity output: L(z, y) = ½ (z − y)².

    Parameters
    ----------
    z, y : array_like, broadcastable, finite

    Returns
    -------
    ndarray, the broadcast shape

    Examples
    --------
    >>> import frnn
    >>> frnn.mse([1.0, 3.0], 2.0)
    array([0.5, 0.5])
    """
    z, y = _check_pair(z, y, allow_inf=False)
    return _mse(z, y)


def mse_grad(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """∂L/∂z of :func:`mse`: z − y, for the same z and y (the broadcast shape).

    Parameters
    ----------
    z, y : array_like, broadcastable, finite
        The outputs and their targets, of any shapes that broadcast together.

    Returns
    -------
    ndarray, the broadcast shape
        z − y, as floats.

    Raises
    ------
    TypeError
        z or y is not a real numeric array.
    ValueError
        z or y holds NaN or ±inf, or their shapes do not broadcast.

    Examples
    --------
    >>> import frnn
    >>> frnn.mse_grad([1.0, 3.0], 2.0)
    array([-1.,  1.])
    """
    z, y = _check_pair(z, y, allow_inf=False)
    return _mse_grad(z, y)


def _check_pair(z, y, *, allow_inf: bool = True) -> tuple[np.ndarray, np.ndarray]:
    z = as_float_array(z, "z")
    y = as_float_array(y, "y")
    check_finite(z, "z", allow_inf=allow_inf)
    check_finite(y, "y")
    try:
        np.broadcast_shapes(z.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"z and y must have broadcastable shapes; got z {z.shape} and y {y.shape}"
        ) from None
    return z, y


# name -> (elementwise loss, its derivative in z); the engine calls these unchecked.
LOSSES = {"bce": (_bce, _bce_grad), "mse": (_mse, _mse_grad)}
