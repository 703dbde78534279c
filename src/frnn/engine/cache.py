"""What ``forward`` leaves for ``backward``: the states of each thread's last forward.

``backward`` differentiates the last ``forward`` *of the calling thread*: the states live
on the model in a ``threading.local`` (``model._frnn_cache``), so two threads running
forward then backward on one network each get the gradient of their own forward, whatever
the other ran in between.  ``model.a`` and ``model.z`` stay plain attributes, those of the
latest forward of any thread.  A thread's states go with the thread (``threading.local``
drops them when it ends) or with its next forward on the same model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .batch import CACHE, Batch

__all__ = ["Cache", "get", "put", "clear"]


@dataclass
class Cache:
    batch: Batch
    A: np.ndarray  # (T, B, I) states a(1..T), zero where padded
    Z: np.ndarray  # (B, K) many-to-one or (T, B, K) many-to-many logits
    activation: str
    loss: str
    method: str = "sequential"  # how A was computed; backward's adjoint follows it
    bias: bool = False  # whether s(t) and z(t) had the biases b and c


class PerThread(threading.local):
    """One model's :class:`Cache` per thread (``cache``: None before that thread's forward).

    ``owner`` is the id of the model the store was made for: a shallow copy of the model
    shares the store object, and must not read or overwrite the original's states.
    """

    cache: Cache | None = None  # a thread that never ran forward on this model reads None

    def __init__(self, owner: int):
        self.owner = owner  # threading.local runs __init__ again in each thread: same owner

    def __reduce__(self):
        # A pickled or copied model carries no states (and threading.local cannot be
        # pickled): its store is one that matches no model, so its backward asks for forward.
        return (PerThread, (0,))


_CREATING = threading.Lock()  # two threads' first forward on one model make one store


def _store(model) -> PerThread | None:
    store = getattr(model, CACHE, None)
    return store if isinstance(store, PerThread) and store.owner == id(model) else None


def get(model) -> Cache | None:
    """The calling thread's last forward on ``model``, or None."""
    store = _store(model)
    return None if store is None else store.cache


def put(model, cache: Cache) -> None:
    """Keep ``cache`` as the calling thread's last forward on ``model``."""
    store = _store(model)
    if store is None:
        with _CREATING:
            store = _store(model)
            if store is None:
                store = PerThread(id(model))
                setattr(model, CACHE, store)
    store.cache = cache


def clear(model) -> None:
    """Drop the calling thread's states on ``model`` (other threads keep theirs)."""
    store = _store(model)
    if store is not None:
        store.cache = None
