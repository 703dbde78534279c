"""The old import path ``frnn.datasets``: the public names of :mod:`frnn.data.datasets`."""

from .data.datasets import *  # noqa: F403  (its public names, as its __all__ lists them)
from .data.datasets import __all__ as __all__
