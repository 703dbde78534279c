"""A fitted estimator as the arrays and metadata of a model file, and back.

``frnn.io`` owns the archive (its metadata, the version, the bounded reading); this module
owns what of an estimator goes into it, for both estimators: the parameters and the fitted
attributes that are not arrays (in the metadata), the task's arrays (classes, or the target
scaling), the input standardisation ``mean``, ``std``, and then one of two bodies: the
reservoir read-out (:mod:`frnn.reservoir.persist`, one layout) or the BPTT networks
(``net0/W``, …).  Files read are untrusted: every field is checked for its type and its
relation to the arrays before anything is built from it, so a file that loads also predicts.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..engine.protocol import network_arrays, network_from_arrays, network_meta
from ..reservoir import persist as readout_file
from ..training.settings import HISTORY_KEYS, RMSE_KEYS
from . import reservoirs

__all__ = ["FITTED", "from_arrays", "plain", "to_arrays"]

# Fitted attributes stored in the metadata (JSON), besides the task's; arrays are arrays.
FITTED = (
    "frame_size_",
    "tabular_",
    "n_iter_",
    "loss_curve_",
    "history_",
    "stopped_by_",
    "n_features_in_",
    "min_length_",
    "max_length_",
)
_VERSION_2 = ("alpha_",)  # a version-2 regressor kept the read-out's α among these


def to_arrays(est) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the metadata of a fitted estimator's model file."""
    task = est._task
    check_is_fitted(est, task.marker)
    arrays = task.arrays(est)
    if hasattr(est, "feature_names_in_"):
        arrays["feature_names"] = plain(est.feature_names_in_, "feature_names_in_")
    if hasattr(est, "mean_"):
        arrays |= {"mean": est.mean_, "std": est.std_}
    fitted = {name: getattr(est, name) for name in FITTED + task.fitted if hasattr(est, name)}
    meta = {"kind": task.kind, "params": _params(est), "fitted": fitted}
    reservoir = getattr(est, "reservoir_", None)
    if reservoir is not None:
        reservoirs.refuse_changed(est, "be saved")  # a file load would refuse
        body, meta["reservoir"] = readout_file.to_arrays(reservoir)
        return arrays | body, meta
    for i, net in enumerate(est.networks_):
        arrays |= network_arrays(net, f"net{i}/")
    meta |= {"networks": len(est.networks_), **network_meta(est.networks_[0])}
    return arrays, meta


def _params(est) -> dict:
    """``get_params()`` as JSON: the fitted mode as ``training``, a seed only when an int,
    pairs as lists, a ``class_weight`` dict as pairs (JSON keys are text)."""
    params = est.get_params(deep=False)
    state = params["random_state"]
    params["random_state"] = state if state is None or isinstance(state, int) else None
    params["training"] = "reservoir" if hasattr(est, "reservoir_") else "bptt"
    for name, value in params.items():
        if isinstance(value, tuple):
            params[name] = [float(v) for v in value]
    if isinstance(params.get("class_weight"), dict):
        params["class_weight"] = {"pairs": [[k, v] for k, v in params["class_weight"].items()]}
    return params


def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict):
    """The fitted ``cls`` estimator that :func:`to_arrays` described, checked for consistency."""
    if not isinstance(meta["params"], dict) or not isinstance(meta["fitted"], dict):
        raise ValueError("params and fitted must be JSON objects")
    est = cls(**_params_from(cls, meta["params"]))
    est._check_params()
    task = est._task
    task.from_arrays(est, arrays)
    if "feature_names" in arrays:
        if arrays["feature_names"].dtype.kind != "U":
            raise ValueError(f"feature_names must be text; got {arrays['feature_names'].dtype}")
        est.feature_names_in_ = arrays["feature_names"].astype(object)
    fitted = dict(meta["fitted"])
    if meta["version"] < 3 and est.training == "reservoir":  # a version-2 regressor's
        fitted.pop("frame_size_", None)  # reservoir fit kept the frame of a BPTT default
    for name, value in fitted.items():
        if name not in FITTED + task.fitted + _VERSION_2:
            raise ValueError(f"unknown fitted attribute {name!r}")
        if name not in _VERSION_2:
            setattr(est, name, value)
    _check_fitted(est, fitted, meta["version"])
    K = task.check_fitted(est, networks=est.training == "bptt")
    if est.training == "reservoir":
        _reservoir(est, arrays, meta, K)
    else:
        _networks(est, arrays, meta, K)
    return est


_BPTT_ONLY = ("frame_size_", "n_iter_", "loss_curve_", "history_", "stopped_by_")
# what the loop returns, or "interrupted" (Ctrl-C: the fit of the last whole round)
_STOPPED_BY = ("epochs", "steps", "early_stopping", "callback", "interrupted")


