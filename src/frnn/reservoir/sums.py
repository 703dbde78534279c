"""The reservoir read-out from sums over series: chunk by chunk, the same fit.

    f̂ = (f − mean) / scale,   Ĝ = Σ_i w_i (f̂_i − μ̂)(f̂_i − μ̂)ᵀ,   Ĉ = Σ_i w_i (f̂_i − μ̂)(y_i − ν)ᵀ

Everything the ridge read-out (:mod:`frnn.reservoir.readout`) needs but the leave-one-out
residuals is a sum over series, and sums merge: each chunk's features make a
:class:`ReadoutSums` (centred on the chunk's own means), two merge exactly by Chan, Golub
and LeVeque's pairwise update (centred sums never subtract two large numbers), and the
merged sums give the scaling, Ĝ (p, p) and Ĉ (p, K) of all the series at once — the
FcᵀFc and FcᵀYc of :func:`frnn.reservoir.ridge.ridge_loo`, without any (n, p) array.

:func:`solve` decomposes Ĝ = V diag(s²) Vᵀ (:func:`~frnn.reservoir.ridge.eigenbasis`, the
primal form of ridge_loo's spectrum) into a :class:`Basis`.  A leave-one-out residual
needs each series' own hat value h_ii = Σ_j U_ij² s_j²/(s_j² + α) + w_i/Σw, with U's row
U_i = √w_i (f̂_i − μ̂) V / s: a second pass over the chunks (:func:`loo_sums`) computes
those rows, the residuals by ridge_loo's own formula
(:func:`~frnn.reservoir.ridge.loo_residuals`), and returns only their sums per α.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

import numpy as np

from .ridge import RidgeFit, eigenbasis, loo_residuals, primal

__all__ = [
    "Basis",
    "ReadoutSums",
    "feature_scaling",
    "guarded_scale",
    "loo_sums",
    "solve",
    "squared_deviations",
]


def feature_scaling(F: np.ndarray, shrink: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale (p,) of the features F (n, p); a constant feature gets scale 1
    (:func:`guarded_scale`).

    With ``shrink`` = k > 0 each feature's variance is pulled towards the median of all
    of them, (n·var + k·median) / (n + k), as if k more series had the median spread:
    from very few series a feature's spread is mostly chance (from two, every feature's
    is half the two values' difference, and scaling to it weighs them all alike).
    """
    n, mean = len(F), F.mean(axis=0)  # (p,)
    var = squared_deviations(F, mean) / n  # (p,): F.var(axis=0), bit for bit
    if not shrink:
        return mean, guarded_scale(np.sqrt(var))
    pulled = (n * var + shrink * np.median(var)) / (n + shrink)  # (p,)
    return mean, guarded_scale(np.sqrt(pulled))


#: Rows of F a pass of :func:`squared_deviations`: a block of them at a time, not an (n, p)
#: temporary.  Fresh memory costs a page fault a page, and on a virtual machine that hands
#: freed memory back to its host (as this 2-core one does: 9 µs a 4 KiB page, 0.6 s for
#: the features of 3,000 series against 0.08 s for the arithmetic) that is most of the time.
ROWS = 64


