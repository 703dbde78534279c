"""The reservoirs' statistics over time, by their definition in numpy: the plain path's
pooling of stored states, which the compiled loop (``kernels.pooled``) reproduces.

Over the real steps t < T' of a series, per unit u (and threshold θ for the thresholded):

    mean = Σ a(t) / T'    max = max a(t)    last = a(T' − 1)
    ramp = Σ r(t) a(t) / T',  r(t) = (2t + 1)/T' − 1: the states' trend
    ppv  = #{t : s(t) > θ} / T'                              (ROCKET's)
    mpv  = Σ (s(t) − θ) over s(t) > θ / #{s(t) > θ}, 0 if none  (MultiRocket's, per θ)
    mipv = the mean of (t + ½)/T' over s(t) > θ, −1 if none     (where it happens)
    lspv = the longest stretch of consecutive steps with s(t) > θ, / T'
    wins = #{t : s_u(t) − b_u is the largest of u's group} / T'   (losses: the smallest)

The groups of ``wins`` and ``losses`` are ``GROUP`` consecutive units (the last may hold
fewer): Hydra's counting of which kernel of a group responds most, with the reservoir's
units as the kernels, compared on W u(t) + R a(t−1) (without the bias b, which would
otherwise decide the contest whatever the input).  A unit tied for the extreme counts too.
"""

from __future__ import annotations

import numpy as np

from ..data.inputs import mask

__all__ = [
    "DEFAULT_STATISTICS",
    "GROUP",
    "STATISTICS",
    "THRESHOLDED",
    "n_features",
    "pool",
    "window",
]

STATISTICS = ("mean", "max", "last", "ppv", "ramp", "mpv", "mipv", "lspv", "wins", "losses")
DEFAULT_STATISTICS = ("mean", "max", "ppv", "ramp")  # chosen by CV (benchmarks/select_defaults.py)
THRESHOLDED = ("ppv", "mpv", "mipv", "lspv")  # one value per unit and threshold
GROUP = 8  # units per group of "wins" and "losses" (the compiled loop's too)


def n_features(I: int, k: int, statistics) -> int:
    """Features per reservoir of I units and k thresholds: I·k per thresholded statistic."""
    return sum(I * k if name in THRESHOLDED else I for name in statistics)


def pool(A: np.ndarray, S: np.ndarray, steps: np.ndarray, theta, statistics, b=None):
    """Per-unit statistics over the real steps: (B, T', I) -> (B, p) features, p =
    ``n_features(I, k, statistics)``; thresholded ones unit-major (θ (I, k)); b (I,) the
    bias that "wins" and "losses" take out of s (None: zero)."""
    real = None if steps.min() == A.shape[1] else mask(A, steps)[:, :, None]  # (B, T', 1)
    out = []
    for name in statistics:
        if name == "mean":
            out.append(np.ones(A.shape[1]) @ A / steps[:, None])  # (B, I); padding is zero
        elif name == "max":
            out.append((A if real is None else np.where(real, A, -np.inf)).max(axis=1))
        elif name == "last":
            out.append(A[np.arange(len(A)), steps - 1])  # (B, I)
        elif name == "ramp":  # a(t)'s trend: Σ r(t) a(t) / steps, r from −1 to 1 over the series
            r = (2.0 * np.arange(A.shape[1]) + 1.0) / steps[:, None] - 1.0  # (B, T')
            out.append((r[:, None, :] @ A)[:, 0] / steps[:, None])  # (B, I); padding is zero
        elif name in THRESHOLDED:
            values = np.stack([_thresholded(S, real, steps, th, name) for th in theta.T])
            out.append(values.transpose(1, 2, 0).reshape(len(A), -1))  # (B, I·k)
        else:
            drive = S if b is None else S - b  # W u(t) + R a(t−1)
            out.append(_ranks(drive, real, steps, np.max if name == "wins" else np.min))
    return np.concatenate(out, axis=1)


def window(A: np.ndarray, S: np.ndarray, steps: np.ndarray, first: np.ndarray) -> tuple:
    """Each series' steps [first, steps) of its states A and pre-activations S (B, T', I),
    moved to step 0 and zero after, as a series of ``steps − first`` steps: ``pool`` of
    them is the statistics over the window of the run (a window from step 0: A and S
    themselves).  first (B,) in [0, steps)."""
    if not np.any(first):
        return A, S
    index = first[:, None] + np.arange(A.shape[1])  # (B, T')
    inside = (index < steps[:, None])[:, :, None]  # (B, T', 1)
    index = np.minimum(index, A.shape[1] - 1)[:, :, None]
    return tuple(np.where(inside, np.take_along_axis(V, index, axis=1), V.dtype.type(0))
                 for V in (A, S))  # fmt: skip


def _thresholded(S, real, steps, theta, name) -> np.ndarray:
    """One threshold per unit, θ (I,): the statistic of s(t) > θ, (B, T', I) -> (B, I)."""
    above = S > theta  # (B, T', I)
    if real is not None:
        above &= real
    count = above.sum(axis=1)  # (B, I)
    if name == "ppv":
        return count / steps[:, None]
    if name == "lspv":
        now, longest = np.zeros(count.shape), np.zeros(count.shape)  # (B, I) each
        for t in range(S.shape[1]):
            now = (now + 1.0) * above[:, t]
            np.maximum(longest, now, out=longest)
        return longest / steps[:, None]
    some = np.maximum(count, 1)
    if name == "mpv":
        return np.where(above, S - theta, 0.0).sum(axis=1) / some
    t = np.arange(S.shape[1], dtype=np.float64)  # mipv
    mean = ((t[None, :, None] * above).sum(axis=1) / some + 0.5) / steps[:, None]
    return np.where(count > 0, mean, -1.0)


def _ranks(S, real, steps, extreme) -> np.ndarray:
    """The share of real steps on which each unit's s(t) is its group's ``extreme``."""
    I = S.shape[2]
    parts = []
    for g0 in range(0, I, GROUP):
        group = S[:, :, g0 : g0 + GROUP]  # (B, T', g)
        hit = group == extreme(group, axis=2, keepdims=True)
        if real is not None:
            hit &= real
        parts.append(hit.sum(axis=1))  # (B, g)
    return np.concatenate(parts, axis=1) / steps[:, None]  # (B, I)
