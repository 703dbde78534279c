"""The compiled forward's states array, reused once nothing else holds it.

A fresh (T, B, I) array is new memory from the system: every one of its pages faults on
its first write and the kernel zeroes it first.  At ``bench_vs_torch``'s large size
(52 MB in float64) that was 4% of a training step's time on the Intel Xeon (perf,
``clear_page_erms``).  A training loop drops its last states before the next forward
(``network.release``), so the array of the step before is free by then: this module
keeps the last array it handed out and hands it out again when its shape and dtype
match and no one else holds a reference to it.

Nothing else may hold one: not the model (``model.a`` is a view, and a view holds its
base), not a cache of another thread, not the caller of ``frnn.states``.  That is read
from the array's reference count, which counts every view, memoryview and container
that holds it; an array still held is never written, and the caller gets a new one.
Arrays below ``MIN_BYTES`` come from the allocator's heap, whose pages are reused
without faults, and above ``MAX_BYTES`` holding one more would cost too much memory.
"""

from __future__ import annotations

import math
import os
import sys
import threading

import numpy as np

MIN_BYTES = 1 << 22  # 4 MiB
MAX_BYTES = 1 << 28  # 256 MiB

_LOCK = threading.Lock()
_kept: list[np.ndarray | None] = [None]


def _references(holder: list) -> int:
    """holder[0]'s reference count, taken in the one way (a local name and the call's
    argument add theirs to the holder's), so that it compares with ``_FREE``."""
    item = holder[0]
    return sys.getrefcount(item)


_FREE = _references([object()])  # held only by the holder: free to reuse


def states_array(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialised array of ``shape`` and ``dtype``: the last one handed out when
    nothing else holds it any more, else a new one (kept for the next call)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize  # math's: numpy's prod costs 4 µs a call
    if not MIN_BYTES <= nbytes <= MAX_BYTES:
        return np.empty(shape, dtype=dtype)
    with _LOCK:  # a check and its hand-out as one: two threads never get the same array
        kept = _kept[0]
        fits = kept is not None and kept.shape == tuple(shape) and kept.dtype == dtype
        del kept  # counted otherwise
        if fits and _references(_kept) == _FREE:
            return _kept[0]
        _kept[0] = array = np.empty(shape, dtype=dtype)
        return array


def forget() -> None:
    """Drop the kept array (its memory returns to the system once no one holds it)."""
    with _LOCK:
        _kept[0] = None


def _new_lock_after_fork() -> None:
    """A forked child starts with a free lock (another thread may have held the parent's)."""
    global _LOCK
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_lock_after_fork)
