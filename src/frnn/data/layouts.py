"""Data as other libraries hand it: their containers and layouts turned into frnn's, never guessed.

frnn's layout is PyTorch's (``batch_first``) and Keras': (n, T) univariate series, (n, T, D)
multivariate ones, a list of (T_i, D) arrays.  aeon and sktime hold a collection as
(n_cases, n_channels, n_timepoints) — channels first — and a list of (n_channels, T_i)
arrays for unequal lengths.  Both layouts are 3-D arrays, so a shape cannot say which one
it is: the layout is stated (``data_format``), and a shape that frnn's layout reads
implausibly is refused or warned about, naming the fix:

==================  ==========================================================================
``data_format``     X is read as
==================  ==========================================================================
None (default)      (n, T, D), checked: a single step with several channels is refused, more
                    channels than steps warned about (:class:`LayoutWarning`)
"channels_last"     (n, T, D), as stated: no check
"channels_first"    (n, C, T), aeon's and sktime's: transposed; lists of (C, T_i) arrays too
==================  ==========================================================================

Containers whose layout is written in them are read whatever ``data_format`` says: a
pandas DataFrame with a (case, time) MultiIndex (aeon's and sktime's "pd-multiindex"),
one whose cells hold series (sktime's "nested_univ"), torch tensors (detached and copied
to the CPU).  A plain DataFrame is a table, (n, T), as scikit-learn reads it.  Neither
pandas nor torch is imported here: they are recognised by their attributes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DATA_FORMATS", "LayoutWarning", "channels_last", "check_layout"]

DATA_FORMATS = ("channels_last", "channels_first")

_FIX = (
    "If X is (n_cases, n_channels, n_timepoints), the layout of aeon and sktime, pass "
    "data_format='channels_first' (or X.transpose(0, 2, 1))"
)


class LayoutWarning(UserWarning):
    """X's shape reads implausibly in frnn's layout (n, T, D): more channels than steps."""


def channels_last(X: Any, data_format: str | None = None, name: str = "X") -> Any:
    """X in frnn's layout: an (n, T) or (n, T, D) array, or a list of (T_i, D) arrays.

    Parameters
    ----------
    X : array-like (n, T) or (n, T, D) (``data_format`` None or "channels_last"), or
        (n, C, T) (``"channels_first"``); a list of such series, (T_i, D) or (C, T_i); a
        pandas DataFrame (a table, a (case, time) MultiIndex or cells holding series); a
        torch tensor
    data_format : None, "channels_last" or "channels_first"
    name : the argument's name in messages

    Returns
    -------
    X as given when it already is frnn's (an array, a list, a DataFrame table, a
    :class:`~frnn.data.series.Series`), else an (n, T, D) array or a list of (T_i, D) arrays.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.zeros((50, 1, 150))           # aeon's GunPoint: 50 cases, 1 channel, T = 150
    >>> channels_last(X, "channels_first").shape
    (50, 150, 1)
    """
    if data_format is not None and data_format not in DATA_FORMATS:
        raise ValueError(
            f"data_format must be one of {list(DATA_FORMATS)} or None; got {data_format!r}"
        )
    X = _numpy(X)
    if _is_frame(X):
        frame = _from_frame(X, name)
        if frame is not None:
            return frame
        return X  # a table (n, T): scikit-learn's reading
    if isinstance(X, list | tuple):
        X = [_numpy(s) for s in X]
        if data_format == "channels_first":
            return [_transposed(s, f"{name}[{i}]") for i, s in enumerate(X)]
        shapes = {np.shape(s) for s in X}
        if data_format is None and len(shapes) == 1 and len(next(iter(shapes))) == 2:
            check_layout((len(X), *shapes.pop()), name)  # equal shapes: a 3-D array
        return X
    shape = _shape(X)
    if data_format == "channels_first" and len(shape) == 3:
        return np.asarray(X).transpose(0, 2, 1)
    if data_format is None and len(shape) == 3:
        check_layout(shape, name)
    return X


def check_layout(shape: tuple, name: str = "X") -> None:
    """Refuse an (n, T, D) X of a single step with several channels; warn when D > T.

    Both are what aeon's (n_cases, n_channels, n_timepoints) looks like read as frnn's.
    """
    import warnings

    n, T, D = shape
    if T == 1 and D > 1:
        raise ValueError(
            f"{name} has shape {tuple(shape)}, which frnn reads as (n, T, D): {n} series of "
            f"a single step with {D} channels, nothing for a recurrent network to follow in "
            f"time. {_FIX}; if each series really is one step, pass "
            "data_format='channels_last'"
        )
    if 1 < T < D:
        warnings.warn(
            f"{name} has shape {tuple(shape)}, which frnn reads as (n, T, D): {n} series of "
            f"{T} steps with {D} channels each, more channels than steps. {_FIX}; pass "
            "data_format='channels_last' to state frnn's layout and silence this warning",
            LayoutWarning,
            stacklevel=4,
        )


def _numpy(X):
    """A torch tensor as a numpy array (detached, on the CPU); anything else as it is."""
    if type(X).__module__.split(".")[0] == "torch" and hasattr(X, "detach"):
        return X.detach().cpu().numpy()
    return X


def _shape(X) -> tuple:
    """X's shape as numpy sees it (its own ``shape``, else its array's); () when it has none
    (X is then refused downstream, in the terms of what was expected)."""
    if hasattr(X, "shape") and hasattr(X, "ndim"):
        return tuple(X.shape)
    try:
        return np.asarray(X).shape
    except (TypeError, ValueError):
        return ()


def _transposed(s, name: str) -> np.ndarray:
    """One (C, T_i) series of aeon's list layout as (T_i, C); a (T_i,) one as it is."""
    array = np.asarray(s)
    if array.ndim == 2:
        return array.T
    if array.ndim == 1:
        return array
    raise ValueError(
        f"{name} must be a (n_channels, n_timepoints) or (n_timepoints,) array with "
        f"data_format='channels_first'; got shape {array.shape}"
    )


