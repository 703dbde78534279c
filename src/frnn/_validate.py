"""Checks at the public boundary: each message names the argument, what was expected and
what was given.  Inside the engine the arrays are trusted."""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(value, name: str, dtype=None) -> np.ndarray:
    """``value`` as a floating numpy array (float64 unless ``dtype`` says otherwise)."""
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


def check_positive_int(value, name: str) -> int:
    """A size such as D, I, K or T: a positive Python or numpy integer (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value}")
    return int(value)


def check_choice(value, name: str, choices) -> str:
    """A string option among ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}; got {value!r}")
    return value
