"""A delimited file's long lines, split a piece at a time, not into a string a field.

The csv module (or ``str.split``) makes a line's fields strings all at once, some 20 times
its text: a line of 127 M characters (under the line bound of 1/8 of the 1 GiB cap) took
2.7 GB.  A line over :data:`frnn.data.textfile._PIECE` characters with no quote, in a
comma- or tab-separated file, and any such line of a whitespace-separated one, is kept as
its text (:class:`LongRow`), its fields split a piece at a time
(:func:`frnn.data.textfile.pieces`) where they are read; a line with a quote is read by
the csv module as before (a quoted field may hold the delimiter, or go on over lines),
and so are the lines of semicolon-separated files (see :mod:`frnn.data.delimited`).
"""

from __future__ import annotations

import csv
import re

from . import textfile
from .textfile import LineAt, pieces

__all__ = ["LongOrCsvRows", "LongRow", "RecordLines", "long_or_split_rows"]

# A whitespace line's fields are counted before they are read, a pass over it (some 9% of
# its reading): a line of up to 16 pieces (1 Mi characters, ~20 MB of strings) is split whole.
_WHOLE_PIECES = 16
_WORD = re.compile(r"\S+")  # a whitespace-separated field, as str.split() finds it
# An ASCII line's shape: whitespace (str.isspace) a space, anything else an x.
_SHAPE = str.maketrans({chr(c): " " if chr(c).isspace() else "x" for c in range(128)})


class LongOrCsvRows:
    """Each record's fields: a line over :data:`textfile._PIECE` characters with no quote
    as a :class:`LongRow` (read a piece at a time) where ``long``, any other as the csv
    module reads it; ``line_num`` the file's line number of the record's first line (for
    messages, as an editor shows it: blank lines counted).
    """

    def __init__(self, path: str, lines: RecordLines, delimiter: str, long: bool = True) -> None:
        self.path, self.lines, self.delimiter, self.long = path, lines, delimiter, long
        self.reader = csv.reader(lines, delimiter=delimiter)

    @property
    def line_num(self) -> int:
        return self.lines.line

    def __iter__(self):
        return self

    def __next__(self) -> list[str] | LongRow:
        line = self.lines.first()  # a line the csv reader left; it takes a record's next lines
        if self.long and len(line) > textfile._PIECE and '"' not in line:
            return LongRow.read(line, self.delimiter, self.path, self.line_num)
        self.lines.push(line)
        try:
            return next(self.reader)
        except csv.Error as error:  # e.g. a field over csv.field_size_limit() characters
            raise ValueError(f"{self.path}: row {self.line_num}: {error}") from None


def long_or_split_rows(lines):
    """Each line's fields split at runs of whitespace (``str.split()``), from ``(number,
    line)`` pairs: ``(number, fields)``, a line over :data:`_WHOLE_PIECES` pieces as a
    :class:`LongRow` (read a piece at a time)."""
    for number, line in lines:
        if len(line) > _WHOLE_PIECES * textfile._PIECE:
            yield number, LongRow.read(line, None, "", 0)
        else:
            yield number, line.split()


class RecordLines:
    """A delimited file's lines for the csv reader, a record at a time: a record's first
    line the next non-blank one (:meth:`first`), then, while the reader asks for more (a
    quoted field goes on), the text that follows it, line ends and blank lines included
    (the ``send(True)`` of :func:`frnn.data.textfile.nonblank_lines`), as the csv module
    reads a file: a label written ``"a\\n\\nb"`` keeps its blank line.

    ``lines`` come from :func:`frnn.data.textfile.nonblank_lines`; :meth:`opening` takes the
    first record's lines from them to look at, and gives them again here.  ``at``: the
    :class:`~frnn.data.textfile.LineAt` the lines set; ``line``: the file's line number of
    the record's first line, as messages name rows (blank lines counted, as an editor
    counts them).
    """

    def __init__(self, lines, at: LineAt | None = None) -> None:
        self.lines, self.at = lines, LineAt() if at is None else at
        self.taken: list[tuple[str, int]] = []  # the text taken ahead, with its line number
        self.line = 0
        self.pushed: str | None = None  # a record's first line, given back

    def opening(self):
        """The first non-blank line, then the text that follows it, a line at a time (see
        above); each kept, to be given again."""
        for line in self.lines:
            self.taken.append((line, self.at.line))
            yield line
            break
        while True:
            try:
                self.taken.append((self.lines.send(True), self.at.line))
            except StopIteration:
                return
            yield self.taken[-1][0]

    def first(self) -> str:
        """The next record's first line: the next non-blank one (StopIteration: none)."""
        while self.taken:  # text taken after a line: a line end, then the next line
            text, self.line = self.taken.pop(0)  # the line the text ends in
            line = (text.splitlines() or [""])[-1]
            if line.strip():
                return line
        line = next(self.lines)
        self.line = self.at.line
        return line

    def push(self, line: str) -> None:
        self.pushed = line

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pushed is not None:
            line, self.pushed = self.pushed, None
            return line
        return self.taken.pop(0)[0] if self.taken else self.lines.send(True)


