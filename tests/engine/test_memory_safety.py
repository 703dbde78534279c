"""The compiled loops never run on arrays whose shapes they did not check (issue 12, 1).

Before the checks, swapping a model's weights between forward and backward made the numba
kernels read and write outside their arrays (NaN or 1e285 gradients, then a segfault); so
each case runs in a child process, where a crash is a failed test rather than a dead run.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import frnn
from frnn.engine import cache as engine_cache
from frnn.engine import compiled, dispatch

SWAPS = {
    "bigger": "net.W, net.R, net.V = np.ones((64, 3)), np.ones((64, 64)), np.ones((2, 64))",
    "smaller": "net.W, net.R, net.V = np.ones((1, 3)), np.ones((1, 1)), np.ones((2, 1))",
    "only V": "net.V = np.ones((50, 4))",
    "dtype": "net.W, net.R, net.V = (a.astype(np.float32) for a in (net.W, net.R, net.V))",
}


@pytest.mark.slow
@pytest.mark.parametrize("swap", SWAPS, ids=list(SWAPS))
@pytest.mark.parametrize("engine", ["numba", "auto", "numpy", "reference"])
def test_backward_after_swapping_weights_refuses(swap, engine):
    code = textwrap.dedent(f"""
        import numpy as np, frnn
        net = frnn.FullyRecurrentNetwork(3, 4, 2, rng=0)
        x, y = np.ones((5, 7, 3)), np.ones((5, 2))
        net.forward(x, y, engine={engine!r})
        {SWAPS[swap]}
        try:
            net.backward(engine={engine!r})
        except ValueError as error:
            assert "changed since forward" in str(error), error
            print("refused")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "refused"


@pytest.mark.parametrize("family", ["numba_kernels", "blas_kernels"])
def test_kernel_arguments_are_checked_in_the_dispatch(family):
    """Even a caller that bypasses ``backward`` cannot hand the kernels a wrong shape."""
    kernels = getattr(compiled, family)()
    if kernels is None:
        pytest.skip("numba unusable here")
    net = frnn.FullyRecurrentNetwork(3, 4, 2, rng=0)
    net.forward(np.ones((5, 7, 3)), np.ones((5, 2)), engine="numba")
    cache = engine_cache.get(net)
    R, V, dZ = net.R, net.V, np.ones((5, 2))
    bad = {
        "R": (cache.A, np.ones((9, 9)), V, dZ),
        "V": (cache.A, R, np.ones((2, 9)), dZ),
        "dZ": (cache.A, R, V, np.ones((6, 2))),
        "A": (cache.A[:, :, :2], R, V, dZ),
        "A strided": (np.asfortranarray(cache.A), R, V, dZ),  # rows the tiles load whole
    }
    for A, R_, V_, dZ_ in bad.values():
        with pytest.raises(ValueError, match="for the compiled loop"):
            compiled.gradients(kernels, A, cache.batch, R_, V_, dZ_, "tanh")
    with pytest.raises(ValueError, match="for the compiled loop"):
        compiled.states(kernels, net.W, net.R, cache.batch, "tanh", np.ones(5))  # b
    x = cache.batch.x
    cache.batch.x = np.asfortranarray(x)
    with pytest.raises(ValueError, match="x must be C-contiguous"):
        compiled.states(kernels, net.W, net.R, cache.batch, "tanh", None)
    cache.batch.x = x
    cache.batch.lengths = np.array([7, 8, 7, 7, 7], dtype=np.intp)  # beyond T
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T\]"):
        compiled.states(kernels, net.W, net.R, cache.batch, "tanh", None)


def test_backward_after_deer_does_not_build_the_jacobians_when_large(monkeypatch):
    from frnn.engine import methods

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 30, 2)), np.ones((3, 1))
    net = frnn.FullyRecurrentNetwork(2, 4, 1, rng=0)
    net.forward(x, y, method="sequential")
    expected = net.backward(engine="reference")
    monkeypatch.setattr(dispatch, "SCAN_ADJOINT_MAX", 3 * 30 * 4 * 4 - 1)

    def no_scan(*args):
        raise AssertionError("the (T, B, I, I) reverse scan ran")

    monkeypatch.setattr(methods, "bptt", no_scan)
    net.forward(x, y, method="deer")
    got = net.backward()
    for name in "WRV":
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    ("lengths", "chunk_length", "match"),
    [
        ([0, 4], None, r"lengths must lie in \[1, T\]"),
        ([-1, 4], None, r"lengths must lie in \[1, T\]"),
        ([5, 4], None, r"lengths must lie in \[1, T\]"),
        ([4, 4], -1, "chunk_length must be"),
        ([4, 4], 0, "chunk_length must be"),
    ],
)
def test_sequence_gradients_refuses_lengths_and_chunks_out_of_range(lengths, chunk_length, match):
    """Issue 12: these once returned losses computed from uninitialised memory."""
    from frnn.training import sequence_gradients

    net = frnn.FullyRecurrentNetwork(2, 3, 1, rng=0)
    x, y = np.ones((2, 4, 2)), np.ones((2, 1))
    with pytest.raises(ValueError, match=match):
        sequence_gradients(net, x, y, np.array(lengths), chunk_length=chunk_length)
