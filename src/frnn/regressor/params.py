"""Hyper-parameter rules of ``RNNRegressor``: the classifier's BPTT ones (its biases
included), less its auxiliary loss, plus the choice of training and the reservoirs' sizes."""

from __future__ import annotations

from .._validate import Interval, Options
from ..classifier.params import RULES as CLASSIFIER_RULES

TRAININGS = ("reservoir", "bptt")

# The classifier's reservoirs' knobs (the regressor's are its own) and its auxiliary loss.
_CLASSIFIER_ONLY = ("taps", "max_steps", "n_thresholds", "n_jobs", "aux_weight")

RULES = {
    "training": Options(TRAININGS),
    "n_reservoirs": Interval("int", 1),
    **{name: rule for name, rule in CLASSIFIER_RULES.items() if name not in _CLASSIFIER_ONLY},
}


def check_params(estimator) -> None:
    """Raise InvalidParameterError (a ValueError) naming the first invalid hyper-parameter."""
    for name, rule in RULES.items():
        rule.check(getattr(estimator, name), name)
