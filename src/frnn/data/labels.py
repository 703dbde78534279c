"""The labels of a text file (CSV, TSV, TXT, ``.ts``) as they are written: the one rule.

A label column is read as numbers only when nothing written is lost by it:

- every label a plain decimal number (``3``, ``-1``, ``+1``, ``0.25``, ``1.0000000e+00``
  as the UCR archive's older files write 1); ``1_000``, ``0x1F``, ``infinity`` are text;
- integral numbers (classes, or whole targets) become integers, unless one is written
  with a leading zero (``01``, ``007``: a code, whose zeros are part of it), two different
  texts would become the same number (``1`` and ``1.0``) or an integer has more digits
  than float64 holds exactly (an identifier): then every label stays the text written, so
  ``01`` prints as ``01`` and ``1`` and ``01`` are two classes;
- other numbers are real targets (float64), for a regressor.

Anything else keeps its text (stripped of surrounding blanks).  ``text=True`` keeps the
text in every case: to read a file against classes that are text (a model's, or the
training file's), where ``10`` must stay the class ``"10"``, not become the number 10.
Against classes that are integers the converse holds (:func:`as_classes`): labels that are
all integers, some written so that they stayed text (``01``, ``1`` beside ``+1``), are
those integers, so that ``01`` is the class 1 of a model trained on ``1``.

A label that is missing (an empty field, ``?``, ``NaN``; ``NA``, ``N/A`` or ``null`` among
numbers) is refused naming its row: read as a class of its own it would train and score
silently.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["as_classes", "as_labels", "is_missing", "is_number"]

# A plain decimal number, as programs write one: what float() reads, without its extras.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_LEADING_ZERO = re.compile(r"[+-]?0\d")  # "01", "-007": a code, not a number
_MISSING = {"", "?", "nan"}  # never a label
_MISSING_AMONG_NUMBERS = {"na", "n/a", "null", "none"}  # R's, a database's missing marks


def is_number(label: str) -> bool:
    """Whether ``label`` (blanks around it aside) is a plain decimal number, as read here."""
    return _NUMBER.fullmatch(label.strip()) is not None


def is_missing(label: str) -> bool:
    """Whether ``label`` marks a missing value in every file: empty, ``?`` or ``NaN``."""
    return label.strip().lower() in _MISSING


def as_labels(
    raw: list[str], source: str, first_row: int = 1, text: bool = False, rows=None
) -> np.ndarray:
    """The labels ``raw`` (n,) of a file's rows as written: integers, reals or text.

    Parameters
    ----------
    raw : list of str, each row's label field as read
    source : str, the file's name, for errors
    first_row : int, the file's row number of ``raw[0]`` (for errors)
    text : bool, keep every label as text
    rows : sequence of int (n,) or None, the file's row number of each label, where the
        labels are not on consecutive rows (a series' first row in the long format, or
        after a blank line), or of str, the text that names each row

    Returns
    -------
    ndarray (n,) of int64, float64 or str

    Raises
    ------
    ValueError
        Naming the first row whose label is missing.
    """
    labels = [label.strip() for label in raw]
    numbers = [_NUMBER.fullmatch(label) is not None for label in labels]
    missing = _MISSING | (_MISSING_AMONG_NUMBERS if any(numbers) else set())
    for i, label in enumerate(labels):
        if label.lower() in missing and not numbers[i]:
            row = i + first_row if rows is None else rows[i]
            where = row if isinstance(row, str) else f"row {row}"  # a .ts row: its line
            raise ValueError(
                f"{source}: {where}: the label is missing (got {label!r}); give every "
                "row its label, or leave the row out"
            )
    if text or not all(numbers) or not labels:
        return np.array(labels, dtype=str)
    values = np.array([float(label) for label in labels])  # (n,)
    if not np.all(values == np.round(values)) or not np.all(np.isfinite(values)):
        return values  # real targets
    if _lossy(labels, values):
        return np.array(labels, dtype=str)
    if np.abs(values).max() >= 2.0**63:  # beyond int64: whole reals, written as 1e20
        return values
    return values.astype(np.int64)


def _lossy(labels: list[str], values: np.ndarray) -> bool:
    """Whether integral ``values`` (n,) would lose what ``labels`` (n,) write: a leading
    zero, two texts of one number, a long integer that float64 rounds (an identifier)."""
    exact = values.tolist()
    return (
        any(_LEADING_ZERO.match(label) for label in labels)
        or len(set(labels)) != len(set(exact))
        or any(
            _INTEGER.fullmatch(label) is not None and int(label) != value
            for label, value in zip(labels, exact, strict=True)
        )
    )


def as_classes(labels: np.ndarray, classes) -> np.ndarray:
    """A file's labels (n,) as :func:`as_labels` read them, read against ``classes``.

    Where ``classes`` (a model's, or a training file's) are integers and every label is an
    integer as written (``01``, ``+2``, ``-007``), kept as text by :func:`as_labels` for
    its leading zero or for two texts of one number, the labels are those integers: the
    column names the classes once read as numbers.  Otherwise they are returned as given.

    Parameters
    ----------
    labels : (n,) array, as :func:`as_labels` returns them
    classes : (K,) array_like, the classes to read them against

    Returns
    -------
    ndarray (n,) of int64, or ``labels`` unchanged
    """
    if np.asarray(classes).dtype.kind not in "iu" or labels.dtype.kind != "U" or not labels.size:
        return labels
    texts = labels.tolist()
    if not all(_INTEGER.fullmatch(label) for label in texts):
        return labels
    values = [int(label) for label in texts]
    if not all(-(2**63) <= value < 2**63 for value in values):  # an identifier, not a class
        return labels
    return np.array(values, dtype=np.int64)
