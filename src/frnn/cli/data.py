"""The data of a command: the options ``--label``, ``--header``, ``--id`` and ``--time``
(where a text file's labels are, whether it has a header, its columns of series ids and
time stamps) of ``frnn train``, ``evaluate`` and ``predict``; the one function that reads a
data file with them (:func:`read_split`); and a run's data from its config
(:func:`load_data`).

``--label`` takes first, last, none or a header column's name (``predict`` also auto);
``--header`` auto (detected), yes or no; ``--id`` a header column's name (or none: no id
column, whatever the header names) and ``--time`` another (see :mod:`frnn.data.keyed`).
``frnn train`` records them in config.json with the file names, so ``--config`` and
``--resume`` read the files the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import warnings

import numpy as np

from .._validate import check_file
from ..classifier.targets import unknown_labels
from ..data.compressed import split_suffix
from ..data.datasets import DATASETS, TEXT_SUFFIXES, load_dataset, load_file
from ..data.delimited import detect_header, header_names
from ..data.keycolumns import label_column
from ..data.keyed import LabelChanges
from ..data.labels import as_classes
from ..data.rowvalues import is_number
from .flags import flag

__all__ = [
    "HEADERS",
    "KEYS",
    "IgnoredWarning",
    "LabelWarning",
    "add_text_options",
    "check_channels",
    "check_labels",
    "check_train_label",
    "comma_hint",
    "load_data",
    "no_labels",
    "read_split",
    "text_file",
]

#: ``--header``'s words and what :func:`frnn.data.datasets.load_file` takes for them.
HEADERS = {"auto": None, "yes": True, "no": False}
#: The options of a text file's columns that ``frnn train`` records in config.json.
KEYS = ("label", "header", "id", "time")

_WHERE = "where a text file's labels are: first, last, none, or a header column's name"
_LABEL_HELP = {
    "train": "where a text file's labels are: first (the UCR layout), last, or a header "
    "column's name (default: first)",
    "evaluate": "where a text file's labels are: first, last, or a header column's name "
    "(default: the run's, when --model is a run directory; else first)",
    "predict": f"{_WHERE}; auto (default): a header column named label, class or target; "
    "else the first column when every value in it is a class of the model (01 is the class "
    "1 of a model of integer classes), else none (a regressor has no classes to tell by: "
    "pass first or none). Of a run directory trained "
    "with --label NAME: NAME where the file's header has it, else none; with --label "
    "last: auto on the last column",
}
_RECORDED = "; by default the run's, when --model is a run directory"
_SERIES_TIME = (
    ". With --series, the time column (default: found, a column of ISO 8601 dates or one "
    "named time, date, timestamp, ...; its stamps must increase row by row)"
)


def add_text_options(parser, command: str) -> None:
    """Add ``--label`` and ``--header`` to ``command``'s parser.  For ``train`` they stay out
    of the namespace unless given: the --config's (or the defaults) apply then."""
    # evaluate and predict: None where not given, for the run's recorded options
    # (:mod:`frnn.cli.recorded`) and then the defaults the help names
    label = header = argparse.SUPPRESS if command == "train" else None
    parser.add_argument("--label", default=label, metavar="WHERE", help=_LABEL_HELP[command])
    parser.add_argument(
        "--header",
        choices=list(HEADERS),
        default=header,
        help="whether a text file starts with a header row (default: auto, detected)"
        + ("" if command == "train" else _RECORDED),
    )
    keys = argparse.SUPPRESS if command == "train" else None
    recorded = "" if command == "train" else _RECORDED
    parser.add_argument(
        "--id",
        default=keys,
        metavar="COLUMN",
        help="a text file's header column of series ids: one row per time step where an id "
        "is on several rows (long format), else one series per row; none: no id column, "
        "whatever the header names (default: no id column, and a header column such as id "
        "or timestamp is refused)" + recorded,
    )
    parser.add_argument(
        "--time",
        default=keys,
        metavar="COLUMN",
        help="with --id, the header column of time stamps (numbers, or ISO 8601 dates such "
        "as 2024-03-01T13:00:00Z) that orders each series' rows (default: the file's "
        "order); none: no time column, whatever the header names" + _SERIES_TIME + recorded,
    )


def check_train_label(label: str) -> str:
    """``frnn train``'s --label: a model learns from labels, so none (and auto) are refused."""
    if label in ("none", "auto"):
        raise ValueError(
            f"--label {label}: training needs the labels; pass --label first, last or the "
            "name of the header column that holds them"
        )
    return label


