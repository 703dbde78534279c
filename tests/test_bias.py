"""The biases b and c: s(t) = W x(t) + R a(t−1) + b, z(t) = V a(t) + c, on every path.

Against torch.autograd (float64, 1e-10 relative) in every mode and engine and with the
parallel methods, against torch.nn.RNN(bias=True), against central finite differences,
and at hypothesis shapes; the bad-input messages; a model without biases is unchanged.
"""

from __future__ import annotations

import itertools
import types
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import frnn
from conftest import make_net
from frnn.engine import cache
from frnn.training import sequence_gradients
from helpers import MODES, ROUTES, assert_matches_torch, make_batch, make_model, route
from torch_reference import loss_and_grads, relerr

TOL = 1e-10
ENGINES = ("reference", *ROUTES)  # every fast path forced at any size (helpers.ROUTES)
FLAGS = list(itertools.product((False, True), repeat=3))  # many_to_many, padded, with_a0


@pytest.fixture(params=ENGINES)
def engine(request):
    with route(request.param) as name:
        yield name


@pytest.mark.parametrize(("many_to_many", "padded", "with_a0"), FLAGS)
@pytest.mark.parametrize(("activation", "loss"), MODES)
def test_every_mode_and_engine_matches_autograd(
    activation, loss, many_to_many, padded, with_a0, engine
):
    B, T, D, I, K = 4, 8, 3, 5, 2
    scale = 0.4 if activation in ("relu", "linear") else 1.0
    model = make_model(D, I, K, activation=activation, loss=loss, bias=True)
    model.R *= scale
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=padded, with_a0=with_a0
    )
    assert_matches_torch(model, x, y, lengths=lengths, a0=a0, tol=TOL, engine=engine)


@pytest.mark.parametrize(
    ("activation", "method"),
    [
        (a, m)
        for a in sorted(frnn.ACTIVATIONS)
        for m in ("scan", "deer", "quasi-deer")
        if m != "scan" or a == "linear"
    ],
)
@pytest.mark.parametrize("many_to_many", [False, True])
def test_parallel_methods_match_autograd(activation, method, many_to_many):
    """The bias is part of the scan's and DEER's affine term; the adjoint gives db too."""
    B, T, D, I, K = 3, 20, 2, 5, 2
    model = make_model(D, I, K, activation=activation, bias=True, seed=3)
    model.R *= 0.8 / np.linalg.norm(model.R, 2)  # a contraction: DEER's regime
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=True, with_a0=True, seed=4
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fallback to the loop would not test the method
        assert_matches_torch(model, x, y, lengths=lengths, a0=a0, tol=TOL, method=method)
    if method != "scan":
        assert model.deer_info.converged


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("many_to_many", [False, True])
def test_agrees_with_torch_nn_rnn_with_biases(rng, nonlinearity, many_to_many):
    """torch.nn.RNN(bias=True) with bias_ih = b, bias_hh = 0, and Linear(bias=True)."""
    B, T, D, I, K = 4, 12, 3, 5, 2
    net = make_net(rng, D, I, K, activation=nonlinearity, scale=0.5, bias=True)
    x = rng.standard_normal((B, T, D))
    y = rng.integers(0, 2, size=(B, T, K) if many_to_many else (B, K)).astype(float)
    value = net.forward(x, y)
    grads = net.backward()
    rnn = torch.nn.RNN(D, I, nonlinearity=nonlinearity, batch_first=True).double()
    head = torch.nn.Linear(I, K).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(net.W))
        rnn.weight_hh_l0.copy_(torch.from_numpy(net.R))
        rnn.bias_ih_l0.copy_(torch.from_numpy(net.b))
        rnn.bias_hh_l0.zero_()
        head.weight.copy_(torch.from_numpy(net.V))
        head.bias.copy_(torch.from_numpy(net.c))
    states, _ = rnn(torch.from_numpy(x))
    z = head(states) if many_to_many else head(states[:, -1])
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    loss = bce(z, torch.from_numpy(y), reduction="sum") / B
    loss.backward()
    assert relerr(value, loss.item()) < TOL
    assert relerr(net.a, states.detach().numpy()) < TOL
    assert relerr(net.z, z.detach().numpy()) < TOL
    expected = {
        "W": rnn.weight_ih_l0.grad,
        "R": rnn.weight_hh_l0.grad,
        "b": rnn.bias_ih_l0.grad,
        "V": head.weight.grad,
        "c": head.bias.grad,
    }
    for name, grad in expected.items():
        assert relerr(grads[name], grad.numpy()) < TOL, name
    # torch's two biases get the same gradient: both are added to s(t)
    assert relerr(rnn.bias_hh_l0.grad.numpy(), grads["b"]) < TOL


