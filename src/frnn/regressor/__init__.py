"""``RNNRegressor``: real-valued targets, per series or per step, on the estimator core."""

from .estimator import RNNRegressor
from .targets import evaluate
from .task import predictions

__all__ = ["RNNRegressor", "evaluate", "predictions"]
