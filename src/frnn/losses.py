"""``frnn.losses`` is ``frnn.engine.losses``: the old import path, kept working."""

import sys

from .engine import losses

sys.modules[__name__] = losses  # the same module object, so attributes set on one show on both
