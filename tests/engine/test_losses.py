"""The loss at ordinary, extreme and infinite logits, against a 50-digit mpmath reference."""

import warnings

import mpmath
import numpy as np
import pytest

import frnn

mpmath.mp.dps = 50

Z = [
    -1e4,
    -800.0,
    -710.0,
    -100.0,
    -36.7,
    -20.0,
    -1.0,
    -1e-8,
    0.0,
    1e-8,
    0.5,
    1.0,
    20.0,
    36.7,
    100.0,
    710.0,
    800.0,
    1e4,
]
Y = [0.0, 0.25, 0.5, 1.0]


def exact_bce(z: float, y: float) -> float:
    """−y log σ(z) − (1−y) log(1−σ(z)), with log σ(z) = −log(1+e^{−z}) evaluated at 50 digits."""
    z, y = mpmath.mpf(z), mpmath.mpf(y)
    log_sig = -mpmath.log1p(mpmath.exp(-z))
    log_one_minus = -mpmath.log1p(mpmath.exp(z))
    return float(-y * log_sig - (1 - y) * log_one_minus)


def exact_grad(z: float, y: float) -> float:
    # σ(z) − y cancels to about e^{−|z|}: carry |z|/ln 10 + 50 digits so none are lost.
    with mpmath.workdps(int(abs(z) / 2.3) + 50):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(z))) - mpmath.mpf(y))


def rel(a: float, b: float) -> float:
    return 0.0 if a == b else abs(a - b) / abs(b)


@pytest.mark.parametrize("y", Y)
def test_bce_matches_mpmath_in_relative_terms(y):
    zs = np.array(Z)
    got = frnn.bce_with_logits(zs, y)
    for z, value in zip(Z, got, strict=True):
        assert rel(value, exact_bce(z, y)) < 1e-13, (z, y, value, exact_bce(z, y))


def test_tiny_loss_keeps_relative_accuracy():
    # e^{−36.7} ≈ 1.15e-16: the loss is tiny but every digit counts.
    value = float(frnn.bce_with_logits(36.7, 1.0))
    assert 1e-16 < value < 1.2e-16
    assert rel(value, exact_bce(36.7, 1.0)) < 1e-13


@pytest.mark.parametrize("y", Y)
def test_gradient_matches_mpmath(y):
    zs = np.array(Z)
    got = frnn.bce_with_logits_grad(zs, y)
    for z, value in zip(Z, got, strict=True):
        expected = exact_grad(z, y)
        assert abs(value - expected) <= 1e-15 + 1e-13 * abs(expected), (z, y, value, expected)


def test_gradient_with_hard_labels_is_relatively_accurate_where_tiny():
    for z in (36.7, 100.0, 700.0):
        assert rel(float(frnn.bce_with_logits_grad(z, 1.0)), exact_grad(z, 1.0)) < 1e-13
        assert rel(float(frnn.bce_with_logits_grad(-z, 0.0)), exact_grad(-z, 0.0)) < 1e-13


def test_infinite_logits_give_the_limit_never_nan():
    z = np.array([np.inf, np.inf, np.inf, -np.inf, -np.inf, -np.inf])
    y = np.array([1.0, 0.0, 0.5, 0.0, 1.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = frnn.bce_with_logits(z, y)
        grad = frnn.bce_with_logits_grad(z, y)
        sig = frnn.sigmoid(np.array([np.inf, -np.inf]))
    np.testing.assert_array_equal(loss, [0.0, np.inf, np.inf, 0.0, np.inf, np.inf])
    np.testing.assert_array_equal(grad, [0.0, 1.0, 0.5, 0.0, -1.0, -0.5])
    np.testing.assert_array_equal(sig, [1.0, 0.0])


def test_sigmoid_matches_mpmath_and_never_overflows():
    zs = np.array(Z)
    got = frnn.sigmoid(zs)
    for z, value in zip(Z, got, strict=True):
        expected = float(1 / (1 + mpmath.exp(-mpmath.mpf(z))))
        assert rel(value, expected) < 1e-15 or (expected < 1e-300 and value == expected)


def test_soft_labels_and_broadcasting():
    z = np.linspace(-5, 5, 11)[:, None]  # (11, 1)
    y = np.array([0.0, 0.3, 1.0])  # (3,)
    loss = frnn.bce_with_logits(z, y)
    assert loss.shape == (11, 3)
    for i, j in np.ndindex(loss.shape):
        assert rel(loss[i, j], exact_bce(z[i, 0], y[j])) < 1e-13


def test_mse_and_its_gradient():
    z, y = np.array([1.0, -2.0, 0.5]), np.array([0.0, 1.0, 0.5])
    np.testing.assert_array_equal(frnn.mse(z, y), [0.5, 4.5, 0.0])
    np.testing.assert_array_equal(frnn.mse_grad(z, y), [1.0, -3.0, 0.0])


@pytest.mark.parametrize(
    ("call", "args", "error", "match"),
    [
        (frnn.bce_with_logits, (0.0, 1.5), ValueError, r"y must lie in \[0, 1\]"),
        (frnn.bce_with_logits, (0.0, -0.1), ValueError, r"y must lie in \[0, 1\]"),
        (frnn.bce_with_logits, (np.nan, 1.0), ValueError, "z must not contain NaN"),
        (frnn.bce_with_logits_grad, (0.0, np.nan), ValueError, "y must not contain NaN or inf"),
        (frnn.bce_with_logits, (np.zeros(3), np.zeros(2)), ValueError, "broadcastable"),
        (frnn.sigmoid, ("a",), TypeError, "z must be a numeric array"),
        (frnn.mse, (np.inf, 0.0), ValueError, "z must not contain NaN or inf"),
    ],
)
def test_bad_input_is_named(call, args, error, match):
    with pytest.raises(error, match=match):
        call(*args)
