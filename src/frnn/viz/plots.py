"""Pictures of what happens inside: the loss's numerical stability and gradient flow in time.

Each picture has a function that computes its numbers (tested) and one that draws them on
an Agg canvas (headless; pyplot is never touched).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from .._typing import ArrayLike, NetworkLike
from .._validate import Interval, as_float_array, check_finite, check_positive_int
from ..engine.losses import bce_with_logits
from ..engine.model import FullyRecurrentNetwork
from ..engine.network import backward, forward
from .figures import new_figure

__all__ = [
    "naive_bce",
    "loss_stability",
    "gradient_flow",
    "gradient_flow_by_radius",
    "rescale_spectral_radius",
    "plot_loss_stability",
    "plot_gradient_flow",
]


def naive_bce(z: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The textbook cross-entropy −y log σ(z) − (1−y) log(1−σ(z)), computed naively.

    Here for contrast only: σ(z) rounds to 1 for z ≳ 37 and 1/(1 + e^{−z}) underflows to 0
    for z ≲ −710, so a log(0) = −inf turns the loss into inf, or into nan (0 · inf) when the
    target's weight on that term is 0.  Floating-point warnings are silenced, not raised.

    Parameters
    ----------
    z, y : array_like, broadcastable
        Logits and targets in [0, 1].

    Returns
    -------
    ndarray
        The loss, elementwise, in the broadcast shape; inf or nan where it fails.
    """
    z, y = as_float_array(z, "z"), as_float_array(y, "y")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        p = 1.0 / (1.0 + np.exp(-z))
        return -y * np.log(p) - (1.0 - y) * np.log(1.0 - p)


def loss_stability(z: ArrayLike, y: float) -> dict[str, np.ndarray]:
    """The naive and the stable (``frnn.bce_with_logits``) loss of logits z for target y.

    Parameters
    ----------
    z : array_like
        Logits, flattened to (N,).
    y : float
        One target in [0, 1] for every logit.

    Returns
    -------
    dict of (N,) arrays
        "naive", "stable", and the masks "inf" and "nan" where the naive one fails.
    """
    z = as_float_array(z, "z").ravel()  # (N,)
    naive, stable = naive_bce(z, y), bce_with_logits(z, np.full_like(z, y))
    return {"naive": naive, "stable": stable, "inf": np.isinf(naive), "nan": np.isnan(naive)}


def plot_loss_stability(z_max: float = 800.0, num: int = 3201) -> Figure:
    """Naive against stable BCE over z ∈ [−z_max, z_max] for y = 1 and y = 0; returns the Figure.

    Top: the two losses, with the spans where the naive one is inf or nan shaded.
    Bottom: the naive one's relative error where it is finite — before failing outright it
    loses digits, because 1 − σ(z) cancels catastrophically once σ(z) is close to 1.

    Parameters
    ----------
    z_max : float
        The half-width of the range of logits.
    num : int
        How many logits, evenly spaced.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels on an Agg canvas.
    """
    z = np.linspace(-z_max, z_max, check_positive_int(num, "num"))  # (N,)
    figure = new_figure((10.0, 6.2), layout="constrained")
    axes = figure.subplots(2, 2, sharex=True, height_ratios=(3, 2))
    for column, y in enumerate((1.0, 0.0)):
        values = loss_stability(z, y)
        top, bottom = axes[0, column], axes[1, column]
        top.plot(z, values["stable"], color="tab:blue", lw=2.2, label="stable: bce_with_logits")
        finite = np.where(np.isfinite(values["naive"]), values["naive"], np.nan)
        top.plot(
            z, finite, color="tab:orange", lw=1.2, ls="--", label="naive: −y log σ − (1−y) log(1−σ)"
        )
        for mask, color, what in (
            (values["inf"], "tab:red", "naive = inf  (−log 0)"),
            (values["nan"], "tab:purple", "naive = nan  (0 · log 0)"),
        ):
            if mask.any():
                top.fill_between(
                    z,
                    0,
                    1,
                    where=mask,
                    color=color,
                    alpha=0.18,
                    lw=0,
                    transform=top.get_xaxis_transform(),
                    label=what,
                )
        top.set_title(f"target y = {y:g}")
        top.set_ylabel("loss")
        top.legend(loc="upper center", fontsize=8)
        _relative_error_panel(bottom, z, values)
    return figure


