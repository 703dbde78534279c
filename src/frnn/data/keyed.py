"""Delimited files with an id column: one row per time step (long format), or one series per row.

``load_file(path, id="series_id", time="timestamp", label="label")`` reads a delimited file
whose header names, in its column ``id``, the series each row belongs to:

- **Long format** (one row per time step), where an id is on more than one row, or
  ``time`` is given: the series come in the order their ids first appear; a series' rows
  need not be next to each other in the file, and are taken in the order of their ``time``
  column (numbers, or ISO 8601 dates such as ``2024-03-01T13:00:00Z``: one kind a file,
  :mod:`frnn.data.timestamps`; two rows of one series at one time are refused, naming
  them), else in the file's order: the steps are the rows, whatever the times' spacing.
  Every column other than the id, the time and the label is a channel, in the header's
  order (D of them), and every row has a value in each, read as the other
  readers read values (:func:`frnn.data.delimited.row_values`: a missing value is refused
  naming its row and column).  The label is the same on every row of a series
  (:class:`LabelChanges` otherwise).  Series of different lengths are zero-padded, with
  their lengths.
  Without ``time``, several value columns where most ids are on one row are refused,
  naming the repeated id: a file of one series per row with an id repeated by mistake,
  whose series would be read as single steps of T channels.
- **One series per row** (wide), where every id is on one row: the id column is dropped and
  the rest read as without an id (trailing empty or NaN fields pad a shorter series).

A file whose every id is on one row is read as one series per row: with a single value
column both readings are the same (series of one step); with several, they are a series'
steps, not the channels of one step.  ``time`` beside such a file is refused (every series
would be a single step).  The label positions ``"first"`` and ``"last"`` count the columns
other than the id and time: ``id,label,t0,t1,…`` is the UCR layout with an id in front.

Rows are read in batches of :data:`_BATCH`: a column at a time where every row has the
header's width (a long file), row by row otherwise.  Memory: the values in float64 (8 bytes
each), 40 bytes of bookkeeping a row (its id's number, time, row number and field counts)
and each id's text and label once, counted against the budget as the rows come
(:func:`frnn._npz.max_bytes`): a long file of one value a row takes some 50 bytes a row,
not the ~180 of an array a row.
"""

from __future__ import annotations

import array
import sys

import numpy as np

from .._npz import max_bytes
from .delimited import table
from .keylayout import KeyLayout
from .labels import as_labels
from .longrows import LongRow
from .readers import split_from_series
from .rowvalues import finite_floats, row_values, trim_padding
from .series import Series
from .timestamps import TimeColumn

__all__ = ["LabelChanges", "read_keyed"]

# Rows read at once (by columns, their values converted in one call). Under the cyclic
# GC's threshold of 700 new objects: a batch of 4,096 rows (lists) kept alive set off its
# collections, and read 1 M rows 1.5x slower.
_BATCH = 512
_ROW_BYTES = 40  # a row's bookkeeping: 5 numbers of 8 bytes
_ID_BYTES = 100  # an id's own cost beyond its text and label: dict and list slots


class LabelChanges(ValueError):
    """A long file's label column changes within a series: it does not hold the labels
    (``frnn predict --label auto`` then reads the file as unlabelled)."""


def read_keyed(
    path: str, *, id: str, time=None, label="first", header=None, limit=None, text_labels=False
) -> Series:
    """Read a delimited file with an id column (see the module's note): long or wide.

    Parameters
    ----------
    path : str
    id : str, the name of the header column of series ids
    time : str, None or "none": the name of the header column of time stamps (numbers or
        ISO 8601 dates, :mod:`frnn.data.timestamps`) in the long format; None: none, and
        a column named as time stamps are is refused
        (:func:`frnn.data.keycolumns.refuse_time_columns`); "none": none, whatever the
        header names
    label : "first", "last" (of the columns other than id and time), "none" or a column name
    header : None or True (a header row is required); False is refused
    limit : int or None, the most bytes the file and what is read from it may take
        (:func:`frnn._npz.max_bytes`)
    text_labels : bool, keep every label as its text (:func:`frnn.data.labels.as_labels`)

    Returns
    -------
    Series
        X (n, T, D) zero-padded, y (n,) (empty for ``label="none"``), lengths (n,), and
        ``ids`` (n,): each series' id as written.
    """
    if header is False:
        raise ValueError(
            f"{path}: id={id!r} names a header column, but the file is read without a header "
            "row (header=False); a file with an id column needs its header"
        )
    budget = max_bytes(limit)
    # header=True is the id column's need, not the user's word: no warning of numbers
    with table(path, label="none", header=True, budget=budget, declared=False) as (names, rows):
        store = _Store(path, KeyLayout(path, names, id, time, label, rows.indexed), budget)
        for r, fields in rows:
            store.add(r, fields)
    return store.series(text_labels)


