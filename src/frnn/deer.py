"""``frnn.deer`` is ``frnn.parallel.deer``: the old import path, kept working."""

import sys

from .parallel import deer

sys.modules[__name__] = deer  # the same module object, so attributes set on one show on both
