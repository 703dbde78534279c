"""``frnn.estimator`` is ``frnn.classifier.estimator``: the old import path, kept working."""

import sys

from .classifier import estimator

sys.modules[__name__] = estimator  # the same module object, so attributes set on one show on both
