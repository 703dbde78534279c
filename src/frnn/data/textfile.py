"""Text data files read a line at a time, in memory bounded by what their rows hold.

The readers of delimited files (:mod:`frnn.data.delimited`) and of ``.ts`` files
(:func:`frnn.data.readers.read_ts`) share this: a file's size checked before it is read
(:func:`check_size`), its encoding found by its byte-order mark and its compression by
its name (:func:`open_text`), its non-blank lines read in blocks, none longer than the
budget allows (:func:`nonblank_lines`), and the memory of the rows read so far counted
against the budget (:class:`RowMemory`); a long line's fields split a piece at a time
(:func:`pieces`).  The budget is :func:`frnn._npz.max_bytes`'s (1 GiB, or
$FRNN_MAX_FILE_BYTES); a compressed file's decompressed bytes count too.
Why not the whole text at once: Python's strings and lists of a file take about ten
times its size, and a small compressed file can inflate to the whole budget of blank
lines or of one line, all of it held before a row is read.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import sys

import numpy as np

from .compressed import open_binary

__all__ = ["LineAt", "RowMemory", "check_size", "nonblank_lines", "open_text", "pieces"]

_ROW_BYTES = 128  # each row's own cost beyond its values: the array's header, a list slot
_BLOCK = 1 << 16  # characters read at a time: small beside the values a file holds
_VISIBLE = re.compile(r"\S")  # found at C speed across any run of blank lines
_ENDS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what str.splitlines ends lines at
_OTHER_ENDS = re.compile("[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # those but \n
_PIECE = 1 << 16  # characters of a long line split at a time: few strings alive at once
_SPACE = re.compile(r"\s")  # what str.split() splits at: str.isspace's characters, each


def check_size(path: str, limit: int) -> None:
    """Refuse a file over ``limit`` bytes before reading any of it."""
    size = os.path.getsize(path)
    if size > limit:
        raise ValueError(
            f"{path}: {size:,} bytes, more than the limit of {limit:,} "
            "(raise it with FRNN_MAX_FILE_BYTES)"
        )


def open_text(path: str, limit: int):
    """The file as text: UTF-16 by its byte-order mark, else UTF-8 (with or without one);
    a compressed file (``.gz``, ``.bz2``, ``.xz``) decompressed as it is read, at most
    ``limit`` bytes of it (see :mod:`frnn.data.compressed`).

    A UnicodeDecodeError (a ValueError) is raised while reading, and named by the caller.
    """
    stream = open_binary(path, limit)
    try:
        mark = stream.peek(2)[:2]
    except ValueError:  # a damaged compressed file: the stream named it
        stream.close()
        raise
    encoding = "utf-16" if mark in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    return io.TextIOWrapper(stream, encoding=encoding, newline=None)


class LineAt:
    """Where :func:`nonblank_lines` is in its file: ``line``, the file's line number (from
    1, blank lines counted, as an editor shows it) of the line the text given last ends in
    (a line given: that line).  Messages name rows by it, not by the non-blank lines read,
    which are fewer after a blank line."""

    def __init__(self) -> None:
        self.line = 0


def nonblank_lines(stream, path: str, budget: int, at: LineAt | None = None):
    """The file's non-blank lines, split as ``str.splitlines`` splits (\\v, \\f, U+2028
    end lines too), without their ends, each at most ``budget`` / 8 characters.

    Asked with ``send(True)`` in place of ``next``, it gives the next line whatever it
    holds, as the text that follows the last line given: that line's end, then the line
    without its own; a run of blank lines at once; at the end of the file, the last line's
    end alone.  A quoted field that goes on over lines is read so, its line breaks and
    blank lines as the file has them (:class:`frnn.data.longrows.RecordLines`).

    Read in blocks of :data:`_BLOCK` characters, the next non-blank line found by a regular
    expression: a run of blank lines costs no Python step each, even inside a quoted field
    (a gzip file of 1 MiB inflates to 1 GiB of them, which line by line took ten minutes
    to refuse).

    ``at`` (a :class:`LineAt`), if given, is set to each line's number before it is given:
    lines end at ``\\n`` there (the stream is read with ``newline=None``), as an editor
    ends them; a line that ``\\v`` or U+2028 splits is numbered as one.
    """
    at = LineAt() if at is None else at
    every, ending = False, ""  # whether any line is asked for; the end of the last one given
    for text, end, before in _blocks(stream, path, budget):
        blank, here = text.isspace(), 0  # isspace: a bomb's block passed 8x faster than by search
        plain = blank or not _OTHER_ENDS.search(text, 0, end)  # lines that end at \n alone
        counted, at.line = 0, before + 1  # the line of text[counted], counted as they go
        while here < end:
            found = None if blank else _VISIBLE.search(text, here, end)
            start = text.rfind("\n", 0, found.start()) + 1 if found else end  # its line's
            if every and start > here:  # blank lines inside a quoted field: given at once
                cut = start - (text[start - 1] == "\n")
                at.line += text.count("\n", counted, cut)  # the line the text ends in
                counted = cut
                every = yield ending + text[here:cut]
                here, ending = start, text[cut:start]
                continue
            if not found:
                break
            at.line += text.count("\n", counted, start)  # a run of blank lines at C speed
            counted = start
            stop = text.find("\n", found.start(), end)  # the line's end, its \n excluded
            stop = end if stop < 0 else stop  # the last line, without a newline
            if stop - start > budget // 8:
                _too_long(path, at.line, budget)
            here = stop + 1  # past the end at the file's end: no newline there
            if plain:  # the line is one line: given whole
                line = text[start:stop]
                every = yield ending + line if every else line
                ending = text[stop:here]
                continue
            for line in text[start:here].splitlines(True):
                cut = len(line) - (line[-1] in _ENDS)  # the line without its end
                if every or not line.isspace():
                    every = yield ending + line[:cut] if every else line[:cut]
                ending = line[cut:]
    if every and ending:  # a quoted field open at the file's end: its last line's end
        yield ending


def _blocks(stream, path: str, budget: int):
    """The file's text a block of whole lines at a time: ``(text, end, before)``, its lines
    ``text[:end]`` (at the end of the file, the last one without a newline too) and the
    count of lines before them; a line over ``budget`` / 8 characters refused as soon as
    it is read, before it is joined."""
    longest = budget // 8
    pending, size, before = [], 0, 0  # the unfinished last line's pieces, its size, lines before
    while True:
        block = stream.read(_BLOCK)
        if block and "\n" not in block:  # a long line: joined once, when it ends
            pending.append(block)
            size += len(block)
            if size > longest:
                _too_long(path, before + 1, budget)
            continue
        pending.append(block)
        text, pending = "".join(pending), None  # one copy of a long line held, not two
        end = text.rfind("\n") + 1 if block else len(text)  # the complete lines' end
        yield text, end, before
        before += text.count("\n", 0, end)
        pending, size = [text[end:]], len(text) - end
        if size > longest:  # newline=None: every line ends in \n
            _too_long(path, before + 1, budget)
        if not block:
            return


def pieces(text: str, sep: str | None, start: int, stop: int):
    """The fields of ``text[start:stop]`` split at ``sep`` (at runs of whitespace where
    ``sep`` is None, as ``str.split`` splits), as lists of the fields of about
    :data:`_PIECE` characters each, in order (each piece ends at a ``sep`` or whitespace).

    A long line's fields as strings take some 20 to 30 times its text (a str and a list
    slot each); a piece at a time, memory holds the line and one piece's strings.  A
    whitespace piece that ends inside a run of whitespace leaves the run's rest to the
    next piece, where ``str.split`` drops it (a piece of only whitespace is ``[]``).
    """
    while True:
        cut = _next_sep(text, sep, start + _PIECE, stop) if stop - start > _PIECE else -1
        cut = stop if cut < 0 else cut
        yield text[start:cut].split(sep)
        if cut >= stop:
            return
        start = cut + 1


def _next_sep(text: str, sep: str | None, start: int, stop: int) -> int:
    """Where the first ``sep`` (or whitespace: None) in ``text[start:stop]`` is, else -1."""
    if sep is not None:
        return text.find(sep, start, stop)
    found = _SPACE.search(text, start, stop)
    return found.start() if found else -1


def _too_long(path: str, line: int, budget: int):
    raise ValueError(
        f"{path}: line {line} is longer than {budget // 8:,} characters, the most one row "
        f"may have with the limit of {budget:,} bytes (raise it with FRNN_MAX_FILE_BYTES)"
    )


class RowMemory:
    """The memory the rows read so far hold, refused once over ``budget`` bytes.

    A row holds its values (8 bytes each) and its overhead: its array's header, a list
    slot and its label (a file of short rows such as ``1,2`` takes over ten times as much
    as its values without it).
    """

    def __init__(self, path: str, budget: int) -> None:
        self.path, self.budget, self.rows, self.bytes = path, budget, 0, 0

    def add(self, values: np.ndarray, label: str | None = None) -> None:
        """Count one more row, its values (T_i,) or (T_i, D) and its label (or None)."""
        self.rows += 1
        self.bytes += values.nbytes + _ROW_BYTES + (0 if label is None else sys.getsizeof(label))
        if self.bytes > self.budget:
            raise ValueError(
                f"{self.path}: the {self.rows:,} rows read so far take {self.bytes:,} bytes "
                f"in memory (8 a value, and {_ROW_BYTES} a row plus its label), over the "
                f"limit of {self.budget:,} bytes (raise it with FRNN_MAX_FILE_BYTES)"
            )
