"""The fully recurrent network: the forward pass and exact BPTT (``init`` is in ``initialise``).

    s(t) = W x(t) + R a(t−1) (+ b),  a(0) = a0 (zero by default)
    a(t) = f(s(t))
    z(t) = V a(t) (+ c)

The biases b and c are optional: a model has both (``init(..., bias=True)``) or neither.

One batched engine serves every mode of the contract; a single sequence is a batch of
one.  Internally arrays are time-major, (T, B, ·), so each step's slice is contiguous.
This module checks the arguments (``batch``) and keeps what backward needs, per thread
(``cache``); which loop computes the states and gradients is decided in ``dispatch`` (the
readable reference loops are in ``reference``, and the fast paths compute the same
function).
"""

from __future__ import annotations

import numpy as np

from .._typing import ArrayLike, NetworkLike
from .._validate import Interval, check_choice
from . import cache as _caches
from . import dispatch
from .batch import (
    Batch,
    activation_and_loss,
    network_biases,
    network_weights,
    prepare,
    trusted,
)
from .initialise import init  # also frnn.network.init, the old import path
from .losses import LOSSES
from .numpy_loops import row_sum
from .reference import last

__all__ = ["init", "forward", "backward"]

_Cache = _caches.Cache  # the name pickles made before engine.cache existed refer to


def forward(
    model: NetworkLike,
    x: ArrayLike,
    y: ArrayLike | None = None,
    *,
    lengths: ArrayLike | None = None,
    a0: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    method: str = "sequential",
    engine: str = "auto",
) -> float | None:
    """Run the network over ``x`` and return the loss.

    L = (1/B) Σ_b Σ_k L(z_k(T_b), y_k)  many-to-one, or summed over every real step t for
    many-to-many targets; L is ``bce_with_logits`` or ½(z − y)² (``model.loss``).

    Parameters
    ----------
    model : object with W (I, D), R (I, I), V (K, I); optional biases b (I,) and c (K,)
        (both or neither), ``activation``, ``loss``
    x : (T, D) one sequence, or (B, T, D) a batch padded to length T
    y : targets: scalar / (K,) / (T, K) for one sequence; (B,) / (B, K) / (B, T, K) for a
        batch.  None computes the states and logits only.
    lengths : (B,) ints in [1, T], each sequence's true length (batches only)
    a0 : (I,) or (B, I), the initial state a(0); zero by default
    weights : (T,) or (B, T), many-to-many only: step t's loss counts w(t) times (e.g. an
        auxiliary per-step loss plus the last step's; zero drops a step); 1 by default
    method : {"sequential", "scan", "deer", "quasi-deer"}
        How the states are computed: the time loop (default), the exact parallel scan
        (activation "linear" only), or DEER / quasi-DEER Newton iterations solved by the
        scan (see docs/parallel.md, which also describes the model attributes DEER
        reads, ``deer_tol`` and ``deer_max_iter``, and writes, ``deer_info`` and
        ``deer_iterations``).
    engine : {"auto", "numba", "numpy", "reference"}
        Which implementation runs the sequential time loop; all compute the same function
        (to round-off). "auto" runs the compiled loops (numba: products written as loops
        for small networks, BLAS calls for larger ones, the batch split over numpy's BLAS
        threads), or lean numpy where numba is unusable; "reference" runs the plain loops.

    Returns
    -------
    float or None
        The loss (None when ``y`` is None).  Also sets ``model.a``, (T, I) or (B, T, I),
        zero where padded, and ``model.z``, (K,) / (T, K) / (B, K) / (B, T, K).

    Examples
    --------
    Many-to-one on one sequence, then a padded batch of two:

    >>> import types, numpy as np, frnn
    >>> model = frnn.init(types.SimpleNamespace(), D=2, I=3, K=1, rng=0)
    >>> x = np.ones((5, 2))                                    # T = 5 steps of D = 2
    >>> round(frnn.forward(model, x, 1.0), 3)                   # ≈ log 2: z ≈ 0
    0.693
    >>> model.a.shape, model.z.shape
    ((5, 3), (1,))
    >>> loss = frnn.forward(model, np.ones((2, 5, 2)), np.array([0.0, 1.0]),
    ...                     lengths=np.array([5, 3]))
    >>> model.a.shape, float(abs(model.a[1, 3:]).max())        # zero where padded
    ((2, 5, 3), 0.0)
    """
    method = check_choice(method, "method", dispatch.METHODS)
    W, R, V = network_weights(model)
    bc = network_biases(model, W, V)
    activation, loss = activation_and_loss(model)
    check_choice(engine, "engine", dispatch.ENGINES)
    batch = prepare(x, y, lengths, a0, W=W, K=V.shape[0], loss=loss, weights=weights, engine=engine)
    params = (W, R, V, *bc)
    loss, cache = _forward(model, params, batch, activation, loss, method=method, engine=engine)
    if batch.y is not None:  # backward compares the weights with these (I·(D + I + K))
        cache.weights = _snapshot(params)
    return loss


