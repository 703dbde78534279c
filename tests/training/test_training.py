"""Truncated BPTT against torch, the epoch loop and its state, the biases through the loop."""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import frnn
from frnn.data.series import Series
from frnn.engine import cache as engine_cache
from frnn.training import (
    SGD,
    Adam,
    NonFiniteLossError,
    sequence_gradients,
)
from frnn.training.loop import Trainer
from frnn.training.settings import Member, Settings
from torch_reference import relerr


# -- truncated BPTT ---------------------------------------------------------------------------
def _padded_problem(seed=0, B=5, T=9, D=2, I=3, K=2):
    rng = np.random.default_rng(seed)
    net = frnn.FullyRecurrentNetwork(D, I, K, rng=rng)
    for name in "WRV":
        setattr(net, name, rng.uniform(-0.8, 0.8, getattr(net, name).shape))
    x = rng.standard_normal((B, T, D))
    lengths = np.array([9, 4, 7, 1, 9])[:B]
    for b, n in enumerate(lengths):
        x[b, n:] = 0.0
    y = rng.uniform(size=(B, K))
    return net, x, y, lengths


def _torch_truncated(net, x, y, lengths, k, aux):
    """Reference: the recurrence in torch with the state detached every k steps."""
    W, R, V = (torch.tensor(getattr(net, n), requires_grad=True) for n in "WRV")
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    total = 0.0
    for b, n in enumerate(lengths):
        a = torch.zeros(W.shape[0], dtype=torch.float64)
        target = torch.tensor(y[b])
        for t in range(n):
            if t and t % k == 0:
                a = a.detach()
            a = torch.tanh(W @ torch.tensor(x[b, t]) + R @ a)
            total = total + aux * bce(V @ a, target, reduction="sum")
        total = total + bce(V @ a, target, reduction="sum")
    total = total / len(lengths)
    total.backward()
    return total.item(), {"W": W.grad.numpy(), "R": R.grad.numpy(), "V": V.grad.numpy()}


@pytest.mark.parametrize("k", [1, 2, 3, 4, 9])
@pytest.mark.parametrize("aux", [0.0, 0.3])
def test_truncated_bptt_matches_torch_with_detached_state(k, aux):
    net, x, y, lengths = _padded_problem()
    loss, grads, z_last, a_last = sequence_gradients(
        net, x, y, lengths, chunk_length=k, aux_weight=aux
    )
    expected_loss, expected = _torch_truncated(net, x, y, lengths, k, aux)
    assert abs(loss - expected_loss) <= 1e-12 * expected_loss
    for n in "WRV":
        assert relerr(grads[n], expected[n]) <= 1e-12
    # the carried state and the last logits are those of one unchunked forward pass
    frnn.forward(net, x, None, lengths=lengths)
    final = net.a[np.arange(len(x)), lengths - 1]  # (B, I)
    assert relerr(a_last, final) <= 1e-12
    assert relerr(z_last, final @ net.V.T) <= 1e-12


@settings(max_examples=25, deadline=None)
@given(
    B=st.integers(1, 4),
    T=st.integers(1, 6),
    k=st.integers(1, 7),
    aux=st.sampled_from([0.0, 0.5]),
    seed=st.integers(0, 2**16),
)
def test_truncated_bptt_on_edge_sizes(B, T, k, aux, seed):
    rng = np.random.default_rng(seed)
    net = frnn.FullyRecurrentNetwork(2, 1 + seed % 3, 1, rng=rng)
    net.R[...] = rng.uniform(-1, 1, net.R.shape)
    lengths = rng.integers(1, T + 1, size=B)
    x = rng.standard_normal((B, T, 2)) * (np.arange(T)[None, :, None] < lengths[:, None, None])
    y = rng.uniform(size=(B, 1))
    loss, grads, _, _ = sequence_gradients(net, x, y, lengths, chunk_length=k, aux_weight=aux)
    expected_loss, expected = _torch_truncated(net, x, y, lengths, k, aux)
    assert abs(loss - expected_loss) <= 1e-12 * expected_loss
    for n in "WRV":
        assert relerr(grads[n], expected[n]) <= 1e-12


