"""Header columns that name a series or a time step, and the guard against reading them as values.

A file in the long (tidy) format holds one row per time step: ``series_id,timestamp,
value,label`` as databases, pandas' ``melt``, tsfresh and sktime's long format write it.
Read as one series per row, such a file trains silently on thousands of "series" of three
values each.  Without ``id=`` (:func:`frnn.data.datasets.load_file`, ``--id`` on the
command line) a header column named as series ids or time stamps are named
(:data:`ID_NAMES`, :data:`TIME_NAMES`, case and surrounding blanks ignored) is refused,
naming the column and the way to read the file (:func:`refuse_key_columns`); ``id="none"``
reads such a file one series per row all the same.  With ``id`` and without ``time``, a
column named as time stamps are is refused too (:func:`refuse_time_columns`): read as a
channel, it would be silent; ``time="none"`` reads it so.

The names are those the common tools write: ``id`` and ``time`` (tsfresh), ``case_id``
(aeon, sktime), ``unique_id`` and ``ds`` (Nixtla, Prophet), ``item_id`` (GluonTS,
AutoGluon), ``series_id``, ``timestamp``, ``date``; a wide file's value columns are named
``t0``, ``0``, ``step_1``, … and a label column ``label``, ``class`` or ``target``
(:data:`LABEL_NAMES`: ``predict --label auto`` reads such a column as the labels).
"""

from __future__ import annotations

__all__ = [
    "ID_NAMES",
    "LABEL_NAMES",
    "TIME_NAMES",
    "label_column",
    "refuse_key_columns",
    "refuse_time_columns",
]

#: Header names (lower case) of a column that identifies the series a row belongs to.
ID_NAMES = frozenset(
    (
        "id",
        "series",
        "series_id",
        "seriesid",
        "case",
        "case_id",
        "caseid",
        "unique_id",
        "item_id",
        "sample_id",
        "instance_id",
        "sequence_id",
        "ts_id",
    )
)
#: Header names (lower case) of a column of labels: ``predict``'s ``--label auto`` reads
#: such a column as the labels (:func:`label_column`) rather than as a series' last value.
#: Not ``y``: a long file's channels are often named x, y, z.
LABEL_NAMES = frozenset(("label", "labels", "class", "target"))
#: Header names (lower case) of a column that holds a row's time stamp or step.
TIME_NAMES = frozenset(
    (
        "time",
        "timestamp",
        "time_stamp",
        "timepoint",
        "timepoints",
        "time_idx",
        "time_index",
        "timestep",
        "time_step",
        "date",
        "datetime",
        "ds",
    )
)


def refuse_key_columns(path: str, names: list[str] | None, label) -> None:
    """Refuse a header (``names``; None: no header) with a column named as series ids or
    time stamps are, other than the label column ``label`` names: the file is most likely
    in the long format, one row per time step.  The error names the column and says how to
    read the file: ``id=COLUMN`` (and ``time=COLUMN``), or ``id='none'``."""
    if not names:
        return
    stripped = [str(n).strip() for n in names]
    ids = [n for n in stripped if n.lower() in ID_NAMES and n != label]
    times = [n for n in stripped if n.lower() in TIME_NAMES and n != label]
    if not ids and not times:
        return
    found = ids[0] if ids else times[0]
    kind = "a series id" if ids else "a time stamp"
    time = f" and time={times[0]!r}" if times else ""
    key = repr(ids[0]) if ids else "'COLUMN' (the column of series ids)"
    raise ValueError(
        f"{path}: the header's column {found!r} looks like {kind}: a file of one row per "
        f"time step (long format) is read with id={key}{time}, as is one series per row "
        "with an id column; id='none' reads every row as a series as it is"
    )


def refuse_time_columns(path: str, names: list[str], label) -> None:
    """Refuse, in a file read with an id column but no time column, a header column named as
    time stamps are (other than the label's): it would be read as a channel."""
    times = [n for n in names if n.strip().lower() in TIME_NAMES and n.strip() != label]
    if times:
        raise ValueError(
            f"{path}: the header's column {times[0]!r} looks like a time stamp: pass "
            f"time={times[0]!r} to order each series' rows by it; time='none' reads it as "
            "a channel"
        )


def label_column(names: list[str] | None) -> str | None:
    """The one header column of ``names`` named as labels are (:data:`LABEL_NAMES`, case
    and surrounding blanks ignored), or None: none, or more than one (ambiguous)."""
    found = [name for name in names or () if name.strip().lower() in LABEL_NAMES]
    return found[0] if len(found) == 1 else None
