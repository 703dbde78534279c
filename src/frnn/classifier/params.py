"""Hyper-parameter checks of ``RNNClassifier`` (run by ``fit``, as scikit-learn asks)."""

from __future__ import annotations

import numbers

import numpy as np

from ..engine.activations import ACTIVATIONS

_INF = float("inf")

# name: (kind, low, high, low inclusive, may be None) for numbers; a tuple of options else.
_RULES = {
    "hidden_size": ("int", 1, _INF, True, False),
    "activation": tuple(sorted(ACTIVATIONS)),
    "optimizer": ("adam", "sgd"),
    "learning_rate": ("real", 0.0, _INF, False, False),
    "momentum": ("real", 0.0, 1.0, True, False),
    "schedule": ("constant", "cosine"),
    "epochs": ("int", 1, _INF, True, False),
    "batch_size": ("int", 1, _INF, True, False),
    "clip": ("real", 0.0, _INF, False, True),
    "chunk_length": ("int", 1, _INF, True, True),
    "frame_size": ("int", 1, _INF, True, True),
    "init_scale": ("real", 0.0, _INF, False, True),
    "aux_weight": ("real", 0.0, _INF, True, False),
    "n_ensemble": ("int", 1, _INF, True, False),
    "weight_decay": ("real", 0.0, _INF, True, False),
    "validation_fraction": ("real", 0.0, 1.0, True, False),
    "patience": ("int", 1, _INF, True, False),
    "standardize": (True, False),
    "dtype": ("float64", "float32"),
}


def check_params(estimator) -> None:
    """Raise ValueError naming the first invalid hyper-parameter of ``estimator``."""
    for name, rule in _RULES.items():
        value = getattr(estimator, name)
        if isinstance(rule[0], str) and rule[0] in ("int", "real"):
            _check_number(name, value, *rule)
        elif not any(
            value is option or (isinstance(value, str) and value == option) for option in rule
        ):
            raise ValueError(f"{name} must be one of {list(rule)}; got {value!r}")


def _check_number(name, value, kind, low, high, inclusive, nullable) -> None:
    if value is None and nullable:
        return
    types_ = numbers.Integral if kind == "int" else numbers.Real
    ok = isinstance(value, types_) and not isinstance(value, bool | np.bool_)
    if ok:
        ok = (low <= value if inclusive else low < value) and value < high
    if not ok:
        what = "an integer" if kind == "int" else "a real number"
        interval = f"{'[' if inclusive else '('}{low:g}, {high:g})"
        none = " or None" if nullable else ""
        raise ValueError(f"{name} must be {what} in {interval}{none}; got {value!r}")


def expected_failed_checks(estimator) -> dict[str, str]:
    """The scikit-learn estimator checks that cannot apply, with the reasons.

    Pass to ``parametrize_with_checks(..., expected_failed_checks=...)`` (sklearn ≥ 1.6,
    which replaced the ``_xfail_checks`` tag by this argument).
    """
    return {}
