"""The old import path ``frnn.estimator``: the public names of :mod:`frnn.classifier.estimator`."""

from .classifier.estimator import *  # noqa: F403  (its public names, as its __all__ lists them)
from .classifier.estimator import __all__ as __all__
