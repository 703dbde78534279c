import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for torch_reference


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def make_net(rng, D, I, K, *, activation="tanh", loss="bce", scale=1.0, bias=False):
    """A network whose weights (and biases, with ``bias``) are large enough that every
    nonlinearity matters."""
    import frnn

    net = frnn.FullyRecurrentNetwork(D, I, K, activation=activation, loss=loss, rng=rng, bias=bias)
    for p in (net.W, net.R, net.V, *((net.b, net.c) if bias else ())):
        p *= 100 * scale  # uniform in [−scale, scale]
    return net
