"""The old import path ``frnn.scan``: the public names of :mod:`frnn.parallel.scan`."""

from .parallel.scan import *  # noqa: F403  (its public names, as its __all__ lists them)
from .parallel.scan import __all__ as __all__
