"""Checks at the public boundary: each message names the argument, what was expected and
what was given.  Inside the engine the arrays are trusted.

Number ranges and option lists share one vocabulary, in the style of scikit-learn's
``Interval`` / ``StrOptions``: a rule is declared once beside its owner
(``Interval("int", 1)``, ``Options(OPTIMIZERS)``) and checked by ``rule.check(value, name)``
wherever the value enters (Python arguments, config files, the command line's
``argument_type``).
"""

from __future__ import annotations

import argparse
import math
import numbers
import os

import numpy as np


class InvalidParameterError(ValueError, TypeError):
    """A bad argument value; both a ValueError and a TypeError, as scikit-learn's."""


def _bound(value) -> str:
    """A bound as written: integers in full (2**32 is 4294967296, not 4.29497e+09)."""
    return str(int(value)) if isinstance(value, numbers.Integral) else f"{value:g}"


class Interval:
    """Numbers of one kind in a range: ``Interval("int", 1)`` is the integers ≥ 1.

    Parameters
    ----------
    kind : {"int", "real"}
        "int" accepts Python and numpy integers; "real" also floats.  bool never passes.
    low, high : the bounds; None for unbounded (−inf, inf).  inf and NaN never pass.
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the range.
    none : whether None is accepted too.
    """

    def __init__(self, kind: str, low=None, high=None, *, closed: str = "left", none=False):
        self.kind, self.low, self.high, self.closed, self.none = kind, low, high, closed, none

    def __contains__(self, value) -> bool:
        if value is None:
            return self.none
        wanted = numbers.Integral if self.kind == "int" else numbers.Real
        if isinstance(value, bool | np.bool_) or not isinstance(value, wanted):
            return False
        if not isinstance(value, numbers.Integral) and not math.isfinite(value):
            return False  # inf and NaN (a huge int cannot be converted, and needs no test)
        left = self.closed in ("left", "both")
        right = self.closed in ("right", "both")
        if self.low is not None and not (self.low <= value if left else self.low < value):
            return False
        return self.high is None or (value <= self.high if right else value < self.high)

    def __str__(self) -> str:
        text = _WORDS.get((self.kind, self.low, self.closed)) if self.high is None else None
        if text is None:
            text = self._interval()
        return text + (" or None" if self.none else "")

    def _interval(self) -> str:
        what = "an integer" if self.kind == "int" else "a real number"
        if self.low is None and self.high is None:
            return what  # any: "an integer in [-inf, inf)" says no more, less clearly
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        return f"{what} in {left}{_bound(low)}, {_bound(high)}{right}"

    def check(self, value, name: str):
        """``value`` unchanged when in range; else InvalidParameterError naming ``name``."""
        if value not in self:
            raise InvalidParameterError(f"{name} must be {self}; got {value!r}")
        return value

    def parse(self, text: str):
        """The number written in ``text`` (``none`` for None where allowed), checked."""
        if self.none and text.strip().lower() == "none":
            return None
        try:
            value = int(text) if self.kind == "int" else float(text)
        except ValueError:
            value = text  # reported below as what was given
        return self.check(value, "the value")


# The common ranges in words: "a positive integer" reads better than "in [1, inf)".
_WORDS = {
    ("int", 1, "left"): "a positive integer",
    ("int", 0, "left"): "a non-negative integer",
    ("real", 0, "neither"): "a positive number",
    ("real", 0, "left"): "a non-negative number",
}


class Options:
    """One of a fixed list of values: ``Options(("adam", "sgd"))``.

    A value matches an option when it is that object or an equal string, so True does
    not pass for 1 nor 1 for True.
    """

    def __init__(self, options, *, none: bool = False):
        self.options, self.none = tuple(options), none

    def __contains__(self, value) -> bool:
        if value is None and self.none:
            return True
        return any(
            value is option or (isinstance(value, str) and value == option)
            for option in self.options
        )

    def __str__(self) -> str:
        return f"one of {list(self.options)}" + (" or None" if self.none else "")

    def check(self, value, name: str):
        """``value`` unchanged when it is an option; else InvalidParameterError."""
        if value not in self:
            raise InvalidParameterError(f"{name} must be {self}; got {value!r}")
        return value


class Seed:
    """A ``random_state``: None, an integer in [0, 2**32) or a numpy random generator
    (``RandomState`` or ``Generator``), so that a float is refused by the estimator naming
    the parameter rather than deep inside numpy's seeding."""

    _INT = Interval("int", 0, 2**32)

    def __contains__(self, value) -> bool:
        generators = np.random.RandomState | np.random.Generator
        return value is None or isinstance(value, generators) or value in self._INT

    def __str__(self) -> str:
        return "None, an integer in [0, 2**32) or a numpy random generator"

    def check(self, value, name: str):
        """``value`` unchanged when it seeds; else InvalidParameterError naming ``name``."""
        if value not in self:
            raise InvalidParameterError(f"{name} must be {self}; got {value!r}")
        return value


def argument_type(rule: Interval, name: str):
    """An argparse ``type`` for ``rule``: a bad value is argparse's one-line usage error."""

    def parse(text: str):
        try:
            return rule.parse(text)
        except InvalidParameterError:
            raise argparse.ArgumentTypeError(f"must be {rule}; got {text!r}") from None

    parse.__name__ = name  # argparse names the type in "invalid <name> value"
    return parse


