"""The read-out from sums over chunks (frnn.reservoir.sums) is ridge_loo's fit.

ridge_loo solves in the dual (n × n) when n ≤ p and in the primal (p × p) otherwise; the
sums always give the primal.  Both are held here to a brute-force leave-one-out (each
series left out and the ridge solved again with numpy.linalg.solve), and to each other:
coefficients, decision values and leave-one-out outputs to 1e-8 relative, the same α.
"""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir.readout import feature_scaling, softmax_temperature, temperature_losses
from frnn.reservoir.ridge import ALPHAS, ridge_loo
from frnn.reservoir.sums import ReadoutSums, loo_sums, solve


def _problem(n, p=40, K=3, seed=0, weighted=False):
    """Features of order one with correlated columns and some constant ones, targets from a
    few of them plus noise."""
    rng = np.random.default_rng(seed)
    F = np.tanh(rng.standard_normal((n, 8)) @ rng.standard_normal((8, p)) * 0.5)
    F += 0.05 * rng.standard_normal((n, p)) + 0.3
    F[:, :2] = 0.25  # constant features: scale 1, a zero column once scaled
    Y = F[:, 2:5] @ rng.standard_normal((3, K)) + 0.3 * rng.standard_normal((n, K))
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    return F, Y, w


def _chunks(n, seed=1):
    """Uneven chunk boundaries, one chunk of a single series among them."""
    rng = np.random.default_rng(seed)
    cuts = np.unique(np.concatenate([[0, 1], rng.integers(2, n, 4), [n]]))
    return [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def _from_chunks(F, Y, w, alphas, losses=None):
    """The read-out the chunked fit makes: merged sums, the spectrum, the second pass."""
    parts = _chunks(len(F))
    sums = [ReadoutSums.of(F[c], Y[c], None if w is None else w[c]) for c in parts]
    total = sums[0]
    for more in sums[1:]:
        total = total.add(more)
    basis = solve(total)
    passes = [
        loo_sums(basis, F[c], Y[c], alphas, None if w is None else w[c], losses) for c in parts
    ]
    errors = sum(e for e, _ in passes) / basis.weight
    best = int(np.argmin(errors))
    scores = None if losses is None else [s[best] for _, s in passes]
    return basis, basis.fit(alphas[best], errors), scores


def _rel(a, b):
    return float(np.abs(a - b).max() / np.abs(a).max())


def test_merged_sums_are_the_sums_of_all_series_even_far_from_zero():
    F, Y, w = _problem(300, weighted=True)
    F = 1e4 + 1e-3 * F  # a mean 10⁷ times the spread: raw Σf² would lose every digit
    total = ReadoutSums.of(F[:1], Y[:1], w[:1])
    for c in _chunks(300)[1:]:
        total.add(ReadoutSums.of(F[c], Y[c], w[c]))
    mu = w @ F / w.sum()
    Fc = F - mu
    assert total.n == 300 and np.isclose(total.weight, w.sum(), rtol=1e-14)
    assert _rel(F.mean(axis=0), total.mean) < 1e-14
    real = slice(2, None)  # the constant columns' spread is round-off in both
    # Each value carries round-off 1e4·ε ≈ 2e-12, 3e-9 of the spread: both sides' limit.
    assert _rel(F.std(axis=0)[real], np.sqrt(total.m2 / total.n)[real]) < 1e-8
    assert _rel((Fc.T @ (w[:, None] * Fc))[real, real], total.S[real, real]) < 1e-8
    assert _rel((Fc.T @ (w[:, None] * (Y - w @ Y / w.sum())))[real], total.C[real]) < 1e-8


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("n", [25, 120], ids=["n<p (dual)", "n>p (primal)"])
def test_the_read_out_from_sums_is_ridge_loos(n, weighted):
    F, Y, w = _problem(n, weighted=weighted)
    mean, scale = feature_scaling(F)
    memory = ridge_loo((F - mean) / scale, Y, ALPHAS, w)
    keep = lambda z: z.copy()  # noqa: E731 - the leave-one-out outputs themselves
    basis, fit, loo = _from_chunks(F, Y, w, ALPHAS, keep)
    assert _rel(mean, basis.mean) < 1e-13 and _rel(scale, basis.scale) < 1e-12
    assert fit.alpha == memory.alpha
    assert _rel(memory.loo_error, fit.loo_error) < 1e-8
    assert _rel(memory.loo, np.concatenate(loo)) < 1e-8
    z = lambda r: ((F - mean) / scale) @ r.coef + r.intercept  # noqa: E731
    assert _rel(z(memory), z(fit)) < 1e-8
    assert _rel(memory.coef, fit.coef) < 1e-8


def test_both_agree_with_leaving_each_series_out_by_hand():
    F, Y, w = _problem(20, p=12, K=2, seed=3, weighted=True)
    mean, scale = feature_scaling(F)
    G = (F - mean) / scale
    alphas = np.array([0.5])
    loo = np.empty_like(Y)
    for i in range(len(F)):
        keep = np.arange(len(F)) != i
        A = np.column_stack([G[keep], np.ones(keep.sum())])  # the intercept, unpenalised
        penalty = np.diag([*([alphas[0]] * G.shape[1]), 0.0])
        coef = np.linalg.solve(A.T @ (w[keep, None] * A) + penalty, A.T @ (w[keep, None] * Y[keep]))
        loo[i] = np.append(G[i], 1.0) @ coef
    memory = ridge_loo(G, Y, alphas, w)
    _, _, chunked = _from_chunks(F, Y, w, alphas, lambda z: z.copy())
    assert _rel(loo, memory.loo) < 1e-10
    assert _rel(loo, np.concatenate(chunked)) < 1e-10
    error = (w[:, None] * (Y - loo) ** 2).sum() / w.sum()
    assert np.isclose(memory.loo_error[0], error, rtol=1e-10)


def test_the_temperature_from_chunks_is_the_one_fitted_in_memory():
    F, Y, _ = _problem(150, K=3, seed=4)
    classes = Y.argmax(axis=1)
    targets = 2.0 * np.eye(3)[classes] - 1.0
    mean, scale = feature_scaling(F)
    memory = ridge_loo((F - mean) / scale, targets, ALPHAS)
    tau = softmax_temperature(memory.loo, classes)
    parts = _chunks(150)
    basis, fit, _ = _from_chunks(F, targets, None, ALPHAS)
    best = list(ALPHAS).index(fit.alpha)
    sums = sum(
        loo_sums(
            basis, F[c], targets[c], ALPHAS, None, lambda z, c=c: temperature_losses(z, classes[c])
        )[1][best]
        for c in parts
    )
    assert _rel(temperature_losses(memory.loo, classes), sums) < 1e-8
    from frnn.reservoir.readout import best_temperature

    assert best_temperature(sums) == tau
