"""The pictures' numbers: where the naive loss fails, and ‖∂L/∂a(t)‖ against torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import frnn
from frnn import plots
from helpers import run_cli


def test_naive_bce_fails_where_floating_point_says_and_nowhere_else():
    # σ(z) rounds to 1 above ~36.7; e^{−z} overflows below ~−709.8.  No warning escapes
    # (pytest turns warnings into errors).
    z = np.array([-800.0, -709.0, -30.0, 0.0, 30.0, 36.0, 37.0, 800.0])
    one = plots.loss_stability(z, 1.0)
    assert one["inf"].tolist() == [True] + [False] * 7
    assert one["nan"].tolist() == [False] * 6 + [True, True]
    zero = plots.loss_stability(z, 0.0)
    assert zero["inf"].tolist() == [False] * 6 + [True, True]
    assert zero["nan"].tolist() == [True] + [False] * 7
    for values in (one, zero):
        assert np.isfinite(values["stable"]).all()


def test_naive_and_stable_agree_where_the_naive_one_is_accurate():
    z = np.linspace(-15, 15, 301)
    for y in (0.0, 0.3, 1.0):
        values = plots.loss_stability(z, y)
        np.testing.assert_allclose(values["naive"], values["stable"], rtol=1e-9)
        np.testing.assert_allclose(values["stable"], frnn.bce_with_logits(z, np.full_like(z, y)))


def torch_da_norms(W, R, V, x, y, many_to_many):
    """‖∂L/∂a(t)‖ by autograd, from the equations (one sequence, bce, tanh)."""
    W, R, V, x, y = (torch.tensor(v, dtype=torch.float64) for v in (W, R, V, x, y))
    W.requires_grad_(True)  # so that every a(t) is part of the autograd graph
    a, states, loss = torch.zeros(R.shape[0], dtype=torch.float64), [], 0.0
    for t in range(x.shape[0]):
        a = torch.tanh(W @ x[t] + R @ a)
        a.retain_grad()
        states.append(a)
        if many_to_many:
            loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(
                V @ a, y[t], reduction="sum"
            )
    if not many_to_many:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(V @ a, y, reduction="sum")
    loss.backward()
    return np.array([s.grad.norm().item() for s in states])


@pytest.mark.parametrize("many_to_many", [False, True])
@pytest.mark.parametrize("T, I", [(1, 1), (7, 4), (20, 9)])
def test_gradient_flow_agrees_with_autograd(T, I, many_to_many):
    rng = np.random.default_rng(T * 10 + I)
    net = frnn.FullyRecurrentNetwork(3, I, 2, rng=rng)
    net.R = plots.rescale_spectral_radius(rng.standard_normal((I, I)), 1.2)
    net.W = rng.standard_normal(net.W.shape)
    x = rng.standard_normal((T, 3))  # (T, D)
    y = rng.uniform(size=(T, 2) if many_to_many else 2)
    norms = plots.gradient_flow(net, x, y)
    expected = torch_da_norms(net.W, net.R, net.V, x, y, many_to_many)
    assert norms.shape == (T,)
    np.testing.assert_allclose(norms, expected, rtol=1e-10, atol=0)


def test_gradient_flow_is_the_norm_of_backwards_own_da():
    rng = np.random.default_rng(1)
    net = frnn.FullyRecurrentNetwork(2, 5, 1, rng=rng)
    x, y = rng.standard_normal((4, 6, 2)), rng.uniform(size=4)  # a batch of 4
    norms = plots.gradient_flow(net, x, y, lengths=[6, 3, 5, 1])
    net.forward(x, y, lengths=[6, 3, 5, 1])
    net.backward(keep_da=True)
    np.testing.assert_array_equal(
        norms, np.linalg.norm(net.da.transpose(1, 0, 2).reshape(6, -1), axis=1)
    )


def test_rescale_spectral_radius():
    R = np.random.default_rng(2).standard_normal((6, 6))
    for radius in (0.5, 1.0, 1.5):
        scaled = plots.rescale_spectral_radius(R, radius)
        assert np.max(np.abs(np.linalg.eigvals(scaled))) == pytest.approx(radius, rel=1e-12)
    with pytest.raises(ValueError, match="square"):
        plots.rescale_spectral_radius(np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="spectral radius 0"):
        plots.rescale_spectral_radius(np.zeros((2, 2)), 1.0)
    with pytest.raises(ValueError, match="radii"):
        plots.gradient_flow_by_radius((0.5, -1.0), steps=3, hidden=2)


def test_gradients_vanish_or_explode_at_the_rate_of_the_spectral_radius():
    # In tanh's linear range each step back multiplies the norm by about ρ (Pascanu et al.):
    # far from the loss, where the leading eigenvector dominates, the rate is ρ.
    curves = plots.gradient_flow_by_radius((0.5, 1.5), steps=60, hidden=8, input_scale=1e-12)
    for radius, norms in curves.items():
        rate = (norms[0] / norms[30]) ** (1 / 30)  # per step, going back from t = 31 to 1
        assert rate == pytest.approx(radius, rel=0.02)
    assert curves[0.5][0] < 1e-10 * curves[0.5][-1]
    assert curves[1.5][0] > 1e5 * curves[1.5][-1]


def test_plot_gradient_flow_draws_the_numbers():
    figure = plots.plot_gradient_flow((0.5, 1.5), steps=12, hidden=4, seed=3)
    tiny = plots.gradient_flow_by_radius((0.5, 1.5), steps=12, hidden=4, seed=3, input_scale=1e-9)
    lines = figure.axes[0].get_lines()
    assert len(lines) == 2
    for line, norms in zip(lines, tiny.values(), strict=True):
        np.testing.assert_array_equal(line.get_ydata(), norms)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 13))


@pytest.mark.slow
def test_plot_loss_stability_shades_the_failures():
    figure = plots.plot_loss_stability(num=401)
    assert len(figure.axes) == 4
    figure.canvas.draw()
    labels = {t.get_text() for t in figure.axes[0].get_legend().get_texts()}
    assert any("inf" in s for s in labels) and any("nan" in s for s in labels)


def plot(*args, cwd):
    return run_cli("plot", *args, cwd=cwd)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, magic",
    [
        (["loss-stability", "--out", "s.png"], b"\x89PNG"),
        (["gradient-flow", "--out", "g.pdf", "--steps", "8", "--hidden", "3"], b"%PDF"),
    ],
)
def test_cli_writes_the_pictures(tmp_path, args, magic):
    result = plot(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (written,) = tmp_path.iterdir()
    assert written.read_bytes().startswith(magic)


@pytest.mark.parametrize(
    "args",
    [
        ["gradient-flow", "--out", "g.png", "--steps", "0"],
        ["gradient-flow", "--out", "g.png", "--hidden", "x"],
        ["gradient-flow", "--out", "g.png", "--radii", "0.5", "nan"],
        ["loss-stability", "--out", "s.bmp"],
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args):
    result = plot(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
