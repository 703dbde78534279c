"""Per-parameter learning rates and the step schedules against torch.optim's parameter
groups and LR schedulers, in float64 over whole runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from frnn.training import SGD, Adam, Schedule, make_optimizer
from torch_reference import relerr

SHAPES = {"W": (4, 3), "R": (4, 4), "V": (2, 4), "b": (4,), "c": (2,)}
STEPS = 300


def _inputs(seed: int, steps: int = STEPS):
    rng = np.random.default_rng(seed)
    params = {n: rng.standard_normal(s) for n, s in SHAPES.items()}
    grads = [{n: rng.standard_normal(s) for n, s in SHAPES.items()} for _ in range(steps)]
    return params, grads


def _torch_run(params, grads, groups, make, schedulers=None):
    """torch.optim with one parameter group per name: ``groups[name]`` its options."""
    tensors = {n: torch.tensor(p, requires_grad=True) for n, p in params.items()}
    optimizer = make([{"params": [tensors[n]], **groups[n]} for n in tensors])
    scheduler = schedulers(optimizer) if schedulers else None
    for step in grads:
        for n, t in tensors.items():
            t.grad = torch.tensor(step[n])
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return {n: t.detach().numpy() for n, t in tensors.items()}


def _frnn_run(params, grads, optimizer, schedule=None):
    params = {n: p.copy() for n, p in params.items()}
    base = optimizer.lr
    for k, step in enumerate(grads):
        if schedule is not None:
            optimizer.lr = base * schedule.factor(k)
        optimizer.step(params, {n: g.copy() for n, g in step.items()})
    return params


FACTORS = {"R": 0.1, "W": 2.0}


def _groups(lr, factors, weight_decay):
    """torch's groups for frnn's rule: lr × factor, and no weight decay on the biases."""
    return {
        n: {"lr": lr * factors.get(n, 1.0), "weight_decay": 0.0 if n in "bc" else weight_decay}
        for n in SHAPES
    }


@pytest.mark.parametrize(
    ("make", "make_torch", "options"),
    [
        (SGD, torch.optim.SGD, {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.01}),
        (SGD, torch.optim.SGD, {"lr": 0.01, "momentum": 0.5, "nesterov": True}),
        (Adam, torch.optim.Adam, {"lr": 0.002, "weight_decay": 0.05}),
        (Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99)}),
    ],
)
def test_lr_factors_are_torch_parameter_groups(make, make_torch, options):
    params, grads = _inputs(0)
    decay = options.get("weight_decay", 0.0)
    shared = {k: v for k, v in options.items() if k not in ("lr", "weight_decay")}
    groups = _groups(options["lr"], FACTORS, decay)
    expected = _torch_run(params, grads, groups, lambda g: make_torch(g, **shared))
    actual = _frnn_run(params, grads, make(**options, lr_factors=FACTORS))
    plain = _frnn_run(params, grads, make(**options))
    for n in SHAPES:
        assert relerr(actual[n], expected[n]) <= 1e-12, n
    assert not np.allclose(plain["R"], actual["R"])  # the factors changed R's path
    np.testing.assert_array_equal(plain["V"], actual["V"])  # and only the named ones'


def _warmup_then(decay: str, lr: float, warmup: int, total: int, min_factor: float):
    """torch's schedulers for ``Schedule(total, warmup, decay, min_factor, 0.01)``."""
    scheduler = torch.optim.lr_scheduler

    def make(optimizer):
        after = {
            "cosine": lambda: scheduler.CosineAnnealingLR(
                optimizer, T_max=total - warmup, eta_min=min_factor * lr
            ),
            "linear": lambda: scheduler.LinearLR(
                optimizer, start_factor=1.0, end_factor=min_factor, total_iters=total - warmup
            ),
            "constant": lambda: scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0),
        }[decay]()
        if not warmup:
            return after
        first = scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup)
        return scheduler.SequentialLR(optimizer, [first, after], milestones=[warmup])

    return make


