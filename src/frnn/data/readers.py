"""File readers: UCR/UEA ``.ts``, UCR-style CSV/TSV/TXT (label first), and ``.npz``.

Every reader returns a :class:`~frnn.data.series.Series`: the series zero-padded to a
common length with their true lengths, so variable-length data needs no second code path.

Why a small ``.ts`` parser of our own: the well-kept readers (aeon's ``load_from_ts_file``,
sktime's ``load_from_tsfile``) come with pandas and a large dependency tree for a
format whose classification subset is a header of ``@key value`` lines and one line per
case, ``v,v,v:v,v,v:label``; pyts has a parser, but it is private and skips the header.
The subset handled here is the one the UCR/UEA archives use: ``#`` comments, the
``@problemName/@univariate/@dimensions/@equalLength/@seriesLength/@classLabel/
@targetLabel/@missing/@timeStamps`` header, ``?`` for a missing value, no time stamps.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .._npz import max_bytes as byte_budget
from .._npz import read_npz as bounded_npz
from .delimited import read_rows
from .labels import as_labels, is_missing, is_number
from .layouts import channels_last
from .semicolons import DECIMAL_COMMA
from .series import Series, pad
from .textfile import LineAt, RowMemory, check_size, nonblank_lines, open_text, pieces

__all__ = ["read_csv", "read_npz", "read_ts", "split_from_series"]


def _rows_text(rows) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return shown + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")


def split_from_series(series: list[np.ndarray], y, source: str, limit=None) -> Series:
    """Pad a list of (T_i, D) series into a :class:`Series`, rejecting missing values.

    Parameters
    ----------
    series : list of ndarray, each (T_i, D)
    y : array-like, shape (n,) or (n, K)
    source : str
        Where the data came from, for error messages (a file name).
    limit : int or None
        The most bytes the padded X may take (see :func:`frnn._npz.max_bytes`): series
        of very different lengths pad to far more than they hold.

    Returns
    -------
    Series
    """
    if not series:
        raise ValueError(f"{source}: no series found; expected at least one row of data")
    # The text readers name rows by their lines before this; here only the series' numbers
    # are known (an .npz file's, the long format's): named as such, counted from 1.
    short = [i + 1 for i, s in enumerate(series) if s.shape[0] == 0]
    if short:
        raise ValueError(f"{source}: series {_rows_text(short)} hold a label but no values")
    dims = {s.shape[1] for s in series}
    if len(dims) > 1:
        first = series[0].shape[1]
        odd = [i + 1 for i, s in enumerate(series) if s.shape[1] != first]
        raise ValueError(
            f"{source}: inconsistent series: series 1 has {first} dimension(s), but series "
            f"{_rows_text(odd)} (counted from 1) have {series[odd[0] - 1].shape[1]}"
        )
    missing = [i + 1 for i, s in enumerate(series) if np.isnan(s).any()]
    if missing:
        raise ValueError(
            f"{source}: missing values (NaN) in series {_rows_text(missing)} (counted from 1); "
            "fill them (e.g. interpolate) or remove those series"
        )
    n, T, D = len(series), max(s.shape[0] for s in series), series[0].shape[1]
    budget = byte_budget(limit)
    if n * T * D * 8 > budget:
        raise ValueError(
            f"{source}: {n:,} series padded to the longest, {T:,} steps, would take "
            f"{n * T * D * 8:,} bytes, over the limit of {budget:,} (raise it with "
            "FRNN_MAX_FILE_BYTES)"
        )
    X, lengths = pad(series)  # (n, T, D), (n,)
    return Series(X, np.asarray(y), lengths)


def _number(text: str, where: str, column: int, source: str) -> float:
    text = text.strip()
    if text in {"", "?"}:
        return np.nan
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f"{source}: {where}, column {column}: expected a number, got {text[:40]!r}"
        ) from None


def read_csv(
    path: str,
    *,
    label="first",
    header=None,
    max_bytes: int | None = None,
    text_labels=False,
    guard=False,
) -> Series:
    """Read a delimited text file: one series per row (see :mod:`frnn.data.delimited`).

    Comma-separated (``.csv``), tab-separated (``.tsv``) or whitespace-separated
    (``.txt``, the UCR archive's older format). Rows may differ in length; trailing empty or
    NaN fields are padding (the UCR 2018 archive pads shorter series with NaN), any
    other empty, ``?`` or NaN field is a missing value and is reported.

    Parameters
    ----------
    path : str
    label : "first" (default, the UCR layout), "last", "none" or a header column's name
    header : bool or None (detected: a first row of text, or pandas' index header)
    max_bytes : int or None
        The most bytes the file, its values and the padded X may each take (default 1 GiB,
        or $FRNN_MAX_FILE_BYTES), and a compressed file (``.csv.gz``, ``.bz2``, ``.xz``)
        once decompressed.  Memory holds about twice the values, 8 bytes each.
    text_labels : bool, default False
        Keep every label as the text written (``10`` the class "10"); by default plain
        integers are read as ints, reals as floats (see :mod:`frnn.data.labels`).
    guard : bool, default False
        Refuse a header column named as series ids or time stamps are, the mark of a file
        of one row per time step (:mod:`frnn.data.keycolumns`; ``load_file`` sets it).

    Returns
    -------
    Series
        X (n, T, 1), labels y (n,) (empty for ``label="none"``), lengths (n,).
    """
    series, labels = read_rows(
        path,
        label=label,
        header=header,
        limit=max_bytes,
        text_labels=text_labels,
        guard=guard,
        complete=True,
    )
    y = labels if labels is not None else np.zeros(0)
    return split_from_series([s[:, None] for s in series], y, path, max_bytes)


def _ts_header(lines, path: str) -> dict[str, str]:
    """The header's ``@key value`` pairs (both lower case) from the file's non-blank
    ``lines`` (an iterator), read up to and with the ``@data`` line; the rows follow."""
    header = {}
    for line in lines:
        text = line.strip()
        if text.startswith("#"):
            continue
        if not text.startswith("@"):
            break
        key, _, value = text[1:].partition(" ")
        if key.lower() == "data":
            return header
        header[key.lower()] = value.strip().lower()
    raise ValueError(f"{path}: not a .ts file: no '@data' line found")


def read_ts(path: str, *, text_labels=False) -> Series:
    """Read a UCR/UEA ``.ts`` file (classification or regression, no time stamps), or one
    compressed (``.ts.gz``, ``.bz2``, ``.xz``), bounded as :func:`read_csv` bounds it.

    Read a line at a time (:mod:`frnn.data.textfile`), each row converted to floats as it
    comes: memory holds the values, 8 bytes each, not the text; the rows may take the
    budget (:func:`frnn._npz.max_bytes`: 1 GiB, or $FRNN_MAX_FILE_BYTES) in all, and one
    line a budget / 8 characters, refused as soon as it is longer.  A row is named in
    messages by the file's line, as an editor shows it, and by its series' number.

    Parameters
    ----------
    path : str
    text_labels : bool, default False
        Keep every label as the text written (see :func:`read_csv`).

    Returns
    -------
    Series
        X (n, T, D) with D the number of dimensions, y (n,), lengths (n,).
    """
    budget = byte_budget(None)
    check_size(path, budget)
    with open_text(path, budget) as handle:  # UTF-8 (with or without its mark) or UTF-16
        at = LineAt()
        lines = nonblank_lines(handle, path, budget, at)
        header = _ts_header(lines, path)
        if header.get("timestamps") == "true":
            raise ValueError(f"{path}: .ts files with @timeStamps true are not supported")
        has_target = header.get("classlabel", "true").startswith("true") or (
            header.get("targetlabel") == "true"
        )
        labels, series, memory, rows = [], [], RowMemory(path, budget), []
        for s, line in enumerate(lines, start=1):
            rows.append(f"line {at.line} (series {s})")
            values, label = _ts_row(line, rows[-1], path, has_target)
            if series and values.shape[1] != series[0].shape[1]:
                raise ValueError(
                    f"{path}: inconsistent rows: {rows[0]} has {series[0].shape[1]} "
                    f"dimension(s) but {rows[-1]} has {values.shape[1]}"
                )
            series.append(values)
            if has_target:
                labels.append(label)
            memory.add(values, label)
    _refuse_missing(path, series, rows)
    if _declares_targets(header):
        _check_targets(labels, rows, path)
    y = as_labels(labels, path, text=text_labels, rows=rows) if has_target else np.zeros(0)
    split = split_from_series(series, y, path)
    _check_lengths(header, split.lengths, rows, path)
    _check_declared(header, split, labels if has_target else [], rows, path)
    return split


# ',' separates a .ts file's values: "1,5" (1.5 with a decimal comma) reads as two values.
_DECIMAL_COMMA = (
    "a value written with a decimal comma (1,5 for 1.5) reads as two values in a .ts file, "
    "whose values ',' separates: write decimals with '.'"
)


def _check_lengths(header: dict[str, str], lengths: np.ndarray, rows: list[str], path: str):
    """Refuse rows whose lengths (n,) contradict ``@equalLength true`` or ``@seriesLength``,
    or stand out from their siblings', the mark of a decimal comma (:data:`_DECIMAL_COMMA`).

    ``@equalLength false`` declares the lengths free: then neither ``@seriesLength`` (some
    writers put any number there) nor the siblings are checked, and that is the way out
    the message gives for series that truly differ in length."""
    equal = header.get("equallength")
    if equal == "false":
        return
    common = Counter(lengths.tolist()).most_common(1)[0][0]  # ties: the first row's
    declared = header.get("serieslength", "").strip()
    if declared.isdigit() and np.any(lengths != int(declared)):
        odd = int(np.flatnonzero(lengths != int(declared))[0])
        raise ValueError(
            f"{path}: {rows[odd]} has {lengths[odd]} steps, but the header declares "
            f"@seriesLength {declared}{_hint(lengths[odd] > int(declared))}"
        )
    if equal == "true" and np.any(lengths != common):
        odd = int(np.flatnonzero(lengths != common)[0])
        first = rows[int(np.flatnonzero(lengths == common)[0])]
        raise ValueError(
            f"{path}: inconsistent rows: @equalLength true but rows differ in length "
            f"({first}: {common} steps, {rows[odd]}: {lengths[odd]})"
            f"{_hint(lengths[odd] > common)}"
        )
    longer = np.flatnonzero(lengths > common)
    if (
        len(lengths) >= 3
        and 0 < len(longer) <= max(1, len(lengths) // 20)
        and np.all(lengths >= common)
    ):  # all but one (or a few) of one length, the others longer
        odd = int(longer[0])
        others = "every other row has" if len(longer) == 1 else f"all but {len(longer)} rows have"
        raise ValueError(
            f"{path}: {rows[odd]} has {lengths[odd]} steps where {others} {common}: "
            f"{_DECIMAL_COMMA}; if the series truly differ in length, declare "
            "'@equalLength false' in the header"
        )


def _hint(longer: bool) -> str:
    """The decimal comma hint, for a row longer than it should be."""
    return f"; {_DECIMAL_COMMA}" if longer else ""


def _declares_targets(header: dict[str, str]) -> bool:
    """Whether the header declares real-valued targets (a regression file of aeon's
    archive: ``@targetLabel true`` and no ``@classLabel true``)."""
    return header.get("targetlabel") == "true" and not header.get("classlabel", "").startswith(
        "true"
    )


def _check_targets(labels: list[str], rows: list[str], path: str) -> None:
    """Refuse a target that is no number in a file that declares real-valued targets
    (``@targetLabel true``), named by its row: read as text, each value became a class of
    its own (``0,5``, written with a decimal comma, trained a classifier of one class per
    value, without a word)."""
    for label, row in zip(labels, rows, strict=True):
        text = label.strip()
        if not is_number(text) and not is_missing(text):
            hint = (
                f": a decimal comma? Write {text.replace(',', '.')} (',' separates a .ts "
                "file's values), and fit a regressor to them (frnn train --task regression)"
                if DECIMAL_COMMA.fullmatch(text)
                else ": write the targets as numbers, or, for class labels, declare "
                "'@classLabel true' and the classes instead"
            )
            raise ValueError(
                f"{path}: {row}: the target {text[:40]!r} is not a number, but the header "
                f"declares @targetLabel true (real-valued targets){hint}"
            )


def _refuse_missing(path: str, series: list[np.ndarray], rows: list[str]) -> None:
    """Refuse series with a missing value (``?`` or an empty field), named by ``rows``
    (each series' line and number), not by the series' numbers alone."""
    missing = [rows[i] for i, values in enumerate(series) if np.isnan(values).any()]
    if missing:
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise ValueError(
            f"{path}: missing values (? or NaN) in {'; '.join(missing[:10])}{more}; fill "
            "them (e.g. interpolate) or remove those rows"
        )


def _ts_row(line: str, r: str, path: str, has_target: bool) -> tuple[np.ndarray, str | None]:
    """The values (T_i, D) of the row ``r`` names (its line and series), NaN where
    missing, and its target's text (or None).

    The line is read in place, dimension by dimension and a piece of each at a time
    (:func:`_fill`): a line may be a budget / 8 characters, and its fields as strings would
    take some 30 times its text (a str and a list slot each), its values 8 bytes each."""
    line = line.strip()
    ends = [*_positions(line, ":"), len(line)]  # each field's end: its ':' or the line's
    label = None
    if has_target:
        if len(ends) < 2:
            raise ValueError(f"{path}: {r}: expected values, then ':' and the target")
        label = line[ends[-2] + 1 :]
        del ends[-1]
    bounds = list(zip([0] + [end + 1 for end in ends[:-1]], ends, strict=True))
    steps = [line.count(",", start, stop) + 1 for start, stop in bounds]
    values = np.empty((max(steps), len(bounds)))  # (T_i, D)
    for d, (start, stop) in enumerate(bounds):  # a bad value named before unequal lengths
        _fill(values[: steps[d], d], line, start, stop, r, path)
    if len(set(steps)) > 1:
        raise ValueError(
            f"{path}: inconsistent rows: {r}: its dimensions differ in length "
            f"({', '.join(map(str, steps))} steps); if one is longer, {_DECIMAL_COMMA}"
        )
    return values, label


def _positions(text: str, char: str) -> list[int]:
    """Where ``char`` occurs in ``text``, in order."""
    found, at = [], text.find(char)
    while at >= 0:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def _fill(out: np.ndarray, line: str, start: int, stop: int, r: str, path: str) -> None:
    """Write the values ``v,v,v`` of ``line[start:stop]`` into ``out`` (T_i,), NaN where
    missing (``?`` or empty), a piece of the line at a time (:func:`textfile.pieces`)."""
    column = 1
    for fields in pieces(line, ",", start, stop):
        out[column - 1 : column - 1 + len(fields)] = _numbers(fields, r, column, path)
        column += len(fields)


def _numbers(fields: list[str], r: str, column: int, path: str) -> np.ndarray:
    """The fields as floats (n,), fields counted from ``column`` in messages."""
    try:  # numpy calls float() on each field, in C: the common case, all numbers
        return np.array(fields, dtype=np.float64)
    except ValueError:  # a missing mark (NaN) or a bad field, named
        return np.array([_number(v, r, c, path) for c, v in enumerate(fields, column)])


def _check_declared(header: dict[str, str], split: Series, labels: list[str], rows, path: str):
    """The rows against what the header declares: ``@dimensions`` (``@univariate true``: 1)
    and ``@classLabel true c1 c2 ...``'s classes (the header's values are lower case), a
    row named by ``rows``' text (its line and series).
    A file that contradicts its header is refused, not read as the rows say."""
    D = split.X.shape[2]
    declared = header.get("dimensions", "").strip()
    if header.get("univariate") == "true":
        declared = "1"
    if declared.isdigit() and int(declared) != D:
        key = "@univariate true" if header.get("univariate") == "true" else "@dimensions"
        shown = "" if key == "@univariate true" else f" {declared}"
        raise ValueError(f"{path}: the header declares {key}{shown}, but the rows have {D}")
    classes = header.get("classlabel", "").split()
    if classes[:1] == ["true"] and len(classes) > 1:
        known = set(classes[1:])
        for r, label in zip(rows, labels, strict=False):
            if label.strip().lower() not in known:
                raise ValueError(
                    f"{path}: {r}: the class {label.strip()!r} is not among those @classLabel "
                    f"declares ({', '.join(classes[1:])})"
                )


def read_npz(path: str, *, max_bytes: int | None = None, data_format=None) -> Series:
    """Read an ``.npz`` archive holding ``X`` (n, T) or (n, T, D), optionally ``y`` (n,)
    or (n, K) (without it the series carry no labels: ``y`` is empty, for ``predict``), and
    optionally ``lengths`` (n,).

    Read by :func:`frnn._npz.read_npz`: never unpickles, and refuses arrays over
    ``max_bytes`` in all (default 1 GiB, or $FRNN_MAX_FILE_BYTES) before allocating them.
    A 3-D X is read in ``data_format``'s layout, as the estimators read it
    (:func:`frnn.channels_last`): "channels_first" takes aeon's (n, C, T);
    None refuses a single step of several channels and warns when channels outnumber steps.

    Parameters
    ----------
    path : str
    max_bytes : int or None
    data_format : None, "channels_last" or "channels_first"

    Returns
    -------
    Series
    """
    try:
        arrays = bounded_npz(path, limit=max_bytes)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    if "X" not in arrays:
        if "__meta__" in arrays:  # what frnn.save and frnn train write: a model, not data
            raise ValueError(
                f"{path}: an frnn model file, not series; expected an array 'X' (and 'y' "
                "for labels). Pass a model where a model goes (frnn predict --model, frnn.load)"
            )
        names = sorted(arrays)
        more = f" and {len(names) - 10} more" if len(names) > 10 else ""
        raise ValueError(
            f"{path}: expected an array 'X' (and 'y' for labels); found {names[:10]}{more}"
        )
    X = arrays["X"]
    y = arrays.get("y", np.zeros(0))
    if X.ndim == 2:
        X = X[:, :, None]  # (n, T, 1)
    if X.ndim != 3 or X.dtype.kind not in "biuf" or 0 in X.shape:
        raise ValueError(f"{path}: X must be numeric (n, T) or (n, T, D); got {X.dtype} {X.shape}")
    X = channels_last(X, data_format, f"{path}: X")  # (n, T, D)
    if "y" in arrays and y.ndim not in (1, 2):
        raise ValueError(f"{path}: y must be (n,) or (n, K); got shape {y.shape}")
    if "y" in arrays and len(y) != len(X):
        raise ValueError(f"{path}: inconsistent rows: X has {len(X)} series but y has {len(y)}")
    lengths = arrays.get("lengths", np.full(len(X), X.shape[1]))
    if (
        lengths.shape != (len(X),)
        or lengths.dtype.kind not in "iu"
        or np.any(lengths < 1)
        or np.any(lengths > X.shape[1])
    ):
        raise ValueError(
            f"{path}: lengths must be ({len(X)},) integers in [1, {X.shape[1]}]; "
            f"got {lengths.dtype} of shape {lengths.shape}"
        )
    series = [x[:length].astype(np.float64) for x, length in zip(X, lengths, strict=True)]
    return split_from_series(series, y, path)
