"""The reservoir read-out's fit and predict hold the (n, p) features about once.

Each (n, p) temporary is fresh memory, a page fault a page: on a virtual machine that hands
freed memory back to its host (9 µs a 4 KiB page on the 2-core one these were measured on)
a copy of 3,000 series' features cost 0.6 s against 0.08 s of arithmetic.  The features'
variance is summed in blocks of rows (``sums.squared_deviations``), the scaling is done in
place where nothing reads the raw features again, and ``transform`` writes each reservoir's
columns into one array.  Before: fit and predict both peaked at 3.0 times the features.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from frnn import RNNClassifier
from frnn.reservoir import sums
from frnn.reservoir.pooling import n_features


def _peak(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_fit_and_predict_hold_the_features_about_once():
    rng = np.random.default_rng(0)
    n, T, R = 400, 30, 24  # above the crops' 30 series: the scaling may go in place
    X, y = rng.standard_normal((n, T)), rng.integers(0, 2, n)
    model = RNNClassifier(random_state=0, n_reservoirs=R).fit(X[:50], y[:50])  # compiled
    F = n * R * n_features(32, 4, ("mean", "max", "ppv", "ramp")) * 8  # bytes of (n, p)
    assert _peak(lambda: model.fit(X, y)) < 2.2 * F  # 1.67 now
    assert _peak(lambda: model.predict(X)) < 1.5 * F  # 1.05 now


def test_a_fit_with_crops_holds_no_temporaries_of_its_rows():
    """With crops (at most 50 series) the series' and the crops' rows, (2n, p), are scaled
    in place and the series' scaled copy is let go first: 9.4 times the series' features at
    the peak before, 6.5 now."""
    rng = np.random.default_rng(0)
    n, T, R = 30, 200, 24
    X, y = rng.standard_normal((n, T)), rng.integers(0, 2, n)
    model = RNNClassifier(random_state=0, n_reservoirs=R).fit(X, y)  # compiled
    F = n * R * n_features(32, 4, ("mean", "max", "ppv", "ramp")) * 8  # bytes of (n, p)
    assert model.reservoir_.cropping(n)  # the crops are tried
    assert _peak(lambda: model.fit(X, y)) < 7.5 * F


@pytest.mark.parametrize("shape", [(1, 3), (7, 5), (256, 4), (257, 9), (700, 33)])
def test_squared_deviations_are_numpys_bit_for_bit(shape):
    """Blocks of ``ROWS`` rows, each sum started from the sum so far: the same additions in
    the same order as numpy's, so fits are unchanged to the last bit."""
    rng = np.random.default_rng(shape[0])
    F = rng.standard_normal(shape) * 10 ** rng.uniform(-3, 3, shape[1]) + 5.0  # (n, p)
    mean = F.mean(axis=0)
    got = sums.squared_deviations(F, mean)
    assert got.tobytes() == ((F - mean) ** 2).sum(axis=0).tobytes()
    assert (got / len(F)).tobytes() == F.var(axis=0).tobytes()
    columns = np.asfortranarray(F)  # not C-ordered: numpy's own sum, the same values
    np.testing.assert_allclose(sums.squared_deviations(columns, mean), got, rtol=1e-13)


def test_feature_scaling_is_mean_and_std():
    rng = np.random.default_rng(1)
    F = rng.standard_normal((300, 6))
    F[:, 2] = 0.5  # constant: scale 1
    mean, scale = sums.feature_scaling(F)
    assert mean.tobytes() == F.mean(axis=0).tobytes()
    expected = F.std(axis=0)
    expected[2] = 1.0
    assert scale.tobytes() == expected.tobytes()


