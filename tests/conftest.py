import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for torch_reference


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def make_net(rng, D, I, K, *, activation="tanh", loss="bce", scale=1.0):
    """A network whose weights are large enough that every nonlinearity matters."""
    import frnn

    net = frnn.FullyRecurrentNetwork(D, I, K, activation=activation, loss=loss, rng=rng)
    for p in (net.W, net.R, net.V):
        p *= 100 * scale  # uniform in [−scale, scale]
    return net
