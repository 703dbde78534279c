"""The batches of a stream, checked one by one, and the validation scores of a stream run.

A stream is code the user wrote, so every batch it yields is checked before it reaches
the engine: a wrong shape, dtype or a NaN stops the run with the batch's number and
what was wrong, instead of a silent wrong answer or an error deep in the time loop.
"""

from __future__ import annotations

import numpy as np

from .._validate import Interval
from ..data.series import Series
from ..engine.network import forward_cached, release

__all__ = ["StreamError", "array_batches", "checked_batch", "scores"]

_CHUNK = 256  # validation series scored per forward call: bounded memory for the states


class StreamError(ValueError, TypeError):
    """A batch of a stream (or the validation set) that the networks cannot take."""


def array_batches(x, y, batch_size: int, lengths=None):
    """Arrays in hand as a stream: a function ``batches(rng)`` drawing ``batch_size``
    distinct series at random, each call independently (sampling without replacement
    inside a batch, with replacement across batches), trimmed to their longest length.

    x (n, T, D), y (n,) or (n, K), lengths (n,) or None; ``batch_size`` is capped at n.
    Because a batch depends on the generator alone, a run resumed from a checkpoint draws
    the same batches (see :func:`frnn.training.train_stream`).

    Parameters
    ----------
    x : (n, T, D) array
        The series, zero-padded after their last step; n ≥ 1.
    y : (n,) or (n, K) array_like
        Their targets, as :func:`frnn.training.train_stream` takes a batch's.
    batch_size : int ≥ 1
        The series a batch draws; more than n draws all n.
    lengths : (n,) int array_like or None, default None
        The true lengths, each in [1, T]; None: every series has length T.

    Returns
    -------
    callable
        ``batches(rng)`` -> ``(x, y, lengths)``: (B, T', D), (B,) or (B, K), (B,) for
        B = min(batch_size, n) distinct series drawn by ``rng.choice(n, B, replace=False)``,
        T' their longest length.

    Raises
    ------
    StreamError
        (a ValueError and a TypeError) x is not 3-D or holds no series, or y is not one
        target per series.
    ValueError
        ``lengths`` is not (n,) integers in [1, T] (named as the field of
        :class:`frnn.data.Series`), or ``batch_size`` is not a positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> batches = array_batches(np.zeros((10, 5, 2)), np.arange(10), 4)
    >>> x, y, lengths = batches(np.random.default_rng(0))
    >>> x.shape, len(set(y.tolist())), lengths.tolist()
    ((4, 5, 2), 4, [5, 5, 5, 5])
    """
    x = np.asarray(x)
    n = x.shape[0] if x.ndim == 3 else 0
    if not n or np.shape(y)[:1] != (n,):  # before Series, whose message names its fields
        raise StreamError(
            f"x must be (n, T, D) with n ≥ 1 and y n values; got {x.shape}, {np.shape(y)}"
        )
    series = Series(x, np.asarray(y), np.full(n, x.shape[1]) if lengths is None else lengths)
    size = min(int(Interval("int", 1).check(batch_size, "batch_size")), n)

    def batches(rng: np.random.Generator):
        return series.take(rng.choice(n, size, replace=False))

    return batches


