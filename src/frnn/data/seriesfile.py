"""One long series in a delimited file: one row per time step, one column per channel, and
perhaps a column of time stamps, as a meter, a logger or ``DataFrame.to_csv`` writes it.

    time,load,temperature
    2024-03-01T00:00,512.3,4.1
    2024-03-01T01:00,498.0,3.8
    ...

The file is split as :mod:`frnn.data.delimited` splits every text file (commas, semicolons
with decimal commas, tabs, whitespace; compressed; UTF-8 or UTF-16), its header row
declared or detected (:mod:`frnn.data.headers`), pandas' index column dropped.  The time
column is the one ``time`` names, or else found: a column whose first value is an ISO 8601
date, or a header column named as time stamps are (:data:`~frnn.data.keycolumns.TIME_NAMES`).
Its stamps (numbers or dates, :class:`~frnn.data.timestamps.TimeColumn`) must increase
row by row: the rows are the series' steps in the file's order (:meth:`SeriesFile.skips`
finds whole steps missing).  Every other column is a channel, or those ``columns`` names
(the others are not read); a missing value (an empty field, ``?``, ``NaN``) is NaN, for
the caller to refuse where it reads it (a gap far back does not stop a forecast from the
last values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .._npz import max_bytes
from .compressed import split_suffix
from .delimited import table
from .keycolumns import TIME_NAMES
from .rowvalues import _MAX_FIELD, _thousands_hint, finite_floats
from .timestamps import TimeColumn, _read

__all__ = ["SeriesFile", "read_series_file"]

_MISSING = {"", "?", "nan", "na", "null"}


@dataclass(frozen=True)
class SeriesFile:
    """A long series as a file holds it.

    Attributes
    ----------
    values : (T, D) float64 array
        The channels, oldest step first, NaN where a value is missing.
    names : list of str (D,)
        Each channel's header name, or ``column N`` (N its column in the file, from 1)
        without a header row.
    columns : list of int (D,)
        Each channel's column in the file, from 1 (pandas' index column not counted).
    rows : (T,) int array
        Each step's row in the file, from 1 (the header row counted), for messages.
    header : bool
        Whether the file has a header row.
    time : str or None
        The time column's name (``column N`` without a header), None without one.
    times : (T,) float64 or int64 array, or None
        The time stamps: numbers, or dates as microseconds since 1970-01-01 (UTC for dates
        with an offset).
    time_kind : "number", "local", "utc" or None
    """

    values: np.ndarray
    names: list
    columns: list
    rows: np.ndarray
    header: bool
    time: str | None = None
    times: np.ndarray | None = None
    time_kind: str | None = None

    def columns_said(self) -> str:
        """The file's columns of values as a message says them (:func:`_columns_said`)."""
        width = len(self.columns) + (self.time is not None)
        labels = [self.time] * width  # the one column left unfilled is the time column's
        for name, column in zip(self.names, self.columns, strict=True):
            labels[column - 1] = name
        at = None if self.time is None else (set(range(width)) - {c - 1 for c in self.columns})
        return _columns_said(labels, None if at is None else at.pop())

    def step(self):
        """The regular interval between time stamps (a number, or microseconds), or None
        where there is no time column, one step only, or the intervals differ."""
        if self.times is None or len(self.times) < 2:
            return None
        gaps = np.diff(self.times)
        return gaps[0].item() if np.all(gaps == gaps[0]) else None

    def skips(self):
        """Where whole steps are missing: the usual interval (the most common, at least
        half of them) and the positions i (k,) with times[i + 1] − times[i] a multiple of
        it above one; None where the stamps are regular, absent or irregular otherwise
        (an interval that is no multiple of the usual one)."""
        if self.times is None or len(self.times) < 3 or self.step() is not None:
            return None
        gaps = np.diff(self.times)
        steps, counts = np.unique(gaps, return_counts=True)
        usual = steps[np.argmax(counts)]
        ratio = gaps / usual
        if 2 * counts.max() < len(gaps) or np.any(np.abs(ratio - np.round(ratio)) > 1e-9):
            return None
        return usual.item(), np.flatnonzero(gaps > usual)

    def calendar(self):
        """Where the steps missing repeat every p rows, a calendar of the file's own
        (business days: p = 5, intervals of 1, 1, 1, 1 and 3 days; opening hours): (p, the
        intervals of the next p rows after the last, in order, or None); None where
        ``skips`` finds none, or they follow no period.

        A period: the smallest p in [2, ``CALENDAR_ROWS``] with at least 90% of the last
        ``CALENDAR_SPAN`` intervals, and 90% of those that skip steps (three at least),
        equal to the one p rows before (a holiday breaks a calendar for a row or two, and
        shifts its phase), over three periods at least.  The next intervals are the last
        p again, where those repeat the p before them (no holiday among the last 2p rows
        to shift the phase); None otherwise.
        """
        skips = self.skips()
        if skips is None:
            return None
        usual = skips[0]
        gaps = np.round(np.diff(self.times)[-CALENDAR_SPAN:] / usual).astype(np.int64)
        n, big = len(gaps), np.flatnonzero(gaps > 1)  # the steps missing: three at least
        for p in range(2, min(CALENDAR_ROWS, n // 3) + 1) if len(big) >= 3 else ():
            later = big[big >= p]  # and most of them p rows after another
            recur = len(later) >= 2 and np.mean(gaps[later - p] == gaps[later]) >= 0.9
            if recur and np.mean(gaps[p:] == gaps[:-p]) >= 0.9:
                last = gaps[n - p :]
                same = np.array_equal(last, gaps[n - 2 * p : n - p])
                return p, [int(m) * usual for m in last] if same else None
        return None


# The longest calendar (rows a period) that ``SeriesFile.calendar`` looks for, and the
# intervals it reads: a week of opening hours fits, and a million-row file costs
# milliseconds.
CALENDAR_ROWS, CALENDAR_SPAN = 24 * 7, 20_000


def read_series_file(path: str, *, header=None, time=None, columns=None, limit=None) -> SeriesFile:
    """Read one long series from a delimited file.

    Parameters
    ----------
    path : str
    header : bool or None
        Whether the first row is a header (None: detected).
    time : str or None
        The time column's header name; "none": no time column, whatever the header names;
        None: found (a column of ISO 8601 dates, or one named as time stamps are).
    columns : sequence of str or int, callable, or None
        The channels, in this order: header names, or column numbers from 1 (``column N``
        in a file without a header row); the other columns are not read (they may hold
        anything). A callable is given the columns' labels and whether the file has a
        header row, and returns such a sequence or None. None: every column but the time
        column.
    limit : int or None
        The most bytes the file may hold (:func:`frnn._npz.max_bytes`).

    Returns
    -------
    SeriesFile

    Raises
    ------
    ValueError
        An empty file, a row of another number of fields than the first, a value that is
        not a number, a ``time`` or a column of ``columns`` that names no column (or the
        time column, or one twice), time stamps that do not increase.
    """
    with table(path, label="none", header=header, budget=max_bytes(limit)) as (names, rows):
        numbered, fields, ends = [], [], []
        for r, row in rows:
            numbered.append(r)
            fields.append([f.strip() for f in row])
            ends.append(r + sum(f.count("\n") for f in row))  # a quoted field's lines
        has_header = names is not None
    if not fields:
        raise ValueError(f"{path}: no rows of values; expected one row per time step")
    width = _width(path, names, fields, numbered)
    labels = [n.strip() for n in names] if has_header else [f"column {c + 1}" for c in range(width)]
    at = _time_column(path, labels, fields[0], time, has_header)
    if at is None:  # no time stamps: a blank line among the rows is a step's missing value
        numbered, fields = _blank_steps(numbered, fields, ends, width)
    if callable(columns):
        columns = columns(labels, has_header)
    channels = [c for c in range(width) if c != at] if columns is None else None
    if columns is not None:
        channels = _chosen(path, labels, at, columns)
    if not channels:
        raise ValueError(f"{path}: only a time column; expected a column of values besides it")
    rows_ = np.asarray(numbered)
    named = labels[at] if at is not None and time not in (None, "none") else None
    values = np.column_stack(
        [_column(path, [f[c] for f in fields], rows_, c + 1, labels[c], named) for c in channels]
    )  # (T, D)
    times = kind = None
    if at is not None:
        times, kind = _times(path, labels[at], [f[at] for f in fields], rows_)
    return SeriesFile(
        values=values,
        names=[labels[c] for c in channels],
        columns=[c + 1 for c in channels],
        rows=rows_,
        header=has_header,
        time=None if at is None else labels[at],
        times=times,
        time_kind=kind,
    )


def _width(path: str, names, fields: list, numbered: list) -> int:
    """The number of columns: the header's (or the first row's); a row of more refused, a
    shorter one padded with missing values (a trailing empty field dropped by a writer)."""
    width = len(names) if names is not None else len(fields[0])
    for r, row in zip(numbered, fields, strict=True):
        if len(row) > width:
            raise ValueError(
                f"{path}: row {r} has {len(row)} fields, but the "
                f"{'header' if names is not None else 'first row'} has {width}; one row per "
                "time step, one column per channel"
            )
        row.extend([""] * (width - len(row)))
    return width


def _blank_steps(numbered: list, fields: list, ends: list, width: int) -> tuple[list, list]:
    """The rows with a row of missing values for each blank line between two of them.

    Without a time column a row's place is its step, and a spreadsheet writes a one-column
    series' empty cell as a blank line: skipped, it would join the steps either side and
    shift every later value by one, silently.  Read as missing, it is refused where a
    window reads it, named by its line.  (With a time column the stamps place each row,
    and a blank line is no step: a missing step is told from the stamps.)  ``ends``: the
    line each row ends on (a quoted field may span lines).
    """
    if not np.any(np.subtract(numbered[1:], ends[:-1]) > 1):
        return numbered, fields  # no blank line between rows (most files): as read
    rows, out = [numbered[0]], [fields[0]]
    for end, r, row in zip(ends[:-1], numbered[1:], fields[1:], strict=True):
        for blank in range(end + 1, r):
            rows.append(blank)
            out.append([""] * width)
        rows.append(r)
        out.append(row)
    return rows, out


def _chosen(path: str, labels: list, at, columns) -> list[int]:
    """The positions of ``columns`` (header names, or numbers from 1) among ``labels``."""
    chosen = []
    for column in columns:
        text = str(column).strip()
        if text in labels:
            c = labels.index(text)
        elif text.isdigit() and 1 <= int(text) <= len(labels):
            c = int(text) - 1
        else:
            raise ValueError(f"{path}: no column {text!r}; {_columns_said(labels, at)}")
        if c == at:
            raise ValueError(f"{path}: {text!r} is the time column, not a column of values")
        if c in chosen:
            raise ValueError(f"{path}: the column {labels[c]!r} is chosen twice")
        chosen.append(c)
    return chosen


def _columns_said(labels: list, at) -> str:
    """The file's columns of values as a message says them: their names and numbers (from
    1), or, in a file without a header (``labels`` "column N"), how many and their range."""
    numbers = [i + 1 for i in range(len(labels)) if i != at]
    if all(name == f"column {i + 1}" for i, name in enumerate(labels)):
        time = f", column {at + 1} the time column" if at is not None else ""
        return (
            f"the file has {len(labels)} columns (1..{len(labels)}{time}) and no header row: "
            f"name a column of values by its number, {_numbers_said(numbers)}"
        )
    names = [labels[n - 1] for n in numbers]
    more = " ..." if len(names) > 10 else ""
    return (
        f"the file's columns of values are {', '.join(names[:10])}{more} (columns "
        f"{_numbers_said(numbers)})"
    )


def _numbers_said(numbers: list[int]) -> str:
    """Column numbers, a run of them as ``first..last``."""
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{numbers[0]}..{numbers[-1]}"
    return ", ".join(map(str, numbers[:10])) + (" ..." if len(numbers) > 10 else "")


def _time_column(path: str, labels: list, first: list, time, has_header: bool) -> int | None:
    """The time column's position: the one ``time`` names, else a column of dates or one
    named as time stamps are (None: none)."""
    if time == "none":
        return None
    if time is not None:
        if not has_header:
            raise ValueError(
                f"{path}: --time {time!r} names a header column, but the file has no header row"
            )
        if time not in labels:
            raise ValueError(f"{path}: no column named {time!r}; the header names {labels[:10]}")
        return labels.index(time)
    for c, text in enumerate(first):
        if _read(text)[0] in ("local", "utc"):  # a date, not a number
            return c
    named = [c for c, name in enumerate(labels) if has_header and name.lower() in TIME_NAMES]
    return named[0] if named else None


def _column(
    path: str, texts: list, rows: np.ndarray, column: int, label: str, time=None
) -> np.ndarray:
    """A channel's values (T,), NaN where missing; a field that is not a number named by its
    row and column (its number from 1 and ``label``, its header name or "column N");
    ``time``: the time column's name where ``time=`` named it (a date among the values may
    be the time column the user meant)."""
    values = finite_floats(texts)  # (T,) at once, in C, where every value is a number
    if values is not None:
        return values
    values = np.empty(len(texts))
    for i, text in enumerate(texts):
        if text.lower() in _MISSING:
            values[i] = np.nan
            continue
        try:
            if len(text) > _MAX_FIELD:  # bounded work: no number is this long
                raise ValueError(text)
            values[i] = float(text)
        except ValueError:
            named = "" if label == f"column {column}" else f" ({label!r})"
            raise ValueError(
                f"{path}: row {rows[i]}, column {column}{named}: expected a number, got "
                f"{text[:40]!r}{_hint(path, text, time)}"
            ) from None
        if not np.isfinite(values[i]):
            values[i] = np.nan  # inf is no measurement either: refused where it is read
    return values


_DATE_LIKE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{1,2}:\d\d")


def _hint(path: str, text: str, time=None) -> str:
    """What a field that is no number may be: a row a .txt file's whitespace did not split,
    or a date or time of day that is not the time column (not ISO 8601, or a second one;
    or the time column itself, where ``time``, the column ``time=`` named, is another)."""
    grouped = _thousands_hint(text)
    if grouped:
        return grouped
    if split_suffix(path)[0] == ".txt" and any(c in text for c in ",;"):
        return (
            " (a .txt file is split at whitespace: name it .csv to split it at commas or "
            "semicolons)"
        )
    if _DATE_LIKE.match(text) and time is not None:
        return f" (dates: the time column? time={time!r} names another)"
    if _DATE_LIKE.match(text):
        return (
            " (a date or a time of day? a time column is one column of numbers or of ISO "
            "8601 dates such as 2024-03-01T13:00: write it so, joining a date column and a "
            "time column into one)"
        )
    if any(c.isalpha() for c in text):
        return " (a column of text? name the columns of values to read: frnn train --inputs)"
    return ""


def _times(path: str, name: str, texts: list, rows: np.ndarray):
    """The time stamps (T,) and their kind; stamps that do not increase refused."""
    if any(not text for text in texts):
        r = rows[[not text for text in texts].index(True)]
        raise ValueError(f"{path}: row {r}: the time (column {name!r}) is missing")
    column = TimeColumn(path, name)
    column.add(texts, rows.tolist())
    if column.kind == "number":
        times = np.frombuffer(column.numbers, dtype=np.float64).copy()
    else:
        times = np.frombuffer(column.ticks, dtype=np.int64).copy()
    back = np.flatnonzero(np.diff(times) <= 0)
    if back.size:
        i = int(back[0])
        raise ValueError(
            f"{path}: row {rows[i + 1]}'s time {texts[i + 1]!r} is not after row {rows[i]}'s "
            f"({texts[i]!r}); the rows of a series are its steps in time order (sort the "
            "file by its time column)"
        )
    return times, column.kind
