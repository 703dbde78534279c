"""forward and backward against torch.autograd in float64, in every mode of the contract."""

import itertools

import numpy as np
import pytest
import torch

import frnn
from helpers import ACTIVATIONS, LOSSES, MODES, assert_matches_torch, make_net, param_names
from torch_reference import loss_and_grads, relerr

TOL = 1e-10
# relu and linear states grow like ‖R‖^T; keep them moderate so the check is about the engine.
SCALE = {"tanh": 1.0, "hardtanh": 1.0, "relu": 0.4, "linear": 0.4}
MODES = [
    (*mode, m2m, padded) for mode in MODES for m2m in (False, True) for padded in (False, True)
]


def _data(rng, B, T, D, K, many_to_many, padded):
    x = rng.standard_normal((B, T, D))
    y = rng.uniform(size=(B, T, K) if many_to_many else (B, K))
    lengths = rng.integers(1, T + 1, size=B) if padded else None
    if padded:
        lengths[0] = T  # at least one full-length sequence, one short one
        lengths[-1] = 1
        for b, n in enumerate(lengths):
            x[b, n:] = 1e3  # garbage that must not leak into the result
            if many_to_many:
                y[b, n:] = 1e3
    return x, y, lengths


def _assert_close(net, loss, grads, reference):
    ref_loss, ref_grads, ref_a, ref_z = reference
    assert relerr(loss, ref_loss) < TOL
    assert relerr(net.a, ref_a) < TOL
    assert relerr(net.z, ref_z) < TOL
    assert set(grads) == set(param_names(net))
    for name in param_names(net):
        assert relerr(grads[name], ref_grads[name]) < TOL, name


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize(("activation", "loss", "many_to_many", "padded"), MODES)
def test_batch_matches_autograd(rng, activation, loss, many_to_many, padded, bias):
    B, T, D, I, K = 5, 9, 3, 6, 2
    net = make_net(
        D, I, K, activation=activation, loss=loss, scale=SCALE[activation], bias=bias, rng=rng
    )
    x, y, lengths = _data(rng, B, T, D, K, many_to_many, padded)
    a0 = 0.5 * rng.standard_normal((B, I))
    assert_matches_torch(net, x, y, lengths=lengths, a0=a0, tol=TOL)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize(
    ("activation", "many_to_many"), list(itertools.product(ACTIVATIONS, [False, True]))
)
def test_single_sequence_matches_autograd(rng, activation, many_to_many, bias):
    T, D, I, K = 7, 2, 4, 3
    net = make_net(D, I, K, activation=activation, scale=SCALE[activation], bias=bias, rng=rng)
    x, y, _ = _data(rng, 1, T, D, K, many_to_many, False)
    value = net.forward(x[0], y[0])
    grads = net.backward()
    assert net.a.shape == (T, I)
    assert net.z.shape == ((T, K) if many_to_many else (K,))
    ref_loss, ref_grads, ref_a, ref_z = loss_and_grads(
        net.W, net.R, net.V, x, y, activation=activation, b=net.b, c=net.c
    )
    _assert_close(net, value, grads, (ref_loss, ref_grads, ref_a[0], ref_z[0]))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_agrees_with_torch_nn_rnn(rng, nonlinearity):
    """A second, library-made reference: torch.nn.RNN without biases, plus a Linear."""
    B, T, D, I = 4, 12, 3, 5
    net = make_net(D, I, 1, activation=nonlinearity, scale=SCALE[nonlinearity], rng=rng)
    x = rng.standard_normal((B, T, D))
    y = rng.integers(0, 2, size=B).astype(float)
    value = net.forward(x, y)
    grads = net.backward()
    rnn = torch.nn.RNN(D, I, nonlinearity=nonlinearity, bias=False, batch_first=True).double()
    head = torch.nn.Linear(I, 1, bias=False).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(net.W))
        rnn.weight_hh_l0.copy_(torch.from_numpy(net.R))
        head.weight.copy_(torch.from_numpy(net.V))
    states, _ = rnn(torch.from_numpy(x))
    z = head(states[:, -1])[:, 0]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.from_numpy(y))
    loss.backward()
    assert relerr(value, loss.item()) < TOL
    assert relerr(net.a, states.detach().numpy()) < TOL
    assert relerr(grads["W"], rnn.weight_ih_l0.grad.numpy()) < TOL
    assert relerr(grads["R"], rnn.weight_hh_l0.grad.numpy()) < TOL
    assert relerr(grads["V"], head.weight.grad.numpy()) < TOL


