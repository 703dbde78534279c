"""A fitted reservoir read-out as the arrays and metadata of a model file, and back.

One layout for both estimators (model files of format version 3 and after):

    res0/W (I, taps·D), res0/R (I, I), res0/b (I,), res0/theta (I, n_thresholds), res1/…
    features/level_mean, features/level_std (D,)  (level_fraction > 0 only; version 5)
    features/mean, features/scale (p,)          f̂ = (f − mean) / scale
    readout/coef (p, K), readout/intercept (K,)  z = coef·f̂ + intercept
    neighbours/series (m, T·D), neighbours/classes (m,)  the nearest series kept (version 7)

and the metadata {"features": the ReservoirFeatures parameters, "windows": one [taps,
spacing, stride, channel] per reservoir, "channels": D, "length": the training T, "alpha":
α, "temperature": τ or null, "neighbours": {"weight": β, "scale": d̄} or null (version 7:
:mod:`frnn.reservoir.neighbours`; a file before it has none)}.  Files read are
untrusted: :func:`from_arrays` checks every field's type and every array's shape, dtype
and values before building anything, so a read-out that loads also predicts.
:func:`upgrade` turns the two layouts of version 2 (the classifier's ``"reservoir"``,
the regressor's ``"reservoirs"``) into this one.
Version 5 added the parameters level_fraction, recurrence and dtype; files before it
read as their reservoirs were (``LEGACY``): float64 states, computed as they were then.
"""

from __future__ import annotations

import math

import numpy as np

from .core import STATISTICS, Reservoir
from .features import PARAMETERS, ReservoirFeatures
from .neighbours import Neighbours
from .pooling import n_features
from .readout import ReservoirReadout
from .ridge import ALPHAS, RidgeFit

__all__ = [
    "BEFORE_5",
    "FEATURE_PARAMETERS",
    "LEGACY",
    "feature_params",
    "from_arrays",
    "to_arrays",
    "upgrade",
]

#: The ReservoirFeatures parameters a file records (its seed is spent: the reservoirs are kept).
FEATURE_PARAMETERS = tuple(name for name in PARAMETERS if name != "random_state")
#: Parameters that files of format version 4 and before did not record, and the values
#: their reservoirs had: float64 states through the plain path, bit for bit, and a
#: Gaussian R (already drawn: only the record).
LEGACY = {"level_fraction": 0.0, "recurrence": "gaussian", "dtype": "float64"}
#: ReservoirFeatures' defaults before version 5 where they differ from today's: an
#: estimator's reservoirs then (files of version 4 or before, or saved again from one).
BEFORE_5 = LEGACY | {"statistics": ("mean", "max", "ppv")}
_CHANNELS = ("x", "diff", "level")
_BOOLEANS = ("centred", "difference", "normalise")


def feature_params(features: ReservoirFeatures) -> dict:
    """The features' parameters as JSON values (tuples as lists), its seed left out."""
    params = {name: getattr(features, name) for name in FEATURE_PARAMETERS}
    return params | {name: list(params[name]) for name in ("statistics", "scales", "rho")}


