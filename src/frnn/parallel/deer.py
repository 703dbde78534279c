"""DEER and quasi-DEER: the nonlinear recurrence solved by Newton's method over time.

The states are the root of the residual r(t) = a(t) − f(W x(t) + R a(t−1)), t = 1..T.
Newton's method linearises every step around the current guess a⁽ᵏ⁾ at once,

    a⁽ᵏ⁺¹⁾(t) = f(s⁽ᵏ⁾(t)) + J(t) (a⁽ᵏ⁺¹⁾(t−1) − a⁽ᵏ⁾(t−1)),   J(t) = diag(f'(s⁽ᵏ⁾(t))) R,

which is a *linear* recurrence in a⁽ᵏ⁺¹⁾, solved by the parallel scan (Lim, Zhu,
Selfridge & Kasim, ICLR 2024).  Quasi-DEER keeps only the diagonal of J(t), so each
iteration is an O(T·I) diagonal scan (Gonzalez et al., NeurIPS 2024).

Both reach the sequential result in at most T iterations in exact arithmetic: a(1)
depends on nothing but a0, so one iteration makes it exact, and if a⁽ᵏ⁾(t−1) is exact
then so is a⁽ᵏ⁺¹⁾(t), since the correction term vanishes.  Near the solution DEER
converges quadratically and quasi-DEER linearly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace

from .scan import diagonal_scan, linear_scan

__all__ = ["DEERFallbackWarning", "DEERInfo", "MAX_ITER", "GROWTH", "default_tol", "solve", "step"]

MAX_ITER = 100  # default cap on the iterations (besides the bound T); beyond it DEER cannot pay
# A residual this many times above its best so far counts as divergence.  In exact
# arithmetic DEER still ends within T iterations, but such a blow-up marks an unstable
# (expanding) regime that needs O(T) iterations, where the sequential loop is cheaper;
# set frnn.deer.GROWTH = math.inf to let it run on anyway.
GROWTH = 1e3


class DEERFallbackWarning(RuntimeWarning):
    """DEER or quasi-DEER failed to converge, so the sequential loop computed the states."""


@dataclass(frozen=True)
class DEERInfo:
    """How a DEER / quasi-DEER solve went.

    A frozen record that :func:`solve` returns: each parameter is kept, unchecked, as the
    attribute of its name.

    Parameters
    ----------
    method : {"deer", "quasi-deer"}
        The iteration: full Jacobians, or their diagonals only.
    iterations : int
        Newton (or quasi-Newton) iterations taken, one scan each; ≤ T.
    converged : bool
        Whether the residual fell to ``tol``.
    residuals : tuple of float
        The relative residual max|a − f(s(a))| / max|f(s(a))| before each iteration and
        after the last (so ``len(residuals) == iterations + 1``).
    tol : float
        The tolerance used.
    fallback : str or None, default None
        Why the solve stopped without converging (a non-finite or growing residual, or the
        iterations ran out), so that the sequential loop was used instead; None when it
        converged.
    """

    method: str
    iterations: int
    converged: bool
    residuals: tuple[float, ...]
    tol: float
    fallback: str | None = None


def default_tol(dtype, xp=None) -> float:
    """eps^(3/4) of ``dtype``: 1.8e-12 in float64, 6.4e-6 in float32.

    A few decades above the round-off floor of the residual, so it is reached reliably;
    the returned states are one more evaluation of f past that point, hence closer still.
    """
    return float((np if xp is None else xp).finfo(dtype).eps ** 0.75)


def solve(U, R, a0, f, f_prime, *, mask=None, quasi: bool = False, tol=None, max_iter=None):
    """The states a(1..T) of a(t) = m(t) f(U(t) + R a(t−1)) by DEER or quasi-DEER.

    Parameters
    ----------
    U : (T, B, I) the input drive W x(t)
    R : (I, I) the recurrent matrix
    a0 : (B, I) the initial state
    f, f_prime : the activation and its derivative written in terms of a = f(s)
    mask : (T, B) bool or None; m(t) = 0 on padded steps (trailing padding)
    quasi : bool, keep only the diagonal of J(t) (quasi-DEER)
    tol : float or None, the relative residual at which to stop; None is
        :func:`default_tol` of the dtype
    max_iter : int or None, the most iterations to take (never more than T); None is
        min(T, MAX_ITER)

    Returns
    -------
    A : (T, B, I) the states, or None when the iteration diverged or did not converge
    info : DEERInfo
    """
    T = U.shape[0]
    xp = array_namespace(U, R, a0)
    tol = default_tol(U.dtype, xp) if tol is None else float(tol)
    limit = min(T, MAX_ITER if max_iter is None else int(max_iter))
    a = xp.zeros_like(U)  # (T, B, I) the first guess
    residuals: list[float] = []
    method = "quasi-deer" if quasi else "deer"
    # Overflow inside a diverging iteration is expected and detected below (NumPy only).
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(limit + 1):
            F, D, P = _linearise(a, U, R, a0, f, f_prime, mask)
            residuals.append(_residual(F, a, xp))
            if residuals[-1] <= tol:
                return F, DEERInfo(method, k, True, tuple(residuals), tol)
            reason = _failure(residuals, k, limit)
            if reason is not None:
                return None, DEERInfo(method, k, False, tuple(residuals), tol, reason)
            a = _newton(F, D, P, a, R, a0, quasi, xp)
    raise AssertionError("unreachable: the loop returns at k = limit")  # pragma: no cover


def step(a, U, R, a0, f, f_prime, *, mask=None, quasi: bool = False):
    """One DEER (or quasi-DEER) iteration, a⁽ᵏ⁾ -> a⁽ᵏ⁺¹⁾, without any stopping rule.

    Parameters
    ----------
    a : (T, B, I) the current guess a⁽ᵏ⁾
    U, R, a0, f, f_prime, mask, quasi : as in :func:`solve`

    Returns
    -------
    (T, B, I) the next guess; after k steps from any guess the first k states are exact
    """
    xp = array_namespace(a, U, R, a0)
    F, D, P = _linearise(a, U, R, a0, f, f_prime, mask)
    return _newton(F, D, P, a, R, a0, quasi, xp)


def _linearise(a, U, R, a0, f, f_prime, mask):
    """F = f(s), D = f'(s) (both masked) and P = R a(t−1) at the guess a; each (T, B, I)."""
    xp = array_namespace(a, U, R, a0)
    a_prev = xp.concat([a0[None, ...], a[:-1, ...]], axis=0)  # (T, B, I): a(t−1)
    P = xp.matmul(a_prev, xp.matrix_transpose(R))  # (T, B, I)
    F = f(U + P)
    D = f_prime(F)  # f' through a = f(s), as BPTT uses it
    if mask is not None:
        m = xp.astype(mask, F.dtype)[..., None]  # (T, B, 1): padded steps are held at zero
        F, D = F * m, D * m
    return F, D, P


