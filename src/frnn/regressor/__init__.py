"""``RNNRegressor``: real-valued targets, per series or per step, on the estimator core."""

from ..estimators.params import expected_failed_checks
from .estimator import RNNRegressor
from .targets import evaluate
from .task import predictions

__all__ = ["RNNRegressor", "evaluate", "expected_failed_checks", "predictions"]