def read_split(
    path: str,
    label: str = "first",
    header: str = "auto",
    classes=None,
    data_format=None,
    id=None,
    time=None,
    auto_at="first",
):
    """The series of a data file read with ``--label``, ``--header``, ``--id`` and
    ``--time`` (:func:`frnn.data.datasets.load_file`'s ``id`` and ``time``), an ``.npz`` file's
    X in the model's ``data_format`` (``--data-format``), a text file's labels as text when
    ``classes`` are text (the class "10" is not the number 10: :mod:`frnn.data.labels`).

    A text or ``.ts`` file's labels are read against integer ``classes`` too
    (:func:`frnn.data.labels.as_classes`): ``01`` is the class 1.

    ``label="auto"`` reads a header column named label, class or target as the labels
    (:func:`_named_label`); else the first column (the last with ``auto_at="last"``, where
    a run recorded ``--label last``) as labels when every value in it is one of
    ``classes`` (a classifier's), else the file as unlabelled; without ``classes`` (a
    regressor's, which cannot tell a target column from a sample) auto is refused for text
    files rather than guessed.  With ``--id``, the first (last) column is the first (last)
    other than the id and time columns, and a column that changes within a series is not the labels.
    """
    has_header = HEADERS[header]
    if has_header is not None and not text_file(path):
        _warn_ignored(path, f"--header {header}")
    keys = {"id": id, "time": time}
    text = classes is not None and np.asarray(classes).dtype.kind in "US"
    named = _named_label(path, has_header, id, auto_at) if label == "auto" else None
    if label == "auto" and classes is None and text_file(path) and named is None:
        raise ValueError(
            f"{path}: --label auto cannot tell a regressor's target column from the "
            f"series; pass --label {auto_at} (targets in the {auto_at} column), or --label "
            "none to predict on unlabelled series"
        )
    if label != "auto" or classes is None or named is not None:
        where = named or (auto_at if label == "auto" else label)
        header = True if named else has_header
        split = load_file(
            path, label=where, header=header, data_format=data_format, text_labels=text, **keys
        )
        return _as_classes(split, classes, path)
    try:
        split = load_file(
            path,
            label=auto_at,
            header=has_header,
            data_format=data_format,
            text_labels=text,
            **keys,
        )
    except LabelChanges:  # a long file's first column changes within a series: values
        split = None
    if split is not None:
        split = _as_classes(split, classes, path)
        known = set(np.asarray(classes).tolist())
        values = split.y.tolist()
        named = sum(value in known for value in values)
        if values and named == len(values):
            return split  # labelled: every first (last) value names a class
        if values and 2 * named >= len(values):  # most do: labels, some of a class unseen?
            unseen = [v for v in values if v not in known]
            if any(isinstance(v, str) and not is_number(v) for v in unseen):
                _warn_unseen(path, auto_at, unseen)  # text, which no series value can be
                return split
            _warn_unlabelled(path, auto_at, named, unseen)
    if has_header is None and text_file(path) and id in (None, "none"):
        # As the first read decided: unlabelled, pandas' "label,0,1,2" has no header word
        # above a number, and its header row would be read as a series.
        has_header = detect_header(path, label=auto_at)
    return load_file(path, label="none", header=has_header, data_format=data_format, **keys)


class IgnoredWarning(UserWarning):
    """An option given for a file it does not apply to (``--header`` with a ``.ts`` or an
    ``.npz`` file), read without it."""


def _warn_ignored(path: str, option: str) -> None:
    """Say that ``option`` does not apply to the file ``path`` (a ``.ts`` or ``.npz``
    file), which is read without it: it was ignored without a word."""
    ts = split_suffix(path)[0] == ".ts"
    own = "a .ts file (its header is its @ lines)" if ts else "an .npz file (arrays, not rows)"
    warnings.warn(
        f"{path}: {option} applies to text files (.csv/.tsv/.txt); {own} is read without it",
        IgnoredWarning,
        stacklevel=3,
    )


class LabelWarning(UserWarning):
    """``--label auto`` read a file as unlabelled although most values of the column it
    looked at name the model's classes; or as labelled although some of them (text, not
    numbers) name none."""


def _warn_unseen(path: str, auto_at: str, unseen: list) -> None:
    """Say that the column ``--label auto`` looked at is read as labels although some of
    them, ``unseen``, are no class of the model: text, not a series' values (read as
    unlabelled, the file failed on the first of them, "expected a number")."""
    shown = ", ".join(repr(v) for v in list(dict.fromkeys(unseen))[:3])
    more = ", ..." if len(set(unseen)) > 3 else ""
    warnings.warn(
        f"{path}: the {auto_at} column is read as labels, though {len(unseen)} of them "
        f"({shown}{more}) name no class of the model: those series are predicted as one "
        "of its classes",
        LabelWarning,
        stacklevel=3,
    )


