"""256-bit vectors of float64 or float32 inside compiled loops (numba), kept in registers.

numba vectorises a loop whose output index is innermost, but every term of such a loop
goes through memory: a product's partial sums are loaded and stored again for each term,
and a tile of sums held in scalars compiles to scalar code.  The small products of
:mod:`frnn.engine.tiles` need what BLAS's kernels do, a tile of the result held in vector
registers while the terms stream in.  This module gives compiled code that one form: a
vector type, :class:`Vector` (4 float64 or 8 float32 lanes, LLVM's ``<4 x double>`` /
``<8 x float>``), whose values LLVM keeps in registers as it does a float's, and four
operations on it:

    load(M, i, j)        M[i, j : j + lanes]          (M 2-D, its rows contiguous)
    store(M, i, j, v)    M[i, j : j + lanes] = v
    splat(x)             x in every lane
    fmuladd(a, b, c)     a·b + c lane by lane, fused where the CPU has FMA (LLVM's
                         ``llvm.fmuladd``: separately rounded where it has not)

They index without checks, as the compiled loops do: the caller checks every shape and
that each row it loads is contiguous.  On a CPU with narrower vectors (SSE, NEON) LLVM
splits each vector into two, with the same results.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

BYTES = 32  # a vector's width: AVX2's registers, half of AVX-512's


class Vector(types.Type):
    """A numba type: ``lanes`` numbers of ``dtype`` (float64 or float32) in one vector."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.lanes = BYTES * 8 // dtype.bitwidth
        super().__init__(name=f"Vector({dtype} x {self.lanes})")


@register_model(Vector)
class _VectorModel(models.PrimitiveModel):
    """A vector is one LLVM value, ``<lanes x double>`` or ``<lanes x float>``."""

    def __init__(self, dmm, fe_type):
        element = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.VectorType(element, fe_type.lanes))


def _address(context, builder, sig, args):
    """The address of M[i, j] (``args`` = M, i, j, ...), as a pointer to a vector."""
    array = context.make_array(sig.args[0])(context, builder, args[0])
    row_stride, column_stride = cgutils.unpack_tuple(builder, array.strides, 2)
    i = context.cast(builder, args[1], sig.args[1], types.intp)
    j = context.cast(builder, args[2], sig.args[2], types.intp)
    offset = builder.add(builder.mul(i, row_stride), builder.mul(j, column_stride))
    address = builder.add(builder.ptrtoint(array.data, cgutils.intp_t), offset)
    vector = context.get_value_type(Vector(sig.args[0].dtype))
    return builder.inttoptr(address, vector.as_pointer())


def _floats(array) -> bool:
    return isinstance(array, types.Array) and array.ndim == 2 and array.dtype in _DTYPES


_DTYPES = (types.float64, types.float32)


@intrinsic
def load(typingctx, M, i, j):
    """M[i, j : j + lanes] as a vector (M 2-D float64 / float32, its rows contiguous)."""
    if not (_floats(M) and isinstance(i, types.Integer) and isinstance(j, types.Integer)):
        return None
    alignment = M.dtype.bitwidth // 8  # an element's: rows need not start on a vector

    def codegen(context, builder, sig, args):
        return builder.load(_address(context, builder, sig, args), align=alignment)

    return Vector(M.dtype)(M, i, j), codegen


@intrinsic
def store(typingctx, M, i, j, v):
    """M[i, j : j + lanes] = v."""
    if not (_floats(M) and isinstance(v, Vector) and v.dtype == M.dtype):
        return None
    alignment = M.dtype.bitwidth // 8

    def codegen(context, builder, sig, args):
        builder.store(args[3], _address(context, builder, sig, args), align=alignment)
        return context.get_dummy_value()

    return types.none(M, i, j, v), codegen


@intrinsic
def splat(typingctx, x):
    """A vector with x in every lane (x float64 or float32)."""
    if x not in _DTYPES:
        return None
    vector = Vector(x)

    def codegen(context, builder, sig, args):
        value_type = context.get_value_type(vector)
        undefined = ir.Constant(value_type, ir.Undefined)
        first = builder.insert_element(undefined, args[0], ir.Constant(ir.IntType(32), 0))
        mask = ir.Constant(ir.VectorType(ir.IntType(32), vector.lanes), [0] * vector.lanes)
        return builder.shuffle_vector(first, undefined, mask)

    return vector(x), codegen


@intrinsic
def fmuladd(typingctx, a, b, c):
    """a·b + c lane by lane: one rounding where the CPU fuses it, two where it cannot."""
    if not (isinstance(a, Vector) and a == b == c):
        return None

    def codegen(context, builder, sig, args):
        value_type = args[0].type
        width = 64 if isinstance(value_type.element, ir.DoubleType) else 32
        name = f"llvm.fmuladd.v{value_type.count}f{width}"
        function_type = ir.FunctionType(value_type, [value_type] * 3)
        function = cgutils.get_or_insert_function(builder.module, function_type, name)
        return builder.call(function, args)

    return a(a, b, c), codegen