def to_arrays(model: ReservoirReadout) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the metadata of a fitted read-out."""
    features = model.features_
    arrays, windows = {}, []
    for r, res in enumerate(features.reservoirs_):
        arrays.update({f"res{r}/{k}": getattr(res, k) for k in ("W", "R", "b", "theta")})
        windows.append([int(res.taps), int(res.spacing), int(res.stride), res.channel])
    if hasattr(features, "level_mean_"):  # what the level-reading reservoirs standardise by
        arrays |= {"features/level_mean": features.level_mean_}  # (D,)
        arrays |= {"features/level_std": features.level_std_}  # (D,)
    arrays |= {
        "features/mean": model.mean_,  # (p,)
        "features/scale": model.scale_,  # (p,)
        "readout/coef": model.readout_.coef,  # (p, K)
        "readout/intercept": model.readout_.intercept,  # (K,)
    }
    meta = {
        "features": feature_params(features),
        "windows": windows,
        "channels": int(features.n_features_in_),
        "length": int(features.length_),
        "alpha": float(model.alpha_),
        "temperature": None if model.temperature_ is None else float(model.temperature_),
        "neighbours": None,
    }
    near = model.neighbours_
    if near is not None:
        arrays |= {"neighbours/series": near.series, "neighbours/classes": near.classes * 1.0}
        meta["neighbours"] = {"weight": float(near.weight), "scale": float(near.scale)}
    return arrays, meta


def from_arrays(
    arrays: dict,
    meta: dict,
    K: int,
    expected: dict | list[dict] | None = None,
    *,
    alphas=ALPHAS,
    calibrated: bool | None = None,
    before: dict | None = None,
    legacy: bool = False,
):
    """The fitted read-out of K outputs that :func:`to_arrays` described, checked.

    ``expected``: the features' parameters its estimator implies (as :func:`feature_params`
    writes them), or a list of those it may record (today's, and those it implied before
    a default changed); ``before``: those it implied before version 5 (``BEFORE_5``).  A
    file whose reservoirs are none of them is refused.  ``legacy``: a file of format version 4 or
    before, whose features record none of ``LEGACY``'s parameters and had their values;
    its reservoirs must be ``before``'s.  ``alphas``: the grid its α was chosen from.
    ``calibrated``: whether its softmax temperature was fitted (a classifier's, a number)
    or not (a regressor's, null); None: either.
    """
    expected = [expected] if isinstance(expected, dict) else list(expected or [])
    allowed = ([] if legacy else expected) + ([] if before is None else [before])
    features = _features(meta["features"], allowed, legacy)
    D, T = (_count(meta, name) for name in ("channels", "length"))
    I, k = features.units, features.n_thresholds
    if not isinstance(meta["windows"], list) or len(meta["windows"]) != features.n_reservoirs:
        raise ValueError(f"windows must list one window for each of {features.n_reservoirs}")
    features.reservoirs_ = []
    for r, window in enumerate(meta["windows"]):
        taps, spacing, stride, channel = _window(window, r)
        _check_window(features, T, r, (taps, spacing, stride), channel)
        shapes = {"W": (I, taps * D), "R": (I, I), "b": (I,), "theta": (I, k)}
        W, R, b, theta = (_array(arrays, f"res{r}/{n}", s) for n, s in shapes.items())
        _check_radius(R, features.rho, r)
        features.reservoirs_.append(Reservoir(W, R, b, taps, spacing, stride, channel, theta))
    features.n_features_in_, features.length_ = D, T
    if features.level_fraction:
        level = [_array(arrays, f"features/level_{n}", (D,)) for n in ("mean", "std")]
        if not (level[1] > 0).all():
            raise ValueError("features/level_std must be > 0")
        features.level_mean_, features.level_std_ = level
    p = features.n_reservoirs * n_features(I, k, features.statistics)
    mean, scale = (_array(arrays, f"features/{n}", (p,)) for n in ("mean", "scale"))
    coef = _array(arrays, "readout/coef", (p, K))
    intercept = _array(arrays, "readout/intercept", (K,))
    if not (scale > 0).all():
        raise ValueError("features/scale must be > 0")
    alpha, temperature = _positive(meta["alpha"], "alpha"), meta["temperature"]
    if alpha not in alphas:
        raise ValueError(f"alpha {alpha!r} is not one of the ridge penalties tried, {alphas}")
    if calibrated is not None and (temperature is not None) != calibrated:
        raise ValueError(f"temperature must be {'a number' if calibrated else 'null'} here")
    if temperature is not None:
        temperature = _positive(temperature, "temperature")
    ridge = RidgeFit(coef, intercept, alpha, np.empty((0, K)), np.empty(0))
    near = _neighbours(arrays, meta.get("neighbours"), K, D * T, T)
    return ReservoirReadout.fitted(features, mean, scale, ridge, temperature, near)


def _neighbours(arrays: dict, meta, K: int, width: int, T: int) -> Neighbours | None:
    """The nearest series a file keeps (null: none), checked: β in (0, ∞], d̄ > 0, m ≥ 1
    series of T·D values, each one's class an integer in 0..K−1."""
    if meta is None:
        return None
    if not isinstance(meta, dict) or set(meta) != {"weight", "scale"}:
        raise ValueError("neighbours must be null or {'weight': β, 'scale': d̄}")
    weight, scale = meta["weight"], _positive(meta["scale"], "neighbours' scale")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        raise ValueError(f"neighbours' weight must be a number in (0, inf]; got {weight!r}")
    series = arrays.get("neighbours/series")
    m = series.shape[0] if series is not None and series.ndim == 2 and len(series) else 1
    series = _array(arrays, "neighbours/series", (m, width))
    classes = _array(arrays, "neighbours/classes", (m,))
    if not np.isin(classes, np.arange(K)).all():
        raise ValueError(f"neighbours/classes must hold class indices 0..{K - 1}")
    return Neighbours(series, classes.astype(np.intp), K, T, scale, float(weight))


def _features(params, allowed: list, legacy: bool) -> ReservoirFeatures:
    """The ReservoirFeatures of the file's parameters, each checked, and one of those
    ``allowed`` (if any are given); a ``legacy`` file's missing ones are ``LEGACY``'s."""
    if not isinstance(params, dict):
        raise ValueError(f"features must hold exactly {sorted(FEATURE_PARAMETERS)}")
    if legacy:  # format version 4 or before: none of them recorded
        if set(LEGACY) & set(params):
            raise ValueError(f"a file of version 4 or before records none of {sorted(LEGACY)}")
        params = params | LEGACY
    if set(params) != set(FEATURE_PARAMETERS):
        raise ValueError(f"features must hold exactly {sorted(FEATURE_PARAMETERS)}")
    if allowed and params not in allowed:
        wrong = sorted(n for n in params if all(params[n] != e[n] for e in allowed))
        raise ValueError(
            f"the reservoirs' {wrong or sorted(BEFORE_5)} disagree with the estimator's parameters"
        )
    if not all(isinstance(params[name], bool) for name in _BOOLEANS):
        raise ValueError(f"{', '.join(_BOOLEANS)} must be true or false")
    if not set(params["statistics"]) <= set(STATISTICS):
        raise ValueError(f"unknown statistics {params['statistics']!r}")
    features = ReservoirFeatures(**params)
    features.scales, features.rho = tuple(params["scales"]), tuple(params["rho"])
    features._check_parameters()
    return features


def _count(meta: dict, name: str) -> int:
    value = meta[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer ≥ 1; got {value!r}")
    return value


def _window(window, r: int) -> tuple[int, int, int, str]:
    if not isinstance(window, list) or len(window) != 4:
        raise ValueError(f"reservoir {r}'s window must be [taps, spacing, stride, channel]")
    taps, spacing, stride, channel = window
    if not all(type(v) is int and v >= 1 for v in (taps, spacing, stride)):
        raise ValueError(f"reservoir {r}'s window {taps, spacing, stride} is not positive")
    if channel not in _CHANNELS:
        raise ValueError(f"reservoir {r}'s channel {channel!r} is not one of {_CHANNELS}")
    return taps, spacing, stride, channel


def _check_window(features, T: int, r: int, window: tuple, channel: str) -> None:
    """Refuse a window ``ReservoirFeatures`` could not have drawn for series of length T
    (its rule: ``ReservoirFeatures._window``; tests/reservoir/test_reservoir_persist.py
    holds the two together) or a channel out of turn (the difference is read by every other
    reservoir)."""
    taps, spacing, stride = window
    top = max(1.0, T * features.max_frame_fraction)
    if features.window == "frame":
        possible = spacing == 1 and taps == stride and stride <= top
    else:
        top = max(1.0, min((T - 1) / max(features.taps - 1, 1), top))
        steps = features.max_steps
        moves = spacing if steps is None else max(1, math.ceil(T / steps))
        possible = taps == features.taps and spacing <= top and stride == moves
    if not possible:
        raise ValueError(f"reservoir {r}'s window {window} is not one drawn for T = {T}")
    first_level = features.n_reservoirs - round(features.level_fraction * features.n_reservoirs)
    turn = "level" if r >= first_level else "diff" if features.difference and r % 2 else "x"
    if channel != turn:  # the last reservoirs read the level (ReservoirFeatures.fit)
        raise ValueError(f"reservoir {r} reads {channel!r}, out of turn")


def _check_radius(R: np.ndarray, rho: tuple, r: int) -> None:
    """R's spectral radius in the range ``rho`` it was scaled to (to round-off)."""
    radius = float(np.max(np.abs(np.linalg.eigvals(R))))
    low, high = rho
    if not low * (1 - 1e-9) <= radius <= high * (1 + 1e-9):
        raise ValueError(f"res{r}/R has spectral radius {radius:.6g}, outside rho = {rho}")


def _array(arrays: dict, name: str, shape: tuple) -> np.ndarray:
    if name not in arrays:
        raise ValueError(f"the array {name} is missing")
    array = arrays[name]
    if array.shape != shape or array.dtype != np.float64:
        raise ValueError(
            f"{name} has shape {array.shape} and dtype {array.dtype}; expected {shape} float64"
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinity")
    return array.copy()


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


def upgrade(arrays: dict, meta: dict, expected: dict, alpha=None) -> tuple[dict, dict]:
    """A version-2 read-out (arrays, metadata) in this layout.

    The classifier's (``meta["reservoir"]``) recorded no feature parameters: they are the
    ``expected`` ones its estimator implied then (less ``LEGACY``'s, which no file of then
    records) with its statistics.  The regressor's (``meta["reservoirs"]``) kept α among
    the estimator's fitted attributes: ``alpha``.
    """
    if "reservoir" in meta:  # the classifier's
        old = meta["reservoir"]
        renamed = {"V": "readout/coef", "c": "readout/intercept"}
        renamed |= {"mean": "features/mean", "scale": "features/scale"}
        arrays = dict(arrays)
        for name, new in renamed.items():
            if f"readout/{name}" in arrays:
                arrays[new] = arrays.pop(f"readout/{name}")
        features = {k: v for k, v in expected.items() if k not in LEGACY}  # not recorded then
        features["statistics"] = old["statistics"]
        channels, temperature, alpha = old["channels"], old["temperature"], old["alpha"]
    else:  # the regressor's
        old = meta["reservoirs"]
        features = {k: v for k, v in old["params"].items() if k != "random_state"}
        channels, temperature = old["n_features_in"], None
    keep = {"windows": old["windows"], "length": old["length"]}
    return arrays, {"features": features, "channels": channels, **keep, "alpha": alpha,
                    "temperature": temperature}  # fmt: skip
