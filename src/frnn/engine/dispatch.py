"""Which loop runs: one decision from (method, engine) to the states and gradients functions.

    method="sequential"  the time loop, by ``engine``:
        "reference"  the plain loops of ``reference``
        "numba"      one compiled call for the whole loop (``kernels``); small networks,
                     where numpy's per-call overhead (about a microsecond) is most of the time
        "numpy"      BLAS and in-place element-wise passes (``numpy_loops``); large networks
        "auto"       numba up to ``NUMBA_MAX_WORK`` per step, numpy above it
    method="scan" / "deer" / "quasi-deer"  the loop-free methods of :mod:`frnn.parallel`;
        their gradients follow the reverse-time scan, and DEER falls back to the reference
        loop when it does not converge.

numba is optional: it is imported, and its kernels compiled, on first use; when either
fails the decision "numba is unusable here" is cached and numba requests run numpy.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from ..parallel import deer, methods
from . import numpy_loops, reference
from .activations import ACTIVATIONS
from .batch import Batch

ENGINES = ("auto", "numba", "numpy", "reference")
METHODS = methods.METHODS

# Per-step work B·I·(D + I) (multiply-adds) up to which the compiled loop beats numpy's
# BLAS calls: measured on the benchmark machine, numba wins by 2-20x below 5·10^3, the two
# tie near 1-2·10^4, and numpy wins by 2-4x from 4·10^4 (batch 32, 32 hidden units) up.
NUMBA_MAX_WORK = 16_384


@functools.cache
def numba_kernels():
    """The ``kernels`` module, or None when numba cannot be imported or compile here.

    Decided once per process (a tiny call compiles, or loads from numba's disk cache,
    both kernels); ``numba_kernels.cache_clear()`` decides again.
    """
    try:
        from . import kernels
    except Exception:  # ImportError, or numba failing to load on this platform
        return None
    batch = Batch(
        x=np.zeros((1, 1, 1)),
        y=None,
        a0=np.zeros((1, 1)),
        lengths=np.ones(1, dtype=np.intp),
        mask=None,
        single=False,
        many_to_many=False,
    )
    W = R = V = np.zeros((1, 1))
    A = _numba_states(kernels, W, R, batch, "tanh", None)
    if A is None or _numba_gradients(kernels, A, batch, R, V, np.zeros((1, 1)), "tanh") is None:
        return None
    return kernels


def choose(engine: str, B: int, D: int, I: int) -> str:
    """The loop that runs for ``engine``: "reference", "numba" or "numpy"."""
    if engine == "auto":
        engine = "numba" if B * I * (D + I) <= NUMBA_MAX_WORK else "numpy"
    if engine == "numba" and numba_kernels() is None:
        engine = "numpy"
    return engine


def states(
    W: np.ndarray,
    R: np.ndarray,
    batch: Batch,
    activation: str,
    *,
    method: str,
    engine: str,
    tol: float | None = None,
    max_iter: int | None = None,
    b: np.ndarray | None = None,
) -> tuple[np.ndarray, deer.DEERInfo | None]:
    """a(1..T), (T, B, I) zero where padded, and DEER's report (None for other methods).

    ``tol`` and ``max_iter`` are DEER's options (None: its defaults); ``b`` (I,) is the
    bias of s(t), None for a model without.
    """
    info = None
    if method != "sequential":
        A, info = methods.states(method, W, R, batch, activation, tol=tol, max_iter=max_iter, b=b)
        if A is not None:
            return A, info
        warnings.warn(
            f"{method} did not converge ({info.fallback}); the states were computed "
            f"by the sequential loop instead",
            deer.DEERFallbackWarning,
            stacklevel=4,  # dispatch.states <- network._forward <- forward <- the caller
        )
        engine = "reference"
    T, B, D = batch.x.shape
    path = choose(engine, B, D, W.shape[0])
    if path == "reference":
        return reference.states(W, R, batch, ACTIVATIONS[activation].f, b), info
    if path == "numba":
        A = _numba_states(numba_kernels(), W, R, batch, activation, b)
        if A is not None:
            return A, info
    return numpy_loops.states(W, R, batch, activation, b), info


def gradients(
    A: np.ndarray,
    batch: Batch,
    R: np.ndarray,
    V: np.ndarray,
    dZ: np.ndarray,
    activation: str,
    *,
    method: str,
    engine: str,
    keep_da: bool = False,
    bias: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """dW (I, D), dR (I, I), with ``bias`` db (I,) and with ``keep_da`` ∂L/∂a(t)
    (T, B, I); each of the last two None when not asked for.

    dZ = ∂L/∂z: (B, K) many-to-one or (T, B, K) many-to-many (masked).  The adjoint
    follows ``method``: BPTT after the time loop, the reverse scan after a parallel one.
    ``keep_da`` runs the reference loop, the one that keeps ∂L/∂a(t).
    """
    T, B, I = A.shape
    path = choose(engine, B, batch.x.shape[2], I)
    if method == "sequential" and not keep_da and path != "reference":
        if path == "numba":
            out = _numba_gradients(numba_kernels(), A, batch, R, V, dZ, activation, bias)
            if out is not None:
                dW, dR, db = out
                return dW, dR, db if bias else None, None
        return (*numpy_loops.gradients(A, batch, R, V, dZ, activation, bias), None)
    G = reference.direct_gradient(A, batch, V, dZ)  # (T, B, I)
    if method == "sequential":
        delta, dA = reference.bptt(G, A, R, ACTIVATIONS[activation].f_prime)
    else:
        delta, dA = methods.bptt(G, A, R, activation)  # the adjoint by a reverse scan
    dW, dR = reference.weight_gradients(delta, A, batch)
    db = delta.sum(axis=(0, 1)) if bias else None  # Σ_t δ(t); zero on padded steps
    return dW, dR, db, dA if keep_da else None


def _compiled(kernel, *args):
    """Call a compiled kernel; None when numba fails to compile it (numpy runs instead)."""
    try:
        return kernel(*args)
    except Exception as error:
        if not type(error).__module__.startswith(("numba", "llvmlite")):
            raise
        return None


@functools.lru_cache(maxsize=64)
def _zeros(n: int, dtype: np.dtype) -> np.ndarray:
    """A zero vector the kernels read but never write (the absent bias; the absent db)."""
    return np.zeros(n, dtype=dtype)


def _numba_states(kernels, W, R, batch: Batch, activation: str, b):
    T, B, D = batch.x.shape
    I = W.shape[0]
    if b is None:
        b = _zeros(I, W.dtype)  # s starts at +0 either way: the same sums, bit for bit
    elif b.shape != (I,) or b.dtype != W.dtype:  # the kernel reads b[0..I-1] unchecked
        raise ValueError(f"the bias b must be ({I},) {W.dtype}; got {b.shape} {b.dtype}")
    A = np.empty((T, B, I), dtype=W.dtype)
    return _compiled(
        kernels.states,
        batch.x,
        np.ascontiguousarray(W.T),
        np.ascontiguousarray(R.T),
        np.ascontiguousarray(b),
        batch.a0,
        batch.lengths,
        ACTIVATIONS[activation].code,
        W.dtype.type(1),
        A,
    )


def _numba_gradients(kernels, A, batch: Batch, R, V, dZ, activation: str, bias: bool = False):
    I, D = A.shape[2], batch.x.shape[2]
    dZ3 = dZ if batch.many_to_many else dZ[None]  # (T, B, K) | (1, B, K)
    return _compiled(
        kernels.gradients,
        batch.x,
        A,
        batch.a0,
        batch.lengths,
        np.ascontiguousarray(R),
        np.ascontiguousarray(V),
        np.ascontiguousarray(dZ3),
        batch.many_to_many,
        ACTIVATIONS[activation].code,
        A.dtype.type(1),
        np.zeros((I, D), dtype=A.dtype),
        np.zeros((I, I), dtype=A.dtype),
        # db, allocated here so its shape is known: (I,), or (0,) for none (never written)
        np.zeros(I, dtype=A.dtype) if bias else _zeros(0, A.dtype),
    )
