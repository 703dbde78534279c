"""A case small enough to check with a pocket calculator: T = 2, D = I = K = 1, tanh, bce."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

import frnn


def test_t2_i1_by_hand():
    model = SimpleNamespace(W=np.array([[0.5]]), R=np.array([[-0.3]]), V=np.array([[2.0]]))
    x = np.array([[1.0], [-1.0]])  # x(1) = 1, x(2) = −1, target y = 1
    loss = frnn.forward(model, x, 1.0)
    # s(1) = 0.5·1 + (−0.3)·0                   = 0.5            a(1) = tanh 0.5 = 0.462117157260
    # s(2) = 0.5·(−1) + (−0.3)·0.462117157260   = −0.638635147178
    #                                                            a(2) = tanh s(2) = −0.563969523783
    # z = V·a(2) = 2·(−0.563969523783)          = −1.12793904757
    # L = max(z, 0) − z·y + log(1 + e^{−|z|}) = 0 + 1.12793904757 + 0.280430618432 = 1.408369666
    assert model.a[:, 0] == pytest.approx([0.462117157260, -0.563969523783], abs=1e-12)
    assert model.z[0] == pytest.approx(-1.12793904757, abs=1e-11)
    assert loss == pytest.approx(1.408369666, abs=1e-9)

    grads = frnn.backward(model, keep_da=True)
    # ∂L/∂z    = σ(z) − y = 0.244541642891 − 1                  = −0.755458357109
    # ∂L/∂V    = ∂L/∂z · a(2) = −0.755458357109 · −0.563969523783 = 0.426055489897
    # ∂L/∂a(2) = V · ∂L/∂z = 2 · −0.755458357109                = −1.51091671422
    # δ(2)     = ∂L/∂a(2) · (1 − a(2)²) = −1.51091671422 · 0.681938376244 = −1.03035209073
    # ∂L/∂a(1) = R · δ(2) = −0.3 · −1.03035209073               = 0.30910562722
    # δ(1)     = ∂L/∂a(1) · (1 − a(1)²) = 0.30910562722 · 0.786447732966 = 0.243095419774
    # ∂L/∂W    = δ(1)·x(1) + δ(2)·x(2) = 0.243095419774 + 1.03035209073 = 1.27344751051
    # ∂L/∂R    = δ(1)·a(0) + δ(2)·a(1) = 0 + (−1.03035209073)(0.462117157260) = −0.476143379147
    assert model.da[:, 0] == pytest.approx([0.30910562722, -1.51091671422], abs=1e-11)
    assert grads["V"][0, 0] == pytest.approx(0.426055489897, abs=1e-12)
    assert grads["W"][0, 0] == pytest.approx(1.27344751051, abs=1e-11)
    assert grads["R"][0, 0] == pytest.approx(-0.476143379147, abs=1e-12)
    # and the same chain rule in double precision, to round-off
    a1, a2 = math.tanh(0.5), math.tanh(-0.5 - 0.3 * math.tanh(0.5))
    d2 = 2.0 * (1 / (1 + math.exp(-2.0 * a2)) - 1) * (1 - a2**2)
    assert grads["R"][0, 0] == pytest.approx(d2 * a1, rel=1e-14)
