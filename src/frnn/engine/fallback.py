"""Saying so when numba's compiled loops cannot run and the numpy loops run instead.

frnn's compiled loops (the engine's ``kernels`` and ``blas_kernels``, the reservoirs'
``kernels``) are tried once per process; where numba cannot be imported or a loop fails
to compile or load from numba's disk cache, the numpy loops give the same results, several
times slower.  That is worth one warning a process (a user would otherwise wait without
knowing why, and a test would skip what it was meant to test); the reason stays readable
in ``reasons()``.
"""

from __future__ import annotations

import threading
import warnings

__all__ = ["CompiledLoopsWarning", "forget", "reasons", "unusable"]


class CompiledLoopsWarning(RuntimeWarning):
    """frnn's compiled (numba) loops cannot run here: its numpy loops run instead, with the
    same results, several times slower.  The message names the loops and numba's error."""


_REASONS: dict[str, str] = {}  # the loops' name -> numba's error, in the order found
_LOCK = threading.Lock()


def unusable(loops: str, error: BaseException) -> None:
    """Record and warn, once a process for each ``loops``, that they cannot run because
    of ``error`` (what numba raised).  The warning names the loops: how deep in the engine
    the user's call began is not knowable here."""
    reason = f"{type(error).__name__}: {error}"
    reason = reason if len(reason) <= 300 else reason[:297] + "..."
    with _LOCK:
        if loops in _REASONS:
            return
        _REASONS[loops] = reason
    warnings.warn(
        f"frnn's compiled {loops} cannot run here ({reason}); its numpy loops run "
        f"instead: the same results, several times slower. Reinstalling numba, or "
        f"deleting the __pycache__ folders of the frnn package (numba's disk cache), "
        f"may help",
        CompiledLoopsWarning,
        stacklevel=2,
    )


def reasons() -> dict[str, str]:
    """The loops found unusable in this process, each with numba's error (a copy)."""
    with _LOCK:
        return dict(_REASONS)


def forget() -> None:
    """Warn again of loops found unusable from now on (for tests that provoke it)."""
    with _LOCK:
        _REASONS.clear()