def checked_batch(batch, model, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``batch`` = (x, y) or (x, y, lengths) as the engine's trusted arrays.

    x (B, T, D) floats, finite, D the network's; y (B,) or (B, K) targets (finite; in
    [0, 1] for the bce loss), or (B,) integer class labels when K ≥ 2 (one-hot here);
    lengths (B,) integers in [1, T] (None or absent: every series has length T).
    Returns x and y (B, K) in the network's dtype and lengths (B,) intp.
    """
    if not isinstance(batch, tuple | list) or len(batch) not in (2, 3):
        size = f" of {len(batch)}" if isinstance(batch, tuple | list) else ""
        raise StreamError(
            f"{what} must be a pair (x, y) or a triple (x, y, lengths); got "
            f"{type(batch).__name__}{size}"
        )
    x, y, lengths = (*batch, None)[:3]
    D, K, dtype = model.W.shape[1], model.V.shape[0], model.W.dtype
    x = _floats(x, f"{what}: x")
    if x.ndim != 3 or x.shape[2] != D or x.shape[0] == 0:
        raise StreamError(f"{what}: x must be (B, T, D) with B ≥ 1 and D = {D}; got {x.shape}")
    B, T = x.shape[:2]
    if not np.isfinite(x).all():
        raise StreamError(f"{what}: x must be finite; found {int((~np.isfinite(x)).sum())} NaN/inf")
    Y = _targets(y, B, K, getattr(model, "loss", "bce"), what)
    return x.astype(dtype, copy=False), Y.astype(dtype, copy=False), _lengths(lengths, B, T, what)


def _floats(value, what: str) -> np.ndarray:
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if array.dtype.kind != "f":
        raise StreamError(f"{what} must be a float array; got dtype {array.dtype}")
    return array


def _targets(y, B: int, K: int, loss: str, what: str) -> np.ndarray:
    """y as (B, K) floats: float targets as given, integer labels one-hot when K ≥ 2."""
    y = np.asarray(y)
    if y.dtype.kind in "iub" and y.shape == (B,) and K >= 2:
        if y.size and (y.min() < 0 or y.max() >= K):
            raise StreamError(
                f"{what}: y's class labels must lie in [0, {K}) for K = {K} outputs; got "
                f"[{y.min()}, {y.max()}]"
            )
        return np.eye(K)[y]  # (B, K)
    if y.dtype.kind not in "fiub":
        raise StreamError(f"{what}: y must be numbers; got dtype {y.dtype}")
    y = y.astype(np.float64)
    if y.shape == (B,) and K == 1:
        y = y[:, None]
    if y.shape != (B, K):
        raise StreamError(
            f"{what}: y must be ({B}, {K}) targets{f' or ({B},)' if K == 1 else ''}"
            f"{f' or ({B},) class labels' if K >= 2 else ''} for x's {B} series; got {y.shape}"
        )
    if not np.isfinite(y).all():
        raise StreamError(f"{what}: y must be finite; found NaN or inf")
    if loss == "bce" and (y.min() < 0 or y.max() > 1):
        raise StreamError(
            f"{what}: y must lie in [0, 1] for the bce loss; got [{y.min():g}, {y.max():g}]"
        )
    return y


def _lengths(lengths, B: int, T: int, what: str) -> np.ndarray:
    if lengths is None:
        return np.full(B, T, dtype=np.intp)
    lengths = np.asarray(lengths)
    if lengths.shape != (B,) or lengths.dtype.kind not in "iu":
        raise StreamError(
            f"{what}: lengths must be ({B},) integers; got {lengths.shape} {lengths.dtype}"
        )
    if lengths.min() < 1 or lengths.max() > T:
        raise StreamError(
            f"{what}: lengths must lie in [1, T] = [1, {T}]; got [{lengths.min()}, {lengths.max()}]"
        )
    return lengths.astype(np.intp, copy=False)


def scores(members, val) -> dict[str, float]:
    """The members on ``val`` = (x, Y (n, K), lengths): "val_loss" (their mean loss) and
    "val_accuracy" (bce) or "val_mse" (mse) of their averaged logits."""
    x, Y, lengths = val
    losses, logits = [], []
    for member in members:
        total, z = 0.0, []
        for start in range(0, x.shape[0], _CHUNK):
            part = slice(start, start + _CHUNK)
            loss, cache = forward_cached(member.model, x[part], Y[part], lengths=lengths[part])
            total += loss * Y[part].shape[0]
            z.append(cache.Z)  # (b, K)
        release(member.model)
        losses.append(total / x.shape[0])
        logits.append(np.concatenate(z))
    z = np.mean(logits, axis=0)  # (n, K)
    if getattr(members[0].model, "loss", "bce") == "mse":
        return {"val_loss": float(np.mean(losses)), "val_mse": float(np.mean((z - Y) ** 2))}
    if Y.shape[1] == 1:
        correct = (z[:, 0] > 0) == (Y[:, 0] > 0.5)
    else:
        correct = z.argmax(axis=1) == Y.argmax(axis=1)
    return {"val_loss": float(np.mean(losses)), "val_accuracy": float(correct.mean())}
