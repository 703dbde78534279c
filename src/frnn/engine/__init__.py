"""The engine: losses, activations, init / forward / backward and the loops that run them.

Nothing here knows about estimators, files or pictures; every layer above calls into it.
"""

from .activations import ACTIVATIONS
from .initialise import init
from .losses import LOSSES, bce_with_logits, bce_with_logits_grad, mse, mse_grad, sigmoid
from .model import FullyRecurrentNetwork
from .network import backward, forward

__all__ = [
    "ACTIVATIONS",
    "FullyRecurrentNetwork",
    "LOSSES",
    "backward",
    "bce_with_logits",
    "bce_with_logits_grad",
    "forward",
    "init",
    "mse",
    "mse_grad",
    "sigmoid",
]