def _relative_error_panel(ax, z: np.ndarray, values: dict) -> None:
    ok = np.isfinite(values["naive"]) & (values["stable"] > 0)
    error = np.abs(values["naive"][ok] - values["stable"][ok]) / values["stable"][ok]
    # Exact agreement has no logarithm: show it at the floor of the plot.
    ax.semilogy(z[ok], np.maximum(error, 1e-17), ".", ms=2, color="tab:orange")
    ax.set_ylim(1e-17, 10)
    ax.text(
        0.02,
        0.04,
        "exact agreement drawn at 1e-17",
        transform=ax.transAxes,
        fontsize=8,
        color="0.35",
    )
    ax.set_xlabel("logit z")
    ax.set_ylabel("relative error of naive")
    ax.grid(True, which="major", alpha=0.3)


def rescale_spectral_radius(R: ArrayLike, radius: float) -> np.ndarray:
    """R scaled so that its spectral radius max |λ(R)| equals ``radius``; (I, I) -> (I, I).

    Parameters
    ----------
    R : (I, I) array_like
        A real square matrix with at least one non-zero eigenvalue.
    radius : float
        The spectral radius wanted (used as given: a negative one also flips R's sign).

    Returns
    -------
    (I, I) float array
        R · radius / max |λ(R)|.

    Raises
    ------
    TypeError
        R is not a real numeric array.
    ValueError
        R is not square, or its spectral radius is 0 (nilpotent or zero).
    """
    R = as_float_array(R, "R")
    if R.ndim != 2 or R.shape[0] != R.shape[1]:
        raise ValueError(f"R must be a square matrix; got shape {R.shape}")
    current = np.max(np.abs(np.linalg.eigvals(R)))
    if current == 0:
        raise ValueError("R has spectral radius 0 and cannot be rescaled")
    return R * (float(radius) / current)


def gradient_flow(
    model: NetworkLike,
    x: ArrayLike,
    y: ArrayLike,
    *,
    lengths: ArrayLike | None = None,
    a0: ArrayLike | None = None,
) -> np.ndarray:
    """‖∂L/∂a(t)‖ for t = 1..T: forward, then BPTT with ``keep_da=True``.

    Parameters
    ----------
    model : object with W (I, D), R (I, I), V (K, I) (see :func:`frnn.forward`)
    x, y, lengths, a0 : as for :func:`frnn.forward`

    Returns
    -------
    (T,) array
        The Euclidean norm of ∂L/∂a(t) over the hidden units (and the batch, if any).
    """
    forward(model, x, y, lengths=lengths, a0=a0)
    backward(model, keep_da=True)
    da = model.da  # (T, I) or (B, T, I)
    return np.sqrt(np.sum(da**2, axis=-1 if da.ndim == 2 else (0, 2)))


