"""BPTT against central finite differences over every parameter element, at tiny sizes."""

import numpy as np
import pytest

from helpers import MODES, make_net

# hardtanh and relu have kinks; away from them the loss is smooth, and with random
# weights no step lands within h of a kink (checked by the exact agreement below).
CASES = [(*mode, many_to_many) for mode in MODES for many_to_many in (False, True)]


@pytest.mark.parametrize(("activation", "loss", "many_to_many"), CASES)
def test_every_gradient_element_matches_central_differences(rng, activation, loss, many_to_many):
    B, T, D, I, K = 2, 4, 2, 3, 2
    net = make_net(D, I, K, activation=activation, loss=loss, scale=0.5, rng=rng)
    x = rng.standard_normal((B, T, D))
    y = rng.uniform(size=(B, T, K) if many_to_many else (B, K))
    lengths = np.array([T, 2])
    a0 = 0.3 * rng.standard_normal((B, I))

    def loss_at() -> float:
        return net.forward(x, y, lengths=lengths, a0=a0)

    loss_at()
    grads = net.backward()
    h = 1e-6
    for name in "WRV":
        param = getattr(net, name)
        numeric = np.empty_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            up = loss_at()
            param[index] = saved - h
            down = loss_at()
            param[index] = saved
            numeric[index] = (up - down) / (2 * h)
        # Central differences are exact to O(h²) ≈ 1e-12 plus round-off ε·L/h ≈ 1e-10.
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-7, atol=1e-9, err_msg=name)