def _check_fitted(est, fitted: dict, version: int) -> None:
    """The fitted attributes of the metadata, each against what a fit in the file's mode
    sets: the epoch loop's record for ``training="bptt"`` only, one entry a fitted epoch
    (every entry of the history since version 2)."""
    tabular, n_features = getattr(est, "tabular_", None), getattr(est, "n_features_in_", None)
    if not isinstance(tabular, bool):
        raise ValueError(f"tabular_ must be a bool; got {tabular!r}")
    if isinstance(n_features, bool) or not isinstance(n_features, int) or n_features < 1:
        raise ValueError(f"n_features_in_ must be an integer ≥ 1; got {n_features!r}")
    _check_lengths(fitted, version)
    names = getattr(est, "feature_names_in_", None)  # a table's columns (DataFrame)
    if names is not None and (not tabular or names.shape != (n_features,)):
        raise ValueError(f"feature_names must be n_features_in_ = {n_features} column names")
    if est.training == "reservoir":
        present = sorted(set(fitted) & set(_BPTT_ONLY))
        if present:
            raise ValueError(f"{present} belong to training='bptt', not to a reservoir fit")
        return
    missing = sorted(set(_BPTT_ONLY) - {"stopped_by_"} - set(fitted))  # a failed fit has none
    if missing:
        raise ValueError(f"a BPTT fit records {missing}")
    epochs = fitted["n_iter_"]
    most, unit = (est.epochs, "epochs") if est.epochs is not None else (est.steps, "steps")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 0 <= epochs <= most:
        raise ValueError(f"n_iter_ must be an integer in [0, {unit}={most}]; got {epochs!r}")
    history = fitted["history_"]
    keys = HISTORY_KEYS + (RMSE_KEYS if est._task.kind == "regressor" else ())
    least = set(keys) if version >= 2 else {"loss"}  # version 1 kept fewer
    if not isinstance(history, dict) or not least <= set(history) <= set(keys):
        raise ValueError(f"history_ must map {list(keys)} to lists")
    for key, values in history.items():
        if not isinstance(values, list) or len(values) != epochs:
            raise ValueError(f"history_[{key!r}] must hold n_iter_ = {epochs} values")
        _check_history(key, values, est._task.kind == "classifier")
    if fitted["loss_curve_"] != history["loss"] or None in history["loss"]:
        raise ValueError("loss_curve_ must be history_['loss'], one number an epoch")
    if fitted.get("stopped_by_", "epochs") not in _STOPPED_BY:
        raise ValueError(f"stopped_by_ must be one of {_STOPPED_BY}; got {fitted['stopped_by_']!r}")


def _check_lengths(fitted: dict, version: int) -> None:
    """``min_length_`` ≤ ``max_length_``, integers ≥ 1: both, or neither (a model file of
    version 7 or before, or one saved again from it, which recorded no lengths)."""
    shortest, longest = fitted.get("min_length_"), fitted.get("max_length_")
    if shortest is None and longest is None:
        return
    if version < 8:
        raise ValueError(f"min_length_ and max_length_ came with version 8; this is {version}")
    for value in (shortest, longest):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"min_length_ and max_length_ must be integers ≥ 1; got {shortest!r}, {longest!r}"
            )
    if shortest > longest:
        raise ValueError(f"min_length_ = {shortest} exceeds max_length_ = {longest}")


_ALWAYS = ("loss", "accuracy", "grad_norm", "train_loss", "seconds")  # else null: not scored


def _check_history(key: str, values: list, classifier: bool) -> None:
    """One entry of history_: numbers (null where the epoch scored no such split), ≥ 0 but
    for an accuracy, in [0, 1] (a regressor's "accuracy" is R², ≤ 1); NaN is a number."""
    low = -math.inf if key.endswith("accuracy") and not classifier else 0.0
    high = 1.0 if key.endswith("accuracy") else math.inf
    for value in values:
        if value is None and key not in _ALWAYS:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"history_[{key!r}] must hold numbers; got {value!r}")
        if value < low or value > high:  # NaN passes: a diverged epoch records it
            raise ValueError(f"history_[{key!r}] holds {value!r}, outside [{low}, {high}]")


