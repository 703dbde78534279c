"""A classifier's confusion matrix as a picture (``frnn evaluate --out``)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .figures import new_figure

_MAX_CLASSES = 60  # beyond this the labels cannot be read, however large the figure


def plot_confusion(matrix, classes, title: str = "") -> Figure:
    """The counts of a confusion matrix, each cell shaded by its share of its row.

    Parameters
    ----------
    matrix : (n_classes, n_classes) counts: row i the series of class i, column j those
        predicted as class j
    classes : the n_classes labels, in the order of the rows
    title : the figure's title

    Returns
    -------
    matplotlib.figure.Figure, to be written with ``figures.save_figure``
    """
    counts = np.asarray(matrix, dtype=np.int64)  # (n, n)
    n = len(classes)
    if counts.shape != (n, n):
        raise ValueError(f"matrix must be ({n}, {n}) for {n} classes; got shape {counts.shape}")
    if n > _MAX_CLASSES:
        raise ValueError(
            f"a confusion matrix of {n} classes is not legible (at most {_MAX_CLASSES})"
        )
    totals = counts.sum(axis=1, keepdims=True)
    share = counts / np.maximum(totals, 1)  # (n, n): each row's recall and its errors
    side = 2.5 + 0.45 * n
    fig = new_figure((side + 1.2, side), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax, label="share of the true class", shrink=0.8)
    size = "medium" if n <= 10 else "x-small"
    for i in range(n):
        for j in range(n):
            color = "white" if share[i, j] > 0.5 else "black"
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", color=color, fontsize=size)
    labels = [str(c) for c in classes]
    ax.set_xticks(range(n), labels, rotation=45 if n > 6 else 0, ha="right" if n > 6 else "center")
    ax.set_yticks(range(n), labels)
    ax.set(xlabel="predicted class", ylabel="true class")
    if title:
        ax.set_title(title)
    return fig
