"""An independent reference: the same network written in torch, differentiated by autograd.

Written from the equations, step by step, with no code shared with frnn.
"""

from __future__ import annotations

import numpy as np
import torch

_F = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "linear": lambda s: s,
    "hardtanh": torch.nn.functional.hardtanh,
}


def loss_and_grads(
    W,
    R,
    V,
    x,
    y,
    *,
    lengths=None,
    a0=None,
    activation="tanh",
    loss="bce",
    weights=None,
    b=None,
    c=None,
):
    """Batch-major float64 reference.

    x (B, T, D); y (B, K) many-to-one or (B, T, K) many-to-many; lengths (B,); a0 (B, I);
    weights (B, T), many-to-many: step t's loss counts weights[b, t] times; b (I,) and
    c (K,) the biases of s(t) and z(t), or None.
    Returns (loss, {"W", "R", "V"} and "b", "c" when given, a (B, T, I) zero where
    padded, z zero where padded).
    """
    given = (("W", W), ("R", R), ("V", V)) + ((("b", b), ("c", c)) if b is not None else ())
    params = {n: torch.tensor(p, dtype=torch.float64, requires_grad=True) for n, p in given}
    bias_s = params.get("b", torch.zeros(W.shape[0], dtype=torch.float64))
    bias_z = params.get("c", torch.zeros(V.shape[0], dtype=torch.float64))
    x = torch.tensor(x, dtype=torch.float64)
    y = torch.tensor(y, dtype=torch.float64)
    B, T, _ = x.shape
    I = W.shape[0]
    lengths = [T] * B if lengths is None else [int(n) for n in lengths]
    a0 = torch.zeros(B, I, dtype=torch.float64) if a0 is None else torch.tensor(a0)
    total, states, logits = 0.0, [], []
    for b in range(B):
        a = a0[b]
        seq_states, seq_logits = [], []
        for t in range(lengths[b]):
            a = _F[activation](params["W"] @ x[b, t] + params["R"] @ a + bias_s)
            z = params["V"] @ a + bias_z
            seq_states.append(a)
            seq_logits.append(z)
            if y.dim() == 3:
                w = 1.0 if weights is None else float(weights[b][t])
                total = total + w * _loss(z, y[b, t], loss)
        if y.dim() == 2:
            total = total + _loss(seq_logits[-1], y[b], loss)
        pad = T - lengths[b]
        states.append(torch.cat([torch.stack(seq_states), torch.zeros(pad, I)]))
        logits.append(
            torch.cat([torch.stack(seq_logits), torch.zeros(pad, V.shape[0])])
            if y.dim() == 3
            else seq_logits[-1]
        )
    total = total / B
    total.backward()
    grads = {n: p.grad.numpy() for n, p in params.items()}
    return (
        total.item(),
        grads,
        torch.stack(states).detach().numpy(),
        torch.stack(logits).detach().numpy(),
    )


def _loss(z, y, loss):
    if loss == "bce":
        return torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum")
    return 0.5 * ((z - y) ** 2).sum()


def relerr(actual, expected) -> float:
    """max |actual − expected| / max |expected| (0 when both are zero)."""
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    scale = np.abs(expected).max(initial=0.0)
    diff = np.abs(actual - expected).max(initial=0.0)
    return 0.0 if diff == 0 else diff / scale
