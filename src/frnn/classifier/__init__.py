"""``RNNClassifier``: class labels, by reservoirs or BPTT, on the estimator core."""

from .estimator import RNNClassifier
from .params import expected_failed_checks
from .targets import evaluate

__all__ = ["RNNClassifier", "evaluate", "expected_failed_checks"]
