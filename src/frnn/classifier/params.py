"""Hyper-parameter rules of ``RNNClassifier`` (checked by ``fit``, as scikit-learn asks).

Each rule is the vocabulary of ``frnn._validate``; option lists come from their owners.
"""

from __future__ import annotations

from .._validate import Interval, Options, Seed
from ..engine.activations import ACTIVATIONS
from ..training.optimizers import OPTIMIZERS
from ..training.steps import SCHEDULES

DTYPES = ("float64", "float32")

TRAINING = ("reservoir", "bptt")

# The reservoir's ranges (spectral_radius, input_scale) and class_weight are checked where
# they are read: frnn.reservoir.ReservoirFeatures and scikit-learn's compute_class_weight.
RULES = {
    "training": Options(TRAINING),
    "hidden_size": Interval("int", 1),
    "n_reservoirs": Interval("int", 1),
    "taps": Interval("int", 1),
    "max_steps": Interval("int", 1, none=True),
    "n_thresholds": Interval("int", 1),
    "n_jobs": Interval("int", none=True),
    "activation": Options(sorted(ACTIVATIONS)),
    "optimizer": Options(OPTIMIZERS),
    "learning_rate": Interval("real", 0, closed="neither"),
    "momentum": Interval("real", 0, 1),
    "schedule": Options(SCHEDULES),
    "epochs": Interval("int", 1),
    "batch_size": Interval("int", 1),
    "clip": Interval("real", 0, closed="neither", none=True),
    "chunk_length": Interval("int", 1, none=True),
    "frame_size": Interval("int", 1, none=True),
    "init_scale": Interval("real", 0, closed="neither", none=True),
    "bias": Options((True, False)),
    "aux_weight": Interval("real", 0),
    "n_ensemble": Interval("int", 1),
    "weight_decay": Interval("real", 0),
    "validation_fraction": Interval("real", 0, 1),
    "patience": Interval("int", 1),
    "standardize": Options((True, False)),
    "dtype": Options(DTYPES),
    "random_state": Seed(),
}


def check_params(estimator) -> None:
    """Raise InvalidParameterError (a ValueError) naming the first invalid hyper-parameter."""
    for name, rule in RULES.items():
        rule.check(getattr(estimator, name), name)


def expected_failed_checks(estimator) -> dict[str, str]:
    """The scikit-learn estimator checks that cannot apply, with the reasons.

    Pass to ``parametrize_with_checks(..., expected_failed_checks=...)`` (sklearn ≥ 1.6,
    which replaced the ``_xfail_checks`` tag by this argument).
    """
    if estimator.training == "bptt":
        return {
            "check_class_weight_classifiers": (
                "training='bptt' networks have no biases b, c yet (the engine's bias issue): "
                "z is then an odd function of x, so no class weighting can make them predict "
                "one class for inputs spread symmetrically about 0"
            )
        }
    return {}
