"""Delimited text files (CSV, TSV, whitespace) as other programs write them.

One series per row.  Fields are separated by commas, or semicolons with decimal commas as
spreadsheets write CSV where the comma is the decimal mark (``.csv``, see
:func:`_delimiter`), tabs (``.tsv``) or whitespace (``.txt``).  Where the label is:
``label="first"`` (the UCR layout), ``"last"``, ``"none"`` (unlabelled, for ``predict``)
or the name of a header column.  A header row is
declared (``header=True`` / ``False``) or detected (``None``: :mod:`frnn.data.headers`).  A
header whose first field is empty announces an index column, as ``pandas.DataFrame.to_csv``
writes it; that column is dropped.  Encodings: UTF-8 with or without its byte-order mark,
and UTF-16 with its mark; gzip, bzip2 or xz compressed (:mod:`frnn.data.compressed`).
Labels are read as written (:mod:`frnn.data.labels`), values as
:mod:`frnn.data.rowvalues` reads them (missing values, padding).

A header column named as series ids or time stamps are is refused where ``guard`` asks
(:mod:`frnn.data.keycolumns`); files with an id column, one row per time step among them,
are read by :mod:`frnn.data.keyed` on the rows :func:`table` splits.

A line longer than 64 Ki characters with no quote (1 Mi in a whitespace-separated file)
is split a piece at a time (:mod:`frnn.data.longrows`); a line with a quote is split whole
by the csv module, a quoted field over lines as the csv module reads it, its line breaks
and blank lines kept.  Decimal commas: :mod:`frnn.data.semicolons`.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import warnings

import numpy as np

from .._npz import max_bytes
from . import textfile
from .compressed import split_suffix
from .headers import LABEL_POSITIONS, is_header, numbered_header, numeric_row, pandas_index
from .keycolumns import label_column, refuse_key_columns
from .labels import as_labels
from .layouts import LayoutWarning
from .longrows import LongOrCsvRows, LongRow, RecordLines, long_or_split_rows
from .rowvalues import is_number, row_values
from .semicolons import semicolon_rows
from .textfile import LineAt, RowMemory, check_size, nonblank_lines, open_text

__all__ = ["LABEL_POSITIONS", "detect_header", "header_names", "read_rows", "table"]

_LAST_LABELS = " (are the labels in the last column? pass label='last')"
_FIRST_LABELS = " (are the labels in the first column? pass label='first')"


def read_rows(
    path: str,
    *,
    label="first",
    header=None,
    limit=None,
    text_labels=False,
    guard=False,
    complete=False,
):
    """The rows of a delimited file: (values per row, labels or None), each row's values
    a float array (T_i,) with NaN for missing values, the labels (n,) as written (the
    rule of :mod:`frnn.data.labels`).  Every problem is a ValueError.

    The file is read a line at a time and each row converted to floats at once, so memory
    holds 8 bytes a value, not the text (Python's strings and lists of a whole file take
    about ten times its size).  The rows may occupy ``limit`` bytes in all, counting each
    row's own cost (its array's header, its label: about 180 bytes, which dominate in a
    file of short rows), and one row ``limit`` / 8 characters (a long one split a piece
    at a time where the module's note says; else its fields are strings at once).

    Parameters
    ----------
    path : str
    label : "first", "last", "none" or a header column's name
    header : bool or None (detect)
    limit : int or None, the most bytes the file, and the values read from it, may have
        (see :func:`frnn._npz.max_bytes`: 1 GiB, or $FRNN_MAX_FILE_BYTES); a compressed
        file's decompressed bytes too
    text_labels : bool, keep every label as its text (see :func:`frnn.data.labels.as_labels`)
    guard : bool, refuse a header that names a series id or time stamp column
        (:func:`frnn.data.keycolumns.refuse_key_columns`): a file of one row per step
        read as one series per row would train silently on wrong series
    complete : bool, refuse rows without values and rows with a missing value, named by
        the file's row numbers (the header row 1), which the series' numbers are not

    Rows are named in messages by the file's line numbers, as an editor shows them (blank
    lines counted; a row whose quoted field goes on over lines by its first line).
    """
    budget = max_bytes(limit)
    with table(path, label=label, header=header, budget=budget) as (names, rows):
        if guard:
            refuse_key_columns(path, names, label)
        column = _label_column(path, label, names)
        offset = 1 + rows.indexed + (column == 0)  # the file's column number of value 0, from 1
        # Text in the last column of a file read with the labels first (or none) is most
        # likely the labels: say how to read them there.
        hint = _LAST_LABELS if label in ("first", "none") else ""
        first = _FIRST_LABELS if label in ("last", "none") and not rows.indexed else ""
        labels, series, memory, numbers = [], [], RowMemory(path, budget), []
        empty, missing = [], []  # the rows (their numbers) without values, with a gap
        for r, fields in rows:
            if isinstance(fields, LongRow) and column not in (None, 0, -1):
                fields = list(fields)  # a label inside the row: split whole, as before
            if column is not None:
                if len(fields) <= (column if column >= 0 else 0):
                    raise ValueError(f"{path}: row {r} has no label column")
                labels.append(fields.pop(column).strip())
                if column == -1 and not labels[-1]:  # else "the label is missing (got '')"
                    raise ValueError(
                        f"{path}: row {r}: its last field, where label='last' reads the "
                        "label, is empty (the line ends in a comma); remove the commas that "
                        "end the lines, or give the row its label"
                    )
            try:
                series.append(row_values(fields, r, path, offset, hint, first))  # (T_i,)
            except ValueError as error:
                raise ValueError(
                    f"{error}{_named_labels(names, column, rows.indexed, error)}"
                ) from None
            numbers.append(r)
            memory.add(series[-1], labels[-1] if column is not None else None)
            if not series[-1].size:
                empty.append((r, labels[-1] if column is not None else None))
            elif np.isnan(series[-1]).any():
                missing.append(r)
        header = rows.header
    if not series:
        raise ValueError(f"{path}: only a header row; expected one series per row")
    if complete:
        _refuse_gaps(path, empty, missing, header, every=len(empty) == len(series))
    if column is None:
        return series, None
    return series, as_labels(labels, path, text=text_labels, rows=numbers)


def _refuse_gaps(path: str, empty: list, missing: list[int], header: bool, every: bool) -> None:
    """Refuse rows without values (``empty``: (row, label or None) pairs; a footer or a
    note below the table reads as a label alone, and so does every row of a file whose
    fields are separated otherwise than its suffix says: ``every``) and rows with a
    missing value, named by the file's own row numbers: the series' numbers, which the
    readers' later checks would give, are one less than the rows where a header is row 1."""
    if empty:
        rows = _rows_text([r for r, _ in empty])
        first, label = empty[0]
        if label is None:
            raise ValueError(f"{path}: row(s) {rows} hold no values")
        why = (
            "each row is one field: are the fields separated as the file's suffix says "
            "(.csv: commas or semicolons, .tsv: tabs, .txt: whitespace)?"
            if every
            else "a note below the table? remove such rows"
        )
        raise ValueError(
            f"{path}: row(s) {rows} hold a label but no values (row {first}: {label[:60]!r}); {why}"
        )
    if missing:
        counted = ", the header included" if header else ""
        raise ValueError(
            f"{path}: missing values (NaN) in row(s) {_rows_text(missing)} (the file's "
            f"lines counted from 1{counted}); fill them (e.g. interpolate) or remove those rows"
        )


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return shown + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")


