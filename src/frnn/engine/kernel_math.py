"""The activations inside compiled loops (numba): f and f' by code, and a tanh that vectorises.

numba's ``np.tanh`` on a scalar calls the C library's tanh, one element at a time (about
25 ns an element here, ten times numpy's vectorised tanh), so a compiled loop that applied
it would spend most of a step on it.  ``tanh`` below is written in plain arithmetic, with
no call and no branch the compiler cannot turn into a select, so a loop over a row of
states compiles to SIMD code: 8 float64 (16 float32) elements an instruction.

Its two branches are those of Cephes (Moshier, 1984-2000) and of the C libraries:

    |x| ≤ 0.625:  tanh x = x + x³ P(x²)/Q(x²)       (a minimax rational form)
    |x| > 0.625:  tanh x = 1 − 2/(e^{2|x|} + 1)     (no cancellation: tanh x ≥ 0.55)

with e^y = 2^n e^r, n = round(y / ln 2), r = y − n ln 2 (ln 2 in two parts, so r is exact)
and e^r by its Taylor series (degree 13 in float64, |r| ≤ ln 2 / 2: a relative error below
1e-17, summed by Estrin's scheme; Cephes's degree-6 form in float32).  2^n is written into
a float's exponent field: n added to a shifter, the sum's bits shifted, in the float's own
width (``1 << n`` converted to a float would be a 64-bit shift and conversion: numba
widens integer arithmetic to int64, which halves the float32 vector; and a float64
converted to an int64 has no AVX2 vector form).  |x| is clamped where tanh rounds to ±1
(20 in float64, 10 in float32).  tests/engine/test_activations.py holds both to tanh in a
wider precision: within 2 units in the last place over the whole line, as numpy's own,
compiled with and without ``FMA`` (the flags of the caller apply: numba inlines these
functions before compiling).

The one home of tanh in compiled code: the BPTT loops (``kernels``, ``blas_kernels``) call
:func:`tanh`; the reservoir's pooled loops (:mod:`frnn.reservoir.kernels`) call
:func:`tanh_fast`, which in float32 is Eigen's rational form (within 7 ulp, about half the
operations: the features need no bit-exact reference, and tanh is most of their time).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

from .activations import HARDTANH, RELU, TANH

# numba caches these loops by this file's text alone; the code they inline from the frnn
# files imported above is stamped here, so that a change there changes this file too and
# the cache is compiled again (tests/engine/test_cache_stamps.py checks and rewrites it).
IMPORTS_DIGEST = "8a225fe652621add"

F32 = np.float32

# The one fast-math liberty the forward loops take: a·b + c may become one fused
# multiply-add (rounded once, so no less accurate).  No sum is reordered, no division
# approximated.  It makes the tanh below 30% faster.  The backward loops take none: there
# f' = 1 − a² must be the reference's 1 − fl(a²), whose rounding decides the gradient
# where tanh saturates (a² within an ulp of 1; an FMA's exact 1 − a² differs there).
FMA = {"contract"}

# Taylor coefficients 1/k! of e^r, highest degree first (float64)
_EXP64 = tuple(1.0 / float(np.prod(np.arange(1, k + 1))) for k in range(13, 1, -1))
_EXP32 = tuple(F32(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
                                4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1))  # fmt: skip
_LN2_HI64, _LN2_LO64 = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_LN2_HI32, _LN2_LO32 = F32(0.693359375), F32(-2.12194440e-4)
_P64 = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_Q64 = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)
_T32 = tuple(F32(c) for c in (-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2,
                              1.33314422036e-1, -3.33332819422e-1))  # fmt: skip


# 1.5 · 2^52 (1.5 · 2^23 in float32): added to a whole number m in [0, 2^51), the sum is
# exact and its mantissa's low bits are m itself, so m reaches the integer bits with no
# float-to-integer conversion.  AVX2 has none for 64-bit integers: a loop that converted n
# with np.int64(n) ran it one element at a time (float64 tanh 3.1-4.1 ns an element on
# this machine compiled for Zen 3 or Haswell, no AVX-512, against 2.8 ns this way; the
# same 1.2 ns either way with AVX-512's conversion).  2^n is the same bits either way.
_SHIFTER64 = 6755399441055744.0
_SHIFTER32 = F32(12582912.0)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _exp2_64(n):
    """2^n for a whole float64 n in [0, 1023]: n + 1023 in the exponent field, bits 52-62
    (the shifter's own bits, above bit 11 of the mantissa, are shifted out)."""
    m = np.float64(n + (1023.0 + _SHIFTER64)).view(np.int64)
    return np.int64(m << 52).view(np.float64)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _exp2_32(n):
    """2^n for a whole float32 n in [0, 127]: n + 127 in the exponent field, bits 23-30."""
    m = np.float32(n + (F32(127) + _SHIFTER32)).view(np.int32)
    return np.int32(m << 23).view(np.float32)


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath=FMA)
def _taylor64(r, r2, one):
    """Σ_{k=2..13} r^(k−2) / k! by Estrin's scheme: pairs, then pairs of pairs (with r², r⁴,
    r⁸), four multiply-adds deep where Horner's rule is eleven.  A vector loop of tanh is
    bound by this chain's latency where the CPU holds few vectors in flight: with AVX2's
    four float64 lanes tanh took 2.8 ns an element by Horner's rule on this machine
    (compiled for Zen 3), against 1.2 ns with AVX-512's eight.  Coefficients times ``one``
    (see :func:`_tanh64`)."""
    c = _EXP64[::-1]  # 1/2!, 1/3!, ..., 1/13!
    b0, b1 = c[0] * one + (c[1] * one) * r, c[2] * one + (c[3] * one) * r
    b2, b3 = c[4] * one + (c[5] * one) * r, c[6] * one + (c[7] * one) * r
    b4, b5 = c[8] * one + (c[9] * one) * r, c[10] * one + (c[11] * one) * r
    r4 = r2 * r2
    return (b0 + b1 * r2) + (b2 + b3 * r2) * r4 + (b4 + b5 * r2) * (r4 * r4)


