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
from frnn.training.optimizers import adam_kernel
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


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weight_decay", [0.0, 1e-2])
def test_the_loops_compiled_adam_is_the_numpy_passes_bit_for_bit(dtype, weight_decay):
    """The training loop's step (one compiled pass a parameter, the clipping factor applied
    as it reads each gradient) leaves the same bits as the public step's numpy passes on
    gradients clipped beforehand: parameters and moments, over steps of gradients from
    1e-8 to 1e2 with exact zeros of both signs, a rate factor and a frozen parameter."""
    assert adam_kernel() is not None  # numba is in the test extra: the compiled pass runs
    rng = np.random.default_rng(5)
    shapes = SHAPES | {"b": (4,), "c": (2,)}
    params = {n: rng.standard_normal(s).astype(dtype) for n, s in shapes.items()}
    mine, plain = {n: p.copy() for n, p in params.items()}, params
    options = {"weight_decay": weight_decay, "lr_factors": {"R": 0.25, "c": 0.0}}
    loop, public = Adam(0.01, **options), Adam(0.01, **options)
    for step in range(40):
        grads = {n: rng.standard_normal(s) * 10.0 ** rng.integers(-8, 3) for n, s in shapes.items()}
        grads = {n: g.astype(dtype) for n, g in grads.items()}
        grads["R"][0, :2] = [0.0, -0.0]
        scale = 0.3 if step % 2 else 1.0
        loop.lr = public.lr = 0.01 * (step + 1) / 40
        loop._step(mine, grads, scale)
        public.step(plain, {n: g * dtype(scale) if scale != 1.0 else g for n, g in grads.items()})
    for name in shapes:
        for ours, theirs in [(mine, plain), (loop.m, public.m), (loop.v, public.v)]:
            assert ours[name].dtype == dtype
            assert ours[name].tobytes() == theirs[name].tobytes(), name


def test_the_loops_adam_takes_numpys_passes_for_arrays_the_compiled_pass_cannot():
    """A parameter that is a strided view (not C-contiguous) is updated by numpy's passes:
    the same numbers, and the compiled pass never indexes it flat."""
    rng = np.random.default_rng(6)
    base = rng.standard_normal((4, 6))
    params = {"W": base[:, ::2], "R": rng.standard_normal((4, 4))}  # W a strided view
    copy, untouched = {n: p.copy() for n, p in params.items()}, base[:, 1::2].copy()
    grads = {n: rng.standard_normal(p.shape) for n, p in params.items()}
    Adam(0.1)._step(params, grads, 0.5)
    Adam(0.1).step(copy, {n: g * 0.5 for n, g in grads.items()})
    for name in params:
        assert params[name].tobytes() == copy[name].tobytes()
    assert base[:, ::2].tobytes() == copy["W"].tobytes()  # moved in place, in the view
    assert base[:, 1::2].tobytes() == untouched.tobytes()  # and nothing between its columns


def test_the_loops_adam_runs_numpys_passes_where_numba_is_unusable(monkeypatch):
    from frnn.engine import compiled

    monkeypatch.setattr(compiled, "numba_kernels", lambda: None)  # numba unusable here
    adam_kernel.cache_clear()
    try:
        assert adam_kernel() is None
        params, grads = _trajectory_inputs(7)
        copy, loop, public = {n: p.copy() for n, p in params.items()}, Adam(0.1), Adam(0.1)
        for step in grads:
            loop._step(params, step, 0.5)
            public.step(copy, {n: g * 0.5 for n, g in step.items()})
        for name in params:
            assert params[name].tobytes() == copy[name].tobytes()
    finally:
        monkeypatch.undo()
        adam_kernel.cache_clear()  # the next test decides with numba back