def _warn_unlabelled(path: str, auto_at: str, named: int, others: list) -> None:
    """Say that the column ``--label auto`` looked at names the classes in ``named`` rows
    but not in the others (``others`` their values), so the file was read as unlabelled."""
    shown = ", ".join(repr(v) for v in list(dict.fromkeys(others))[:3])
    more = ", ..." if len(set(others)) > 3 else ""
    warnings.warn(
        f"{path}: the {auto_at} column names the model's classes in {named} of "
        f"{named + len(others)} rows but not in the others ({shown}{more}), so the file is "
        f"read as unlabelled, that column as the series' {auto_at} values; pass --label "
        f"{auto_at} if it holds labels",
        LabelWarning,
        stacklevel=3,
    )


def _named_label(path: str, has_header, id, auto_at: str) -> str | None:
    """``--label auto``'s column where a text file's header names one as labels are
    (label, class, target: :func:`frnn.data.keycolumns.label_column`), else None: read
    otherwise, such a column would be a series' last value (a model file given without
    its run's recorded ``--label``, the labels in a column auto does not look at)."""
    if not text_file(path) or has_header is False:
        return None
    check_file(path)  # a missing file, a folder: named as the reader names them
    header = True if id not in (None, "none") else has_header  # an id column: a header
    return label_column(header_names(path, header=header, label=auto_at))


def _as_classes(split, classes, path: str):
    """``split`` with its labels read against ``classes`` (:func:`as_classes`) where they
    were read from text (a text or ``.ts`` file: an ``.npz`` keeps its dtype)."""
    if classes is None or split_suffix(path)[0] == ".npz":
        return split
    y = as_classes(split.y, classes)
    return split if y is split.y else dataclasses.replace(split, y=y)


def text_file(path: str) -> bool:
    """Whether ``path`` is a text file of series (``.csv``, ``.tsv.gz``, ...)."""
    return split_suffix(path)[0] in TEXT_SUFFIXES


def load_data(data: dict, task: str = "classification", data_format=None):
    """Training and test splits from a config's data entry (test may be None), an ``.npz``
    file's X read in ``data_format``'s layout.

    Raises ValueError, before any run directory exists, when the targets do not suit
    ``task``: real numbers for a classifier, or text for a regressor.
    """
    if "dataset" in data:
        _check_options(data["dataset"], data["options"])
        dataset = load_dataset(data["dataset"], **data["options"])
        if dataset.task != task:
            raise ValueError(
                f"{dataset.name} is a {dataset.task} task; pass --task {dataset.task} "
                "(or leave --task out)"
            )
        return dataset.train, dataset.test
    label, header = check_train_label(data.get("label", "first")), data.get("header", "auto")
    keys = {"id": data.get("id"), "time": data.get("time")}
    train = read_split(data["train"], label, header, data_format=data_format, **keys)
    test = None
    if data["test"]:  # read against the training labels: "10" stays "10" beside "01",
        # and "01" is 1 beside "1"
        classes = np.unique(train.y) if train.y.dtype.kind in "USiu" else None
        test = read_split(data["test"], label, header, classes, data_format=data_format, **keys)
    _check_targets(train, task, data["train"], label)
    _check_classes(train, task, data["train"])
    if test is not None:
        _check_targets(test, task, data["test"], label)
        _check_test(train, test, task, data)
    return train, test


def check_channels(split, expected: int, source: str, against: str) -> None:
    """Refuse series of another number of channels (values per step) than ``expected``,
    ``against``'s: in words, naming the file, not as the estimator's ValueError later."""
    found = split.X.shape[2]
    if found != expected:
        raise ValueError(
            f"{source}: the series have {found} channel(s) per step, but {against} {expected}"
        )


def check_labels(y, classes, source: str, against: str) -> None:
    """Refuse labels ``y`` (n,) that are not among ``classes`` (sorted, ``against``'s),
    naming them and the file: a classifier cannot be scored on a class it never saw."""
    classes = np.asarray(classes)
    unknown = unknown_labels(classes, y)
    if unknown:
        shown = ", ".join(map(repr, unknown[:10]))
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        # no label a class and most of them distinct: values, not labels (a probe saw an
        # unlabelled file's first values listed as "labels", no hint given)
        distinct = len(np.unique(np.asarray(y)))
        hint = (
            " (none of them is a class, and most series have their own: if the file has no "
            "labels, frnn predict reads it; if they are in another column, pass --label "
            "last or --label NAME)"
            if len(unknown) == distinct and 2 * distinct > len(y) > 2
            else ""
        )
        raise ValueError(
            f"{source}: the labels {shown}{more} are not among {against} "
            f"{classes[:20].tolist()}; "
            f"a classifier can only be scored on the classes it was trained on{hint}"
        )


