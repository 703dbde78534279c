"""Training from a stream: the whole loop against a torch loop, bit-identical resume from a
checkpoint file, budgets, ensembles, the validation set, and bad batches named."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import frnn
from frnn.data.synthetic import adding, recall, stream
from frnn.training import NonFiniteLossError, array_batches, train_stream
from frnn.training.stream import StreamError
from frnn.training.stream_batches import checked_batch
from torch_reference import relerr

T = 12


def irnn(seed=0, I=8, D=2, K=1, loss="mse"):
    return frnn.FullyRecurrentNetwork(
        D, I, K, activation="relu", loss=loss, scheme="identity", scale=0.1, bias=True, rng=seed
    )


def adding_batches(rng):
    return adding(16, rng, T)


def params(net):
    return {name: getattr(net, name).copy() for name in "WRVbc"}


def test_the_loop_follows_a_torch_loop():
    """40 steps of Adam with a smaller rate on R, warm-up then cosine, clipping at 0.5:
    torch.nn.RNN and nn.Linear with the same batches, parameter groups and schedulers."""
    net, seen = irnn(), []

    def recorded(rng):
        seen.append(adding_batches(rng))
        return seen[-1]

    rnn, linear = frnn.to_torch(net)
    rnn.bias_hh_l0.requires_grad_(False)  # frnn has one bias b; torch's second stays 0
    lr, steps, factors = 0.01, 40, {"R": 0.2}
    train_stream(
        net, recorded, steps=steps, learning_rate=lr, lr_factors=factors, warmup=5,
        decay="cosine", clip=0.5, seed=3,
    )  # fmt: skip
    named = {"W": rnn.weight_ih_l0, "R": rnn.weight_hh_l0, "V": linear.weight}
    named |= {"b": rnn.bias_ih_l0, "c": linear.bias}
    groups = [{"params": [p], "lr": lr * factors.get(n, 1.0)} for n, p in named.items()]
    optimizer = torch.optim.Adam(groups)
    schedulers = torch.optim.lr_scheduler
    schedule = schedulers.SequentialLR(
        optimizer,
        [
            schedulers.LinearLR(optimizer, start_factor=0.01, total_iters=5),
            schedulers.CosineAnnealingLR(optimizer, T_max=steps - 5),
        ],
        milestones=[5],
    )
    for x, y in seen:
        optimizer.zero_grad()
        z = linear(rnn(torch.from_numpy(x))[0][:, -1])  # (B, 1)
        loss = 0.5 * ((z[:, 0] - torch.from_numpy(y)) ** 2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(named.values()), 0.5)
        optimizer.step()
        schedule.step()
    assert len(seen) == steps
    for name, tensor in named.items():
        assert relerr(getattr(net, name), tensor.detach().numpy()) < 1e-10, name
    assert not np.array_equal(net.R, np.eye(8))


def _train(net, batches, **options):
    options = {"steps": 60, "eval_every": 10, "seed": 1, "learning_rate": 0.01} | options
    return train_stream(net, batches, warmup=10, decay="cosine", **options)


@pytest.mark.parametrize("form", ["function", "iterable"])
def test_resume_from_a_checkpoint_file_is_bit_identical(tmp_path, form):
    def batches():  # a function of the network's generator, or a generator made afresh
        return adding_batches if form == "function" else stream("adding", 16, rng(), length=T)

    def rng():
        return np.random.default_rng(7)

    val = adding(40, np.random.default_rng(8), T)
    straight = irnn()
    whole = _train(straight, batches(), validation=val)

    def stop_after_three(info):
        if info["round"] == 3:
            frnn.save_state(tmp_path / "state.npz", info["state"]())
            return True
        return False

    first = irnn()
    assert (
        _train(first, batches(), validation=val, callback=stop_after_three).stopped_by == "callback"
    )
    resumed = irnn(seed=99)  # other weights: the checkpoint must bring back everything
    state = frnn.load_state(tmp_path / "state.npz")
    again = _train(resumed, batches(), validation=val, resume_state=state)
    for name in "WRVbc":
        np.testing.assert_array_equal(getattr(resumed, name), getattr(straight, name))
    assert again.history["val_mse"] == whole.history["val_mse"]
    assert again.history["series"] == [160 * k for k in range(1, 7)]


def test_an_ensemble_member_trains_as_it_would_alone():
    alone, pair = irnn(), [irnn(), irnn(seed=5)]
    _train(alone, adding_batches)
    _train(pair, adding_batches)
    for name in "WRVbc":
        np.testing.assert_array_equal(getattr(pair[0], name), getattr(alone, name))
    assert not np.array_equal(pair[0].W, pair[1].W)


def test_a_budget_in_series_is_the_same_run_as_in_steps():
    by_steps, by_series = irnn(), irnn()
    _train(by_steps, adding_batches, steps=30)
    trainer = _train(by_series, adding_batches, steps=None, series=465)  # ⌈465 / 16⌉ = 30
    for name in "WRVbc":
        np.testing.assert_array_equal(getattr(by_series, name), getattr(by_steps, name))
    assert trainer.history["steps"][-1] == 30 and trainer.history["series"][-1] == 480


def test_the_best_validated_parameters_are_kept_and_patience_stops():
    net, rounds = irnn(), []
    val = adding(40, np.random.default_rng(8), T)

    def remember(info):
        rounds.append((info["val_loss"], params(net)))

    trainer = _train(net, adding_batches, validation=val, learning_rate=0.05, callback=remember)
    assert set(trainer.history) >= {"loss", "grad_norm", "val_loss", "val_mse", "lr", "seconds"}
    assert trainer.history["val_accuracy"] == [None] * 6  # a regression: MSE, no accuracy
    assert [loss for loss, _ in rounds] == trainer.history["val_loss"]
    best = min(range(6), key=lambda k: rounds[k][0])
    assert best != 5  # (this run's last round is not its best: the test would not tell)
    for name in "WRVbc":
        np.testing.assert_array_equal(getattr(net, name), rounds[best][1][name])
    impatient = _train(irnn(), adding_batches, validation=val, learning_rate=0.3, patience=1)
    assert impatient.stopped_by == "early_stopping"
    assert len(impatient.history["val_loss"]) < 6


def test_class_labels_train_a_multi_output_network():
    net = irnn(D=5, K=4, loss="bce")
    val = recall(30, np.random.default_rng(1), 6, symbols=4)
    trainer = _train(net, lambda rng: recall(8, rng, 6, symbols=4), steps=20, validation=val)
    assert all(0 <= a <= 1 for a in trainer.history["val_accuracy"])


def test_a_diverging_run_stops_with_the_last_good_parameters():
    net = irnn()
    with pytest.raises(NonFiniteLossError, match="restored to the end of round"):
        _train(net, adding_batches, learning_rate=1e200, clip=None)
    assert all(np.isfinite(getattr(net, name)).all() for name in "WRVbc")


GOOD_X = np.zeros((4, T, 2))


@pytest.mark.parametrize(
    ("batch", "match"),
    [
        (GOOD_X, "batch 1 must be a pair .x, y. or a triple"),
        ((GOOD_X,), r"must be a pair \(x, y\) or a triple \(x, y, lengths\); got tuple of 1"),
        ((np.zeros((4, T, 3)), np.zeros(4)), r"x must be \(B, T, D\) with B ≥ 1 and D = 2"),
        ((np.zeros((4, T)), np.zeros(4)), r"x must be \(B, T, D\)"),
        ((GOOD_X.astype(int), np.zeros(4)), "x must be a float array; got dtype int64"),
        ((np.full((4, T, 2), np.nan), np.zeros(4)), "x must be finite; found 96 NaN/inf"),
        ((GOOD_X, np.zeros(3)), r"y must be \(4, 1\) targets or \(4,\) for x's 4 series"),
        ((GOOD_X, np.array([0, np.inf, 0, 0])), "y must be finite"),
        ((GOOD_X, np.array(["a"] * 4)), "y must be numbers; got dtype <U1"),
        ((GOOD_X, np.zeros(4), np.array([1, 2, 3, T + 1])), r"lengths must lie in \[1, T\]"),
        ((GOOD_X, np.zeros(4), np.ones(4)), r"lengths must be \(4,\) integers; got \(4,\) float"),
    ],
)
def test_a_bad_batch_is_named(batch, match):
    with pytest.raises(StreamError, match=match):
        _train(irnn(), lambda rng: batch, steps=20)


def test_bad_labels_and_targets_are_named():
    classifier = irnn(K=3, loss="bce")
    with pytest.raises(StreamError, match=r"class labels must lie in \[0, 3\)"):
        checked_batch((GOOD_X, np.array([0, 1, 2, 3])), classifier, "batch 5")
    with pytest.raises(StreamError, match=r"y must lie in \[0, 1\] for the bce loss"):
        checked_batch((GOOD_X, np.full(4, 2.0)), irnn(loss="bce"), "batch 5")
    x, Y, lengths = checked_batch((GOOD_X, np.array([0, 2, 1, 2])), classifier, "batch 1")
    np.testing.assert_array_equal(Y, np.eye(3)[[0, 2, 1, 2]])
    np.testing.assert_array_equal(lengths, [T] * 4)


def test_a_stream_that_ends_early_and_bad_budgets_are_named():
    short = stream("adding", 16, np.random.default_rng(0), length=T)
    with pytest.raises(StreamError, match="the stream ended after 5 batches; the budget needs 60"):
        _train(irnn(), (next(short) for _ in range(5)))
    with pytest.raises(ValueError, match="give the budget as steps or as series"):
        train_stream(irnn(), adding_batches)
    with pytest.raises(
        ValueError, match=r"lr_factors names parameters the network has not: \['Q'\]"
    ):
        _train(irnn(), adding_batches, lr_factors={"Q": 0.1})
    with pytest.raises(ValueError, match="eval_every must be a positive integer"):
        _train(irnn(), adding_batches, eval_every=0)
    with pytest.raises(ValueError, match="must be a stream training state"):
        _train(irnn(), adding_batches, resume_state={"version": 1})


def test_arrays_in_hand_are_drawn_as_a_stream():
    x = np.arange(20.0).reshape(10, 2, 1) * np.ones((1, 1, 3))  # (10, 2, 3): series i holds i
    lengths = np.array([1, 2] * 5)
    batches = array_batches(x, np.arange(10), 4, lengths)
    first, again = batches(np.random.default_rng(5)), batches(np.random.default_rng(5))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    xb, yb, lb = first
    assert len(set(yb.tolist())) == 4  # distinct series
    np.testing.assert_array_equal(xb[:, 0, 0], 2 * yb)  # each series with its own target
    np.testing.assert_array_equal(lb, lengths[yb])
    assert array_batches(x, np.arange(10), 50)(np.random.default_rng(0))[0].shape[0] == 10
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        array_batches(x, np.arange(10), 0)
    for bad in (x[:, :, 0], x[None], x[:0]):  # 2-D, 4-D, no series: x named, not Series.X
        with pytest.raises(StreamError, match=r"x must be \(n, T, D\) with n ≥ 1"):
            array_batches(bad, np.arange(len(bad)), 4)
    with pytest.raises(StreamError, match="y n values"):
        array_batches(x, np.arange(9), 4)
