"""The loop-free methods of ``forward`` and the scan-based adjoint for ``backward``.

    method="scan"        linear activation only: a(t) = R a(t−1) + W x(t) by the exact scan
    method="deer"        Newton over the whole trajectory (frnn.parallel.deer), full Jacobians
    method="quasi-deer"  the same with diagonal Jacobians

The adjoint of the recurrence is itself linear, and runs backwards in time:

    ∂L/∂a(t) = g(t) + Rᵀ diag(f'(s(t+1))) ∂L/∂a(t+1),   ∂L/∂a(T+1) = 0,

so ``backward`` after a parallel forward solves it with the same scan (reverse=True);
the gradients then follow from δ(t) = ∂L/∂a(t) ⊙ f'(s(t)) exactly as in BPTT.

DEER's options (tol, max_iter) come in as arguments and its report goes back as a return
value; ``frnn.forward`` reads the options from, and writes the report to, the model.
"""

from __future__ import annotations

import numpy as np

from ..parallel import deer
from ..parallel.scan import linear_scan
from .activations import ACTIVATIONS

__all__ = ["METHODS", "states", "bptt"]

METHODS = ("sequential", "scan", "deer", "quasi-deer")


def states(
    method: str,
    W: np.ndarray,
    R: np.ndarray,
    batch,
    activation: str,
    *,
    tol: float | None = None,
    max_iter: int | None = None,
    b: np.ndarray | None = None,
) -> tuple[np.ndarray | None, deer.DEERInfo | None]:
    """a(1..T), (T, B, I) zero where padded, by the loop-free ``method``, and DEER's report.

    Parameters
    ----------
    method : "scan", "deer" or "quasi-deer"
    W : (I, D), R : (I, I)
    batch : the checked, time-major ``Batch`` of this forward call
    activation : the activation's name
    tol, max_iter : DEER's options (None: its defaults)
    b : (I,) the bias of s(t), or None; it joins W x(t) in the affine term

    Returns
    -------
    A : (T, B, I), or None when DEER did not converge (the caller falls back to a loop)
    info : :class:`frnn.deer.DEERInfo` for DEER / quasi-DEER, None for the scan
    """
    U = batch.x @ W.T  # (T, B, I)
    if b is not None:
        U += b  # W x(t) + b: the scan's and DEER's input drive
    if method == "scan":
        if activation != "linear":
            raise ValueError(
                f'method="scan" solves linear recurrences only and needs activation '
                f'"linear"; got activation {activation!r} (use method="deer" or '
                f'"quasi-deer" for it)'
            )
        lengths = None if batch.mask is None else batch.lengths
        return linear_scan(R, U, batch.a0, lengths=lengths), None  # a stationary recurrence
    act = ACTIVATIONS[activation]
    return deer.solve(
        U,
        R,
        batch.a0,
        act.f,
        act.f_prime,
        mask=batch.mask,
        quasi=method == "quasi-deer",
        tol=tol,
        max_iter=max_iter,
    )


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
    d = ACTIVATIONS[activation].f_prime(A)  # (T, B, I): f'(s(t))
    if activation == "linear":
        dA = linear_scan(R.T, G, reverse=True)  # f' = 1: the same Rᵀ at every step
    else:
        d_next = np.concatenate([d[1:], np.zeros_like(d[:1])])  # (T, B, I): f'(s(t+1))
        M = R.T * d_next[..., None, :]  # (T, B, I, I): Rᵀ diag(f'(s(t+1)))
        dA = linear_scan(M, G, reverse=True)
    return dA * d, dA
