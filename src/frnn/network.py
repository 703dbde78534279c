"""``frnn.network`` is ``frnn.engine.network``: the old import path, kept working."""

import sys

from .engine import network

sys.modules[__name__] = network  # the same module object, so attributes set on one show on both
