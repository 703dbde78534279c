"""Random recurrent reservoirs: fixed fully recurrent networks as feature extractors.

Each reservoir is the network s(t) = W u(t) + R a(t−1) + b, a(t) = tanh(s(t)) with W, R, b
drawn once and kept; its states, pooled over time, feed a linear read-out fitted in closed
form by ridge regression (the least-squares loss) with α chosen by exact leave-one-out.
"""

from .classifier import LeaveOneOutWarning, ReservoirClassifier
from .core import draw_reservoir, run, windows
from .features import ReservoirFeatures
from .readout import ReservoirReadout
from .ridge import ridge_loo

__all__ = [
    "LeaveOneOutWarning",
    "ReservoirClassifier",
    "ReservoirFeatures",
    "ReservoirReadout",
    "draw_reservoir",
    "ridge_loo",
    "run",
    "windows",
]
