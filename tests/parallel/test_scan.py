"""The parallel scan against the plain loop h(t) = A(t) h(t−1) + b(t)."""

from __future__ import annotations

import array_api_strict as xps
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frnn.scan import diagonal_scan, linear_scan
from torch_reference import relerr


def loop(A, b, h0=None, *, diagonal=False, reverse=False):
    """The recurrence step by step, the reference (A stationary when it has no time axis)."""
    stationary = A.ndim == (1 if diagonal else 2)
    order = range(b.shape[0] - 1, -1, -1) if reverse else range(b.shape[0])
    h = np.zeros(b.shape[1:]) if h0 is None else h0
    out = np.empty_like(b)
    for t in order:
        At = A if stationary else A[t]
        h = (At * h if diagonal else np.einsum("...ij,...j->...i", At, h)) + b[t]
        out[t] = h
    return out


def problem(seed, T, batch, I, *, diagonal, stationary, scale=0.6):
    rng = np.random.default_rng(seed)
    a_shape = (I,) if diagonal else (I, I)
    A = rng.normal(size=a_shape if stationary else (T, *batch, *a_shape))
    A *= scale / (1 if diagonal else np.sqrt(I))  # keep products of 10⁴ steps in range
    return A, rng.normal(size=(T, *batch, I)), rng.normal(size=(*batch, I))


def test_hand_worked():
    # h(t) = 2 h(t−1) + 1 from h(0) = 0: 1, 3, 7, 15, 31; and backwards from h(6) = 1.
    b = np.ones((5, 1))
    assert linear_scan(np.array([[2.0]]), b).ravel().tolist() == [1, 3, 7, 15, 31]
    assert diagonal_scan(np.array([2.0]), b).ravel().tolist() == [1, 3, 7, 15, 31]
    back = linear_scan(np.array([[2.0]]), b, np.ones(1), reverse=True)
    assert back.ravel().tolist() == [63, 31, 15, 7, 3]


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    T=st.integers(1, 70),
    batch=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    I=st.integers(1, 5),
    diagonal=st.booleans(),
    stationary=st.booleans(),
    with_h0=st.booleans(),
    reverse=st.booleans(),
)
def test_scan_equals_loop(seed, T, batch, I, diagonal, stationary, with_h0, reverse):
    A, b, h0 = problem(seed, T, batch, I, diagonal=diagonal, stationary=stationary)
    h0 = h0 if with_h0 else None
    scan = diagonal_scan if diagonal else linear_scan
    got = scan(A, b, h0, reverse=reverse)
    assert got.shape == b.shape
    assert relerr(got, loop(A, b, h0, diagonal=diagonal, reverse=reverse)) <= 1e-12


@pytest.mark.parametrize("T", [1, 2, 3, 1000, 4097])
def test_long_and_odd_lengths(T):
    A, b, h0 = problem(T, T, [2], 3, diagonal=False, stationary=False, scale=0.9)
    assert relerr(linear_scan(A, b, h0), loop(A, b, h0)) <= 1e-12


@pytest.mark.parametrize("diagonal", [False, True])
def test_lengths_zero_the_padding_and_leave_real_steps_exact(diagonal):
    T, I = 9, 3
    A, b, h0 = problem(1, T, [4], I, diagonal=diagonal, stationary=False)
    lengths = np.array([9, 1, 5, 0])
    A[6:, 2] = np.inf  # garbage past a sequence's end must not reach its real steps
    scan = diagonal_scan if diagonal else linear_scan
    with np.errstate(invalid="ignore"):
        got = scan(A, b, h0, lengths=lengths)
    for k, n in enumerate(lengths):
        expected = loop(A[:n, k], b[:n, k], h0[k], diagonal=diagonal)
        assert np.all(got[n:, k] == 0)
        assert relerr(got[:n, k], expected) <= 1e-13


def test_runs_on_a_strict_array_api_library():
    A, b, h0 = problem(3, 13, [2], 3, diagonal=False, stationary=False)
    got = linear_scan(
        xps.asarray(A), xps.asarray(b), xps.asarray(h0), lengths=xps.asarray(np.array([13, 6]))
    )
    assert isinstance(got, type(xps.asarray(0.0)))
    expected = loop(A, b, h0)
    expected[6:, 1] = 0
    assert relerr(np.asarray(got), expected) <= 1e-13
    d = diagonal_scan(xps.asarray(b), xps.asarray(b), reverse=True)
    assert relerr(np.asarray(d), loop(b, b, diagonal=True, reverse=True)) <= 1e-13


def test_the_operator_is_associative():
    # (e1 ∘ e2) ∘ e3 == e1 ∘ (e2 ∘ e3) for (A_i, b_i) ∘ (A_j, b_j) = (A_j A_i, A_j b_i + b_j).
    rng = np.random.default_rng(0)
    (A1, A2, A3), (b1, b2, b3) = rng.normal(size=(3, 4, 4)), rng.normal(size=(3, 4))

    def op(e, g):
        return g[0] @ e[0], g[0] @ e[1] + g[1]

    left, right = op(op((A1, b1), (A2, b2)), (A3, b3)), op((A1, b1), op((A2, b2), (A3, b3)))
    np.testing.assert_allclose(left[0], right[0], rtol=1e-13)
    np.testing.assert_allclose(left[1], right[1], rtol=1e-13)


@pytest.mark.parametrize(
    ("A", "b", "h0", "kw", "match"),
    [
        (np.ones((2, 2)), np.ones(3), None, {}, "b must be"),
        (np.ones((3, 2)), np.ones((4, 2)), None, {}, "A must have shape"),
        (np.ones((2, 2)), np.ones((4, 2)), np.ones(3), {}, "h0 must have shape"),
        (np.ones((2, 2)), np.ones((4, 1, 2)), None, {"lengths": np.ones(2, int)}, "lengths must"),
        (
            np.ones((2, 2)),
            np.ones((4, 1, 2)),
            None,
            {"lengths": np.ones(1, int), "reverse": True},
            "reverse",
        ),
    ],
)
def test_bad_shapes_are_rejected(A, b, h0, kw, match):
    with pytest.raises(ValueError, match=match):
        linear_scan(A, b, h0, **kw)
