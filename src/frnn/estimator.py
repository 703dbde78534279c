"""The old import path ``frnn.estimator``: the public names of :mod:`frnn.classifier.estimator`."""

from .classifier.estimator import RNNClassifier, expected_failed_checks

__all__ = ["expected_failed_checks", "RNNClassifier"]
