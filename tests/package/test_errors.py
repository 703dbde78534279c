"""Bad input at the public boundary: the right exception, naming the argument and the problem."""

from types import SimpleNamespace

import numpy as np
import pytest

import frnn

D, I, K, T, B = 3, 4, 2, 5, 3


@pytest.fixture
def net():
    return frnn.FullyRecurrentNetwork(D, I, K, rng=0)


def batch(shape=(B, T, D)):
    return np.zeros(shape)


# fmt: off
@pytest.mark.parametrize(
    ("x", "y", "kwargs", "error", "match"),
    [
        (np.zeros(D), np.zeros(K), {}, ValueError, r"x must be \(T, D\) or \(B, T, D\); got shape \(3,\)"),
        (np.zeros((1, B, T, D)), np.zeros((B, K)), {}, ValueError, "x must be"),
        (np.zeros((T, D + 1)), np.zeros(K), {}, ValueError, "x has D = 4 features per step but model.W expects D = 3"),
        (np.zeros((0, D)), np.zeros(K), {}, ValueError, "at least one step"),
        (batch(), np.zeros((B, K + 1)), {}, ValueError, r"y must have shape \(3, 2\) or \(3, 5, 2\)"),
        (batch(), np.zeros((B + 1, K)), {}, ValueError, "y must have shape"),
        (np.zeros((T, D)), np.zeros((T + 1, K)), {}, ValueError, r"y must have shape \(\) or \(2,\) or \(5, 2\)|y must have shape"),
        (np.full((T, D), np.nan), np.zeros(K), {}, ValueError, "x must not contain NaN or inf"),
        (np.full((T, D), np.inf), np.zeros(K), {}, ValueError, "x must not contain NaN or inf"),
        (np.zeros((T, D)), np.array([0.0, np.nan]), {}, ValueError, "y must not contain NaN or inf"),
        (np.zeros((T, D)), np.array([0.0, 2.0]), {}, ValueError, r"y must lie in \[0, 1\] for the bce loss"),
        (batch(), np.zeros((B, K)), {"lengths": [T, T]}, ValueError, r"lengths must have shape \(B,\) = \(3,\)"),
        (batch(), np.zeros((B, K)), {"lengths": [T, 0, 1]}, ValueError, r"lengths must lie in \[1, T\] = \[1, 5\]"),
        (batch(), np.zeros((B, K)), {"lengths": [T, T + 1, 1]}, ValueError, r"lengths must lie in \[1, T\]"),
        (batch(), np.zeros((B, K)), {"lengths": [T, 1.5, 1]}, TypeError, "lengths must be integers"),
        (np.zeros((T, D)), np.zeros(K), {"lengths": [T]}, ValueError, "lengths is for padded batches"),
        (batch(), np.zeros((B, K)), {"a0": np.zeros((B, I + 1))}, ValueError, r"a0 must have shape \(4,\) or \(3, 4\)"),
        (np.zeros((T, D)), np.zeros(K), {"a0": np.full(I, np.nan)}, ValueError, "a0 must not contain NaN or inf"),
        (np.array([["a"] * D] * T), np.zeros(K), {}, TypeError, "x must be a numeric array"),
    ],
)
# fmt: on
def test_forward_rejects(net, x, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        net.forward(x, y, **kwargs)


def test_the_shapes_a_student_mixes_up_get_a_hint():
    """x of shape (T,) for a network of one input, and x written (D, T): the message says
    what was likely meant."""
    scalar = frnn.FullyRecurrentNetwork(1, I, 1, rng=0)
    with pytest.raises(ValueError, match=r"got shape \(7,\) \(one sequence of 7 numbers is x\[:, None\], \(7, 1\)\)"):
        scalar.forward(np.zeros(7), 1.0)
    net = frnn.FullyRecurrentNetwork(D, I, K, rng=0)
    with pytest.raises(ValueError, match=r"expects D = 3 \(x is \(D, T\) = \(3, 7\)\? one sequence is \(T, D\): x\.T\)"):
        net.forward(np.zeros((D, 7)), np.zeros(K))
    with pytest.raises(ValueError, match=r"expects D = 3$"):  # no guess where none fits
        net.forward(np.zeros((7, 5)), np.zeros(K))


def test_nan_in_padding_is_allowed_and_ignored(net):
    x = np.random.default_rng(0).standard_normal((B, T, D))
    lengths = np.array([T, 2, 1])
    clean = net.forward(x, np.ones((B, K)), lengths=lengths)
    for b, n in enumerate(lengths):
        x[b, n:] = np.nan
    assert net.forward(x, np.ones((B, K)), lengths=lengths) == clean


def test_mse_accepts_targets_outside_the_unit_interval():
    net = frnn.FullyRecurrentNetwork(D, I, K, loss="mse", rng=0)
    assert net.forward(np.zeros((T, D)), np.array([-3.0, 7.0])) == pytest.approx(0.5 * 58)


@pytest.mark.parametrize(("name", "value"), [("activation", "sigmoid"), ("loss", "hinge")])
def test_unknown_names(name, value):
    with pytest.raises(ValueError, match=f"{name} must be one of .*; got '{value}'"):
        frnn.FullyRecurrentNetwork(D, I, K, **{name: value})
    model = frnn.init(SimpleNamespace(), D, I, K)
    setattr(model, name, value)
    with pytest.raises(ValueError, match=f"{name} must be one of"):
        frnn.forward(model, np.zeros((T, D)), np.zeros(K))


def test_call_order(net):
    with pytest.raises(RuntimeError, match="backward needs a forward call first"):
        frnn.backward(SimpleNamespace())
    with pytest.raises(RuntimeError, match="call frnn.init"):
        frnn.forward(SimpleNamespace(), np.zeros((T, D)), np.zeros(K))
    net.forward(np.zeros((T, D)))
    with pytest.raises(RuntimeError, match="backward needs a loss"):
        net.backward()


@pytest.mark.parametrize("hidden", [I, 80], ids=["small", "large"])  # kept as bytes / copies
@pytest.mark.parametrize("name", ["W", "R", "V", "b", "c"])
def test_backward_after_an_update_in_place_without_forward_refuses(name, hidden):
    """A student's loop that forgets forward after an SGD step: the states are the old
    weights', so the gradient would be that of neither; refused, naming the weight."""
    net = frnn.FullyRecurrentNetwork(D, hidden, K, rng=0, bias=True)
    x, y = np.random.default_rng(0).standard_normal((T, D)), np.ones(K)
    net.forward(x, y)
    first = net.backward()
    assert all(np.array_equal(first[n], g) for n, g in net.backward().items())  # twice: same
    getattr(net, name)[...] -= 0.1 * first[name] + 0.01  # the update, in place
    with pytest.raises(ValueError, match=rf"changed since forward: model\.{name} holds other"):
        net.backward()
    net.forward(x, y)  # the fix the message asks for
    assert set(net.backward()) == set("WRVbc")


@pytest.mark.parametrize("hidden", [I, 80], ids=["small", "large"])
def test_biases_added_or_removed_since_forward_are_refused(hidden):
    net = frnn.FullyRecurrentNetwork(D, hidden, K, rng=0)
    net.forward(np.zeros((T, D)), np.ones(K))
    net.b, net.c = np.zeros(hidden), np.zeros(K)
    with pytest.raises(ValueError, match=r"model\.b, model\.c hold other values"):
        net.backward()
    net.forward(np.zeros((T, D)), np.ones(K))
    net.b = net.c = None
    with pytest.raises(ValueError, match=r"model\.b, model\.c hold other values"):
        net.backward()


def test_nan_weights_unchanged_since_forward_are_not_called_changed():
    for hidden in (I, 80):
        net = frnn.FullyRecurrentNetwork(D, hidden, K, rng=0)
        net.R[0, 0] = np.nan  # a diverged network: NaN loss, NaN gradients, no false alarm
        assert np.isnan(net.forward(np.ones((T, D)), np.ones(K)))
        assert np.isnan(net.backward()["R"]).any()


def test_inconsistent_model_shapes():
    model = SimpleNamespace(W=np.zeros((I, D)), R=np.zeros((I, I + 1)), V=np.zeros((K, I)))
    with pytest.raises(ValueError, match="model shapes disagree"):
        frnn.forward(model, np.zeros((T, D)), np.zeros(K))
    model = SimpleNamespace(W=np.zeros((I, D)), R=np.zeros((I, I), np.float32), V=np.zeros((K, I)))
    with pytest.raises(TypeError, match="share one dtype"):
        frnn.forward(model, np.zeros((T, D)), np.zeros(K))


@pytest.mark.parametrize(
    ("y", "weights", "match"),
    [
        (np.zeros((B, K)), np.ones((B, T)), "weights weigh the loss of each step"),
        (np.zeros((B, T, K)), np.ones((T, B)), r"weights must have shape \(3, 5\)"),
        (np.zeros((B, T, K)), np.full((B, T), np.nan), "weights must not contain NaN or inf"),
        (np.zeros((B, T, K)), -np.ones((B, T)), "weights must be ≥ 0"),
    ],
)
def test_bad_weights(net, y, weights, match):
    with pytest.raises(ValueError, match=match):
        net.forward(batch(), y, weights=weights)
