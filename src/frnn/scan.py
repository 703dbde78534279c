"""``frnn.scan`` is ``frnn.parallel.scan``: the old import path, kept working."""

import sys

from .parallel import scan

sys.modules[__name__] = scan  # the same module object, so attributes set on one show on both