def _check_test(train, test, task: str, data: dict) -> None:
    """The test split against the training split, before any training: the same channels,
    a classifier's labels among the training ones, a regressor's targets of the same
    shape (without this, the fit ran to its end and the run failed when scoring)."""
    check_channels(
        test, train.X.shape[2], data["test"], f"the training series ({data['train']}) have"
    )
    if train.y.shape[1:] != test.y.shape[1:]:
        raise ValueError(
            f"{data['test']}: targets of shape {test.y.shape[1:]} per series, but the training "
            f"series' ({data['train']}) are {train.y.shape[1:]}"
        )
    if task == "classification" and train.y.ndim == 1:
        check_labels(test.y, np.unique(train.y), data["test"], f"the classes of {data['train']}")


def _check_options(name: str, options: dict) -> None:
    """The data set options given, named by their flags when the set does not take them."""
    takes = DATASETS.get(str(name).lower())
    unknown = sorted(set(options) - set(takes)) if takes is not None else []
    if unknown:
        flags = ", ".join(flag(f"data_{key}") for key in unknown)
        allowed = ", ".join(flag(f"data_{key}") for key in sorted(takes)) or "none"
        raise ValueError(f"{flags}: not an option of data set {name!r} (its options: {allowed})")


def _check_classes(split, task: str, source: str) -> None:
    """Refuse a classifier's training split of one class here, before the progress bar
    starts (the estimator refuses it too, but after the CLI has drawn the bar), and one
    whose labels are the rows' numbers 0, 1, …, n − 1: every series a class of its own,
    which no classifier learns from, and what a file that ``DataFrame.to_csv(header=False)``
    wrote with its index holds in the first column."""
    if task == "classification" and split.y.ndim == 1 and len(split.y):
        labels = np.unique(split.y)
        if labels.size < 2:
            raise ValueError(
                f"{source}: every series has the label {labels.tolist()[0]!r}; a classifier "
                "needs at least 2 classes"
            )
        n = len(split.y)
        if n >= 3 and split.y.dtype.kind in "iu" and np.array_equal(split.y, np.arange(n)):
            raise ValueError(
                f"{source}: the labels are 0, 1, …, {n - 1}, the rows' numbers: every series "
                "a class of its own. Is the first column an index, as pandas' to_csv writes "
                "one unless told index=False? Write the file without it"
            )


def comma_hint(label) -> str:
    """A hint where a target that is no number reads as one written with a decimal comma
    (``0,5``: a .ts file's target, or a quoted field), else ""."""
    text = str(label).strip()
    head, comma, tail = text.lstrip("+-").partition(",")
    if comma and head.isdigit() and tail.isdigit():
        return f" (a decimal comma? write {text.replace(',', '.')}, not {text})"
    return ""


def no_labels(source: str, why: str = "") -> str:
    """Why a file read without labels has none (``why`` added after "no labels"): an
    ``.npz`` without 'y', a ``.ts`` file whose header says ``@classLabel false``, a text
    file whose first column ``--label auto`` did not take for labels."""
    reason = {
        ".npz": "an .npz file needs 'y' for them",
        ".ts": "its header declares none",
    }.get(split_suffix(source)[0], "--label auto: its first column holds other values")
    return f"{source}: the series carry no labels{why} ({reason})"


def _check_targets(split, task: str, source: str, label: str = "first") -> None:
    """Refuse targets that do not suit ``task`` (``split`` read from ``source`` with
    ``--label label``)."""
    if len(split.y) != split.X.shape[0]:  # an .npz without 'y', a .ts without labels
        raise ValueError(no_labels(source))
    kind = split.y.dtype.kind
    if task == "classification" and kind == "f":
        # The first column of a file whose labels are elsewhere reads as real numbers too.
        other = text_file(source) and label == "first"
        hint = " (or, when the labels are in another column, --label last or its name)"
        raise ValueError(
            f"{source}: the targets are real numbers (e.g. {split.y.flat[0]:.6g}), not class "
            f"labels; pass --task regression to fit a regressor{hint if other else ''}"
        )
    if task == "regression" and kind not in "biuf":
        got = split.y.flat[0].item()
        raise ValueError(
            f"{source}: --task regression needs numeric targets; got labels such as "
            f"{got!r}{comma_hint(got)} (leave --task out to fit a classifier)"
        )
