"""Command-line options generated from the estimators' signatures and docstrings.

Every parameter of ``RNNClassifier`` and of ``RNNRegressor`` becomes ``--name-with-dashes``
(``--task`` picks the estimator); its type follows the default (``none`` is accepted where
the estimator allows None), its help line is the docstring's.  A yes/no parameter is also
a switch: ``--bias`` alone means true, ``--no-bias`` false (``--bias false`` works too).
The values are checked by the
estimator itself, so the rules live in one place.
"""

from __future__ import annotations

import argparse
import inspect
import re

from ..classifier.estimator import RNNClassifier
from ..data.datasets import DATASETS
from ..regressor.estimator import RNNRegressor
from .data import add_text_options
from .flags import flag

__all__ = [
    "ESTIMATORS",
    "CLI_DEFAULTS",
    "DATA_OPTIONS",
    "add_data_options",
    "add_estimator_options",
    "estimator_defaults",
]

#: Where the command line departs from the estimator's defaults, and why.
CLI_DEFAULTS = {"random_state": 0}  # a fixed seed: config.json then repeats the run exactly

#: Options of the synthetic data sets, as command-line destinations.
DATA_OPTIONS = sorted({key for options in DATASETS.values() for key in options})


#: The estimator ``frnn train --task`` fits.
ESTIMATORS = {"classification": RNNClassifier, "regression": RNNRegressor}


def estimator_defaults(task: str = "classification") -> dict:
    """Every parameter of the task's estimator with the command line's default."""
    signature = inspect.signature(ESTIMATORS[task].__init__)
    defaults = {name: p.default for name, p in signature.parameters.items() if name != "self"}
    return {**defaults, **CLI_DEFAULTS}


def all_defaults() -> dict:
    """Every parameter of either estimator: the classifier's, then the regressor's own."""
    return {**estimator_defaults("regression"), **estimator_defaults("classification")}


def _param_help(doc: str) -> dict[str, str]:
    """``{name: description}`` from the (dedented) numpydoc Parameters section."""
    section = doc.split("Parameters\n", 1)[-1].split("Attributes\n", 1)[0]
    helps: dict[str, str] = {}
    name = None
    for line in section.splitlines():
        match = re.match(r"^(\w+) : (.*)$", line)
        if match:
            name, helps[match[1]] = match[1], match[2].strip()
        elif name and line.startswith(" " * 4):
            helps[name] += " " + line.strip()
    return {key: _plain(value).replace("%", "%%") for key, value in helps.items()}


def _plain(text: str) -> str:
    """A docstring's reStructuredText as a terminal shows it: ``:func:`frnn.init``` and
    ````x```` as frnn.init and x."""
    text = re.sub(r":(?:func|mod|class|meth|attr|data|obj):`~?([^`]+)`", r"\1", text)
    return text.replace("``", "")


#: Help lines of the command line's own, where the docstring's speaks of Python objects.
_CLI_HELP = {
    "random_state": "an integer, or none for a fresh random seed (drawn once and recorded "
    "in the run's config.json, so that --resume continues the same run)",
    # the docstring's "dict {label: weight}" has no command-line form: it was refused
    "class_weight": "none, or balanced: each series' weight in the loss inversely "
    "proportional to its class's frequency (a dict {label: weight} is the Python "
    "estimators' alone)",
}


