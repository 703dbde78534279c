"""The nearest training series beside the ridge read-out (frnn.reservoir.neighbours),
held to scikit-learn's 1-NN and its leave-one-out."""

import math

import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.metrics import pairwise_distances
from sklearn.model_selection import LeaveOneOut, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

import frnn
from frnn import RNNClassifier
from frnn.reservoir import ReservoirClassifier
from frnn.reservoir.calibration import TEMPERATURES
from frnn.reservoir.neighbours import WEIGHTS, choose, flattened, nearest, relative_margin

SMALL = {"n_reservoirs": 4, "hidden_size": 8, "random_state": 0}


def _bumps(n, seed=0, noise=0.3):
    """Bumps at one of three fixed places, noisy: 1-NN ED's task (many_classes's kind)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    t = np.arange(60)
    centre = np.array([10, 30, 50])[y][:, None] + rng.integers(-2, 3, (n, 1))
    X = np.exp(-0.5 * ((t - centre) / 2.0) ** 2) + noise * rng.standard_normal((n, 60))
    return X, y


def test_nearest_is_the_least_distance_per_class():
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((7, 5)), rng.standard_normal((11, 5))
    classes = np.arange(11) % 3
    d = pairwise_distances(A, B)  # (7, 11), the reference
    want = np.stack([d[:, classes == k].min(axis=1) for k in range(4) if k < 3], axis=1)
    got = nearest(A, B, classes, 4)
    np.testing.assert_allclose(got[:, :3], want, rtol=1e-12)
    assert np.isinf(got[:, 3]).all()  # a class without series is infinitely far
    loo = nearest(B, B, classes, 3, skip_self=True)
    d = pairwise_distances(B) + np.diag(np.full(11, np.inf))
    want = np.stack([d[:, classes == k].min(axis=1) for k in range(3)], axis=1)
    np.testing.assert_allclose(loo, want, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e6, 1e7, 1e9, 1e12])
def test_one_nn_alone_predicts_as_scikit_learn_for_series_far_from_every_class(scale):
    """New series in other units than the training set's (a million median distances from
    every class): z_nn was clamped at -1e6, every class tied, and the first was predicted
    (half of them wrong here); beyond -1e6 it is squashed in order now.  The squash was
    −1e6 − ln(...), which kept the classes' relative differences only above 1e-16·1e6
    (×1e9: ties and swaps), and is −1e6·(1 + ln(...)) now."""
    X, y = _bumps(45)
    X_test = _bumps(30, seed=1)[0] * scale
    clf = RNNClassifier(neighbour_weight=math.inf, **SMALL).fit(X, y)
    knn = KNeighborsClassifier(1).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X_test), knn.predict(X_test))
    proba = clf.predict_proba(X_test)
    assert np.all(np.isfinite(proba)) and np.allclose(proba.sum(axis=1), 1.0)


def _direct(A, B):
    """(n, m) distances from float64 differences, in units of a power of two (exact)."""
    unit = np.ldexp(1.0, np.frexp(max(np.abs(A).max(), np.abs(B).max()))[1])
    return np.sqrt((((A[:, None, :] - B[None]) / unit) ** 2).sum(axis=-1)) * unit


def _nearest_by_class(d, y):
    """(n, K): the least of the distances d (n, m) to each class of y (m,), K = 3."""
    return np.stack([d[:, y == k].min(axis=1) for k in range(3)], axis=1)


def _assert_nearest_is_direct(A, B, y):
    """``nearest`` from A to B, and B's leave-one-out (A is B), as the direct distances."""
    np.testing.assert_allclose(nearest(A, B, y, 3), _nearest_by_class(_direct(A, B), y), rtol=1e-12)
    d = _direct(B, B) + np.diag(np.full(len(B), np.inf))  # leave-one-out: A is B
    np.testing.assert_allclose(
        nearest(B, B, y, 3, skip_self=True), _nearest_by_class(d, y), rtol=1e-12
    )