def _snapshot(params: tuple) -> tuple:
    """(W, R, V, b, c) as forward used them, for backward's comparison: each array's
    shape, dtype and bytes (None for an absent bias).  Bytes compare as memcmp does, NaN
    equal to itself: about 1 µs a small network (and as much to compare), a copy's worth
    for a large one."""
    return tuple(None if p is None else _fingerprint(p) for p in params)


def _fingerprint(p: np.ndarray) -> tuple:
    return p.shape, p.dtype, p.tobytes()


def forward_trusted(model, x, y=None, *, lengths, a0=None, weights=None) -> float | None:
    """``forward`` for the training loop: its arrays were checked once, at the boundary.

    x (B, T, D) and y (B, K) or (B, T, K) in the weights' dtype, lengths (B,) in [1, T],
    a0 (B, I) or None, weights (B, T) or, many-to-one, (B,) (each sequence's loss counts
    so many times) or None; the sequential loop, engine "auto".
    """
    return forward_cached(model, x, y, lengths=lengths, a0=a0, weights=weights)[0]


def forward_cached(
    model, x, y=None, *, lengths, a0=None, weights=None
) -> tuple[float | None, _caches.Cache]:
    """``forward_trusted`` that also returns this forward's :class:`~.cache.Cache`.

    Code that may share ``model`` with other threads reads the states from it (``A``
    (T, B, I), ``Z`` (B, K) or (T, B, K)): ``model.a`` and ``model.z`` are any thread's.
    """
    params = (model.W, model.R, model.V, getattr(model, "b", None), getattr(model, "c", None))
    batch = trusted(x, y, lengths, a0, weights, I=model.W.shape[0], dtype=model.W.dtype)
    activation, loss = getattr(model, "activation", "tanh"), getattr(model, "loss", "bce")
    return _forward(model, params, batch, activation, loss, method="sequential", engine="auto")


def _forward(
    model, params, batch: Batch, activation, loss, *, method, engine
) -> tuple[float | None, _caches.Cache]:
    """``forward`` on arguments already checked: ``params`` = (W, R, V, b, c), b and c
    None for a model without biases; ``batch`` prepared.  Returns the loss (None without
    targets) and the states kept for this thread's backward."""
    W, R, V, b, c = params
    release(model)
    tol, max_iter = _deer_options(model) if method in ("deer", "quasi-deer") else (None, None)
    A, info = dispatch.states(
        W, R, batch, activation, method=method, engine=engine, tol=tol, max_iter=max_iter, b=b
    )  # (T, B, I)
    if info is not None:  # DEER's report, where the user reads it
        model.deer_info, model.deer_iterations = info, info.iterations
    fused = dispatch.head(A, batch, V, c, loss, method=method, engine=engine)
    if fused is None:
        Z = _logits(A, batch, V, c)
    else:  # the logits, the loss, and dZ, dV for backward: one compiled pass
        Z, value, dZ, dV = fused
    cache = _caches.Cache(batch, A, Z, activation, loss, method, b is not None)
    _caches.put(model, cache)
    model.a = _batch_major(A, batch.single)
    model.z = _batch_major(Z, batch.single) if batch.many_to_many else _squeeze(Z, batch)
    if batch.y is None:
        return None, cache
    if fused is not None:
        cache.head = dZ, dV
        return value, cache
    per_output = LOSSES[loss][0](Z, batch.y)  # (B, K) | (T, B, K)
    if batch.weights is not None:  # padded steps weigh 0
        per_output = per_output * batch.weights[..., None]  # (T, B, 1) | (B, 1)
    return float(per_output.sum() / Z.shape[-2]), cache


