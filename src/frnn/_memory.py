"""The memory this process may use, so that work which cannot fit is refused before it
starts: a reservoir fit on a million series would otherwise allocate its (n, p) features
lazily, run for minutes and be killed by the system (or swap), with no word of what to
change.  Only sizes beyond all of the memory are refused: the check cannot know what else
the machine runs, and a size it lets through may still fail the ordinary way."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["check", "limit"]

# cgroup v2's and v1's limit of a container's memory ("max", or a huge number: none)
_CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def limit() -> int | None:
    """The bytes of memory this process may use at most: the machine's physical memory,
    or a container's (cgroup's) limit where that is lower; None where neither is known."""
    found = []
    try:
        found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not POSIX, or the name unknown
        pass
    for path in _CGROUP_LIMITS:
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < 2**60:
            found.append(int(text))
    return min(found) if found else None


def check(need: int, what: str, instead: str) -> None:
    """Raise MemoryError when ``need`` bytes (``what`` takes them) exceed :func:`limit`,
    saying what to do ``instead``."""
    most = limit()
    if most is not None and need > most:
        raise MemoryError(
            f"{what} would take {_size(need)}, more than the {_size(most)} of memory this "
            f"process may use; {instead}"
        )


def _size(n: int) -> str:
    """``n`` bytes in words: "1.4 MiB", "43.0 GiB"."""
    for unit, power in (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 2**power:
            return f"{n / 2**power:,.1f} {unit}"
    return f"{n} bytes"
