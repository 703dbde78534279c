"""Atomic file writes: a temporary file beside the target, flushed to disk, then renamed.

``os.replace`` is atomic, so a reader (or a run killed at any moment) sees the old file or
the new one, never half of either; a failed write leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets


@contextlib.contextmanager
def atomic_writer(path):
    """Yield a binary file whose contents replace ``path`` when the block ends cleanly.

    Parameters
    ----------
    path : str or os.PathLike
        The file to (re)place; its directory must exist.

    Yields
    ------
    file object, opened "wb"
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    try:
        _check_target(path, folder)
        # os.open rather than mkstemp: mode 0o666 minus the umask, as for any ordinary file.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:  # the temporary's name would only puzzle: name the target
        raise _naming(error, path) from None
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # the bytes reach the disk before the rename
        os.replace(temporary, path)
    except OSError as error:  # e.g. a full disk: name the file being written
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        if error.filename is not None and temporary not in (error.filename, error.filename2):
            raise  # about another file (one the block opened): its own name is the right one
        raise _naming(error, path) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


def check_target(path) -> None:
    """Refuse, before any work, a ``path`` that :func:`atomic_writer` could not write: a
    directory, a file in a missing folder, or in a folder this process may not write in
    ("could not write PATH: why"; the last was said after the work: ``frnn evaluate
    --out`` printed every score, then failed)."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        _check_target(path, folder)
        if not os.access(folder, os.W_OK | os.X_OK):  # the temporary file goes there
            raise PermissionError(errno.EACCES, f"its folder {folder} is not writable")
    except OSError as error:
        raise _naming(error, path) from None


def _check_target(path: str, folder: str) -> None:
    """Refuse a target that is a directory, or whose folder is missing, in words: the
    errors ``os.open`` and ``os.replace`` give name the temporary file instead."""
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, "it is a directory; expected a file name")
    if not os.path.isdir(folder):
        what = "is not a directory" if os.path.exists(folder) else "does not exist"
        raise FileNotFoundError(errno.ENOENT, f"its folder {folder} {what}")


def _naming(error: OSError, path: str) -> OSError:
    """``error`` as an OSError of the same class about ``path``: "could not write PATH: why"."""
    if error.errno is None:
        return OSError(f"could not write {path}: {error}")
    return type(error)(error.errno, f"could not write {path}: {error.strerror}", path)