def _logits(A: np.ndarray, batch: Batch, V: np.ndarray, c) -> np.ndarray:
    """Z = V a(t) (+ c): (T, B, K) many-to-many (zero where padded), (B, K) many-to-one."""
    Z = A @ V.T if batch.many_to_many else last(A, batch) @ V.T
    if c is not None:
        Z += c
        if batch.many_to_many and batch.mask is not None:
            Z *= batch.mask[:, :, None]  # padded steps' logits are zero, as their states
    return Z


_DEER_TOL = Interval("real", 0, closed="neither")  # unset (None): DEER's default
_DEER_MAX_ITER = Interval("int", 1)


def _deer_options(model) -> tuple[float | None, int | None]:
    """``model.deer_tol`` and ``model.deer_max_iter``, checked, or None for the defaults."""
    tol = getattr(model, "deer_tol", None)
    max_iter = getattr(model, "deer_max_iter", None)
    if tol is not None:
        _DEER_TOL.check(tol, "model.deer_tol")
    if max_iter is not None:
        _DEER_MAX_ITER.check(max_iter, "model.deer_max_iter")
    return tol, max_iter


def release(model) -> None:
    """Drop this thread's last states, so a training step never holds two sets of them
    (and scoring leaves none behind)."""
    model.a = model.z = None
    _caches.clear(model)


def _batch_major(array: np.ndarray, single: bool) -> np.ndarray:
    """(T, B, n) -> (B, T, n), or (T, n) for one sequence."""
    return array[:, 0] if single else array.transpose(1, 0, 2)


def _squeeze(Z: np.ndarray, batch: Batch) -> np.ndarray:
    return Z[0] if batch.single else Z


def backward(
    model: NetworkLike, *, keep_da: bool = False, engine: str = "auto"
) -> dict[str, np.ndarray]:
    """Exact backpropagation through time for the calling thread's last ``forward`` call.

    With δ(t) = ∂L/∂s(t) and g(t) the loss's direct gradient with respect to a(t):
        ∂L/∂a(t) = g(t) + Rᵀ δ(t+1),   δ(t) = ∂L/∂a(t) ⊙ f'(s(t)),   δ(T+1) = 0
        ∂L/∂W = Σ_t δ(t) x(t)ᵀ,  ∂L/∂R = Σ_t δ(t) a(t−1)ᵀ,  ∂L/∂V = Σ_t ∂L/∂z(t) a(t)ᵀ
    (derived in docs/derivations.md).

    Parameters
    ----------
    model : object on which ``forward`` was called with targets, in this thread (threads
        sharing one network each differentiate their own forward; see :mod:`.cache`)
    keep_da : bool
        Also set ``model.da``, ∂L/∂a(t) in the shape of ``model.a`` (how gradients flow
        back through time); off by default because it costs a (B, T, I) buffer.
        It runs the reference loop, whatever ``engine`` says.
    engine : {"auto", "numba", "numpy", "reference"}
        As in :func:`forward`.

    Returns
    -------
    dict
        {"W": (I, D), "R": (I, I), "V": (K, I)}, gradients of the returned loss; for a
        model with biases also "b": (I,) = Σ_t δ(t) and "c": (K,) = Σ_t ∂L/∂z(t).

    Raises
    ------
    RuntimeError
        No ``forward`` with targets ran on the model in this thread.
    ValueError
        A weight changed since that ``forward``, in size, dtype or values (an update made
        in place, with no forward after it): the stored states are the old weights'.

    Examples
    --------
    >>> import types, numpy as np, frnn
    >>> model = frnn.init(types.SimpleNamespace(), D=2, I=3, K=1, rng=0, bias=True)
    >>> loss = frnn.forward(model, np.ones((5, 2)), 1.0)
    >>> {name: g.shape for name, g in frnn.backward(model).items()}
    {'W': (3, 2), 'R': (3, 3), 'V': (1, 3), 'b': (3,), 'c': (1,)}
    """
    check_choice(engine, "engine", dispatch.ENGINES)
    cache = _caches.get(model)  # this thread's forward, whatever other threads ran since
    if cache is None:
        raise RuntimeError(
            "backward needs a forward call first, in this thread: call frnn.forward(model, x, y)"
        )
    if cache.batch.y is None:
        raise RuntimeError("backward needs a loss: the last forward call was given y=None")
    W, R, V = network_weights(model)
    _check_unchanged(cache, W, V)
    _check_same_values(cache, (W, R, V, getattr(model, "b", None), getattr(model, "c", None)))
    return _backward(cache, R, V, keep_da=keep_da, engine=engine, model=model)


