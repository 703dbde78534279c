"""The metadata document of frnn's files: JSON values written from numpy's, and compared as
a file stores them (numbers by value, NaN equal to NaN, true not equal to 1)."""

from __future__ import annotations

import numpy as np

__all__ = ["difference", "json_scalar"]


def json_scalar(value):
    """numpy scalars as Python ones; anything else is not JSON-able."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def difference(read, written, where: str = "") -> str | None:
    """Where the JSON values ``read`` and ``written`` differ (numbers by value, NaN equal
    to NaN, true not 1), or None."""
    if isinstance(read, dict) and isinstance(written, dict):
        for key in sorted(set(read) | set(written), key=str):
            if key not in read or key not in written:
                return f"{where}[{key!r}]"
            found = difference(read[key], written[key], f"{where}[{key!r}]")
            if found is not None:
                return found
        return None
    if isinstance(read, list) and isinstance(written, list) and len(read) == len(written):
        for i, (a, b) in enumerate(zip(read, written, strict=True)):
            found = difference(a, b, f"{where}[{i}]")
            if found is not None:
                return found
        return None
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (read, written))
    if numbers and (read == written or (read != read and written != written)):
        return None
    same = type(read) is type(written) and read == written
    return None if same else (where or "document")
