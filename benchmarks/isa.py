"""``--isa avx2``: a benchmark run with every library's AVX2 code, on a CPU with AVX-512.

A CPU without AVX-512 (AMD before Zen 4, Intel before Skylake-SP) runs OpenBLAS's Haswell
kernels, which have no small-matrix path, numba's code compiled for it, and MKL's and
torch's AVX2 kernels.  ``AVX2`` is the environment that makes each library take those
paths here (each reads it when it loads, so the script runs itself again in it).  numba
compiles for Zen 3 with no feature beyond that CPU's own (an empty ``NUMBA_CPU_FEATURES``):
naming the CPU alone would keep this machine's AVX-512 instructions (its features) under
the Haswell name, vector conversions of 64-bit integers among them, which AVX2 lacks.
The arithmetic units stay the machine's: on Zen 4, whose AVX-512 runs on 256-bit units,
this is close to a Zen 3 of the same clock; on an Intel CPU with two 512-bit units,
AVX2's peak is half.
"""

from __future__ import annotations

import os
import sys

AVX2 = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NUMBA_CPU_NAME": "znver3",
    "NUMBA_CPU_FEATURES": "",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
}


def run_as_avx2(script: str, argv: list[str]) -> None:
    """Run ``script`` again in the environment ``AVX2`` unless it already is in it."""
    if any(os.environ.get(name) != value for name, value in AVX2.items()):
        path = os.path.abspath(script)
        os.execve(sys.executable, [sys.executable, path, *argv], {**os.environ, **AVX2})


def describe(isa: str) -> str:
    """One line for a table's header: the code paths the run took, and numba's target."""
    import numba.core.config

    target = numba.core.config.CPU_NAME or "this CPU (host)"
    if isa != "avx2":
        return f"native; numba compiles for {target}"
    settings = ", ".join(f"{k}={v!r}" if v == "" else f"{k}={v}" for k, v in AVX2.items())
    return f"AVX2 only (--isa avx2: {settings}); numba compiles for {target}"
