"""Compiled time loops for small networks (numba), the same recurrence as reference.py.

At small sizes (a few hundred to a few thousand numbers per step) numpy spends most of its
time in per-call overhead, microseconds per step; here one call runs the whole loop.
Every product is written with the output index innermost (s[j] += x_k · Wᵀ[k, j]), so the
compiler vectorises it without reordering sums, and no constant is a Python float, so
float32 arrays are computed in float32 throughout.

Activations are selected by their ``code`` in ``activations.ACTIVATIONS`` (module
constants, which numba folds into the branches; ``kernel_math`` holds f, f' and a tanh that
vectorises).  Both loops run over the rows b0 ≤ b < b1 of the batch (a block of
``threads.row_blocks``).  This module imports numba; ``dispatch`` imports it lazily and
falls back to numpy when it cannot.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit

from .kernel_math import FMA, lengths_within  # noqa: F401  (``compiled`` calls it)
from .kernel_math import f as _f
from .kernel_math import f_prime as _f_prime

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "3bfac9aa62e966e5"

numba_version = numba.__version__
CALLS_BLAS = False  # every product is a loop here (``compiled`` holds no BLAS thread count)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FMA)
def states(x, WT, RT, bias, a0, lengths, code, one, A, b0, b1):
    """Fill rows b0..b1−1 of A (T, B, I) with a(1..T); padded steps hold zero.

    x (T, B, D) inputs, WT (D, I) = Wᵀ, RT (I, I) = Rᵀ, bias (I,) = b (zeros for a
    model without: s starts at +0 either way, so the sums are the same bits), a0 (B, I),
    lengths (B,); ``one`` is 1 in the arrays' dtype (so no constant promotes float32 to
    float64).
    """
    T, B, D = x.shape
    I = RT.shape[0]
    zero = one - one
    s = np.empty(I, dtype=A.dtype)
    for t in range(T):
        for b in range(b0, b1):
            if t >= lengths[b]:
                A[t, b, :] = zero
                continue
            for j in range(I):  # a plain loop: numba's s[:] = bias costs more at small I
                s[j] = bias[j]
            for k in range(D):
                xk = x[t, b, k]
                for j in range(I):
                    s[j] += xk * WT[k, j]
            prev = a0[b] if t == 0 else A[t - 1, b]  # (I,)
            for k in range(I):
                ak = prev[k]
                for j in range(I):
                    s[j] += ak * RT[k, j]
            for j in range(I):
                A[t, b, j] = _f(s[j], code, one, zero)


@njit(cache=True, nogil=True, error_model="numpy")
def gradients(x, A, a0, lengths, R, V, dZ, many_to_many, code, one, b0, b1, dW, dR, db):
    """BPTT without storing δ: add rows b0..b1−1's share of dW (I, D), dR (I, I) and db (I,)
    into them, step by step.

    dZ is ∂L/∂z: (T, B, K) many-to-many (zero where padded) or (1, B, K) many-to-one,
    where it enters at each sequence's last step.  dW, dR and db must start at zero; db
    of shape (0,) means a model without biases (nothing is written to it).
    """
    T, B, D = x.shape
    I = R.shape[0]
    bias = db.shape[0] > 0
    K = V.shape[0]
    zero = one - one
    carry = np.zeros((b1 - b0, I), dtype=A.dtype)  # Rᵀ δ(t+1), arriving from the future
    delta = np.empty(I, dtype=A.dtype)
    for t in range(T - 1, -1, -1):
        for b in range(b0, b1):
            if t >= lengths[b]:
                continue  # nothing reaches the loss from a padded step: δ = 0
            last = t == lengths[b] - 1
            tt = t if many_to_many else 0
            for j in range(I):
                delta[j] = carry[b - b0, j]
            if many_to_many or last:
                for k in range(K):
                    gk = dZ[tt, b, k]
                    for j in range(I):
                        delta[j] += gk * V[k, j]
            for j in range(I):
                delta[j] *= _f_prime(A[t, b, j], code, one, zero)
                carry[b - b0, j] = zero
            prev = a0[b] if t == 0 else A[t - 1, b]  # (I,): a(t−1)
            for i in range(I):
                di = delta[i]
                if bias:
                    db[i] += di
                for j in range(D):
                    dW[i, j] += di * x[t, b, j]
                for j in range(I):
                    dR[i, j] += di * prev[j]
                for j in range(I):
                    carry[b - b0, j] += di * R[i, j]


@njit(cache=True, nogil=True)
def time_major(x, out):
    """out (T, B, D) = x (B, T, D) transposed; whether every value of x is finite.

    What numpy does in three passes (a copy, ``isfinite``, a reduction of its booleans) in
    two: the copy in the order of ``out`` (in the order of x, each step's stores fell
    B·D values apart, on few cache sets), then a flat pass over x where v − v is 0 for a
    finite v and NaN for ±inf and NaN (NaN ≠ 0), counted in integers, which vectorises.
    (32, 100, 8) float64: 8 µs against numpy's 17.
    """
    B, T, D = x.shape
    for t in range(T):
        for b in range(B):
            for k in range(D):
                out[t, b, k] = x[b, t, k]
    flat = x.reshape(x.size)
    bad = 0
    for i in range(flat.size):
        v = flat[i]
        bad += v - v != 0
    return bad == 0


@njit(cache=True, nogil=True)
def unit_interval(y):
    """Whether every value of y (C-contiguous) lies in [0, 1]; NaN does not.  One call where
    numpy's test is four ((y >= 0) & (y <= 1), then all): 0.2 µs against 2.7 for (32, 1)."""
    flat = y.reshape(y.size)
    inside = True
    for i in range(flat.size):
        v = flat[i]
        inside &= (v >= 0) & (v <= 1)
    return inside


