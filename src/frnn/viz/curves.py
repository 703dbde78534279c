"""The training curves of a run: loss, accuracy (or R²) and gradient norm per epoch.

The loss panel compares like with like: the main loss without the auxiliary term and
the class weights on the training data (the mean over the epoch's mini-batches), the
validation split and the test set; the training objective, which adds them, is drawn
apart (dashed) where it differs.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figures import new_figure

_SPLITS = (
    ("train", "train (mean over the epoch's batches)"),
    ("val", "validation"),
    ("test", "test (watched only)"),
)


def _values(history: dict[str, list], key: str) -> np.ndarray | None:
    """The history's ``key`` as floats (NaN for None), or None where it has no value."""
    values = np.array([np.nan if v is None else v for v in history.get(key, [])], dtype=float)
    return values if values.size and not np.all(np.isnan(values)) else None


def plot_curves(
    history: dict[str, list], title: str = "", regression: bool = False, unit: str = "epoch"
) -> Figure:
    """Loss and accuracy per epoch or round (train, validation, test) and the gradient norm.

    Parameters
    ----------
    history : an estimator's ``history_``: lists "loss" (the training objective),
        "accuracy", "grad_norm" and, optionally, "train_loss", "val_loss",
        "val_accuracy", "test_loss", "test_accuracy" (None where there was no value);
        a history written before "train_loss" shows the objective alone for training
    title : the figure's title
    regression : a regressor's history: the loss is ½ Σ_k (z_k − y_k)² on standardised
        targets and the accuracies are R²
    unit : what one entry of the history is, the x-axis' label: "epoch" (a pass over the
        training series, ``epochs=N``) or "round" (a share of a budget of ``steps``)

    Returns
    -------
    matplotlib.figure.Figure, to be written with ``figures.save_figure``
    """
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig = new_figure((12, 3.6), layout="constrained")
    axes = fig.subplots(1, 3)
    main = "½ squared error (standardised targets)" if regression else "cross-entropy"
    _loss_panel(axes[0], epochs, history, main, unit)
    score = "R²" if regression else "accuracy"
    for split, label in _SPLITS:
        values = _values(history, "accuracy" if split == "train" else f"{split}_accuracy")
        if values is not None:
            axes[1].plot(epochs, values, label=label.replace("epoch", unit))
    axes[1].set(xlabel=unit, ylabel=score, title=score)
    axes[1].legend(fontsize="x-small")
    axes[2].plot(epochs, history["grad_norm"], color="tab:green")
    axes[2].set(xlabel=unit, ylabel="‖g‖ before clipping", title="gradient norm", yscale="log")
    for ax in axes:
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig


def _loss_panel(ax, epochs: np.ndarray, history: dict[str, list], main: str, unit: str) -> None:
    """The main loss of every split, and the training objective where it differs."""
    for split, label in _SPLITS:
        values = _values(history, f"{split}_loss")
        if values is not None:
            ax.plot(epochs, values, label=label.replace("epoch", unit))
    objective, train = _values(history, "loss"), _values(history, "train_loss")
    if train is None or not np.allclose(objective, train, rtol=1e-12, atol=0.0):
        ax.plot(
            epochs,
            objective,
            color="tab:gray",
            linestyle="--",
            label="training objective (+ auxiliary term)",
        )
    ax.set(xlabel=unit, ylabel=f"{main}, without the auxiliary term", title="loss")
    ax.set_yscale("log")
    ax.legend(fontsize="x-small")
