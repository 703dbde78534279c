"""The old import path ``frnn.activations``: the public names of :mod:`frnn.engine.activations`."""

from .engine.activations import ACTIVATIONS, Activation, activate, derivative

__all__ = ["activate", "Activation", "ACTIVATIONS", "derivative"]
