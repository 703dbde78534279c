"""Ridge regression with α chosen by exact, efficient leave-one-out: the linear read-out.

    min_{V, c}  Σ_i w_i ‖y_i − V f_i − c‖² + α ‖V‖²

For each α on a grid, the leave-one-out residuals come from one eigendecomposition,
e_i = (y_i − ŷ_i) / (1 − h_ii) with h_ii the hat matrix's diagonal (Allen's PRESS, as in
scikit-learn's ``RidgeCV``), and α is the one of least leave-one-out squared error.
Optionally a block of columns is weighted too: the columns in ``others`` multiplied by a
weight ω from a grid (a penalty α/ω² on their coefficients, α on the rest), the pair (ω, α)
of least leave-one-out error kept; the Gram matrix is then formed once per block and only
the eigendecomposition repeats per ω.  Beyond ``OMEGA_SERIES`` series (and features) ω is
chosen on that many of them, drawn at random with a fixed seed, and α on all: each ω's
O(min(n, p)³) eigendecomposition would otherwise dominate the whole fit.  The
leave-one-out predictions are returned too: the classifier calibrates its probabilities on
them.  The decomposition is of the n×n Gram matrix when n ≤ p and of the p×p covariance
otherwise, so the cost is O(n·p·min(n, p)).

With ``groups`` the rows beyond the first n are extra rows of the n series (the
classifier's crops, :mod:`frnn.reservoir.crops`): they join the fit, and the
leave-one-out leaves each series out *with* its rows, exactly, from each group's k × k
block of the hat matrix, e_S = (I − H_SS)⁻¹ r_S (:func:`grouped_residuals`); the error
that chooses ω and α is that of the n series alone.

With ``gap`` = h > 0 the n rows are consecutive windows of one series (:func:`frnn.data.windows`,
neighbours sharing values): leave-one-out would keep a left-out window's neighbours, which
hold almost all its values and its target, in the fit, and choose α too small.  The rows are
then cut into consecutive blocks, each left out with h rows either side (hv-block
cross-validation, Burman, Chow & Nolan 1994; Racine 2000), exactly, by the same
e_S = (I − H_SS)⁻¹ r_S (:func:`tiles`), and each row's residual is that of the fit without
its block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ALPHAS",
    "RidgeFit",
    "eigenbasis",
    "grouped_residuals",
    "loo_residuals",
    "primal",
    "ridge_loo",
    "tiles",
]

ALPHAS = np.logspace(-3, 3, 10)  # the penalties tried by default: MiniRocket's grid
# Series (and features) beyond which ω is chosen on a subsample of this many: the rest of
# the fit then costs one eigendecomposition of all n, as scikit-learn's RidgeCV
# (MiniRocket's read-out) does, where the five ω cost five.  Measured
# (benchmarks/omega_subsample.py, 13 generated tasks and the digits, held-out accuracy;
# reservoir_classifier.md §22): at 750 and 1,000 series (seeds 0-5) 500 moved a third of
# the ω that every series chose and kept the accuracy (14 better / 9 worse of 168 fits,
# sign test p = 0.40; mean 0.9337 / 0.9336); beyond 1,000 series, no significant
# change either (500 against 1,000 at 1,500 and 3,000: 3 better / 9 worse,
# p = 0.15).  It took the fit of 1,000 series of Crop's shape from 1.61 to 1.06 times
# MiniRocket's, 1,500 from 1.51 to 0.94 (benchmarks/large_n_fit.py).  Was 1,000 (§18).
OMEGA_SERIES = 500

# Values (α × rows × r) of U's rows scaled by each α's shrinkage that the grouped
# leave-one-out holds at once (32 MiB): every α at once for the crops' few series (one
# batched solve instead of ten small ones), one α at a time where the rows are many.
GROUPED_VALUES = 2**22


@dataclass
class RidgeFit:
    """A fitted read-out z = F @ coef + intercept.

    Attributes
    ----------
    coef : (p, K)
    intercept : (K,)
    alpha : the chosen penalty
    loo : (n, K) leave-one-out predictions at that α
    loo_error : (n_alphas,) mean weighted leave-one-out squared error per α (at ω)
    weight : ω, the chosen weight of the ``others`` columns (1 without them); ``coef``
        applies to those columns multiplied by ω
    gap : the rows left out either side of each row's block in ``loo`` (:func:`tiles`);
        0: plain leave-one-out (or the groups')
    """

    coef: np.ndarray
    intercept: np.ndarray
    alpha: float
    loo: np.ndarray
    loo_error: np.ndarray
    weight: float = 1.0
    gap: int = 0

    def predict(self, F: np.ndarray) -> np.ndarray:
        """(n, p) features -> (n, K) outputs."""
        return F @ self.coef + self.intercept


def ridge_loo(
    F: np.ndarray,
    Y: np.ndarray,
    alphas,
    sample_weight=None,
    *,
    others=None,
    weights=(1.0,),
    copy: bool = True,
    groups=None,
    gap: int = 0,
) -> RidgeFit:
    """Fit the ridge read-out for every α in ``alphas``; keep the best by leave-one-out.

    Parameters
    ----------
    F : (n, p) features
    Y : (n, K) targets
    alphas : sequence of positive floats
    sample_weight : None or (n,) weights ≥ 0 (not all 0), as scikit-learn's ``Ridge``
        reads them: at a fixed α an integer weight k fits as k copies of the row would.
        A row of weight 0 has no say in the fit (nor in any other row's leave-one-out
        output); its own leave-one-out output is the fit's prediction.  The leave-one-out
        choice of α is not that of copies: a copy left out keeps its twin in the fit
    others : None or (p,) bool, the columns that each ω in ``weights`` multiplies
    weights : sequence of positive floats ω, tried in order (a tie keeps the earlier); with
        n and p both above ``OMEGA_SERIES``, on a seeded subsample of that many series
    copy : bool, default True
        False lets the fit centre, weigh and scale a float64 F in place, a copy of the
        (n, p) features fewer (the read-out's own scaled features: it needs them no more)
    groups : None or (N,) ints, default None
        With F (N, p) and Y (N, K) of n series and N − n extra rows of them: the series
        each row belongs to, ``groups[:n]`` = 0, ..., n − 1 (the series themselves first).
        The leave-one-out then leaves each series out with its rows, and ``loo`` and
        ``loo_error`` are those of the n series alone (ω on every series: no subsample)
    gap : int ≥ 0, default 0
        With the rows consecutive windows of one series: each row is left out in a block
        of rows with ``gap`` rows either side (:func:`tiles`, which lowers it where n is
        small; ``RidgeFit.gap`` the one used).  0: plain leave-one-out.  Not with ``groups``

    Returns
    -------
    RidgeFit
    """
    F, Y, alphas = _checked(F, Y, alphas)
    n = len(F)
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},); got {w.shape}")
    if isinstance(gap, bool) or not isinstance(gap, int | np.integer) or gap < 0:
        raise ValueError(f"gap must be an integer >= 0; got {gap!r}")
    if gap and groups is not None:
        raise ValueError("gap and groups cannot be combined: pass one of them")
    blocks = None if groups is None else _blocks(groups, n)
    if not (w > 0).all():  # NaN and negative weights too: refused there
        options = {"others": others, "weights": weights, "gap": gap}
        return _weightless_apart(F, Y, alphas, w, groups, **options)
    gap, blocks = (gap, blocks) if not gap else tiles(n, gap)
    if blocks is None and others is not None and len(weights) > 1 and min(F.shape) > OMEGA_SERIES:
        weights = (_subsample_weight(F, Y, alphas, w, others, weights),)
    mu = w @ F / w.sum()  # (p,) weighted means: the unpenalised intercept
    nu = w @ Y / w.sum()  # (K,)
    root = np.sqrt(w)[:, None]  # (n, 1)
    Yc = Y - nu  # (n, K)
    if copy or F.dtype != np.float64:
        Fc = F - mu  # (n, p)
    else:
        Fc = F
        Fc -= mu
    if sample_weight is not None:  # unweighted, the root is one: no pass over F for it
        Fc *= root
        Yc = root * Yc
    spectra = _spectra(Fc, others, weights)
    best = None
    for omega in weights:
        U, s2, project = spectra(omega)  # U (n, r), s2 (r,)
        UtY = U.T @ Yc  # (r, K)
        shrinks = s2 / (s2 + alphas[:, None])  # (m, r): s² / (s² + α), a row per α
        if blocks is None:
            U2 = U**2  # (n, r), once for every α
            residuals = [loo_residuals(U, k, UtY, Yc, root, w / w.sum(), U2) for k in shrinks]
        else:  # (m, n, K): as many α at once as GROUPED_VALUES allows
            step = max(1, GROUPED_VALUES // max(U.size, 1))  # r may be 0: constant features
            residuals = np.concatenate([
                grouped_residuals(U, shrinks[a : a + step], UtY, Yc, root, w / w.sum(), blocks)
                for a in range(0, len(shrinks), step)
            ])  # fmt: skip
        errors, loos = [], []
        for e in residuals:  # (n, K) an α
            m = len(e)  # the series (all n rows without groups); w[:m] their weights
            loos.append(Y[:m] - e)
            errors.append(float((w[:m, None] * e**2).sum() / w[:m].sum()))
        if best is None or min(errors) < min(best[0]):
            best = errors, loos, omega, s2, UtY, project
    errors, loos, omega, s2, UtY, project = best
    i = int(np.argmin(errors))
    alpha = float(alphas[i])
    coef = project(UtY / (s2 + alpha)[:, None])  # (p, K)
    scaled_mu = mu if others is None else mu * np.where(others, omega, 1.0)
    intercept = nu - scaled_mu @ coef
    return RidgeFit(coef, intercept, alpha, loos[i], np.asarray(errors), omega, gap)


def _weightless_apart(F, Y, alphas, w, groups, **options) -> RidgeFit:
    """``ridge_loo`` on the series of weight > 0 (with their rows) alone, the others'
    leave-one-out outputs the fit's own predictions.

    A series of weight 0 changes no sum of the fit, so the fit and the others'
    leave-one-out residuals are those without it; its own residual, 0/0 in the weighted
    space, is that of a series the fit never saw: its prediction's.  With a ``gap`` the
    kept windows' blocks count the kept rows: h of them either side reach at least as far
    as h windows did."""
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError(f"sample_weight must hold finite weights >= 0; got {w!r}")
    m = len(F) if groups is None else int(np.max(groups)) + 1  # the series
    kept = w[:m] > 0  # (m,)
    if not kept.any():
        raise ValueError("sample_weight must hold at least one weight > 0; got every weight zero")
    rows = kept if groups is None else kept[np.asarray(groups)]  # (N,) a series' rows with it
    renumbered = None if groups is None else (np.cumsum(kept) - 1)[np.asarray(groups)[rows]]
    fit = ridge_loo(F[rows], Y[rows], alphas, w[rows], groups=renumbered, **options)
    others = options["others"]
    unseen = np.asarray(F[:m][~kept], dtype=np.float64)  # (m − m', p)
    if others is not None:
        unseen = unseen * np.where(others, fit.weight, 1.0)  # coef reads the ω columns
    loo = np.empty((m, Y.shape[1]))  # (m, K)
    loo[kept], loo[~kept] = fit.loo, fit.predict(unseen)
    fit.loo = loo
    return fit


def _subsample_weight(F, Y, alphas, w, others, weights) -> float:
    """ω of least leave-one-out error on ``OMEGA_SERIES`` of the n series (a fixed seed:
    the same data gives the same choice)."""
    pick = np.sort(np.random.default_rng(0).choice(len(F), OMEGA_SERIES, replace=False))
    return ridge_loo(F[pick], Y[pick], alphas, w[pick], others=others, weights=weights).weight


def loo_residuals(U, shrink, UtY, Yc, root, share, U2=None) -> np.ndarray:
    """Leave-one-out residuals e_i = (y_i − ŷ_i) / (1 − h_ii) of n series, in y's units.

    Parameters
    ----------
    U : (n, r) the series' rows of U, Fc = U diag(s) Vᵀ (Fc the centred, weighted features)
    shrink : (r,) s² / (s² + α)
    UtY : (r, K) Uᵀ Yc over every training series
    Yc : (n, K) the series' centred, weighted targets √w (y − ν)
    root : (n, 1) √w
    share : (n,) w / Σ w, each series' leverage through the intercept
    U2 : None or (n, r) U², when the caller squares U once for many α

    Returns
    -------
    (n, K)

    The series may be a chunk of the training set (:mod:`frnn.reservoir.chunked`): each
    row needs only its own features and the sums over every series.
    """
    fitted = U @ (shrink[:, None] * UtY)  # (n, K)
    h = (U**2 if U2 is None else U2) @ shrink + share  # (n,) hat diagonal, intercept included
    return (Yc - fitted) / (1.0 - h)[:, None] / root


def grouped_residuals(U, shrinks, UtY, Yc, root, share, blocks) -> np.ndarray:
    """Leave-one-group-out residuals of the scored rows, each group left out whole, in y's
    units, for each α's shrinkage at once.

    For a group S (the rows it scores and the rows left out with them), e_S = (I − H_SS)⁻¹
    r_S with r the fitted residuals in the weighted space and H_SS = U_S diag(shrink) U_Sᵀ
    + √s_S √s_Sᵀ its block of the hat matrix (the second term the intercept's, s =
    ``share``): the exact residuals of the fit without S; the scored rows' are kept.  The
    crops' groups (:func:`_blocks`) score a series and leave out its crops with it; the
    windows' (:func:`tiles`) score a block of consecutive windows and leave out the
    windows either side of it with them.

    Parameters
    ----------
    U : (N, r) every row's U, Fc = U diag(s) Vᵀ
    shrinks : (m, r) s² / (s² + α), a row per α
    UtY : (r, K) Uᵀ Yc
    Yc : (N, K) the centred, weighted targets √w (y − ν)
    root : (N, 1) √w
    share : (N,) w / Σ w
    blocks : list of (ids (g, j), rows (g, k)): g groups of k rows each, the first j of
        them scored, as rows ``ids`` of the output

    Returns
    -------
    (m, n, K), one row per scored row (every id once) for each α
    """
    # (m, N, K) fitted residuals: one product a α, as one α at a time made them
    r = Yc - U @ (shrinks[:, :, None] * UtY)
    out = np.empty((len(shrinks), sum(ids.size for ids, _ in blocks), r.shape[2]))
    for ids, rows in blocks:
        j, k = ids.shape[1], rows.shape[1]
        step = max(1, GROUPED_VALUES // max(len(shrinks) * k * U.shape[1], 1))  # groups at once
        for a in range(0, len(rows), step):
            some = rows[a : a + step]  # (g, k)
            rs = np.sqrt(share)[some]  # (g, k)
            H = _hat(U[some], shrinks) + rs[:, :, None] * rs[:, None, :]  # (m, g, k, k)
            e = np.linalg.solve(np.eye(k) - H, r[:, some])  # (m, g, k, K)
            out[:, ids[a : a + step]] = e[:, :, :j] / root[some[:, :j]]
    return out


def _hat(Ug: np.ndarray, shrinks: np.ndarray) -> np.ndarray:
    """U_S diag(shrink) U_Sᵀ (m, g, k, k) of g groups' rows Ug (g, k, r), for each α's
    shrinkage (m, r): by einsum for the crops' pairs (as they always were: a BLAS call
    per 2 × 2 block would cost more than it computes); for the windows' blocks of
    hundreds of rows as A Aᵀ, A = U_S diag(√shrink), which numpy hands to BLAS's
    symmetric product (syrk: half a general product's operations; 30% less time)."""
    if Ug.shape[1] <= 2:
        return np.einsum("agir,gjr->agij", Ug * shrinks[:, None, None, :], Ug)
    H = np.empty((len(shrinks), *Ug.shape[:2], Ug.shape[1]))  # (m, g, k, k)
    for a, root in enumerate(np.sqrt(shrinks)):  # shrink = s² / (s² + α) ≥ 0
        for i, rows in enumerate(Ug):
            A = rows * root  # (k, r)
            H[a, i] = A @ A.T
    return H


def tiles(n: int, gap: int) -> tuple[int, list[tuple[np.ndarray, np.ndarray]] | None]:
    """The blocks in which n consecutive windows are left out: (h, blocks) for
    :func:`grouped_residuals`, or (0, None) for plain leave-one-out.

    The rows are cut into consecutive blocks of v = h + 1 (the last ones shorter), each
    left out with the h rows either side of it, so that a row's residual is that of a fit
    in which no window within h rows of it took part (hv-block cross-validation, its
    validation blocks laid side by side: n/v solves of v + 2h rows, where a block a row
    would cost n solves of 2h + 1 rows, hundreds of times as many operations for h ≈ 50).
    Where n is small (n < 5h + 2), h is lowered to ⌊(n − 2)/5⌋ and v to n/2 − 2h (about
    n/10 at least), so that every fit keeps at least half of the rows (a fit on fewer
    would prefer more penalty than one on all n does) and the blocks are about ten or
    fewer (each a solve of up to n/2 rows for every α: with h lowered to n/4 alone, v
    fell to a few rows and the blocks numbered hundreds, 2,100 windows of 500 values
    costing a fit 7 times one with leave-one-out).

    Parameters
    ----------
    n : int, the windows
    gap : int ≥ 1, the windows either side of each that share values with it

    Returns
    -------
    h : int, the rows left out either side of each block (0: none)
    blocks : list of (ids (1, j), rows (1, k)), a block's j rows first, or None
    """
    h = min(gap, max(0, (n - 2) // 5))
    if h == 0:
        return 0, None
    v = max(1, min(h + 1, n // 2 - 2 * h))
    blocks = []
    for first in range(0, n, v):
        scored = np.arange(first, min(first + v, n))
        before = np.arange(max(0, first - h), first)
        after = np.arange(scored[-1] + 1, min(n, scored[-1] + 1 + h))
        blocks.append((scored[None], np.concatenate([scored, before, after])[None]))
    return h, blocks


def _blocks(groups, N: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``groups`` (N,) -> [(ids (g, 1), rows (g, k))] for each group size k, each group's
    rows with its series (row ``id``) first; or an error naming ``groups``."""
    groups = np.asarray(groups)
    n = int(groups.max(initial=-1)) + 1 if groups.dtype.kind in "iu" else 0
    if (
        groups.shape != (N,)
        or n == 0
        or groups.min() < 0
        or not np.array_equal(groups[:n], np.arange(n))
    ):
        raise ValueError(
            f"groups must be ({N},) ints, the first n rows' 0, ..., n − 1 (the series) and the "
            f"rest's in [0, n); got {groups!r}"
        )
    order = np.argsort(groups, kind="stable")  # each group's rows in order: the series first
    sizes = np.bincount(groups, minlength=n)  # (n,)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])  # (n,)
    blocks = []
    for k in np.unique(sizes):
        ids = np.flatnonzero(sizes == k)
        blocks.append((ids[:, None], order[starts[ids, None] + np.arange(k)]))
    return blocks


def eigenbasis(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvectors (m, r) and eigenvalues (r,) of the Gram matrix G ⪰ 0 (m, m), those
    above round-off (λ > 10⁻¹² λ_max) kept: the spectrum every ridge fit here solves in."""
    s2, vectors = np.linalg.eigh(G)  # (m,), (m, m), s2 ascending
    first = int(np.searchsorted(s2, s2[-1] * 1e-12, side="right"))  # those kept: a suffix
    return vectors[:, first:], s2[first:]  # a view: no copy of the m × m vectors


def primal(V: np.ndarray, s2: np.ndarray):
    """The map ``M -> V diag(s) M`` from U-coordinates (r, K) to coefficients (p, K), for
    the eigenvectors V (p, r) and eigenvalues s² (r,) of FcᵀFc."""
    return lambda M: V @ (np.sqrt(s2)[:, None] * M)


def _checked(F, Y, alphas):
    """F (n, p), Y (n, K) and alphas (m,) > 0 as numeric arrays (their dtypes kept), or an
    error naming which is wrong."""
    F, Y, alphas = (np.asarray(v) for v in (F, Y, alphas))
    for name, value in (("F", F), ("Y", Y), ("alphas", alphas)):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a numeric array; got dtype {value.dtype}")
    if F.ndim != 2 or 0 in F.shape:
        raise ValueError(f"F must be (n, p) features with n, p ≥ 1; got shape {F.shape}")
    if Y.ndim != 2 or Y.shape[0] != F.shape[0]:
        raise ValueError(f"Y must be ({F.shape[0]}, K) targets, one row per F's; got {Y.shape}")
    if alphas.ndim != 1 or alphas.size == 0 or not np.all(alphas > 0):
        raise ValueError(f"alphas must be a sequence of positive numbers; got {alphas!r}")
    return F, Y, alphas


def _spectrum(Fc: np.ndarray):
    """U (n, r), s² (r,) of Fc = U diag(s) Vᵀ, and a map from U-coordinates to coefficients.

    ``project(M)`` is V diag(s) M, computed as Fcᵀ U M when n ≤ p (V is never formed): with
    M = Uᵀ Y / (s² + α) it gives the ridge coefficients V diag(s / (s² + α)) Uᵀ Y.
    """
    n, p = Fc.shape
    if n <= p:
        U, s2 = eigenbasis(Fc @ Fc.T)  # (n, r), (r,)
        return U, s2, lambda M: Fc.T @ (U @ M)
    V, s2 = eigenbasis(Fc.T @ Fc)  # (p, r), (r,)
    U = Fc @ V / np.sqrt(s2)  # (n, r)
    return U, s2, primal(V, s2)


def _spectra(Fc: np.ndarray, others, weights):
    """ω -> ``_spectrum`` of Fc with the ``others`` columns multiplied by ω, the Gram
    matrices formed once: Fc_ω Fc_ωᵀ = G + (ω² − 1) G_others when n ≤ p (G = Fc Fcᵀ,
    G_others that of the others' columns alone), and D_ω (FcᵀFc) D_ω with
    D_ω = diag(ω on others, 1 elsewhere) when n > p.  With a single ω the columns of Fc
    (``ridge_loo``'s copy, or with ``copy=False`` the caller's F, centred) are multiplied
    by it in place instead: one Gram matrix."""
    if others is None or tuple(weights) == (1.0,):
        return lambda omega: _spectrum(Fc)
    others = np.asarray(others, dtype=bool)
    if len(weights) == 1:
        Fc *= np.where(others, weights[0], 1.0)  # (n, p): Fc_ω = Fc D_ω
        return lambda omega: _spectrum(Fc)
    n, p = Fc.shape
    if n <= p:
        G = Fc @ Fc.T  # (n, n): ω = 1
        block = Fc.take(np.flatnonzero(others), axis=1)  # (n, p_others)
        G_others = block @ block.T  # (n, n)
        del block

        def dual(omega):
            U, s2 = eigenbasis(G + (omega**2 - 1.0) * G_others)  # (n, r), (r,)
            d = np.where(others, omega, 1.0)[:, None]  # (p, 1)
            return U, s2, lambda M: d * (Fc.T @ (U @ M))  # Fc_ωᵀ U M, Fc_ω = Fc D_ω

        return dual
    C = Fc.T @ Fc  # (p, p)

    def primal_form(omega):
        d = np.where(others, omega, 1.0)  # (p,)
        V, s2 = eigenbasis(d[:, None] * C * d[None, :])  # (p, r), (r,)
        return Fc @ (d[:, None] * V) / np.sqrt(s2), s2, primal(V, s2)

    return primal_form
