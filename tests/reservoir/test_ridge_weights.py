"""Sample weights in the ridge read-out: scikit-learn's Ridge, copies, and weights of zero.

At a fixed α an integer weight k fits as k copies of the row (scikit-learn's ``Ridge``
reads its ``sample_weight`` the same way); a weight of 0 is the row dropped, its own
leave-one-out output the fit's prediction; the neighbours keep no series of weight 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from frnn.reservoir.neighbours import Neighbours
from frnn.reservoir.ridge import ridge_loo


def _problem(n=14, p=6, K=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, p)), rng.standard_normal((n, K))


@pytest.mark.parametrize("n, p", [(14, 6), (8, 20)])  # the primal and the dual forms
def test_weights_at_a_fixed_alpha_are_scikit_learns_ridge(n, p):
    F, Y = _problem(n, p)
    w = np.random.default_rng(1).uniform(0.2, 3.0, n)
    fit = ridge_loo(F, Y, [0.7], sample_weight=w)
    ridge = Ridge(alpha=0.7, solver="svd").fit(F, Y, sample_weight=w)
    np.testing.assert_allclose(fit.coef, ridge.coef_.T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.intercept, ridge.intercept_, rtol=1e-10, atol=1e-12)
    unweighted = ridge_loo(F, Y, [0.7])  # the weights moved the fit: the test can fail
    assert np.abs(unweighted.coef - fit.coef).max() > 1e-3


@pytest.mark.parametrize("n, p", [(14, 6), (8, 20)])
def test_an_integer_weight_is_that_many_copies_at_a_fixed_alpha(n, p):
    F, Y = _problem(n, p)
    counts = np.random.default_rng(2).integers(1, 4, n)  # 1 to 3 copies of each row
    fit = ridge_loo(F, Y, [0.5], sample_weight=counts)
    copies = ridge_loo(np.repeat(F, counts, axis=0), np.repeat(Y, counts, axis=0), [0.5])
    np.testing.assert_allclose(fit.coef, copies.coef, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.intercept, copies.intercept, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("others", [None, "half"])
def test_a_weight_of_zero_is_the_row_dropped(others):
    F, Y = _problem(16, 8)
    w = np.random.default_rng(3).uniform(0.5, 2.0, 16)
    w[[2, 9]] = 0.0
    keep = w > 0
    mask = None if others is None else np.arange(8) < 4
    options = dict(others=mask, weights=(1.0, 0.5, 2.0)) if mask is not None else {}
    fit = ridge_loo(F, Y, [0.1, 1.0, 10.0], sample_weight=w, **options)
    dropped = ridge_loo(F[keep], Y[keep], [0.1, 1.0, 10.0], sample_weight=w[keep], **options)
    for name in ("coef", "intercept", "loo_error"):
        np.testing.assert_array_equal(getattr(fit, name), getattr(dropped, name))
    assert fit.alpha == dropped.alpha and fit.weight == dropped.weight
    np.testing.assert_array_equal(fit.loo[keep], dropped.loo)
    # a weightless row's leave-one-out output: the prediction of a fit that never saw it
    scaled = F[~keep] * (1.0 if mask is None else np.where(mask, fit.weight, 1.0))
    np.testing.assert_allclose(fit.loo[~keep], dropped.predict(scaled), rtol=1e-12)
    assert np.isfinite(fit.loo).all()


def test_a_weight_of_zero_drops_the_series_with_its_extra_rows():
    F, Y = _problem(20, 7)  # 10 series, then one extra row of each (a crop)
    groups = np.concatenate([np.arange(10), np.arange(10)])
    w = np.random.default_rng(4).uniform(0.5, 2.0, 10)
    w[3] = 0.0
    fit = ridge_loo(F, Y, [0.3, 3.0], sample_weight=w[groups], groups=groups)
    keep = np.arange(10) != 3
    rows = keep[groups]
    renumbered = (np.cumsum(keep) - 1)[groups[rows]]
    dropped = ridge_loo(
        F[rows], Y[rows], [0.3, 3.0], sample_weight=w[groups][rows], groups=renumbered
    )
    np.testing.assert_array_equal(fit.coef, dropped.coef)
    np.testing.assert_array_equal(fit.loo[keep], dropped.loo)
    assert fit.loo.shape == (10, 2) and np.isfinite(fit.loo).all()


def test_ridge_loo_refuses_weights_it_cannot_fit():
    F, Y = _problem(6, 3)
    for bad in ([0.0] * 6, [1.0, -1.0, 1.0, 1.0, 1.0, 1.0], [1.0, np.nan, 1, 1, 1, 1]):
        with pytest.raises(ValueError, match="sample_weight"):
            ridge_loo(F, Y, [1.0], sample_weight=np.array(bad))


def test_a_series_of_weight_zero_is_no_neighbour():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((12, 10))
    y = np.arange(12) % 2
    X[1] = X[0] + 1e-3  # series 0's nearest: series 1, which weighs 0 below
    z_loo = rng.standard_normal((12, 2))
    w = np.ones(12)
    w[1] = 0.0
    near, blended = Neighbours.fit(X, y, 2, z_loo, 1.0, sample_weight=w)
    assert len(near.series) == 11 and not any(np.array_equal(s, X[1]) for s in near.series)
    alone, alone_blended = Neighbours.fit(np.delete(X, 1, 0), np.delete(y, 1), 2, z_loo[w > 0], 1.0)
    assert near.scale == alone.scale  # d̄ over the series kept
    # the others' leave-one-out outputs and the outputs: those of a fit without it
    np.testing.assert_allclose(blended[w > 0], alone_blended, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(near.outputs(X), alone.outputs(X), rtol=1e-12, atol=1e-15)
    everyone, _ = Neighbours.fit(X, y, 2, z_loo, 1.0)
    assert not np.array_equal(everyone.outputs(X[:1]), near.outputs(X[:1]))
