"""The biases b and c: s(t) = W x(t) + R a(t−1) + b, z(t) = V a(t) + c, on every path.

Against torch.autograd (float64, 1e-10 relative) in every mode and engine and with the
parallel methods, against torch.nn.RNN(bias=True), against central finite differences,
and at hypothesis shapes; the bad-input messages; a model without biases is unchanged.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import frnn
from helpers import MODES, ROUTES, assert_matches_torch, make_batch, make_net, route
from torch_reference import loss_and_grads, relerr

TOL = 1e-10
ENGINES = ("reference", *ROUTES)  # every fast path forced at any size (helpers.ROUTES)
FLAGS = list(itertools.product((False, True), repeat=3))  # many_to_many, padded, with_a0


@pytest.fixture(params=ENGINES)
def engine(request):
    with route(request.param) as name:
        yield name


@pytest.mark.slow
@pytest.mark.parametrize(("many_to_many", "padded", "with_a0"), FLAGS)
@pytest.mark.parametrize(("activation", "loss"), MODES)
def test_every_mode_and_engine_matches_autograd(
    activation, loss, many_to_many, padded, with_a0, engine
):
    B, T, D, I, K = 4, 8, 3, 5, 2
    scale = 0.4 if activation in ("relu", "linear") else 1.0
    model = make_net(D, I, K, activation=activation, loss=loss, bias=True)
    model.R *= scale
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=padded, with_a0=with_a0
    )
    assert_matches_torch(model, x, y, lengths=lengths, a0=a0, tol=TOL, engine=engine)


@pytest.mark.parametrize(
    ("activation", "method"),
    [
        (a, m)
        for a in sorted(frnn.ACTIVATIONS)
        for m in ("scan", "deer", "quasi-deer")
        if m != "scan" or a == "linear"
    ],
)
@pytest.mark.parametrize("many_to_many", [False, True])
def test_parallel_methods_match_autograd(activation, method, many_to_many):
    """The bias is part of the scan's and DEER's affine term; the adjoint gives db too."""
    B, T, D, I, K = 3, 20, 2, 5, 2
    model = make_net(D, I, K, activation=activation, bias=True, rng=3)
    model.R *= 0.8 / np.linalg.norm(model.R, 2)  # a contraction: DEER's regime
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=True, with_a0=True, seed=4
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fallback to the loop would not test the method
        assert_matches_torch(model, x, y, lengths=lengths, a0=a0, tol=TOL, method=method)
    if method != "scan":
        assert model.deer_info.converged


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("many_to_many", [False, True])
def test_agrees_with_torch_nn_rnn_with_biases(rng, nonlinearity, many_to_many):
    """torch.nn.RNN(bias=True) with bias_ih = b, bias_hh = 0, and Linear(bias=True)."""
    B, T, D, I, K = 4, 12, 3, 5, 2
    net = make_net(D, I, K, activation=nonlinearity, scale=0.5, bias=True, rng=rng)
    x = rng.standard_normal((B, T, D))
    y = rng.integers(0, 2, size=(B, T, K) if many_to_many else (B, K)).astype(float)
    value = net.forward(x, y)
    grads = net.backward()
    rnn = torch.nn.RNN(D, I, nonlinearity=nonlinearity, batch_first=True).double()
    head = torch.nn.Linear(I, K).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(net.W))
        rnn.weight_hh_l0.copy_(torch.from_numpy(net.R))
        rnn.bias_ih_l0.copy_(torch.from_numpy(net.b))
        rnn.bias_hh_l0.zero_()
        head.weight.copy_(torch.from_numpy(net.V))
        head.bias.copy_(torch.from_numpy(net.c))
    states, _ = rnn(torch.from_numpy(x))
    z = head(states) if many_to_many else head(states[:, -1])
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    loss = bce(z, torch.from_numpy(y), reduction="sum") / B
    loss.backward()
    assert relerr(value, loss.item()) < TOL
    assert relerr(net.a, states.detach().numpy()) < TOL
    assert relerr(net.z, z.detach().numpy()) < TOL
    expected = {
        "W": rnn.weight_ih_l0.grad,
        "R": rnn.weight_hh_l0.grad,
        "b": rnn.bias_ih_l0.grad,
        "V": head.weight.grad,
        "c": head.bias.grad,
    }
    for name, grad in expected.items():
        assert relerr(grads[name], grad.numpy()) < TOL, name
    # torch's two biases get the same gradient: both are added to s(t)
    assert relerr(rnn.bias_hh_l0.grad.numpy(), grads["b"]) < TOL


@pytest.mark.parametrize("many_to_many", [False, True])
@pytest.mark.parametrize(("activation", "loss"), MODES)
def test_bias_gradients_match_central_differences(rng, activation, loss, many_to_many):
    B, T, D, I, K = 3, 5, 2, 3, 2
    net = make_net(D, I, K, activation=activation, loss=loss, scale=0.5, bias=True, rng=rng)
    x = rng.standard_normal((B, T, D))
    y = rng.uniform(size=(B, T, K) if many_to_many else (B, K))
    lengths, a0 = np.array([T, 2, 4]), 0.3 * rng.standard_normal((B, I))
    weights = rng.uniform(0.5, 2, size=(B, T)) if many_to_many else None

    def loss_at() -> float:
        return net.forward(x, y, lengths=lengths, a0=a0, weights=weights)

    loss_at()
    grads = net.backward()
    h = 1e-6
    for name in "bc":
        param = getattr(net, name)
        numeric = np.empty_like(param)
        for i in range(param.size):
            saved = param[i]
            param[i] = saved + h
            up = loss_at()
            param[i] = saved - h
            down = loss_at()
            param[i] = saved
            numeric[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-7, atol=1e-9, err_msg=name)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(*[st.integers(1, n) for n in (4, 12, 3, 6, 3)]),
    activation=st.sampled_from(sorted(frnn.ACTIVATIONS)),
    loss=st.sampled_from(["bce", "mse"]),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_shapes_match_autograd_on_every_engine(shape, activation, loss, flags, seed):
    """Shapes down to I = 1, K = 1, T = 1 (and B = 1, D = 1)."""
    B, T, D, I, K = shape
    many_to_many, padded, with_a0 = flags
    model = make_net(D, I, K, activation=activation, loss=loss, rng=seed, bias=True)
    model.R *= 0.5
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=padded, with_a0=with_a0, seed=seed
    )
    # A saturated tanh unit computes f' = 1 − a² by cancellation: a one-ulp difference in a
    # (numpy's tanh against torch's) moves f' ≈ 4e-10 by 3e-7 relative, whatever the engine.
    # Such draws test the libraries' tanh, not BPTT; keep those whose f' is well conditioned.
    if activation == "tanh":
        frnn.forward(model, x, y, lengths=lengths, a0=a0, engine="reference")
        assume((1 - model.a**2).min() > 1e-6)
    for name in ENGINES:
        with route(name) as engine:
            assert_matches_torch(model, x, y, lengths=lengths, a0=a0, tol=TOL, engine=engine)


def test_single_sequence_with_biases(engine):
    model = make_net(2, 4, 3, activation="hardtanh", bias=True)
    rng = np.random.default_rng(5)
    x, y, a0 = rng.standard_normal((6, 2)), rng.random((6, 3)), rng.standard_normal(4)
    loss = frnn.forward(model, x, y, a0=a0, engine=engine)
    grads = frnn.backward(model, engine=engine)
    ref_loss, ref_grads, ref_a, ref_z = loss_and_grads(
        model.W,
        model.R,
        model.V,
        x[None],
        y[None],
        a0=a0[None],
        activation="hardtanh",
        b=model.b,
        c=model.c,
    )
    assert relerr(loss, ref_loss) < TOL and relerr(model.z, ref_z[0]) < TOL
    assert grads["b"].shape == (4,) and grads["c"].shape == (3,)
    for name in "WRVbc":
        assert relerr(grads[name], ref_grads[name]) < TOL, name


def test_float32_biases_stay_float32(engine):
    B, T, D, I, K = 4, 30, 3, 8, 2
    model32 = make_net(D, I, K, dtype=np.float32, bias=True)
    model64 = make_net(D, I, K, dtype=np.float64, bias=True)
    x, y, lengths, a0 = make_batch(B, T, D, I, K, many_to_many=True, padded=True, with_a0=True)
    frnn.forward(model32, x, y, lengths=lengths, a0=a0, engine=engine)
    grads32 = frnn.backward(model32, engine=engine)
    frnn.forward(model64, x, y, lengths=lengths, a0=a0, engine="reference")
    grads64 = frnn.backward(model64, engine="reference")
    assert model32.a.dtype == model32.z.dtype == np.float32
    for name in "WRVbc":
        assert grads32[name].dtype == np.float32, name
        assert relerr(grads32[name], grads64[name]) < 1e-4, name
    assert relerr(model32.z, model64.z) < 1e-5


def test_padded_logits_are_zero_as_the_states():
    model = make_net(2, 3, 2, bias=True)
    x, y, lengths, _ = make_batch(3, 6, 2, 3, 2, many_to_many=True, padded=True, with_a0=False)
    frnn.forward(model, x, y, lengths=lengths)
    for b, n in enumerate(lengths):
        assert not model.z[b, n:].any() and not model.a[b, n:].any()
