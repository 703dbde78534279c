"""Optimisers against torch.optim, clipping against torch, truncated BPTT, the epoch loop."""

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
    clip_grad_norm,
    learning_rate_at,
    minibatches,
    sequence_gradients,
)
from frnn.training.loop import Member, Settings, Trainer
from torch_reference import relerr

SHAPES = {"W": (4, 3), "R": (4, 4), "V": (2, 4)}


def _trajectory_inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    params = {n: rng.standard_normal(s) for n, s in SHAPES.items()}
    grads = [{n: rng.standard_normal(s) for n, s in SHAPES.items()} for _ in range(10)]
    return params, grads


def _torch_trajectory(params, grads, make):
    tensors = {n: torch.tensor(p, requires_grad=True) for n, p in params.items()}
    optimizer = make(list(tensors.values()))
    for step in grads:
        for n, t in tensors.items():
            t.grad = torch.tensor(step[n])
        optimizer.step()
    return {n: t.detach().numpy() for n, t in tensors.items()}


def _frnn_trajectory(params, grads, optimizer):
    params = {n: p.copy() for n, p in params.items()}
    for step in grads:
        optimizer.step(params, {n: g.copy() for n, g in step.items()})
    return params


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.5, dampening=0.3),
    dict(lr=0.02, momentum=0.9, nesterov=True),
    dict(lr=0.1, momentum=0.9, weight_decay=0.01),
]
ADAM_CASES = [
    dict(lr=1e-3),
    dict(lr=0.05, betas=(0.8, 0.99)),
    dict(lr=0.01, eps=1e-3),
    dict(lr=0.01, weight_decay=0.1),
]


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", SGD_CASES)
def test_sgd_follows_torch(kwargs):
    params, grads = _trajectory_inputs()
    expected = _torch_trajectory(params, grads, lambda p: torch.optim.SGD(p, **kwargs))
    actual = _frnn_trajectory(params, grads, SGD(**kwargs))
    for n in SHAPES:
        assert relerr(actual[n], expected[n]) <= 1e-12
        assert not np.array_equal(actual[n], params[n])


@pytest.mark.parametrize("kwargs", ADAM_CASES)
def test_adam_follows_torch(kwargs):
    params, grads = _trajectory_inputs(1)
    expected = _torch_trajectory(params, grads, lambda p: torch.optim.Adam(p, **kwargs))
    actual = _frnn_trajectory(params, grads, Adam(**kwargs))
    for n in SHAPES:
        assert relerr(actual[n], expected[n]) <= 1e-12


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.01)])
def test_optimizer_state_dict_resumes_exactly(make):
    params, grads = _trajectory_inputs(2)
    straight = _frnn_trajectory(params, grads, make())
    first = make()
    half = _frnn_trajectory(params, grads[:5], first)
    second = make()
    second.load_state_dict(first.state_dict())
    resumed = _frnn_trajectory(half, grads[5:], second)
    for n in SHAPES:
        np.testing.assert_array_equal(resumed[n], straight[n])


@pytest.mark.parametrize(
    "bad", [dict(lr=-1.0), dict(lr=0.0), dict(momentum=1.0), dict(lr=float("nan"))]
)
def test_sgd_rejects_bad_hyper_parameters(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        SGD(**bad)


def test_load_state_dict_rejects_other_optimizer():
    with pytest.raises(ValueError, match="adam"):
        Adam().load_state_dict(SGD().state_dict())


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 1e6, None])
def test_clipping_matches_torch(max_norm):
    _, steps = _trajectory_inputs(3)
    grads = steps[0]
    tensors = [torch.tensor(g, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values(), strict=True):
        t.grad = torch.tensor(g)
    expected_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm or float("inf"))
    mine = {n: g.copy() for n, g in grads.items()}
    norm = clip_grad_norm(mine, max_norm)
    assert abs(norm - expected_norm.item()) <= 1e-12 * norm
    for t, g in zip(tensors, mine.values(), strict=True):
        assert relerr(g, t.grad.numpy()) <= 1e-12
    if max_norm is not None and max_norm < norm:
        assert abs(clip_grad_norm(mine, None) - max_norm) <= 1e-5 * max_norm


def test_clipping_with_eps_zero_is_the_papers_rule():
    grads = {"W": np.array([3.0, 4.0])}
    assert clip_grad_norm(grads, 1.0, eps=0.0) == 5.0
    np.testing.assert_allclose(grads["W"], [0.6, 0.8], rtol=1e-15)


def test_minibatches_partition_and_reproduce():
    batches = list(minibatches(10, 3, np.random.default_rng(0)))
    assert [b.size for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches)) == list(range(10))
    again = list(minibatches(10, 3, np.random.default_rng(0)))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))


def test_cosine_schedule():
    assert learning_rate_at(0.1, 0, 10, "cosine") == 0.1
    assert learning_rate_at(0.1, 5, 10, "cosine") == pytest.approx(0.05, rel=1e-15)
    assert learning_rate_at(0.1, 7, 10, "constant") == 0.1


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

    def _step(self, params, grads):
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


# -- biases --------------------------------------------------------------------------------
BIASED = {**SHAPES, "b": (4,), "c": (2,)}


@pytest.mark.parametrize(
    ("make", "make_torch"),
    [
        (lambda: SGD(0.1, momentum=0.9, weight_decay=0.05), torch.optim.SGD),
        (lambda: Adam(0.01, weight_decay=0.1), torch.optim.Adam),
    ],
)
def test_weight_decay_spares_the_biases_as_a_torch_param_group_would(make, make_torch):
    """torch.optim with the biases in a group of their own, weight_decay=0 there."""
    rng = np.random.default_rng(4)
    params = {n: rng.standard_normal(s) for n, s in BIASED.items()}
    grads = [{n: rng.standard_normal(s) for n, s in BIASED.items()} for _ in range(10)]
    frnn_optimizer = make()
    hyper = {"lr": frnn_optimizer.lr, "weight_decay": frnn_optimizer.weight_decay}
    if isinstance(frnn_optimizer, SGD):
        hyper["momentum"] = frnn_optimizer.momentum

    def groups(tensors):  # in BIASED's order: W, R, V, then b, c
        weights, biases = tensors[:3], tensors[3:]
        return make_torch([{"params": weights}, {"params": biases, "weight_decay": 0.0}], **hyper)

    expected = _torch_trajectory(params, grads, groups)
    actual = _frnn_trajectory(params, grads, frnn_optimizer)
    for n in BIASED:
        assert relerr(actual[n], expected[n]) <= 1e-12, n
    # the weights decayed, the biases moved exactly as without decay
    hyper["weight_decay"] = 0.0
    plain = _frnn_trajectory(params, grads, type(frnn_optimizer)(**hyper))
    assert not np.allclose(plain["W"], actual["W"])
    for n in "bc":
        np.testing.assert_array_equal(plain[n], actual[n])


def test_clipping_counts_the_biases_in_the_global_norm():
    grads = {"W": np.array([[3.0]]), "b": np.array([4.0])}
    assert clip_grad_norm(grads, 1.0, eps=0.0) == 5.0
    np.testing.assert_allclose(grads["b"], [0.8], rtol=1e-15)


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
