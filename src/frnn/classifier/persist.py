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
    """The fitted classifier that :func:`to_arrays` described, checked for consistency.

    Every field is checked for its type and its relation to the arrays (the networks'
    sizes against the classes, the frame size and the standardisation), so a file that
    loads also predicts; anything else is a ValueError.
    """
    from .estimator import RNNClassifier
    from .params import check_params

    if not isinstance(meta["params"], dict) or not isinstance(meta["fitted"], dict):
        raise ValueError("params and fitted must be JSON objects")
    unknown = set(meta["params"]) - set(RNNClassifier().get_params())
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    clf = RNNClassifier(**meta["params"])
    check_params(clf)
    n = meta["networks"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= clf.n_ensemble:
        raise ValueError(f"networks must be an integer in [1, n_ensemble]; got {n!r}")
    clf.networks_ = [io.network_from_arrays(arrays, meta, f"net{i}/") for i in range(n)]
    clf.mean_, clf.std_, clf.classes_ = arrays["mean"], arrays["std"], arrays["classes"]
    if "feature_names" in arrays:
        clf.feature_names_in_ = arrays["feature_names"].astype(object)
    for name, value in meta["fitted"].items():
        if name not in FITTED:
            raise ValueError(f"unknown fitted attribute {name!r}")
        setattr(clf, name, value)
    _check_fitted(clf, meta)
    return clf


_TARGETS = ("binary", "multiclass", "multilabel-indicator")


def _check_fitted(clf, meta: dict) -> None:
    """Raise ValueError unless the fitted attributes agree with each other and the arrays."""
    D, I, K = (meta["sizes"][k] for k in "DIK")
    f, tabular = getattr(clf, "frame_size_", None), getattr(clf, "tabular_", None)
    target = getattr(clf, "target_type_", None)
    if isinstance(f, bool) or not isinstance(f, int) or f < 1 or not isinstance(tabular, bool):
        raise ValueError(f"frame_size_ must be an integer ≥ 1 and tabular_ a bool; got {f!r}")
    if target not in _TARGETS:
        raise ValueError(f"target_type_ must be one of {_TARGETS}; got {target!r}")
    if I != clf.hidden_size or meta["activation"] != clf.activation or meta["dtype"] != clf.dtype:
        raise ValueError("the networks' size, activation or dtype disagree with the parameters")
    features = D // f
    for name in ("mean_", "std_"):
        array = getattr(clf, name)
        if array.shape != (features,) or array.dtype != np.float64 or D % f:
            raise ValueError(f"{name} must be ({features},) float64 for D = {D}, frame {f}")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds NaN or infinity")
    if not (clf.std_ > 0).all():
        raise ValueError("std_ must be > 0")
    n_classes = clf.classes_.shape[0] if clf.classes_.ndim == 1 else -1
    wanted = 1 if target == "binary" else n_classes
    least = {"binary": 2, "multiclass": 3, "multilabel-indicator": 1}[target]
    if n_classes < least or (target == "binary" and n_classes != 2) or K != wanted:
        raise ValueError(f"classes_ ({n_classes}) and the {target} target disagree with K = {K}")
    if not tabular and getattr(clf, "n_features_in_", None) != features:
        raise ValueError(f"n_features_in_ must be {features}")


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
