"""Windows of a series' own run (the classifiers' crops): the compiled loop's statistics
over each series' last steps against the plain path's, which pools those steps alone."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.reservoir import ReservoirFeatures, core, draw_reservoir, kernels
from frnn.reservoir.core import DEFAULT_STATISTICS, STATISTICS, pool, run, window_starts, windows

SMALL = dict(n_reservoirs=4, units=8, n_thresholds=2)


def _reservoir(rng, D, window, units=6, k=3):
    res = draw_reservoir(rng, D, units, window, "x", 1.5, 0.9, True, "gaussian")
    res.theta = rng.normal(0.0, 1.0, (units, k))
    return res


def _series(rng, lengths, D=2):
    x = rng.standard_normal((len(lengths), max(lengths), D))  # (n, T, D)
    for i, L in enumerate(lengths):
        x[i, L:] = 0.0
    return x, np.array(lengths)


def _sliced(res, x, lengths, first, statistics):
    """The definition: each series run whole, then ``pool`` of its window's steps alone."""
    u, steps = windows(x, lengths, res)
    A, S = run(res, u, steps)
    return np.concatenate([
        pool(A[i : i + 1, f:L], S[i : i + 1, f:L], np.array([L - f]), res.theta, statistics,
             res.b)
        for i, (f, L) in enumerate(zip(first, steps, strict=True))
    ])  # fmt: skip


# Odd and even lengths, one series of one sample; widths from the whole series down to 1
# sample (a window of its last step) and 2 (its last two steps where the stride is 1).
LENGTHS = [23, 17, 16, 5, 2, 1]
WIDTHS = [22, 9, 16, 2, 2, 1]


@pytest.mark.parametrize("window", [(1, 1, 1), (3, 2, 2), (4, 1, 4), (5, 3, 1), (2, 9, 1)])
@pytest.mark.parametrize("units", [6, 7])
def test_compiled_windows_match_the_plain_path_in_float64(window, units):
    rng = np.random.default_rng(0)
    x, lengths = _series(rng, LENGTHS)
    res = _reservoir(rng, 2, window, units=units)
    widths = np.array(WIDTHS)
    first = window_starts(lengths, widths, res.stride)
    for statistics in (STATISTICS, DEFAULT_STATISTICS, ("ppv", "last")):
        got, got_windows = core._compiled_features(kernels, res, x, lengths, statistics,
                                                   first=first)  # fmt: skip
        plain, plain_windows = core.features(res, x, lengths, statistics, widths=widths)
        want = _sliced(res, x, lengths, first, statistics)
        # the plain path pools the window's steps moved to the start (zero after): the
        # definition, up to the order of BLAS's sums
        np.testing.assert_allclose(plain_windows, want, rtol=0, atol=1e-15)
        np.testing.assert_allclose(got_windows, want, rtol=0, atol=1e-12)
        np.testing.assert_allclose(got, plain, rtol=0, atol=1e-12)
        assert not np.allclose(got_windows[:2], got[:2])  # windows that are not the series


def test_window_starts_count_the_steps_back_from_the_end():
    lengths, widths = np.array([23, 17, 5, 2]), np.array([22, 9, 2, 2])
    np.testing.assert_array_equal(window_starts(lengths, widths, 1), [1, 8, 3, 0])
    # stride 4: 6, 5, 2, 1 steps; a window of ⌈w/4⌉ = 6, 3, 1, 1 of them
    np.testing.assert_array_equal(window_starts(lengths, widths, 4), [0, 2, 1, 0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_whole_series_windows_are_the_series_features_bit_for_bit(dtype):
    rng = np.random.default_rng(1)
    x, lengths = _series(rng, LENGTHS, D=3)
    res = _reservoir(rng, 3, (5, 3, 1), units=16, k=4)
    x = x.astype(dtype)
    for statistics in (STATISTICS, DEFAULT_STATISTICS):
        alone = core._compiled_features(kernels, res, x, lengths, statistics)
        out, whole = core._compiled_features(kernels, res, x, lengths, statistics,
                                             first=np.zeros(len(x), dtype=np.intp))  # fmt: skip
        np.testing.assert_array_equal(out, alone)
        np.testing.assert_array_equal(whole, alone)
        plain, plain_whole = core.features(res, x.astype(np.float64), lengths, statistics,
                                           widths=lengths)  # fmt: skip
        np.testing.assert_array_equal(plain_whole, plain)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_transform_with_suffix_leaves_the_series_features_as_they_were(dtype):
    rng = np.random.default_rng(2)
    X = [rng.standard_normal((int(T), 2)) for T in rng.integers(3, 60, 140)]  # two blocks
    features = ReservoirFeatures(random_state=0, dtype=dtype, **SMALL).fit(X)
    lengths = np.array([len(x) for x in X])
    F, crops = features.transform(X, suffix=np.maximum(1, lengths * 3 // 4))
    assert F.tobytes() == features.transform(X).tobytes()
    assert F.dtype == crops.dtype == np.float64 and crops.shape == F.shape
    F, whole = features.transform(X, suffix=lengths)
    assert whole.tobytes() == F.tobytes()


def test_transform_windows_in_float32_match_float64():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 50, 2))
    widths = np.array([48, 40, 30, 2, 50, 47])
    got = ReservoirFeatures(random_state=0, **SMALL).fit(X).transform(X, suffix=widths)[1]
    plain = ReservoirFeatures(random_state=0, dtype="float64", **SMALL).fit(X)
    np.testing.assert_allclose(got, plain.transform(X, suffix=widths)[1], rtol=0, atol=1e-5)


def test_window_counts_across_int16_flushes_are_exact():
    # kernels.FLUSH steps apart the int16 counts are added into int32 ones; a window
    # opening between two flushes must see every count before it (the recent ones
    # flushed first).  θ = −2 below tanh's range: s is above it at every step, so each
    # window's PPV is exactly 1; θ = 2: never, 0.
    rng = np.random.default_rng(9)
    res = _reservoir(rng, 1, (1, 1, 1), units=3, k=2)
    res.W *= 0.1
    res.b[:] = 0.0
    res.theta = np.tile([-2.0, 2.0], (3, 1))  # (I, k)
    T = kernels.FLUSH * 5 // 2
    x = rng.uniform(-1.0, 1.0, (3, T, 1)).astype(np.float32)
    lengths = np.array([T, T, kernels.FLUSH + 3])
    x[2, lengths[2] :] = 0.0
    first = np.array([kernels.FLUSH + 7, 1000, kernels.FLUSH])  # after, before, at a flush
    _, got = core._compiled_features(kernels, res, x, lengths, ("ppv", "mean"), first=first)
    np.testing.assert_array_equal(got[:, :6], np.tile([1.0, 0.0], (3, 3)))
    want = _sliced(res, x.astype(np.float64), lengths, first, ("ppv", "mean"))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        (np.array([3, 3]), "3 integer widths"),
        (np.array([3.0, 3.0, 3.0]), "integer widths"),
        (np.array([3, 0, 3]), "series 1 has length 5 and suffix 0"),
        (np.array([3, 3, 11]), "series 2 has length 10 and suffix 11"),
    ],
)
def test_a_bad_suffix_is_named(suffix, message):
    X = [np.ones((8, 1)), np.arange(5.0)[:, None], np.arange(10.0)[:, None]]
    features = ReservoirFeatures(random_state=0, **SMALL).fit(X)
    with pytest.raises(ValueError, match=f"suffix must .*{message}"):
        features.transform(X, suffix=suffix)