# tanh's constants are multiplied by ``one``, 1 in x's dtype (exact: the same values).  Where
# ``one`` is a compiled loop's argument LLVM cannot fold them: it computes each once before
# the loop and keeps it in a register, or on the stack as a multiply-add's memory operand.
# As constants, too many for AVX2's 16 vector registers, each was loaded again in every
# iteration from its 64-bit address (numba's code model: two instructions a constant; 97
# instructions a vector of tanh, 73 this way), and the loop held fewer vectors in flight.
# The same bits (tested).  The small step's tanh pass, (B, I) = (32, 32), thread time, on a
# 2-core Zen 4: 2.43 -> 1.95 ns an element compiled for Zen 3 (AVX2), 1.28 -> 1.20 with
# AVX-512; in float32 (``_tanh32``) 0.92 -> 0.77 and 0.47 -> 0.45.  Multiplying the few
# constants left (20, 0.625, 2, the shifter) too was 3% faster with AVX2 and 5% slower
# with AVX-512 (float64).  A constant ``one`` (``tanh(x)``, the reservoir's float64
# ``tanh_fast``) compiles to the constants' code.


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath=FMA)
def _tanh64(x, one):
    ax = min(abs(x), 20.0)  # tanh(20) rounds to 1
    y = 2.0 * ax
    n = np.floor(y * (1.4426950408889634 * one) + 0.5 * one)  # round(y / ln 2), 0 ≤ n ≤ 58
    r = (y - n * (_LN2_HI64 * one)) - n * (_LN2_LO64 * one)  # |r| ≤ ln 2 / 2
    r2 = r * r
    e = (_taylor64(r, r2, one) * r2 + r + one) * _exp2_64(n)  # e^y
    z = ax * ax
    P = ((_P64[0] * one) * z + _P64[1] * one) * z + _P64[2] * one
    Q = ((z + _Q64[0] * one) * z + _Q64[1] * one) * z + _Q64[2] * one
    # One division for both branches (a vector division costs as much as a dozen FMAs):
    # the operands are chosen, then divided; the same operations as 1 − 2/(e + 1) and
    # ax + (ax z P)/Q, so the same bits.
    big = ax > 0.625
    q = (2.0 if big else ax * z * P) / (e + one if big else Q)
    t = one - q if big else ax + q
    return np.copysign(t, x)  # keeps tanh(−0) = −0 and NaN


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath=FMA)
def _tanh32(x, one):
    ax = min(abs(x), F32(10))  # tanhf(10) rounds to 1
    y = F32(2) * ax
    n = np.floor(y * (F32(1.4426950408889634) * one) + F32(0.5) * one)  # 0 ≤ n ≤ 29
    r = (y - n * (_LN2_HI32 * one)) - n * (_LN2_LO32 * one)
    p = _EXP32[0] * one  # constants times ``one``, as ``_tanh64``'s
    for c in _EXP32[1:]:
        p = p * r + c * one
    e = (p * r * r + r + one) * _exp2_32(n)
    z = ax * ax
    s = _T32[0] * one
    for c in _T32[1:]:
        s = s * z + c * one
    t = one - F32(2) / (e + one) if ax > F32(0.625) else s * z * ax + ax
    return np.copysign(t, x)


