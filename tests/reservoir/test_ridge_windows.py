"""Leave-block-out for consecutive windows (ridge_loo's ``gap``, ridge.tiles): each block of
rows left out with ``gap`` rows either side, exactly the fit without them."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir import ridge_loo
from frnn.reservoir.ridge import tiles


def _problem(n=40, p=12, K=2, seed=0, weighted=True):
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((n, p))
    Y = F[:, :3] @ rng.standard_normal((3, K)) + rng.standard_normal((n, K))
    w = rng.uniform(0.5, 2.0, n) if weighted else None
    return F, Y, w


def _refit(F, Y, w, blocks, alpha):
    """Each block's scored rows predicted by a ridge fitted without the whole block."""
    w = np.ones(len(F)) if w is None else w
    out = np.full(Y.shape, np.nan)
    for ids, rows in blocks:
        keep = np.setdiff1d(np.arange(len(F)), rows[0])
        out[ids[0]] = ridge_loo(F[keep], Y[keep], [alpha], w[keep]).predict(F[ids[0]])
    return out


@pytest.mark.parametrize(
    ("n", "p", "gap", "weighted"),
    [(40, 12, 3, True), (60, 90, 7, False), (30, 5, 20, True), (50, 8, 1, True)],
)
def test_leave_block_out_is_refitting_without_each_block(n, p, gap, weighted):
    F, Y, w = _problem(n, p, weighted=weighted)
    alphas = [0.01, 1.0, 100.0]
    fit = ridge_loo(F, Y, alphas, w, gap=gap)
    h, blocks = tiles(n, gap)
    assert fit.gap == h > 0
    for a, error in zip(alphas, fit.loo_error, strict=True):
        loo = _refit(F, Y, w, blocks, a)
        ww = np.ones(n) if w is None else w
        assert error == pytest.approx((ww[:, None] * (Y - loo) ** 2).sum() / ww.sum(), rel=1e-10)
        if a == fit.alpha:
            assert np.allclose(fit.loo, loo, rtol=1e-10, atol=1e-12)
    assert fit.alpha == alphas[int(np.argmin(fit.loo_error))]


def test_the_blocks_tile_the_rows_and_leave_their_neighbours_out():
    h, blocks = tiles(100, 5)
    assert h == 5
    scored = np.concatenate([ids[0] for ids, _ in blocks])
    assert scored.tolist() == list(range(100))  # every row scored once, in order
    for ids, rows in blocks:
        first, last = ids[0, 0], ids[0, -1]
        assert len(ids[0]) <= h + 1
        expected = np.arange(max(0, first - h), min(100, last + h + 1))
        assert sorted(rows[0].tolist()) == expected.tolist()
        assert rows[0, : ids.shape[1]].tolist() == ids[0].tolist()  # the scored rows first


def test_few_rows_lower_the_gap_so_every_fit_keeps_half_of_them():
    for n, gap in ((30, 20), (11, 100), (200, 60)):
        h, blocks = tiles(n, gap)
        assert 0 < h <= gap and all(len(rows[0]) <= n // 2 for _, rows in blocks)
    assert tiles(5, 3) == (0, None)  # nothing to leave out: plain leave-one-out
    F, Y, w = _problem(n=5, p=3)
    plain, blocked = ridge_loo(F, Y, [0.1, 1.0], w), ridge_loo(F, Y, [0.1, 1.0], w, gap=3)
    assert blocked.gap == 0 and np.array_equal(plain.loo, blocked.loo)


def test_a_gap_of_zero_is_plain_leave_one_out_bit_for_bit():
    F, Y, w = _problem()
    plain, zero = ridge_loo(F, Y, [0.1, 1.0], w), ridge_loo(F, Y, [0.1, 1.0], w, gap=0)
    assert np.array_equal(plain.coef, zero.coef) and np.array_equal(plain.loo, zero.loo)
    assert zero.gap == 0


def test_rows_of_weight_zero_keep_their_neighbours_out():
    """A window of weight 0 drops out of the fit; the others' blocks are counted among the
    kept rows (reaching at least as far), its own output is the fit's prediction."""
    F, Y, w = _problem(n=40)
    w[[3, 17]] = 0.0
    fit = ridge_loo(F, Y, [1.0], w, gap=4)
    kept = w > 0
    alone = ridge_loo(F[kept], Y[kept], [1.0], w[kept], gap=4)
    assert np.allclose(fit.loo[kept], alone.loo, rtol=1e-12) and fit.gap == alone.gap == 4
    assert np.allclose(fit.loo[~kept], alone.predict(F[~kept]), rtol=1e-12)


def test_the_alphas_and_blocks_batched_or_not_give_the_same_fit(monkeypatch):
    from frnn.reservoir import ridge

    F, Y, w = _problem(n=50, p=30)
    alphas = np.logspace(-2, 2, 5)
    batched = ridge_loo(F, Y, alphas, w, gap=6)
    monkeypatch.setattr(ridge, "GROUPED_VALUES", 1)
    single = ridge_loo(F, Y, alphas, w, gap=6)
    assert np.allclose(single.loo_error, batched.loo_error, rtol=1e-12)
    assert np.allclose(single.loo, batched.loo, rtol=1e-12)


@pytest.mark.parametrize("gap", [-1, 1.5, True, "2"])
def test_a_bad_gap_is_named(gap):
    F, Y, _ = _problem()
    with pytest.raises(ValueError, match="gap must be an integer"):
        ridge_loo(F, Y, [1.0], gap=gap)


def test_gap_and_groups_are_refused_together():
    F, Y, _ = _problem(n=10)
    with pytest.raises(ValueError, match="gap and groups"):
        ridge_loo(F, Y, [1.0], groups=np.arange(10), gap=2)
