"""The biases b and c beyond forward and backward: truncated BPTT, init and the network
object, bad biases named."""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch

import frnn
from frnn.engine import cache
from frnn.training import sequence_gradients
from helpers import ROUTES, make_batch, make_net, route
from torch_reference import relerr

ENGINES = ("reference", *ROUTES)  # as test_bias.py


# -- truncated BPTT ----------------------------------------------------------------------
def _torch_truncated(net, x, y, lengths, k):
    """The recurrence with biases in torch, the state detached every k steps."""
    p = {n: torch.tensor(getattr(net, n), requires_grad=True) for n in "WRVbc"}
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    total = 0.0
    for i, n in enumerate(lengths):
        a = torch.zeros(net.W.shape[0], dtype=torch.float64)
        for t in range(n):
            if t and t % k == 0:
                a = a.detach()
            a = torch.tanh(p["W"] @ torch.tensor(x[i, t]) + p["R"] @ a + p["b"])
        total = total + bce(p["V"] @ a + p["c"], torch.tensor(y[i]), reduction="sum")
    (total / len(lengths)).backward()
    return (total / len(lengths)).item(), {n: q.grad.numpy() for n, q in p.items()}


@pytest.mark.parametrize("k", [1, 3, 9])
def test_truncated_bptt_carries_the_biases(k):
    rng = np.random.default_rng(0)
    net = make_net(2, 3, 2, scale=0.8, bias=True, rng=rng)
    x = rng.standard_normal((4, 9, 2))
    lengths = np.array([9, 4, 7, 1])
    for i, n in enumerate(lengths):
        x[i, n:] = 0.0
    y = rng.uniform(size=(4, 2))
    loss, grads, _, _ = sequence_gradients(net, x, y, lengths, chunk_length=k)
    expected_loss, expected = _torch_truncated(net, x, y, lengths, k)
    assert abs(loss - expected_loss) <= 1e-12 * expected_loss
    assert set(grads) == set("WRVbc")
    for name in "WRVbc":
        assert relerr(grads[name], expected[name]) <= 1e-12, name


# -- init and the object ---------------------------------------------------------------------
def test_init_with_bias_draws_b_and_c_after_the_weights():
    plain = frnn.init(types.SimpleNamespace(), 3, 4, 2, rng=7)
    biased = frnn.init(types.SimpleNamespace(), 3, 4, 2, rng=7, bias=True)
    for name in "WRV":  # the same seed, the same weights with or without biases
        np.testing.assert_array_equal(getattr(plain, name), getattr(biased, name))
    assert biased.b.shape == (4,) and biased.c.shape == (2,)
    assert np.all(np.abs(np.concatenate([biased.b, biased.c])) <= 0.01)
    assert not hasattr(plain, "b") and not hasattr(plain, "c")
    frnn.init(biased, 3, 4, 2, rng=7)  # re-initialised without: the biases go
    assert not hasattr(biased, "b") and not hasattr(biased, "c")
    single = frnn.init(types.SimpleNamespace(), 3, 4, 2, rng=7, bias=True, dtype=np.float32)
    assert single.b.dtype == single.c.dtype == np.float32


def test_network_object_takes_bias():
    net = frnn.FullyRecurrentNetwork(2, 3, 1, rng=0, bias=True)
    assert "bias=True" in repr(net) and net.b.shape == (3,)
    net.forward(np.ones((4, 2)), 1.0)
    assert set(net.backward()) == set("WRVbc")
    plain = frnn.FullyRecurrentNetwork(2, 3, 1, rng=0)
    assert "bias" not in repr(plain)
    plain.forward(np.ones((4, 2)), 1.0)
    assert set(plain.backward()) == set("WRV")


def test_zero_biases_give_the_model_without_biases_exactly():
    model = make_net(3, 5, 2, bias=True)
    model.b[:] = 0.0
    model.c[:] = 0.0
    plain = make_net(3, 5, 2)
    x, y, lengths, a0 = make_batch(4, 7, 3, 5, 2, many_to_many=False, padded=True, with_a0=True)
    for route_name in ENGINES:
        with route(route_name) as engine:
            with_zero = frnn.forward(model, x, y, lengths=lengths, a0=a0, engine=engine)
            g = frnn.backward(model, engine=engine)
            without = frnn.forward(plain, x, y, lengths=lengths, a0=a0, engine=engine)
            g0 = frnn.backward(plain, engine=engine)
        assert with_zero == without, route_name
        for name in "WRV":
            np.testing.assert_array_equal(g[name], g0[name], err_msg=route_name)


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"b": np.zeros(4)}, ValueError, r"model.b must have shape \(5,\); got \(4,\)"),
        ({"c": np.zeros((2, 1))}, ValueError, r"model.c must have shape \(2,\); got \(2, 1\)"),
        (
            {"b": np.zeros(5, np.float32)},
            TypeError,
            "model.b must be a numpy array of dtype float64; got float32",
        ),
        ({"c": [0.0, 0.0]}, TypeError, "model.c must be a numpy array of dtype float64; got list"),
        ({"b": np.array([0, 0, np.nan, 0, 0.0])}, ValueError, "model.b must not contain NaN"),
        ({"c": np.array([np.inf, 0])}, ValueError, "model.c must not contain NaN or inf"),
        ({"b": None}, ValueError, "model.c needs model.b: .* got model.b = None"),
        ({"c": None}, ValueError, "model.b needs model.c: .* got model.c = None"),
    ],
)
def test_bad_biases_are_named(change, error, match):
    model = make_net(3, 5, 2, bias=True)
    for name, value in change.items():
        setattr(model, name, value)
    x, y, _, _ = make_batch(2, 4, 3, 5, 2, many_to_many=False, padded=False, with_a0=False)
    with pytest.raises(error, match=match):
        frnn.forward(model, x, y)
    with pytest.raises(error, match=match):
        sequence_gradients(model, x, y, np.array([4, 4]))


def test_init_rejects_a_non_boolean_bias():
    with pytest.raises(TypeError, match="bias must be True or False; got 'yes'"):
        frnn.init(types.SimpleNamespace(), 3, 4, 2, bias="yes")


@pytest.mark.parametrize("family", ["numba_kernels", "blas_kernels"])
def test_the_compiled_loop_checks_the_bias_it_reads(family):
    """The compiled loops get b only after its shape and dtype are checked."""
    from frnn.engine import compiled

    kernels = getattr(compiled, family)()
    if kernels is None:
        pytest.skip("numba is unusable here")
    model = make_net(2, 3, 1)
    x, y, lengths, a0 = make_batch(2, 4, 2, 3, 1, many_to_many=False, padded=False, with_a0=True)
    frnn.forward(model, x, y, a0=a0)
    batch = cache.get(model).batch
    with pytest.raises(
        ValueError, match=r"b must be \(3,\) float64 for the compiled loop; got \(2,\)"
    ):
        compiled.states(kernels, model.W, model.R, batch, "tanh", np.zeros(2))
