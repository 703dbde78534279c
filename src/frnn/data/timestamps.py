"""A long file's time column: each row's time stamp, a number or an ISO 8601 date, and the
order of a series' rows by it.

``load_file(path, id="series_id", time="timestamp")`` (:mod:`frnn.data.keyed`) takes each
series' rows in the order of their time stamps.  A file's time stamps are all of one kind:

- numbers (``0``, ``1.5``, ``20240301``): finite; or
- ISO 8601 dates and date-times, as :meth:`datetime.datetime.fromisoformat` reads them
  (``2024-03-01``, ``2024-03-01 13:00``, ``2024-03-01T13:00:00Z``,
  ``2024-03-01T13:00:00+02:00``), either all with a UTC offset (compared in UTC: 13:00+02:00
  is 11:00Z) or all without (compared as written); to the microsecond.

A row of another kind than the file's first row (a date among numbers, a date with an
offset among dates without) is refused naming both rows, as is a time stamp of neither
kind.  Only the order counts: a series' steps are its rows, whatever the spacing of their
times (a gap of an hour is one step, as is a gap of a second), and two rows of one series
at one time are refused, naming them.  The work is bounded per row: a number is read by
``float``, a date by ``fromisoformat``, of at most 1,000 characters (as values).
"""

from __future__ import annotations

import array
from datetime import UTC, datetime, timedelta

import numpy as np

from .rowvalues import _MAX_FIELD, finite_floats

__all__ = ["TimeColumn"]

_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=UTC)
_TICK = timedelta(microseconds=1)  # a date's unit: fromisoformat's resolution
#: The kinds of time stamps, in words.
_KINDS = {
    "number": "a number",
    "local": "a date without a UTC offset",
    "utc": "a date with a UTC offset",
}


class TimeColumn:
    """The time stamps of the rows read so far, all of one kind (the first row's): numbers
    in float64, or dates as int64 microseconds since 1970-01-01 (in UTC for dates with an
    offset), 8 bytes a row either way."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name
        self.kind, self.first = None, None  # the file's kind and the (row, text) that set it
        self.numbers, self.ticks = array.array("d"), array.array("q")

    def add(self, texts, rows: list[int]) -> None:
        """Take rows ``rows``' time stamps ``texts`` (B,): a batch of numbers at once, else
        each row's read, one of another kind than the file's refused naming its row."""
        if self.kind in (None, "number"):
            values = finite_floats(list(texts))  # (B,)
            if values is not None:
                self.first = self.first or (rows[0], texts[0])
                self.kind = "number"
                self.numbers.extend(values.tolist())
                return
        read = []
        for text, r in zip(texts, rows, strict=True):
            kind, value = _read(text)
            if kind != self.kind or kind is None:  # the first row's too: neither is refused
                self._other(kind, text, r)
            read.append(value)
        (self.numbers if self.kind == "number" else self.ticks).extend(read)

    def _other(self, kind: str | None, text: str, r: int) -> None:
        """Set the file's kind at its first row; refuse a time stamp of another kind."""
        where = f"{self.path}: row {r}: the time {text.strip()[:40]!r} (column {self.name!r})"
        if kind is None:
            raise ValueError(
                f"{where} is neither a number nor an ISO 8601 date (such as 2024-03-01, "
                "2024-03-01 13:00 or 2024-03-01T13:00:00Z); without time=, a series' rows "
                "are taken in the file's order"
            )
        if self.kind is not None:
            row, first = self.first
            raise ValueError(
                f"{where} is {_KINDS[kind]}, but row {row}'s ({first.strip()[:40]!r}) is "
                f"{_KINDS[self.kind]}; a file's time stamps are all numbers, all dates with a "
                "UTC offset or all dates without"
            )
        self.kind, self.first = kind, (r, text)

    def order(self, codes: np.ndarray, rows: np.ndarray, ids: list[str]) -> np.ndarray:
        """The rows' order (rows,): by series (``codes`` (rows,), the ids' numbers), then by
        time; two rows of one series at one time refused (``rows`` (rows,): the file's row
        numbers, ``ids`` the series' ids, to name them)."""
        dtype = np.float64 if self.kind == "number" else np.int64
        times = np.frombuffer(self.numbers if dtype is np.float64 else self.ticks, dtype=dtype)
        order = np.lexsort((times, codes))  # (rows,)
        codes, times, rows = codes[order], times[order], rows[order]
        same = np.flatnonzero((codes[1:] == codes[:-1]) & (times[1:] == times[:-1]))
        if same.size:
            i = int(same[0])
            first, second = sorted((int(rows[i]), int(rows[i + 1])))
            raise ValueError(
                f"{self.path}: the series {ids[codes[i]]!r} has two rows at time "
                f"{self._text(times[i])} (rows {first} and {second}); a series has one row a "
                f"time{self._coarse(times[i])}"
            )
        return order

    def _coarse(self, value) -> str:
        """Why two numbers written apart may be one time: beyond 2^53 float64 holds them
        to steps of 2 or more (nanoseconds since 1970, 1.7e18, to steps of 256)."""
        if self.kind != "number" or abs(value) < 2.0**53:
            return ""
        return (
            f" (numbers beyond 2^53 are read as float64, which holds them to steps of "
            f"{np.spacing(abs(value)):g} there, so times written apart by less are one: "
            "write them in a coarser unit, such as microseconds, or as ISO 8601 dates)"
        )

    def _text(self, value) -> str:
        """A time stamp as the messages show it: a number, or an ISO 8601 date (in UTC, with
        a Z, for dates with an offset), to its last unit that is not zero."""
        if self.kind == "number":  # 20240301 as written, not 2.02403e+07
            return f"{value:.15g}"
        stamp = np.datetime64(int(value), "us")  # numpy's dates reach beyond 1 and 9999
        zone = "UTC" if self.kind == "utc" else "naive"
        return np.datetime_as_string(stamp, unit="auto", timezone=zone)


def _read(text: str) -> tuple[str | None, float | int | None]:
    """A time stamp's kind (a key of :data:`_KINDS`, None: neither) and its value: the
    number, or the date in microseconds since 1970-01-01 (UTC where it has an offset)."""
    text = text.strip()
    if len(text) > _MAX_FIELD:  # bounded work (as for values): no number or date is this long
        return None, None
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return ("number", number) if np.isfinite(number) else (None, None)
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None, None
    if stamp.tzinfo is None:
        return "local", (stamp - _EPOCH) // _TICK
    return "utc", (stamp - _EPOCH_UTC) // _TICK
