"""The scikit-learn estimator checks that ``RNNClassifier`` cannot pass, with the reasons.

Its hyper-parameter rules are the estimators' (:mod:`frnn.estimators.params`); the checks
it cannot pass are both estimators' (:func:`frnn.estimators.params.expected_failed_checks`).
"""

from __future__ import annotations

from ..estimators.params import expected_failed_checks

__all__ = ["expected_failed_checks"]
