"""The learned recurrence of a network that remembers, and of one that does not.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/memory_spectrum.py
        [--out docs/memory_spectrum.png] [--steps 8000] [--length 200]

Three networks are trained on the adding problem (T = 200; 10,000 generated training
series, seed 1; 2,000 validation series, seed 2, watched for the curve) with the recipe of
benchmarks/results/memory_selection.md, one network each, the same budget:

- the IRNN (ReLU, R = I at the start: every eigenvalue at 1), the recipe itself;
- tanh with an orthogonal R (every eigenvalue on the unit circle at the start), which fails;
- the ablation: the IRNN's recipe with R fixed at 0 (no recurrence).

The picture: the eigenvalues of R in the complex plane before and after training for the
first two, and the validation MSE of all three against the series seen (the constant
mean's MSE, 1/6, is chance).  Printed: each network's test MSE (2,000 series, seed 3,
scored once at the end), its R's spectral radius, and the curve's numbers.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from memory_recipes import RECOMMENDED, fit, score  # noqa: E402
from select_memory_defaults import resolve  # noqa: E402

import frnn  # noqa: E402
from frnn.data import synthetic  # noqa: E402
from frnn.viz.figures import new_figure, save_figure  # noqa: E402

RUNS = {  # label: the recipe's changes
    "IRNN (ReLU, R = I)": {},
    "tanh, orthogonal R": {"activation": "tanh", "scheme": "orthogonal"},
    "R = 0 (ablation)": {"fix_R_zero": True},
}
COLORS = {"IRNN (ReLU, R = I)": "tab:red", "tanh, orthogonal R": "tab:blue"}


def train(steps: int, length: int) -> dict:
    """{label: (R at the start, the fitted recipe, test MSE)} for every run."""
    X, y = synthetic.adding(10_000, np.random.default_rng(1), length)
    val = synthetic.adding(2_000, np.random.default_rng(2), length)
    Xt, yt = synthetic.adding(2_000, np.random.default_rng(3), length)
    base = resolve(RECOMMENDED.but(steps=steps, ensemble=1), X.shape[1])
    runs = {}
    for label, changes in RUNS.items():
        recipe = base.but(**changes)
        start = _start(recipe, X, length)
        fitted = fit(recipe, X, y, "regression", val=val)
        runs[label] = (start, fitted, score(fitted, Xt, yt))
        R = fitted.networks[0].R
        print(
            f"{label:20} test MSE {runs[label][2]:.4f}  spectral radius of R: start "
            f"{_radius(start):.3f}, trained {_radius(R):.3f}  ({fitted.seconds:.0f} s)",
            flush=True,
        )
    return runs


def _start(recipe, X, length: int) -> np.ndarray:
    """R as ``fit`` draws it (the same constructor, shapes and generator seed)."""
    frame = recipe.frame
    D = X.shape[2] * frame  # framed inputs: ``frame`` samples a step
    net = frnn.FullyRecurrentNetwork(
        D, recipe.hidden, 1, activation=recipe.activation, loss="mse", bias=recipe.bias,
        scheme=recipe.scheme, scale=recipe.scale, radius=recipe.radius, rng=recipe.seed * 1000,
    )  # fmt: skip
    return np.zeros_like(net.R) if recipe.fix_R_zero else net.R.copy()


def _radius(R: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(R))))


def draw(runs: dict, length: int):
    fig = new_figure((12, 4.2))
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.3]})
    circle = np.exp(1j * np.linspace(0, 2 * np.pi, 400))
    for ax, label in zip(axes[:2], COLORS, strict=True):
        start, fitted, mse = runs[label]
        before, after = np.linalg.eigvals(start), np.linalg.eigvals(fitted.networks[0].R)
        ax.plot(circle.real, circle.imag, color="grey", lw=0.8, label="unit circle")
        ax.scatter(before.real, before.imag, s=60, facecolors="none", edgecolors="black",
                   label="start", zorder=3)  # fmt: skip
        ax.scatter(after.real, after.imag, s=14, color=COLORS[label], label="trained", zorder=4)
        limit = 1.1 * max(1.2, np.abs(after).max())
        ax.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal", xlabel="Re λ")
        ax.set_title(f"{label}\ntest MSE {mse:.4f}", fontsize=10)
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("Im λ")
    limit = axes[0].get_xlim()[1]
    axes[0].annotate(f"start: all {len(before)} at 1", (1, 0), (-0.9 * limit, 0.75 * limit),
                     fontsize=8, arrowprops={"arrowstyle": "->", "lw": 0.8})  # fmt: skip
    _curves(axes[2], runs)
    fig.suptitle(f"Eigenvalues of R, adding problem T = {length}", fontsize=11, x=0.33)
    fig.tight_layout()
    return fig


def _curves(ax, runs: dict) -> None:
    for label, (_, fitted, mse) in runs.items():
        history = fitted.history
        color = COLORS.get(label, "black")
        val_mse = np.asarray(history["val_mse"]) * fitted.y_std**2  # the target's own units
        ax.semilogy(history["series"], val_mse, color=color, lw=1.5,
                    label=f"{label}: test {mse:.4f}")  # fmt: skip
    ax.axhline(1 / 6, color="grey", lw=0.8, ls="--", label="the constant mean (1/6)")
    ax.set_xlabel("training series seen")
    ax.set_ylabel("validation MSE")
    ax.set_title("learning curves", fontsize=10)
    ax.legend(fontsize=8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/memory_spectrum.png")
    parser.add_argument("--steps", type=int, default=RECOMMENDED.steps)
    parser.add_argument("--length", type=int, default=200)
    args = parser.parse_args()
    runs = train(args.steps, args.length)
    for label, (_, fitted, _) in runs.items():
        curve = ", ".join(f"{v * fitted.y_std**2:.4f}" for v in fitted.history["val_mse"])
        print(f"{label}: validation MSE every {fitted.history['steps'][0]} steps: {curve}")
    save_figure(draw(runs, args.length), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