class LongRow:
    """A long line's fields, ``line[start:stop]`` split at ``sep`` (at runs of whitespace
    where ``sep`` is None), kept as the line: what the reader asks of a row (its length,
    its first and last fields, the fields in order, its first or last field removed)
    without a string for each field.  ``convert`` (a list of fields to a list as long),
    if given, is applied to the fields as they are read (see :meth:`mapped`)."""

    def __init__(
        self, line: str, sep: str | None, start: int, stop: int, count: int, convert=None
    ) -> None:
        self.line, self.sep, self.start, self.stop, self.count = line, sep, start, stop, count
        self.convert = convert

    @classmethod
    def read(cls, line: str, sep: str | None, path: str, row: int) -> LongRow:
        """The row, refused as the csv module refuses it: a field over its limit (a
        whitespace-separated row has none: ``str.split`` has no limit)."""
        if sep is None:
            return cls(line, sep, 0, len(line), _count_words(line))
        _check_field_sizes(line, sep, path, row)
        return cls(line, sep, 0, len(line), line.count(sep) + 1)

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        if self.count:
            for fields in self.pieces():
                yield from fields

    def pieces(self):
        """The fields, a list of about :data:`textfile._PIECE` characters at a time."""
        if not self.count:
            return iter(())
        split = pieces(self.line, self.sep, self.start, self.stop)
        return map(self.convert, split) if self.convert else split

    def mapped(self, convert) -> LongRow:
        """The row with ``convert`` applied to its fields as they are read."""
        return LongRow(self.line, self.sep, self.start, self.stop, self.count, convert)

    def __getitem__(self, at):
        if at == slice(1, None) or at == slice(None, -1):
            rest = self.mapped(self.convert)
            rest.pop(0 if at.start else -1)
            return rest
        if at not in (0, -1) or not self.count:
            raise IndexError(f"a long row's field {at!r}: only its first or last is read")
        return self._field(at)[0]

    def _field(self, at: int) -> tuple[str, int]:
        """Field ``at`` (0 or -1), converted, and the position of the delimiter beside it
        (-1: none)."""
        field, cut = self._text(at)
        return (self.convert([field])[0] if self.convert else field), cut

    def _text(self, at: int) -> tuple[str, int]:
        """Field ``at`` (0 or -1) as written and the position of the delimiter beside it."""
        if self.sep is None:
            return self._word(at)
        if at == 0:
            cut = self.line.find(self.sep, self.start, self.stop)
            return self.line[self.start : self.stop if cut < 0 else cut], cut
        cut = self.line.rfind(self.sep, self.start, self.stop)
        return self.line[max(cut + 1, self.start) : self.stop], cut

    def _word(self, at: int) -> tuple[str, int]:
        """:meth:`_text` of a whitespace-separated row: the whitespace after the first
        field, or before the last (found in a window from the end, widened until it
        holds the whole field and the whitespace before it)."""
        if at == 0:
            word = _WORD.search(self.line, self.start, self.stop)
            return word.group(), -1 if word.end() == self.stop else word.end()
        width = 64
        while True:
            low = max(self.start, self.stop - width)
            words = self.line[low : self.stop].rsplit(None, 1)
            if len(words) == 2:  # the window holds the last field and a field before it
                return words[1], low + len(words[0])
            if low == self.start:  # the only field
                return words[0], -1
            width *= 2

    def pop(self, at: int) -> str:
        """Remove field ``at`` (0, -1 or the last's index) and return it."""
        at = -1 if at == self.count - 1 else at
        if at not in (0, -1) or not self.count:
            raise IndexError(f"a long row's field {at!r}: only its first or last is taken")
        field, cut = self._field(at)
        self.count -= 1
        if at == 0:
            self.start = cut + 1 if self.count else self.stop
        else:
            self.stop = cut if self.count else self.start
        return field

    def __delitem__(self, at: int) -> None:
        self.pop(at)


def _count_words(line: str) -> int:
    """How many fields ``line.split()`` has, without a string for each: an ASCII line's
    by its shape (:data:`_SHAPE`: a field starts at each " x", 3x faster than splitting
    it a piece at a time), any other's a piece at a time."""
    if line.isascii():  # O(1): a flag of the str
        shape = line.translate(_SHAPE)  # one character each, in C
        return shape.count(" x") + shape.startswith("x")
    return sum(map(len, pieces(line, None, 0, len(line))))


def _check_field_sizes(line: str, sep: str, path: str, row: int) -> None:
    """Refuse a field over ``csv.field_size_limit()`` characters, as the csv module does.

    A field over the limit covers a whole block of half the limit with no ``sep`` in it:
    a few ``str.find`` over the line (one a block), not a step a field."""
    limit = csv.field_size_limit()
    half = max(limit // 2, 1)
    for at in range(0, len(line) - half + 1, half):
        if line.find(sep, at, at + half) < 0:
            end = line.find(sep, at + half)
            begin, end = line.rfind(sep, 0, at) + 1, len(line) if end < 0 else end
            if end - begin > limit:
                raise ValueError(f"{path}: row {row}: field larger than field limit ({limit})")
