"""256- and 512-bit vectors of float64 or float32 inside compiled loops (numba), in registers.

numba vectorises a loop whose output index is innermost, but every term of such a loop
goes through memory: a product's partial sums are loaded and stored again for each term,
and a tile of sums held in scalars compiles to scalar code.  The small products of
:mod:`frnn.engine.tiles` need what BLAS's kernels do, a tile of the result held in vector
registers while the terms stream in.  This module gives compiled code that one form: a
vector type, :class:`Vector` (32 bytes: 4 float64 or 8 float32 lanes, LLVM's
``<4 x double>`` / ``<8 x float>``; or 64 bytes, AVX-512's ``<8 x double>`` /
``<16 x float>``), whose values LLVM keeps in registers as it does a float's, and these
operations on it:

    load(M, i, j)        M[i, j : j + lanes]          (M 2-D, its rows contiguous)
    store(M, i, j, v)    M[i, j : j + lanes] = v
    splat(x)             x in every lane
    fmuladd(a, b, c)     a·b + c lane by lane, fused where the CPU has FMA (LLVM's
                         ``llvm.fmuladd``: separately rounded where it has not)

``load`` and ``splat`` make 32-byte vectors; ``widest(x)`` splats x into the widest
vector of the CPU numba compiles for (``WIDEST``: 64 bytes with AVX-512, else 32), and
``load_as(M, i, j, like)``, ``splat_as(x, like)`` and ``lanes(like)`` follow the width of
a vector ``like``, so that one compiled loop serves either width.

They index without checks, as the compiled loops do: the caller checks every shape and
that each row it loads is contiguous.  On a CPU with narrower vectors (SSE, NEON; AVX2
for 64 bytes) LLVM splits each vector into two, with the same results.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

BYTES = 32  # a vector's width: AVX2's registers, half of AVX-512's


def _widest() -> int:
    """The widest vector, in bytes, of the CPU numba compiles for: 64 where its target
    features name AVX-512 (``+avx512f``), else 32.  numba's own target (its cache keys on
    the same name and features), so ``NUMBA_CPU_NAME`` / ``NUMBA_CPU_FEATURES`` steer it
    too; a CPU named without features counts as 32 (only slower if it has AVX-512)."""
    from numba.core.registry import cpu_target

    features = cpu_target.target_context.codegen().magic_tuple()[2]
    return 64 if "+avx512f" in features.split(",") else 32


WIDEST = _widest()  # AVX-512's 64 bytes here, or AVX2's (and every other CPU's) 32


class Vector(types.Type):
    """A numba type: ``lanes`` numbers of ``dtype`` (float64 or float32) in one vector of
    ``width`` bytes (``BYTES`` unless named)."""

    def __init__(self, dtype, width=BYTES):
        self.dtype = dtype
        self.width = width
        self.lanes = width * 8 // dtype.bitwidth
        super().__init__(name=f"Vector({dtype} x {self.lanes})")


@register_model(Vector)
class _VectorModel(models.PrimitiveModel):
    """A vector is one LLVM value, ``<lanes x double>`` or ``<lanes x float>``."""

    def __init__(self, dmm, fe_type):
        element = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.VectorType(element, fe_type.lanes))


def _address(context, builder, sig, args, vector_type=None):
    """The address of M[i, j] (``args`` = M, i, j, ...), as a pointer to a vector (of
    ``vector_type``, else ``BYTES`` wide)."""
    array = context.make_array(sig.args[0])(context, builder, args[0])
    row_stride, column_stride = cgutils.unpack_tuple(builder, array.strides, 2)
    i = context.cast(builder, args[1], sig.args[1], types.intp)
    j = context.cast(builder, args[2], sig.args[2], types.intp)
    offset = builder.add(builder.mul(i, row_stride), builder.mul(j, column_stride))
    address = builder.add(builder.ptrtoint(array.data, cgutils.intp_t), offset)
    vector = context.get_value_type(vector_type or Vector(sig.args[0].dtype))
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
        address = _address(context, builder, sig, args, sig.args[3])
        builder.store(args[3], address, align=alignment)
        return context.get_dummy_value()

    return types.none(M, i, j, v), codegen


@intrinsic
def splat(typingctx, x):
    """A vector with x in every lane (x float64 or float32)."""
    if x not in _DTYPES:
        return None
    vector = Vector(x)

    def codegen(context, builder, sig, args):
        return _splat(context, builder, vector, args[0])

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


@intrinsic
def load_as(typingctx, M, i, j, like):
    """M[i, j : j + lanes] as a vector as wide as ``like`` (a vector of M's dtype)."""
    if not (_floats(M) and isinstance(like, Vector) and like.dtype == M.dtype):
        return None
    alignment = M.dtype.bitwidth // 8

    def codegen(context, builder, sig, args):
        address = _address(context, builder, sig, args, like)
        return builder.load(address, align=alignment)

    return like(M, i, j, like), codegen


@intrinsic
def splat_as(typingctx, x, like):
    """A vector as wide as ``like`` with x in every lane (x of like's dtype)."""
    if not (isinstance(like, Vector) and x == like.dtype):
        return None

    def codegen(context, builder, sig, args):
        return _splat(context, builder, like, args[0])

    return like(x, like), codegen


@intrinsic
def widest(typingctx, x):
    """A vector ``WIDEST`` bytes wide with x in every lane (x float64 or float32)."""
    if x not in _DTYPES:
        return None
    vector = Vector(x, WIDEST)

    def codegen(context, builder, sig, args):
        return _splat(context, builder, vector, args[0])

    return vector(x), codegen


def _splat(context, builder, vector, x):
    """x in every lane of a new ``vector``: inserted in lane 0, then shuffled to all."""
    value_type = context.get_value_type(vector)
    undefined = ir.Constant(value_type, ir.Undefined)
    first = builder.insert_element(undefined, x, ir.Constant(ir.IntType(32), 0))
    mask = ir.Constant(ir.VectorType(ir.IntType(32), vector.lanes), [0] * vector.lanes)
    return builder.shuffle_vector(first, undefined, mask)


@intrinsic
def lanes(typingctx, v):
    """The lanes of the vector v, a constant."""
    if not isinstance(v, Vector):
        return None

    def codegen(context, builder, sig, args):
        return context.get_constant(types.intp, v.lanes)

    return types.intp(v), codegen


@intrinsic
def prefer_widest(typingctx):
    """Let LLVM's vectoriser use the widest vectors (``WIDEST``) in the calling function's
    plain loops; a no-op where that is 32 bytes.  Called first thing in a compiled loop.

    LLVM's tuning for Intel's AVX-512 cores (Skylake-SP to Sapphire Rapids) prefers 256-bit
    vectors in the loops it vectorises itself ("prefer-256-bit", for the clock those cores
    drop to in 512-bit code), and numba compiles with it; the function attribute
    ``"prefer-vector-width"="512"`` lifts it for one function.  The products' kernels
    (OpenBLAS's, ``panels``) run in 512-bit vectors anyway, so the clock is that of
    512-bit code already.  The elementwise code is the same operations, lane by lane: the
    same bits.  Measured on a 2-core Intel Xeon (Ice Lake), one thread, thread CPU time,
    ``blas_kernels.states`` at the small size (B, T, D, I) = (32, 100, 8, 32), tanh,
    interleaved: float64 838 → 616 µs, float32 249 → 210 µs (the tanh pass's vectors
    twice as wide).
    """

    def codegen(context, builder, sig, args):
        if WIDEST == 64:
            # a key="value" attribute, which llvmlite's FunctionAttributes does not list:
            # added to its set as the text LLVM reads.  An llvmlite whose attributes are
            # no set compiles the loop as before (256-bit) rather than failing.
            attributes = builder.function.attributes
            if isinstance(attributes, set):
                set.add(attributes, '"prefer-vector-width"="512"')
        return context.get_dummy_value()

    return types.none(), codegen
