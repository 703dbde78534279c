"""Which loop runs: one decision from (method, engine) to the states and gradients functions.

    method="sequential"  the time loop, by ``engine``:
        "reference"  the plain loops of ``reference``
        "numba"      one compiled call for the whole loop (``compiled``): products written
                     as loops for small networks (``kernels``), where a BLAS call's fixed
                     cost is most of a step, and BLAS calls from the compiled loop above
                     (``blas_kernels``); the batch split into one block of rows per thread
        "numpy"      BLAS and in-place element-wise passes (``numpy_loops``); what runs
                     when numba is unusable here
        "auto"       numba, else numpy
    method="scan" / "deer" / "quasi-deer"  the loop-free methods of :mod:`frnn.parallel`;
        their gradients follow the reverse-time scan, and DEER falls back to the reference
        loop when it does not converge.

numba is optional: it is imported, and its kernels compiled, on first use; when either
fails the decision "numba is unusable here" is cached and numba requests run numpy.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..parallel import deer
from . import compiled, methods, numpy_loops, reference
from .activations import ACTIVATIONS
from .batch import Batch
from .compiled import blas_kernels, numba_kernels

ENGINES = ("auto", "numba", "numpy", "reference")
METHODS = methods.METHODS

# Per-step work B·I·(D + I) (multiply-adds) up to which the compiled loop writes its
# products as loops (``kernels``); above it, it calls BLAS (``blas_kernels``).  Measured
# on the benchmark machine (one thread, a training step): loops win by 25% at B = 1, I = 5
# (40) and 9% at B = 1, I = 32 (1280); BLAS wins by 14% at B = 4, I = 16 (1536), 30% at
# B = 8, I = 16 (3072) and twice at B = 32, I = 32 (40960); a tie at B = 1, I = 64 (4608).
NUMBA_MAX_WORK = 2048

# The most numbers (T·B·I·I) the reverse-scan adjoint of a parallel method may build, 2^25
# (256 MiB in float64); larger runs take the sequential adjoint.
SCAN_ADJOINT_MAX = 2**25


def choose(engine: str, B: int, D: int, I: int) -> str:
    """The loop that runs for ``engine``: "reference", "numba", "numba-blas" or "numpy".

    "numba" is the compiled loop with its products as loops, "numba-blas" the one that
    calls BLAS for them.
    """
    if engine in ("numpy", "reference"):
        return engine
    small = B * I * (D + I) <= NUMBA_MAX_WORK
    if not small and blas_kernels() is not None:
        return "numba-blas"
    if numba_kernels() is not None and (small or engine == "numba"):
        return "numba"
    return "numpy"


def _module(path: str):
    """The compiled loops' module of a path chosen by ``choose``."""
    return blas_kernels() if path == "numba-blas" else numba_kernels()


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
    if path.startswith("numba"):
        A = compiled.states(_module(path), W, R, batch, activation, b)
        if A is not None:
            return A, info
    return numpy_loops.states(W, R, batch, activation, b), info


def head(
    A: np.ndarray, batch: Batch, V: np.ndarray, c, loss: str, *, method: str, engine: str
) -> tuple | None:
    """(Z (B, K), the loss, dZ = ∂L/∂z (B, K), dV (K, I)) in one compiled pass where the
    time loop ran compiled and the targets are many-to-one; else None (numpy's forms)."""
    if batch.many_to_many or batch.y is None or method != "sequential":
        return None
    T, B, I = A.shape
    if not choose(engine, B, batch.x.shape[2], I).startswith("numba"):
        return None
    return compiled.head(A, batch, V, c, loss)


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
        if path.startswith("numba"):
            out = compiled.gradients(_module(path), A, batch, R, V, dZ, activation, bias)
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
