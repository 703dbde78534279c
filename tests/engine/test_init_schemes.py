"""init's schemes: each one's defining property, the default's old draw bit for bit, errors."""

from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

import frnn
from frnn.engine.schemes import INIT_SCHEMES, haar_orthogonal


def drawn(scheme, D=3, I=6, K=2, **options):
    return frnn.init(SimpleNamespace(), D, I, K, rng=0, scheme=scheme, **options)


def test_the_default_is_the_old_draw_bit_for_bit():
    model = frnn.init(SimpleNamespace(), 3, 5, 2, rng=11, bias=True)
    generator = np.random.default_rng(11)  # init before the schemes, written out
    for name, shape in {"W": (5, 3), "R": (5, 5), "V": (2, 5), "b": 5, "c": 2}.items():
        np.testing.assert_array_equal(getattr(model, name), generator.uniform(-0.01, 0.01, shape))
    explicit = frnn.init(SimpleNamespace(), 3, 5, 2, rng=11, bias=True, scheme="uniform")
    for name in "WRVbc":
        np.testing.assert_array_equal(getattr(explicit, name), getattr(model, name))


def test_uniform_takes_a_bound():
    model = drawn("uniform", I=40, scale=0.5)
    values = np.concatenate([model.W.ravel(), model.R.ravel()])
    assert np.abs(values).max() <= 0.5 and np.abs(values).max() > 0.45


def test_torch_is_torchs_bound_and_the_estimators_draw():
    torch = pytest.importorskip("torch")
    D, I, K = 4, 64, 3
    model = frnn.init(SimpleNamespace(), D, I, K, rng=3, scheme="torch", bias=True)
    bound = 1 / np.sqrt(I)
    torch.manual_seed(0)
    rnn, head = torch.nn.RNN(D, I, dtype=torch.float64), torch.nn.Linear(I, K)
    theirs = {
        "W": rnn.weight_ih_l0,
        "R": rnn.weight_hh_l0,
        "V": head.weight,
        "b": rnn.bias_ih_l0,
        "c": head.bias,
    }
    for name, tensor in theirs.items():
        ours, reference = getattr(model, name), tensor.detach().double().numpy()
        assert ours.shape == reference.shape
        assert np.abs(ours).max() <= bound and np.abs(reference).max() <= bound
    ours = np.concatenate([model.W.ravel(), model.R.ravel()])
    reference = torch.cat([rnn.weight_ih_l0.detach().ravel(), rnn.weight_hh_l0.detach().ravel()])
    assert ours.max() > 0.99 * bound and ours.min() < -0.99 * bound
    # the same distribution as torch's own draw (two-sample Kolmogorov–Smirnov)
    assert stats.ks_2samp(ours, reference.numpy()).pvalue > 1e-3
    # and the same numbers as the estimators' networks: uniform ±1/√I, W R V b c in order
    same = frnn.init(SimpleNamespace(), D, I, K, rng=3, scheme="uniform", scale=bound, bias=True)
    for name in "WRVbc":
        np.testing.assert_array_equal(getattr(model, name), getattr(same, name))


@pytest.mark.parametrize("radius", [None, 0.5, 1.25])
def test_identity_is_exactly_the_identity(radius):
    model = drawn("identity", I=8, radius=radius, bias=True)
    np.testing.assert_array_equal(model.R, np.eye(8) * (1.0 if radius is None else radius))
    assert not model.b.any() and not model.c.any()


def test_small_weights_beside_R_are_normal_with_the_scale():
    for scale in (None, 0.1):
        model = drawn("identity", D=50, I=200, K=30, scale=scale)
        values = np.concatenate([model.W.ravel(), model.V.ravel()])  # 16 000 draws
        expected = 0.001 if scale is None else scale
        assert stats.kstest(values / expected, "norm").pvalue > 1e-3


