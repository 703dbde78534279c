"""The data of a command: the options ``--label`` and ``--header`` (where a text file's
labels are, whether it has a header) of ``frnn train``, ``evaluate`` and ``predict``; the
one function that reads a data file with them (:func:`read_split`); and a run's data from
its config (:func:`load_data`).

``--label`` takes first, last, none or a header column's name (``predict`` also auto);
``--header`` auto (detected), yes or no.  ``frnn train`` records both in config.json with
the file names, so ``--config`` and ``--resume`` read the files the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..data.datasets import DATASETS, TEXT_SUFFIXES, load_dataset, load_file
from ..data.delimited import detect_header
from .flags import flag

__all__ = ["HEADERS", "add_text_options", "check_train_label", "load_data", "read_split"]

#: ``--header``'s words and what :func:`frnn.data.datasets.load_file` takes for them.
HEADERS = {"auto": None, "yes": True, "no": False}

_WHERE = "where a text file's labels are: first, last, none, or a header column's name"
_LABEL_HELP = {
    "train": "where a text file's labels are: first (the UCR layout), last, or a header "
    "column's name (default: first)",
    "evaluate": "where a text file's labels are: first, last, or a header column's name "
    "(default: first)",
    "predict": f"{_WHERE}; auto (default): the first column when every value in it is a "
    "class of the model, else none (a regressor has no classes to tell by: pass first or "
    "none)",
}


def add_text_options(parser, command: str) -> None:
    """Add ``--label`` and ``--header`` to ``command``'s parser.  For ``train`` they stay out
    of the namespace unless given: the --config's (or the defaults) apply then."""
    defaults = {"predict": ("auto", "auto"), "evaluate": ("first", "auto")}
    label, header = defaults.get(command, (argparse.SUPPRESS, argparse.SUPPRESS))
    parser.add_argument("--label", default=label, metavar="WHERE", help=_LABEL_HELP[command])
    parser.add_argument(
        "--header",
        choices=list(HEADERS),
        default=header,
        help="whether a text file starts with a header row (default: auto, detected)",
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
    path: str, label: str = "first", header: str = "auto", classes=None, data_format=None
):
    """The series of a data file read with ``--label`` and ``--header``, an ``.npz`` file's
    X in the model's ``data_format`` (``--data-format``).

    ``label="auto"`` reads the first column as labels when every value in it is one of
    ``classes`` (a classifier's), else the file as unlabelled; without ``classes`` (a
    regressor's, which cannot tell a target column from the first sample) auto is refused
    for text files rather than guessed.
    """
    has_header = HEADERS[header]
    if label == "auto" and classes is None and Path(path).suffix.lower() in TEXT_SUFFIXES:
        raise ValueError(
            f"{path}: --label auto cannot tell a regressor's target column from the "
            "series; pass --label first (targets in the first column), or --label none "
            "to predict on unlabelled series"
        )
    if label != "auto" or classes is None:
        first = "first" if label == "auto" else label
        return load_file(path, label=first, header=has_header, data_format=data_format)
    split = load_file(path, label="first", header=has_header, data_format=data_format)
    known = set(np.asarray(classes).tolist())
    if len(split.y) and all(value in known for value in split.y.tolist()):
        return split  # labelled: every first value names a class
    if has_header is None and Path(path).suffix.lower() in TEXT_SUFFIXES:
        # As the first read decided: unlabelled, pandas' "label,0,1,2" has no header word
        # above a number, and its header row would be read as a series.
        has_header = detect_header(path, label="first")
    return load_file(path, label="none", header=has_header, data_format=data_format)


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
    train = read_split(data["train"], label, header, data_format=data_format)
    test = None
    if data["test"]:
        test = read_split(data["test"], label, header, data_format=data_format)
    _check_targets(train, task, data["train"])
    _check_classes(train, task, data["train"])
    if test is not None:
        _check_targets(test, task, data["test"])
    return train, test


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
    starts (the estimator refuses it too, but after the CLI has drawn the bar)."""
    if task == "classification" and split.y.ndim == 1 and len(split.y):
        labels = np.unique(split.y)
        if labels.size < 2:
            raise ValueError(
                f"{source}: every series has the label {labels.tolist()[0]!r}; a classifier "
                "needs at least 2 classes"
            )


def _check_targets(split, task: str, source: str) -> None:
    """Refuse targets that do not suit ``task`` (``split`` read from ``source``)."""
    if len(split.y) != split.X.shape[0]:  # an .npz without 'y'
        raise ValueError(f"{source}: the series carry no labels (an .npz needs 'y' for them)")
    kind = split.y.dtype.kind
    if task == "classification" and kind == "f":
        raise ValueError(
            f"{source}: the targets are real numbers (e.g. {split.y[0]:.6g}), not class "
            "labels; pass --task regression to fit a regressor"
        )
    if task == "regression" and kind not in "biuf":
        raise ValueError(
            f"{source}: --task regression needs numeric targets; got labels such as "
            f"{split.y[0]!r} (leave --task out to fit a classifier)"
        )