# (training series' scale, new series' scale, offset of both): a common offset (a sensor's
# baseline) lost every distance to the cancellation of a² + b² − 2ab (relative error 1),
# new series 1e160 times the training ones overflowed it (every distance inf)
_FAR_CASES = [(1, 1, 1e8), (1, 1, 1e12), (1, 1e9, 0), (1, 1e160, 0), (1, 1e-200, 0),
              (1e200, 1e200, 0), (1e-200, 1e-200, 0), (1e-250, 1, 0)]  # fmt: skip


@pytest.mark.parametrize("train, new, offset", _FAR_CASES)
def test_nearest_distances_are_those_of_the_differences(train, new, offset):
    X, y = _bumps(45)
    B, A = X * train + offset, _bumps(30, seed=1)[0] * new + offset
    _assert_nearest_is_direct(A, B, y)


@pytest.mark.parametrize("train, new, offset", [c for c in _FAR_CASES if c[1] < 1e100])
def test_one_nn_alone_predicts_as_the_differences_do_far_from_the_origin(train, new, offset):
    """1-NN by direct differences (scikit-learn's own 1-NN takes a² + b² − 2ab too, and
    its squares overflow at 1e200).  New series 1e160 times the training ones are as far
    from each training series to float64's precision: a direct computation ties them."""
    X, y = _bumps(45)
    B, A = X * train + offset, _bumps(30, seed=1)[0] * new + offset
    clf = RNNClassifier(neighbour_weight=math.inf, **SMALL).fit(B, y)
    np.testing.assert_array_equal(clf.predict(A), y[_direct(A, B).argmin(axis=1)])


@pytest.mark.parametrize("offset", [1e6, 1e8, 1e12])
def test_nearest_distances_of_series_at_several_levels(offset):
    """Some series offset (a sensor's baseline that moved), some not: one centre for all
    could not serve both, and a² + b² − 2ab of two offset series lost the digits of their
    distance (relative error 1 at 1e8; leave-one-out 1-NN called 12 of 45 series by
    another class than the differences do).  Each row is measured from its own mean now."""
    X, y = _bumps(45)
    B = X + offset * (np.arange(45) % 2 == 1)[:, None]  # every other series offset
    A = _bumps(30, seed=1)[0] + offset * (np.arange(30) % 3 == 0)[:, None]
    _assert_nearest_is_direct(A, B, y)
    clf = RNNClassifier(neighbour_weight=math.inf, **SMALL).fit(B, y)
    np.testing.assert_array_equal(clf.predict(A), y[_direct(A, B).argmin(axis=1)])


def test_nearest_distances_of_series_whose_channels_are_at_several_levels():
    """Two channels, the second offset by 1e8 in every other series: each channel of each
    series is measured from its own level (the whole row's mean would leave 5e7)."""
    X, y = _bumps(45)
    X2, _ = _bumps(45, seed=3)
    series = np.stack([X, X2 + 1e8 * (np.arange(45) % 2 == 1)[:, None]], axis=2)  # (45, 60, 2)
    B = flattened(series)  # (45, 120)
    clf = RNNClassifier(neighbour_weight=math.inf, **SMALL).fit(series[:30], y[:30])
    direct = _direct(B[30:], B[:30])  # (15, 30); 1-NN agreed on 10 of 15
    np.testing.assert_array_equal(clf.predict(series[30:]), y[:30][direct.argmin(axis=1)])
    want = _nearest_by_class(_direct(B, B) + np.diag(np.full(len(B), np.inf)), y)
    np.testing.assert_allclose(nearest(B, B, y, 3, skip_self=True, length=60), want, rtol=1e-12)


def test_unequal_series_are_padded_with_their_last_value_or_cut():
    X = [np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0, 6.0])]
    np.testing.assert_array_equal(flattened(X, 3), [[1, 2, 2], [3, 4, 5]])