@pytest.mark.parametrize("radius", [None, 0.9, 2.0])
def test_orthogonal_R_has_orthogonal_columns(radius):
    r = 1.0 if radius is None else radius
    R = drawn("orthogonal", I=50, radius=radius).R
    np.testing.assert_allclose(R.T @ R, r * r * np.eye(50), rtol=0, atol=1e-12 * r * r)
    np.testing.assert_allclose(R @ R.T, r * r * np.eye(50), rtol=0, atol=1e-12 * r * r)


def test_orthogonal_draws_are_haar_uniform():
    # Under the Haar measure every entry of Q has mean 0 and E[q²] = 1/n; Q from a plain
    # QR (no sign fix) has a first column with a positive or negative bias instead.
    generator = np.random.default_rng(0)
    corners = np.array([haar_orthogonal(generator, 3)[0, 0] for _ in range(4000)])
    assert abs(corners.mean()) < 0.03
    assert abs((corners**2).mean() - 1 / 3) < 0.02


@pytest.mark.parametrize("radius", [None, 0.5, 1.1])
def test_spectral_radius_as_asked(radius):
    R = drawn("spectral", I=40, radius=radius).R
    rho = np.abs(np.linalg.eigvals(R)).max()
    assert abs(rho - (1.0 if radius is None else radius)) < 1e-12


@pytest.mark.parametrize(("I", "radius"), [(40, None), (41, (0.5, 0.7)), (9, 0.95), (1, None)])
def test_ring_eigenvalues_lie_on_the_ring(I, radius):
    R = drawn("ring", I=I, radius=radius).R
    low, high = {None: (0.9, 0.999), 0.95: (0.95, 0.95)}.get(radius, radius)
    moduli = np.abs(np.linalg.eigvals(R))
    assert moduli.min() >= low - 1e-12 and moduli.max() <= high + 1e-12
    np.testing.assert_allclose(R @ R.T, R.T @ R, rtol=0, atol=1e-12)  # a normal matrix
    if I == 40:
        assert moduli.max() - moduli.min() > 0.05  # spread over the ring, not one circle


@pytest.mark.parametrize("scheme", INIT_SCHEMES)
def test_every_scheme_is_seeded_typed_and_shaped(scheme):
    first = frnn.init(SimpleNamespace(), 3, 7, 2, rng=5, scheme=scheme, bias=True)
    again = frnn.init(SimpleNamespace(), 3, 7, 2, rng=5, scheme=scheme, bias=True)
    single = frnn.init(SimpleNamespace(), 3, 7, 2, rng=5, scheme=scheme, bias=True, dtype="float32")
    shapes = {"W": (7, 3), "R": (7, 7), "V": (2, 7), "b": (7,), "c": (2,)}
    for name, shape in shapes.items():
        assert getattr(first, name).shape == shape and getattr(first, name).dtype == np.float64
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
        np.testing.assert_array_equal(getattr(single, name), getattr(first, name).astype("f4"))
    network = frnn.FullyRecurrentNetwork(3, 7, 2, rng=5, scheme=scheme, bias=True)
    np.testing.assert_array_equal(network.R, first.R)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"scheme": "xavier"}, r"scheme must be one of \['uniform', 'torch', 'identity'"),
        ({"scheme": None}, "scheme must be one of"),
        ({"scheme": "torch", "scale": 0.1}, "scale must be None for scheme 'torch'"),
        ({"scale": -1.0}, "scale must be a positive number or None; got -1.0"),
        ({"scheme": "uniform", "radius": 0.9}, "radius applies to the schemes"),
        ({"scheme": "orthogonal", "radius": 0}, "radius must be a positive number or None"),
        ({"scheme": "ring", "radius": (0.9, 0.5)}, r"pair \(r_min, r_max\)"),
        ({"scheme": "ring", "radius": (0.9,)}, r"pair \(r_min, r_max\)"),
    ],
)
def test_bad_schemes_and_options_are_named(options, match):
    with pytest.raises(ValueError, match=match):
        frnn.init(SimpleNamespace(), 2, 3, 1, **options)
