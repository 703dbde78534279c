"""``frnn.graph`` is ``frnn.viz.graph``: the old import path, kept working."""

import sys

from .viz import graph

sys.modules[__name__] = graph  # the same module object, so attributes set on one show on both
