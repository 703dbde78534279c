"""The estimator core: one base under ``RNNClassifier`` and ``RNNRegressor``.

``base`` holds the parameters' handling, the transactional fit and the input path;
``tasks`` the interface of the task objects (what depends on the targets); ``params`` the
hyper-parameter rules; ``persist`` the model files of both.
"""

from .base import RNNEstimator
from .tasks import Task

__all__ = ["RNNEstimator", "Task"]