def check_file(path, what: str = "file") -> None:
    """A path to read: FileNotFoundError "PATH: no such WHAT", or IsADirectoryError when it
    names a directory (``open`` would say only [Errno 21], and "no such file" would mislead),
    or ValueError when it names a pipe or a device (which "no such file" called it)."""
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path}: a directory, not a {what}")
    if os.path.exists(path) and not os.path.isfile(path):  # a pipe (`<(zcat f)`), a device
        raise ValueError(f"{path}: not a regular file (a pipe or a device); save it to a file")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such {what}")


def check_positive_int(value, name: str) -> int:
    """A size such as D, I, K or T: a positive Python or numpy integer (not a bool)."""
    return int(Interval("int", 1).check(value, name))


def check_choice(value, name: str, choices) -> str:
    """A string option among ``choices`` (a container of strings, e.g. a dict's keys)."""
    if isinstance(value, str) and value in choices:  # checked on every forward: no list built
        return value
    return Options(sorted(choices)).check(value, name)


def as_float_array(value, name: str, dtype=None) -> np.ndarray:
    """``value`` as a floating numpy array (float64 unless ``dtype`` says otherwise)."""
    if type(value) is np.ndarray and value.dtype == dtype and value.dtype.kind == "f":
        return value  # already what is asked for (a training step's x and y): no checks to run
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a numeric array; got {type(value).__name__}") from error
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be a numeric array; got dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real; got dtype {array.dtype}")
    target = np.dtype(dtype) if dtype is not None else np.result_type(array.dtype, np.float64)
    return array.astype(target, copy=False)


def check_finite(array: np.ndarray, name: str, *, allow_inf: bool = False, where=None) -> None:
    """Reject NaN (and ±inf unless ``allow_inf``), optionally only where ``where`` is True."""
    values = array if where is None else array[where]
    bad = np.isnan(values) if allow_inf else ~np.isfinite(values)
    if bad.any():
        what = "NaN" if allow_inf else "NaN or inf"
        raise ValueError(f"{name} must not contain {what}; found {int(bad.sum())} such value(s)")


def check_unit_interval(y: np.ndarray, name: str, where=None) -> None:
    """Targets of the cross-entropy must be probabilities."""
    values = y if where is None else y[where]
    if values.size and (values.min() < 0 or values.max() > 1):
        raise ValueError(
            f"{name} must lie in [0, 1] for the bce loss; got values in "
            f"[{values.min():g}, {values.max():g}]"
        )


def check_named_arrays(value, name: str, like=None, *, in_place: bool = False) -> dict:
    """A dict ``{name: ndarray}`` such as a model's gradients; with ``like`` (another such
    dict), one array of the same shape for each of its keys; with ``in_place``, arrays of
    floats (the caller scales or updates them in place, which an integer array refuses)."""
    if not isinstance(value, dict):
        raise TypeError(
            f"{name} must be a dict of numpy arrays, as backward returns; got "
            f"{type(value).__name__}"
        )
    for key, array in value.items():
        if not isinstance(array, np.ndarray):
            raise TypeError(
                f"{name}[{key!r}] must be a numpy array, as backward returns; got "
                f"{type(array).__name__}"
            )
        if in_place and array.dtype.kind != "f":
            raise TypeError(
                f"{name}[{key!r}] must be an array of floats (it is changed in place); got "
                f"{array.dtype}: pass {name}[{key!r}].astype(float)"
            )
    for key, array in (like or {}).items():
        if key not in value or value[key].shape != np.shape(array):
            got = value[key].shape if key in value else "nothing"
            raise ValueError(f"{name}[{key!r}] must have shape {np.shape(array)}; got {got}")
    return value


def check_integers(value, name: str, *, low: int = 1) -> np.ndarray:
    """An integer array (integral floats pass, as numpy's own ``astype`` would truncate
    others silently): ``value`` as intp, each at least ``low``."""
    array = np.asarray(value)
    if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.intp)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integers; got {array.dtype} values {_shown(array)}")
    if array.size and array.min() < low:
        raise ValueError(f"{name} must be at least {low}; got {int(array.min())}")
    return array.astype(np.intp, copy=False)


def check_label_kinds(y: np.ndarray, name: str = "y") -> None:
    """Class labels held as objects must be of one kind, all numbers or all text, none
    missing: mixed they cannot be sorted into classes, and scikit-learn's message for them
    ("Unknown label type: unknown ... a regression target") points elsewhere."""
    if y.dtype != object:
        return
    values = y.ravel()
    missing = sum(v is None or (isinstance(v, numbers.Number) and v != v) for v in values)
    if missing:
        raise ValueError(f"{name} must not hold missing labels (None or NaN); found {missing}")
    kinds = {"text" if isinstance(v, str) else "number" for v in values}
    if len(kinds) > 1 or not all(isinstance(v, str | numbers.Number) for v in values):
        got = ", ".join(sorted({type(v).__name__ for v in values}))
        raise ValueError(f"{name} must hold labels of one kind, all numbers or all text; got {got}")


def _shown(array: np.ndarray) -> str:
    flat = array.ravel()
    return repr(flat[:5].tolist()) + (" ..." if flat.size > 5 else "")
