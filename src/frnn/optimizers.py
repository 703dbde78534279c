"""The old import path ``frnn.optimizers``: the public names of :mod:`frnn.training.optimizers`."""

from .training.optimizers import NO_DECAY, OPTIMIZERS, SGD, Adam, make_optimizer

__all__ = ["Adam", "make_optimizer", "NO_DECAY", "OPTIMIZERS", "SGD"]