def squared_deviations(F: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Σ_i (f_i − mean)² (p,) over the rows of F (n, p), in blocks of ``ROWS`` rows.

    The same sums as ``((F - mean) ** 2).sum(axis=0)``, bit for bit: numpy adds the rows
    of a C-ordered array one after another along axis 0, and each block's sum starts from
    the sum so far (its row 0 of the buffer), so the additions come in the same order.
    """
    n, p = F.shape
    if n == 0 or not F.flags.c_contiguous:  # numpy's own order of additions, in one go
        return ((F - mean) ** 2).sum(axis=0)
    buffer = np.empty((min(n, ROWS) + 1, p))  # row 0: the sum so far
    total = None
    for start in range(0, n, ROWS):
        block = F[start : start + ROWS]
        squares = buffer[1 : len(block) + 1]
        np.subtract(block, mean, out=squares)
        np.multiply(squares, squares, out=squares)
        if total is None:
            total = squares.sum(axis=0)
        else:
            buffer[0] = total
            total = buffer[: len(block) + 1].sum(axis=0)
    return total


def guarded_scale(std: np.ndarray) -> np.ndarray:
    """Each feature's scale (p,) from its standard deviation; a constant feature gets 1.

    Reservoir features are pooled tanh states and proportions, all of order one: a spread
    below 1e-12 is round-off, which scaling to unit variance would only amplify.
    """
    std[std < 1e-12] = 1.0  # a constant feature stays zero
    return std


@dataclass
class ReadoutSums:
    """Sums over n series of their raw features f (p,), targets y (K,) and weights w.

    Attributes
    ----------
    n : series
    mean, m2 : (p,) Σ f / n and Σ (f − mean)²: the features' scaling
    weight : Σ w
    mu : (p,) Σ w f / Σ w
    nu : (K,) Σ w y / Σ w
    S : (p, p) Σ w (f − mu)(f − mu)ᵀ
    C : (p, K) Σ w (f − mu)(y − nu)ᵀ
    """

    n: int
    mean: np.ndarray
    m2: np.ndarray
    weight: float
    mu: np.ndarray
    nu: np.ndarray
    S: np.ndarray
    C: np.ndarray

    @classmethod
    def of(cls, F: np.ndarray, Y: np.ndarray, sample_weight=None) -> ReadoutSums:
        """The sums of features F (n, p), targets Y (n, K) and weights (n,) or None."""
        F = np.asarray(F, dtype=np.float64)  # float32 states too: the sums in float64
        n = len(F)
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        mean = F.mean(axis=0)  # (p,)
        m2 = squared_deviations(F, mean)  # (p,)
        weight = float(w.sum())
        if weight > 0:
            mu, nu = w @ F / weight, w @ Y / weight  # (p,), (K,)
        else:  # weightless series: nothing to centre on, nothing they add
            mu, nu = np.zeros(F.shape[1]), np.zeros(Y.shape[1])
        Fc = F - mu  # (n, p)
        S = Fc.T @ (w[:, None] * Fc)  # (p, p)
        C = Fc.T @ (w[:, None] * (Y - nu))  # (p, K)
        return cls(n, mean, m2, weight, mu, nu, S, C)

    def add(self, other: ReadoutSums) -> Self:
        """These sums and ``other``'s, merged in place (``other`` is left as it was).

        Chan, Golub and LeVeque's update: with δ the difference of the two means and
        c = W_a W_b / (W_a + W_b), S = S_a + S_b + c δ δᵀ (and likewise m2, C).
        """
        n = self.n + other.n
        d = other.mean - self.mean  # (p,)
        self.m2 += other.m2
        self.m2 += d**2 * (self.n * other.n / n)
        self.mean += d * (other.n / n)
        W = self.weight + other.weight
        if W > 0:
            c = self.weight * other.weight / W
            df, dy = other.mu - self.mu, other.nu - self.nu  # (p,), (K,)
            self.S += other.S
            self.S += np.outer(c * df, df)  # (p, p)
            self.C += other.C
            self.C += np.outer(c * df, dy)  # (p, K)
            self.mu += df * (other.weight / W)
            self.nu += dy * (other.weight / W)
        self.n, self.weight = n, W
        return self


@dataclass
class Basis:
    """Merged sums solved up to α: the scaling and Ĝ's spectrum.

    Attributes
    ----------
    mean, scale : (p,) the features' scaling, as :func:`feature_scaling`
    mu : (p,) μ̂, the weighted mean of the scaled features
    nu : (K,) ν, the weighted mean of the targets
    weight : Σ w
    V, s2 : (p, r), (r,) Ĝ's eigenvectors and eigenvalues above round-off
    UtY : (r, K) Uᵀ Yc = diag(1/s) Vᵀ Ĉ
    """

    mean: np.ndarray
    scale: np.ndarray
    mu: np.ndarray
    nu: np.ndarray
    weight: float
    V: np.ndarray
    s2: np.ndarray
    UtY: np.ndarray

    def fit(self, alpha: float, loo_error: np.ndarray) -> RidgeFit:
        """V, c at penalty α (ridge_loo's coefficients, in its primal form).

        The leave-one-out predictions are not kept (they are one row per series);
        ``loo_error`` is the error per α that chose α.
        """
        coef = primal(self.V, self.s2)(self.UtY / (self.s2 + alpha)[:, None])  # (p, K)
        K = self.UtY.shape[1]
        return RidgeFit(coef, self.nu - self.mu @ coef, float(alpha), np.empty((0, K)), loo_error)


def solve(sums: ReadoutSums) -> Basis:
    """The scaling and the spectrum of Ĝ from the sums over every series."""
    mean, scale = sums.mean.copy(), guarded_scale(np.sqrt(sums.m2 / sums.n))
    G = sums.S / scale[:, None]
    G /= scale[None, :]  # (p, p) = FcᵀFc of the scaled features
    V, s2 = eigenbasis(G)
    del G
    UtY = (V.T @ (sums.C / scale[:, None])) / np.sqrt(s2)[:, None]  # (r, K)
    return Basis(mean, scale, (sums.mu - mean) / scale, sums.nu.copy(), sums.weight, V, s2, UtY)


def loo_sums(
    basis: Basis,
    F: np.ndarray,
    Y: np.ndarray,
    alphas,
    sample_weight=None,
    losses: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """One chunk's share of the leave-one-out errors: its series' features F (n, p),
    targets Y (n, K) and weights (n,) or None, against the basis of every series.

    Returns
    -------
    errors : (m,) Σ_i w_i ‖e_i‖² for each of the m alphas
    scores : (m, ...) ``losses(loo)`` of the leave-one-out outputs (n, K) at each α
        (the softmax's log-loss per temperature), or None without ``losses``
    """
    n = len(F)
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    root = np.sqrt(w)[:, None]  # (n, 1)
    Fc = root * ((F - basis.mean) / basis.scale - basis.mu)  # (n, p)
    U = (Fc @ basis.V) / np.sqrt(basis.s2)  # (n, r)
    Yc = root * (Y - basis.nu)  # (n, K)
    errors, scores = np.empty(len(alphas)), []
    for j, alpha in enumerate(alphas):
        shrink = basis.s2 / (basis.s2 + alpha)  # (r,)
        e = loo_residuals(U, shrink, basis.UtY, Yc, root, w / basis.weight)  # (n, K)
        errors[j] = float((w[:, None] * e**2).sum())
        if losses is not None:
            scores.append(losses(Y - e))
    return errors, (np.array(scores) if losses is not None else None)
