"""Dask arrays routed to :mod:`frnn.estimators.chunked`, recognised without importing dask."""

from __future__ import annotations

import functools
import sys

__all__ = ["chunkwise", "is_dask"]


def is_dask(X) -> bool:
    """Whether X is a dask array, asked without importing dask (a dask array exists only
    once ``dask.array`` has been imported)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


def chunkwise(method):
    """A method of X (predict, ...) that maps a dask array X chunk by chunk, lazily, into
    a dask array (:func:`frnn.estimators.chunked.lazy`); any other X as it is."""

    @functools.wraps(method)
    def wrapped(self, X, *args, **kwargs):
        if is_dask(X):
            from . import chunked

            return chunked.lazy(method, self, X, *args, **kwargs)
        return method(self, X, *args, **kwargs)

    return wrapped