class _Store:
    """The rows read so far: values in float64 blocks, each row's id number, time, row
    number and counts; each id's text, label and first row once."""

    def __init__(self, path: str, layout: KeyLayout, budget: int) -> None:
        self.path, self.layout, self.budget, self.bytes = path, layout, budget, 0
        self.codes: dict[str, int] = {}  # id -> its number, in order of first appearance
        self.ids, self.labels, self.first_rows = [], [], []
        self.row_codes, self.rows = array.array("q"), array.array("q")
        self.fields, self.counts = array.array("q"), array.array("q")  # fields, values
        at = layout.time_at
        self.times = None if at is None else TimeColumn(path, layout.names[at])
        self.blocks, self.pending = [], []

    def add(self, r: int, fields) -> None:
        """Take row ``r``'s fields (a list or a :class:`LongRow`), read in batches."""
        if isinstance(fields, LongRow):  # a long line: read at once, a piece at a time
            self.flush()
            key, time, label, fields = self.layout.take(r, fields)
            labels = None if label is None else [label]
            self._register([r], [key], None if time is None else [time], labels)
            self.fields.append(len(fields))
            start = self.layout.front + self.layout.first  # the column of its first value
            values = row_values(fields, r, self.path, start, "")
            self.counts.append(len(values))
            self._block(values, 1)
            return
        self.pending.append((r, fields))
        if len(self.pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Read the pending rows: by columns where every row has the header's fields (a
        long file's rows), else row by row; their values converted to floats at once when
        they are all numbers, else row by row, a bad field named by its row and column."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        rows = [r for r, _ in batch]
        layout, width = self.layout, len(self.layout.names)
        if all(len(fields) == width for _, fields in batch):
            lines = [fields for _, fields in batch]  # a column at a time: no tuple a row
            keys = [None if at is None else [f[at] for f in lines] for at in layout.key_columns()]
            self._register(rows, *keys)
            values = finite_floats([f[at] for at in layout.values_at for f in lines])
            if values is not None:  # (D·B,) by column: the rows' values, by row
                values = values.reshape(len(layout.values_at), len(batch)).T.ravel()
                self.fields.extend([len(layout.values_at)] * len(batch))
                self.counts.extend([len(layout.values_at)] * len(batch))
                self._block(values, len(batch))
                return
            taken = [layout.values_of(fields) for _, fields in batch]
        else:
            ids, times, labels, taken = zip(*(layout.take(r, f) for r, f in batch), strict=True)
            times = None if layout.time_at is None else times
            self._register(rows, ids, times, None if layout.label_at is None else labels)
        self.fields.extend(map(len, taken))
        for fields in taken:
            trim_padding(fields)
        self.counts.extend(map(len, taken))
        values = finite_floats([text for fields in taken for text in fields])
        if values is None:
            pairs = zip(rows, taken, strict=True)
            values = np.concatenate([layout.values(r, fields) for r, fields in pairs])
        self._block(values, len(batch))

    def _register(self, rows: list[int], ids, times, labels) -> None:
        """Count rows ``rows``' ids (each a new series or one seen), their times (or
        None) and their labels (or None, each stripped where given)."""
        ids = [key.strip() for key in ids]
        if "" in ids:
            name = self.layout.names[self.layout.id_at]
            r = rows[ids.index("")]
            raise ValueError(f"{self.path}: row {r}: the id (column {name!r}) is missing")
        labels = [None] * len(ids) if labels is None else [label.strip() for label in labels]
        get = self.codes.get
        codes = [get(key) for key in ids]
        for j, code in enumerate(codes):
            if code is None:  # a new id, or one new in this batch
                code = codes[j] = self.codes.get(ids[j])
            if code is None:
                code = codes[j] = self.codes[ids[j]] = len(self.ids)
                self.ids.append(ids[j])
                self.labels.append(labels[j])
                self.first_rows.append(rows[j])
                label_bytes = sys.getsizeof(labels[j]) if labels[j] is not None else 0
                self._count(sys.getsizeof(ids[j]) + _ID_BYTES + label_bytes)
        known = self.labels
        for j, (code, label) in enumerate(zip(codes, labels, strict=True)):
            if label != known[code]:
                self._changes(ids[j], code, label, rows[j])
        self.row_codes.extend(codes)
        self.rows.extend(rows)
        if times is not None:
            self.times.add(times, rows)

    def _block(self, values: np.ndarray, rows: int) -> None:
        self.blocks.append(values)
        self._count(values.nbytes + rows * _ROW_BYTES)

    def _count(self, nbytes: int) -> None:
        self.bytes += nbytes
        if self.bytes > self.budget:
            raise ValueError(
                f"{self.path}: the {len(self.rows):,} rows of {len(self.ids):,} ids read so far "
                f"take {self.bytes:,} bytes in memory (8 a value, {_ROW_BYTES} a row, each id "
                f"and its label), over the limit of {self.budget:,} bytes (raise it with "
                "FRNN_MAX_FILE_BYTES)"
            )

    def _changes(self, key: str, code: int, label, r: int) -> None:
        name = self.layout.names[self.layout.label_at]
        raise LabelChanges(
            f"{self.path}: the label column {name!r} changes within the series {key!r} "
            f"({self.labels[code]!r} in row {self.first_rows[code]}, {label!r} in row {r}); "
            "a series has one label (are the labels in another column? name it with "
            "label='COLUMN')"
        )

    def series(self, text_labels: bool) -> Series:
        """The series read: long when an id is on several rows or a time column is given,
        else one series per row."""
        self.flush()
        if not self.rows:
            raise ValueError(f"{self.path}: only a header row; expected rows of series")
        values = np.concatenate(self.blocks)  # (Σ T_i,)
        counts = np.frombuffer(self.counts, dtype=np.int64)  # (rows,)
        long = len(self.ids) < len(self.rows)
        if self.layout.time_at is not None and not long:
            raise ValueError(
                f"{self.path}: time={self.layout.names[self.layout.time_at]!r}, but every id "
                "is on one row: each series would be a single step; a file of one series "
                "per row is read without time="
            )
        if long and self.layout.time_at is None:
            self._check_repeated_ids()
        series = self._long(values, counts) if long else self._wide(values, counts)
        y = np.zeros(0)
        if self.layout.label_at is not None:
            y = as_labels(self.labels, self.path, text=text_labels, rows=self.first_rows)
        split = split_from_series(series, y, self.path, self.budget)
        return Series(split.X, split.y, split.lengths, np.array(self.ids, dtype=str))

    def _check_repeated_ids(self) -> None:
        """Refuse a file of one series per row whose id column repeats an id by mistake:
        the repeat made the file long, and its series steps of D > 1 channels, most of them
        a single step, read silently (a model of T channels that could not predict)."""
        codes = np.frombuffer(self.row_codes, dtype=np.int64)  # (rows,)
        per_id = np.bincount(codes, minlength=len(self.ids))  # (n,) rows of each id
        single = int((per_id == 1).sum())
        if len(self.layout.values_at) < 2 or 2 * single <= len(self.ids):
            return  # one value column reads alike either way; most series several steps
        code = int(np.flatnonzero(per_id > 1)[0])
        rows = np.frombuffer(self.rows, dtype=np.int64)[codes == code][:2]
        raise ValueError(
            f"{self.path}: the id {self.ids[code]!r} is on rows {rows[0]} and {rows[1]}, but "
            f"{single:,} of the {len(self.ids):,} ids are on one row: a file of one series per "
            "row with an id repeated? Give each series its own id; a file of one row per time "
            "step whose series are mostly a single step is read with time=COLUMN, its time "
            "stamps' column"
        )

    def _wide(self, values: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
        """One series a row: (T_i, 1) each."""
        ends = np.cumsum(counts)
        return [values[end - count : end, None] for end, count in zip(ends, counts, strict=True)]

    def _long(self, values: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
        """The rows as steps of their ids' series, in time order: (T_i, D) each."""
        self.layout.check_channels()
        D = len(self.layout.values_at)
        fields = np.frombuffer(self.fields, dtype=np.int64)  # (rows,) beside the keys
        rows = np.frombuffer(self.rows, dtype=np.int64)  # (rows,)
        bad = np.flatnonzero(fields != D)
        if bad.size:
            given = int(fields[bad[0]]) + len(self.layout.keys)
            raise ValueError(
                f"{self.path}: row {rows[bad[0]]} has {given} field(s), but the header names "
                f"{len(self.layout.names)} columns; in a file of one row per time step every "
                "row has a field for each column"
            )
        short = np.flatnonzero(counts != D)  # trailing empty fields, dropped as padding
        if short.size:
            self.layout.missing(int(rows[short[0]]), int(counts[short[0]]))
        values = values.reshape(-1, D)  # (rows, D)
        missing = np.argwhere(np.isnan(values))
        if missing.size:
            self.layout.missing(int(rows[missing[0][0]]), int(missing[0][1]))
        codes = np.frombuffer(self.row_codes, dtype=np.int64)  # (rows,)
        if self.times is None:
            order = np.argsort(codes, kind="stable")  # (rows,): by id, in file order
        else:
            order = self.times.order(codes, rows, self.ids)  # (rows,): by id, then by time
        ends = np.cumsum(np.bincount(codes, minlength=len(self.ids)))  # (n,)
        return np.split(values[order], ends[:-1])
