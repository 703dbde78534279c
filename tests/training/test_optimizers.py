"""Optimisers against torch.optim (trajectories, weight decay sparing the biases), clipping
against torch, mini-batches and the learning-rate schedule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from frnn.training import (
    SGD,
    Adam,
    clip_grad_norm,
    learning_rate_at,
    minibatches,
)
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
