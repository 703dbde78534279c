"""frnn: the fully recurrent network (vanilla Elman RNN), exact, explained and fast on a CPU.

s(t) = W x(t) + R a(t−1),  a(t) = f(s(t)),  z(t) = V a(t),  ŷ(t) = σ(z(t))

The imports below are frnn's public names, one path each (type checkers and the API pages
read them); at run time each is imported on first use, so ``import frnn`` and
``frnn --help`` start at once (numpy, scikit-learn and matplotlib load only when needed).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

from ._version import __version__ as __version__

if TYPE_CHECKING:  # at run time, __getattr__ below imports each name on first use
    from . import graph, plots, viz
    from .classifier import RNNClassifier
    from .data import LayoutWarning, LengthWarning, channels_last
    from .engine.activations import ACTIVATIONS
    from .engine.fallback import CompiledLoopsWarning
    from .engine.initialise import init
    from .engine.losses import (
        LOSSES,
        bce_with_logits,
        bce_with_logits_grad,
        mse,
        mse_grad,
        sigmoid,
    )
    from .engine.model import FullyRecurrentNetwork
    from .engine.network import backward, forward
    from .io import load, load_state, save, save_state, to_torch
    from .parallel import DEERFallbackWarning, DEERInfo, diagonal_scan, linear_scan
    from .regressor import RNNRegressor

__all__ = [
    "ACTIVATIONS",
    "CompiledLoopsWarning",
    "DEERFallbackWarning",
    "DEERInfo",
    "FullyRecurrentNetwork",
    "LOSSES",
    "LayoutWarning",
    "LengthWarning",
    "RNNClassifier",
    "RNNRegressor",
    "backward",
    "bce_with_logits",
    "bce_with_logits_grad",
    "channels_last",
    "diagonal_scan",
    "forward",
    "graph",
    "init",
    "linear_scan",
    "load",
    "load_state",
    "mse",
    "mse_grad",
    "plots",
    "save",
    "save_state",
    "sigmoid",
    "to_torch",
    "viz",
]

_homes: dict[str, tuple[str, bool]] = {}  # name -> (its module, whether it is that module)


def _read_homes() -> None:
    """Fill ``_homes`` from the imports under ``TYPE_CHECKING`` above: the one list."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If))
    for node in block.body:
        for alias in node.names:
            module = "." * node.level + (node.module or alias.name)
            _homes[alias.asname or alias.name] = (module, node.module is None)


def __getattr__(name: str):
    if not _homes:
        _read_homes()
    if name not in _homes:
        if name.isidentifier() and importlib.util.find_spec(f"{__name__}.{name}") is not None:
            # a subpackage (frnn.data, frnn.training): as after ``import frnn.data``
            return importlib.import_module(f".{name}", __name__)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, whole = _homes[name]
    value = importlib.import_module(module, __name__)
    value = value if whole else getattr(value, name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
