"""The loop-free methods of ``forward`` and the scan-based adjoint for ``backward``.

    method="scan"        linear activation only: a(t) = R a(t−1) + W x(t) by the exact scan
    method="deer"        Newton over the whole trajectory (frnn.deer), full Jacobians
    method="quasi-deer"  the same with diagonal Jacobians

The adjoint of the recurrence is itself linear, and runs backwards in time:

    ∂L/∂a(t) = g(t) + Rᵀ diag(f'(s(t+1))) ∂L/∂a(t+1),   ∂L/∂a(T+1) = 0,

so ``backward`` after a parallel forward solves it with the same scan (reverse=True);
the gradients then follow from δ(t) = ∂L/∂a(t) ⊙ f'(s(t)) exactly as in BPTT.

DEER's options are read from the model when present: ``model.deer_tol`` (float) and
``model.deer_max_iter`` (int ≥ 1).  After a DEER / quasi-DEER forward, ``model.deer_info``
holds a :class:`frnn.deer.DEERInfo` and ``model.deer_iterations`` its iteration count.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..engine.activations import ACTIVATIONS
from . import deer
from .scan import linear_scan

__all__ = ["METHODS", "states", "bptt"]

METHODS = ("sequential", "scan", "deer", "quasi-deer")


def states(
    model, method: str, W: np.ndarray, R: np.ndarray, batch, activation: str, *, sequential
) -> np.ndarray:
    """a(1..T), (T, B, I) zero where padded, by the loop-free ``method``.

    Parameters
    ----------
    model : the model; DEER's options are read from it and its report written to it
    method : "scan", "deer" or "quasi-deer"
    W : (I, D), R : (I, I)
    batch : the checked, time-major ``Batch`` of this forward call
    activation : the activation's name
    sequential : callable(W, R, batch, f) -> (T, B, I), the loop DEER falls back to
    """
    f, f_prime = ACTIVATIONS[activation]
    U = batch.x @ W.T  # (T, B, I)
    if method == "scan":
        if activation != "linear":
            raise ValueError(
                f'method="scan" solves linear recurrences only and needs activation '
                f'"linear"; got activation {activation!r} (use method="deer" or '
                f'"quasi-deer" for it)'
            )
        lengths = None if batch.mask is None else batch.lengths
        return linear_scan(R, U, batch.a0, lengths=lengths)  # a stationary recurrence
    tol, max_iter = _options(model)
    A, info = deer.solve(
        U,
        R,
        batch.a0,
        f,
        f_prime,
        mask=batch.mask,
        quasi=method == "quasi-deer",
        tol=tol,
        max_iter=max_iter,
    )
    model.deer_info, model.deer_iterations = info, info.iterations
    if A is None:
        warnings.warn(
            f"{method} did not converge ({info.fallback}); the states were computed "
            f"by the sequential loop instead",
            deer.DEERFallbackWarning,
            stacklevel=3,
        )
        A = sequential(W, R, batch, f)
    return A


def bptt(
    G: np.ndarray, A: np.ndarray, R: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    """δ(t) = ∂L/∂s(t) and ∂L/∂a(t), both (T, B, I), by a reverse-time scan.

    Parameters
    ----------
    G : (T, B, I) the loss's direct gradient g(t) in a(t), zero where padded
    A : (T, B, I) the states
    R : (I, I)
    activation : the activation's name

    Returns
    -------
    delta, dA : (T, B, I) each, as from the sequential BPTT loop
    """
    d = ACTIVATIONS[activation][1](A)  # (T, B, I): f'(s(t))
    if activation == "linear":
        dA = linear_scan(R.T, G, reverse=True)  # f' = 1: the same Rᵀ at every step
    else:
        d_next = np.concatenate([d[1:], np.zeros_like(d[:1])])  # (T, B, I): f'(s(t+1))
        M = R.T * d_next[..., None, :]  # (T, B, I, I): Rᵀ diag(f'(s(t+1)))
        dA = linear_scan(M, G, reverse=True)
    return dA * d, dA


def _options(model) -> tuple[float | None, int | None]:
    """``model.deer_tol`` and ``model.deer_max_iter``, checked, or None for the defaults."""
    tol = getattr(model, "deer_tol", None)
    max_iter = getattr(model, "deer_max_iter", None)
    if tol is not None and (
        isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0
    ):
        raise ValueError(f"model.deer_tol must be a positive number; got {tol!r}")
    if max_iter is not None and (
        isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 1
    ):
        raise ValueError(f"model.deer_max_iter must be an integer >= 1; got {max_iter!r}")
    return tol, max_iter
