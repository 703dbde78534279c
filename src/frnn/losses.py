"""The old import path ``frnn.losses``: the public names of :mod:`frnn.engine.losses`."""

from .engine.losses import bce_with_logits, bce_with_logits_grad, mse, mse_grad, sigmoid

__all__ = ["bce_with_logits", "bce_with_logits_grad", "mse", "mse_grad", "sigmoid"]
