"""Learning from data: global-norm clipping, mini-batches, the learning-rate schedule and
truncated BPTT; the optimisers (torch.optim's rules) live in ``optimizers`` and are
re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from .._validate import Interval, Options, as_float_array, check_named_arrays
from ..engine.batch import (
    activation_and_loss,
    network_biases,
    network_weights,
    parameter_names,
    prepare,
)
from ..engine.network import backward_trusted, forward_cached
from .optimizers import SGD, Adam, make_optimizer

__all__ = [
    "SGD",
    "Adam",
    "make_optimizer",
    "clip_grad_norm",
    "minibatches",
    "sequence_gradients",
    "learning_rate_at",
    "NonFiniteLossError",
]


SCHEDULES = ("constant", "cosine")
_CHUNK = Interval("int", 1, none=True)
_AUX = Interval("real", 0)  # the learning-rate schedules of learning_rate_at
_MAX_NORM = Interval("real", 0, closed="neither", none=True)


class NonFiniteLossError(RuntimeError):
    """The training loss became NaN or infinite; the parameters are the last good ones."""


def remedy(clip: float | None) -> str:
    """What to try after a non-finite loss: clipping where it is off, a lower threshold where
    it is on (asking to "set clip" when it is set sends the user looking for nothing)."""
    if clip is None:
        return "Lower learning_rate or set clip."
    return f"Lower learning_rate or clip (now {clip:g})."


def learning_rate_at(lr: float, epoch: int, epochs: int, schedule: str) -> float:
    """The learning rate of ``epoch`` (0-based) out of ``epochs``.

    ``"constant"`` keeps ``lr``; ``"cosine"`` decays it as lr·½(1 + cos(π e / E)), from lr
    at the first epoch towards 0 at the last (Loshchilov & Hutter 2017, without restarts).

    Parameters
    ----------
    lr : float
        The base learning rate (used as given, unchecked).
    epoch : int ≥ 0
        The epoch e, counted from 0 (not checked against ``epochs``).
    epochs : int ≥ 1
        The number of epochs E.
    schedule : {"constant", "cosine"}

    Returns
    -------
    float
        lr, or lr·½(1 + cos(π e / E)).

    Raises
    ------
    ValueError
        ``schedule`` is not one of the two, ``epochs`` is not a positive integer or
        ``epoch`` not a non-negative one (frnn's InvalidParameterError: also a TypeError).
    """
    Options(SCHEDULES).check(schedule, "schedule")
    Interval("int", 1).check(epochs, "epochs")
    Interval("int", 0).check(epoch, "epoch")
    if schedule == "constant":
        return lr
    return lr * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


def clip_grad_norm(
    grads: dict[str, np.ndarray], max_norm: float | None, eps: float = 1e-6
) -> float:
    """Scale ``grads`` in place so their global norm is at most ``max_norm``.

    Pascanu, Mikolov & Bengio (2013): if ‖g‖ ≥ θ then g ← θ g / ‖g‖, with ‖g‖ the
    norm of all gradients stacked.  As torch.nn.utils.clip_grad_norm_ does, the factor is
    θ / (‖g‖ + eps), applied when it is below 1 (eps = 0 gives the paper's rule exactly).

    Parameters
    ----------
    grads : dict of arrays, modified in place
    max_norm : float > 0, θ; None only measures the norm
    eps : float ≥ 0

    Returns
    -------
    float
        ‖g‖ before clipping.
    """
    check_named_arrays(grads, "grads", in_place=True)
    _MAX_NORM.check(max_norm, "max_norm")
    return _clip_grad_norm(grads, max_norm, eps)


def _clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float | None, eps=1e-6) -> float:
    """``clip_grad_norm`` on arguments already checked."""
    norm, factor = _clip_factor(grads, max_norm, eps)
    if factor != 1.0:
        for g in grads.values():
            g *= factor
    return norm


def _clip_factor(
    grads: dict[str, np.ndarray], max_norm: float | None, eps=1e-6
) -> tuple[float, float]:
    """(‖g‖, the factor that clips g to ``max_norm``: θ / (‖g‖ + eps) when below 1, else 1)
    for arguments already checked.  The training loop hands the factor to the optimiser's
    step, which scales each gradient as it reads it, instead of a pass over them here."""
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if max_norm is not None:
        factor = max_norm / (norm + eps)
        if factor < 1.0:
            return norm, factor
    return norm, 1.0


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of one epoch: a permutation of range(n) drawn from ``rng``, cut into
    batches of ``batch_size`` (the last one may be smaller).

    Parameters
    ----------
    n : int ≥ 0
        The number of series; none gives no batch.
    batch_size : int ≥ 1
    rng : numpy.random.Generator
        Draws the permutation (advanced by one ``permutation(n)``).

    Yields
    ------
    (b,) int array
        The indices of one batch, b = ``batch_size`` but for the last, ⌈n / batch_size⌉
        batches in all, together a permutation of range(n).

    Raises
    ------
    ValueError
        ``n`` or ``batch_size`` is out of range (frnn's InvalidParameterError: also a
        TypeError).
    TypeError
        ``rng`` is not a numpy Generator.  Both are raised by the first ``next``: this is a
        generator.
    """
    Interval("int", 0).check(n, "n")
    Interval("int", 1).check(batch_size, "batch_size")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def sequence_gradients(
    model,
    x: np.ndarray,
    y: np.ndarray,
    lengths: np.ndarray,
    *,
    chunk_length: int | None = None,
    aux_weight: float = 0.0,
):
    """Loss and (truncated) BPTT gradients of a padded many-to-one batch.

        L = (1/B) Σ_b [ L(z(T_b), y_b) + c Σ_{t ≤ T_b} L(z(t), y_b) ],   c = ``aux_weight``

    The sequences are cut into chunks of ``chunk_length`` steps; each chunk starts from
    the state the previous chunk ended in (passed as ``a0``), and gradients stop at chunk
    boundaries.  A sequence's many-to-one loss lives in the chunk holding its own last
    step: in a padded batch sequences end in different chunks, so each chunk runs the
    sequences ending inside it with their targets and the ones going on without (or, with
    ``aux_weight``, with the per-step loss only); sequences already ended drop out.  Chunks
    start at t = 0, k, 2k, … for every sequence, so one ending just after a boundary keeps
    only its last few steps of gradient.  With chunk_length ≥ T this is exact BPTT.

    Parameters
    ----------
    model : object with W (I, D), R (I, I), V (K, I) and optionally b (I,), c (K,) (see
        :func:`frnn.forward`)
    x : (B, T, D) zero-padded inputs
    y : (B, K) targets in [0, 1]
    lengths : (B,) true lengths in [1, T]
    chunk_length : int ≥ 1 or None (no truncation)
    aux_weight : float ≥ 0, c above: an auxiliary many-to-many loss, y_b at every step

    Returns
    -------
    loss : float
    grads : {"W": (I, D), "R": (I, I), "V": (K, I)}, and "b": (I,), "c": (K,) with biases
    z_last : (B, K) the logits at each sequence's last step
    a_last : (B, I) each sequence's final state
    """
    W, _, V = network_weights(model)
    network_biases(model, W, V)  # checked once here; the chunks trust them
    _, loss = activation_and_loss(model)
    checked = prepare(x, y, lengths, None, W=W, K=V.shape[0], loss=loss)  # the one check
    if checked.single or checked.many_to_many:
        raise ValueError(f"x must be (B, T, D) and y (B, K); got {np.shape(x)} and {np.shape(y)}")
    _CHUNK.check(chunk_length, "chunk_length")
    _AUX.check(aux_weight, "aux_weight")
    x = as_float_array(x, "x", W.dtype)
    y = checked.y  # (B, K)
    return _sequence_gradients(
        model, x, y, checked.lengths, chunk_length=chunk_length, aux_weight=aux_weight
    )


def _sequence_gradients(
    model, x, y, lengths, *, chunk_length=None, aux_weight=0.0, series_weight=None
):
    """``sequence_gradients`` on arrays already checked (the training loop's mini-batches).

    ``series_weight`` (B,) or None: each sequence's losses count this many times (the
    estimator's ``class_weight`` times its ``sample_weight``).  y (B, T, K) is a
    many-to-many target (a value per step; RNNRegressor's sequence targets): one forward
    and one backward pass over the whole sequences, padded steps weighing 0 (each real
    step of a sequence its weight); z_last is then z (B, T, K).
    """
    B, T, _ = x.shape
    if y.ndim == 3:
        if chunk_length is not None and chunk_length < T:
            raise ValueError("chunk_length (truncated BPTT) is for many-to-one targets only")
        y = y[:, :T]  # Series.take trims x to the batch's longest series, not y
        per_step = None
        if series_weight is not None:  # (B, T): every step of a sequence its weight
            per_step = np.repeat(np.asarray(series_weight, dtype=x.dtype)[:, None], T, axis=1)
        # this thread's states (T, B, ·): model.a / model.z may be another thread's by now
        loss, cache = forward_cached(model, x, y, lengths=lengths, weights=per_step)
        grads = backward_trusted(model)
        z = cache.Z.transpose(1, 0, 2)  # (B, T, K)
        return loss, grads, z, cache.A[lengths - 1, np.arange(B)]
    k = T if chunk_length is None else chunk_length
    if k >= T and not aux_weight and series_weight is None and lengths.max() == T:
        return _whole(model, x, y, lengths)  # the estimators' default: no chunk loop needed
    grads = {name: np.zeros_like(getattr(model, name)) for name in parameter_names(model)}
    z_last = np.empty(y.shape, dtype=model.W.dtype)  # (B, K)
    a = np.zeros((B, model.W.shape[0]), dtype=model.W.dtype)  # (B, I) the carried state
    total = 0.0
    for start in range(0, T, k):
        stop = min(start + k, T)
        ending = np.flatnonzero((lengths > start) & (lengths <= stop))
        going_on = np.flatnonzero(lengths > stop)
        if ending.size:
            steps = lengths[ending] - start  # (n,) each one's length inside this chunk
            span = slice(start, start + int(steps.max()))
            loss, z_last[ending], A = _accumulate(
                model,
                grads,
                x[ending, span],
                y[ending],
                steps,
                a[ending],
                ending.size / B,
                aux_weight,
                series_weight=None if series_weight is None else series_weight[ending],
            )
            total += loss
            a[ending] = A[steps - 1, np.arange(ending.size)]
        if going_on.size:
            xs, y_going = x[going_on, start:stop], y[going_on]
            if aux_weight:
                steps = np.full(going_on.size, stop - start)
                loss, _, A = _accumulate(
                    model,
                    grads,
                    xs,
                    None,
                    steps,
                    a[going_on],
                    going_on.size / B,
                    aux_weight,
                    y_every=y_going,
                    series_weight=None if series_weight is None else series_weight[going_on],
                )
                total += loss
            else:
                _, cache = forward_cached(
                    model, xs, None, lengths=np.full(going_on.size, stop - start), a0=a[going_on]
                )  # states only
                A = cache.A
            a[going_on] = A[-1]  # (n, I)
    return total, grads, z_last, a


def _whole(model, x, y, lengths):
    """The chunk loop above for one chunk holding the whole sequences (the longest of them
    T steps long), without its copies: every sequence ends in it, its steps span x's T, none
    goes on, and its weight ending.size / B is 1.  The same numbers: the loop's zero state
    a0 is the forward's default, and its gradients 0 + 1·g are g with −0 made +0, as
    ``+= 0.0`` does.
    """
    B = x.shape[0]
    loss, cache = forward_cached(model, x, y, lengths=lengths)
    grads = backward_trusted(model)
    for g in grads.values():
        g += 0.0  # −0 → +0, as the accumulation into zeros gave (the bits of ``_add``)
    return 0.0 + loss, grads, cache.Z, cache.A[lengths - 1, np.arange(B)]


def _accumulate(
    model, grads, x, y, steps, a0, weight, aux_weight, *, y_every=None, series_weight=None
):
    """Add ``weight`` × the gradients of one chunk's losses to ``grads``.

    Returns the chunk's weighted loss, the logits at each sequence's last step (None
    when ``y`` is None) and the chunk's states a(t), (T, n, I).  With an auxiliary loss,
    the last step's loss and c × every step's are one many-to-many loss with step weights
    c + [t = T_b]: one forward and one backward pass instead of two over the same states.
    Series weights w_b (the class weights) scale each sequence's step weights:
    w_b (c + [t = T_b]); without the auxiliary loss they weigh the many-to-one loss's
    sequences (so weights of 1 are the unweighted arithmetic, bit for bit).
    """
    if not aux_weight:  # the last step's loss alone: many-to-one, each sequence weighed
        loss, cache = forward_cached(model, x, y, lengths=steps, a0=a0, weights=series_weight)
        _add(grads, backward_trusted(model), weight)
        return weight * loss, cache.Z, cache.A
    n, T = x.shape[:2]
    last = np.arange(n), steps - 1
    targets = y if y is not None else y_every
    every = np.broadcast_to(targets[:, None, :], (n, T, targets.shape[1]))  # (n, T, K)
    step_weights = np.full((n, T), aux_weight, dtype=model.W.dtype)
    if y is not None:
        step_weights[last] += 1.0
    if series_weight is not None:
        step_weights *= series_weight[:, None]
    loss, cache = forward_cached(model, x, every, lengths=steps, a0=a0, weights=step_weights)
    _add(grads, backward_trusted(model), weight)
    z_last = cache.Z[steps - 1, np.arange(n)] if y is not None else None  # (n, K)
    return weight * loss, z_last, cache.A


def _add(total: dict[str, np.ndarray], grads: dict[str, np.ndarray], weight: float) -> None:
    for name, g in grads.items():
        total[name] += weight * g
