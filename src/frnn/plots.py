"""``frnn.plots`` is ``frnn.viz.plots``: the old import path, kept working."""

import sys

from .viz import plots

sys.modules[__name__] = plots  # the same module object, so attributes set on one show on both
