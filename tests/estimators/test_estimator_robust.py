"""The classifier under inputs that broke it (issue 12): any data scale, failed re-fits,
threads, pickles."""

import pickle
import threading

import numpy as np
import pytest

from frnn import RNNClassifier, RNNRegressor
from frnn.data import inputs as seq
from frnn.reservoir import ReservoirClassifier


def _data(n=40, T=12, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.standard_normal((n, T)) + 1.5 * y[:, None]  # the class shifts the mean
    return X, y


@pytest.mark.parametrize("scale", [1e-20, 1e-300, 1e160, 1e300])
def test_standardisation_does_not_depend_on_the_scale(scale):
    X, _ = _data()
    x = X[:, :, None]
    lengths = np.full(len(X), X.shape[1])
    reference = seq.standardise(x, lengths, *seq.standardisation(x, lengths))
    mean, std = seq.standardisation(x * scale, lengths)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
    scaled = seq.standardise(x * scale, lengths, mean, std)
    np.testing.assert_allclose(scaled, reference, rtol=1e-10, atol=1e-12)


def test_constant_features_stay_constant():
    x = np.full((5, 4, 2), 3e-200)
    x[:, :, 1] = 7e250
    lengths = np.full(5, 4)
    mean, std = seq.standardisation(x, lengths)
    np.testing.assert_array_equal(std, [1.0, 1.0])
    np.testing.assert_array_equal(seq.standardise(x, lengths, mean, std), 0.0)


@pytest.mark.parametrize("scale", [1e-20, 1e160])
def test_predictions_do_not_depend_on_the_scale(scale):
    X, y = _data()
    clf = dict(training="bptt", hidden_size=4, epochs=5, n_ensemble=1, random_state=0)
    a = RNNClassifier(**clf).fit(X, y).decision_function(X)
    b = RNNClassifier(**clf).fit(X * scale, y).decision_function(X * scale)
    np.testing.assert_allclose(b, a, rtol=1e-8, atol=1e-10)


# Powers of two scale exactly: the reservoirs' z-normalised series, and so their features
# and decision values, are then the same bits; 1e-9 went below the old absolute 1e-8
# "constant" cut-off (every series read as zeros), 1e300 overflowed its squares.
_EXACT_SCALES = [2.0**-1000, 2.0**-30, 2.0**30, 2.0**990]


@pytest.mark.parametrize("scale", [*_EXACT_SCALES, 1e-9, 1e300])
def test_znormalise_does_not_depend_on_the_scale(scale):
    X, _ = _data()
    x, lengths = X[:, :, None], np.r_[12, np.full(len(X) - 1, 7)]  # (n, T, 1), ragged
    reference = seq.znormalise(x, lengths)
    scaled = seq.znormalise(x * scale, lengths)
    np.testing.assert_allclose(scaled, reference, rtol=1e-12, atol=1e-13)
    assert np.abs(reference[1:, 7:]).max() == 0.0  # padding stays zero


@pytest.mark.parametrize("scale", [1e-300, 1e-9, 1.0, 1e8, 1e12, 1e300])
def test_znormalise_keeps_constant_series_at_zero_in_any_units(scale):
    x = np.full((3, 6, 2), 3.0 * scale)
    eps = np.finfo(np.float64).eps
    x[1, :, 1] *= 1.0 + 2 * eps * np.arange(6)  # round-off (10 ulps at most), not a signal
    z = seq.znormalise(x, np.full(3, 6))
    assert np.abs(z).max() < 1e-11  # shifted by its mean, not scaled up to unit variance


# Series far from the origin (a sensor's baseline, timestamps): float64 holds their shape to
# 1e-8 (offset 1e8) or 1e-4 (1e12) of their spread; they were read as constant (every
# reservoir of the series' shape saw zeros) below a spread of 1e-8 of their size, and the
# level's standardisation called them constant below 1e-12 of their mean.
_OFFSETS = [(1e8, 1e-6), (1e12, 1e-2)]


@pytest.mark.parametrize("offset, tolerance", _OFFSETS)
def test_znormalise_keeps_the_shape_of_series_far_from_the_origin(offset, tolerance):
    X, _ = _data()
    x, lengths = X[:, :, None], np.r_[12, np.full(len(X) - 1, 7)]  # (n, T, 1), ragged
    real = seq.mask(x, lengths)[:, :, None]
    x, far = np.where(real, x, 0.0), np.where(real, x + offset, 0.0)  # padded with zeros
    reference = seq.znormalise(x, lengths)
    np.testing.assert_allclose(seq.znormalise(far, lengths), reference, atol=tolerance)
    mean, std = seq.standardisation(far, lengths)
    np.testing.assert_allclose(std, seq.standardisation(x, lengths)[1], rtol=tolerance)


def test_znormalise_reaches_the_largest_floats():
    # values of 2^1023 or more had an infinite unit: a RuntimeWarning, then zeros
    X, _ = _data()
    x, lengths = X[:, :, None], np.full(len(X), X.shape[1])
    top = x / np.abs(x).max() * 1.7e308
    np.testing.assert_allclose(seq.znormalise(top, lengths), seq.znormalise(x, lengths),
                               rtol=1e-12, atol=1e-13)  # fmt: skip


def test_the_standardisation_keeps_the_spread_of_features_far_from_the_origin():
    # 1e13 ± 1.5: a spread of 1e-13 of the mean, 700 units in the last place: data
    X, _ = _data()
    x, lengths = X[:, :, None], np.full(len(X), X.shape[1])
    std = seq.standardisation(x + 1e13, lengths)[1]
    np.testing.assert_allclose(std, seq.standardisation(x, lengths)[1], rtol=1e-3)


@pytest.mark.parametrize("offset, tolerance", _OFFSETS)
def test_reservoir_decisions_keep_series_far_from_the_origin(offset, tolerance):
    X, y = _data()
    X = X + np.sin(np.arange(X.shape[1]))  # a shape to see besides the level
    params = dict(n_reservoirs=4, random_state=0)
    a = RNNClassifier(**params).fit(X, y).decision_function(X)
    b = RNNClassifier(**params).fit(X + offset, y).decision_function(X + offset)
    np.testing.assert_allclose(b, a, atol=tolerance * 10)


@pytest.mark.parametrize("scale", _EXACT_SCALES)
@pytest.mark.parametrize("kind", ["RNNClassifier", "ReservoirClassifier"])
def test_reservoir_decisions_do_not_depend_on_the_scale(kind, scale):
    """The reservoirs z-normalise each series and standardise the level over the training
    set: a copy of the data in other units gets the same decision values, bit for bit."""
    X, y = _data()
    X = X + np.sin(np.arange(X.shape[1]))  # a shape to see besides the level
    make = {"RNNClassifier": RNNClassifier, "ReservoirClassifier": ReservoirClassifier}[kind]
    params = dict(n_reservoirs=2, neighbour_weight=0, random_state=0)
    a = make(**params).fit(X, y).decision_function(X)
    b = make(**params).fit(X * scale, y).decision_function(X * scale)
    np.testing.assert_array_equal(b, a)


def test_a_failed_refit_leaves_the_previous_fit_whole():
    X, y = _data()
    clf = RNNClassifier(training="bptt", hidden_size=4, epochs=3, n_ensemble=1, random_state=0).fit(
        X, y
    )
    before = {k: pickle.dumps(v) for k, v in vars(clf).items()}
    with pytest.raises(ValueError):
        clf.fit(X * 1000 + 5, np.zeros(len(X)))  # one class: refused after the inputs
    assert {k: pickle.dumps(v) for k, v in vars(clf).items()} == before


def test_predict_leaves_nothing_behind_and_pickles_do_not_grow():
    X, y = _data()
    clf = RNNClassifier(training="bptt", hidden_size=4, epochs=3, n_ensemble=2, random_state=0).fit(
        X, y
    )
    size = len(pickle.dumps(clf))
    big = np.random.default_rng(1).standard_normal((2000, 12))
    clf.predict(big)
    assert len(pickle.dumps(clf)) == size
    for net in clf.networks_:
        assert not {"a", "z", "_frnn_cache"} & set(vars(net))


def test_predict_from_threads_gives_the_serial_answer():
    X, y = _data()
    clf = RNNClassifier(training="bptt", hidden_size=6, epochs=3, n_ensemble=3, random_state=0).fit(
        X, y
    )
    inputs = [np.random.default_rng(s).standard_normal((n, 12)) for s, n in enumerate(range(7, 15))]
    expected = [clf.decision_function(x) for x in inputs]
    results, errors = {}, []

    def work(i):
        try:
            for _ in range(20):
                results[i] = clf.decision_function(inputs[i])
                np.testing.assert_array_equal(results[i], expected[i])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


@pytest.mark.parametrize("kind", ["RNNClassifier", "ReservoirClassifier", "RNNRegressor"])
@pytest.mark.parametrize(("units", "far"), [(1.0, 1e39), (1.0, 1e300), (1e-300, 1e300)])
def test_series_in_far_larger_units_get_the_outputs_of_saturated_reservoirs(kind, units, far):
    """Series 1e39 (1e300) times the training set's scale: the standardised level passed
    float32's range (float64's), states NaN, predict_proba NaN and predict an arbitrary
    class after a RuntimeWarning.  The reservoirs saturate long before: the outputs are
    those of series 1e20 times the scale, finite, without a warning."""
    X, y = _data()
    X = X + np.sin(np.arange(X.shape[1]))
    make = {"RNNClassifier": RNNClassifier, "ReservoirClassifier": ReservoirClassifier,
            "RNNRegressor": RNNRegressor}[kind]  # fmt: skip
    params = dict(n_reservoirs=2, random_state=0)
    if kind == "RNNRegressor":
        est = make(**params).fit(X * units, y + X[:, -1])
        outputs = est.predict
    else:  # the nearest series' squares overflow at 1e300: a known limit of neighbours
        est = make(neighbour_weight=0, **params).fit(X * units, y)
        outputs = est.decision_function
    expected = outputs(X * (units * 1e20))
    assert np.isfinite(expected).all()
    if kind == "RNNRegressor":  # float64 states of z-normalised series: equal to round-off
        np.testing.assert_allclose(outputs(X * (units * far)), expected, rtol=1e-12)
    else:
        np.testing.assert_array_equal(outputs(X * (units * far)), expected)
    if kind != "RNNRegressor":
        assert np.isfinite(est.predict_proba(X * (units * far))).all()
