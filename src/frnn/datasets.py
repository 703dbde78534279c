"""``frnn.datasets`` is ``frnn.data.datasets``: the old import path, kept working."""

import sys

from .data import datasets

sys.modules[__name__] = datasets  # the same module object, so attributes set on one show on both
