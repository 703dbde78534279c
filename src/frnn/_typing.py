"""The types the public signatures name (``py.typed``: type checkers read them).

Every alias here resolves at run time, so ``typing.get_type_hints`` works on every public
function; torch, an optional extra, is therefore named as ``Any`` where it appears.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

__all__ = [
    "Array",
    "ArrayLike",
    "Callback",
    "DTypeLike",
    "Estimator",
    "NetworkLike",
    "PathLike",
    "Seed",
    "T",
]

PathLike = str | os.PathLike[str]
Seed = int | np.random.Generator | None  # None: fresh entropy on every call
# An array of any array-API library (numpy, torch, ...): the scans run in the inputs' own.
Array = Any
Callback = Callable[[dict[str, Any]], Any]  # returning True stops training
T = TypeVar("T")  # init returns the object it was given, with its weights set


class NetworkLike(Protocol):
    """Anything holding the weights W (I, D), R (I, I), V (K, I): a
    :class:`frnn.FullyRecurrentNetwork`, a ``types.SimpleNamespace`` filled by
    :func:`frnn.init`, or any class instance with these attributes (and optionally b, c,
    ``activation``, ``loss``)."""

    W: np.ndarray
    R: np.ndarray
    V: np.ndarray


class Estimator(Protocol):
    """A fitted :class:`frnn.RNNClassifier` or :class:`frnn.RNNRegressor`, as a type
    checker needs to know it (scikit-learn's estimator interface); named by a protocol so
    that the modules saving and loading models do not import scikit-learn."""

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...

    def predict(self, X: ArrayLike) -> Any: ...
