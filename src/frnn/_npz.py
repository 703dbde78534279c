"""Bounded reading of ``.npz`` archives from untrusted files.

``np.load`` trusts an archive: a header claiming a (10¹², ) array allocates it, a member
that decompresses to gigabytes is decompressed, and an object array is refused with advice
to allow pickle.  Here each member's ``.npy`` header is read first, its size computed from
the header and checked against a budget for the whole archive *before* anything is
allocated, and no more bytes than the header announces are ever decompressed.  Object
(pickled) and structured dtypes are refused outright.  Every failure is a ValueError.

The budget is ``max_bytes`` (default :data:`MAX_BYTES`, or the environment variable
``FRNN_MAX_FILE_BYTES``): what the arrays occupy in memory once read.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib

import numpy as np

__all__ = ["MAX_BYTES", "max_bytes", "read_npz"]

MAX_BYTES = 2**30  # 1 GiB of arrays: every data set and model frnn trains on fits 10³ times
_KINDS = "biufUS"  # bool, integers, floats, text: what frnn files hold


def max_bytes(value: int | None = None) -> int:
    """The budget in bytes: ``value``, else $FRNN_MAX_FILE_BYTES, else :data:`MAX_BYTES`."""
    if value is None:
        text = os.environ.get("FRNN_MAX_FILE_BYTES")
        if text is None:
            return MAX_BYTES
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < 1:  # the variable named, not the parameter it stands for
            raise ValueError(
                f"FRNN_MAX_FILE_BYTES must be a whole number of bytes ≥ 1; got {text!r}"
            )
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"max_bytes must be an integer ≥ 1; got {value!r}")
    return int(value)


def read_npz(path, *, limit: int | None = None) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, by name; ValueError for anything bad.

    Parameters
    ----------
    path : str or os.PathLike
    limit : int or None, the most bytes the arrays may occupy (see :func:`max_bytes`)
    """
    budget = max_bytes(limit)
    try:
        with open(path, "rb") as file, zipfile.ZipFile(file) as archive:
            return _members(archive, budget)
    except FileNotFoundError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error) as error:
        cause = f"{error or type(error).__name__}{_cut_short(path, error)}"
        raise ValueError(f"not a readable .npz archive ({cause})") from None
    except (NotImplementedError, RuntimeError) as error:  # unknown compression, encryption
        raise ValueError(f"not a readable .npz archive ({error})") from None


def _cut_short(path, error: BaseException) -> str:
    """What zipfile's "File is not a zip file" means of a file that starts as a zip archive
    does: its end (the archive's directory) is missing, a file cut short in a copy or a
    download, or written over; "" for other errors and files."""
    if not isinstance(error, zipfile.BadZipFile):
        return ""
    try:
        with open(path, "rb") as file:
            start = file.read(4)
    except OSError:
        return ""
    return ": it starts as one but its end is missing, truncated?" if start == b"PK\x03\x04" else ""


def _members(archive: zipfile.ZipFile, budget: int) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    total = 0
    for info in archive.infolist():
        name = info.filename
        if not name.endswith(".npy") or name[:-4] in arrays:
            raise ValueError(f"member {name!r} is not one .npy array")
        with archive.open(info) as member:
            shape, fortran, dtype = _header(member, name)
            nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            total += nbytes
            if total > budget:
                raise ValueError(
                    f"its arrays would take {total:,} bytes from member {name!r} on, more than "
                    f"the limit of {budget:,} (raise it with max_bytes or FRNN_MAX_FILE_BYTES)"
                )
            arrays[name[:-4]] = _body(member, shape, fortran, dtype, nbytes, name)
    return arrays


def _header(member, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """The shape, order and dtype in a member's .npy header, checked; nothing allocated."""
    try:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"unknown .npy version {version}")
    except (ValueError, TypeError, SyntaxError, EOFError) as error:
        raise ValueError(f"member {name!r} has no valid .npy header ({error})") from None
    if dtype.hasobject or dtype.kind not in _KINDS or dtype.fields is not None:
        what = "Python objects, which would need pickle" if dtype.hasobject else str(dtype)
        raise ValueError(
            f"member {name!r} holds {dtype} values; frnn files hold only real numbers "
            f"(bool, integers, floats) and text, never {what}"
        )
    return tuple(int(n) for n in shape), bool(fortran), dtype


def _body(member, shape, fortran: bool, dtype: np.dtype, nbytes: int, name: str) -> np.ndarray:
    """The member's data: exactly ``nbytes`` bytes, and nothing after them."""
    buffer = bytearray(nbytes)
    view, got = memoryview(buffer), 0
    while got < nbytes:
        chunk = member.read(min(nbytes - got, 1 << 24))
        if not chunk:
            raise ValueError(f"member {name!r} is truncated: {got} of {nbytes} bytes")
        view[got : got + len(chunk)] = chunk
        got += len(chunk)
    if member.read(1):  # also makes zipfile check the member's CRC
        raise ValueError(f"member {name!r} holds more data than its header announces")
    if nbytes == 0:
        return np.empty(shape, dtype=dtype, order="F" if fortran else "C")
    flat = np.frombuffer(buffer, dtype=dtype)
    return flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
