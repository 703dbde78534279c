"""frnn.engine.target: the vector registers numba's code may use, from LLVM's features."""

from __future__ import annotations

import llvmlite.binding as ll
import pytest
from numba.core import config

from frnn.engine import target


@pytest.mark.parametrize(
    ("features", "registers"),
    [
        ("+avx,+avx2,+avx512f,+fma", 32),
        ("+avx2,-avx512f,+fma", 16),  # named, and off
        ("+avx2,+avx512fp16", 16),  # another feature that starts alike
        ("", 16),  # NUMBA_CPU_FEATURES="": the CPU name's own features, unknown here
    ],
)
def test_avx512f_on_gives_32_registers(features, registers):
    assert target.vector_registers(features) == registers


def test_numba_features_decide_else_this_cpus(monkeypatch):
    monkeypatch.setattr(config, "CPU_FEATURES", "+avx512f")
    assert target.vector_registers() == 32
    monkeypatch.setattr(config, "CPU_FEATURES", "")
    assert target.vector_registers() == 16
    monkeypatch.setattr(config, "CPU_FEATURES", None)
    host = "+avx512f" in ll.get_host_cpu_features().flatten().split(",")
    assert target.vector_registers() == (32 if host else 16)
