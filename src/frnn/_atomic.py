"""Atomic file writes: a temporary file beside the target, flushed to disk, then renamed.

``os.replace`` is atomic, so a reader (or a run killed at any moment) sees the old file or
the new one, never half of either; a failed write leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
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
    # os.open rather than mkstemp: mode 0o666 minus the umask, as for any ordinary file.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # the bytes reach the disk before the rename
        os.replace(temporary, path)
    except OSError as error:  # e.g. a full disk: name the file being written
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        if error.filename is not None:
            raise
        if error.errno is None:
            raise OSError(f"could not write {path}: {error}") from None
        raise OSError(error.errno, f"could not write {path}: {error.strerror}", path) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise
