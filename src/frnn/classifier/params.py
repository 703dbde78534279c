"""The scikit-learn estimator checks that ``RNNClassifier`` cannot pass, with the reasons.

Its hyper-parameter rules are the estimators' (:mod:`frnn.estimators.params`).
"""

from __future__ import annotations

__all__ = ["expected_failed_checks"]


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
