"""The activation table: every form of an entry computes the same function.

The numpy loops read ``f_in_place`` / ``f_prime_into``, the reference loops and DEER read
``f`` / ``f_prime``, and the compiled loops select ``kernels._f`` / ``_f_prime`` by
``code``; a new activation is one table entry, and these tests hold its forms together.
"""

import numpy as np
import pytest

import frnn
from frnn.engine.activations import ACTIVATIONS

# Both sides of every kink (0 for relu, ±1 for hardtanh), the kinks themselves, saturation.
S = np.array([-40.0, -3.0, -1.0 - 1e-9, -1.0, -0.7, -1e-12, 0.0, 1e-12, 0.3, 1.0, 1.0 + 1e-9, 5.0])


def test_the_public_list_is_the_table():
    assert set(frnn.ACTIVATIONS) == set(ACTIVATIONS) == {"tanh", "relu", "linear", "hardtanh"}
    codes = [entry.code for entry in ACTIVATIONS.values()]
    assert len(set(codes)) == len(codes)  # one compiled branch per activation


@pytest.mark.parametrize("name", sorted(frnn.ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_in_place_forms_match_f_and_f_prime(name, dtype):
    entry = ACTIVATIONS[name]
    s = S.astype(dtype)
    a = entry.f(s)
    in_place = s.copy()
    entry.f_in_place(in_place)
    assert in_place.dtype == dtype
    np.testing.assert_array_equal(in_place, a)
    into = np.empty_like(a)
    entry.f_prime_into(a, into)
    assert into.dtype == dtype
    np.testing.assert_array_equal(into, entry.f_prime(a))


@pytest.mark.parametrize("name", sorted(frnn.ACTIVATIONS))
def test_compiled_forms_match_the_table(name):
    kernels = pytest.importorskip("frnn.engine.kernels")
    entry = ACTIVATIONS[name]
    one, zero = np.float64(1), np.float64(0)
    a = entry.f(S)
    compiled_f = np.array([kernels._f(s, entry.code, one, zero) for s in S])
    compiled_f_prime = np.array([kernels._f_prime(v, entry.code, one, zero) for v in a])
    np.testing.assert_allclose(compiled_f, a, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(compiled_f_prime, entry.f_prime(a))


@pytest.mark.parametrize("contract", [True, False], ids=["fma", "no-fma"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_tanh_is_within_two_ulps(dtype, contract):
    """The compiled loops' one tanh (``kernel_math``), run as they run it (a vectorised
    loop, with the flags of the BPTT forward loops and the reservoir's pooled loop, FMA,
    and of those that take none: numba compiles an inlined function with its caller's
    flags), against tanh in a wider precision: within 2 units in the last place over the
    whole line, as numpy's, with tanh(±0) = ±0, tanh(±inf) = ±1 and NaN kept; with the
    loops' ``one`` an argument (the constants not folded) the same bits as with them folded."""
    numba = pytest.importorskip("numba")
    from frnn.engine import kernel_math

    flags = {"error_model": "numpy", "fastmath": kernel_math.FMA if contract else False}

    @numba.njit(**flags)
    def loops_tanh(x, one, out):  # ``one`` an argument, as the loops' ``f(s, code, one, zero)``
        for i in range(x.size):
            out[i] = kernel_math.tanh(x[i], one)

    @numba.njit(**flags)
    def constant_tanh(x, out):  # the constants folded (one = 1.0 by default)
        for i in range(x.size):
            out[i] = kernel_math.tanh(x[i])

    def tanh_all(x, out):
        loops_tanh(x, x.dtype.type(1), out)
        folded = np.empty_like(out)
        constant_tanh(x, folded)
        bits = np.int64 if x.dtype == np.float64 else np.int32
        np.testing.assert_array_equal(out.view(bits), folded.view(bits))  # the same bits

    rng = np.random.default_rng(0)
    magnitudes = np.concatenate([np.geomspace(1e-30, 30, 20_000), np.linspace(0, 1.5, 20_001)])
    ends = [0.0625, 0.625, 7.9, 9.0, 10.0, 19.1, 20.0]  # the old forms' and this one's ends
    magnitudes = np.concatenate([magnitudes, ends, np.nextafter(ends, 0), np.nextafter(ends, 30)])
    x = np.concatenate([magnitudes, -magnitudes, rng.standard_normal(20_000) * 4]).astype(dtype)
    out = np.empty_like(x)
    tanh_all(x, out)
    wide = np.longdouble if dtype == np.float64 else np.float64
    exact = np.tanh(x.astype(wide))
    ulps = np.abs(out.astype(wide) - exact) / np.spacing(np.abs(exact).astype(dtype)).astype(wide)
    assert out.dtype == dtype and float(ulps.max()) <= 2.0
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 10.0, 25.0], dtype=dtype)
    got = np.empty_like(special)
    tanh_all(special, got)
    np.testing.assert_array_equal(got, np.tanh(special))
    assert list(np.signbit(got[:2])) == [False, True]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_tanh_writes_two_to_the_n_exactly(dtype):
    """tanh's 2^n (``kernel_math._exp2_64`` / ``_exp2_32``: n added to a shifter, its bits
    moved into the exponent field, no float-to-integer conversion) is 2^n exactly for every
    whole n it can be given, in a vectorised loop as tanh runs it."""
    numba = pytest.importorskip("numba")
    from frnn.engine import kernel_math

    exp2 = kernel_math._exp2_64 if dtype == np.float64 else kernel_math._exp2_32

    @numba.njit(error_model="numpy", fastmath=kernel_math.FMA)
    def exp2_all(n, out):
        for i in range(n.size):
            out[i] = exp2(n[i])

    top = 1023 if dtype == np.float64 else 127
    n = np.arange(top + 1).astype(dtype)
    out = np.empty_like(n)
    exp2_all(n, out)
    np.testing.assert_array_equal(out, np.ldexp(np.ones(top + 1), np.arange(top + 1)).astype(dtype))


@pytest.mark.parametrize("name", sorted(frnn.ACTIVATIONS))
def test_f_prime_is_the_derivative_of_f(name):
    entry = ACTIVATIONS[name]
    s = np.array([-2.5, -0.9, -0.3, 0.2, 0.8, 1.7])  # away from every kink
    h = 1e-6
    numeric = (entry.f(s + h) - entry.f(s - h)) / (2 * h)
    np.testing.assert_allclose(entry.f_prime(entry.f(s)), numeric, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("contract", [True, False], ids=["fma", "no-fma"])
def test_the_reservoirs_fast_tanh_is_within_seven_ulps_in_float32(contract):
    """``kernel_math.tanh_fast``, the reservoir loops' tanh: in float32 Eigen's rational form,
    within 7 units in the last place over the whole line (the engine's ``tanh`` 2), with
    ±0, ±1 at the ends and NaN kept; in float64 the engine's ``tanh`` itself."""
    numba = pytest.importorskip("numba")
    from frnn.engine import kernel_math

    @numba.njit(error_model="numpy", fastmath=kernel_math.FMA if contract else False)
    def both(x, fast, exact):
        for i in range(x.size):
            fast[i] = kernel_math.tanh_fast(x[i])
            exact[i] = kernel_math.tanh(x[i])

    rng = np.random.default_rng(1)
    magnitudes = np.concatenate([np.geomspace(1e-30, 30, 20_000), np.linspace(0, 8.5, 20_001)])
    ends = [0.0004, 7.90531110763549805, 9.0]
    magnitudes = np.concatenate([magnitudes, ends, np.nextafter(ends, 0), np.nextafter(ends, 30)])
    x = np.concatenate([magnitudes, -magnitudes, rng.standard_normal(20_000) * 4])
    for dtype, bound in ((np.float32, 7.0), (np.float64, 0.0)):
        xs = x.astype(dtype)
        fast, exact = np.empty_like(xs), np.empty_like(xs)
        both(xs, fast, exact)
        if dtype == np.float64:
            np.testing.assert_array_equal(fast, exact)
            continue
        wide = np.tanh(xs.astype(np.float64))
        ulps = np.abs(fast.astype(np.float64) - wide) / np.spacing(np.abs(wide).astype(dtype))
        assert fast.dtype == dtype and 2.0 < float(ulps.max()) <= bound  # not the 2-ulp one
    special = np.array([0.0, -0.0, np.nan, np.inf, 10.0, -np.inf, -25.0], dtype=np.float32)
    got, exact = np.empty_like(special), np.empty_like(special)
    both(special, got, exact)
    np.testing.assert_array_equal(got[:3], special[:3])  # ±0 and NaN as they are
    assert list(np.signbit(got[:2])) == [False, True]
    ulp = np.float32(2.0**-24)  # the spacing just below 1: the form ends 4 of them short
    np.testing.assert_allclose(np.abs(got[3:]), 1.0, rtol=0, atol=7 * ulp)
    assert list(np.sign(got[3:])) == [1, 1, -1, -1]