def _is_frame(X) -> bool:
    """Whether X is a pandas DataFrame (told by its attributes: pandas is not imported)."""
    return all(hasattr(X, a) for a in ("columns", "index", "iloc", "to_numpy"))


def _from_frame(X, name: str):
    """A DataFrame that holds series: a (case, time) MultiIndex, or cells that are series;
    None for a table."""
    if getattr(X.index, "nlevels", 1) == 2:
        return _from_multiindex(X, name)
    if X.shape[0] and X.shape[1] and any(np.ndim(cell) == 1 for cell in X.iloc[0]):
        return _from_nested(X, name)
    if getattr(X.index, "nlevels", 1) > 2:
        raise ValueError(f"{name} has a MultiIndex of {X.index.nlevels} levels; expected 2")
    return None


def _from_multiindex(X, name: str) -> list[np.ndarray]:
    """Rows indexed by (case, time), one column per channel -> one (T_i, C) array per case,
    cases in the order they first appear, each case's rows in the order of their times (as
    a long-format file's: :mod:`frnn.data.keyed`); two rows of one case at one time are
    refused.  Rows out of time order were taken as given: a series scrambled, silently.
    One sort of the rows: a pass over them per case took minutes for 10^4 cases."""
    values = _values(X, name)  # (Σ T_i, C)
    cases = np.asarray(X.index.get_level_values(0))
    times = np.asarray(X.index.get_level_values(1))
    try:
        _, first, case = np.unique(cases, return_index=True, return_inverse=True)
    except TypeError:
        raise ValueError(f"{name}'s cases (the index's first level) cannot be ordered") from None
    try:
        _, time = np.unique(times, return_inverse=True)
    except TypeError:
        raise ValueError(f"{name}'s times (the index's second level) cannot be ordered") from None
    case = np.argsort(np.argsort(first))[case.ravel()]  # numbered as they first appear
    order = np.lexsort((time.ravel(), case))  # by case, then by time
    case, time = case[order], time.ravel()[order]
    same = np.flatnonzero((case[1:] == case[:-1]) & (time[1:] == time[:-1]))
    if same.size:
        row = order[same[0]]
        raise ValueError(
            f"{name} has two rows of case {cases[row]} at time {times[row]}; expected one row "
            "per (case, time)"
        )
    ends = np.cumsum(np.bincount(case, minlength=len(first)))[:-1]
    return np.split(values[order], ends)  # each (T_i, C)


def _from_nested(X, name: str) -> list[np.ndarray] | np.ndarray:
    """One row per case, one column per channel, each cell a series -> (T_i, C) per case."""
    series = []
    for i in range(X.shape[0]):
        cells = [np.asarray(cell, dtype=np.float64) for cell in X.iloc[i]]
        if any(c.ndim != 1 for c in cells) or len({c.shape[0] for c in cells}) != 1:
            shapes = [c.shape for c in cells]
            raise ValueError(
                f"{name}'s row {i} must hold one series per column, all of one length; "
                f"got cells of shapes {shapes}"
            )
        series.append(np.stack(cells, axis=1))  # (T_i, C)
    return np.stack(series) if len({s.shape for s in series}) == 1 else series


def _values(X, name: str) -> np.ndarray:
    try:
        return X.to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numbers; could not convert it: {error}") from None