@pytest.mark.parametrize("many_to_many", [False, True])
@pytest.mark.parametrize(("activation", "loss"), MODES)
def test_bias_gradients_match_central_differences(rng, activation, loss, many_to_many):
    B, T, D, I, K = 3, 5, 2, 3, 2
    net = make_net(rng, D, I, K, activation=activation, loss=loss, scale=0.5, bias=True)
    x = rng.standard_normal((B, T, D))
    y = rng.uniform(size=(B, T, K) if many_to_many else (B, K))
    lengths, a0 = np.array([T, 2, 4]), 0.3 * rng.standard_normal((B, I))
    weights = rng.uniform(0.5, 2, size=(B, T)) if many_to_many else None

    def loss_at() -> float:
        return net.forward(x, y, lengths=lengths, a0=a0, weights=weights)

    loss_at()
    grads = net.backward()
    h = 1e-6
    for name in "bc":
        param = getattr(net, name)
        numeric = np.empty_like(param)
        for i in range(param.size):
            saved = param[i]
            param[i] = saved + h
            up = loss_at()
            param[i] = saved - h
            down = loss_at()
            param[i] = saved
            numeric[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-7, atol=1e-9, err_msg=name)


@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(*[st.integers(1, n) for n in (4, 12, 3, 6, 3)]),
    activation=st.sampled_from(sorted(frnn.ACTIVATIONS)),
    loss=st.sampled_from(["bce", "mse"]),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_shapes_match_autograd_on_every_engine(shape, activation, loss, flags, seed):
    """Shapes down to I = 1, K = 1, T = 1 (and B = 1, D = 1)."""
    B, T, D, I, K = shape
    many_to_many, padded, with_a0 = flags
    model = make_model(D, I, K, activation=activation, loss=loss, seed=seed, bias=True)
    model.R *= 0.5
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=padded, with_a0=with_a0, seed=seed
    )
    for name in ENGINES:
        with route(name) as engine:
            assert_matches_torch(model, x, y, lengths=lengths, a0=a0, tol=TOL, engine=engine)


def test_single_sequence_with_biases(engine):
    model = make_model(2, 4, 3, activation="hardtanh", bias=True)
    rng = np.random.default_rng(5)
    x, y, a0 = rng.standard_normal((6, 2)), rng.random((6, 3)), rng.standard_normal(4)
    loss = frnn.forward(model, x, y, a0=a0, engine=engine)
    grads = frnn.backward(model, engine=engine)
    ref_loss, ref_grads, ref_a, ref_z = loss_and_grads(
        model.W,
        model.R,
        model.V,
        x[None],
        y[None],
        a0=a0[None],
        activation="hardtanh",
        b=model.b,
        c=model.c,
    )
    assert relerr(loss, ref_loss) < TOL and relerr(model.z, ref_z[0]) < TOL
    assert grads["b"].shape == (4,) and grads["c"].shape == (3,)
    for name in "WRVbc":
        assert relerr(grads[name], ref_grads[name]) < TOL, name


def test_float32_biases_stay_float32(engine):
    B, T, D, I, K = 4, 30, 3, 8, 2
    model32 = make_model(D, I, K, dtype=np.float32, bias=True)
    model64 = make_model(D, I, K, dtype=np.float64, bias=True)
    x, y, lengths, a0 = make_batch(B, T, D, I, K, many_to_many=True, padded=True, with_a0=True)
    frnn.forward(model32, x, y, lengths=lengths, a0=a0, engine=engine)
    grads32 = frnn.backward(model32, engine=engine)
    frnn.forward(model64, x, y, lengths=lengths, a0=a0, engine="reference")
    grads64 = frnn.backward(model64, engine="reference")
    assert model32.a.dtype == model32.z.dtype == np.float32
    for name in "WRVbc":
        assert grads32[name].dtype == np.float32, name
        assert relerr(grads32[name], grads64[name]) < 1e-4, name
    assert relerr(model32.z, model64.z) < 1e-5


