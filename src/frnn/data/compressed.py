"""Compressed data files (``train.csv.gz``, ``.ts.bz2``, ``.tsv.xz``), read as a bounded stream.

A file named ``NAME.EXT.gz`` (``.bz2``, ``.xz``) is read as ``NAME.EXT`` by EXT's reader,
decompressed as it is read: nothing is written to disk.  The readers bound a file by its
size (:func:`frnn._npz.max_bytes`, 1 GiB or $FRNN_MAX_FILE_BYTES); a compressed file's
size says nothing of what it holds (a few MiB of gzip inflate to gigabytes), so the same
bound applies to the decompressed bytes, counted as they are read: past it, a ValueError,
never memory or time spent on the rest.  A damaged or truncated stream is a ValueError
naming the file, whatever the library's own exception.

Why these three: Python reads them without a dependency, as one stream of one file.
A ``.zip`` is an archive of files, not one compressed file (the UCR/UEA downloads hold
a folder of them): which member, and of which type, is the user's to say, so it is
refused with the advice to extract it; ``.zst`` and ``.7z`` need libraries frnn does not
depend on.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zlib

__all__ = ["COMPRESSIONS", "open_binary", "split_suffix"]

#: The compressed suffixes read, and the name of their format in messages.
COMPRESSIONS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}
# Each takes the open compressed file (and reads nothing of it until read from).
_OPENERS = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    ".bz2": bz2.BZ2File,
    ".xz": lzma.LZMAFile,
}
# What each library raises for a damaged or truncated stream (BadGzipFile is an OSError).
_DAMAGE = (OSError, EOFError, zlib.error, lzma.LZMAError)


def split_suffix(path) -> tuple[str, str]:
    """The data suffix and the compression suffix of ``path``, both lower case:
    ``(".csv", ".gz")`` for ``train.CSV.gz``, ``(".csv", "")`` for ``train.csv``."""
    stem, ext = os.path.splitext(os.fspath(path))
    ext = ext.lower()
    if ext in COMPRESSIONS:
        return os.path.splitext(stem)[1].lower(), ext
    return ext, ""


def open_binary(path: str, limit: int):
    """The file's bytes, decompressed when its name ends in a compressed suffix: a binary
    stream that raises ValueError once more than ``limit`` bytes have come out of it, or
    when the compressed data is damaged."""
    compression = split_suffix(path)[1]
    if not compression:
        return open(path, "rb")
    raw = open(path, "rb")
    stream = _Bounded(_OPENERS[compression](raw), path, compression, limit, raw)
    return io.BufferedReader(stream)


class _Bounded(io.RawIOBase):
    """A decompressing stream that counts its bytes, refuses more than ``limit`` and
    names the file when the data is damaged."""

    def __init__(self, inner, path: str, compression: str, limit: int, raw):
        super().__init__()
        self._inner, self._raw, self._path = inner, raw, path
        self._format, self._limit, self._count = COMPRESSIONS[compression], limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            got = self._inner.readinto(buffer)
        except _DAMAGE as error:
            reason = str(error) or type(error).__name__
            raise ValueError(
                f"{self._path}: not a readable {self._format} file, or a damaged or "
                f"truncated one ({reason})"
            ) from None
        self._count += got
        if self._count > self._limit:
            raise ValueError(
                f"{self._path}: decompresses to more than {self._limit:,} bytes, the limit "
                "(raise it with FRNN_MAX_FILE_BYTES)"
            )
        return got

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            self._raw.close()
        super().close()
