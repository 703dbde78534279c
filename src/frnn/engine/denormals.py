"""Subnormal floats flushed to zero while the float32 BPTT loops run (x86: MXCSR's FTZ, DAZ).

Backpropagated through many steps, δ(t) = (g(t) + Rᵀ δ(t+1)) ⊙ f'(a(t)) shrinks
geometrically (the vanishing gradient), and in float32 it reaches the subnormal range
(below 1.2e-38) within a few hundred steps of small weights.  On Intel CPUs every
multiply-add with a subnormal operand or result takes a microcode assist, about a hundred
cycles: measured on a 2-core Intel Xeon (Ice Lake), one thread, the benchmark's large
float32 step (256, 100, 32, 256) took 940 ms with them and 107 ms flushed, and torch's the
same 960 / 134 ms (``torch.set_flush_denormal``); AMD's Zen cores pay little for them.

``flushed(kernel)`` runs a loop with the calling thread's FTZ (results that would be
subnormal are 0) and DAZ (subnormal inputs read as 0) bits set, BLAS's products called from
the loop included, and puts the thread's previous MXCSR back after, also on an error.  The
values changed are those below 1.2e-38 in magnitude, far below float32's round-off of any
gradient they are summed into (tested against the reference loops).  float64 loops are left
alone: their subnormals (below 2.2e-308) do not arise from such products in practice.
Elsewhere than on x86-64, or without numba, ``flushed`` returns the kernel as it is.
"""

from __future__ import annotations

import functools
import platform

from . import disk_cache

__all__ = ["FLUSH_BITS", "available", "flushed", "get_mxcsr", "set_mxcsr"]

FLUSH_BITS = 0x8040  # MXCSR bit 15, flush to zero, and bit 6, denormals are zeros


@functools.cache
def _functions():
    """(get, set) of the calling thread's MXCSR, compiled; None off x86-64 or without numba."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    try:
        from . import mxcsr
    except ImportError:
        return None
    disk_cache.guard(mxcsr)
    try:
        mxcsr.set_mxcsr(mxcsr.get_mxcsr())  # compile (or load from the cache) once, here
    except Exception:  # numba's or LLVM's failure to compile: run the loops as they are
        return None
    return mxcsr.get_mxcsr, mxcsr.set_mxcsr


def available() -> bool:
    """Whether this process can set the MXCSR (x86-64 with numba)."""
    return _functions() is not None


def get_mxcsr() -> int:
    """The calling thread's MXCSR (x86-64 with numba only)."""
    return int(_functions()[0]())


def set_mxcsr(value: int) -> None:
    """Set the calling thread's MXCSR (x86-64 with numba only)."""
    _functions()[1](value)


def flushed(kernel):
    """``kernel(*args)`` run with FTZ and DAZ set on whichever thread calls it, the thread's
    MXCSR restored after; ``kernel`` itself where the MXCSR cannot be set."""
    functions = _functions()
    if functions is None:
        return kernel
    get, put = functions

    def run(*args):
        old = get()
        put(old | FLUSH_BITS)
        try:
            return kernel(*args)
        finally:
            put(old)

    return run