def test_batch_of_one_equals_single_sequence(rng):
    net = make_net(2, 3, 1, scale=1.0, rng=rng)
    x = rng.standard_normal((6, 2))
    single = net.forward(x, 1.0), net.backward()
    batch = net.forward(x[None], np.array([1.0])), net.backward()
    assert single[0] == batch[0]
    for name in "WRV":
        np.testing.assert_array_equal(single[1][name], batch[1][name])


def test_keep_da_stores_the_gradient_in_each_state(rng):
    """∂L/∂a(t) checked against autograd by making the states leaves of the graph."""
    T, D, I = 6, 2, 3
    net = make_net(D, I, 1, scale=1.0, rng=rng)
    x = rng.standard_normal((T, D))
    net.forward(x, 1.0)
    net.backward(keep_da=True)
    W, R, V = (torch.tensor(p, requires_grad=True) for p in (net.W, net.R, net.V))
    states = []
    a = torch.zeros(I, dtype=torch.float64)
    for t in range(T):
        a = torch.tanh(W @ torch.from_numpy(x[t]) + R @ a)
        a.retain_grad()
        states.append(a)
    z = V @ a
    torch.nn.functional.binary_cross_entropy_with_logits(
        z, torch.ones(1, dtype=torch.float64), reduction="sum"
    ).backward()
    expected = torch.stack([s.grad for s in states]).numpy()
    assert net.da.shape == (T, I)
    assert relerr(net.da, expected) < TOL


def test_float32_model_computes_in_float32(rng):
    net = frnn.FullyRecurrentNetwork(3, 4, 1, rng=rng, dtype=np.float32)
    loss = net.forward(rng.standard_normal((5, 3)), 1.0)
    grads = net.backward()
    assert isinstance(loss, float)
    assert net.a.dtype == net.z.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize(
    ("activation", "loss", "engine"),
    list(itertools.product(ACTIVATIONS, LOSSES, ["reference", "auto", "numpy"])),
)
def test_weighted_steps_match_autograd(rng, activation, loss, engine, bias):
    """Per-step loss weights (e.g. an auxiliary per-step loss plus the last step's)."""
    B, T, D, I, K = 4, 8, 3, 5, 2
    net = make_net(
        D, I, K, activation=activation, loss=loss, scale=SCALE[activation], bias=bias, rng=rng
    )
    x, y, lengths = _data(rng, B, T, D, K, True, True)
    weights = rng.uniform(0, 2, size=(B, T))
    weights[0, 3] = 0.0  # a step that does not count
    for b, n in enumerate(lengths):
        weights[b, n:] = -1e3  # garbage in the padding must not matter
    value = net.forward(x, y, lengths=lengths, weights=weights, engine=engine)
    grads = net.backward(engine=engine)
    reference = loss_and_grads(
        net.W,
        net.R,
        net.V,
        x,
        y,
        lengths=lengths,
        activation=activation,
        loss=loss,
        weights=weights,
        b=net.b,
        c=net.c,
    )
    _assert_close(net, value, grads, reference)


def test_unit_weights_change_nothing(rng):
    net = make_net(3, 4, 2, scale=1.0, rng=rng)
    x, y, lengths = _data(rng, 3, 6, 3, 2, True, True)
    plain = net.forward(x, y, lengths=lengths), net.backward()
    weighted = net.forward(x, y, lengths=lengths, weights=np.ones((3, 6))), net.backward()
    assert plain[0] == weighted[0]
    for name in "WRV":
        np.testing.assert_array_equal(plain[1][name], weighted[1][name])
