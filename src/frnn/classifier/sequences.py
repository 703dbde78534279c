"""The estimators' inputs checked as scikit-learn asks; the input layer is ``frnn.data.inputs``."""

from __future__ import annotations

import numpy as np

from ..data.inputs import as_sequences
from ..data.inputs import ragged as _ragged
from ..data.series import Series


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
