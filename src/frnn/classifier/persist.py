"""A fitted RNNClassifier as the arrays and metadata of a model file, and back.

``frnn.io`` owns the file format (the archive, its metadata, the networks' arrays); this
module owns what of the estimator goes into it, so a new fitted attribute is one edit here.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .. import io

# Fitted attributes stored in the metadata (JSON); the arrays are stored as arrays.
FITTED = (
    "frame_size_",
    "tabular_",
    "target_type_",
    "n_iter_",
    "loss_curve_",
    "history_",
    "stopped_by_",
    "n_features_in_",
)


def to_arrays(clf) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the metadata of a fitted classifier's model file."""
    check_is_fitted(clf, "networks_")
    arrays = {"mean": clf.mean_, "std": clf.std_, "classes": _plain(clf.classes_, "classes_")}
    for i, net in enumerate(clf.networks_):
        arrays.update(io.network_arrays(net, f"net{i}/"))
    if hasattr(clf, "feature_names_in_"):
        arrays["feature_names"] = _plain(clf.feature_names_in_, "feature_names_in_")
    params = {k: v for k, v in clf.get_params().items() if k != "random_state"}
    state = clf.random_state
    params["random_state"] = state if state is None or isinstance(state, int) else None
    fitted = {name: getattr(clf, name) for name in FITTED if hasattr(clf, name)}
    meta = {
        "kind": "classifier",
        "params": params,
        "fitted": fitted,
        "networks": len(clf.networks_),
        **io.network_meta(clf.networks_[0]),
    }
    return arrays, meta


def from_arrays(arrays: dict[str, np.ndarray], meta: dict):
    """The fitted classifier that :func:`to_arrays` described."""
    from .estimator import RNNClassifier

    # Files of version 1 predate ``bias``: their networks have none, whatever the default.
    clf = RNNClassifier(**{"bias": meta.get("bias", False), **meta["params"]})
    clf.networks_ = [
        io.network_from_arrays(arrays, meta, f"net{i}/") for i in range(meta["networks"])
    ]
    clf.mean_, clf.std_, clf.classes_ = arrays["mean"], arrays["std"], arrays["classes"]
    if "feature_names" in arrays:
        clf.feature_names_in_ = arrays["feature_names"].astype(object)
    for name, value in meta["fitted"].items():
        if name not in FITTED:
            raise ValueError(f"unknown fitted attribute {name!r}")
        setattr(clf, name, value)
    return clf


def _plain(array: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype == object:
        try:
            return (
                array.astype(str)
                if all(isinstance(v, str) for v in array)
                else array.astype(np.float64)
            )
        except (TypeError, ValueError):
            pass
        raise ValueError(f"{name} has dtype object, which cannot be saved without pickle")
    return array
