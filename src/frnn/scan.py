"""The old import path ``frnn.scan``: the public names of :mod:`frnn.parallel.scan`."""

from .parallel.scan import diagonal_scan, linear_scan

__all__ = ["diagonal_scan", "linear_scan"]