def _check_unchanged(cache: _caches.Cache, W: np.ndarray, V: np.ndarray) -> None:
    """Raise unless the weights have the sizes and dtype that the last forward used."""
    T, B, I = cache.A.shape
    D, K = cache.batch.x.shape[2], cache.Z.shape[-1]
    if W.shape != (I, D) or V.shape != (K, I) or W.dtype != cache.A.dtype:
        raise ValueError(
            f"the model's weights changed since forward: it ran with W ({I}, {D}), "
            f"V ({K}, {I}) in {cache.A.dtype}; now W {W.shape}, V {V.shape} in {W.dtype}. "
            f"Call forward again before backward"
        )


def _check_same_values(cache: _caches.Cache, now: tuple) -> None:
    """Raise if a weight's values changed since forward (an update made in place with no
    forward after it): the stored states belong to the old weights, so the gradient would
    be that of neither the old nor the new ones."""
    if cache.weights is None:
        return
    changed = [
        name for name, old, p in zip("WRVbc", cache.weights, now, strict=True) if not _same(old, p)
    ]
    if changed:
        names, verb = "model." + ", model.".join(changed), "holds" if len(changed) == 1 else "hold"
        raise ValueError(
            f"the model's weights changed since forward: {names} {verb} other values than "
            f"forward used (an update in place?). Call forward again before backward"
        )


def _same(old: tuple | None, p) -> bool:
    """Whether ``p`` has the fingerprint ``old`` (both None for an absent bias); the bytes
    are read only where shape and dtype agree."""
    if old is None or p is None:
        return old is None and p is None
    p = np.asarray(p)
    return old[0] == p.shape and old[1] == p.dtype and old[2] == p.tobytes()


def backward_trusted(model) -> dict[str, np.ndarray]:
    """``backward`` for the training loop, right after ``forward_trusted`` with targets."""
    cache = _caches.get(model)
    return _backward(cache, model.R, model.V, keep_da=False, engine="auto", model=model)


def _output_gradients(cache: _caches.Cache) -> tuple[np.ndarray, np.ndarray]:
    """(dZ = ∂L/∂z, (B, K) | (T, B, K), weighted; dV (K, I)) by numpy."""
    batch, A = cache.batch, cache.A
    dZ = LOSSES[cache.loss][1](cache.Z, batch.y) / A.shape[1]  # (B, K) | (T, B, K)
    if batch.weights is not None:
        dZ = dZ * batch.weights[..., None]  # (T, B, 1) | (B, 1)
    if not batch.many_to_many:
        return dZ, dZ.T @ last(A, batch)
    return dZ, dZ.reshape(-1, dZ.shape[-1]).T @ A.reshape(-1, A.shape[-1])


def _backward(cache: _caches.Cache, R, V, *, keep_da: bool, engine: str, model):
    """``backward`` on a checked cache and weights; sets ``model.da`` with ``keep_da``.

    When the forward pass had biases the gradients also hold "b" = Σ_t δ(t) and
    "c" = Σ_t ∂L/∂z(t).
    """
    bias = cache.bias
    batch, A = cache.batch, cache.A
    if cache.head is not None:  # forward's compiled output layer made them
        dZ, dV = cache.head
        dV = dV.copy()  # the caller's to change: another backward returns it afresh
    else:
        dZ, dV = _output_gradients(cache)
    dW, dR, db, dA = dispatch.gradients(
        A,
        batch,
        R,
        V,
        dZ,
        cache.activation,
        method=cache.method,
        engine=engine,
        keep_da=keep_da,
        bias=bias,
    )
    if keep_da:
        model.da = _batch_major(dA, batch.single)
    if not bias:
        return {"W": dW, "R": dR, "V": dV}
    dc = row_sum(dZ.reshape(-1, dZ.shape[-1]))  # Σ_t ∂L/∂z(t), zero on padded steps
    return {"W": dW, "R": dR, "V": dV, "b": db, "c": dc}