class _Rows:
    """A file's rows after its header: (row number, fields) pairs, the row numbered by the
    file's line it starts on (from 1, blank lines counted, as an editor shows it), a
    pandas index column's field dropped; ``header`` whether the file has a header row,
    ``indexed`` whether pandas' index column was dropped."""

    def __init__(self, rows, header: bool, indexed: bool) -> None:
        self.header, self.indexed = header, indexed
        self._rows = rows

    def __iter__(self):
        for r, fields in self._rows:
            if self.indexed:
                del fields[0]
            yield r, fields


@contextlib.contextmanager
def table(path: str, *, label, header, budget: int, declared: bool = True):
    """The file opened and split into fields: ``(names, rows)``, the header's column names
    (None without a header row; pandas' index column's dropped) and the rows after it
    (:class:`_Rows`).  ``header`` None detects the header for ``label``
    (:func:`frnn.data.headers.is_header`); the file and its lines are bounded by ``budget``
    bytes.  A header row ``declared`` (``header=True``, the user's word) that holds only
    numbers is read as names all the same, with a :class:`~frnn.data.layouts.LayoutWarning`
    naming it (:func:`_warn_numbers`)."""
    with _opened(path, budget) as (first, rows):
        if not first:
            raise ValueError(  # any layout: a series per row, a step per row (--series)
                f"{path}: no rows: the file is empty or holds only blank lines"
            )
        fields = [row for _, row in first]
        indexed = pandas_index(fields)
        if header is True and declared:
            _warn_numbers(path, first[0], label)
        if header is None:
            header = is_header(fields, label)
        rows = itertools.chain(first, rows)
        names = next(rows)[1] if header else None
        if header and indexed:  # the index column pandas writes: not data
            names = names[1:]
        yield names, _Rows(rows, bool(header), bool(header and indexed))


