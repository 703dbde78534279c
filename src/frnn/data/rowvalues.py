"""A delimited file's row as floats: a missing value (an empty field, ``?`` or ``NaN``
inside the row) NaN, trailing empty or ``NaN`` fields dropped as the padding of a shorter
series (the UCR 2018 archive's convention; a trailing ``?`` is a missing value like any
other), a bad field named by its row and column; a long row
(:class:`~frnn.data.longrows.LongRow`) read a piece at a time.
"""

from __future__ import annotations

import re

import numpy as np

from .longrows import LongRow
from .semicolons import DECIMAL_COMMA

__all__ = ["finite_floats", "is_number", "row_values", "trim_padding"]

_PADDING = {"", "nan"}  # trailing fields that pad a shorter series
_MISSING = {"", "?", "nan"}
_MAX_FIELD = 1000  # characters: far beyond any number written in decimal


def row_values(
    fields, row: int, path: str, offset: int, hint: str = "", first: str = ""
) -> np.ndarray:
    """Row ``row``'s values (T_i,), NaN where missing, trailing padding dropped
    (:func:`trim_padding`); a long row's (:class:`~frnn.data.longrows.LongRow`) a piece at
    a time, named by the same columns.  A bad last field's message ends in ``hint``, a bad
    first field's in ``first`` (where labels may be: ask for them there)."""
    trim_padding(fields)
    if not isinstance(fields, LongRow):
        return _numbers(fields, row, path, offset, (first, hint))
    values, done = np.empty(len(fields)), 0  # (T_i,)
    for piece in fields.pieces():
        end = done + len(piece)  # the row's first and last fields get the hints
        hints = (first if done == 0 else "", hint if end == len(fields) else "")
        values[done:end] = _numbers(piece, row, path, offset + done, hints)
        done = end
    return values


def trim_padding(fields) -> None:
    """Drop ``fields``' trailing empty or ``NaN`` fields (a list or a
    :class:`~frnn.data.longrows.LongRow`, in place): the padding of a shorter series."""
    while len(fields) and fields[-1].strip().lower() in _PADDING:
        fields.pop(-1)


def finite_floats(texts: list[str]) -> np.ndarray | None:
    """``texts`` (n,) as finite floats at once (numpy calls float() on each, in C), or None
    when one is not a number, is missing, is not finite or is too long to be one."""
    if texts and max(map(len, texts)) > _MAX_FIELD:
        return None
    try:
        values = np.array(texts, dtype=np.float64)  # (n,)
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None


def _numbers(fields: list[str], row: int, path: str, offset: int, hint) -> np.ndarray:
    """The fields (their first at column ``offset``) as floats (n,), NaN where missing;
    ``hint`` the text a bad field's message ends in: a string for the last field, or a
    pair (first field's, last field's)."""
    values = finite_floats(fields)  # else a missing mark or a bad field: named field by field
    return values if values is not None else _each_value(fields, row, path, offset, hint)


_COMMA_HINT = (
    " (a decimal comma: decimal commas are read in semicolon-separated files only; write "
    "decimal points, or separate the fields by semicolons)"
)
# A number grouped by thousands: "1,234.5", "1.234,5", "1 234,5", "1'234'567", "-12,345";
# the group mark (group 1) is the same throughout, and the decimal mark, if any, another.
_THOUSANDS = re.compile(
    r"[+-]?\d{1,3}([,.' \u00a0\u202f])\d{3}(?:\1\d{3})*(?:(?!\1)[.,]\d+)?(?:[eE][+-]?\d+)?"
)


def _thousands_hint(text: str) -> str:
    """What a number grouped by thousands (:data:`_THOUSANDS`) is written as without its
    separators, for the message; "" for any other text."""
    found = _THOUSANDS.fullmatch(text)
    if not found:
        return ""
    if DECIMAL_COMMA.fullmatch(text):  # "1,234": a decimal comma, or a thousands separator
        return (
            f" (a decimal comma, or a thousands separator? Write it as "
            f"{text.replace(',', '.')} or {text.replace(',', '')}, as it is meant: decimal "
            "commas are read in "
            "semicolon-separated files only, thousands separators nowhere)"
        )
    plain = text.replace(found.group(1), "").replace(",", ".")
    return (
        f" (a thousands separator {found.group(1)!r}? Write the number without it, as "
        f"{plain}: numbers grouped by thousands are not read)"
    )


def _each_value(fields: list[str], row: int, path: str, offset: int, hint) -> np.ndarray:
    """The row's values field by field: NaN for a missing mark, else the first bad field
    named by row and column (with ``hint`` when it is the row's last field; a pair
    (first, last): with ``first`` when it is the first)."""
    first, hint = hint if isinstance(hint, tuple) else ("", hint)
    end = len(fields)
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
            last = first if c == 0 and first else hint if c == end - 1 else ""
            if _THOUSANDS.fullmatch(text):  # a spreadsheet's "1,234.5", or a decimal comma
                last = _thousands_hint(text)
            elif DECIMAL_COMMA.fullmatch(text):  # a spreadsheet's, with tabs between fields
                last = _COMMA_HINT
            raise ValueError(f"{where}: expected a number, got {text[:40]!r}{last}") from None
        if not np.isfinite(values[c]):
            raise ValueError(f"{where}: expected a finite number, got {text[:40]!r}")
    return values


def is_number(text: str) -> bool:
    """Whether ``text`` is a number, a missing-value mark or a number with a decimal comma
    (not read, but not a header's word either: it is reported where it is)."""
    text = text.strip()
    if text.lower() in _MISSING or DECIMAL_COMMA.fullmatch(text):
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True
