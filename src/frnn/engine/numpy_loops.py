"""The numpy fast path: the reference loops' function with the least work per step.

BLAS for every product, the element-wise work done in place in few passes, and BPTT's
δ(t) kept for an eighth of the sequence at a time, so a training step holds little beyond
the states a(t) themselves (the B·T·I floor).  The compiled loops (``compiled``) run
instead wherever numba works; this path is what runs where it does not, and
``engine="numpy"``.
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import threads
from .activations import ACTIVATIONS
from .batch import Batch

# Per-step work up to which the numpy path runs on one BLAS thread: splitting a (32, 32)
# product over threads costs more in synchronisation than it saves (batch 32, 32 hidden
# units: 1.16 ms a training step on one thread, 1.43 ms on two; 3.5x slower on two while
# another library's OpenMP threads spin on the same cores).  From batch 64 with 128 hidden
# units (work 1.2·10^6) two threads win by 1.6x.
ONE_THREAD_MAX_WORK = 2**17

# Up to this many values (128 KiB in float64) BPTT keeps δ(t) for the whole sequence: a
# short framed series (T = 10, batch 32, 32 hidden units) then costs one dW/dR product
# instead of five.
WHOLE_DELTA_MAX_VALUES = 2**14


def _blas_threads_for(B: int, D: int, I: int):
    """BLAS on one thread while the per-step products are small (``threads``), else as set."""
    if B * I * (D + I) <= ONE_THREAD_MAX_WORK:
        return threads.one_blas_thread()
    return contextlib.nullcontext()


def row_sum(rows: np.ndarray, ones: np.ndarray | None = None) -> np.ndarray:
    """Σ over the rows of ``rows`` (n, m) -> (m,), as the product 1ᵀ rows.

    BLAS's gemv is about ten times faster than numpy's ``sum(axis=0)`` when m is small
    (n = 6400, m = 3: 3.3 µs against 71 µs).  ``ones``, of length ≥ n and the rows'
    dtype, saves allocating the vector of ones when the caller keeps one.
    """
    n = rows.shape[0]
    if ones is None:
        ones = np.ones(n, dtype=rows.dtype)
    return ones[:n] @ rows


def states(W: np.ndarray, R: np.ndarray, batch: Batch, activation: str, b=None) -> np.ndarray:
    """a(1..T), (T, B, I), zero where padded: ``reference.states`` by the numpy path."""
    T, B, D = batch.x.shape
    with _blas_threads_for(B, D, W.shape[0]):
        return _states(W, R, batch, activation, b)


def _states(W, R, batch, activation, b):
    T, B, D = batch.x.shape
    I = W.shape[0]
    A = np.empty((T, B, I), dtype=W.dtype)
    # W x(t) for every t in one product, written where the states will be (no second buffer).
    np.matmul(batch.x.reshape(T * B, D), W.T, out=A.reshape(T * B, I))
    if b is not None:
        A += b  # W x(t) + b, one pass; a model without biases skips it
    f = ACTIVATIONS[activation].f_in_place
    carry = np.empty((B, I), dtype=W.dtype)  # R a(t−1)
    RT = np.ascontiguousarray(R.T)  # np.dot on contiguous operands: the least overhead per call
    a = batch.a0  # (B, I)
    for t in range(T):
        np.dot(a, RT, out=carry)
        a = A[t]
        a += carry
        f(a)
        if batch.mask is not None:
            a *= batch.mask[t][:, None]  # padded steps hold zero, as in the reference
    return A


def gradients(
    A: np.ndarray,
    batch: Batch,
    R: np.ndarray,
    V: np.ndarray,
    dZ: np.ndarray,
    activation: str,
    bias: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """dW (I, D), dR (I, I) and, with ``bias``, db (I,) (else None) of BPTT, given
    dZ = ∂L/∂z: (B, K) or (T, B, K) (masked).

    The same sums as ``reference.bptt`` and ``reference.weight_gradients``.
    """
    T, B, I = A.shape
    with _blas_threads_for(B, batch.x.shape[2], I):
        return _gradients(A, batch, R, V, dZ, activation, bias)


def _gradients(A, batch, R, V, dZ, activation, bias):
    T, B, I = A.shape
    R = np.ascontiguousarray(R)
    x = batch.x  # (T, B, D)
    # δ is kept for an eighth of the sequence at a time, so a step holds little beyond the
    # states; where all of δ is tiny, one chunk saves the per-chunk calls instead.
    n_max = T if T * B * I <= WHOLE_DELTA_MAX_VALUES else -(-T // 8)
    delta = np.empty((n_max, B, I), dtype=A.dtype)  # f'(s(t)), then δ(t), of one chunk
    carry = np.empty((B, I), dtype=A.dtype)  # ∂L/∂a(t) = g(t) + Rᵀ δ(t+1)
    g = np.empty((B, I), dtype=A.dtype)  # many-to-many: g(t) = Vᵀ ∂L/∂z(t)
    edge = np.zeros((B, I), dtype=A.dtype)  # δ(t1) of the chunk done last, beyond this one
    dW = np.zeros((I, x.shape[2]), dtype=A.dtype)
    dR = np.zeros((I, I), dtype=A.dtype)
    db = np.zeros(I, dtype=A.dtype) if bias else None  # Σ δ(t), from the δ already here
    ones = np.ones(n_max * B, dtype=A.dtype) if bias else None  # for row_sum, made once
    ends = {}  # many-to-one: the step t -> the sequences whose last step it is
    if not batch.many_to_many:
        G = dZ @ V  # (B, I): the loss's direct gradient at each sequence's last state
        for t in np.unique(batch.lengths - 1):
            ends[int(t)] = np.flatnonzero(batch.lengths - 1 == t)
    for t1 in range(T, 0, -n_max):
        t0 = max(0, t1 - n_max)
        chunk = delta[: t1 - t0]  # (n, B, I)
        # f' for the whole chunk in two calls, not per step: at small sizes numpy's per-call
        # overhead, not arithmetic, is most of the time.
        ACTIVATIONS[activation].f_prime_into(A[t0:t1], chunk)
        for t in range(t1 - 1, t0 - 1, -1):
            if t + 1 < T:
                later = chunk[t - t0 + 1] if t + 1 < t1 else edge  # δ(t+1)
                np.dot(later, R, out=carry)
            else:
                carry.fill(0)
            if batch.many_to_many:
                carry += np.matmul(dZ[t], V, out=g)
            elif t in ends:
                carry[ends[t]] += G[ends[t]]
            np.multiply(carry, chunk[t - t0], out=chunk[t - t0])  # δ(t) = ∂L/∂a(t) ⊙ f'
        _accumulate_chunk(dW, dR, chunk, x[t0:t1], A, batch.a0, t0, db=db, ones=ones)
        np.copyto(edge, chunk[0])
    return dW, dR, db


def _accumulate_chunk(dW, dR, chunk, x, A, a0, t0, *, db=None, ones=None):
    """dW += Σ δ(t) x(t)ᵀ, dR += Σ δ(t) a(t−1)ᵀ over one chunk of steps t0 ≤ t < t1; with
    ``db`` (I,) also db += Σ δ(t), by ``row_sum`` with its vector of ``ones``."""
    n, B, I = chunk.shape
    flat = chunk.reshape(n * B, I)
    dW += flat.T @ x.reshape(n * B, -1)
    if db is not None:
        db += row_sum(flat, ones)
    if t0 == 0:  # a(−1+1) = a0 lies outside A
        dR += flat[:B].T @ a0
        flat, t0, n = flat[B:], 1, n - 1
    if n:
        dR += flat.T @ A[t0 - 1 : t0 - 1 + n].reshape(n * B, I)
