"""frnn: the fully recurrent network (vanilla Elman RNN), exact, explained and fast on a CPU.

s(t) = W x(t) + R a(t−1),  a(t) = f(s(t)),  z(t) = V a(t),  ŷ(t) = σ(z(t))

Every public name is imported on first use (numpy, scikit-learn and matplotlib load only
when needed), so ``import frnn`` and ``frnn --help`` start at once; ``dir(frnn)`` lists them.
"""

from __future__ import annotations

import importlib

from ._version import __version__ as __version__

# name -> the module that defines it
_NAMES = {
    "ACTIVATIONS": ".engine.activations",
    "LOSSES": ".engine.losses",
    "bce_with_logits": ".engine.losses",
    "bce_with_logits_grad": ".engine.losses",
    "mse": ".engine.losses",
    "mse_grad": ".engine.losses",
    "sigmoid": ".engine.losses",
    "FullyRecurrentNetwork": ".engine.model",
    "backward": ".engine.network",
    "forward": ".engine.network",
    "init": ".engine.initialise",
    "load": ".io",
    "load_state": ".io",
    "save": ".io",
    "save_state": ".io",
    "to_torch": ".io",
    "DEERFallbackWarning": ".parallel.deer",
    "DEERInfo": ".parallel.deer",
    "diagonal_scan": ".parallel.scan",
    "linear_scan": ".parallel.scan",
    "LayoutWarning": ".data.layouts",
    "channels_last": ".data.layouts",
    "RNNClassifier": ".classifier.estimator",  # imports scikit-learn
    "RNNRegressor": ".regressor.estimator",  # imports scikit-learn
}
_LAZY = ("graph", "plots")  # modules that import matplotlib and networkx

__all__ = list(_NAMES)


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name], __name__), name)
        globals()[name] = value  # the next access is a plain attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES, *_LAZY})
