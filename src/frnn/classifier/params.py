"""The scikit-learn estimator checks that ``RNNClassifier`` cannot pass, with the reasons.

Its hyper-parameter rules are the estimators' (:mod:`frnn.estimators.params`).
"""

from __future__ import annotations

__all__ = ["expected_failed_checks"]


def expected_failed_checks(estimator) -> dict[str, str]:
    """The scikit-learn estimator checks that cannot apply, with the reasons: none today.

    Pass to ``parametrize_with_checks(..., expected_failed_checks=...)`` (sklearn ≥ 1.6,
    which replaced the ``_xfail_checks`` tag by this argument).  ``training="bptt"``
    networks once failed ``check_class_weight_classifiers``: without the biases b and c, z
    is an odd function of x and no class weighting makes them predict one class for inputs
    spread symmetrically about 0; with the biases (``bias=True``, the default) they pass.
    """
    return {}
