"""Semicolon-separated files, as spreadsheets write CSV where the decimal mark is a comma.

A field written ``0,5`` reads 0.5 (:func:`decimal_points`; labels such as ``"a,b"`` stay
as they are).  A file that also writes ``1.234`` is refused (:func:`semicolon_rows`):
beside decimal commas the point is a thousands separator (1234), which read as a decimal
point would be a thousandth of the value.  A long row (:class:`~frnn.data.longrows.LongRow`)
is searched by regular expressions over its line, and its fields made points a piece at a
time as they are read: no string for each of its fields at once.
"""

from __future__ import annotations

import re

from .longrows import LongRow

__all__ = ["DECIMAL_COMMA", "decimal_points", "semicolon_rows"]

# A number written with a decimal comma ("0,5", "-1,25e-3"): nothing else may be read so.
DECIMAL_COMMA = re.compile(r"\s*[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?\s*")
# A number grouped by thousands with points, as beside decimal commas: "1.234", "-12.345.678".
_GROUPED = re.compile(r"\s*[+-]?\d{1,3}(?:\.\d{3})+\s*")


def _whole_field(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` matching a whole field of a semicolon-separated line: from a ``;`` or
    the line's start to a ``;`` or its end (neither pattern matches a ``;``)."""
    return re.compile(rf"(?<![^;])(?:{pattern.pattern})(?![^;])")


_COMMA_FIELD, _GROUPED_FIELD = _whole_field(DECIMAL_COMMA), _whole_field(_GROUPED)


def semicolon_rows(reader, path: str):
    """A semicolon file's rows (from ``reader``, which counts its lines in ``line_num``)
    with decimal commas read (:func:`decimal_points`), refusing a file that also writes
    a number grouped by thousands with points."""
    commas, grouped = False, None
    for fields in reader:
        points = decimal_points(fields)
        commas = commas or (points is not fields if _long(fields) else points != fields)
        if grouped is None:
            found = _first_grouped(fields)
            grouped = found and (reader.line_num, *found)
        if commas and grouped:
            row, column, text = grouped
            raise ValueError(
                f"{path}: row {row}, column {column}: {text!r} in a file of decimal commas: "
                f"a thousands separator? Save the file without thousands separators "
                f"({text.replace('.', '')} for {text}), or with decimal points throughout"
            )
        yield points


def decimal_points(fields):
    """A semicolon file's row with its decimal commas made points: a list, or a long row
    that makes them as it is read (the row itself when none of its fields has one)."""
    if not _long(fields):
        return _points(fields)
    found = _COMMA_FIELD.search(fields.line, fields.start, fields.stop)
    return fields.mapped(_points) if found else fields


def _points(fields: list[str]) -> list[str]:
    return [f.replace(",", ".") if "," in f and DECIMAL_COMMA.fullmatch(f) else f for f in fields]


def _first_grouped(fields) -> tuple[int, str] | None:
    """The row's first field grouped by thousands with points, or None: ``(column, text)``,
    its column counted from 1 and its text stripped."""
    if not _long(fields):
        found = next((c for c, f in enumerate(fields) if _GROUPED.fullmatch(f)), None)
        return None if found is None else (found + 1, fields[found].strip())
    found = _GROUPED_FIELD.search(fields.line, fields.start, fields.stop)
    if not found:
        return None
    return fields.line.count(";", fields.start, found.start()) + 1, found.group().strip()


def _long(fields) -> bool:
    return isinstance(fields, LongRow)
