"""init: shapes, range, uniformity, fresh draws, reproducibility, any attribute-taking object."""

from types import SimpleNamespace

import numpy as np
import pytest

import frnn


class Bare:
    pass


@pytest.mark.parametrize("model", [SimpleNamespace(), Bare()])
def test_shapes_dtype_and_range(model):
    frnn.init(model, 3, 5, 2)
    assert model.W.shape == (5, 3) and model.R.shape == (5, 5) and model.V.shape == (2, 5)
    for p in (model.W, model.R, model.V):
        assert p.dtype == np.float64
        assert np.all(np.abs(p) <= 0.01)


def test_uniform_on_the_interval():
    model = frnn.init(SimpleNamespace(), 200, 300, 1, rng=0)
    values = np.concatenate([model.W.ravel(), model.R.ravel()])  # 150 000 draws
    # Kolmogorov–Smirnov distance to U[−0.01, 0.01]; the 1e-6 critical value is ≈ 0.0068.
    values.sort()
    cdf = (values + 0.01) / 0.02
    n = values.size
    ks = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert ks < 0.0068
    assert values.min() < -0.0099 and values.max() > 0.0099  # it fills the whole interval
    assert abs(values.mean()) < 1e-4 and abs(values.var() - 0.02**2 / 12) < 1e-6


def test_fresh_draw_on_every_call_without_a_seed():
    first = frnn.init(SimpleNamespace(), 4, 6, 1)
    second = frnn.init(SimpleNamespace(), 4, 6, 1)
    assert not np.array_equal(first.R, second.R)
    # successive draws are uncorrelated
    assert abs(np.corrcoef(first.R.ravel(), second.R.ravel())[0, 1]) < 0.5


def test_reproducible_with_seed_or_generator():
    a = frnn.init(SimpleNamespace(), 3, 4, 2, rng=7)
    b = frnn.init(SimpleNamespace(), 3, 4, 2, rng=np.random.default_rng(7))
    for name in "WRV":
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_float32_on_request():
    model = frnn.init(SimpleNamespace(), 3, 4, 2, rng=7, dtype=np.float32)
    reference = frnn.init(SimpleNamespace(), 3, 4, 2, rng=7)
    assert model.W.dtype == np.float32
    np.testing.assert_array_equal(model.W, reference.W.astype(np.float32))


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0, 3, 1), {}, ValueError, "D must be a positive integer; got 0"),
        ((3, -1, 1), {}, ValueError, "I must be a positive integer; got -1"),
        ((3, 2.5, 1), {}, TypeError, "I must be a positive integer; got 2.5"),
        ((3, 2, True), {}, TypeError, "K must be a positive integer; got True"),
        ((3, 2, 1), {"rng": "seed"}, TypeError, "rng must be None, an int seed"),
        ((3, 2, 1), {"dtype": np.int32}, TypeError, "dtype must be float32 or float64"),
    ],
)
def test_bad_sizes_are_named(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        frnn.init(SimpleNamespace(), *args, **kwargs)


def test_reinit_forgets_the_last_forward():
    net = frnn.FullyRecurrentNetwork(2, 3, 1, rng=0)
    net.forward(np.ones((4, 2)), 1.0)
    frnn.init(net, 2, 3, 1, rng=1)
    with pytest.raises(RuntimeError, match="backward needs a forward call first"):
        net.backward()
