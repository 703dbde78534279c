"""One random reservoir: a fixed fully recurrent network, its states and their statistics.

Each reservoir r is a fully recurrent network with W, R and b drawn once and kept fixed:

    s(t) = W u(t) + R a(t−1) + b,   a(t) = tanh(s(t)),   a(0) = 0

where u(t) is a frame of m_r consecutive samples of the series (z-normalised, or its first
difference), so one step of the network reads m_r·D inputs and the clock runs m_r times
slower: the frame size plays the part of ROCKET's dilation.  The states of every reservoir
are pooled over time into a few statistics per unit (``pooling``): the mean and maximum of
a(t), the last state a(T), and the proportion of positive values of s(t) − θ ("PPV") for
thresholds θ drawn, as ROCKET draws its biases, from quantiles of s on random training
series, among others.
``features`` draws many reservoirs and stacks their statistics; a linear
read-out on them (``classifier``, ``ridge``) is the classifier.

Two paths compute the same features.  The plain one: the states come from the engine
(``frnn.forward``), the pre-activations are recomputed from them in one product,
s(t) = W u(t) + b + R a(t−1), and ``pool`` reduces the stored (B, T', I) arrays.  The
compiled one (``kernels.pooled``) pools each step as it is computed and stores nothing;
``features`` runs it for float32 series where numba works.  float64 series take the plain
path, whose features model files of float64 reservoirs were fitted on, bit for bit.
"""

from __future__ import annotations

import functools
import math
import types
from dataclasses import dataclass

import numpy as np

from ..data.inputs import mask
from ..data.inputs import windows as _windows
from ..engine import disk_cache, fallback
from ..engine.network import forward
from .pooling import DEFAULT_STATISTICS, STATISTICS, n_features, pool, window

__all__ = [
    "DEFAULT_STATISTICS",
    "STATISTICS",
    "Reservoir",
    "compiled",
    "draw_reservoir",
    "draw_unscaled",
    "features",
    "pool",
    "pre_activations",
    "recurrent",
    "run",
    "side_by_side",
    "window_starts",
    "windows",
]


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

    Parameters
    ----------
    x : (n, T, D) array
        The series the reservoir reads (its channel), zero-padded after each one's end.
    lengths : (n,) int array
        The true lengths T_i.
    res : Reservoir
        Gives the window: ``taps``, ``spacing`` and ``stride``.

    Returns
    -------
    u : (n, ⌈T/stride⌉, taps·D) array of x's dtype
        The inputs u(t'), step t' holding its taps one after another (D values each).
    steps : (n,) int array
        ⌈T_i/stride⌉, each series' number of steps.
    """
    return _windows(x, lengths, res.taps, res.spacing, res.stride)


def draw_reservoir(
    rng,
    D: int,
    units: int,
    window: tuple,
    channel: str,
    scale: float,
    rho: float,
    centred=False,
    recurrence="gaussian",
):
    """Draw W ~ N(0, scale²/(k·D)), R of spectral radius rho, b ~ U(−1, 1).

    ``window`` is (taps k, spacing, stride).  With z-normalised inputs each entry of W u(t)
    then has standard deviation ≈ scale.  ``recurrence``: "gaussian", R ~ N(0, 1/I)
    rescaled to radius rho (eigenvalues spread over the disc), or "orthogonal", rho times a
    Haar-random orthogonal matrix: every eigenvalue on the circle |λ| = rho, as a linear
    recurrent unit starts, so no direction of the state forgets faster than rho^t.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws W, then R, then b.
    D : int
        Channels per sample of the series.
    units : int
        I, the reservoir's units.
    window : (taps, spacing, stride)
        Step t' reads the samples t'·stride + j·spacing, j < taps (k = taps).
    channel : str
        What the reservoir reads ("x", "diff" or "level"), kept in the reservoir.
    scale : float
        The input scale: W's standard deviation is scale / √(k·D).
    rho : float
        R's spectral radius.
    centred : bool, default False
        With k > 1, each unit's weights are made to sum to zero over the taps (blind to the
        level of the series).
    recurrence : {"gaussian", "orthogonal"}, default "gaussian"
        Any value other than "orthogonal" gives the Gaussian R (unchecked here).

    Returns
    -------
    Reservoir
        W (I, k·D), R (I, I), b (I,), the window and the channel; ``theta`` None.
    """
    res = draw_unscaled(rng, D, units, window, channel, scale, centred)
    res.R = recurrent(res.R[None], np.array([rho]), recurrence)[0]
    return res


def draw_unscaled(rng, D, units, window, channel, scale, centred=False) -> Reservoir:
    """``draw_reservoir``'s W, b and its R ~ N(0, 1/I) before ``recurrent`` shapes it."""
    k = window[0]
    W = rng.standard_normal((units, k, D))  # (I, k, D)
    if centred and k > 1:  # each unit's weights sum to zero over the taps: blind to level
        W -= W.mean(axis=1, keepdims=True)
    W = W.reshape(units, k * D) * (scale / math.sqrt(k * D))  # (I, k·D)
    R = rng.standard_normal((units, units)) / math.sqrt(units)  # (I, I)
    b = rng.uniform(-1.0, 1.0, size=units)  # (I,)
    return Reservoir(W, R, b, *window, channel)


