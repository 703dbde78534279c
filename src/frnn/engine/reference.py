"""The reference loops: the recurrence and BPTT written as the equations read.

Every fast path (``numpy_loops``, ``kernels``, the parallel methods) computes the same
function as these loops; tests/engine/test_fast_path.py holds them together to float64 round-off.
Arrays are time-major, (T, B, ·), and already checked (see ``batch.prepare``).
"""

from __future__ import annotations

import numpy as np

from .batch import Batch


def states(W: np.ndarray, R: np.ndarray, batch: Batch, f, b=None) -> np.ndarray:
    """a(1..T), (T, B, I); only R a(t−1) stays inside the time loop.  ``b`` (I,) or None."""
    U = batch.x @ W.T  # (T, B, I): W x(t) for every t in one product
    if b is not None:
        U += b  # W x(t) + b: the bias is part of the input drive
    A = np.empty_like(U)
    a = batch.a0  # (B, I)
    for t in range(U.shape[0]):
        a = f(U[t] + a @ R.T)  # (B, I)
        if batch.mask is not None:
            a = a * batch.mask[t][:, None]  # padded steps hold zero, and stay zero
        A[t] = a
    return A


def last(A: np.ndarray, batch: Batch) -> np.ndarray:
    """a(T_b) for each sequence b: (T, B, I) -> (B, I); the last step (a view) unpadded."""
    return A[-1] if batch.mask is None else A[batch.lengths - 1, np.arange(A.shape[1])]


def direct_gradient(A: np.ndarray, batch: Batch, V: np.ndarray, dZ: np.ndarray) -> np.ndarray:
    """g(t), (T, B, I): the loss's direct gradient in a(t), given dZ = ∂L/∂z."""
    G = np.zeros_like(A)  # (T, B, I)
    if batch.many_to_many:
        G += dZ @ V
    else:
        G[batch.lengths - 1, np.arange(A.shape[1])] = dZ @ V
    return G


def bptt(G: np.ndarray, A: np.ndarray, R: np.ndarray, f_prime) -> tuple[np.ndarray, np.ndarray]:
    """δ(t) = ∂L/∂s(t) and ∂L/∂a(t), backwards in time; both (T, B, I).

    Padded steps need no mask: nothing there reaches the loss, so g(t) = 0 and the
    carry from later (padded) steps is 0 too.
    """
    delta = np.empty_like(A)
    dA = np.empty_like(A)
    carry = np.zeros_like(A[0])  # (B, I): Rᵀ δ(t+1), the gradient arriving from the future
    for t in range(A.shape[0] - 1, -1, -1):
        dA[t] = G[t] + carry
        delta[t] = dA[t] * f_prime(A[t])
        carry = delta[t] @ R
    return delta, dA


def weight_gradients(delta: np.ndarray, A: np.ndarray, batch: Batch) -> tuple[np.ndarray, ...]:
    """dW = Σ_t δ(t) x(t)ᵀ, (I, D), and dR = Σ_t δ(t) a(t−1)ᵀ, (I, I).

    (∂L/∂b = Σ_t δ(t) is ``delta.sum((0, 1))``: δ is zero on padded steps.)
    """
    A_prev = np.concatenate([batch.a0[None], A[:-1]])  # (T, B, I): a(t−1)
    flat = delta.reshape(-1, delta.shape[-1])  # (T·B, I)
    dW = flat.T @ batch.x.reshape(-1, batch.x.shape[-1])
    dR = flat.T @ A_prev.reshape(-1, A.shape[-1])
    return dW, dR