def test_one_nn_alone_predicts_as_scikit_learn_and_its_loo_is_theirs():
    X, y = _bumps(45)
    X_test, _ = _bumps(30, seed=1)
    clf = RNNClassifier(neighbour_weight=math.inf, **SMALL).fit(X, y)
    knn = KNeighborsClassifier(1).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X_test), knn.predict(X_test))
    loo = cross_val_score(KNeighborsClassifier(1), X, y, cv=LeaveOneOut()).mean()
    assert (clf.reservoir_.loo_.argmax(axis=1) == y).mean() == pytest.approx(loo)
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), clf.predict(X_test))


def test_auto_keeps_the_series_where_1nn_helps_and_none_where_it_does_not():
    X, y = _bumps(45)
    ridge = RNNClassifier(neighbour_weight=0.0, **SMALL).fit(X, y)
    auto = RNNClassifier(**SMALL).fit(X, y)
    ridge_loo = (ridge.reservoir_.loo_.argmax(axis=1) == y).mean()
    assert auto.reservoir_.neighbours_ is not None  # four reservoirs of 8: 1-NN does better
    assert (auto.reservoir_.loo_.argmax(axis=1) == y).mean() > ridge_loo
    rng = np.random.default_rng(2)  # a rising or a falling ramp under a random sine: the
    y2 = np.arange(40) % 2  # read-out's task (its trend), and every 1-NN vote is worse
    t = np.arange(40)
    X2 = np.sin(t / 3 + rng.uniform(0, 6, (40, 1))) + (2 * y2 - 1)[:, None] * np.linspace(-1, 1, 40)
    clf = RNNClassifier(**SMALL).fit(X2, y2)
    assert clf.reservoir_.neighbours_ is None and "neighbours/series" not in _saved(clf)[0]
    np.testing.assert_array_equal(
        clf.decision_function(X2), RNNClassifier(neighbour_weight=0.0, **SMALL).fit(X2, y2)
        .decision_function(X2)
    )  # fmt: skip


def test_auto_keeps_nothing_beyond_its_size_limit_and_a_given_weight_keeps_series(monkeypatch):
    from frnn.reservoir import neighbours

    X, y = _bumps(45)
    monkeypatch.setattr(neighbours, "AUTO_MAX_SERIES", 44)  # 45 series: one too many
    assert RNNClassifier(**SMALL).fit(X, y).reservoir_.neighbours_ is None
    assert RNNClassifier(neighbour_weight=1.0, **SMALL).fit(X, y).reservoir_.neighbours_
    monkeypatch.setattr(neighbours, "AUTO_MAX_SERIES", 45)
    assert RNNClassifier(**SMALL).fit(X, y).reservoir_.neighbours_ is not None


def test_choose_takes_the_best_and_of_ties_the_evenest_margins():
    z = np.array([[1.0, 0.0], [1.0, 0.0]])  # the ridge calls both class 0
    nn = np.array([[0.0, -1.0], [-1.0, 0.0]])  # 1-NN is right on both
    # β = 3, 10, ∞ are right on both (1 + 3·(−1) < 0), by margins wide enough for a loss of
    # 0 each: of these ties, 1-NN's margins (1, 1) are the evenest (β = 3: 4, 2)
    assert choose(z, nn, np.array([0, 1]), WEIGHTS) == math.inf
    assert choose(z, nn, np.array([0, 0]), WEIGHTS) == 0.0  # β = 1 leaves series 2 a tie


def _log_loss(z, y, w):
    """Σ_i w_i · (−log softmax(z_i)[y_i]) by scipy, apart from frnn's softmax."""
    return float(w @ -log_softmax(z, axis=1)[np.arange(len(y)), y])


@pytest.mark.parametrize("seed", range(4))
def test_choose_takes_the_least_log_loss_at_each_weights_best_temperature(seed):
    rng = np.random.default_rng(seed)
    n, K = 30, 3
    y = rng.integers(0, K, n)
    z = rng.normal(0, 1, (n, K)) + 1.5 * np.eye(K)[y]  # a read-out right on most series
    nn = -np.abs(rng.normal(1, 0.3, (n, K))) + 0.8 * np.eye(K)[y]  # a nearer own class
    w = rng.uniform(0.5, 2.0, n)
    expected = {
        b: min(_log_loss(tau * (nn if b == math.inf else z + b * nn), y, w) for tau in TEMPERATURES)
        for b in WEIGHTS
    }
    best = min(expected.values())
    assert choose(z, nn, y, WEIGHTS, w) == min(
        b for b, v in expected.items() if v <= best * (1 + 1e-12)
    )


