"""Inputs of the classifier: series of any length, padded, standardised and framed.

X arrives as (n, T) univariate series, (n, T, D) multivariate ones, or a list of (T_i, D)
or (T_i,) arrays of different lengths.  The network reads frames: f consecutive samples
stacked into one step of f·D inputs, so a series of T samples becomes ⌈T/f⌉ steps.  The
network stays fully recurrent — only the clock is slower — and gradients travel f times
fewer steps, which is what lets it learn from series of hundreds of samples.
"""

from __future__ import annotations

import math

import numpy as np

from ..data.series import Series, pad


def validated(estimator, X, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
    """X checked for ``estimator``: zero-padded (n, T, D) float64 and lengths (n,).

    (n, T) arrays are tables to scikit-learn: they go through its ``validate_data`` (feature
    names, ``n_features_in_`` = T).  Sequences keep ``n_features_in_`` = D, checked when
    predicting.  ``reset`` (in ``fit``) records what later calls are checked against.
    """
    from sklearn.utils.validation import validate_data

    if reset:
        for attr in ("n_features_in_", "feature_names_in_"):
            estimator.__dict__.pop(attr, None)
    ragged = isinstance(X, Series) or (isinstance(X, list | tuple) and _ragged(X))
    two_d = not ragged and (X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim) == 2
    if two_d and (reset or estimator.tabular_):
        X = validate_data(estimator, X, reset=reset, dtype=np.float64)
    x, lengths, tabular = as_sequences(X)
    if reset:
        estimator.tabular_ = tabular
        if not tabular:
            estimator.n_features_in_ = x.shape[2]
    elif not estimator.tabular_ and x.shape[2] != estimator.n_features_in_:
        raise ValueError(
            f"X has {x.shape[2]} features per step, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input"
        )
    return x, lengths


def as_sequences(X, name: str = "X") -> tuple[np.ndarray, np.ndarray, bool]:
    """X as zero-padded (n, T, D) float64 with lengths (n,).

    Returns
    -------
    x : (n, T, D)
    lengths : (n,) ints ≥ 1
    tabular : whether X was a 2-D array (n, T), whose columns then count as features
    """
    if isinstance(X, Series):  # already padded, with its lengths (the command line's data)
        _finite(X.X, name)
        return np.asarray(X.X, dtype=np.float64), np.asarray(X.lengths, dtype=np.intp), False
    if isinstance(X, list | tuple) and X and _ragged(X):
        return (*_pad([_one_sequence(s, f"{name}[{i}]") for i, s in enumerate(X)]), False)
    array = _numeric(X, name)
    if array.ndim == 2:
        x = array[:, :, None]  # (n, T, 1)
    elif array.ndim == 3:
        x = array
    else:
        hint = " Reshape your data: X.reshape(1, -1) holds one series." if array.ndim < 2 else ""
        raise ValueError(
            f"{name} must be (n, T), (n, T, D) or a list of (T_i, D) arrays; "
            f"got an array of shape {array.shape}.{hint}"
        )
    if x.shape[0] == 0 or x.shape[1] == 0 or x.shape[2] == 0:
        raise ValueError(
            f"{name} must hold at least one sample, step and feature; got shape {array.shape}"
        )
    _finite(x, name)
    return x, np.full(x.shape[0], x.shape[1], dtype=np.intp), array.ndim == 2


def _ragged(X) -> bool:
    shapes = {np.shape(s) for s in X}
    return len(shapes) > 1


def _numeric(value, name: str) -> np.ndarray:
    try:
        array = np.asarray(value)
        if array.dtype == object:
            array = array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric; could not convert it: {error}") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric; got dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def _one_sequence(s, name: str) -> np.ndarray:
    array = _numeric(s, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"{name} must be a (T_i, D) or (T_i,) array with T_i ≥ 1; got shape {array.shape}"
        )
    _finite(array, name)
    return array


def _pad(seqs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    widths = {s.shape[1] for s in seqs}
    if len(widths) > 1:
        raise ValueError(f"every sequence of X must have the same D; got D in {sorted(widths)}")
    return pad(seqs)  # (n, T, D), (n,)


def _finite(x: np.ndarray, name: str) -> None:
    if not np.isfinite(x).all():
        raise ValueError(
            f"Input {name} contains NaN or infinity; "
            f"found {int((~np.isfinite(x)).sum())} such value(s)"
        )


def frame(x: np.ndarray, lengths: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack f consecutive samples into one step: (n, T, D) -> (n, ⌈T/f⌉, f·D).

    A series whose length is not a multiple of f is zero-padded inside its last frame.
    """
    n, T, D = x.shape
    steps = math.ceil(T / f)
    padded = np.zeros((n, steps * f, D), dtype=x.dtype)
    padded[:, :T] = x
    return padded.reshape(n, steps, f * D), -(-lengths // f)  # (n, T', f·D), ceil(len / f)


def mask(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(n, T) True on real steps."""
    return np.arange(x.shape[1])[None, :] < lengths[:, None]


def standardisation(x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation (D,) over every real step of every series.

    Whatever the data's scale (1e-300 or 1e300): the values are first divided by their
    largest magnitude m, so the sums cannot overflow and nothing small is mistaken for
    constant; mean and std are m times those of the scaled values (both ≤ m, finite).
    A feature is constant (std set to 1) when its spread is round-off relative to its mean.
    """
    real = x[mask(x, lengths)]  # (Σ T_i, D)
    m = np.abs(real).max(axis=0)  # (D,)
    m[m == 0] = 1.0
    scaled = real / m  # (Σ T_i, D) in [−1, 1]
    mean_s, std_s = scaled.mean(axis=0), scaled.std(axis=0)
    constant = ~(std_s > 1e-12 * np.abs(mean_s)) | (std_s == 0)
    std = std_s * m
    std[constant] = 1.0  # constant features stay put (only shifted by their mean)
    return mean_s * m, std


def standardise(
    x: np.ndarray, lengths: np.ndarray, mean: np.ndarray, std: np.ndarray
) -> np.ndarray:
    """(x − mean) / std on real steps, zero on padding: (n, T, D) -> (n, T, D).

    Computed as (x/s − mean/s) / (std/s) with s = max(|mean|, std), so x − mean cannot
    overflow when both are near the largest float.
    """
    s = np.maximum(np.abs(mean), std)  # (D,) > 0
    with np.errstate(over="ignore"):  # only where the result itself is beyond float64
        out = (x / s - mean / s) / (std / s)
    out[~mask(x, lengths)] = 0.0
    return out
