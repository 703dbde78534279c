"""numba's disk cache shared by processes that compile at the same moment: a file lock.

numba (a loop compiled with its disk cache on) saves a newly compiled signature of a
function by loading the function's index file, taking the next free data-file name and
saving the index back (``numba.core.caching.IndexDataCacheFile.save``).  Two processes
doing so at once on an empty cache (the estimators' ``n_jobs`` workers, pytest-xdist, a
user's parallel jobs) both take data file 1: one process's entry is lost (compiled again
by every later process), or one signature's entry names the other's code
(numba/numba#10128).  Each index of a frnn loop therefore saves under an exclusive lock
on a file in the cache's folder: the load, the choice of name and both writes happen as
one step across processes.

The lock is a subclass of numba's ``IndexDataCacheFile`` that holds it around ``save`` and
``flush``; ``guard`` puts one in place of each loop's index object before the loop is first
called.  It is not numba's public API, so ``guard`` leaves any cache whose index object is
not exactly that class (another numba version, another cache) as it is.  Loads take no
lock: numba writes every file by renaming a complete one over it.  Where the lock file
cannot be made or locked (a read-only folder; neither ``fcntl`` nor ``msvcrt``), the
save runs unlocked, as numba's own does.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import types

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:  # POSIX
    msvcrt = None

__all__ = ["LOCK_NAME", "guard", "locked"]

LOCK_NAME = "frnn-index.lock"  # one in each cache folder; its contents are never read


@contextlib.contextmanager
def locked(folder: str):
    """Hold an exclusive lock on ``folder``'s ``LOCK_NAME`` across processes (released when
    the block ends, or by the system when the process dies); unlocked where none can be had."""
    fd = _open(os.path.join(folder, LOCK_NAME))
    if fd is None:  # a folder that cannot be written: numba's save fails or is skipped
        yield
        return
    try:
        held = _lock(fd)
        try:
            yield
        finally:
            if held:
                _unlock(fd)
    finally:
        os.close(fd)


def _open(path: str) -> int | None:
    """The lock file opened (made if absent), read-only where it is another user's (a
    shared ``NUMBA_CACHE_DIR``: ``flock`` needs no write access); None where it cannot be."""
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        try:
            return os.open(path, flags, 0o666)
        except OSError:
            continue
    return None


def _lock(fd: int) -> bool:
    """Block until ``fd``'s file is locked; False where this platform has no lock."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return True
        if msvcrt is not None:
            while True:  # LK_LOCK gives up after 10 tries a second apart: try again
                with contextlib.suppress(OSError):
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    return True
    except OSError:  # a file system without locks (some network mounts)
        pass
    return False


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


@functools.cache
def _locked_index():
    """numba's index class with ``save`` and ``flush`` under ``locked`` (made on first use:
    this module imports numba only when a loop is guarded); None where numba has none."""
    try:
        from numba.core.caching import IndexDataCacheFile
    except ImportError:
        return None
    if not all(hasattr(IndexDataCacheFile, name) for name in ("save", "flush", "_load_index")):
        return None  # a numba whose index works otherwise: leave it as it is

    class LockedIndex(IndexDataCacheFile):
        """numba's index of one function, saved under the cache folder's lock."""

        def save(self, key, data):
            with locked(self._cache_path):
                super().save(key, data)

        def flush(self):
            with locked(self._cache_path):
                super().flush()

    return IndexDataCacheFile, LockedIndex


def guard(*modules: types.ModuleType) -> None:
    """Lock the index of every cached loop ``modules`` define or import, and of those the
    loops' own modules import in turn (a loop compiled afresh compiles what it calls).

    Call it after importing a module of loops and before calling any of them; calling it
    again costs a walk over the modules' names.
    """
    classes = _locked_index()
    if classes is None:
        return
    plain, locking = classes
    seen, todo = set(), list(modules)
    while todo:
        module = todo.pop()
        if module.__name__ in seen:
            continue
        seen.add(module.__name__)
        for value in list(vars(module).values()):
            cache = getattr(value, "_cache", None)
            index = getattr(cache, "_cache_file", None)
            if index is None:
                continue
            if type(index) is plain:  # exactly numba's: swap it for the locked one
                swapped = object.__new__(locking)
                swapped.__dict__.update(vars(index))
                cache._cache_file = swapped
            home = sys.modules.get(getattr(getattr(value, "py_func", None), "__module__", ""))
            if home is not None:
                todo.append(home)
