"""``frnn evaluate``'s output: the scores, a classifier's confusion matrix and per-class
precision, recall, F1 and support as aligned text tables, and the matrix as a picture."""

from __future__ import annotations

from .numbers import loss_text

__all__ = ["draw_confusion", "format_evaluation", "image_format"]


def image_format(path, name: str) -> str:
    """``frnn.viz.figures.image_format``: "png", "svg" or "pdf", else ValueError."""
    from ..viz.figures import image_format as check  # matplotlib loads only here

    return check(path, name)


def format_evaluation(metrics: dict) -> str:
    """The lines ``frnn evaluate`` prints for the metrics of ``targets.evaluate``.

    A regressor's: RMSE, MAE, R², loss and n.  A classifier's: accuracy, loss and n, then
    (when ``metrics`` has them) the confusion matrix, rows the true classes and columns
    the predicted ones, and a table of each class's precision, recall, F1 and support with
    their unweighted mean (macro average) below.
    """
    if "r2" in metrics:
        return (
            f"rmse {metrics['rmse']:.4g}  mae {metrics['mae']:.4g}  r2 {metrics['r2']:.4f}  "
            f"loss {loss_text(metrics['loss'])}  n {metrics['n']}"
        )
    lines = [
        f"accuracy {metrics['accuracy']:.4f}  loss {loss_text(metrics['loss'])}  n {metrics['n']}"
    ]
    if "confusion_matrix" in metrics:
        lines += ["", *_confusion_lines(metrics), "", *_per_class_lines(metrics)]
    return "\n".join(lines)


def _confusion_lines(metrics: dict) -> list[str]:
    labels = [str(c) for c in metrics["classes"]]
    corner = "true \\ predicted"
    first = max(len(corner), *(len(label) for label in labels))
    width = max(7, *(len(label) + 2 for label in labels))
    width = max(width, *(len(str(v)) + 2 for row in metrics["confusion_matrix"] for v in row))
    lines = [f"{corner:<{first}}" + "".join(f"{label:>{width}}" for label in labels)]
    for label, row in zip(labels, metrics["confusion_matrix"], strict=True):
        lines.append(f"{label:<{first}}" + "".join(f"{v:>{width}}" for v in row))
    return ["confusion matrix (rows: true class, columns: predicted class)", *lines]


def _per_class_lines(metrics: dict) -> list[str]:
    per_class = metrics["per_class"]
    first = max(len("macro avg"), len("class"), *(len(name) for name in per_class))
    columns = ("precision", "recall", "f1", "support")
    lines = [f"{'class':<{first}}" + "".join(f"{c:>11}" for c in columns)]
    for name, row in per_class.items():
        scores = "".join(f"{row[c]:>11.3f}" for c in columns[:3])
        lines.append(f"{name:<{first}}{scores}{row['support']:>11}")
    n = len(per_class)
    means = "".join(f"{sum(r[c] for r in per_class.values()) / n:>11.3f}" for c in columns[:3])
    lines.append(f"{'macro avg':<{first}}{means}{metrics['n']:>11}")
    return lines


def draw_confusion(metrics: dict, out, title: str = "") -> None:
    """Write the confusion matrix of ``metrics`` to ``out`` (.png, .svg or .pdf)."""
    from ..viz.confusion import plot_confusion  # matplotlib loads only here
    from ..viz.figures import save_figure

    figure = plot_confusion(metrics["confusion_matrix"], metrics["classes"], title=title)
    save_figure(figure, out)