def test_features_beyond_the_memory_are_refused_before_any_reservoir_runs(monkeypatch):
    """Before: nothing checked the (n, p) features against the machine's memory; numpy
    allocated them lazily (an overcommitting Linux), so a fit too large for the machine ran
    and was killed by the system, or swapped, without a word of what to change.  Here
    the memory is a monkeypatched 1 MiB: no huge array is allocated to find out."""
    import frnn
    from frnn import _memory

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 20)), np.arange(60) % 2
    small = RNNClassifier(random_state=0, n_reservoirs=2).fit(X, y)  # before the limit
    expected = small.predict(X)
    monkeypatch.setattr(_memory, "limit", lambda: 2**20)
    p = 2 * n_features(32, 4, ("mean", "max", "ppv", "ramp"))  # 448 features
    calls = []
    clf = RNNClassifier(random_state=0, n_reservoirs=2)
    said = (
        rf"^the features of 400 series \(400 × {p} features × 8 bytes\) would take 1.4 MiB, "
        r"more than the 1.0 MiB of memory this process may use; fit chunk by chunk "
        r"\(partial_fit, or X as a dask array\) or on fewer series, or draw fewer features"
    )
    big = np.tile(X, (7, 1))[:400]
    with pytest.raises(MemoryError, match=said):
        clf.fit(big, np.arange(400) % 2, callback=calls.append)
    assert calls == [] and not hasattr(clf, "reservoir_")  # refused before any reservoir
    with pytest.raises(MemoryError, match=r"^the features of 400 series .* predict a part"):
        small.predict(big)
    np.testing.assert_array_equal(small.predict(X), expected)  # 60 series fit in 1 MiB
    reg = frnn.RNNRegressor(random_state=0, n_reservoirs=2).partial_fit(X, X[:, -1])
    bigger = np.tile(X, (50, 1))  # the regressor's statistics are fewer
    with pytest.raises(MemoryError, match=r"^the features of 3,000 series .* smaller chunks$"):
        reg.partial_fit(bigger, bigger[:, -1])
    crops = r"^the features of 40 series \(40 × 448 features × 8 bytes, 2 copies\)"
    monkeypatch.setattr(_memory, "limit", lambda: 200_000)
    with pytest.raises(MemoryError, match=crops):  # 40 series: crops tried, two copies
        RNNClassifier(random_state=0, n_reservoirs=2).fit(X[:40], y[:40])


def test_the_limit_is_the_smaller_of_the_machine_and_its_container(monkeypatch, tmp_path):
    from frnn import _memory

    physical = _memory.limit()
    assert physical is not None and physical > 2**26  # POSIX: at least 64 MiB known
    (tmp_path / "max").write_text("max\n")
    (tmp_path / "v1").write_text(f"{2**62}\n")  # v1's "no limit"
    (tmp_path / "low").write_text("1048576\n")
    monkeypatch.setattr(_memory, "_CGROUP_LIMITS", (tmp_path / "max", tmp_path / "v1"))
    assert _memory.limit() == physical
    monkeypatch.setattr(_memory, "_CGROUP_LIMITS", (tmp_path / "absent", tmp_path / "low"))
    assert _memory.limit() == 2**20


def test_bptt_states_beyond_the_memory_are_refused_before_predict_runs(monkeypatch):
    """The BPTT networks' predict runs every series at once, keeping their states (n, T',
    I): 10 GiB for a million series of 20 steps at 64 units, unchecked before."""
    import frnn
    from frnn import _memory

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 20)), np.arange(40) % 2
    clf = frnn.RNNClassifier(training="bptt", steps=20, n_ensemble=1, hidden_size=8).fit(X, y)
    expected = clf.predict(X)
    monkeypatch.setattr(_memory, "limit", lambda: 4096)
    said = (
        r"^the states of 40 series \(40 × 20 steps × 8 units × 8 bytes\) would take 50.0 KiB, "
        r"more than the 4.0 KiB of memory this process may use; predict a part of the series "
        r"at a time$"
    )
    with pytest.raises(MemoryError, match=said):
        clf.predict(X)
    monkeypatch.setattr(_memory, "limit", lambda: 2**20)
    np.testing.assert_array_equal(clf.predict(X), expected)
