"""The old import path ``frnn.plots``: the public names of :mod:`frnn.viz.plots`."""

from .viz.plots import (
    gradient_flow,
    gradient_flow_by_radius,
    loss_stability,
    naive_bce,
    plot_gradient_flow,
    plot_loss_stability,
    rescale_spectral_radius,
)

__all__ = [
    "gradient_flow",
    "gradient_flow_by_radius",
    "loss_stability",
    "naive_bce",
    "plot_gradient_flow",
    "plot_loss_stability",
    "rescale_spectral_radius",
]
