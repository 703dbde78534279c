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

import contextlib
import functools
import threading
from concurrent.futures import ThreadPoolExecutor, wait

# Rows (sequences) per block at least: fewer rows make each step's products too thin.
MIN_ROWS = 8
# Multiply-adds of a whole forward pass, T·B·I·(D + I), below which one thread runs it:
# handing a block to another thread and back costs some tens of microseconds.
PARALLEL_MIN_WORK = 2**20

_LOCK = threading.Lock()
_held = 0  # callers inside one_blas_thread() now
_saved: list[int] = []  # the thread counts they found, restored by the last one out
_budget = 1  # numpy's BLAS thread count when the first of them came in
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


@functools.cache
def blas_libraries() -> tuple:
    """threadpoolctl's controllers of the BLAS libraries loaded in this process.

    Found once; ``blas_libraries.cache_clear()`` finds them again (``dispatch`` does, after
    the compiled loops have loaded scipy's BLAS, the one numba calls).
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return ()
    return tuple(c for c in ThreadpoolController().lib_controllers if c.user_api == "blas")


def _numpy_blas(libraries: tuple):
    """numpy's own BLAS among ``libraries`` (its wheel's lies under numpy.libs), or None."""
    for library in libraries:
        if "numpy" in library.filepath:
            return library
    return libraries[0] if libraries else None


def budget() -> int:
    """The threads a step may use: numpy's BLAS thread count (1 when unknown).

    While some call holds BLAS to one thread (``one_blas_thread``), the count it found.
    """
    with _LOCK:
        if _held:
            return _budget
    library = _numpy_blas(blas_libraries())
    return max(1, library.get_num_threads()) if library is not None else 1


@contextlib.contextmanager
def one_blas_thread():
    """Every BLAS library on one thread inside the block; the counts found return after.

    Calls the libraries' own get/set functions (under a microsecond) rather than
    ``threadpool_limits``, which inspects every library again on each call (about 25 µs).
    Counted, so that overlapping calls from several threads restore the counts once,
    after the last of them.
    """
    global _held, _saved, _budget
    libraries = blas_libraries()
    with _LOCK:
        if not _held:
            _saved = [library.get_num_threads() for library in libraries]
            numpy_blas = _numpy_blas(libraries)
            _budget = max(1, numpy_blas.get_num_threads()) if numpy_blas is not None else 1
            for library, n in zip(libraries, _saved, strict=True):
                if n != 1:
                    library.set_num_threads(1)
        _held += 1
    try:
        yield
    finally:
        with _LOCK:
            _held -= 1
            if not _held:
                for library, n in zip(libraries, _saved, strict=True):
                    if n != 1:
                        library.set_num_threads(n)


def row_blocks(T: int, B: int, D: int, I: int, threads: int) -> list[tuple[int, int]]:
    """[(b0, b1), ...]: the batch's rows cut into at most ``threads`` contiguous blocks.

    One block when the work is small or the batch thin; else as many blocks as threads
    allow with ``MIN_ROWS`` rows each, their sizes differing by at most one.
    """
    n = 1 if T * B * I * (D + I) < PARALLEL_MIN_WORK else min(threads, B // MIN_ROWS)
    n = max(1, n)
    edges = [B * k // n for k in range(n + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def run_blocks(fn, blocks: list[tuple[int, int]]) -> list:
    """[fn(b0, b1) for each block], the first on this thread, the others on the pool's.

    Returns only when every block is done (also when one raises: then the first error).
    """
    if len(blocks) == 1:
        return [fn(*blocks[0])]
    pool = _executor(len(blocks) - 1)
    futures = [pool.submit(fn, *block) for block in blocks[1:]]
    try:
        first = fn(*blocks[0])
    finally:
        wait(futures)  # no block may still write into the arrays after we return
    return [first, *(future.result() for future in futures)]


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
