"""forward(method=...) with the scan, DEER and quasi-DEER against the sequential loop."""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frnn
from frnn.activations import ACTIVATIONS
from frnn.parallel import deer
from helpers import ACTIVATIONS as ACTS
from torch_reference import loss_and_grads, relerr

PARALLEL = ("scan", "deer", "quasi-deer")


def model_for(seed, D, I, K, activation, loss="bce", scale=0.9):
    """Weights well away from the tiny default init, so the dynamics are not trivial.

    R's spectral norm is ``scale``: below 1 the recurrence is a contraction for every
    activation here (|f'| ≤ 1), the regime DEER is for; expanding ones fall back to the
    loop (tested on its own below).
    """
    rng = np.random.default_rng(seed)
    model = types.SimpleNamespace(activation=activation, loss=loss)
    model.W = rng.normal(size=(I, D))
    R = rng.normal(size=(I, I))
    model.R = R * scale / np.linalg.norm(R, 2)
    model.V = rng.normal(size=(K, I))
    return model


def data(seed, B, T, D, K, *, padded, many, loss="bce"):
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(B, T, D))
    y = rng.uniform(size=(B, T, K) if many else (B, K))
    lengths = rng.integers(1, T + 1, size=B) if padded else None
    return x, y if loss == "bce" else 3 * y, lengths, rng.normal(size=(B, 3))


def run(model, x, y, method, **kw):
    loss = frnn.forward(model, x, y, method=method, **kw)
    return loss, model.a.copy(), frnn.backward(model, keep_da=True), model.da.copy()


def assert_same(model, x, y, method, tol=1e-10, **kw):
    loss0, a0, g0, da0 = run(model, x, y, "sequential", **kw)
    loss1, a1, g1, da1 = run(model, x, y, method, **kw)
    assert relerr(a1, a0) <= tol
    assert abs(loss1 - loss0) <= tol * abs(loss0)
    assert relerr(da1, da0) <= tol
    for name in ("W", "R", "V"):
        assert relerr(g1[name], g0[name]) <= tol, name


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    activation=st.sampled_from(ACTS),
    method=st.sampled_from(PARALLEL),
    B=st.integers(1, 3),
    T=st.integers(1, 40),
    D=st.integers(1, 3),
    I=st.integers(1, 6),
    K=st.integers(1, 2),
    padded=st.booleans(),
    many=st.booleans(),
    with_a0=st.booleans(),
    loss=st.sampled_from(["bce", "mse"]),
    scale=st.floats(0.1, 0.95),
)
def test_parallel_methods_equal_the_loop(
    seed, activation, method, B, T, D, I, K, padded, many, with_a0, loss, scale
):
    if method == "scan" and activation != "linear":
        activation = "linear"
    model = model_for(seed, D, I, K, activation, loss, scale)
    x, y, lengths, a0 = data(seed, B, T, D, K, padded=padded, many=many, loss=loss)
    a0 = np.resize(a0, (B, I)) if with_a0 else None
    assert_same(model, x, y, method, lengths=lengths, a0=a0)
    if method != "scan":
        assert model.deer_info.converged and model.deer_iterations <= T


@pytest.mark.parametrize(
    ("activation", "method"),
    [(a, m) for a in ACTS for m in PARALLEL if m != "scan" or a == "linear"],
)
def test_against_torch_autograd(activation, method):
    model = model_for(7, 2, 5, 2, activation, scale=0.9)
    x, y, lengths, a0 = data(7, 3, 25, 2, 2, padded=True, many=True)
    a0 = np.resize(a0, (3, 5))
    loss = frnn.forward(model, x, y, lengths=lengths, a0=a0, method=method)
    grads = frnn.backward(model)
    ref_loss, ref_grads, ref_a, _ = loss_and_grads(
        model.W, model.R, model.V, x, y, lengths=lengths, a0=a0, activation=activation
    )
    assert abs(loss - ref_loss) <= 1e-12 * abs(ref_loss)
    assert relerr(model.a, ref_a) <= 1e-12
    for name in grads:
        assert relerr(grads[name], ref_grads[name]) <= 1e-10, name


@pytest.mark.parametrize("method", PARALLEL)
def test_single_sequence_of_one_step(method):
    model = model_for(3, 2, 4, 1, "linear")
    x, y = np.ones((1, 2)), 1.0
    assert_same(model, x, y, method, tol=1e-14)
    if method != "scan":
        assert model.deer_iterations == 1  # T = 1: one step of Newton is exact


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("quasi", [False, True])
def test_k_iterations_make_the_first_k_steps_exact(activation, quasi):
    # The reason DEER needs at most T iterations (Gonzalez et al., 2024).
    rng = np.random.default_rng(5)
    T, B, I = 12, 2, 4
    U, R, a0 = rng.normal(size=(T, B, I)), 1.5 * rng.normal(size=(I, I)), rng.normal(size=(B, I))
    f, f_prime = ACTIVATIONS[activation].f, ACTIVATIONS[activation].f_prime
    exact, a = [], a0
    for t in range(T):
        a = f(U[t] + a @ R.T)
        exact.append(a)
    guess = np.zeros_like(U)
    for k in range(1, T + 1):
        guess = deer.step(guess, U, R, a0, f, f_prime, quasi=quasi)
        assert relerr(guess[:k], np.stack(exact[:k])) <= 1e-12


