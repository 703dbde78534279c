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

from ..parallel import deer
from . import methods, numpy_loops, reference
from .activations import ACTIVATIONS
from .batch import Batch

ENGINES = ("auto", "numba", "numpy", "reference")
METHODS = methods.METHODS

# Per-step work B·I·(D + I) (multiply-adds) up to which the compiled loop beats numpy's
# BLAS calls: measured on the benchmark machine, numba wins by 2-20x below 5·10^3, the two
# tie near 1-2·10^4, and numpy wins by 2-4x from 4·10^4 (batch 32, 32 hidden units) up.
NUMBA_MAX_WORK = 16_384

# The most numbers (T·B·I·I) the reverse-scan adjoint of a parallel method may build, 2^25
# (256 MiB in float64); larger runs take the sequential adjoint.
SCAN_ADJOINT_MAX = 2**25


@functools.cache
def numba_kernels():
    """The ``kernels`` module, or None when numba cannot be imported or compile here.

    Decided once per process (a tiny call compiles, or loads from numba's disk cache,
    both kernels); ``numba_kernels.cache_clear()`` decides again.  A disk cache that
    cannot be read (a corrupt file) is dropped and the kernels compiled afresh.
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
    for attempt in range(2):
        try:
            return kernels if _trial(kernels, batch) else None
        except Exception:  # e.g. an UnpicklingError from a corrupt file in numba's cache
            if attempt:
                return None
            for kernel in (kernels.states, kernels.gradients):
                kernel._cache.flush()  # forget the cache's index: compile and write afresh
    return None


def _trial(kernels, batch: Batch) -> bool:
    """Whether both kernels run (compiled now, or loaded from numba's disk cache)."""
    W = R = V = np.zeros((1, 1))
    A = _numba_states(kernels, W, R, batch, "tanh", None)
    return A is not None and (
        _numba_gradients(kernels, A, batch, R, V, np.zeros((1, 1)), "tanh") is not None
    )


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
    if method == "sequential" or (activation != "linear" and A.size * I > SCAN_ADJOINT_MAX):
        # The reverse scan needs the (T, B, I, I) Jacobians; past this size the time loop,
        # exact for the same states, needs only (T, B, I).
        delta, dA = reference.bptt(G, A, R, ACTIVATIONS[activation].f_prime)
    else:
        delta, dA = methods.bptt(G, A, R, activation)  # the adjoint by a reverse scan
    dW, dR = reference.weight_gradients(delta, A, batch)
    db = numpy_loops.row_sum(delta.reshape(-1, I)) if bias else None  # Σ_t δ(t), 0 if padded
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


def _expect(name: str, array: np.ndarray, shape: tuple, dtype) -> None:
    """Raise unless ``array`` has exactly ``shape`` and ``dtype`` (compiled loops index it)."""
    if array.shape != shape or array.dtype != dtype:
        raise ValueError(
            f"{name} must be {shape} {np.dtype(dtype)} for the compiled loop; got "
            f"{array.shape} {array.dtype} (were the model's weights replaced after forward?)"
        )


def _check_batch(batch: Batch, I: int, dtype) -> tuple[int, int, int]:
    """(T, B, D) after checking x, a0 and lengths against each other, before a kernel runs."""
    if batch.x.ndim != 3:
        raise ValueError(f"x must be (T, B, D) for the compiled loop; got {batch.x.shape}")
    T, B, D = batch.x.shape
    _expect("x", batch.x, (T, B, D), dtype)
    _expect("a0", batch.a0, (B, I), dtype)
    lengths = batch.lengths
    if lengths.shape != (B,) or lengths.dtype != np.intp:
        raise ValueError(f"lengths must be ({B},) intp; got {lengths.shape} {lengths.dtype}")
    if B and (lengths.min() < 1 or lengths.max() > T):
        raise ValueError(
            f"lengths must lie in [1, T] = [1, {T}]; got [{lengths.min()}, {lengths.max()}]"
        )
    return T, B, D


def _numba_states(kernels, W, R, batch: Batch, activation: str, b):
    I = W.shape[0]
    T, B, D = _check_batch(batch, I, W.dtype)
    _expect("W", W, (I, D), W.dtype)
    _expect("R", R, (I, I), W.dtype)
    if b is None:
        b = _zeros(I, W.dtype)  # s starts at +0 either way: the same sums, bit for bit
    else:
        _expect("b", b, (I,), W.dtype)  # the kernel reads b[0..I-1] unchecked
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
    I, dtype = A.shape[-1], A.dtype
    T, B, D = _check_batch(batch, I, dtype)
    _expect("A (the states of forward)", A, (T, B, I), dtype)
    _expect("R", R, (I, I), dtype)
    K = V.shape[0] if V.ndim == 2 else -1
    _expect("V", V, (K, I), dtype)
    dZ3 = dZ if batch.many_to_many else dZ[None]  # (T, B, K) | (1, B, K)
    _expect("dZ", dZ3, (T if batch.many_to_many else 1, B, K), dtype)
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
