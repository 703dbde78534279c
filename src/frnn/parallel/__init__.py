"""Loop-free evaluation of the recurrence: the parallel scan and DEER.

``scan`` solves linear recurrences, ``deer`` solves the nonlinear one by Newton iterations
over scans, and ``methods`` connects them to ``forward`` / ``backward``.
"""

from .methods import METHODS, bptt, states

__all__ = ["METHODS", "states", "bptt"]
