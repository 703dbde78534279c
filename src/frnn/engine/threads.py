"""Threads: how many a step uses, BLAS held to one, and the batch's row blocks side by side.

The sequences of a batch are independent through time: rows b0 ≤ b < b1 of every state
a(t) depend only on the same rows of a(t−1).  So the compiled loops split the batch into
one block of rows per thread and run each block's whole time loop on its own thread,
with its products on one BLAS thread (``engine.blas_kernels``): nothing is shared until
the blocks' weight gradients are summed at the end, so the element-wise work runs in
parallel with everything else and no thread waits for another inside the loop.  One
BLAS call split over two threads instead synchronises them twice a step, and the
element-wise work between the calls runs on one.

The number of threads is the caller's: numpy's BLAS thread count, as set by
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` or ``threadpoolctl.threadpool_limits``.
The split depends only on that count and the batch's size, never on timing, so results
are the same bits from run to run on one machine and setting; with another count the
blocks' sums are added in another grouping (round-off, ~1e-16 relative).
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import NamedTuple

# Rows (sequences) per block at least: fewer rows make each step's products too thin.
MIN_ROWS = 8
# Multiply-adds of a whole forward pass, T·B·I·(D + I), below which one thread runs it:
# handing a block to another thread and back costs some tens of microseconds, and half the
# rows make each step's products thinner.  Measured on two threads (bench_vs_torch's small
# size, (B, T, D, I) = (32, 100, 8, 32), 4.1·10⁶): two blocks 1.17 / 0.78 ms a step, one
# block 0.90 / 0.53 ms (float64 / float32); at the medium size, 2.4·10⁸, two blocks win.
PARALLEL_MIN_WORK = 2**24

_LOCK = threading.Lock()
_held = 0  # callers inside one_blas_thread() now
_saved: list[int] = []  # the thread counts they found, restored by the last one out
_budget = 1  # numpy's BLAS thread count when the first of them came in
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


class Knob(NamedTuple):
    """One BLAS library's own thread-count functions (C calls, under a microsecond)."""

    get: Callable[[], int]
    set: Callable[[int], object]
    numpy: bool  # whether it is numpy's BLAS (whose count is the caller's budget)


# Each library's own process-wide getter and setter (threadpoolctl's names for them)
_SYMBOLS = {
    "openblas": ("openblas_get_num_threads", "openblas_set_num_threads"),
    "mkl": ("MKL_Get_Max_Threads", "MKL_Set_Num_Threads"),
    "blis": ("bli_thread_get_num_threads", "bli_thread_set_num_threads"),
}
_AFFIXES = [(p, s) for p in ("", "scipy_") for s in ("", "64_", "_64")]  # OpenBLAS's builds


@functools.cache
def blas_libraries() -> tuple[Knob, ...]:
    """The thread-count functions of the BLAS libraries loaded in this process.

    Found once (with threadpoolctl); ``blas_libraries.cache_clear()`` finds them again
    (``compiled`` does, after its loops have loaded scipy's BLAS, the one numba calls).
    Called directly, not through threadpoolctl's ``set_num_threads``: that makes the
    calling thread the only one whose later limits take effect (threadpoolctl ≥ 3.6), so
    a step run from one thread would silently disable ``threadpool_limits`` in all others.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return ()
    knobs = []
    for controller in ThreadpoolController().lib_controllers:
        names = _SYMBOLS.get(controller.internal_api)
        if controller.user_api != "blas" or names is None:
            continue
        library = ctypes.CDLL(controller.filepath)  # the loaded one: same handle
        for prefix, suffix in _AFFIXES if controller.internal_api == "openblas" else [("", "")]:
            get, set_ = (getattr(library, f"{prefix}{name}{suffix}", None) for name in names)
            if get is not None and set_ is not None:
                get.restype, set_.restype = ctypes.c_int, None
                knobs.append(Knob(get, set_, "numpy" in controller.filepath))
                break
    if knobs and not any(knob.numpy for knob in knobs):
        knobs[0] = knobs[0]._replace(numpy=True)  # one BLAS for all (a conda or system one)
    return tuple(knobs)


def budget() -> int:
    """The threads a step may use: numpy's BLAS thread count (1 when unknown).

    While some call holds BLAS to one thread (``one_blas_thread``), the count it found.
    """
    with _LOCK:
        if _held:
            return _budget
    return _numpy_count(blas_libraries())


def _numpy_count(knobs: tuple[Knob, ...], counts: list[int] | None = None) -> int:
    """numpy's BLAS thread count (at least 1), read now or from ``counts``, one per knob."""
    counts = [knob.get() for knob in knobs] if counts is None else counts
    for i, knob in enumerate(knobs):
        if knob.numpy:
            return max(1, counts[i])
    return 1


