"""The old import path ``frnn.network``: the public names of :mod:`frnn.engine.network`."""

from .engine.network import *  # noqa: F403  (its public names, as its __all__ lists them)
from .engine.network import __all__ as __all__
