"""``frnn.optimizers`` is ``frnn.training.optimizers``: the old import path, kept working."""

import sys

from .training import optimizers

sys.modules[__name__] = optimizers  # the same module object, so attributes set on one show on both