def _warn_numbers(path: str, first: tuple[int, list[str]], label) -> None:
    """Warn that the first row ``(line, fields)``, declared a header, holds only numbers:
    its values would be lost as column names, silently.  pandas' numbered columns
    (``0,1,2,3``, ``,0,1,2``: :func:`frnn.data.headers.numbered_header`) are a header."""
    line, fields = first
    if not numeric_row(fields) or numbered_header(fields, label):
        return
    shown = ", ".join(f.strip() for f in fields[:5]) + (", …" if len(fields) > 5 else "")
    warnings.warn(
        f"{path}: row {line} ({shown}) holds only numbers, yet header=True reads it as the "
        "column names, not as a series; if it is data, read the file with header=False",
        LayoutWarning,
        stacklevel=4,
    )


@contextlib.contextmanager
def _opened(path: str, budget: int):
    """The file opened and split into fields: ``(first, rows)``, its first two rows (what
    header and index detection look at; fewer in a shorter file) and the rows after them,
    each a ``(line number, fields)`` pair."""
    check_size(path, budget)
    with open_text(path, budget) as stream:
        at = LineAt()
        rows = _split(path, nonblank_lines(stream, path, budget, at), at)
        yield list(itertools.islice(rows, 2)), rows


def detect_header(path: str, *, label="first", limit=None) -> bool:
    """Whether :func:`read_rows` with ``header=None`` reads the file's first row as a header
    for ``label``: to read the file again with another label and the same header (False
    for an empty file, which :func:`read_rows` refuses)."""
    with _opened(path, max_bytes(limit)) as (first, _):
        return bool(first) and is_header([fields for _, fields in first], label)


def header_names(path: str, *, header=None, label="first", limit=None) -> list[str] | None:
    """The names of the file's header columns, stripped (None without a header row;
    ``header`` None detects it for ``label`` as :func:`read_rows` does): to tell whether a
    column is there before reading the file with it.  Only the first rows are read."""
    with table(path, label=label, header=header, budget=max_bytes(limit)) as (names, _):
        return None if names is None else [name.strip() for name in names]


def _split(path: str, lines, at: LineAt):
    """Each record's ``(line number, fields)``: the file's line it starts on (``at``, which
    ``lines`` set: :func:`~frnn.data.textfile.nonblank_lines`) and its fields, comma,
    semicolon, tab or whitespace separated by the file's extension and its first row
    (:func:`_first_record`, :func:`_delimiter`).  A semicolon-separated file is one a
    spreadsheet wrote where the decimal mark is a comma: its ``0,5`` reads as 0.5.  A
    quoted field keeps its line ends and blank lines
    (:class:`~frnn.data.longrows.RecordLines`)."""
    records = RecordLines(lines, at)
    first = "".join(_first_record(records.opening())).splitlines()  # its blank lines too
    if not any(line.strip() for line in first):
        return
    line = records.taken[0][1]  # the first record's first line; the others follow it
    shown = [(line + i, text) for i, text in enumerate(first) if text.strip()]
    delimiter = _delimiter(split_suffix(path)[0], "\n".join(text for _, text in shown))
    if delimiter is None:  # no quotes: the first record's non-blank lines, then the rest
        rest = ((at.line, text) for text in lines)
        yield from long_or_split_rows(itertools.chain(shown, rest))
        return
    long = csv.field_size_limit() >= textfile._PIECE  # else the csv module reads every line
    rows = LongOrCsvRows(path, records, delimiter, long)
    for fields in semicolon_rows(rows, path) if delimiter == ";" else rows:
        yield rows.line_num, fields


#: The most lines, and characters, that the first record is looked for in: a quoted field
#: over more lines than that is rare, and the separator is then told from those lines.
_RECORD_LINES, _RECORD_CHARS = 64, 1 << 20


