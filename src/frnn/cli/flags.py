"""Options as the user typed them: the flag that sets a Python parameter, and error
messages from the library rewritten to name flags (``--validation-fraction``) where they
name parameters (``validation_fraction``).

One mapping for every path: the command line's error handler passes each message through
:func:`with_flags`, so a rule checked deep in an estimator reads at the shell as the option
the user gave.
"""

from __future__ import annotations

import re

__all__ = ["flag", "trained_layout", "trained_lengths", "with_flags"]


def flag(name: str) -> str:
    """The option that sets ``name``: an estimator parameter (``hidden_size`` →
    ``--hidden-size``, ``random_state`` → ``--seed``) or a data destination
    (``data_n_train`` → ``--n-train``, ``data_seed`` → ``--data-seed``)."""
    if name == "random_state":
        return "--seed"
    if name in ("data_seed", "data_format"):  # data_format: the estimators' parameter
        return "--" + name.replace("_", "-")
    return "--" + name.removeprefix("data_").replace("_", "-")


# A parameter as an error message names it: ``name=value`` or ``name must``, or any
# ``snake_case`` name standing alone (not inside a word, a quote, a path or ``name_``).
_ALONE = r"(?<![\w.'\"/\\-])"
_ASSIGNED = re.compile(_ALONE + r"([a-z]\w*)=('([^']*)'|[^\s,;)]+)")
_NAMED = re.compile(_ALONE + r"([a-z]\w*)(?=\s+must\b)")
_SNAKE = re.compile(_ALONE + r"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w(]|\.\w)")
_HEADER_WORDS = {"True": "yes", "False": "no", "None": "auto"}
_DATA_OPTION = re.compile(r"\boption (\w+) of data set")
_NONE = re.compile(r"\b(or|be|got) None\b")  # "... or None", "must be None, ...", "got None"


def with_flags(text: str, names) -> str:
    """An error message from the library with each of ``names`` (Python parameters)
    named by its option: ``validation_fraction=0.9 leaves ...`` →
    ``--validation-fraction 0.9 leaves ...``, ``hidden_size must be`` → ``--hidden-size
    must be``.
    """
    names = set(names)

    def assigned(match):
        if match[1] not in names:
            return match[0]
        value = match[3] if match[3] is not None else match[2]
        if match[1] == "header":  # the readers' True / False / None, as --header takes them
            value = _HEADER_WORDS.get(value, value)
        return f"{flag(match[1])} {value}"

    def named(match):
        return flag(match[1]) if match[1] in names else match[0]

    text = _ASSIGNED.sub(assigned, text)
    text = _NAMED.sub(named, text)
    text = _SNAKE.sub(named, text)
    text = _DATA_OPTION.sub(lambda m: f"option {flag('data_' + m[1])} of data set", text)
    # Python's None is typed "none" on the command line ("--clip none", "--seed none"),
    # where the library's phrasings name it; a field or a path of the user's is kept.
    return _NONE.sub(r"\1 none", text)


_LAYOUT_ADVICE = re.compile(r"\bpass data_format='(\w+)'")


def trained_layout(text: str) -> str:
    """A layout message at ``predict`` or ``evaluate``, which read an ``.npz`` file's X in the
    layout the model was trained on (they take no ``--data-format``): the library's "pass
    data_format='channels_first'" becomes "train the model with --data-format
    channels_first"."""
    return _LAYOUT_ADVICE.sub(r"train the model with --data-format \1", text)


def trained_lengths(text: str, data: str) -> str:
    """A length warning at ``predict``, ``evaluate`` or ``train`` (:class:`frnn.LengthWarning`),
    in the command's terms: "series of X" are the series of ``data`` (the file or data set
    read, or the test split), and the advice to fit is one to train."""
    text = text.replace(" series of X are ", f" series of {data} are ")
    text = text.replace("the series of X is ", f"the series of {data} is ")
    return text.replace("; fit on series of the lengths", "; train on series of the lengths")