def test_padded_logits_are_zero_as_the_states():
    model = make_model(2, 3, 2, bias=True)
    x, y, lengths, _ = make_batch(3, 6, 2, 3, 2, many_to_many=True, padded=True, with_a0=False)
    frnn.forward(model, x, y, lengths=lengths)
    for b, n in enumerate(lengths):
        assert not model.z[b, n:].any() and not model.a[b, n:].any()


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
    net = make_net(rng, 2, 3, 2, scale=0.8, bias=True)
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
    model = make_model(3, 5, 2, bias=True)
    model.b[:] = 0.0
    model.c[:] = 0.0
    plain = make_model(3, 5, 2)
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
    model = make_model(3, 5, 2, bias=True)
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
    model = make_model(2, 3, 1)
    x, y, lengths, a0 = make_batch(2, 4, 2, 3, 1, many_to_many=False, padded=False, with_a0=True)
    frnn.forward(model, x, y, a0=a0)
    batch = cache.get(model).batch
    with pytest.raises(
        ValueError, match=r"b must be \(3,\) float64 for the compiled loop; got \(2,\)"
    ):
        compiled.states(kernels, model.W, model.R, batch, "tanh", np.zeros(2))


# -- the sine-against-square task ------------------------------------------------------------
def _sine_square(seed):
    """The issue's task: 100 training and 100 test series of length 60, noise 0.3."""
    from frnn.data.synthetic import sine_square

    rng = np.random.default_rng(seed)
    (X_train, y_train), (X_test, y_test) = sine_square(100, rng), sine_square(100, rng)
    return X_train[:, :, 0], y_train, X_test[:, :, 0], y_test


def test_the_bptt_classifier_tells_a_sine_from_a_square():
    """With biases (bptt's default) the task is easy: measured 0.91 and 0.98 on these seeds
    (0.91-0.99 on seeds 0-5); without them it is impossible (below)."""
    scores = []
    for seed in (0, 1):
        X_train, y_train, X_test, y_test = _sine_square(seed)
        clf = frnn.RNNClassifier(training="bptt", random_state=seed).fit(X_train, y_train)
        assert clf.bias is True and all(net.b is not None for net in clf.networks_)
        scores.append(clf.score(X_test, y_test))
    assert np.mean(scores) >= 0.9, scores


def test_the_default_classifier_tells_a_sine_from_a_square():
    """The default (reservoirs, whose b is always there) on the same task."""
    X_train, y_train, X_test, y_test = _sine_square(0)
    clf = frnn.RNNClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.9


def test_without_biases_a_sine_and_a_square_cannot_be_told_apart():
    """A tanh network without biases is odd, z(−x) = −z(x), so p(x) + p(−x) = 1: and each
    class here is its own mirror image (−sin θ = sin(θ + π)), so whatever it learns on the
    training set (it fits it), on new series it is right as often as wrong."""
    X_train, y_train, X_test, y_test = _sine_square(0)
    clf = frnn.RNNClassifier(training="bptt", bias=False, standardize=False, random_state=0)
    clf.fit(X_train, y_train)
    assert clf.score(X_train, y_train) > 0.9  # it memorises the training series ...
    assert clf.score(X_test, y_test) < 0.65  # ... and is at chance on new ones (0.5)
    p, p_mirror = clf.predict_proba(X_test)[:, 1], clf.predict_proba(-X_test)[:, 1]
    np.testing.assert_allclose(p + p_mirror, 1.0, rtol=0, atol=1e-12)
    # the identity is the missing biases': one epoch with them already breaks it
    biased = frnn.RNNClassifier(training="bptt", standardize=False, epochs=1, random_state=0)
    biased.fit(X_train, y_train)
    p, p_mirror = biased.predict_proba(X_test)[:, 1], biased.predict_proba(-X_test)[:, 1]
    assert np.abs(p + p_mirror - 1.0).max() > 0.01
