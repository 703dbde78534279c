"""A long file's time column: each row's time stamp, a number, and the order of a series'
rows by it.

``load_file(path, id="series_id", time="timestamp")`` (:mod:`frnn.data.keyed`) takes each
series' rows in the order of their time stamps, finite numbers.  Only the order counts: a
series' steps are its rows, whatever the spacing of their times, and two rows of one series
at one time are refused, naming them.
"""

from __future__ import annotations

import array

import numpy as np

from .delimited import finite_floats

__all__ = ["TimeColumn"]


class TimeColumn:
    """The time stamps of the rows read so far, in float64."""

    def __init__(self, path: str, name: str) -> None:
        self.path, self.name = path, name
        self.numbers = array.array("d")

    def add(self, texts, rows: list[int]) -> None:
        """Take rows ``rows``' time stamps ``texts`` (B,), else an error naming the first
        row whose time is not a number."""
        values = finite_floats(list(texts))  # (B,)
        if values is not None:
            self.numbers.extend(values.tolist())
            return
        for text, r in zip(texts, rows, strict=True):
            if finite_floats([text]) is None:
                raise ValueError(
                    f"{self.path}: row {r}: the time {text.strip()[:40]!r} (column "
                    f"{self.name!r}) is not a number; time stamps must be numbers (without "
                    "time=, a series' rows are taken in the file's order)"
                )
        raise AssertionError("unreachable: some time is not a number")

    def order(self, codes: np.ndarray, rows: np.ndarray, ids: list[str]) -> np.ndarray:
        """The rows' order (rows,): by series (``codes`` (rows,), the ids' numbers), then by
        time; two rows of one series at one time refused (``rows`` (rows,): the file's row
        numbers, ``ids`` the series' ids, to name them)."""
        times = np.frombuffer(self.numbers, dtype=np.float64)  # (rows,)
        order = np.lexsort((times, codes))  # (rows,)
        codes, times, rows = codes[order], times[order], rows[order]
        same = np.flatnonzero((codes[1:] == codes[:-1]) & (times[1:] == times[:-1]))
        if same.size:
            i = int(same[0])
            first, second = sorted((int(rows[i]), int(rows[i + 1])))
            raise ValueError(
                f"{self.path}: the series {ids[codes[i]]!r} has two rows at time "
                f"{times[i]:g} (rows {first} and {second}); a series has one row a time"
            )
        return order
