"""Whether a delimited file's first row is a header, told from its first two rows.

A label named by a column needs a header.  A first header field left empty above an index
counting from 0 is how ``pandas.DataFrame.to_csv`` writes its index column
(:func:`pandas_index`).  Else the first row is a header when the fields where the values
go are words, not numbers nor missing-value marks; when a word stands where the next row
has a number for its label ("label,0,1,2" above "1,0.5,…"); or when the columns are
numbered as pandas numbers a DataFrame's by default, ``0,1,2,3,…`` (:func:`_numbered`),
above a row of as many fields, not all integers.
"""

from __future__ import annotations

from .rowvalues import is_number

__all__ = ["LABEL_POSITIONS", "is_header", "numbered_header", "numeric_row", "pandas_index"]

LABEL_POSITIONS = ("first", "last", "none")


def is_header(first: list[list[str]], label) -> bool:
    """Whether the first of ``first`` (the file's first two rows) is a header: a named label
    column needs one, a pandas index column announces one, else its fields tell."""
    return label not in LABEL_POSITIONS or pandas_index(first) or _looks_like_header(first, label)


def pandas_index(rows: list[list[str]]) -> bool:
    """Whether the rows look as ``DataFrame.to_csv`` writes them: an empty first header
    field, then an index counting from 0."""
    return (
        len(rows) > 1
        and bool(rows[0])
        and rows[0][0].strip() == ""
        and bool(rows[1])
        and rows[1][0].strip() == "0"
    )


def _looks_like_header(rows: list[list[str]], label) -> bool:
    """Whether the first of ``rows`` (the file's first two) names the columns: words where
    values go, or, as ``DataFrame.to_csv`` writes numbered columns ("label,0,1,2"), a word
    where the next row has a number for its label, or the columns numbered as pandas
    numbers them (:func:`_numbered`) above a row of as many fields, not all integers."""
    fields = rows[0]
    values = _value_fields(fields, label)
    # a trailing comma ends the header as it ends every row: its empty field names nothing
    # (it read as a missing value, and text labels then left the header undetected)
    named = _value_fields(_trimmed(fields), label)
    if bool(named) and all(not is_number(f) for f in named):
        return True
    if len(rows) > 1 and _numbered(values) and len(rows[1]) == len(fields):
        return not all(f.strip().lstrip("+-").isdigit() for f in _value_fields(rows[1], label))
    if label not in ("first", "last") or len(rows) < 2 or not rows[0] or not rows[1]:
        return False
    at = 0 if label == "first" else -1
    return not is_number(rows[0][at]) and is_number(rows[1][at])


def numeric_row(fields: list[str]) -> bool:
    """Whether every field of a row (empty ones at its end aside) is a number: a row of
    data, not of column names, unless pandas numbered them (:func:`numbered_header`)."""
    named = _trimmed(fields)
    return bool(named) and all(is_number(f) and any(c.isdigit() for c in f) for f in named)


def numbered_header(fields: list[str], label) -> bool:
    """Whether ``fields`` are columns as pandas numbers them, ``0,1,2,3,…`` (its index's
    empty field first, or a label's, aside): a header of numbers."""
    named = _trimmed(fields)
    return any(_numbered(f) for f in (named, named[1:], _value_fields(named, label)))


_NUMBERED = 4  # columns: a short series 0, 1, 2 is more likely data than a header


def _trimmed(fields: list[str]) -> list[str]:
    """``fields`` without the empty fields at their end (a long row's too: it reads its
    last field and drops it, as a list does)."""
    while len(fields) and not fields[-1].strip():
        fields = fields[:-1]
    return fields


def _value_fields(fields: list[str], label) -> list[str]:
    """The fields of a row where the values go, for ``label`` (a position or a name)."""
    return fields[1:] if label == "first" else fields[:-1] if label == "last" else fields


def _numbered(fields: list[str]) -> bool:
    """Whether ``fields`` number columns as pandas numbers a DataFrame's by default:
    ``0 1 2 3 …``, at least :data:`_NUMBERED` of them."""
    count = 0  # field by field, stopped at the first that is not its number: a long row's
    for count, text in enumerate(fields, start=1):  # fields are not all made strings at once
        if text.strip() != str(count - 1):
            return False
    return count >= _NUMBERED
