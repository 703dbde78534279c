"""The old import path ``frnn.activations``: the public names of :mod:`frnn.engine.activations`."""

from .engine.activations import *  # noqa: F403  (its public names, as its __all__ lists them)
from .engine.activations import __all__ as __all__
