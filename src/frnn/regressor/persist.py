"""A fitted RNNRegressor as the arrays and metadata of a model file, and back.

``frnn.io`` owns the file format; this module owns what of the regressor goes into it:
the scalings, then either the BPTT networks (as the classifier stores them) or the
reservoirs (W, R, b, θ and their windows) with the features' scaling and the ridge
read-out's coefficients.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..classifier.persist import _plain
from ..engine.protocol import network_arrays, network_from_arrays, network_meta
from ..reservoir.core import Reservoir
from ..reservoir.features import ReservoirFeatures
from ..reservoir.ridge import RidgeFit
from .reservoir_path import ReservoirReadout

# Fitted attributes stored in the metadata (JSON); the arrays are stored as arrays.
FITTED = (
    "frame_size_",
    "tabular_",
    "sequence_",
    "squeeze_",
    "n_outputs_",
    "n_iter_",
    "loss_curve_",
    "history_",
    "stopped_by_",
    "n_features_in_",
    "alpha_",
)
_RESERVOIR = ("W", "R", "b", "theta")
_WINDOW = ("taps", "spacing", "stride", "channel")


def to_arrays(reg) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the metadata of a fitted regressor's model file."""
    check_is_fitted(reg, "y_mean_")
    arrays = {"mean": reg.mean_, "std": reg.std_, "y_mean": reg.y_mean_, "y_scale": reg.y_scale_}
    if hasattr(reg, "feature_names_in_"):
        arrays["feature_names"] = _plain(reg.feature_names_in_, "feature_names_in_")
    params = {k: v for k, v in reg.get_params().items() if k != "random_state"}
    state = reg.random_state
    params["random_state"] = state if state is None or isinstance(state, int) else None
    meta = {
        "kind": "regressor",
        "params": params,
        "fitted": {name: getattr(reg, name) for name in FITTED if hasattr(reg, name)},
    }
    if hasattr(reg, "networks_"):
        for i, net in enumerate(reg.networks_):
            arrays.update(network_arrays(net, f"net{i}/"))
        meta.update(networks=len(reg.networks_), **network_meta(reg.networks_[0]))
    else:
        arrays.update(_readout_arrays(reg.readout_))
        meta["reservoirs"] = _reservoir_meta(reg.readout_.features)
    return arrays, meta


def _readout_arrays(readout: ReservoirReadout) -> dict[str, np.ndarray]:
    arrays = {
        "features/mean": readout.mean,
        "features/scale": readout.scale,
        "readout/coef": readout.readout.coef,
        "readout/intercept": readout.readout.intercept,
    }
    for r, res in enumerate(readout.features.reservoirs_):
        arrays.update({f"res{r}/{name}": getattr(res, name) for name in _RESERVOIR})
    return arrays


def _reservoir_meta(features: ReservoirFeatures) -> dict:
    params = {name: getattr(features, name) for name in ReservoirFeatures().__dict__}
    params |= {name: list(params[name]) for name in ("statistics", "scales", "rho")}
    return {
        "params": {**params, "random_state": None},
        "windows": [[getattr(res, name) for name in _WINDOW] for res in features.reservoirs_],
        "n_features_in": features.n_features_in_,
        "length": features.length_,
    }


def from_arrays(arrays: dict[str, np.ndarray], meta: dict):
    """The fitted regressor that :func:`to_arrays` described."""
    from .estimator import RNNRegressor

    reg = RNNRegressor(**meta["params"])
    reg.mean_, reg.std_ = arrays["mean"], arrays["std"]
    reg.y_mean_, reg.y_scale_ = arrays["y_mean"], arrays["y_scale"]
    if "feature_names" in arrays:
        reg.feature_names_in_ = arrays["feature_names"].astype(object)
    for name, value in meta["fitted"].items():
        if name not in FITTED:
            raise ValueError(f"unknown fitted attribute {name!r}")
        setattr(reg, name, value)
    _check_scalings(reg)
    if "networks" in meta:
        if meta["sizes"]["K"] != reg.n_outputs_:
            raise ValueError(
                f"the networks have K = {meta['sizes']['K']}; n_outputs_ is {reg.n_outputs_}"
            )
        reg.networks_ = [
            network_from_arrays(arrays, meta, f"net{i}/") for i in range(meta["networks"])
        ]
    else:
        reg.readout_ = _readout_from_arrays(arrays, meta["reservoirs"], reg.n_outputs_)
    return reg


def _check_scalings(reg) -> None:
    """The target scaling (K,) and the input standardisation (D,): shapes, finite, scale > 0."""
    K = reg.n_outputs_
    if isinstance(K, bool) or not isinstance(K, int) or K < 1:
        raise ValueError(f"n_outputs_ must be an integer ≥ 1; got {K!r}")
    for name, value in (("y_mean_", reg.y_mean_), ("y_scale_", reg.y_scale_)):
        if value.shape != (K,) or value.dtype.kind != "f" or not np.isfinite(value).all():
            raise ValueError(f"{name} must be {K} finite floats; got {value.dtype} {value.shape}")
    if (reg.y_scale_ <= 0).any() or reg.mean_.shape != reg.std_.shape:
        raise ValueError("the scalings do not fit together (y_scale ≤ 0, or mean and std differ)")


def _readout_from_arrays(arrays, meta: dict, K: int) -> ReservoirReadout:
    params = meta["params"]
    features = ReservoirFeatures(**{k: params[k] for k in ReservoirFeatures().__dict__})
    features.statistics, features.scales = tuple(params["statistics"]), tuple(params["scales"])
    features.rho = tuple(params["rho"])
    features.n_features_in_, features.length_ = int(meta["n_features_in"]), int(meta["length"])
    features.reservoirs_ = []
    D = features.n_features_in_
    for r, window in enumerate(meta["windows"]):
        res = Reservoir(*(arrays[f"res{r}/{name}"] for name in ("W", "R", "b")), *window)
        res.theta = arrays[f"res{r}/theta"]
        I = len(res.b)
        if res.W.shape != (I, res.taps * D) or res.R.shape != (I, I) or res.theta.shape[0] != I:
            raise ValueError(f"reservoir {r}'s arrays do not fit together")
        features.reservoirs_.append(res)
    coef = arrays["readout/coef"]
    p = coef.shape[0]
    mean, scale = arrays["features/mean"], arrays["features/scale"]
    if mean.shape != (p,) or scale.shape != (p,) or coef.shape != (p, K):
        raise ValueError(f"the read-out's arrays do not fit: coef {coef.shape}, K = {K}")
    readout = RidgeFit(coef, arrays["readout/intercept"], float("nan"), None, None)
    return ReservoirReadout(features, mean, scale, readout)
