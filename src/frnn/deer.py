"""The old import path ``frnn.deer``: the public names of :mod:`frnn.parallel.deer`."""

from .parallel.deer import GROWTH, MAX_ITER, DEERFallbackWarning, DEERInfo, default_tol, solve, step

__all__ = ["DEERFallbackWarning", "DEERInfo", "default_tol", "GROWTH", "MAX_ITER", "solve", "step"]
