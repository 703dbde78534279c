"""Hypothesis over small shapes: shapes, finiteness, and agreement with a per-sequence loop."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import frnn
from helpers import ACTIVATIONS, LOSSES

sizes = st.integers(min_value=1, max_value=4)


@settings(max_examples=60, deadline=None)
@given(
    T=sizes,
    B=sizes,
    D=sizes,
    I=sizes,
    K=sizes,
    seed=st.integers(0, 2**32 - 1),
    many_to_many=st.booleans(),
    padded=st.booleans(),
    with_a0=st.booleans(),
    activation=st.sampled_from(ACTIVATIONS),
    loss=st.sampled_from(LOSSES),
)
def test_batch_equals_the_mean_of_single_sequences(
    T, B, D, I, K, seed, many_to_many, padded, with_a0, activation, loss
):
    rng = np.random.default_rng(seed)
    net = frnn.FullyRecurrentNetwork(D, I, K, activation=activation, loss=loss, rng=rng)
    for p in (net.W, net.R, net.V):
        p *= 50
    x = rng.standard_normal((B, T, D))
    y = rng.uniform(size=(B, T, K) if many_to_many else (B, K))
    lengths = rng.integers(1, T + 1, size=B) if padded else np.full(B, T)
    a0 = rng.standard_normal((B, I)) if with_a0 else np.zeros((B, I))

    loss_value = net.forward(x, y, lengths=lengths if padded else None, a0=a0)
    grads = net.backward()
    a, z = net.a, net.z
    assert a.shape == (B, T, I)
    assert z.shape == ((B, T, K) if many_to_many else (B, K))
    assert np.isfinite(loss_value) and all(np.isfinite(g).all() for g in grads.values())
    assert {k: g.shape for k, g in grads.items()} == {"W": (I, D), "R": (I, I), "V": (K, I)}

    total, summed = 0.0, {k: np.zeros_like(g) for k, g in grads.items()}
    for b in range(B):
        n = lengths[b]
        target = y[b, :n] if many_to_many else y[b]
        total += net.forward(x[b, :n], target, a0=a0[b])
        np.testing.assert_allclose(a[b, :n], net.a, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(a[b, n:], 0.0)
        np.testing.assert_allclose(
            z[b, :n] if many_to_many else z[b], net.z, rtol=1e-12, atol=1e-14
        )
        for k, g in net.backward().items():
            summed[k] += g
    np.testing.assert_allclose(loss_value, total / B, rtol=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], summed[k] / B, rtol=1e-10, atol=1e-13)


@settings(max_examples=60, deadline=None)
@given(
    B=sizes,
    T=sizes,
    n=sizes,
    dtype=st.sampled_from([np.float64, np.float32]),
    layout=st.sampled_from(["C", "F", "reversed"]),
)
def test_time_major_is_a_transposed_copy(B, T, n, dtype, layout):
    """(B, T, n) -> (T, B, n), contiguous and never sharing memory with its input (the
    callers zero its padding), whatever the input's layout."""
    from frnn.engine.batch import time_major

    array = np.arange(B * T * n, dtype=dtype).reshape(B, T, n)
    array = {"C": array, "F": np.asfortranarray(array), "reversed": array[:, :, ::-1]}[layout]
    got = time_major(array)
    np.testing.assert_array_equal(got, array.transpose(1, 0, 2))
    assert got.dtype == dtype and got.flags.c_contiguous
    assert not np.shares_memory(got, array)


@settings(max_examples=30, deadline=None)
@given(B=sizes, T=st.integers(2, 5), many_to_many=st.booleans())
def test_forward_leaves_the_callers_arrays_alone(B, T, many_to_many):
    """Padding is zeroed in forward's own copies: a batch of one (whose transposed view
    is already contiguous) once had the padding of the caller's x zeroed."""
    net = frnn.FullyRecurrentNetwork(2, 3, 1, rng=0)
    x = np.ones((B, T, 2))
    y = np.full((B, T, 1) if many_to_many else (B, 1), 0.5)
    x_before, y_before = x.copy(), y.copy()
    net.forward(x, y, lengths=np.full(B, T - 1))
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)
