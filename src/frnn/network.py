"""The old import path ``frnn.network``: the public names of :mod:`frnn.engine.network`."""

from .engine.network import backward, forward, init

__all__ = ["backward", "forward", "init"]