def _newton(F, D, P, a, R, a0, quasi: bool, xp):
    """Solve a'(t) = J(t) a'(t−1) + F(t) − J(t) a(t−1), a'(0) = a0, by the scan."""
    if quasi:
        J = D * xp.linalg.diagonal(R)  # (T, B, I): the diagonal of diag(f') R
        a_prev = xp.concat([a0[None, ...], a[:-1, ...]], axis=0)  # (T, B, I)
        return diagonal_scan(J, F - J * a_prev, a0)
    J = D[..., None] * R  # (T, B, I, I): row i of R scaled by f'(s_i)
    return linear_scan(J, F - D * P, a0)  # J(t) a(t−1) = D ⊙ R a(t−1) = D ⊙ P


def _residual(F, a, xp) -> float:
    """max |f(s(a)) − a| / max |f(s(a))|: the defect of the fixed-point equations."""
    defect = float(xp.max(xp.abs(F - a)))
    if defect == 0.0 or not math.isfinite(defect):
        return defect
    # With f(s) = 0 everywhere (relu, all off) the guess itself is the scale.
    return defect / (float(xp.max(xp.abs(F))) or float(xp.max(xp.abs(a))))


def _failure(residuals: list[float], k: int, limit: int) -> str | None:
    """Why to stop without convergence: non-finite, growing, or out of iterations."""
    r = residuals[-1]
    if not math.isfinite(r):
        return f"the residual became non-finite ({r}) after {k} iteration(s)"
    if k > 0 and r > GROWTH * min(residuals[:-1]):
        return f"the residual grew to {r:.3g} (best {min(residuals):.3g}) after {k} iteration(s)"
    if k == limit:
        return f"the residual {r:.3g} was still above tol after {k} iteration(s)"
    return None