BCE, MSE = 0, 1  # ``head``'s loss codes (``compiled.HEAD_LOSSES``)


@njit(cache=True, nogil=True, error_model="numpy")
def head(A, lengths, V, c, y, w, loss, one, scale, Z, dZ, dV):
    """The many-to-one output layer and its loss in one pass, after the time loop.

    Z (B, K) = a(T_b) Vᵀ + c, the loss (1/B) Σ_b w_b Σ_k L(z_bk, y_bk) (returned, a
    float), dZ (B, K) = ∂L/∂z = (L'(z, y) / B) w_b and dV (K, I) = dZᵀ a(T_b): what
    numpy computes in a dozen calls on (B, K) arrays (``losses``' stable forms, the same
    operations), each paid with cold caches after the loop.  A (T, B, I) states, lengths
    (B,), V (K, I), c (K,) (zeros for a model without biases: z starts at +0 either way),
    y (B, K), w (B,) each sequence's weight (ones for none: a product by 1 is exact);
    ``loss`` 0 for bce with logits, 1 for ½(z − y)²; ``one`` 1 and ``scale`` B in the
    arrays' dtype.  The loss's terms are summed in eight running sums in float64 (numpy
    sums pairwise; this is as close).
    """
    B, K = Z.shape
    I = V.shape[1]
    zero = one - one
    half = one / (one + one)
    sums = np.zeros(8)
    for k in range(K):
        for i in range(I):
            dV[k, i] = zero
    T = A.shape[0]
    for b in range(B):
        if not 1 <= lengths[b] <= T:  # an index: checked where it is read
            raise ValueError("lengths must lie in [1, T]")
        a = A[lengths[b] - 1, b]  # (I,): a(T_b)
        for k in range(K):
            z = zero
            for i in range(I):
                z += a[i] * V[k, i]
            z = z + c[k]
            Z[b, k] = z
            target = y[b, k]
            if loss == BCE:  # max(z, 0) − z·y + log(1 + e^{−|z|}), as ``losses._bce``
                e = np.exp(-abs(z))
                weight = one - target if z >= zero else target
                linear = abs(z) * weight if weight != zero else zero
                term = linear + np.log1p(e)
                tail = e / (one + e)
                g = (one - target) - tail if z >= zero else tail - target
            else:
                g = z - target
                term = half * (g * g)
            sums[(b * K + k) % 8] += term * w[b]
            g = g / scale * w[b]
            dZ[b, k] = g
            for i in range(I):
                dV[k, i] += g * a[i]
    return sums.sum() / B
