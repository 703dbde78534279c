"""The old import path ``frnn.plots``: the public names of :mod:`frnn.viz.plots`."""

from .viz.plots import *  # noqa: F403  (its public names, as its __all__ lists them)
from .viz.plots import __all__ as __all__
