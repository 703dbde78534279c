"""The estimators' hyper-parameter rules (checked by ``fit``, as scikit-learn asks).

One table for every parameter of either estimator, in the vocabulary of ``frnn._validate``;
option lists come from their owners.  Each estimator checks the parameters its signature
has, in its signature's order.
"""

from __future__ import annotations

from .._validate import Interval, InvalidParameterError, Options, Seed
from ..data.layouts import DATA_FORMATS
from ..engine.activations import ACTIVATIONS
from ..engine.schemes import INIT_SCHEMES, SCALE_SCHEMES
from ..reservoir.neighbours import check_weight
from ..training.optimizers import OPTIMIZERS
from ..training.steps import SCHEDULES

__all__ = ["DTYPES", "RULES", "TRAINING", "check_params", "expected_failed_checks"]

DTYPES = ("float64", "float32")


class _NeighbourWeight:
    """β of the nearest training series: "auto" or a number in [0, inf]."""

    def check(self, value, name: str):
        try:
            check_weight(value, name)
        except ValueError as error:
            raise InvalidParameterError(str(error)) from None
        return value


class _Jobs:
    """Threads, as joblib counts them: None (one), a positive count, or −1, −2, … (every
    core, every core but one, …); 0 means nothing (joblib's "n_jobs == 0 in Parallel has
    no meaning", raised mid-fit)."""

    def check(self, value, name: str):
        if value is not None and (value not in Interval("int") or value == 0):
            raise InvalidParameterError(
                f"{name} must be an integer other than 0 (-1: every core) or None; got {value!r}"
            )
        return value


TRAINING = ("reservoir", "bptt")

# The reservoirs' ranges (spectral_radius, input_scale) and class_weight are checked where
# they are read: frnn.reservoir.ReservoirFeatures and frnn.reservoir.weights.class_weights.
RULES = {
    "training": Options(TRAINING),
    "hidden_size": Interval("int", 1, none=True),
    "n_reservoirs": Interval("int", 1),
    "taps": Interval("int", 1),
    "max_steps": Interval("int", 1, none=True),
    "n_thresholds": Interval("int", 1),
    "n_jobs": _Jobs(),
    "activation": Options(sorted(ACTIVATIONS)),
    "init": Options(INIT_SCHEMES),
    "optimizer": Options(OPTIMIZERS),
    "learning_rate": Interval("real", 0, closed="neither"),
    "momentum": Interval("real", 0, 1),
    "schedule": Options(SCHEDULES),
    "warmup": Interval("real", 0, 1, closed="left"),
    "steps": Interval("int", 1),
    "epochs": Interval("int", 1, none=True),
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
    "data_format": Options(DATA_FORMATS, none=True),
    "neighbour_weight": _NeighbourWeight(),
}


def check_params(estimator) -> None:
    """Raise InvalidParameterError (a ValueError) naming the first invalid hyper-parameter."""
    params = estimator.get_params(deep=False)
    for name, value in params.items():
        if name in RULES:
            RULES[name].check(value, name)
    if params.get("init_scale") is not None and params.get("init") not in SCALE_SCHEMES:
        raise InvalidParameterError(
            f"init_scale must be None for init={params.get('init')!r} (its scale is fixed); "
            f"got {params['init_scale']!r}"
        )


def expected_failed_checks(estimator) -> dict[str, str]:
    """The scikit-learn estimator checks that cannot apply to either estimator, with the
    reasons.

    Pass to ``parametrize_with_checks(..., expected_failed_checks=...)`` (sklearn ≥ 1.6,
    which replaced the ``_xfail_checks`` tag by this argument).  ``training="bptt"``
    networks once failed ``check_class_weight_classifiers``: without the biases b and c, z
    is an odd function of x and no class weighting makes them predict one class for inputs
    spread symmetrically about 0; with the biases (``bias=True``, the default) they pass.
    """
    return {
        "check_sample_weight_equivalence_on_dense_data": (
            "a weight of k is k copies in the losses alone (frnn.data.weights): the "
            "feature map (the input standardisation, the reservoirs' thresholds, the "
            "features' scaling) is drawn from every series as given, a copy is its twin's "
            "nearest neighbour and survives its leave-one-out (α, ω, β, τ), and BPTT draws "
            "its mini-batches from the series, not their copies"
        )
    }
