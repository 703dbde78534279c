"""Loop-free evaluation of recurrences: the parallel scan and DEER.

``scan`` solves linear recurrences, ``deer`` solves nonlinear ones by Newton iterations
over scans, given the activation and its derivative; nothing here imports the engine, whose
``methods`` connect them to ``forward`` / ``backward``.
"""

from .deer import DEERFallbackWarning, DEERInfo
from .scan import diagonal_scan, linear_scan

__all__ = ["DEERFallbackWarning", "DEERInfo", "diagonal_scan", "linear_scan"]