@pytest.mark.parametrize("k", [9, 10, 100, None])
def test_chunk_at_least_T_is_full_bptt_exactly(k):
    net, x, y, lengths = _padded_problem()
    loss, grads, z, a_last = sequence_gradients(net, x, y, lengths, chunk_length=k)
    expected_loss = net.forward(x, y, lengths=lengths)
    expected = net.backward()
    assert loss == expected_loss
    for n in "WRV":
        np.testing.assert_array_equal(grads[n], expected[n])
    np.testing.assert_array_equal(z, net.z)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_carried_state_equals_unchunked_final_state(k):
    net, x, y, lengths = _padded_problem()
    _, _, z, a_last = sequence_gradients(net, x, y, lengths, chunk_length=k)
    net.forward(x, y, lengths=lengths)
    final = net.a[np.arange(len(lengths)), lengths - 1]  # (B, I)
    np.testing.assert_allclose(a_last, final, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(z, net.z, rtol=1e-14, atol=1e-15)


def test_truncation_changes_the_gradient():
    net, x, y, lengths = _padded_problem()
    full = sequence_gradients(net, x, y, lengths)[1]
    cut = sequence_gradients(net, x, y, lengths, chunk_length=2)[1]
    assert relerr(cut["W"], full["W"]) > 1e-3
    # V's gradient never crosses time: the same up to summation order.
    np.testing.assert_allclose(cut["V"], full["V"], rtol=1e-13, atol=1e-16)


# -- the epoch loop ---------------------------------------------------------------------------
def _trainer(lr=0.05, epochs=3, optimizer=Adam, bias=False):
    rng = np.random.default_rng(0)
    net = types.SimpleNamespace(activation="tanh", loss="bce")
    frnn.init(net, 2, 4, 1, rng=rng, bias=bias)
    x = rng.standard_normal((12, 6, 2))
    y = (x[:, :, 0].sum(axis=1, keepdims=True) > 0).astype(float)
    data = Series(x, y, np.full(12, 6))
    settings = Settings(
        learning_rate=lr,
        schedule="constant",
        epochs=epochs,
        batch_size=4,
        clip=None,
        chunk_length=None,
        aux_weight=0.0,
        patience=3,
        accuracy=lambda z, t: float(np.mean((z > 0) == (t > 0.5))),
    )
    return Trainer([Member(model=net, optimizer=optimizer(lr), rng=rng)], settings), data


def test_non_finite_loss_stops_and_restores_last_good_parameters():
    trainer, data = _trainer(optimizer=SGD)
    trainer.run(data, None)
    good = {n: getattr(trainer.members[0].model, n).copy() for n in "WRV"}
    trainer.settings.epochs, trainer.settings.learning_rate = 10, 1e300
    trainer.members[0].model.activation = "linear"  # nothing saturates: the weights overflow
    with pytest.raises(NonFiniteLossError, match="non-finite in epoch 4.*restored"):
        trainer.run(data, None)
    for n in "WRV":
        np.testing.assert_array_equal(getattr(trainer.members[0].model, n), good[n])


class _Overflow(SGD):
    """An optimiser step that leaves infinite weights behind (the loop calls ``_step``, the
    update without the public ``step``'s argument checks)."""

    def _step(self, params, grads, scale=1.0):
        for p in params.values():
            p[...] = np.inf


def test_weights_overflowing_on_the_last_step_are_caught():
    trainer, data = _trainer(optimizer=_Overflow)
    trainer.settings.batch_size = 12  # one step per epoch: the loss never sees the inf
    start = {n: getattr(trainer.members[0].model, n).copy() for n in "WRV"}
    with pytest.raises(NonFiniteLossError, match="epoch 1.*overflowed"):
        trainer.run(data, None)
    for n in "WRV":
        np.testing.assert_array_equal(getattr(trainer.members[0].model, n), start[n])


def test_trainer_history_and_loss_decrease():
    trainer, data = _trainer(epochs=30)
    assert trainer.run(data, None) == "epochs"
    loss = trainer.history["loss"]
    assert len(loss) == 30 and loss[-1] < 0.5 * loss[0]
    assert trainer.history["val_loss"] == [None] * 30
    assert all(g > 0 for g in trainer.history["grad_norm"])


def test_trainer_state_rejects_foreign_state():
    trainer, _ = _trainer()
    with pytest.raises(ValueError, match="version"):
        trainer.load_state({"version": 99})


def test_trainer_moves_and_checkpoints_the_biases():
    trainer, data = _trainer(epochs=4, bias=True)
    model = trainer.members[0].model
    start = {n: getattr(model, n).copy() for n in "WRVbc"}
    trainer.run(data, None)
    state = trainer.state()
    assert set(state["members"][0]["params"]) == set("WRVbc")
    for n in "bc":
        assert not np.array_equal(getattr(model, n), start[n]), n
    other, _ = _trainer(epochs=4, bias=True)
    other.load_state(state)
    for n in "WRVbc":
        np.testing.assert_array_equal(getattr(other.members[0].model, n), getattr(model, n))
    plain, _ = _trainer(bias=False)
    with pytest.raises(ValueError, match=r"parameters \['R', 'V', 'W', 'b', 'c'\].*\(bias\)"):
        plain.load_state(state)


def test_non_finite_biases_are_caught_and_restored():
    trainer, data = _trainer(optimizer=_Overflow, bias=True)
    trainer.settings.batch_size = 12
    start = trainer.members[0].model.c.copy()
    with pytest.raises(NonFiniteLossError, match="overflowed"):
        trainer.run(data, None)
    np.testing.assert_array_equal(trainer.members[0].model.c, start)


def test_scoring_leaves_no_states_on_the_networks():
    """evaluate (validation and the monitored split, often larger than the training data)
    drops each network's states once its logits are read: none stay until the next epoch."""
    trainer, data = _trainer(epochs=2)
    big = Series(np.tile(data.X, (5, 1, 1)), np.tile(data.y, (5, 1)), np.full(60, 6))
    trainer.run(data, data, monitor=big)
    model = trainer.members[0].model
    assert model.a is None and model.z is None and engine_cache.get(model) is None
    assert len(trainer.history["test_loss"]) == 2
