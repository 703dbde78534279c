"""``training="reservoir"``: fixed random networks and a read-out fitted in closed form.

The estimator's reservoir parameters become a :class:`frnn.reservoir.ReservoirClassifier`
(``RNNRegressor`` draws the same :class:`frnn.reservoir.ReservoirFeatures` for its own
read-out): W, R, b of ``n_reservoirs`` networks are drawn once and kept, their states are pooled
over time, and the read-out z = V·features + c is fitted by ridge regression with α
chosen by exact leave-one-out.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ..reservoir.classifier import ReservoirClassifier

__all__ = ["PARAMETERS", "build"]

#: RNNClassifier's parameter -> ReservoirClassifier's: the names read as the equations do
#: (hidden_size is I in both modes; spectral_radius is ρ(R); input_scale the std of W u).
PARAMETERS = {
    "hidden_size": "units",
    "n_reservoirs": "n_reservoirs",
    "taps": "taps",
    "max_steps": "max_steps",
    "n_thresholds": "n_thresholds",
    "spectral_radius": "rho",
    "input_scale": "scales",
    "class_weight": "class_weight",
    "n_jobs": "n_jobs",
}


_MAX_PARAMETER_BYTES = 2**34  # 16 GiB, as for the BPTT networks


def build(clf) -> ReservoirClassifier:
    """The unfitted reservoir classifier that ``clf``'s parameters describe."""
    I, taps = clf.hidden_size, clf.taps
    need = 8 * clf.n_reservoirs * (I * I + I * taps + I * (1 + clf.n_thresholds))  # R, W, b, θ
    if need > _MAX_PARAMETER_BYTES:  # refused before any allocation (one input channel)
        raise ValueError(
            f"hidden_size={I} and n_reservoirs={clf.n_reservoirs} need about "
            f"{need / 2**30:,.0f} GiB for the reservoirs' weights alone (at most "
            f"{_MAX_PARAMETER_BYTES / 2**30:.0f} GiB); choose smaller ones"
        )
    settings = {theirs: getattr(clf, ours) for ours, theirs in PARAMETERS.items()}
    for name in ("rho", "scales"):
        settings[name] = _pair(settings[name], _ours(name))
    return ReservoirClassifier(**settings, random_state=_seed(clf.random_state))


def _ours(theirs: str) -> str:
    return next(k for k, v in PARAMETERS.items() if v == theirs)


def _pair(value, name: str) -> tuple[float, float]:
    """(low, high) from a pair of numbers (a JSON list from a config file is fine too)."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers; got {value!r}") from None
    return low, high


def _seed(random_state):
    """An int or a Generator passes through (so seeds give the research's reservoirs); a
    RandomState draws one int, as scikit-learn estimators do."""
    if random_state is None or isinstance(random_state, numbers.Integral | np.random.Generator):
        return random_state
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
