"""The old import path ``frnn.optimizers``: the public names of :mod:`frnn.training.optimizers`."""

from .training.optimizers import *  # noqa: F403  (its public names, as its __all__ lists them)
from .training.optimizers import __all__ as __all__
