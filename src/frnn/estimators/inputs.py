"""The estimators' input path: X checked as scikit-learn asks, standardised, framed.

    X → in frnn's layout (``data_format``) → validated (n, T, D) float64 and lengths →
    standardised with the training mean and std → framed into f-sample steps in the
    estimator's dtype (what the BPTT networks read)

The arrays' work is the input layer's (:mod:`frnn.data.inputs`); this module adds what an
estimator records and checks: ``n_features_in_``, feature names, ``tabular_``, the training
lengths ``min_length_``, ``max_length_`` (:mod:`frnn.data.lengths`), ``mean_``, ``std_``,
``frame_size_``.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import validate_data

from ..data import inputs as data_inputs
from ..data import layouts
from ..data.lengths import record
from ..data.series import Series

__all__ = [
    "fit_standardisation",
    "keep_standardisation",
    "network_inputs",
    "standardised",
    "validated",
]


def validated(est, X, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
    """X checked: zero-padded (n, T, D) float64 and lengths (n,).

    X is first read in ``est.data_format``'s layout (:func:`frnn.channels_last`).

    (n, T) arrays are tables to scikit-learn: they go through its ``validate_data``
    (feature names, ``n_features_in_`` = T).  Sequences keep ``n_features_in_`` = D,
    checked when predicting.  ``reset`` (in ``fit``) records what later calls are
    checked against, the training lengths among them (:func:`frnn.data.lengths.record`).
    """
    if reset:
        for attr in ("n_features_in_", "feature_names_in_"):
            est.__dict__.pop(attr, None)
    X = layouts.channels_last(X, est.data_format)  # (n, T, D), a list, or a table
    ragged = isinstance(X, Series) or (isinstance(X, list | tuple) and data_inputs.ragged(X))
    two_d = not ragged and (X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim) == 2
    if two_d and (reset or est.tabular_):
        X = _table(est, X, reset)
    x, lengths, tabular = data_inputs.as_sequences(X, data_format="channels_last")
    if reset:
        record(est, lengths)
        est.tabular_ = tabular
        if not tabular:
            est.n_features_in_ = x.shape[2]
    elif not est.tabular_ and x.shape[2] != est.n_features_in_:
        raise ValueError(
            f"X has {x.shape[2]} features per step, but {type(est).__name__} is "
            f"expecting {est.n_features_in_} features as input{_one_series(est, X, two_d)}"
        )
    return x, lengths


def _one_series(est, X, two_d: bool) -> str:
    """A hint where a 2-D X (T, D) has the fitted D columns: one series of a model fitted on
    (n, T, D), passed without its batch axis (``X[0]``), read as T series of D steps."""
    shape = np.shape(X) if two_d else ()
    if len(shape) != 2 or shape[1] != est.n_features_in_:
        return ""
    return (
        f"; X of shape {shape} read as {shape[0]} series of {shape[1]} step(s): a single "
        f"series of {shape[0]} steps of {shape[1]} channels? Pass it with the batch axis, "
        "as a batch of one: X[None] (or X[:1], not X[0], from the array of series)"
    )


def _table(est, X, reset: bool) -> np.ndarray:
    """A 2-D X through scikit-learn's ``validate_data``, its conversion errors worded as the
    input layer's: they named no argument ("could not convert string to float: 'x'") or
    printed the whole array ("Complex data not supported [[...]]"), and text it parsed (a
    3-D X of text was refused: :func:`frnn.data.inputs.refuse_text`); a table of other T
    says how to fit series of any length.  NaN and infinity are the input layer's to
    refuse: scikit-learn's words advise an estimator that takes NaN, not series without
    padding."""
    if isinstance(X, np.ndarray | list | tuple):  # scikit-learn's float64 parses text
        data_inputs.refuse_text(np.asarray(X))
    try:
        return validate_data(est, X, reset=reset, dtype=np.float64, ensure_all_finite=False)
    except ValueError as error:
        text = str(error)
        if text.startswith("Complex data not supported"):
            raise ValueError(  # scikit-learn's words first: its estimator checks look for them
                f"Complex data not supported: X must hold real numbers; got dtype "
                f"{np.asarray(X).dtype}"
            ) from None
        if text.startswith("could not convert"):
            raise ValueError(f"X must be numeric; could not convert it: {text}") from None
        if not reset and " features, but " in text:  # T steps of a model fitted on a table
            if np.shape(X) == (est.n_features_in_, 1):  # X[0][:, None]: one series, (T, 1)
                raise ValueError(
                    f"{text} X of shape {np.shape(X)} reads as {np.shape(X)[0]} series of "
                    "one step: a single series? Pass it as one row of T values, shape "
                    "(1, T): x.reshape(1, -1), or X[:1] of the (n, T) array"
                ) from None
            raise ValueError(
                f"{text} The model was fitted on a 2-D X, a table whose T columns are its "
                "features (scikit-learn's convention): fit X as (n, T, 1), or a list of "
                "series, to predict series of other lengths"
            ) from None
        raise


def fit_standardisation(est, x: np.ndarray, lengths: np.ndarray) -> None:
    """``mean_``, ``std_`` (D,) of the training series (0 and 1: ``standardize=False``)."""
    keep_standardisation(est, *data_inputs.standardisation(x, lengths))


def keep_standardisation(est, mean: np.ndarray, std: np.ndarray) -> None:
    """``mean_``, ``std_`` (D,): the training series' (0 and 1: ``standardize=False``); the
    chunked fit (:mod:`frnn.estimators.chunked`) computes them from dask's reductions."""
    est.mean_, est.std_ = mean, std
    if not est.standardize:
        est.mean_, est.std_ = np.zeros_like(est.mean_), np.ones_like(est.std_)


def standardised(est, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(x − mean_) / std_ on real steps, zero on padding: (n, T, D) -> (n, T, D)."""
    return data_inputs.standardise(x, lengths, est.mean_, est.std_)  # (n, T, D)


def network_inputs(est, x, lengths) -> tuple[np.ndarray, np.ndarray]:
    """(bptt) What the networks read: standardised, framed inputs (n, T', f·D) in the
    dtype, and the steps (n,)."""
    x, steps = data_inputs.frame(standardised(est, x, lengths), lengths, est.frame_size_)
    _check_range(est, x)
    return x.astype(est.dtype), steps


def _check_range(est, x: np.ndarray) -> None:
    """Refuse standardised inputs x beyond the networks' dtype's largest value, which a
    cast would make infinite (series far larger than the training series, or X of 1e300
    with ``standardize=False``, in float32: the networks' check then named a "NaN or inf"
    in an x the user never passed)."""
    largest = np.abs(x).max(initial=0.0)
    if largest <= np.finfo(est.dtype).max:
        return
    if not est.standardize:
        raise ValueError(
            f"X reaches {largest:.3g}, beyond {est.dtype}'s range (dtype={est.dtype!r}, "
            "standardize=False): pass standardize=True, or X in smaller units"
        )
    raise ValueError(
        f"X standardised with the training series' mean and std reaches {largest:.3g}, "
        f"beyond {est.dtype}'s range (dtype={est.dtype!r}): are X's units those of the "
        "training series?"
    )
