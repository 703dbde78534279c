"""The old import path ``frnn.losses``: the public names of :mod:`frnn.engine.losses`."""

from .engine.losses import *  # noqa: F403  (its public names, as its __all__ lists them)
from .engine.losses import __all__ as __all__
