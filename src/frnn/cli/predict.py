"""``frnn evaluate`` and ``frnn predict``: a saved classifier or regressor on a data file."""

from __future__ import annotations

import argparse
import csv
import io
import os
from pathlib import Path

import numpy as np

from .._atomic import check_target
from .._validate import Interval, argument_type, check_file
from ..classifier import targets as class_targets
from ..data.datasets import load_dataset
from ..regressor import targets as real_targets
from ..regressor.estimator import RNNRegressor
from ..regressor.task import predictions
from . import recorded, rundir
from .data import (
    add_text_options,
    check_channels,
    check_labels,
    comma_hint,
    no_labels,
    read_split,
)

__all__ = ["add_predict_parsers"]

_SERIES_HELP = {
    "predict": "one long series, as a model of frnn train --series read its own: forecast "
    "the --horizon values after its last row (from its last --window rows), one CSV row per "
    "step ahead, the time stamps continued where regular",
    "evaluate": "one long series, as a model of frnn train --series read its own: score "
    "the forecasts of its last --test-size rows per step ahead, beside the naive forecast "
    "(rows the model has not been trained on: new ones, or the run's held-out tail)",
}


def add_predict_parsers(commands) -> None:
    """Register ``frnn evaluate`` and ``frnn predict``."""
    for name, run, what in (
        ("evaluate", run_evaluate, "accuracy (RMSE, MAE, R²) and loss of"),
        ("predict", run_predict, "predicted labels (values) of"),
    ):
        sub = commands.add_parser(name, help=f"{what} a saved classifier (regressor) on data")
        sub.add_argument(
            "--model",
            required=True,
            metavar="MODEL",
            help="a model.npz written by frnn train, or its run directory",
        )
        source = sub.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--data", metavar="FILE", help="series in .ts, .csv/.tsv/.txt (see --label) or .npz"
        )
        source.add_argument("--dataset", metavar="NAME", help="a built-in set's test split")
        source.add_argument("--series", metavar="FILE", help=_SERIES_HELP[name])
        if name == "evaluate":
            sub.add_argument(
                "--test-size",
                type=argument_type(Interval("int", 1), "test_size"),
                metavar="N",
                help="with --series, the last N rows scored, each forecast from the rows "
                "before it (default: the run's --test-size)",
            )
            sub.add_argument(
                "--season",
                type=argument_type(Interval("int", 1), "season"),
                metavar="P",
                help="with --series, the seasonal naive forecast's season in steps "
                "(default: the run's --season)",
            )
        add_text_options(sub, name)
        if name == "predict":
            sub.add_argument(
                "--out", metavar="CSV", help="write here (default, or -: standard output)"
            )
        else:
            sub.add_argument("--json", action="store_true", help="print one JSON object")
            sub.add_argument(
                "--out",
                metavar="IMAGE",
                help="a classifier's confusion matrix also drawn here (.png, .svg or .pdf; "
                "default: none drawn)",
            )
        sub.set_defaults(run=run)


def _model_file(path: str) -> Path:
    """``--model``'s file: the path itself, or a run directory's model.npz."""
    path = Path(path)
    return path / "model.npz" if path.is_dir() else path


def _model(path: str):
    from ..classifier.estimator import RNNClassifier
    from ..io import load

    path = _model_file(path)
    check_file(path, "model file")
    model = load(path)
    if not isinstance(model, RNNClassifier | RNNRegressor):
        raise ValueError(
            f"{path} holds a {type(model).__name__}, not a fitted RNNClassifier or RNNRegressor"
        )
    return model


def _data(args: argparse.Namespace, model):
    """The split to evaluate or predict (the model's classes decide ``--label auto``, its
    ``data_format`` the layout of an .npz file's X)."""
    classes = getattr(model, "classes_", None)
    if args.dataset:
        split, source = load_dataset(args.dataset).test, f"data set {args.dataset}"
    else:
        keys = (args.label, args.header, classes, model.data_format, args.id, args.time)
        split = read_split(args.data, *keys, auto_at=args.auto_at)
        source = args.data
    if not getattr(model, "tabular_", False):  # a table's features are its T columns
        check_channels(split, model.n_features_in_, source, "the model was trained on")
    return split


