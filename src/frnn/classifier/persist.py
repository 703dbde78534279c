"""A fitted RNNClassifier as the arrays and metadata of a model file, and back.

``frnn.io`` owns the file format (the archive, its metadata, the networks' arrays); this
module owns what of the estimator goes into it, so a new fitted attribute is one edit here.
A reservoir classifier stores every reservoir's W, R, b and thresholds θ, its window
(taps, spacing, stride, channel) in the metadata, and the read-out's V, c and feature
scaling; a BPTT classifier its networks' W, R, V.  Files read are untrusted: every array's
shape and dtype is checked against the metadata before anything is built from it.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..engine.protocol import network_arrays, network_from_arrays, network_meta

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
_CHANNELS = ("x", "diff")


def to_arrays(clf) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the metadata of a fitted classifier's model file."""
    check_is_fitted(clf, "classes_")
    arrays = {"classes": _plain(clf.classes_, "classes_")}
    if hasattr(clf, "feature_names_in_"):
        arrays["feature_names"] = _plain(clf.feature_names_in_, "feature_names_in_")
    params = clf.get_params()
    state = clf.random_state
    params["random_state"] = state if state is None or isinstance(state, int) else None
    for name in ("spectral_radius", "input_scale"):
        params[name] = [float(v) for v in params[name]]
    if isinstance(params["class_weight"], dict):  # JSON keys are text: store pairs
        params["class_weight"] = {"pairs": [[k, v] for k, v in params["class_weight"].items()]}
    params["training"] = "reservoir" if hasattr(clf, "reservoir_") else "bptt"
    fitted = {name: getattr(clf, name) for name in FITTED if hasattr(clf, name)}
    meta = {"kind": "classifier", "params": params, "fitted": fitted}
    if hasattr(clf, "reservoir_"):
        meta["reservoir"] = _reservoir_arrays(clf.reservoir_, arrays)
        return arrays, meta
    arrays.update({"mean": clf.mean_, "std": clf.std_})
    for i, net in enumerate(clf.networks_):
        arrays.update(network_arrays(net, f"net{i}/"))
    meta.update({"networks": len(clf.networks_), **network_meta(clf.networks_[0])})
    return arrays, meta


def _reservoir_arrays(model, arrays: dict) -> dict:
    """Put the reservoirs' and the read-out's arrays into ``arrays``; return the metadata."""
    windows = []
    for r, res in enumerate(model.features_.reservoirs_):
        arrays.update({f"res{r}/{k}": getattr(res, k) for k in ("W", "R", "b", "theta")})
        windows.append([int(res.taps), int(res.spacing), int(res.stride), res.channel])
    readout = model.readout_
    arrays.update(
        {
            "readout/V": readout.coef,  # (p, K)
            "readout/c": readout.intercept,  # (K,)
            "readout/mean": model.mean_,  # (p,)
            "readout/scale": model.scale_,  # (p,)
        }
    )
    return {
        "windows": windows,
        "statistics": list(model.features_.statistics),
        "length": int(model.features_.length_),
        "channels": int(model.features_.n_features_in_),
        "alpha": float(model.alpha_),
        "temperature": float(model.temperature_),
    }


