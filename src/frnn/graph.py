"""The old import path ``frnn.graph``: the public names of :mod:`frnn.viz.graph`."""

from .viz.graph import *  # noqa: F403  (its public names, as its __all__ lists them)
from .viz.graph import __all__ as __all__