def _refuse_for_dataset(args: argparse.Namespace) -> None:
    """Refuse --label, --header, --id and --time given with a built-in --dataset, whose
    splits have no columns to choose (--label and --header were ignored without a word),
    as ``frnn train`` refuses them; before the run's recorded options fill them in."""
    given = [f"--{key}" for key in ("label", "header", "id", "time") if getattr(args, key)]
    if args.dataset and given:
        raise ValueError(
            f"{' and '.join(given)}: for --data files; a built-in --dataset has no columns "
            "to choose"
        )


def run_evaluate(args: argparse.Namespace) -> int:
    """Print accuracy (or RMSE, MAE and R²), loss and the number of series and, for a
    classifier, its confusion matrix and per-class precision, recall, F1; returns 0."""
    from .evaluation import draw_confusion, format_evaluation

    model = _model(args.model)
    if args.series:
        from .forecast import evaluate_forecast

        return evaluate_forecast(args, model)
    for name in ("test_size", "season"):
        if getattr(args, name) is not None:
            raise ValueError(f"--{name.replace('_', '-')}: for --series (one long series)")
    _refuse_for_dataset(args)
    recorded.apply(args, "evaluate")
    regression = isinstance(model, RNNRegressor)
    _check_evaluate(args, model, regression)  # before the work
    split = _data(args, model)
    if len(split.y) != split.X.shape[0]:
        raise ValueError(no_labels(args.data, " to evaluate against"))
    if regression and split.y.dtype.kind not in "biuf":
        got = split.y.flat[0].item()
        raise ValueError(
            f"{args.data}: a regressor needs numeric targets; got {got!r}{comma_hint(got)}"
        )
    if regression:
        _check_outputs(args.data, model, split.y)
        metrics = real_targets.evaluate(model, split, split.y)
    else:
        if model.target_type_ != "multilabel-indicator":
            _check_classes(args.data or args.dataset, split.y)
            check_labels(split.y, model.classes_, args.data or args.dataset, "the model's classes")
        metrics = class_targets.evaluate(model, split, split.y, per_class=True)
    print(rundir.json_text(metrics) if args.json else format_evaluation(metrics))
    if args.out:
        draw_confusion(
            metrics, args.out, title=f"{Path(args.model).name} on {args.data or args.dataset}"
        )
        if not args.json:
            print(f"wrote {args.out}")
    return 0


def _check_evaluate(args: argparse.Namespace, model, regression: bool) -> None:
    """Refuse what evaluate cannot do, before reading the data or evaluating: unlabelled
    data, and a confusion matrix (--out) of a regressor or a multi-label model."""
    from .evaluation import image_format

    if args.label == "none":
        raise ValueError(
            "--label none: evaluate compares the predictions with the labels; pass --label "
            "first, last or the name of the header column that holds them"
        )
    if not args.out:
        return
    if regression:
        raise ValueError("--out draws a classifier's confusion matrix; this is a regressor")
    if getattr(model, "target_type_", None) == "multilabel-indicator":
        raise ValueError("--out draws a confusion matrix; a multi-label model has none")
    image_format(args.out, "--out")  # as every command that draws
    check_target(args.out)  # a missing folder: refused before the scores are printed


def _check_classes(source: str, y: np.ndarray) -> None:
    """A classifier's file of several targets per series (a regressor's file; before: each
    value listed as a label the model did not know).  Real-valued targets, one a series,
    are :func:`check_labels`' to name: it says what an unlabelled file's values are."""
    if y.ndim == 2:
        raise ValueError(
            f"{source}: {y.shape[1]} targets per series, but the model is a classifier of one "
            "label per series"
        )


def _check_outputs(path: str, model, y: np.ndarray) -> None:
    """A regressor's targets (n,) or (n, K) against its outputs, named by the file (the
    estimator's words, "y has 1 output(s)", named no file and a Python argument)."""
    K = 1 if y.ndim == 1 else y.shape[1]
    if not model.sequence_ and y.ndim <= 2 and K != model.n_outputs_:
        raise ValueError(
            f"{path}: {K} target(s) per series, but the model was fitted to {model.n_outputs_}"
        )


