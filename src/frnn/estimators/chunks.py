"""A dask array as chunks of whole series, for the chunked fit and predictions
(:mod:`frnn.estimators.chunked`): checked and put in frnn's layout, each chunk's span of
series, a chunk refused by its number where it is not finite, one value shared by every
task of a graph, and a tree of pairwise merges.  This module imports dask.
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np

from ..data import layouts

__all__ = ["checked", "finite", "in_layout", "local", "shared", "spans", "tree"]


def checked(X, name: str = "X") -> da.Array:
    """A dask array X (n, T) or (n, T, D) of numbers, in one chunk along time and channels
    (or in any layout ``data_format`` names: the axes are only checked here).

    Chunks along time or channels are merged (each series must be whole in its chunk);
    unknown chunk sizes, other shapes and dtypes are refused.
    """
    if X.ndim not in (2, 3):
        raise ValueError(f"{name} must be a dask array (n, T) or (n, T, D); got shape {X.shape}")
    if any(np.isnan(size) for sizes in X.chunks for size in sizes):
        raise ValueError(
            f"{name}'s chunk sizes are unknown (NaN); call {name}.compute_chunk_sizes() first"
        )
    if 0 in X.shape:
        raise ValueError(f"{name} must hold at least one series, step and channel; got {X.shape}")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric; got dtype {X.dtype}")
    if any(len(sizes) > 1 for sizes in X.chunks[1:]):
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})  # whole series per chunk
    return X


def in_layout(X: da.Array, data_format: str | None) -> da.Array:
    """X in frnn's layout (n, T[, D]), as :func:`frnn.channels_last` reads an array in
    memory: aeon's (n, C, T) transposed (lazily) for ``"channels_first"``, the layout's
    check (:func:`frnn.data.layouts.check_layout`) for None."""
    if X.ndim == 3 and data_format == "channels_first":
        return X.transpose(0, 2, 1)
    if X.ndim == 3 and data_format is None:
        layouts.check_layout(X.shape)
    return X


def local(value):
    """A dask array (or anything else: y, sample weights) as numpy, computed."""
    return value.compute() if isinstance(value, da.Array) else value


def spans(X: da.Array) -> list[tuple[int, int]]:
    """(start, stop) of each chunk's series."""
    stops = np.cumsum(X.chunks[0])
    return [(int(stop - size), int(stop)) for size, stop in zip(X.chunks[0], stops, strict=True)]


def finite(block: np.ndarray, chunk: int, span: tuple[int, int]) -> np.ndarray:
    """The chunk, refused naming it if it holds NaN or infinity."""
    bad = int(block.size - np.isfinite(block).sum())
    if bad:
        raise ValueError(
            f"Input X's chunk {chunk} (series {span[0]} to {span[1] - 1}) contains NaN or "
            f"infinity; found {bad} such value(s)"
        )
    return block


def tree(parts: list, merge):
    """One delayed result from many, by pairwise merges (depth log₂ of the chunks)."""
    while len(parts) > 1:
        pairs = [parts[i : i + 2] for i in range(0, len(parts), 2)]
        parts = [dask.delayed(merge)(*pair) if len(pair) == 2 else pair[0] for pair in pairs]
    return parts[0]


def shared(value):
    """``value`` as one key of the graph that every task reads: scattered to the workers
    once under a distributed client, embedded once otherwise."""
    try:
        from distributed import default_client

        return default_client().scatter(value, broadcast=True, hash=False)
    except (ImportError, ValueError):  # no distributed, or no client: dask's local scheduler
        return dask.delayed(value)