def _first_record(lines) -> list[str]:
    """The lines of the file's first record (taken from ``lines``): its first line, and the
    next ones while a quoted field is open (an odd count of ``"``: a label written over two
    lines), so that the separator is told from the whole first row, not from the part
    before the line break; at most ``_RECORD_LINES`` lines or ``_RECORD_CHARS``
    characters.  (From :meth:`~frnn.data.longrows.RecordLines.opening`, the next ones are
    the text that follows, blank lines included: ``"".join`` is the record as written.)"""
    record, quotes, size = [], 0, 0
    for line in lines:
        record.append(line)
        quotes, size = quotes + line.count('"'), size + len(line)
        if quotes % 2 == 0 or len(record) >= _RECORD_LINES or size >= _RECORD_CHARS:
            break
    return record


def _delimiter(ext: str, first: str) -> str | None:
    """The field separator: tab for ``.tsv``, whitespace (None) for ``.txt``; for ``.csv``
    a comma, or a semicolon when the first line has at least as many semicolons as commas
    (a semicolon file's commas are decimal marks, one a value at most); another extension
    goes by the first line alone."""
    if ext in (".tsv", ".txt"):
        return "\t" if ext == ".tsv" else None
    if ext != ".csv" and "\t" in first:
        return "\t"
    semicolons = first.count(";")
    if semicolons and semicolons >= first.count(","):
        return ";"
    return "," if ext == ".csv" or "," in first else None


def _no_label_column(path: str, label: str, names: list[str]) -> None:
    """Refuse ``label``, which names none of the header's ``names``, saying what the first
    row holds: numbers, or a real number among names (a file without a header, its first
    row a series; integers may number the steps), or names; and that a column's number is
    no name."""
    number = label.strip().lstrip("+-").isdigit()
    counted = f"the file has {len(names)} columns"
    not_number = " (a column's number is not taken)" if number else ""
    if all(is_number(n) for n in names):
        raise ValueError(
            f"{path}: label={label!r} names a header column, but the first row holds "
            f"numbers, not column names ({counted}); give the label's position: 'first' or "
            f"'last'{not_number}"
        )
    if any(is_number(n) and not n.lstrip("+-").isdigit() for n in names):
        shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        raise ValueError(
            f"{path}: no column named {label!r}: {counted}, and the first row ({shown}) "
            "holds numbers, so it is likely a series, not a header of column names; give "
            f"the label's position: 'first' or 'last'{not_number}"
        )
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    raise ValueError(
        f"{path}: no column named {label!r}; the header names {names[:10]}{more}"
        + f"; label must be a column's name or its position, 'first' or 'last'{not_number}"
    )


def _named_labels(names, column, indexed: int, error: ValueError) -> str:
    """A hint where a value that is no number stands in the header column named as labels
    are (:func:`frnn.data.keycolumns.label_column`), not the one read as labels: "(the
    header names column 3 'label': are the labels there? pass label='label')"; else "".
    ``indexed``: 1 where the file's first column is pandas' index, read past."""
    name = label_column(names)
    if name is None or "expected a number" not in str(error):
        return ""
    i = names.index(name)
    number = i + 1 + indexed  # the column's number in the file, as messages count them
    if i == column or f"column {number}:" not in str(error):
        return ""
    name = name.strip()
    return (
        f" (the header names column {number} {name!r}: are the labels there? pass label={name!r})"
    )


def _label_column(path: str, label, names) -> int | None:
    if label == "none":
        return None
    if label in ("first", "last"):
        return 0 if label == "first" else -1
    if not isinstance(label, str):
        raise ValueError(f"label must be 'first', 'last', 'none' or a column name; got {label!r}")
    if names is None:
        raise ValueError(
            f"{path}: label {label!r} names a column, but the file is read without a header "
            "row (header=False); declare the header, or give the label's position: "
            "'first' or 'last'"
        )
    stripped = [n.strip() for n in names]
    if label not in stripped:
        _no_label_column(path, label, stripped)
    columns = [i + 1 for i, name in enumerate(stripped) if name == label]
    if len(columns) > 1:  # the first was taken, the others read as values ("expected a number")
        raise ValueError(
            f"{path}: the header names {label!r} {len(columns)} times (columns "
            f"{', '.join(map(str, columns))}); expected one label column of that name"
        )
    return stripped.index(label)