def test_choose_prefers_surer_calls_where_accuracy_ties():
    # The read-out and 1-NN both call every series right, the read-out by a hair (margin
    # 0.01), 1-NN surely (margin 1): accuracy ties (and kept β = 0); log-loss does not.
    z = np.array([[0.01, 0.0], [0.0, 0.01], [0.01, 0.0], [0.0, 0.01]])
    nn = np.array([[0.0, -1.0], [-1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]])
    y = np.array([0, 1, 0, 1])
    assert choose(z, nn, y, WEIGHTS) > 0.0


def test_choose_breaks_ties_of_zero_loss_by_the_evener_margins():
    # The read-out and 1-NN both call every series right, by margins so wide (≥ 0.5) that
    # every blend's loss at τ = 100 rounds to 0: the read-out's margins uneven (2, 2, 0.5,
    # 2: relative margin 2/7), 1-NN's even (1 each: 1); the rule of §15 kept β = 0.
    z = np.array([[2.0, 0.0], [0.0, 2.0], [0.5, 0.0], [0.0, 2.0]])
    nn = np.array([[0.0, -1.0], [-1.0, 0.0], [0.0, -1.0], [-1.0, 0.0]])
    y = np.array([0, 1, 0, 1])
    losses = [
        min(
            _log_loss(tau * (nn if b == math.inf else z + b * nn), y, np.ones(4))
            for tau in TEMPERATURES
        )
        for b in WEIGHTS
    ]
    assert max(losses) == 0.0  # the loss ties: every β is as good by it
    assert choose(z, nn, y, WEIGHTS) == math.inf
    assert choose(nn, z, y, WEIGHTS) == 0.0  # the even margins the read-out's: β = 0
    assert choose(z, z, y, WEIGHTS) == 0.0  # equal relative margins: the smallest β


def _margins_by_sorting(z, y):
    """z_i,y_i minus the largest other value, from each row sorted (apart from frnn's)."""
    top2 = np.sort(z, axis=1)[:, -2:]  # (n, 2): second largest, largest
    own = z[np.arange(len(y)), y]
    return own - np.where(own == top2[:, 1], top2[:, 0], top2[:, 1])


@pytest.mark.parametrize("seed", range(3))
def test_relative_margin_is_the_least_margin_over_their_root_mean_square(seed):
    rng = np.random.default_rng(seed)
    z, y, w = rng.normal(0, 1, (20, 4)), rng.integers(0, 4, 20), rng.uniform(0.5, 2.0, 20)
    m = _margins_by_sorting(z, y)
    assert relative_margin(z, y) == pytest.approx(m.min() / np.sqrt(np.mean(m**2)), rel=1e-12)
    want = m.min() / np.sqrt(np.average(m**2, weights=w))
    assert relative_margin(z, y, w) == pytest.approx(want, rel=1e-12)
    assert relative_margin(np.zeros((3, 2)), np.array([0, 1, 0])) == 0.0  # every margin 0


def test_auto_follows_1nn_where_both_separate_the_few_training_series():
    # 12 series of bumps, little noise: leave-one-out calls every series right by the
    # read-out and by 1-NN alike (the log-loss ties at 0); on 300 new series 1-NN is right
    # on all and the read-out alone on 0.970 (the rule of §15 kept it: β = 0).
    X, y = _bumps(12, seed=1, noise=0.1)
    X_new, y_new = _bumps(300, seed=101, noise=0.1)
    auto = RNNClassifier(**SMALL).fit(X, y)
    knn = (KNeighborsClassifier(1).fit(X, y).predict(X_new) == y_new).mean()
    ridge = RNNClassifier(neighbour_weight=0.0, **SMALL).fit(X, y)
    assert (ridge.predict(X_new) == y_new).mean() < knn == 1.0
    assert auto.reservoir_.neighbours_ is not None
    assert (auto.predict(X_new) == y_new).mean() >= knn