def _params_from(cls, params: dict) -> dict:
    """The metadata's parameters as ``cls`` takes them; unknown ones are refused."""
    params = dict(params)
    params.setdefault("training", "bptt")  # files written before the reservoir default
    params.setdefault("bias", False)  # files written before the biases: networks without
    # files written before the memory recipe: its parameters take the values that fit
    # had then (the networks drawn uniform in ±init_scale, or ±1/√I as torch draws them)
    params.setdefault("init", "torch" if params.get("init_scale") is None else "uniform")
    params.setdefault("warmup", 0.0)
    if "neighbour_weight" in cls.__dataclass_fields__:  # files before version 7: none kept
        params.setdefault("neighbour_weight", 0.0)
    weights = params.get("class_weight")
    if isinstance(weights, dict):
        params["class_weight"] = {k: float(v) for k, v in weights["pairs"]}
    defaults = cls().get_params(deep=False)
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    for name, default in defaults.items():
        if isinstance(default, tuple) and name in params:
            params[name] = tuple(float(v) for v in params[name])
    return params


def _reservoir(est, arrays: dict, meta: dict, K: int) -> None:
    """The read-out (a version-2 layout upgraded first), and the standardisation it reads."""
    expected = [  # today's reservoirs, or those of a file saved before a change of them
        readout_file.feature_params(reservoirs.features(est, earlier=k))
        for k in range(1 + len(est._earlier_reservoir_settings))
    ]
    before = readout_file.feature_params(reservoirs.features(est, before=True))
    body = meta.get("reservoir")
    if meta["version"] < 3:
        alpha = meta["fitted"].get("alpha_")
        arrays, body = readout_file.upgrade(arrays, meta, before, alpha)
    calibrated = est._task.kind == "classifier"  # softmax(τ z): a classifier's τ is fitted
    legacy = meta["version"] < 5  # before the reservoirs recorded dtype, R's kind, the level
    est.reservoir_ = readout_file.from_arrays(
        arrays, body, K, expected, calibrated=calibrated, before=before, legacy=legacy
    )
    est.alpha_ = est.reservoir_.alpha_
    D = est.reservoir_.features_.n_features_in_
    if not est.reservoir_.features_.normalise:  # the series are standardised first
        _standardisation(est, arrays, D)
    if not est.tabular_ and getattr(est, "n_features_in_", None) != D:
        raise ValueError(f"n_features_in_ must be {D}, the reservoirs' channels")
    if est.tabular_ and D != 1:  # a table's rows are univariate series
        raise ValueError(f"a table (tabular_) is read as one channel; the reservoirs read {D}")


def _networks(est, arrays: dict, meta: dict, K: int) -> None:
    """The BPTT networks, each checked against the parameters, the frame and the task."""
    n = meta["networks"]
    if isinstance(n, bool) or not isinstance(n, int) or n != est.n_ensemble:
        raise ValueError(f"networks must be n_ensemble = {est.n_ensemble}; got {n!r}")
    est.networks_ = [network_from_arrays(arrays, meta, f"net{i}/") for i in range(n)]
    D, I, K_file = (meta["sizes"][k] for k in "DIK")
    f = est.frame_size_
    if isinstance(f, bool) or not isinstance(f, int) or f < 1 or D % f:
        raise ValueError(f"frame_size_ must be an integer ≥ 1 dividing D = {D}; got {f!r}")
    chosen = 1 if est._task.per_step(est) else est.frame_size  # None: picked from T
    if (chosen is not None and f != chosen) or (est.tabular_ and D != f):
        raise ValueError(f"frame_size_ = {f} is not what frame_size={est.frame_size} makes")
    if K_file != K:
        raise ValueError(f"the networks have K = {K_file}; the targets need {K}")
    settings = (I, meta["activation"], meta["dtype"], meta.get("bias", False))
    if settings != (est._hidden_size(), est.activation, est.dtype, est.bias):
        raise ValueError(
            "the networks' size, activation, dtype or biases disagree with the parameters"
        )
    if meta["loss"] != est._task.loss:
        raise ValueError(f"the networks' loss {meta['loss']!r} is not {est._task.loss!r}")
    _standardisation(est, arrays, D // f)
    if not est.tabular_ and getattr(est, "n_features_in_", None) != D // f:
        raise ValueError(f"n_features_in_ must be {D // f}")


def _standardisation(est, arrays: dict, features: int) -> None:
    """``mean_``, ``std_`` (features,): finite float64, std > 0."""
    for name in ("mean", "std"):
        array = arrays.get(name)
        if array is None or array.shape != (features,) or array.dtype != np.float64:
            raise ValueError(f"{name} must be ({features},) float64")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds NaN or infinity")
    est.mean_, est.std_ = arrays["mean"], arrays["std"]
    if not (est.std_ > 0).all():
        raise ValueError("std_ must be > 0")


def plain(array, name: str) -> np.ndarray:
    """An array of numbers or text as it is; object arrays of text or numbers converted;
    anything else, which only pickle could store, refused."""
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