class _OneBlasThread:
    """``one_blas_thread``'s context: a plain class, as it is entered twice a training step
    (measured here: 2.8 µs a use, against 3.7 for the generator-based context manager),
    with plain loops (no generator, no zip: at the small size, where each use follows a
    compiled loop, every Python call is paid with cold caches)."""

    __slots__ = ("knobs",)

    def __enter__(self) -> None:
        global _held, _saved, _budget
        self.knobs = knobs = blas_libraries()
        with _LOCK:
            if not _held:
                _saved = saved = [knob.get() for knob in knobs]
                _budget = _numpy_count(knobs, saved)
                for i, n in enumerate(saved):
                    if n != 1:
                        knobs[i].set(1)
            _held += 1

    def __exit__(self, *exc) -> None:
        global _held
        with _LOCK:
            _held -= 1
            if not _held:
                knobs = self.knobs
                for i, n in enumerate(_saved):
                    if n != 1:
                        knobs[i].set(n)


def one_blas_thread() -> _OneBlasThread:
    """Every BLAS library on one thread inside the ``with`` block; the counts found return
    after.

    Counted, so that overlapping calls from several threads restore the counts once,
    after the last of them (each library's count is process-wide).
    """
    return _OneBlasThread()


def row_blocks(T: int, B: int, D: int, I: int) -> list[tuple[int, int]]:
    """[(b0, b1), ...]: the batch's rows cut into at most ``budget()`` contiguous blocks.

    One block when the work is small or the batch thin; else as many blocks as threads
    allow with ``MIN_ROWS`` rows each, their sizes differing by at most one.
    """
    if T * B * I * (D + I) < PARALLEL_MIN_WORK or B < 2 * MIN_ROWS:
        return [(0, B)]
    n = max(1, min(budget(), B // MIN_ROWS))
    edges = [B * k // n for k in range(n + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def run_blocks(fn, blocks: list[tuple[int, int]]) -> list:
    """[fn(b0, b1) for each block]: the first on this thread, the others offered to the
    pool's threads, and any block no pool thread has started by the time this thread is
    free run here too.

    So a step never waits on a thread the system has not scheduled (on a loaded machine
    a wake-up can take milliseconds): at worst it runs at one thread's speed.  Returns
    only when every block is done; an error in any block is raised here.
    """
    if len(blocks) == 1:
        return [fn(*blocks[0])]
    results: list = [None] * len(blocks)
    claimed = [True] + [False] * (len(blocks) - 1)
    lock = threading.Lock()

    def claim(i: int) -> bool:
        with lock:
            mine, claimed[i] = not claimed[i], True
        return mine

    def run(i: int) -> None:
        if claim(i):
            results[i] = fn(*blocks[i])

    pool = _executor(len(blocks) - 1)
    futures = [pool.submit(run, i) for i in range(1, len(blocks))]
    try:
        results[0] = fn(*blocks[0])
        for i in range(1, len(blocks)):
            run(i)
    finally:
        for i in range(1, len(blocks)):
            claim(i)  # after an error: no block starts any more
        wait(futures)  # no block may still write into the arrays after we return
    for future in futures:
        future.result()  # a pool thread's error
    return results


def _forget_after_fork() -> None:
    """A forked child has none of the parent's threads: its first run makes a new pool."""
    global _LOCK, _pool, _pool_size, _held
    _LOCK, _pool, _pool_size, _held = threading.Lock(), None, 0, 0


os.register_at_fork(after_in_child=_forget_after_fork)


def _executor(workers: int) -> ThreadPoolExecutor:
    """The process's pool of at least ``workers`` threads (made, or grown, on first need)."""
    global _pool, _pool_size
    with _LOCK:
        if _pool is None or _pool_size < workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="frnn-block")
            _pool_size = workers
        return _pool
