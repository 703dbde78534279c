"""``frnn evaluate`` and ``frnn predict``: a saved classifier on a data file."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import numpy as np

from ..classifier.targets import evaluate
from ..data.datasets import load_dataset, load_file
from . import rundir

__all__ = ["add_predict_parsers"]


def add_predict_parsers(commands) -> None:
    """Register ``frnn evaluate`` and ``frnn predict``."""
    for name, run, what in (
        ("evaluate", run_evaluate, "accuracy and loss of"),
        ("predict", run_predict, "predicted labels of"),
    ):
        sub = commands.add_parser(name, help=f"{what} a saved classifier on data")
        sub.add_argument(
            "--model",
            required=True,
            metavar="MODEL",
            help="a model.npz written by frnn train, or its run directory",
        )
        source = sub.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--data", metavar="FILE", help="series in .ts, .csv/.tsv/.txt (label first) or .npz"
        )
        source.add_argument("--dataset", metavar="NAME", help="a built-in set's test split")
        default = "auto" if name == "predict" else "first"
        sub.add_argument(
            "--label",
            default=default,
            metavar="WHERE",
            help="where a text file's labels are: first, last, none, or a header column's name"
            + (
                "; auto (default): the first column when every value in it is a class of "
                "the model, else none"
                if name == "predict"
                else " (default: first)"
            ),
        )
        sub.add_argument(
            "--header",
            choices=["auto", "yes", "no"],
            default="auto",
            help="whether a text file starts with a header row (default: auto, detected)",
        )
        if name == "predict":
            sub.add_argument("--out", metavar="CSV", help="write here (default: stdout)")
        else:
            sub.add_argument("--json", action="store_true", help="print one JSON object")
        sub.set_defaults(run=run)


def _classifier(path: str):
    from ..classifier.estimator import RNNClassifier
    from ..io import load

    path = Path(path)
    if path.is_dir():
        path = path / "model.npz"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    model = load(path)
    if not isinstance(model, RNNClassifier):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a fitted RNNClassifier")
    return model


def _data(args: argparse.Namespace, classes=None):
    """The split to evaluate or predict; ``classes`` decides ``--label auto``."""
    if args.dataset:
        return load_dataset(args.dataset).test
    header = {"auto": None, "yes": True, "no": False}[args.header]
    if args.label != "auto":
        return load_file(args.data, label=args.label, header=header)
    split = load_file(args.data, label="first", header=header)
    known = set(np.asarray(classes).tolist())
    if len(split.y) and all(label in known for label in split.y.tolist()):
        return split  # labelled: every first value names a class
    return load_file(args.data, label="none", header=header)


def run_evaluate(args: argparse.Namespace) -> int:
    """Print accuracy, loss and the number of series; returns 0."""
    classifier, split = _classifier(args.model), _data(args)
    if len(split.y) != split.X.shape[0]:
        raise ValueError(f"{args.data}: the series carry no labels to evaluate against")
    metrics = evaluate(classifier, split, split.y)
    if args.json:
        print(json.dumps(metrics))
    else:
        print(f"accuracy {metrics['accuracy']:.4f}  loss {metrics['loss']:.4f}  n {metrics['n']}")
    return 0


def run_predict(args: argparse.Namespace) -> int:
    """Write one CSV row per series: its index, the predicted label, class probabilities."""
    classifier = _classifier(args.model)
    split = _data(args, classifier.classes_)
    labels, proba = classifier.predict(split), classifier.predict_proba(split)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "prediction", *(f"p_{c}" for c in classifier.classes_)])
    for i, (label, p) in enumerate(zip(labels, proba, strict=True), start=1):
        writer.writerow([i, label, *(f"{v:.6g}" for v in p)])
    if args.out:
        rundir.atomic_write(args.out, buffer.getvalue())
    else:
        print(buffer.getvalue(), end="")
    return 0
