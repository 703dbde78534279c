"""tanh for the compiled reservoir loops (numba), written out in arithmetic.

numba's ``np.tanh`` is a scalar libm call per unit, which cost more than the whole
recurrence; these (:func:`tanh32`, :func:`tanh64`) are arithmetic, so the loops over units
vectorise.  They agree with ``np.tanh`` to 3e-16 (float64) and 4e-7 (float32).  Every
constant carries the argument's dtype, so float32 states are computed in float32.
``_tanh`` is what the loops of :mod:`frnn.reservoir.kernels` call: it picks the dtype's.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.core import types
from numba.extending import overload

__all__ = ["tanh", "tanh32", "tanh64"]

_F32 = np.float32
_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two: n·ln2_hi is exact for |n| < 2^21
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def tanh64(x):
    """tanh of a float64 through e^{2|x|} = 2^n·p(r), |r| ≤ ln2/2 (absolute error < 3e-16)."""
    y = min(abs(x), 19.1)  # tanh(19.1) rounds to 1 in float64
    z = 2.0 * y
    n = np.int64(z * _INV_LN2 + 0.5)
    r = (z - n * _LN2_HI) - n * _LN2_LO
    # e^r by its Taylor series to r^13 (|r| ≤ 0.347: the remainder is below 2e-16)
    p = 1.0 / 6227020800.0
    for c in (479001600.0, 39916800.0, 3628800.0, 362880.0, 40320.0, 5040.0, 720.0):
        p = p * r + 1.0 / c
    for c in (120.0, 24.0, 6.0, 2.0, 1.0, 1.0):
        p = p * r + 1.0 / c
    t = 1.0 - 2.0 / (p * np.float64(np.int64(1) << n) + 1.0)
    if y < 0.0625:  # 1 − 2/(e + 1) cancels: the odd series x − x³/3 + … instead
        y2 = y * y
        t = y * (
            1.0
            + y2
            * (
                -1.0 / 3.0
                + y2
                * (
                    2.0 / 15.0
                    + y2 * (-17.0 / 315.0 + y2 * (62.0 / 2835.0 - y2 * 1382.0 / 155925.0))
                )
            )
        )
    return t if x >= 0.0 else -t


@njit(cache=True, error_model="numpy", nogil=True, inline="always")
def tanh32(x):
    """tanh of a float32: Eigen's rational 13/6 approximation on [−7.9, 7.9] (error < 4e-7)."""
    bound = _F32(7.90531110763549805)
    x = min(max(x, -bound), bound)
    x2 = x * x
    p = _F32(-2.76076847742355e-16)
    p = p * x2 + _F32(2.00018790482477e-13)
    p = p * x2 + _F32(-8.60467152213735e-11)
    p = p * x2 + _F32(5.12229709037114e-08)
    p = p * x2 + _F32(1.48572235717979e-05)
    p = p * x2 + _F32(6.37261928875436e-04)
    p = p * x2 + _F32(4.89352455891786e-03)
    q = _F32(1.19825839466702e-06)
    q = q * x2 + _F32(1.18534705686654e-04)
    q = q * x2 + _F32(2.26843463243900e-03)
    q = q * x2 + _F32(4.89352518554385e-03)
    return x if abs(x) < _F32(0.0004) else x * p / q  # tanh x = x to float32 below 4e-4


def _tanh(x):
    """Placeholder that the compiled loops call; :func:`_tanh_overload` picks the dtype's."""
    raise NotImplementedError


@overload(_tanh, inline="always")
def _tanh_overload(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:
        return lambda x: tanh32(x)
    return lambda x: tanh64(x)


@njit(cache=True, error_model="numpy", nogil=True)
def tanh(x, out):
    """out ← tanh(x), elementwise over 1-D arrays, by the loops' own tanh of x's dtype."""
    for i in range(x.shape[0]):
        out[i] = _tanh(x[i])
    return out
