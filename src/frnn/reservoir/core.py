"""One random reservoir: a fixed fully recurrent network, its states and their statistics.

Each reservoir r is a fully recurrent network with W, R and b drawn once and kept fixed:

    s(t) = W u(t) + R a(t−1) + b,   a(t) = tanh(s(t)),   a(0) = 0

where u(t) is a frame of m_r consecutive samples of the series (z-normalised, or its first
difference), so one step of the network reads m_r·D inputs and the clock runs m_r times
slower: the frame size plays the part of ROCKET's dilation.  The states of every reservoir
are pooled over time into a few statistics per unit: the mean and maximum of a(t), the
last state a(T), and the proportion of positive values of s(t) − θ ("PPV") for thresholds
θ drawn, as ROCKET draws its biases, from quantiles of s on random training series.
``features`` draws many reservoirs and stacks their statistics; a linear
read-out on them (``classifier``, ``ridge``) is the classifier.

The states come from the engine (``frnn.forward``); the pre-activations are recomputed
from them in one product, s(t) = W u(t) + b + R a(t−1).
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass

import numpy as np

from ..data.inputs import mask
from ..data.inputs import windows as _windows
from ..engine.network import forward

__all__ = ["Reservoir", "draw_reservoir", "pool", "run", "windows"]

STATISTICS = ("mean", "max", "last", "ppv")  # what pool can compute
DEFAULT_STATISTICS = ("mean", "max", "ppv")  # chosen by CV (benchmarks/select_defaults.py)

# Pre-activation values (B·T'·I) held at once while a batch of series runs through one
# reservoir: bounds memory whatever n and T are (8 MiB of float64 per buffer).
BATCH_VALUES = 2**20

ENGINE = "auto"  # the engine's time loop for the states (frnn.forward's ``engine``)


@dataclass
class Reservoir:
    """One fixed random network and how it reads a series.

    Attributes
    ----------
    W : (I, m·D) input weights
    R : (I, I) recurrent weights, spectral radius ``rho``
    b : (I,) bias
    taps, spacing, stride : ints: step t' reads the samples t'·stride + j·spacing, j < taps
    channel : {"x", "diff"}, the z-normalised series or its first difference
    theta : (I, k) PPV thresholds per unit (set by ``ReservoirFeatures.fit``)
    """

    W: np.ndarray
    R: np.ndarray
    b: np.ndarray
    taps: int
    spacing: int
    stride: int
    channel: str
    theta: np.ndarray | None = None


def windows(x: np.ndarray, lengths: np.ndarray, res: Reservoir) -> tuple[np.ndarray, np.ndarray]:
    """The reservoir's inputs: step t' reads samples t'·stride + j·spacing, j < taps.

    (n, T, D) -> u (n, ⌈T/stride⌉, taps·D), zero beyond each series' end, and the steps
    (n,) = ⌈T_i/stride⌉ (:func:`frnn.data.inputs.windows` with the reservoir's window).
    """
    return _windows(x, lengths, res.taps, res.spacing, res.stride)


def draw_reservoir(
    rng, D: int, units: int, window: tuple, channel: str, scale: float, rho: float, centred=False
):
    """Draw W ~ N(0, scale²/(k·D)), R ~ N(0, 1/I) rescaled to spectral radius rho, b ~ U(−1, 1).

    ``window`` is (taps k, spacing, stride).  With z-normalised inputs each entry of W u(t)
    then has standard deviation ≈ scale.
    """
    k = window[0]
    W = rng.standard_normal((units, k, D))  # (I, k, D)
    if centred and k > 1:  # each unit's weights sum to zero over the taps: blind to level
        W -= W.mean(axis=1, keepdims=True)
    W = W.reshape(units, k * D) * (scale / math.sqrt(k * D))  # (I, k·D)
    R = rng.standard_normal((units, units)) / math.sqrt(units)  # (I, I)
    radius = np.max(np.abs(np.linalg.eigvals(R)))
    R *= rho / max(radius, 1e-12)
    b = rng.uniform(-1.0, 1.0, size=units)  # (I,)
    return Reservoir(W, R, b, *window, channel)


def run(res: Reservoir, u: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States a(t) and pre-activations s(t) of one reservoir over framed inputs.

    Parameters
    ----------
    u : (B, T', m·D) framed inputs, zero-padded
    steps : (B,) each series' number of frames, in [1, T']

    Returns
    -------
    A, S : (B, T', I) each; zero where padded
    """
    I = len(res.b)
    net = types.SimpleNamespace(W=res.W, R=res.R, b=res.b, V=np.zeros((1, I)), c=np.zeros(1))
    forward(net, u, None, lengths=steps, engine=ENGINE)
    A = net.a  # (B, T', I)
    B, T, _ = A.shape
    S = (u.reshape(B * T, -1) @ res.W.T).reshape(B, T, I) + res.b  # W u(t) + b, one product
    S[:, 1:] += (A.reshape(B * T, I) @ res.R.T).reshape(B, T, I)[:, :-1]  # + R a(t−1)
    if steps.min() < S.shape[1]:
        S[~mask(S, steps)] = 0.0
    return A, S


def pool(A: np.ndarray, S: np.ndarray, steps: np.ndarray, theta, statistics) -> np.ndarray:
    """Per-unit statistics over the real steps: (B, T', I) -> (B, n_stat·I) features."""
    real = None if steps.min() == A.shape[1] else mask(A, steps)[:, :, None]  # (B, T', 1)
    out = []
    for name in statistics:
        if name == "mean":
            out.append(np.ones(A.shape[1]) @ A / steps[:, None])  # (B, I); padding is zero
        elif name == "max":
            out.append((A if real is None else np.where(real, A, -np.inf)).max(axis=1))
        elif name == "last":
            out.append(A[np.arange(len(A)), steps - 1])  # (B, I)
        else:  # ppv: the share of real steps on which s(t) > θ, per unit and threshold
            counts = np.empty(theta.shape[::-1] + (len(A),))  # (k, I, B)
            for j in range(theta.shape[1]):
                above = S > theta[:, j]  # (B, T', I)
                if real is not None:
                    above &= real
                counts[j] = above.sum(axis=1).T
            out.append((counts / steps).transpose(2, 1, 0).reshape(len(A), -1))  # (B, I·k)
    return np.concatenate(out, axis=1)
