"""``frnn.activations`` is ``frnn.engine.activations``: the old import path, kept working."""

import sys

from .engine import activations

sys.modules[__name__] = activations  # the same module object, so attributes set on one show on both
