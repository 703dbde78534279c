"""The old import path ``frnn.deer``: the public names of :mod:`frnn.parallel.deer`."""

from .parallel.deer import *  # noqa: F403  (its public names, as its __all__ lists them)
from .parallel.deer import __all__ as __all__