def _parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in {"true", "yes", "1"}:
        return True
    if lowered in {"false", "no", "0"}:
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _parse_pair(text: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH (two numbers), got {text!r}") from None
    return low, high


def _parse_seed(text: str) -> int | None:
    """--seed: an integer in [0, 2**32), or none (the estimators also take a numpy
    generator, which a command line cannot)."""
    if text.lower() == "none":
        return None
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(f"expected an integer in [0, 2**32) or none, got {text!r}")
    return seed


def _value_type(default, name: str = ""):
    """A parser for values like ``default``; ``none`` gives None for numbers; a word is kept
    where the default is None (class_weight's "balanced"), for the estimator to check, and
    a number is read as one where the default is a word that numbers may replace
    (neighbour_weight's "auto" or β)."""
    if isinstance(default, bool):
        return _parse_bool
    if isinstance(default, str):
        return _word_or_number if name in _WORD_OR_NUMBER else str
    if isinstance(default, tuple):
        return _parse_pair

    def parse(text: str):
        if text.lower() == "none":
            return None
        for kind in (int, float) if not isinstance(default, float) else (float,):
            try:
                return kind(text)
            except ValueError:
                pass
        if default is None:
            return text
        raise argparse.ArgumentTypeError(f"expected a number or none, got {text!r}")

    return parse


# Parameters whose default is a word but which take a number too
_WORD_OR_NUMBER = {"neighbour_weight"}


def _word_or_number(text: str):
    """``text`` as a float where it reads as one ("3", "inf"), else the word itself."""
    try:
        return float(text)
    except ValueError:
        return text


def add_estimator_options(parser: argparse.ArgumentParser) -> None:
    """One option per estimator parameter; unset options are absent from the namespace."""
    parser.add_argument(
        "--task",
        choices=sorted(ESTIMATORS),
        default=argparse.SUPPRESS,
        help="fit an RNNClassifier (class labels) or an RNNRegressor (real-valued targets) "
        "(default: the built-in set's task, else classification)",
    )
    group = parser.add_argument_group(
        "model and training (RNNClassifier's and RNNRegressor's parameters)"
    )
    helps = {
        **_param_help(inspect.getdoc(RNNRegressor) or ""),
        **_param_help(inspect.getdoc(RNNClassifier) or ""),
    }
    own = {
        task: set(estimator_defaults(task)) - set(estimator_defaults(other))
        for task, other in (("classification", "regression"), ("regression", "classification"))
    }
    helps.update(_CLI_HELP)
    for name, default in all_defaults().items():
        option = "--" + name.replace("_", "-")
        flags = [option] + (["--seed"] if name == "random_state" else [])
        only = next((f"; {task} only" for task in own if name in own[task]), "")
        switch = {"nargs": "?", "const": True} if isinstance(default, bool) else {}
        group.add_argument(
            *flags,
            dest=name,
            type=_parse_seed if name == "random_state" else _value_type(default, name),
            default=argparse.SUPPRESS,
            metavar=_metavar(default, name),
            help=f"{helps.get(name, '')} (default: {_shown(default)}{only})",
            **switch,
        )
        if switch:
            group.add_argument(
                "--no-" + option[2:],
                dest=name,
                action="store_false",
                default=argparse.SUPPRESS,
                help=f"the same as {option} false",
            )


def _metavar(default, name: str = "") -> str:
    if isinstance(default, tuple):
        return "LOW,HIGH"
    if name in _WORD_OR_NUMBER:
        return "WORD|NUMBER"
    return type(default).__name__.upper() if default is not None else "VALUE"


def _shown(default) -> str:
    return ",".join(f"{v:g}" for v in default) if isinstance(default, tuple) else str(default)


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """--dataset and its options, or --train/--test files."""
    group = parser.add_argument_group("data")
    group.add_argument(
        "--dataset",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help=f"a built-in data set: {', '.join(DATASETS)} (default: gunpoint)",
    )
    group.add_argument(
        "--train",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="training data: .ts, .csv/.tsv/.txt (see --label) or .npz (default: the --dataset)",
    )
    group.add_argument(
        "--test",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="test data, in the same formats (optional)",
    )
    add_text_options(group, "train")
    for key in DATA_OPTIONS:
        group.add_argument(
            flag(f"data_{key}"),
            dest=f"data_{key}",
            type=int,
            default=argparse.SUPPRESS,
            metavar="N",
            help=_data_help(key),
        )


_DATA_HELP = {
    "length": "sequence length",
    "max_length": "longest string",
    "n_train": "number of training series",
    "n_test": "number of test series",
    "seed": "seed that generates the set",
}


def _data_help(key: str) -> str:
    """What a synthetic set's option means, with each set's default."""
    defaults = ", ".join(f"{name} {opts[key]}" for name, opts in DATASETS.items() if key in opts)
    return f"{_DATA_HELP.get(key, key)} (default: {defaults})"
