"""Where a file read with an id column (:mod:`frnn.data.keyed`) has its id, time and label
columns, the value columns between them, and a value named by its column.

The header's names locate ``id``, ``time`` and ``label`` (a name, or for the label the
position ``"first"`` or ``"last"`` among the columns other than the id and time); every
other column holds values: a long file's channels, or a wide row's steps.  A row's keys are
taken off it (off its ends, for a long row read a piece at a time), and a bad value is
named by its row, its column number in the file and its header name.
"""

from __future__ import annotations

import numpy as np

from .delimited import _label_column
from .keycolumns import refuse_time_columns
from .longrows import LongRow
from .rowvalues import _numbers, is_number

__all__ = ["KeyLayout"]


def _find(path: str, key: str, name, names: list[str]) -> int:
    """The index of the header column ``name`` (for the argument ``key``), else an error."""
    if not isinstance(name, str):
        raise ValueError(f"{key} must be a header column's name; got {name!r}")
    if name not in names:
        if all(is_number(n) for n in names):
            raise ValueError(
                f"{path}: {key}={name!r} names a header column, but the first row holds "
                "numbers, not column names; a file with an id column needs its header"
            )
        raise ValueError(f"{path}: no column named {name!r}; the header names {names[:10]}")
    return names.index(name)


class KeyLayout:
    """Where the id, time and label columns are, and the value columns between them."""

    def __init__(self, path: str, names: list[str], id, time, label, indexed: bool) -> None:
        self.path, self.names = path, [n.strip() for n in names]
        self.id_at = _find(path, "id", id, self.names)
        self.time_at = None if time in (None, "none") else _find(path, "time", time, self.names)
        if time is None:  # a time stamp read as a channel: the series' order lost silently
            refuse_time_columns(path, self.names, label)
        if self.time_at == self.id_at:
            raise ValueError(f"{path}: id and time name the same column {id!r}")
        keys = {self.id_at, self.time_at} - {None}
        others = [i for i in range(len(self.names)) if i not in keys]
        self.label_at = self._label(label, others)
        if self.label_at in keys:
            raise ValueError(f"{path}: label={label!r} names the id or time column")
        self.keys = sorted(keys | ({self.label_at} - {None}))  # the columns not values
        self.values_at = [i for i in range(len(self.names)) if i not in self.keys]
        self.front = 0  # how many key columns are the first ones: 0, 1, …
        while self.front < len(self.keys) and self.keys[self.front] == self.front:
            self.front += 1
        self.first = 1 + indexed  # the file's column number of column 0
        self.hint = label in ("first", "none")  # text among values: perhaps the labels

    def _label(self, label, others: list[int]) -> int | None:
        if label == "none":
            return None
        if label in ("first", "last"):
            if not others:
                raise ValueError(f"{self.path}: no column besides the id and time for labels")
            return others[0] if label == "first" else others[-1]
        return _label_column(self.path, label, self.names)

    def take(self, r: int, fields):
        """Row ``r``'s id, time and label fields (None where not given) and its value
        fields (a list, or a long row's :class:`LongRow` when the keys are at its ends)."""
        if len(fields) <= self.keys[-1]:
            raise ValueError(
                f"{self.path}: row {r} has {len(fields)} field(s), but the header names "
                f"{len(self.names)} columns"
            )
        if isinstance(fields, LongRow) and not self._at_ends(len(fields)):
            fields = list(fields)  # a key inside a long row: split whole
        taken = {}
        if isinstance(fields, LongRow):  # its first fields, then its last, off its ends
            for k in reversed(self.keys[self.front :]):
                taken[k] = fields.pop(-1)
            for k in self.keys[: self.front]:
                taken[k] = fields.pop(0)
        else:
            for k in reversed(self.keys):  # from the end: the others keep their places
                taken[k] = fields.pop(k)
        time = None if self.time_at is None else taken[self.time_at]
        label = None if self.label_at is None else taken[self.label_at].strip()
        return taken[self.id_at].strip(), time, label, fields

    def key_columns(self) -> tuple:
        """The indices of the id, time and label columns (None where not given)."""
        return self.id_at, self.time_at, self.label_at

    def values_of(self, fields: list[str]) -> list[str]:
        """The value fields of a row of the header's width."""
        return [fields[at] for at in self.values_at]

    def _at_ends(self, count: int) -> bool:
        """Whether the key columns not among the row's first (:attr:`front`) are its last
        ones: a long row takes fields off its ends only."""
        back = self.keys[self.front :]
        return back == list(range(count - len(back), count))

    def column(self, k: int) -> tuple[int, str | None]:
        """Value ``k``'s column number in the file (from 1) and its header name (None
        beyond the header)."""
        if k < len(self.values_at):
            at = self.values_at[k]
            return at + self.first, self.names[at]
        return len(self.names) + k - len(self.values_at) + self.first, None

    def values(self, r: int, fields: list[str]) -> np.ndarray:
        """Row ``r``'s values (T_i,), NaN where missing, field by field: the first that is
        not a number named by its column."""
        out = np.empty(len(fields))  # (T_i,)
        for k, text in enumerate(fields):
            column, name = self.column(k)
            if not is_number(text):
                hint = (
                    f" (are the labels in column {name!r}? pass label={name!r})"
                    if self.hint and name
                    else ""
                )
                where = f"column {column}" + (f" ({name!r})" if name else "")
                raise ValueError(
                    f"{self.path}: row {r}, {where}: expected a number, got "
                    f"{text.strip()[:40]!r}{hint}"
                )
            out[k] = _numbers([text], r, self.path, column, "")[0]  # NaN, or named
        return out

    def missing(self, r: int, k: int) -> None:
        """Refuse row ``r``'s missing value ``k`` in a long file, naming its column."""
        column, name = self.column(k)
        raise ValueError(
            f"{self.path}: row {r}, column {column} ({name!r}): a missing value; fill it "
            "(e.g. interpolate) or remove the row"
        )

    def check_channels(self) -> None:
        """Refuse a long file's header without value columns, or with one without a name."""
        if not self.values_at:
            raise ValueError(
                f"{self.path}: no value columns: the header names only the id, time and "
                "label columns"
            )
        unnamed = [at for at in self.values_at if not self.names[at]]
        if unnamed:  # a channel without a name: most likely an index pandas wrote
            raise ValueError(
                f"{self.path}: column {unnamed[0] + self.first} has no name in the "
                "header, and would be read as a channel (an index, as DataFrame.to_csv "
                "writes one? write the file with index=False, or name the column)"
            )
