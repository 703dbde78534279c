"""Pictures: the unrolled computational graph, the teaching plots and the figure writer.

These modules import matplotlib and networkx, so nothing in the engine imports them.
"""

from .confusion import plot_confusion
from .curves import plot_curves
from .figures import save_figure
from .graph import build, draw
from .plots import (
    gradient_flow,
    gradient_flow_by_radius,
    loss_stability,
    naive_bce,
    plot_gradient_flow,
    plot_loss_stability,
    rescale_spectral_radius,
)

__all__ = [
    "build",
    "draw",
    "gradient_flow",
    "gradient_flow_by_radius",
    "loss_stability",
    "naive_bce",
    "plot_confusion",
    "plot_curves",
    "plot_gradient_flow",
    "plot_loss_stability",
    "rescale_spectral_radius",
    "save_figure",
]
