"""The x86 MXCSR register read and written from compiled code (LLVM's ``stmxcsr`` and
``ldmxcsr`` intrinsics): the calling thread's SSE/AVX rounding and subnormal controls.
Imported only on x86-64 (:mod:`frnn.engine.denormals`)."""

from __future__ import annotations

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["get_mxcsr", "set_mxcsr"]

IMPORTS_DIGEST = "e3b0c44298fc1c14"


def _mxcsr_call(builder, name: str, slot) -> None:
    """Call ``llvm.x86.sse.<name>`` (stmxcsr or ldmxcsr) on the 32-bit ``slot``."""
    pointer = ir.IntType(8).as_pointer()
    function = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(ir.VoidType(), [pointer]), f"llvm.x86.sse.{name}"
    )
    builder.call(function, [builder.bitcast(slot, pointer)])


@intrinsic
def _read(typingctx):
    def codegen(context, builder, signature, args):
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        _mxcsr_call(builder, "stmxcsr", slot)
        return builder.load(slot)

    return types.uint32(), codegen


@intrinsic
def _write(typingctx, value):
    if not isinstance(value, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        builder.store(context.cast(builder, args[0], signature.args[0], types.uint32), slot)
        _mxcsr_call(builder, "ldmxcsr", slot)
        return context.get_dummy_value()

    return types.void(value), codegen


@njit(cache=True)
def get_mxcsr():
    """The calling thread's MXCSR (uint32)."""
    return _read()


@njit(cache=True)
def set_mxcsr(value):
    """Load ``value`` (an integer, its low 32 bits) into the calling thread's MXCSR."""
    _write(value)
