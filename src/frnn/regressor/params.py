"""Hyper-parameter rules of ``RNNRegressor``: the classifier's, less its auxiliary loss,
plus the choice of training and the reservoirs' sizes."""

from __future__ import annotations

from .._validate import Interval, Options
from ..classifier.params import RULES as CLASSIFIER_RULES

TRAININGS = ("reservoir", "bptt")

RULES = {
    "training": Options(TRAININGS),
    "n_reservoirs": Interval("int", 1),
    "units": Interval("int", 1),
    **{name: rule for name, rule in CLASSIFIER_RULES.items() if name != "aux_weight"},
}


def check_params(estimator) -> None:
    """Raise InvalidParameterError (a ValueError) naming the first invalid hyper-parameter."""
    for name, rule in RULES.items():
        rule.check(getattr(estimator, name), name)
