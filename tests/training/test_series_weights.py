"""Each series' weight in the BPTT loss (``class_weight`` × ``sample_weight``) against torch.

    L = (1/B) Σ_b w_b (L_b(T_b) + c Σ_t L_b(t))   many-to-one (with the auxiliary term c)
    L = (1/B) Σ_b w_b Σ_t L_b(t)                   many-to-many (a target per step)

Written from the equations in torch (float64, autograd), the state detached every k steps
for truncated BPTT; and one step of the epoch loop, whose mini-batch carries its series'
weights however the series are shuffled.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch

import frnn
from frnn.data.series import Series
from frnn.training.loop import Trainer
from frnn.training.optimizers import SGD
from frnn.training.settings import Member, Settings, series_weights
from frnn.training.steps import _sequence_gradients
from torch_reference import loss_and_grads, relerr


def _problem(seed=0, B=5, T=8, D=2, I=3, K=2, loss="bce"):
    rng = np.random.default_rng(seed)
    net = types.SimpleNamespace(activation="tanh", loss=loss)
    frnn.init(net, D, I, K, rng=rng, bias=True)
    for name in ("W", "R", "V", "b", "c"):
        setattr(net, name, rng.uniform(-0.8, 0.8, getattr(net, name).shape))
    lengths = np.array([8, 3, 6, 1, 8])[:B]
    x = rng.standard_normal((B, T, D)) * (np.arange(T)[None, :, None] < lengths[:, None, None])
    w = rng.uniform(0.1, 3.0, B)
    w[1] = 0.0  # a series of weight 0 adds nothing
    return net, x, lengths, w, rng


def _torch_weighted(net, x, y, lengths, w, k, aux):
    """(1/B) Σ_b w_b (bce(z(T_b)) + aux Σ_t bce(z(t))), the state detached every k steps."""
    params = {
        n: torch.tensor(getattr(net, n), requires_grad=True) for n in ("W", "R", "V", "b", "c")
    }
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    total = 0.0
    for b, n in enumerate(lengths):
        a = torch.zeros(params["W"].shape[0], dtype=torch.float64)
        target, series = torch.tensor(y[b]), 0.0
        for t in range(n):
            if t and t % k == 0:
                a = a.detach()
            a = torch.tanh(params["W"] @ torch.tensor(x[b, t]) + params["R"] @ a + params["b"])
            series = series + aux * bce(params["V"] @ a + params["c"], target, reduction="sum")
        series = series + bce(params["V"] @ a + params["c"], target, reduction="sum")
        total = total + w[b] * series
    total = total / len(lengths)
    total.backward()
    return total.item(), {n: p.grad.numpy() for n, p in params.items()}


@pytest.mark.parametrize("k", [1, 3, 8])
@pytest.mark.parametrize("aux", [0.0, 0.4])
def test_series_weights_scale_each_series_loss_as_torch(k, aux):
    net, x, lengths, w, rng = _problem()
    y = rng.uniform(size=(5, 2))
    loss, grads, _, _ = _sequence_gradients(
        net, x, y, lengths, chunk_length=k, aux_weight=aux, series_weight=w
    )
    expected_loss, expected = _torch_weighted(net, x, y, lengths, w, k, aux)
    assert abs(loss - expected_loss) <= 1e-12 * expected_loss
    for name, g in expected.items():
        assert relerr(grads[name], g) <= 1e-10, name


def test_class_and_sample_weights_multiply():
    y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])  # one-hot: classes 0, 1, 1
    np.testing.assert_array_equal(
        series_weights(y, np.array([2.0, 0.5]), np.array([1.0, 3.0, 0.0])), [2.0, 1.5, 0.0]
    )
    np.testing.assert_array_equal(series_weights(y, None, np.array([1.0, 3.0, 0.0])), [1, 3, 0])
    assert series_weights(y, None, None) is None


def test_series_weights_weigh_every_step_of_a_sequence_target():
    net, x, lengths, w, rng = _problem(loss="mse")
    y = rng.standard_normal((5, 8, 2))  # a target per step (garbage where padded)
    loss, grads, _, _ = _sequence_gradients(net, x, y, lengths, series_weight=w)
    steps = w[:, None] * (np.arange(8)[None, :] < lengths[:, None])  # (B, T)
    params = {n: getattr(net, n) for n in ("W", "R", "V")}
    expected_loss, expected, _, _ = loss_and_grads(
        **params, x=x, y=y, lengths=lengths, loss="mse", weights=steps, b=net.b, c=net.c
    )
    assert abs(loss - expected_loss) <= 1e-12 * abs(expected_loss)
    for name, g in expected.items():
        assert relerr(grads[name], g) <= 1e-10, name


def test_one_step_of_the_loop_follows_the_weighted_gradient():
    """A pass of the epoch loop in one mini-batch of every series, shuffled: one SGD step
    down the weighted loss's gradient, its weights following their series."""
    net, x, lengths, w, rng = _problem(K=1)
    y = (rng.uniform(size=(5, 1)) > 0.5).astype(float)
    before = {n: getattr(net, n).copy() for n in ("W", "R", "V", "b", "c")}
    settings = Settings(
        learning_rate=0.1,
        schedule="constant",
        epochs=1,
        batch_size=5,
        clip=None,
        chunk_length=None,
        aux_weight=0.0,
        patience=1,
        accuracy=lambda z, t: 0.0,
        class_weights=np.array([0.5, 2.0]),
    )
    member = Member(model=net, optimizer=SGD(0.1), rng=np.random.default_rng(7))
    Trainer([member], settings).run(Series(x, y, lengths, weights=w), None)
    both = w * np.where(y[:, 0] > 0.5, 2.0, 0.5)  # the class's weight × the series'
    probe = types.SimpleNamespace(activation="tanh", loss="bce", **before)
    _, expected = _torch_weighted(probe, x, y, lengths, both, 8, 0.0)
    for name, g in expected.items():
        step = before[name] - getattr(net, name)
        assert relerr(step, 0.1 * g) <= 1e-10, name
