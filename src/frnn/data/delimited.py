"""Delimited text files (CSV, TSV, whitespace) as other programs write them.

One series per row.  Where the label is: ``label="first"`` (the UCR layout), ``"last"``,
``"none"`` (unlabelled, for ``predict``) or the name of a header column.  A header row is
declared (``header=True`` / ``False``) or detected (``None``: the first row is a header
when one of its value fields is text that is not a number or a missing-value mark).  A
header whose first field is empty announces an index column, as ``pandas.DataFrame.to_csv``
writes it; that column is dropped.  Encodings: UTF-8 with or without its byte-order mark,
and UTF-16 with its mark.  Missing values (an empty field, ``?`` or ``NaN`` inside a row)
are reported by row; trailing empty or ``NaN`` fields are padding of a shorter series (the
UCR 2018 archive's convention), a trailing ``?`` is a missing value like any other.
"""

from __future__ import annotations

import codecs
import csv
import os

import numpy as np

from .._npz import max_bytes

__all__ = ["LABEL_POSITIONS", "read_rows"]

LABEL_POSITIONS = ("first", "last", "none")
_PADDING = {"", "nan"}  # trailing fields that pad a shorter series
_MISSING = {"", "?", "nan"}
_MAX_FIELD = 1000  # characters: far beyond any number written in decimal


def read_rows(path: str, *, label="first", header=None, limit=None):
    """The rows of a delimited file: (values per row, labels or None), each row's values
    a float array (T_i,) with NaN for missing values.  Every problem is a ValueError.

    Parameters
    ----------
    path : str
    label : "first", "last", "none" or a header column's name
    header : bool or None (detect)
    limit : int or None, the most bytes the file may have (see :func:`frnn._npz.max_bytes`)
    """
    lines = _lines(path, max_bytes(limit))
    if not lines:
        raise ValueError(f"{path}: the file is empty; expected one series per row")
    rows = _split(path, lines)
    named = label not in LABEL_POSITIONS
    indexed = _pandas_index(rows)
    if header is None:
        header = named or indexed or _looks_like_header(rows[0], label)
    names, rows = (rows[0], rows[1:]) if header else (None, rows)
    if not rows:
        raise ValueError(f"{path}: only a header row; expected one series per row")
    if header and indexed:  # the index column pandas writes: not data
        names, rows = names[1:], [r[1:] for r in rows]
    column = _label_column(path, label, names)
    offset = 1 + indexed + (column == 0)  # the file's column number of value 0, from 1
    labels, series = [], []
    for r, fields in enumerate(rows, start=2 if header else 1):
        if column is not None:
            if len(fields) <= (column if column >= 0 else 0):
                raise ValueError(f"{path}: row {r} has no label column")
            labels.append(fields.pop(column).strip())
        series.append(_values(fields, r, path, offset))
    return series, (labels if column is not None else None)


def _pandas_index(rows: list[list[str]]) -> bool:
    """Whether the rows look as ``DataFrame.to_csv`` writes them: an empty first header
    field, then an index counting from 0."""
    return (
        len(rows) > 1
        and bool(rows[0])
        and rows[0][0].strip() == ""
        and bool(rows[1])
        and rows[1][0].strip() == "0"
    )


def _lines(path: str, limit: int) -> list[str]:
    size = os.path.getsize(path)
    if size > limit:
        raise ValueError(
            f"{path}: {size:,} bytes, more than the limit of {limit:,} "
            "(raise it with FRNN_MAX_FILE_BYTES)"
        )
    with open(path, "rb") as handle:
        raw = handle.read()
    encoding = "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None
    text = raw.decode(encoding or "utf-8-sig")  # UnicodeDecodeError: a ValueError, named later
    return [line for line in text.splitlines() if line.strip()]


def _split(path: str, lines: list[str]) -> list[list[str]]:
    ext = os.path.splitext(path)[1].lower()
    first = lines[0]
    delimiter = {".csv": ",", ".tsv": "\t", ".txt": None}.get(
        ext, "\t" if "\t" in first else "," if "," in first else None
    )
    if delimiter is None:
        return [line.split() for line in lines]
    rows = []
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for fields in reader:
            rows.append(fields)
    except csv.Error as error:  # e.g. a field over csv.field_size_limit() characters
        raise ValueError(f"{path}: row {reader.line_num}: {error}") from None
    return rows


def _looks_like_header(fields: list[str], label) -> bool:
    values = fields[1:] if label == "first" else fields[:-1] if label == "last" else fields
    return bool(values) and all(not _is_number(f) for f in values)


def _is_number(text: str) -> bool:
    text = text.strip()
    if text.lower() in _MISSING:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def _label_column(path: str, label, names) -> int | None:
    if label == "none":
        return None
    if label in ("first", "last"):
        return 0 if label == "first" else -1
    if not isinstance(label, str):
        raise ValueError(f"label must be 'first', 'last', 'none' or a column name; got {label!r}")
    stripped = [n.strip() for n in names]
    if label not in stripped:
        raise ValueError(f"{path}: no column named {label!r}; the header names {stripped[:10]}")
    return stripped.index(label)


def _values(fields: list[str], row: int, path: str, offset: int) -> np.ndarray:
    end = len(fields)
    while end and fields[end - 1].strip().lower() in _PADDING:
        end -= 1
    values = np.empty(end)
    for c in range(end):
        text = fields[c].strip()
        if text.lower() in _MISSING:
            values[c] = np.nan
            continue
        where = f"{path}: row {row}, column {c + offset}"
        if len(text) > _MAX_FIELD:  # whatever csv.field_size_limit() the process has set
            raise ValueError(f"{where}: a field of {len(text):,} characters, not a number")
        try:
            values[c] = float(text)
        except ValueError:
            raise ValueError(f"{where}: expected a number, got {text[:40]!r}") from None
        if not np.isfinite(values[c]):
            raise ValueError(f"{where}: expected a finite number, got {text[:40]!r}")
    return values