def _saved(clf):
    from frnn.estimators.persist import to_arrays

    return to_arrays(clf)


def _file(path, arrays, meta):
    import json

    meta = {"format": "frnn", "version": frnn.io.FORMAT_VERSION, **json.loads(json.dumps(meta))}
    np.savez(path, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    return path


def test_model_files_keep_the_series_and_refuse_damaged_ones(tmp_path):
    X, y = _bumps(30)
    clf = RNNClassifier(neighbour_weight=1.0, **SMALL).fit(X, y)
    arrays, meta = _saved(clf)
    np.testing.assert_array_equal(arrays["neighbours/series"], X)  # the series as given
    assert meta["reservoir"]["neighbours"]["weight"] == 1.0
    back = frnn.load(_file(tmp_path / "good.npz", arrays, meta))
    np.testing.assert_array_equal(back.decision_function(X), clf.decision_function(X))
    bad_classes = {**arrays, "neighbours/classes": arrays["neighbours/classes"] + 3.0}
    narrow = {**arrays, "neighbours/series": arrays["neighbours/series"][:, :-1]}
    missing = {k: v for k, v in arrays.items() if k != "neighbours/classes"}
    damaged = [
        (bad_classes, meta, "class indices"),
        (narrow, meta, "neighbours/series has shape"),
        (missing, meta, "neighbours/classes is missing"),
    ]
    for weight in (0.0, -1.0, "auto"):
        wrong = json_replaced(meta, ("reservoir", "neighbours", "weight"), weight)
        damaged.append((arrays, wrong, "neighbours' weight"))
    for i, (a, m, message) in enumerate(damaged):
        with pytest.raises(ValueError, match=message):
            frnn.load(_file(tmp_path / f"bad{i}.npz", a, m))
    none = json_replaced(meta, ("reservoir", "neighbours"), None)  # series kept, none said
    with pytest.raises(ValueError, match="arrays"):
        frnn.load(_file(tmp_path / "none.npz", arrays, none))


def test_files_before_version_7_load_with_the_read_out_alone(tmp_path):
    X, y = _bumps(30)
    clf = RNNClassifier(neighbour_weight=0.0, **SMALL).fit(X, y)
    arrays, meta = _saved(clf)
    old = {k: v for k, v in meta.items()}
    old["params"] = {k: v for k, v in meta["params"].items() if k != "neighbour_weight"}
    old["reservoir"] = {k: v for k, v in meta["reservoir"].items() if k != "neighbours"}
    lengths = ("min_length_", "max_length_")  # nor the training lengths of version 8
    old["fitted"] = {k: v for k, v in meta["fitted"].items() if k not in lengths}
    path = _file(tmp_path / "v6.npz", arrays, {**old, "version": 6})
    back = frnn.load(path)
    assert back.neighbour_weight == 0.0 and back.reservoir_.neighbours_ is None
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    with pytest.raises(ValueError, match="damaged"):  # version 7 must record both
        frnn.load(_file(tmp_path / "v7.npz", arrays, {**old, "version": 7}))


def json_replaced(meta, path, value):
    import json

    meta = json.loads(json.dumps(meta))
    holder = meta
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return meta


@pytest.mark.parametrize("weight", [math.inf, 1.0, 0.0])
def test_model_files_round_trip(tmp_path, weight):
    X, y = _bumps(30)
    clf = RNNClassifier(neighbour_weight=weight, **SMALL).fit(X, y)
    frnn.save(clf, tmp_path / "m.npz")
    back = frnn.load(tmp_path / "m.npz")
    assert back.neighbour_weight == weight
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    "value",
    [-1.0, "near", True, float("nan"), None],
    ids=["negative", "word", "bool", "nan", "none"],
)
def test_a_bad_weight_is_refused_naming_it(value):
    X, y = _bumps(12)
    for model in (
        RNNClassifier(neighbour_weight=value),
        ReservoirClassifier(neighbour_weight=value),
    ):
        with pytest.raises(ValueError, match=r"neighbour_weight must be 'auto' or a number"):
            model.fit(X, y)


