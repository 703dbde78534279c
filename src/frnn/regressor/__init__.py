"""``RNNRegressor``: real-valued targets, per series or per step, by reservoirs or BPTT."""

from .estimator import RNNRegressor
from .targets import evaluate

__all__ = ["RNNRegressor", "evaluate"]
