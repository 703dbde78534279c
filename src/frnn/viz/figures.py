"""Figures without pyplot: an Agg canvas per figure (headless, no global backend switch) and
an atomic writer that picks the format from the file's extension."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._atomic import atomic_writer

FORMATS = ("png", "svg", "pdf")


def new_figure(figsize: tuple[float, float], **kwargs) -> Figure:
    """A matplotlib Figure drawn by Agg, whatever backend pyplot uses."""
    figure = Figure(figsize=figsize, **kwargs)
    FigureCanvasAgg(figure)
    return figure


def image_format(path, name: str = "path") -> str:
    """ "png", "svg" or "pdf" from the path's extension; ValueError otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"{name} must end in .png, .svg or .pdf; got {str(path)!r}")
    return suffix


def save_figure(figure: Figure, path, *, dpi: int = 150) -> Path:
    """Write ``figure`` to ``path`` atomically: a temporary file beside it, then os.replace.

    A reader never sees half a picture, and a failed write leaves no partial file behind
    (an OSError names ``path``: the atomic writer's).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        Drawn with ``bbox_inches="tight"`` and a margin of 0.1 inch.
    path : str or os.PathLike
        Ends in .png, .svg or .pdf (any case), which picks the format; its folder must
        exist.
    dpi : int, default 150
        Dots per inch of a .png (and of anything rasterised in the others).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        ``path`` does not end in .png, .svg or .pdf.
    OSError
        The file cannot be written: a directory at ``path``, a missing folder, no
        permission, a full disk; named by ``path``.
    """
    path = Path(path)
    fmt = image_format(path)
    with atomic_writer(path) as stream:
        figure.savefig(stream, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.1)
    return path