def test_partial_fit_and_the_chunked_fit_keep_no_series():
    X, y = _bumps(30)
    clf = RNNClassifier(neighbour_weight=math.inf, **SMALL).partial_fit(X, y, classes=[0, 1, 2])
    assert clf.reservoir_.neighbours_ is None


def test_a_read_out_that_keeps_series_adds_partial_fits_to_them():
    from frnn.reservoir import ReservoirFeatures, ReservoirReadout

    X, y = _bumps(40)
    Y = 2.0 * np.eye(3)[y] - 1.0
    model = ReservoirReadout(ReservoirFeatures(n_reservoirs=2, units=4, random_state=0),
                             neighbour_weight=math.inf)  # fmt: skip
    model.fit(X[:25], Y[:25], sums=True).partial_fit(X[25:], Y[25:])
    X_test, _ = _bumps(20, seed=3)
    knn = KNeighborsClassifier(1).fit(X, y)
    np.testing.assert_array_equal(model.predict(X_test).argmax(axis=1), knn.predict(X_test))
    z = model.predict(X[25:])  # the added series are their own nearest: distance 0
    np.testing.assert_allclose(z[np.arange(15), y[25:]], 0.0, atol=1e-6)  # round-off


@pytest.mark.parametrize("scale", [2.0**-1000, 2.0**-300, 2.0**300, 2.0**990])
def test_the_neighbours_are_the_same_in_any_power_of_two_units(scale):
    # the squares of series of size 1e300 overflowed (z_nn NaN) and of 1e-300 vanished
    # (every distance 0: wrong predictions); now the distances are taken in units of a
    # power of two of the training series' largest value, an exact scaling
    X, y = _bumps(45)
    one = RNNClassifier(neighbour_weight=math.inf, **SMALL).fit(X, y)
    scaled = RNNClassifier(neighbour_weight=math.inf, **SMALL).fit(X * scale, y)
    # to round-off: numpy's sums and BLAS's products may take another order on other memory
    np.testing.assert_allclose(
        scaled.decision_function(X * scale), one.decision_function(X), rtol=1e-12, atol=0
    )
    auto = RNNClassifier(**SMALL).fit(X * scale, y)  # warnings are errors here
    assert (
        auto.reservoir_.neighbours_.weight
        == RNNClassifier(**SMALL).fit(X, y).reservoir_.neighbours_.weight
    )


def test_series_near_the_largest_float_fit_and_predict_without_overflow():
    """Series of 2^1021 (4e307): the check for a far centre (16 × the half-range) and the
    half-ranges of the levels (max − min) overflowed, and the distances between series,
    beyond the largest float, too: RuntimeWarnings, errors under warnings-as-errors.  Now
    those tests are taken without overflow and a distance beyond float64 is ∞ (no nearest
    series), so the read-out's decision values are the bits of the fit in units of one."""
    X, y = _bumps(45)
    scale = 2.0**1021
    huge = RNNClassifier(**SMALL).fit(X * scale, y)  # warnings are errors here
    assert np.isfinite(huge.predict_proba(X * scale)).all()
    alone = dict(SMALL, neighbour_weight=0)
    np.testing.assert_array_equal(
        RNNClassifier(**alone).fit(X * scale, y).decision_function(X * scale),
        RNNClassifier(**alone).fit(X, y).decision_function(X),
    )
    # ‖a − b‖ = 2√2·1e308, beyond float64: ∞ (no nearest series of class 0); 0 to itself
    A, B = np.array([[1e308, -1e308]]), np.array([[-1e308, 1e308], [1e308, -1e308]])
    np.testing.assert_array_equal(nearest(A, B, np.array([0, 1]), 2), [[np.inf, 0.0]])
