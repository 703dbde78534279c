"""frnn: the fully recurrent network (vanilla Elman RNN), exact, explained and fast on a CPU.

s(t) = W x(t) + R a(t−1),  a(t) = f(s(t)),  z(t) = V a(t),  ŷ(t) = σ(z(t))
"""

from .engine.activations import ACTIVATIONS
from .engine.losses import LOSSES, bce_with_logits, bce_with_logits_grad, mse, mse_grad, sigmoid
from .engine.network import FullyRecurrentNetwork, backward, forward, init
from .io import load, load_state, save, save_state, to_torch
from .parallel.deer import DEERFallbackWarning, DEERInfo
from .parallel.scan import diagonal_scan, linear_scan

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "FullyRecurrentNetwork",
    "backward",
    "bce_with_logits",
    "bce_with_logits_grad",
    "forward",
    "init",
    "mse",
    "mse_grad",
    "sigmoid",
    "DEERFallbackWarning",
    "DEERInfo",
    "diagonal_scan",
    "linear_scan",
    "RNNClassifier",
    "RNNRegressor",
    "load",
    "load_state",
    "save",
    "save_state",
    "to_torch",
]

_LAZY = ("graph", "plots")  # they import matplotlib and networkx: loaded on first use only


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    if name == "RNNClassifier":  # imports scikit-learn: only when asked for
        from .classifier.estimator import RNNClassifier

        return RNNClassifier
    if name == "RNNRegressor":
        from .regressor.estimator import RNNRegressor

        return RNNRegressor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