# Eigen's rational 13/6 form of float32 tanh on [−7.9, 7.9] (Eigen's ptanh_float): about
# half the vector operations of ``_tanh32``, within 7 units in the last place (tested).
_EIGEN_P = tuple(F32(c) for c in (-2.76076847742355e-16, 2.00018790482477e-13,
                                  -8.60467152213735e-11, 5.12229709037114e-08,
                                  1.48572235717979e-05, 6.37261928875436e-04,
                                  4.89352455891786e-03))  # fmt: skip
_EIGEN_Q = tuple(F32(c) for c in (1.19825839466702e-06, 1.18534705686654e-04,
                                  2.26843463243900e-03, 4.89352518554385e-03))  # fmt: skip


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath=FMA)
def _tanh32_fast(x):
    bound = F32(7.90531110763549805)  # where the form reaches 1 in float32
    c = min(max(x, -bound), bound)
    c2 = c * c
    p = _EIGEN_P[0]
    for k in _EIGEN_P[1:]:
        p = p * c2 + k
    q = _EIGEN_Q[0]
    for k in _EIGEN_Q[1:]:
        q = q * c2 + k
    t = c if abs(c) < F32(0.0004) else c * p / q  # tanh x rounds to x below 4e-4
    return t if x == x else x  # NaN kept (min and max would drop it)


def tanh_fast(x):
    """tanh of one float32 number within 7 units in the last place, in about 0.64 of the
    time of :func:`tanh` (Eigen's rational form: 0.27 against 0.43 ns a value in a
    vectorised loop here); of a float64 one, :func:`tanh` itself.  For the
    reservoirs' float32 features, where nothing is compared bit for bit with a reference and
    tanh is most of the work (compiled code only)."""
    return np.tanh(x)


@overload(tanh_fast, inline="always")
def _tanh_fast_typed(x):
    if x == types.float32:
        return lambda x: _tanh32_fast(x)
    return lambda x: _tanh64(x, 1.0)


def tanh(x, one=1.0):
    """tanh of one float64 or float32 number, in its own precision (compiled code only).
    ``one``: 1 in x's dtype; a compiled loop's own (an argument, not a constant) makes its
    tanh faster with AVX2 (see ``_tanh64``)."""
    return np.tanh(x)


@overload(tanh, inline="always")
def _tanh_typed(x, one=1.0):
    if x == types.float32:
        return lambda x, one=1.0: _tanh32(x, F32(one))
    return lambda x, one=1.0: _tanh64(x, one)


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath=FMA)
def f(s, code, one, zero):
    """a = f(s) for the activation ``code``; ``one``, ``zero`` in the arrays' dtype."""
    if code == TANH:
        return tanh(s, one)
    if code == RELU:
        return s if s > zero else zero
    if code == HARDTANH:
        return -one if s < -one else (one if s > one else s)
    return s


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def f_prime(a, code, one, zero):
    """f'(s) through a = f(s), as activations.py: the same conventions at the kinks."""
    if code == TANH:
        return one - a * a
    if code == RELU:
        return one if a > zero else zero
    if code == HARDTANH:
        return one if abs(a) < one else zero
    return one


@njit(cache=True, nogil=True)
def lengths_within(lengths, T):
    """Whether every length lies in [1, T] (one call, where numpy's min and max are two)."""
    ok = True
    for b in range(lengths.shape[0]):
        ok &= 1 <= lengths[b] <= T
    return ok