def recurrent(R: np.ndarray, rho: np.ndarray, recurrence: str) -> np.ndarray:
    """Gaussian R (r, I, I) made the recurrent weights of radius rho (r,): rescaled
    ("gaussian"), or rho times their QR factor Q ("orthogonal"), every matrix at once."""
    if recurrence == "orthogonal":
        Q, upper = np.linalg.qr(R)  # (r, I, I) each
        signs = np.where(np.diagonal(upper, axis1=1, axis2=2) < 0, -1.0, 1.0)  # (r, I)
        return rho[:, None, None] * Q * signs[:, None, :]  # signs fixed: the Haar measure
    radius = np.abs(np.linalg.eigvals(R)).max(axis=1)  # (r,)
    return R * (rho / np.maximum(radius, 1e-12))[:, None, None]


def run(res: Reservoir, u: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States a(t) and pre-activations s(t) of one reservoir over framed inputs.

    Parameters
    ----------
    res : Reservoir
        Its weights W (I, m·D), R (I, I) and b (I,), as :func:`draw_reservoir` draws them.
    u : (B, T', m·D) framed inputs, zero-padded; float64, or float32 to run the
        reservoir in float32 (its weights cast)
    steps : (B,) each series' number of frames, in [1, T']

    Returns
    -------
    A, S : (B, T', I) each, in u's dtype; zero where padded
    """
    I = len(res.b)
    W, R, b = (v.astype(u.dtype, copy=False) for v in (res.W, res.R, res.b))
    V, c = np.zeros((1, I), dtype=u.dtype), np.zeros(1, dtype=u.dtype)
    net = types.SimpleNamespace(W=W, R=R, b=b, V=V, c=c)
    forward(net, u, None, lengths=steps, engine=ENGINE)
    A = net.a  # (B, T', I)
    B, T, _ = A.shape
    S = (u.reshape(B * T, -1) @ W.T).reshape(B, T, I) + b  # W u(t) + b, one product
    S[:, 1:] += (A.reshape(B * T, I) @ R.T).reshape(B, T, I)[:, :-1]  # + R a(t−1)
    if steps.min() < S.shape[1]:
        S[~mask(S, steps)] = 0.0
    return A, S


@functools.cache
def compiled():
    """The compiled loops (``kernels``), or None where numba cannot import or compile them.

    Decided once per process by a tiny call of each loop (compiled now, or loaded from
    numba's disk cache); a cache that cannot be read is dropped and the loops compiled anew.
    """
    try:
        from . import kernels
    except Exception as error:  # ImportError, or numba failing to load on this platform
        fallback.unusable("reservoir loops", error)
        return None
    disk_cache.guard(kernels)  # before the first compile: workers may save side by side
    for attempt in range(2):
        try:
            _trial(kernels)
            return kernels
        except Exception as error:  # a numba error, or a corrupt file in numba's cache
            if attempt:
                fallback.unusable("reservoir loops", error)
                return None
            for loop in (kernels.pooled, kernels.pre_activations):
                loop._cache.flush()  # forget the cache's index: compile and write afresh
    return None


def _trial(kernels) -> None:
    res = Reservoir(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros(1), 1, 1, 1, "x", np.zeros((1, 1)))
    x, lengths = np.zeros((1, 1, 1), dtype=np.float32), np.ones(1, dtype=np.intp)
    _compiled_features(kernels, res, x, lengths, DEFAULT_STATISTICS)
    _compiled_pre_activations(kernels, res, x, lengths)


def _arguments(res: Reservoir, dtype) -> tuple:
    """The compiled loops' view of a reservoir: [R W] and b in ``dtype``, and its window."""
    M = np.ascontiguousarray(np.hstack([res.R, res.W]), dtype=dtype)  # (I, I + taps·D)
    return M, res.b.astype(dtype), res.taps, res.spacing, res.stride


def side_by_side(x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The series as the compiled loop reads them: (n, T, D) -> xt (T, D, n), the series
    by decreasing length (``order`` (n,)) and zero past each one's end, so that one step of
    a block of series is a contiguous row."""
    order = np.argsort(-lengths, kind="stable")
    real = mask(x, lengths[order]).T[:, None, :]  # (T, 1, n)
    xt = np.where(real, x[order].transpose(1, 2, 0), x.dtype.type(0))  # (T, D, n)
    return np.ascontiguousarray(xt), order


def _compiled_features(kernels, res: Reservoir, x, lengths, statistics, lanes=None, first=None):
    """``features``' compiled loop: (n, p), or with ``first`` (n,) that and the windows'."""
    I, k = res.theta.shape
    xt, order = side_by_side(x, lengths) if lanes is None else lanes
    M, b, *window = _arguments(res, x.dtype)
    thetaT = np.ascontiguousarray(res.theta.T, dtype=x.dtype)  # (k, I)
    codes = np.array([kernels.CODES[name] for name in statistics], dtype=np.int64)
    p = n_features(I, k, statistics)
    out = np.empty((len(x), p), dtype=x.dtype)
    opens = np.zeros(0, np.intp) if first is None else np.asarray(first, dtype=np.intp)  # (n,)
    wout = np.empty((len(opens), p), dtype=x.dtype)  # no rows: no window
    kernels.pooled(xt, lengths, order, M, b, thetaT, *window, codes, out, opens, wout)
    return out if first is None else (out, wout)


def _compiled_pre_activations(kernels, res: Reservoir, x, lengths) -> np.ndarray:
    steps = -(-x.shape[1] // res.stride)
    S = np.empty((len(x), steps, len(res.b)), dtype=x.dtype)
    M, b, *window = _arguments(res, x.dtype)
    return kernels.pre_activations(x, lengths, np.ascontiguousarray(M.T), b, *window, S)


def features(res: Reservoir, x: np.ndarray, lengths: np.ndarray, statistics, lanes=None,
             widths=None):  # fmt: skip
    """One reservoir's pooled statistics of the series x: (n, T, D) -> (n, p), x's dtype.

    float32 series run through the compiled loop where numba works; float64 ones (and
    float32 ones without numba) through the plain path, ``run`` then ``pool``, in batches
    of bounded memory.  x is zero beyond each series' length (lengths (n,)); ``lanes``, if
    given, is ``side_by_side(x, lengths)`` (made once for many reservoirs).  With
    ``widths`` (n,) (samples, each in [1, the series' length]), also each series'
    statistics over the last steps of the same run that read its last ``widths`` samples
    (:func:`window_starts`): a second (n, p) array.
    """
    loops = compiled() if x.dtype == np.float32 else None
    first = None if widths is None else window_starts(lengths, widths, res.stride)
    if loops is not None:
        return _compiled_features(loops, res, x, lengths, statistics, lanes, first)
    steps_max = -(-x.shape[1] // res.stride)
    size = max(1, BATCH_VALUES // (steps_max * max(len(res.b), res.taps * x.shape[2])))
    parts, window_parts = [], []
    for start in range(0, len(x), size):
        part = slice(start, start + size)
        u, steps = windows(x[part], lengths[part], res)
        A, S = run(res, u, steps)
        parts.append(pool(A, S, steps, res.theta, statistics, res.b).astype(x.dtype, copy=False))
        if first is not None:
            Aw, Sw = window(A, S, steps, first[part])
            pooled = pool(Aw, Sw, steps - first[part], res.theta, statistics, res.b)
            window_parts.append(pooled.astype(x.dtype, copy=False))
    out = np.concatenate(parts, axis=0)  # (n, p)
    return out if first is None else (out, np.concatenate(window_parts, axis=0))


def window_starts(lengths: np.ndarray, widths: np.ndarray, stride: int) -> np.ndarray:
    """The first step (n,) of each series' window: ⌈w/stride⌉ steps before its run's end,
    the steps a series of its last w samples would run (those very inputs where stride is 1).

    Parameters
    ----------
    lengths, widths : (n,) int arrays
        The series' lengths and their windows' widths in samples, 1 ≤ w ≤ length.
    stride : int
        The reservoir's stride.

    Returns
    -------
    (n,) intp array
        ⌈length/stride⌉ − ⌈w/stride⌉, in [0, the series' steps).
    """
    return (-(-np.asarray(lengths) // stride) - -(-np.asarray(widths) // stride)).astype(np.intp)


def pre_activations(res: Reservoir, x: np.ndarray, lengths: np.ndarray) -> tuple:
    """s(t) of the series x (n, T, D) through the reservoir: S (n, T', I) in x's dtype, zero
    past each series' steps, and the steps (n,); compiled for float32 as ``features``."""
    loops = compiled() if x.dtype == np.float32 else None
    if loops is not None:
        S = _compiled_pre_activations(loops, res, np.ascontiguousarray(x), lengths)
        return S, -(-lengths // res.stride)
    u, steps = windows(x, lengths, res)
    return run(res, u, steps)[1], steps
