"""The old import path ``frnn.graph``: the public names of :mod:`frnn.viz.graph`."""

from .viz.graph import KINDS, MAX_STEPS, build, draw

__all__ = ["build", "draw", "KINDS", "MAX_STEPS"]