def from_arrays(arrays: dict[str, np.ndarray], meta: dict):
    """The fitted classifier that :func:`to_arrays` described, checked for consistency.

    Every field is checked for its type and its relation to the arrays (the networks'
    sizes against the classes, the frame size and the standardisation; each reservoir's
    arrays against its window), so a file that loads also predicts; anything else is a
    ValueError.
    """
    from .estimator import RNNClassifier
    from .params import check_params

    if not isinstance(meta["params"], dict) or not isinstance(meta["fitted"], dict):
        raise ValueError("params and fitted must be JSON objects")
    params = dict(meta["params"])
    params.setdefault("training", "bptt")  # files written before the reservoir default
    params.setdefault("bias", False)  # files written before the biases: networks without
    weights = params.get("class_weight")
    if isinstance(weights, dict):
        params["class_weight"] = {k: float(v) for k, v in weights["pairs"]}
    for name in ("spectral_radius", "input_scale"):
        if name in params:
            params[name] = tuple(float(v) for v in params[name])
    unknown = set(params) - set(RNNClassifier().get_params())
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    clf = RNNClassifier(**params)
    check_params(clf)
    clf.classes_ = arrays["classes"]
    if "feature_names" in arrays:
        clf.feature_names_in_ = arrays["feature_names"].astype(object)
    for name, value in meta["fitted"].items():
        if name not in FITTED:
            raise ValueError(f"unknown fitted attribute {name!r}")
        setattr(clf, name, value)
    if params["training"] == "reservoir":
        clf.reservoir_ = _reservoir_from_arrays(clf, arrays, meta["reservoir"])
        return clf
    n = meta["networks"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= clf.n_ensemble:
        raise ValueError(f"networks must be an integer in [1, n_ensemble]; got {n!r}")
    clf.networks_ = [network_from_arrays(arrays, meta, f"net{i}/") for i in range(n)]
    clf.mean_, clf.std_ = arrays["mean"], arrays["std"]
    _check_fitted(clf, meta)
    return clf


def _reservoir_from_arrays(clf, arrays, meta):
    """The fitted ReservoirClassifier, every array checked against the metadata."""
    from ..reservoir.core import STATISTICS, Reservoir
    from ..reservoir.features import PARAMETERS, ReservoirFeatures
    from ..reservoir.readout import ReservoirReadout
    from ..reservoir.ridge import RidgeFit
    from . import reservoir_fit

    model = reservoir_fit.build(clf)
    params = model.get_params()
    features = ReservoirFeatures(**{k: params[k] for k in PARAMETERS})
    statistics = tuple(meta["statistics"])
    if not statistics or not set(statistics) <= set(STATISTICS):
        raise ValueError(f"unknown statistics {statistics!r}")
    features.statistics = statistics
    D, I, k = int(meta["channels"]), clf.hidden_size, clf.n_thresholds
    if len(meta["windows"]) != clf.n_reservoirs or D < 1:
        raise ValueError(f"{len(meta['windows'])} windows for {clf.n_reservoirs} reservoirs")
    features.reservoirs_ = []
    for r, (taps, spacing, stride, channel) in enumerate(meta["windows"]):
        if not all(isinstance(v, int) and v >= 1 for v in (taps, spacing, stride)):
            raise ValueError(f"reservoir {r}'s window {taps, spacing, stride} is not positive")
        if channel not in _CHANNELS:
            raise ValueError(f"reservoir {r}'s channel {channel!r} is not one of {_CHANNELS}")
        shapes = {"W": (I, taps * D), "R": (I, I), "b": (I,), "theta": (I, k)}
        W, R, b, theta = (_array(arrays, f"res{r}/{n}", s) for n, s in shapes.items())
        features.reservoirs_.append(Reservoir(W, R, b, taps, spacing, stride, channel, theta))
    features.n_features_in_, features.length_ = D, int(meta["length"])
    per_unit = sum(k if name == "ppv" else 1 for name in statistics)
    p, K = clf.n_reservoirs * I * per_unit, len(clf.classes_)
    V = _array(arrays, "readout/V", (p, K))
    c = _array(arrays, "readout/c", (K,))
    mean = _array(arrays, "readout/mean", (p,))
    scale = _array(arrays, "readout/scale", (p,))
    ridge = RidgeFit(V, c, float(meta["alpha"]), np.empty((0, K)), np.empty(0))
    model.model_ = ReservoirReadout.fitted(features, mean, scale, ridge, float(meta["temperature"]))
    model.classes_, model.n_features_in_ = clf.classes_, D
    return model


def _array(arrays, name: str, shape: tuple) -> np.ndarray:
    array = arrays[name]
    if array.shape != shape or array.dtype != np.float64:
        raise ValueError(
            f"{name} has shape {array.shape} and dtype {array.dtype}; expected {shape} float64"
        )
    return array.copy()


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
