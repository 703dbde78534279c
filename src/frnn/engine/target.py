"""What numba compiles frnn's loops for: how many vector registers the code may hold.

A loop whose body keeps many values in registers (the reservoirs' product, two rows of S
against eight rows of Z: 16 weights, 8 inputs and 2 sums) runs fastest with AVX-512's 32
vector registers (zmm0–31; code compiled 256 bits wide for an AVX-512 CPU still has
ymm0–31), and slower than a smaller form with AVX2's 16, where the weights spill to
memory.  The compiled loops read :data:`VECTOR_REGISTERS` as a constant when they compile;
numba keys its on-disk cache by the same CPU name and features, so a cached loop matches.
"""

from __future__ import annotations

from numba.core import config

__all__ = ["VECTOR_REGISTERS", "vector_registers"]


def vector_registers(features: str | None = None) -> int:
    """32 where numba compiles with AVX-512, else 16.

    Parameters
    ----------
    features : str or None, default None
        LLVM's feature string ("+avx2,+avx512f,…"); None for numba's own: its
        ``NUMBA_CPU_FEATURES``, else this CPU's.  An empty string (``NUMBA_CPU_FEATURES=""``:
        the features of ``NUMBA_CPU_NAME`` alone) counts 16, the safe choice: a CPU
        named without its features may lack AVX-512, and the forms for 16 registers give
        the same results.

    Returns
    -------
    int
        16 or 32.
    """
    if features is None:
        features = config.CPU_FEATURES
    if features is None:
        import llvmlite.binding as ll

        features = ll.get_host_cpu_features().flatten()
    return 32 if "+avx512f" in features.split(",") else 16


VECTOR_REGISTERS = vector_registers()