def test_deer_solves_a_linear_recurrence_in_one_iteration():
    model = model_for(1, 3, 6, 2, "linear", scale=1.1)
    x, y, _, _ = data(1, 2, 300, 3, 2, padded=False, many=True)
    frnn.forward(model, x, y, method="deer")
    assert model.deer_iterations == 1 and len(model.deer_info.residuals) == 2


def test_the_iteration_count_never_exceeds_T():
    # A hard, expanding case with every safeguard but the bound T lifted.
    seen = []
    for seed in range(30):
        T = 2 + seed % 9
        model = model_for(seed, 2, 3, 1, ACTS[seed % 4], scale=2.5)
        model.deer_max_iter, model.deer_tol = 10**6, 1e-13
        x, y, _, _ = data(seed, 1, T, 2, 1, padded=False, many=False)
        old = deer.GROWTH
        try:
            deer.GROWTH = np.inf
            frnn.forward(model, x, y, method="deer" if seed % 2 else "quasi-deer")
        finally:
            deer.GROWTH = old
        assert model.deer_info.converged
        assert model.deer_iterations <= T
        seen.append(model.deer_iterations / T)
    assert max(seen) == 1  # some cases do need all T iterations: the bound is tight


def test_divergence_falls_back_to_the_loop_with_a_warning():
    # An expanding R: the first Newton step overshoots by orders of magnitude.
    model = model_for(0, 2, 2, 1, "tanh")
    model.R = np.array([[0.0, 3.0], [3.0, 0.0]])
    x, y, _, _ = data(0, 1, 30, 2, 1, padded=False, many=False)
    expected = frnn.forward(model, x, y, engine="reference")  # the loop DEER falls back to
    with pytest.warns(frnn.DEERFallbackWarning, match="grew"):
        loss = frnn.forward(model, x, y, method="deer")
    assert loss == expected
    info = model.deer_info
    assert not info.converged and "grew" in info.fallback
    assert len(info.residuals) == info.iterations + 1
    assert info.residuals[-1] > deer.GROWTH * min(info.residuals[:-1])


def test_too_few_iterations_fall_back_and_the_warning_can_be_filtered():
    model = model_for(2, 2, 4, 1, "tanh")
    model.deer_max_iter = 1
    x, y, _, _ = data(2, 2, 20, 2, 1, padded=False, many=False)
    with pytest.warns(frnn.DEERFallbackWarning, match="still above tol after 1") as record:
        frnn.forward(model, x, y, method="quasi-deer")
    assert record[0].filename == __file__  # the warning points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", frnn.DEERFallbackWarning)
        frnn.forward(model, x, y, method="quasi-deer")
    grads = frnn.backward(model)  # after a fallback the adjoint still goes by the scan
    frnn.forward(model, x, y)
    expected = frnn.backward(model)
    assert all(relerr(grads[k], expected[k]) <= 1e-12 for k in grads)


def test_non_finite_residual_is_detected():
    assert "non-finite" in deer._failure([1.0, float("nan")], 1, 10)
    assert "grew" in deer._failure([1.0, 1e-3, 2.0], 2, 10)
    assert deer._failure([1.0, 0.5], 1, 10) is None
    assert "still above tol" in deer._failure([1.0, 0.5], 1, 1)


def test_float32_converges_to_its_own_precision():
    model = model_for(4, 2, 8, 1, "tanh", scale=0.9)
    for name in ("W", "R", "V"):
        setattr(model, name, getattr(model, name).astype(np.float32))
    x, y, _, _ = data(4, 2, 200, 2, 1, padded=False, many=False)
    frnn.forward(model, x, y)
    a = model.a
    frnn.forward(model, x, y, method="deer")
    assert model.a.dtype == np.float32 and model.deer_info.tol == pytest.approx(6.4e-6, rel=0.1)
    assert relerr(model.a, a) <= 1e-5


def test_the_object_api_takes_the_method():
    net = frnn.FullyRecurrentNetwork(2, 3, 1, activation="linear", rng=0)
    x = np.random.default_rng(0).normal(size=(50, 2))
    expected = net.forward(x, 1.0)
    assert net.forward(x, 1.0, method="scan") == pytest.approx(expected, rel=1e-12)
    assert set(net.backward()) == {"W", "R", "V"}


@pytest.mark.parametrize(
    ("attr", "value", "kw", "match"),
    [
        (None, None, {"method": "fast"}, "method must be one of"),
        (None, None, {"method": "scan"}, 'needs activation "linear"'),
        ("deer_tol", -1.0, {"method": "deer"}, "deer_tol must be a positive number"),
        ("deer_max_iter", 0, {"method": "deer"}, "deer_max_iter must be a positive integer; got 0"),
    ],
)
def test_bad_options_are_rejected(attr, value, kw, match):
    model = model_for(0, 2, 3, 1, "tanh")
    if attr:
        setattr(model, attr, value)
    with pytest.raises(ValueError, match=match):
        frnn.forward(model, np.ones((4, 2)), 1.0, **kw)
