"""Print frnn's worst relative errors against torch.autograd (float64) and a 50-digit mpmath.

    .venv/bin/python benchmarks/exactness.py      (needs the test extra: torch, mpmath)

Every mode of the contract is run on random data with several seeds; the loss is checked on a
grid of logits from −1e4 to 1e4 and soft labels.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import mpmath
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import frnn  # noqa: E402
from torch_reference import loss_and_grads, relerr  # noqa: E402

mpmath.mp.dps = 50


def engine_errors(seeds=range(5)) -> dict[str, float]:
    """Worst relative error per quantity over every mode and seed."""
    worst = dict.fromkeys(["loss", "a", "z", "W", "R", "V"], 0.0)
    modes = itertools.product(
        ["tanh", "relu", "linear", "hardtanh"], ["bce", "mse"], [False, True], [False, True]
    )
    for (activation, loss, many, padded), seed in itertools.product(modes, seeds):
        rng = np.random.default_rng(seed)
        B, T, D, I, K = 8, 20, 4, 16, 3
        net = frnn.FullyRecurrentNetwork(D, I, K, activation=activation, loss=loss, rng=rng)
        scale = 30.0 if activation in ("relu", "linear") else 100.0
        for p in (net.W, net.R, net.V):
            p *= scale
        x = rng.standard_normal((B, T, D))
        y = rng.uniform(size=(B, T, K) if many else (B, K))
        lengths = rng.integers(1, T + 1, size=B) if padded else None
        a0 = 0.5 * rng.standard_normal((B, I))
        value = net.forward(x, y, lengths=lengths, a0=a0)
        grads = net.backward()
        ref = loss_and_grads(
            net.W, net.R, net.V, x, y, lengths=lengths, a0=a0, activation=activation, loss=loss
        )
        got = {"loss": value, "a": net.a, "z": net.z, **grads}
        expected = {"loss": ref[0], "a": ref[2], "z": ref[3], **ref[1]}
        for key in worst:
            worst[key] = max(worst[key], relerr(got[key], expected[key]))
    return worst


def loss_errors() -> tuple[float, float, float]:
    """Worst relative error of the loss; of its gradient for hard labels; and the worst
    absolute error of the gradient for soft labels, where σ(z) − y can cancel to nearly 0."""
    z = np.concatenate([-np.logspace(-8, 4, 200), [0.0], np.logspace(-8, 4, 200)])
    worst_loss = worst_grad = worst_soft = 0.0
    for y in (0.0, 0.1, 0.5, 0.9, 1.0):
        loss = frnn.bce_with_logits(z, y)
        grad = frnn.bce_with_logits_grad(z, y)
        for zi, li, gi in zip(z, loss, grad, strict=True):
            with mpmath.workdps(int(abs(zi) / 2.3) + 50):
                zm, ym = mpmath.mpf(float(zi)), mpmath.mpf(y)
                exact = float(
                    ym * mpmath.log1p(mpmath.exp(-zm)) + (1 - ym) * mpmath.log1p(mpmath.exp(zm))
                )
                exact_grad = float(1 / (1 + mpmath.exp(-zm)) - ym)
            worst_loss = max(worst_loss, relerr(li, exact))
            if y in (0.0, 1.0):
                worst_grad = max(worst_grad, relerr(gi, exact_grad))
            else:
                worst_soft = max(worst_soft, abs(gi - exact_grad))
    return worst_loss, worst_grad, worst_soft


if __name__ == "__main__":
    print("worst relative error against torch.autograd, float64, 32 modes x 5 seeds:")
    for key, value in engine_errors().items():
        print(f"  {key:5s} {value:.2e}")
    loss_err, grad_err, soft_err = loss_errors()
    print("against mpmath (50+ digits), z in 0, ±[1e-8, 1e4], y in {0, 0.1, 0.5, 0.9, 1}:")
    print(f"  bce_with_logits       worst relative error {loss_err:.2e}")
    print(f"  bce_with_logits_grad  worst relative error {grad_err:.2e} (y = 0 or 1)")
    print(f"  bce_with_logits_grad  worst absolute error {soft_err:.2e} (soft labels)")