def run_predict(args: argparse.Namespace) -> int:
    """Write one CSV row per series: its index, the predicted label, class probabilities.

    The index is the series' number from 1 in a column ``row``, or, read with ``--id``, its
    id in a column named as the file's id column.  A regressor's rows hold the predicted
    values: one column per output (``prediction``, or ``prediction_0`` … for K > 1), and
    one row per step (with a ``step`` column) for a model of sequence targets.
    """
    _check_out(args)
    model = _model(args.model)
    if args.series:
        from .forecast import run_forecast

        return _written(args, run_forecast(args, model))
    _refuse_for_dataset(args)
    recorded.apply(args, "predict")
    split = _data(args, model)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    index = ("row", range(1, split.X.shape[0] + 1))
    if split.ids is not None:  # the file's own names of the series, under its column's name
        index = (args.id, split.ids.tolist())
    if isinstance(model, RNNRegressor):
        _write_values(writer, model, split, index)
    else:
        labels, proba = model.predict(split), model.predict_proba(split)
        writer.writerow([index[0], "prediction", *(f"p_{c}" for c in model.classes_)])
        for i, label, p in zip(index[1], labels, proba, strict=True):
            writer.writerow([i, label, *(f"{v:.6g}" for v in p)])
    return _written(args, buffer.getvalue())


def _written(args: argparse.Namespace, text: str) -> int:
    """Write the predictions' CSV ``text`` to --out, or to standard output; returns 0."""
    if args.out and args.out != "-":  # "-": standard output, as for most commands
        rundir.atomic_write(args.out, text)
        print(f"wrote {args.out}")  # as frnn graph and plot do
    else:
        print(text, end="")
    return 0


def _check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that is the ``--data`` file or the model's: the predictions would
    replace it (they did, silently: the series, or the model, lost)."""
    if not args.out or args.out == "-":
        return
    check_target(args.out)  # before the work, not after it
    if not os.path.exists(args.out):
        return
    data = ("--series", args.series) if getattr(args, "series", None) else ("--data", args.data)
    for flag, path in (data, ("--model", _model_file(args.model))):
        if path is not None and os.path.exists(path) and os.path.samefile(args.out, path):
            raise ValueError(
                f"--out {args.out} is the {flag} file: the predictions would replace it; "
                "pass another --out"
            )


def _write_values(writer, regressor, split, index) -> None:
    """A regressor's predictions as rows: row (or id)[, step], prediction(s); ``index``
    the first column's name and values."""
    z, lengths = predictions(regressor, split)  # (n, K) or (n, T, K), the user's units
    K = z.shape[-1]
    names = ["prediction"] if K == 1 else [f"prediction_{k}" for k in range(K)]
    formats = [f"{{:.{d}g}}" for d in _digits(regressor)]  # (K,)
    if not regressor.sequence_:
        writer.writerow([index[0], *names])
        for i, values in zip(index[1], z, strict=True):
            writer.writerow([i, *(f.format(v) for f, v in zip(formats, values, strict=True))])
        return
    writer.writerow([index[0], "step", *names])
    for i, steps, length in zip(index[1], z, lengths, strict=True):
        for t in range(length):
            writer.writerow(
                [i, t + 1, *(f.format(v) for f, v in zip(formats, steps[t], strict=True))]
            )


def _digits(regressor) -> list[int]:
    """The significant digits each output (K,) is written with: 8 of its targets' spread
    ``y_scale_``, so more where their level ``y_mean_`` lies beyond it (targets of 1e15 ± 20
    were all written 1e+15), at most 17 (a float64's every digit)."""
    level = np.abs(regressor.y_mean_) / regressor.y_scale_  # (K,)
    extra = np.ceil(np.log10(np.maximum(level, 1.0)))
    return [int(d) for d in np.minimum(17, 8 + extra)]
