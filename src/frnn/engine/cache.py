"""What ``forward`` leaves for ``backward``: the states of each thread's last forward.

``backward`` differentiates the last ``forward`` *of the calling thread*: the states live
on the model in a per-thread store (``model._frnn_cache``), so two threads running
forward then backward on one network each get the gradient of their own forward, whatever
the other ran in between.  A thread's states go with the thread (``threading.local``
drops them when it ends), with its next forward on the same model, or with ``forget``.

``model.a`` and ``model.z`` are plain attributes for the user to read: those of the
latest forward of *any* thread, and None while a forward runs (it starts by releasing the
previous states).  Code that may share a model between threads reads its own forward's
states here (``get(model).A`` and ``.Z``), never ``model.a`` / ``model.z``.  Likewise
``backward(keep_da=True)`` writes ``model.da``, shared by all threads: the latest one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .batch import CACHE, Batch

__all__ = ["Cache", "get", "put", "clear", "forget"]


@dataclass
class Cache:
    batch: Batch
    A: np.ndarray  # (T, B, I) states a(1..T), zero where padded
    Z: np.ndarray  # (B, K) many-to-one or (T, B, K) many-to-many logits
    activation: str
    loss: str
    method: str = "sequential"  # how A was computed; backward's adjoint follows it
    bias: bool = False  # whether s(t) and z(t) had the biases b and c
    # (shape, dtype, bytes) of W, R, V, b, c as ``forward`` used them, for ``backward`` to tell an
    # update made in place since (a stale forward: its states are not those of the
    # weights now); None on the training loop's trusted path, which never reorders them.
    weights: tuple | None = None
    # (dZ (B, K), dV (K, I)) where forward's compiled output layer computed them with the
    # loss (``dispatch.head``); None where backward computes them
    head: tuple | None = None


class Store:
    """One model's :class:`Cache` per thread, and the model it belongs to.

    ``model`` is held strongly and compared by identity: a shallow copy of the model
    shares the store object but is not its ``model``, so it never reads or overwrites the
    original's states; and while the store lives its model cannot be freed, so no other
    object can inherit the model's ``id`` and with it a stale forward.
    """

    __slots__ = ("model", "threads")

    def __init__(self, model):
        self.model = model  # None: a store that belongs to no model (unpickled, copied)
        self.threads = threading.local()  # .cache: that thread's Cache

    def __reduce__(self):
        # A pickled or deep-copied model carries no states (and threading.local cannot be
        # pickled): its store belongs to no model, so its backward asks for forward.
        return (Store, (None,))


_CREATING = threading.Lock()  # two threads' first forward on one model make one store


def _store(model) -> Store | None:
    store = getattr(model, CACHE, None)
    return store if isinstance(store, Store) and store.model is model else None


def get(model) -> Cache | None:
    """The calling thread's last forward on ``model``, or None."""
    store = _store(model)
    return None if store is None else getattr(store.threads, "cache", None)


def put(model, cache: Cache) -> None:
    """Keep ``cache`` as the calling thread's last forward on ``model``."""
    store = _store(model)
    if store is None:
        with _CREATING:
            store = _store(model)
            if store is None:
                store = Store(model)
                setattr(model, CACHE, store)
    store.threads.cache = cache


def clear(model) -> None:
    """Drop the calling thread's states on ``model`` (other threads keep theirs)."""
    store = _store(model)
    if store is not None:
        store.threads.cache = None


def forget(model) -> None:
    """Drop every thread's states on ``model`` (its weights were re-drawn)."""
    if hasattr(model, CACHE):
        delattr(model, CACHE)


def PerThread(owner: int = 0) -> Store:
    """What pickles made before ``Store`` name: a store that belongs to no model."""
    return Store(None)