def gradient_flow_by_radius(
    radii: Sequence[float] = (0.5, 1.0, 1.5),
    *,
    steps: int = 50,
    hidden: int = 16,
    inputs: int = 3,
    seed: int = 0,
    input_scale: float = 1.0,
) -> dict[float, np.ndarray]:
    """‖∂L/∂a(t)‖, t = 1..T, for one random sequence and R rescaled to each spectral radius.

    A many-to-one task (a loss on z(T) only) with tanh: the gradient enters at t = T and
    each step back multiplies it by Rᵀ diag(f′(s(t))).  Pascanu, Mikolov & Bengio (2013):
    with |f′| ≤ 1, a largest singular value ‖R‖₂ below 1 is enough for the gradient to
    vanish, and ‖R‖₂ above 1 is needed (not enough) for it to explode; the spectral radius
    ρ ≤ ‖R‖₂ sets the rate in the long run, and a non-normal R with ρ < 1 < ‖R‖₂ can make
    it grow over many steps (notebook 5).  While the states stay in tanh's linear range
    (tiny ``input_scale``, f′ ≈ 1) the norm follows ρ^{T−t} once T − t is large: it
    vanishes for ρ < 1 and explodes for ρ > 1.  With unit inputs and ρ > 1 the states grow
    until tanh saturates, f′ → 0, and the saturated steps damp the explosion.

    Parameters
    ----------
    radii : sequence of float
        Spectral radii ρ to rescale the same random R to.
    steps, hidden, inputs : int
        T, I and D.
    seed : int
        Seeds the weights and the sequence x ~ input_scale · N(0, 1), (T, D).
    input_scale : float
        The inputs' standard deviation.

    Returns
    -------
    dict
        {ρ: (T,) array of ‖∂L/∂a(t)‖}.
    """
    steps, hidden = check_positive_int(steps, "steps"), check_positive_int(hidden, "hidden")
    radii = as_float_array(radii, "radii").ravel()
    check_finite(radii, "radii")
    if radii.size == 0 or radii.min() <= 0:
        raise ValueError(f"radii must be positive spectral radii; got {radii.tolist()}")
    rng = np.random.default_rng(Interval("int", 0).check(seed, "seed"))
    net = FullyRecurrentNetwork(check_positive_int(inputs, "inputs"), hidden, 1, rng=rng)
    x = float(input_scale) * rng.standard_normal((steps, net.W.shape[1]))  # (T, D)
    R = net.R.copy()
    curves = {}
    for radius in radii:
        net.R = rescale_spectral_radius(R, radius)
        curves[float(radius)] = gradient_flow(net, x, 1.0)
    return curves


# Tiny inputs keep even ρ = 1.5 in tanh's linear range for 50 steps; unit inputs do not, where
# the states grow (ρ = 1.5; those of ρ ≤ 1 stay below 0.2 with init's ±0.01 weights).
_SCALES = ((1e-9, r"$10^{-9}$", "linear regime"), (1.0, "1", "growing states saturate tanh"))


def plot_gradient_flow(
    radii: Sequence[float] = (0.5, 1.0, 1.5), *, steps: int = 50, hidden: int = 16, seed: int = 0
) -> Figure:
    """‖∂L/∂a(t)‖ against t, log scale, one line per spectral radius; returns the Figure.

    Left, tiny inputs: straight lines of slope log ρ (vanishing / exploding).  Right, unit
    inputs: saturation bends them.  See :func:`gradient_flow_by_radius` for the set-up.

    Parameters
    ----------
    radii : sequence of float
        Spectral radii of R, one line each.
    steps, hidden : int
        T and I.
    seed : int
        Seeds the weights and the sequence.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels on an Agg canvas, sharing the log-scaled y axis.
    """
    figure = new_figure((11.0, 4.6), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    for ax, (scale, scale_text, regime) in zip(axes, _SCALES, strict=True):
        curves = gradient_flow_by_radius(
            radii, steps=steps, hidden=hidden, seed=seed, input_scale=scale
        )
        t = np.arange(1, steps + 1)
        for i, (radius, norms) in enumerate(curves.items()):
            ax.semilogy(
                t, norms, "o-", ms=2.5, lw=1.4, color=f"C{i % 10}", label=f"ρ(R) = {radius:g}"
            )
        ax.set_title(f"inputs x ~ {scale_text}·N(0, 1): {regime}", fontsize=11)
        ax.set_xlabel("time step t  (loss at t = T; BPTT runs right to left)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=9)
    axes[0].set_ylabel("‖∂L/∂a(t)‖")
    figure.suptitle(f"Gradient flow through time: tanh, I = {hidden}, T = {steps}, seed {seed}")
    return figure