@pytest.mark.parametrize(
    ("decay", "warmup", "min_factor"),
    [
        ("cosine", 30, 0.0),
        ("cosine", 0, 0.1),
        ("cosine", 50, 0.05),
        ("linear", 20, 0.0),
        ("linear", 0, 0.2),
        ("constant", 40, 0.0),
    ],
)
def test_schedules_follow_torchs_schedulers(decay, warmup, min_factor):
    params, grads = _inputs(1)
    lr = 0.01
    schedule = Schedule(total=STEPS, warmup=warmup, decay=decay, min_factor=min_factor)
    groups = _groups(lr, {}, 0.0)
    make = _warmup_then(decay, lr, warmup, STEPS, min_factor)
    expected = _torch_run(params, grads, groups, lambda g: torch.optim.Adam(g), make)
    actual = _frnn_run(params, grads, Adam(lr), schedule)
    for n in SHAPES:
        assert relerr(actual[n], expected[n]) <= 1e-12, n
    constant = _frnn_run(params, grads, Adam(lr))
    assert not np.allclose(constant["W"], actual["W"])  # the schedule did something


def test_schedule_and_factors_together_follow_torch():
    params, grads = _inputs(2)
    lr, factors = 0.003, {"R": 0.25}
    schedule = Schedule(total=STEPS, warmup=25, decay="cosine")
    groups = _groups(lr, factors, 0.01)
    make = _warmup_then("cosine", lr, 25, STEPS, 0.0)
    expected = _torch_run(params, grads, groups, lambda g: torch.optim.Adam(g), make)
    optimizer = make_optimizer("adam", lr, weight_decay=0.01, lr_factors=factors)
    actual = _frnn_run(params, grads, optimizer, schedule)
    for n in SHAPES:
        assert relerr(actual[n], expected[n]) <= 1e-12, n


def test_factors_survive_a_state_dict_and_old_states_load():
    optimizer = Adam(0.01, lr_factors={"R": 0.5})
    again = Adam()
    again.load_state_dict(optimizer.state_dict())
    assert again.lr_factors == {"R": 0.5}
    old = Adam(0.01).state_dict()
    del old["lr_factors"]  # a state written before the factors existed
    again.load_state_dict(old)
    assert again.lr_factors == {}
    sgd = SGD(0.1, lr_factors={"V": 3.0})
    other = SGD()
    other.load_state_dict(sgd.state_dict())
    assert other.lr_factors == {"V": 3.0}


@pytest.mark.parametrize(
    ("factors", "match"),
    [
        ({"R": -1}, r"lr_factors\['R'\] must be a non-negative number; got -1"),
        ({"R": float("nan")}, r"lr_factors\['R'\] must be a non-negative number"),
        ([("R", 0.1)], "lr_factors must be None or a dict"),
        ({1: 0.1}, "lr_factors must be None or a dict"),
    ],
)
def test_bad_lr_factors_are_named(factors, match):
    with pytest.raises(ValueError, match=match):
        Adam(0.01, lr_factors=factors)


@pytest.mark.parametrize(
    "make", [lambda lr_factors: SGD(0.1, momentum=0.9, lr_factors=lr_factors), Adam]
)
def test_a_zero_factor_freezes_its_parameter_exactly(make):
    params, grads = _inputs(4, steps=20)
    params["R"][...] = 0.0
    after = _frnn_run(params, grads, make(lr_factors={"R": 0.0}))
    assert not after["R"].any() and not np.array_equal(after["W"], params["W"])


def test_a_factor_for_a_missing_parameter_is_refused_at_the_step():
    params, grads = _inputs(3, steps=1)
    with pytest.raises(ValueError, match=r"lr_factors names parameters .*\['Q'\]"):
        SGD(0.1, lr_factors={"Q": 0.1}).step(params, grads[0])


def test_schedule_values_and_edges():
    cosine = Schedule(total=10, warmup=0, decay="cosine", min_factor=0.1)
    assert cosine.factor(0) == 1.0 and cosine.factor(10) == pytest.approx(0.1)
    assert cosine.factor(99) == cosine.factor(10)  # past the end: the last value
    warm = Schedule(total=5, warmup=4)
    assert [warm.factor(k) for k in (0, 4)] == [0.01, 1.0]
    assert Schedule(total=3, warmup=10).factor(2) < 1.0  # a constant run still warms up


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"total": 0}, "total must be a positive integer; got 0"),
        ({"total": 10, "decay": "step"}, r"decay must be one of \['constant', 'cosine'"),
        ({"total": 10, "warmup": 10, "decay": "cosine"}, "warmup must leave steps to decay"),
        ({"total": 10, "warmup": -1}, "warmup must be a non-negative integer"),
        ({"total": 10, "min_factor": 1.5}, r"min_factor must be a real number in \[0, 1\]"),
        ({"total": 10, "warmup_start": 0.0}, r"warmup_start must be a real number in \(0, 1\]"),
    ],
)
def test_bad_schedules_are_named(options, match):
    with pytest.raises(ValueError, match=match):
        Schedule(**options)
