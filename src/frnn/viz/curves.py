"""The training curves of a run: loss, accuracy and gradient norm per epoch."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figures import new_figure


def plot_curves(history: dict[str, list], title: str = "") -> Figure:
    """Loss and accuracy per epoch (train and validation) and the gradient norm.

    Parameters
    ----------
    history : an estimator's ``history_``: lists "loss", "accuracy", "grad_norm" and,
        optionally, "val_loss" and "val_accuracy" (None where there was no validation)
    title : the figure's title

    Returns
    -------
    matplotlib.figure.Figure, to be written with ``figures.save_figure``
    """
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig = new_figure((12, 3.6), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, key, label in ((axes[0], "loss", "loss"), (axes[1], "accuracy", "accuracy")):
        ax.plot(epochs, history[key], label="train")
        val = [np.nan if v is None else v for v in history.get(f"val_{key}", [])]
        if val and not np.all(np.isnan(val)):
            ax.plot(epochs, val, label="validation")
        ax.set(xlabel="epoch", ylabel=label, title=label)
        ax.legend()
    axes[0].set_yscale("log")
    axes[2].plot(epochs, history["grad_norm"], color="tab:green")
    axes[2].set(xlabel="epoch", ylabel="‖g‖ before clipping", title="gradient norm", yscale="log")
    for ax in axes:
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig
