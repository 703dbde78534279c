"""``fit(X, y, sample_weight)`` and ``partial_fit``'s: each series' weight in the loss.

A series' weight is its class's times its sample weight, the sample weights rescaled to a
mean of one (:mod:`frnn.data.weights`); the references are built from the public
pieces: the fitted estimator's own features and scaling, and ``ridge_loo`` at its α.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline

import frnn
from frnn.data.series import Series
from frnn.estimators import inputs
from frnn.reservoir.ridge import ridge_loo
from helpers import halves, three_waves

# n > CROP_MAX_SERIES = 50: the read-out fits the series alone (no crops)
SMALL = dict(n_reservoirs=4, hidden_size=8, random_state=1)
QUICK_BPTT = dict(training="bptt", hidden_size=6, steps=60, n_ensemble=1, random_state=0)
ESTIMATORS = {
    "classifier": lambda **kw: frnn.RNNClassifier(**(SMALL | kw)),
    "regressor": lambda **kw: frnn.RNNRegressor(**(SMALL | kw)),
    "classifier-bptt": lambda **kw: frnn.RNNClassifier(**(QUICK_BPTT | kw)),
    "regressor-bptt": lambda **kw: frnn.RNNRegressor(**(QUICK_BPTT | kw)),
}


def _data(kind, n=60, seed=0):
    X, y = three_waves(n, seed=seed)
    return (X, y) if kind.startswith("classifier") else (X, X[:, -6:].mean(axis=1) + y)


def _outputs(model, X):
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    return model.predict(X)


def _scaled_features(model, X):
    """The read-out's scaled features (n, p) of X (ω folded into ``scale_``)."""
    readout = model.reservoir_
    x, lengths = inputs.validated(model, X, reset=False)  # as the estimator reads X
    if not readout.features_.normalise:  # the regressor's reservoirs: standardised inputs
        x = inputs.standardised(model, x, lengths)
    return (readout.features_.transform(Series(x, None, lengths)) - readout.mean_) / readout.scale_


def _weights(n, seed=0):
    return np.random.default_rng(seed).uniform(0.2, 3.0, n)


# -- what the weights mean ----------------------------------------------------------------
@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_equal_weights_are_no_weights_and_unequal_ones_move_the_model(kind):
    X, y = _data(kind)
    plain = ESTIMATORS[kind]().fit(X, y)
    for c in (1.0, 0.3, 7):
        equal = ESTIMATORS[kind]().fit(X, y, sample_weight=np.full(len(y), c))
        np.testing.assert_array_equal(_outputs(equal, X), _outputs(plain, X))
    assert np.array_equal(
        _outputs(ESTIMATORS[kind]().fit(X, y, sample_weight=2.0), X), _outputs(plain, X)
    )  # a number weighs every series alike, as scikit-learn reads it
    weighted = ESTIMATORS[kind]().fit(X, y, sample_weight=_weights(len(y)))
    assert np.abs(_outputs(weighted, X) - _outputs(plain, X)).max() > 1e-6


@pytest.mark.parametrize("kind", ["classifier", "regressor", "classifier-bptt"])
def test_weights_in_another_unit_give_the_same_model(kind):
    X, y = _data(kind)
    w = _weights(len(y))
    one = ESTIMATORS[kind]().fit(X, y, sample_weight=w)
    other = ESTIMATORS[kind]().fit(X, y, sample_weight=1000.0 * w)
    np.testing.assert_allclose(_outputs(other, X), _outputs(one, X), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_the_read_out_is_the_weighted_ridge_at_its_alpha(kind):
    X, y = _data(kind)
    w = np.random.default_rng(2).integers(1, 4, len(y)).astype(float)  # 1 to 3 copies
    model = ESTIMATORS[kind]().fit(X, y, sample_weight=w)
    assert not model.reservoir_.cropped_
    F = _scaled_features(model, X)
    targets = (
        2.0 * np.eye(3)[y] - 1.0
        if kind == "classifier"
        else model._task._scaled(model, y[:, None], np.full(len(y), X.shape[1]))
    )
    # the weights over their mean: at a fixed α, copies at α × mean(w)
    copies = ridge_loo(
        np.repeat(F, w.astype(int), axis=0),
        np.repeat(targets, w.astype(int), axis=0),
        [model.alpha_ * w.mean()],
    )
    readout = model.reservoir_.readout_
    np.testing.assert_allclose(readout.coef, copies.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(readout.intercept, copies.intercept, rtol=1e-8, atol=1e-10)


def test_class_weight_and_sample_weight_multiply():
    X, y = _data("classifier")
    cw = {0: 2.0, 1: 0.5, 2: 1.0}
    s = _weights(len(y))
    model = frnn.RNNClassifier(**SMALL, class_weight=cw).fit(X, y, sample_weight=s)
    together = np.array([cw[c] for c in y]) * s / s.mean()
    ridge = ridge_loo(
        _scaled_features(model, X), 2.0 * np.eye(3)[y] - 1.0, [model.alpha_], together
    )
    np.testing.assert_allclose(model.reservoir_.readout_.coef, ridge.coef, rtol=1e-8, atol=1e-10)
    alone = frnn.RNNClassifier(**SMALL, class_weight=cw).fit(X, y)
    assert np.abs(alone.decision_function(X) - model.decision_function(X)).max() > 1e-6


def test_a_series_of_weight_zero_has_no_say_in_the_read_out_nor_among_the_neighbours():
    X, y = _data("classifier")
    w = _weights(len(y))
    gone = np.array([3, 10, 17])
    w[gone] = 0.0
    keep = w > 0
    model = frnn.RNNClassifier(**SMALL, neighbour_weight=1.0).fit(X, y, sample_weight=w)
    # the ridge at the fit's α on the series kept: the same V, c (the features' scaling and
    # the reservoirs' thresholds are drawn from every series, weightless ones too)
    F = _scaled_features(model, X)
    ridge = ridge_loo(F[keep], (2.0 * np.eye(3)[y] - 1.0)[keep], [model.alpha_], w[keep] / w.mean())
    np.testing.assert_allclose(model.reservoir_.readout_.coef, ridge.coef, rtol=1e-8, atol=1e-10)
    near = model.reservoir_.neighbours_
    assert len(near.series) == keep.sum()
    assert not any(np.allclose(s, X[i]) for i in gone for s in near.series)
    assert np.isfinite(model.reservoir_.loo_).all()


def test_the_temperature_counts_each_series_by_its_weight(monkeypatch):
    X, y = _data("classifier")
    w = _weights(len(y))
    seen = []
    real = frnn.reservoir.readout.softmax_temperature

    def spy(z, y_index, sample_weight=None):
        seen.append(sample_weight)
        return real(z, y_index, sample_weight)

    monkeypatch.setattr(frnn.reservoir.readout, "softmax_temperature", spy)
    frnn.RNNClassifier(**SMALL, class_weight={0: 3.0, 1: 1.0, 2: 1.0}).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(seen[-1], w / w.mean())  # the sample weights: not the classes'


def test_the_bptt_loss_weighs_each_series_as_its_class_weight_would():
    # class weights with a mean of one over the series, as sample weights: the same loss
    X, y = halves(n=40)
    cw = {0: 0.5, 1: 1.5}
    X, y = X[np.argsort(y, kind="stable")], np.sort(y)
    y[:20], y[20:] = 0, 1  # 20 of each: the mean weight is exactly one
    by_class = frnn.RNNClassifier(**QUICK_BPTT, class_weight=cw).fit(X, y)
    by_series = frnn.RNNClassifier(**QUICK_BPTT).fit(X, y, sample_weight=np.where(y, 1.5, 0.5))
    np.testing.assert_allclose(by_series.networks_[0].W, by_class.networks_[0].W, rtol=1e-12)
    # and the two multiply: weights of mean one in each class keep the product's mean one
    s = np.tile([0.5, 1.5], 20)
    both = frnn.RNNClassifier(**QUICK_BPTT, class_weight=cw).fit(X, y, sample_weight=s)
    product = frnn.RNNClassifier(**QUICK_BPTT).fit(X, y, sample_weight=np.where(y, 1.5, 0.5) * s)
    np.testing.assert_allclose(both.networks_[0].W, product.networks_[0].W, rtol=1e-12)
    assert np.abs(both.networks_[0].W - by_class.networks_[0].W).max() > 1e-6


def test_sequence_targets_weigh_every_step_of_a_series():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 8))
    Y = np.cumsum(X, axis=1)  # (n, T): a value per step
    model = dict(training="bptt", hidden_size=4, steps=30, n_ensemble=1, random_state=0)
    plain = frnn.RNNRegressor(**model).fit(X, Y)
    w = _weights(16)
    weighted = frnn.RNNRegressor(**model).fit(X, Y, sample_weight=w)
    assert np.abs(weighted.predict(X) - plain.predict(X)).max() > 1e-6
    equal = frnn.RNNRegressor(**model).fit(X, Y, sample_weight=np.full(16, 4.0))
    np.testing.assert_array_equal(equal.predict(X), plain.predict(X))


# -- partial_fit ----------------------------------------------------------------------------
def test_partial_fit_weighs_every_chunk_in_the_first_chunks_unit():
    X, y = three_waves(180)
    w = _weights(180)
    clf = frnn.RNNClassifier(**SMALL)
    for start in range(0, 180, 60):
        part = slice(start, start + 60)
        clf.partial_fit(X[part], y[part], classes=[0, 1, 2], sample_weight=w[part])
    features = clf.reservoir_.features_
    F = features.transform(X)
    mean, scale = frnn.reservoir.readout.feature_scaling(F)
    ridge = ridge_loo((F - mean) / scale, 2.0 * np.eye(3)[y] - 1.0, [clf.alpha_], w / w[:60].mean())
    np.testing.assert_allclose(clf.reservoir_.readout_.coef, ridge.coef, rtol=1e-8, atol=1e-10)
    plain, equal = frnn.RNNRegressor(**SMALL), frnn.RNNRegressor(**SMALL)
    for start in range(0, 180, 60):
        part = slice(start, start + 60)
        plain.partial_fit(X[part], X[part, -1])
        equal.partial_fit(X[part], X[part, -1], sample_weight=np.full(60, 5.0))
    np.testing.assert_array_equal(equal.predict(X), plain.predict(X))


# -- refused -------------------------------------------------------------------------------
BAD = [
    (np.ones(59), r"sample_weight must be \(60,\), one weight per series; got shape \(59,\)"),
    (
        np.ones((60, 1)),
        r"sample_weight must be \(60,\), one weight per series; got shape \(60, 1\)",
    ),
    (np.r_[np.nan, np.ones(59)], r"sample_weight must hold finite weights >= 0; got nan"),
    (np.r_[np.inf, np.ones(59)], r"sample_weight must hold finite weights >= 0; got inf"),
    (np.r_[-1.0, np.ones(59)], r"sample_weight must hold finite weights >= 0; got -1.0"),
    (np.zeros(60), r"sample_weight must hold at least one weight > 0; got every weight zero"),
    (["a"] * 60, r"sample_weight must be \(60,\) numbers, one weight per series; got list"),
    ({"a": 1}, r"sample_weight must be \(60,\) numbers"),
]


@pytest.mark.parametrize("kind", list(ESTIMATORS))
@pytest.mark.parametrize("bad, match", BAD)
def test_bad_weights_are_refused_naming_sample_weight(kind, bad, match):
    X, y = _data(kind)
    model = ESTIMATORS[kind]().fit(X[:40], y[:40])
    before = _outputs(model, X)
    with pytest.raises(ValueError, match=match):
        model.fit(X, y, sample_weight=bad)
    np.testing.assert_array_equal(_outputs(model, X), before)  # the last fit kept


@pytest.mark.parametrize("kind", ["classifier", "classifier-bptt"])
def test_a_class_left_no_weight_is_never_predicted_and_one_class_left_is_refused(kind):
    """As scikit-learn's classifiers: a class whose series all weigh 0 (a bootstrap of
    ``BaggingClassifier`` that drew none of them) is fitted, kept in ``classes_`` and never
    predicted; weights that leave a single class are refused, naming a weightless class."""
    X, y = _data(kind)
    w = np.where(y == 2, 0.0, 1.0)
    model = ESTIMATORS[kind]().fit(X, y, sample_weight=w)
    assert model.classes_.tolist() == [0, 1, 2]
    P = model.predict_proba(X)
    assert np.isfinite(P).all() and not (model.predict(X) == 2).any()
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    model = frnn.RNNClassifier(**SMALL).partial_fit(X, y, classes=[0, 1, 2], sample_weight=w)
    assert not (model.predict(X) == 2).any()
    alone = np.where(y == 0, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"sample_weight gives class 1 no weight.*needs two"):
        ESTIMATORS[kind]().fit(X, y, sample_weight=alone)
    with pytest.raises(ValueError, match=r"sample_weight gives class 1 no weight.*needs two"):
        frnn.RNNClassifier(**SMALL).partial_fit(X, y, classes=[0, 1, 2], sample_weight=alone)


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_weights_near_the_largest_float_are_weights(kind):
    """Weights whose sum overflows (1e308): their mean was inf, every weight became 0 (a
    RuntimeWarning, then "every weight zero" or "gives class 1 no weight"); they are
    weights in another unit now."""
    X, y = _data(kind)
    w = _weights(len(y))
    huge = ESTIMATORS[kind]().fit(X, y, sample_weight=w / w.max() * 1.7e308)
    one = ESTIMATORS[kind]().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(_outputs(huge, X), _outputs(one, X), rtol=1e-6, atol=1e-6)


def test_a_regressor_left_one_series_of_weight_is_refused():
    """Its leave-one-out left that series out of a fit of none: a RuntimeWarning (0/0),
    then a constant model; refused by name now (BPTT fits it)."""
    X, y = _data("regressor")
    alone = np.r_[1.0, np.zeros(len(y) - 1)]
    with pytest.raises(ValueError, match=r"sample_weight leaves a single series of weight > 0"):
        ESTIMATORS["regressor"]().fit(X, y, sample_weight=alone)
    with pytest.raises(ValueError, match=r"sample_weight leaves a single series of weight > 0"):
        ESTIMATORS["regressor"]().partial_fit(X, y, sample_weight=alone)
    ESTIMATORS["regressor"]().fit(X, y, sample_weight=np.r_[1.0, 1.0, np.zeros(len(y) - 2)])
    ESTIMATORS["regressor-bptt"]().fit(X, y, sample_weight=alone)


@pytest.mark.parametrize("kind", ["classifier-bptt", "regressor-bptt"])
def test_a_training_split_left_no_weight_is_refused(kind):
    """The series of weight > 0 all held out for validation: the loss was 0 at every step
    and the networks were returned as drawn, silently."""
    X, y = _data(kind)
    w = np.zeros(len(y))
    w[[0, 1, 2]] = 1.0  # one series of each class
    kw = dict(validation_fraction=0.95)
    with pytest.raises(ValueError, match=r"sample_weight gives every training series weight 0"):
        ESTIMATORS[kind](**kw).fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match=r"sample_weight gives every training series weight 0"):
        ESTIMATORS[kind](epochs=2, **kw).fit(X, y, sample_weight=w)


def test_partial_fit_refuses_bad_weights_and_keeps_its_sums():
    X, y = three_waves(60)
    clf = frnn.RNNClassifier(**SMALL).partial_fit(X[:30], y[:30], classes=[0, 1, 2])
    n = clf.reservoir_.sums_.n
    with pytest.raises(ValueError, match=r"sample_weight must hold finite weights >= 0"):
        clf.partial_fit(X[30:], y[30:], sample_weight=-np.ones(30))
    assert clf.reservoir_.sums_.n == n


def test_a_dask_array_refuses_weights():
    da = pytest.importorskip("dask.array")
    X, y = _data("classifier")
    with pytest.raises(ValueError, match="sample_weight is not supported with a dask array X"):
        frnn.RNNClassifier(**SMALL).fit(
            da.from_array(X, chunks=(30, -1)), y, sample_weight=_weights(60)
        )


# -- kept, and scikit-learn's tools ---------------------------------------------------------
@pytest.mark.parametrize("kind", ["classifier", "classifier-bptt", "regressor"])
def test_a_weighted_fit_saves_and_loads(kind, tmp_path):
    X, y = _data(kind)
    w = _weights(len(y))
    w[:3] = 0.0
    model = ESTIMATORS[kind](**({"neighbour_weight": 1.0} if kind == "classifier" else {}))
    model.fit(X, y, sample_weight=w)
    frnn.save(model, tmp_path / "m.npz")
    loaded = frnn.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(_outputs(loaded, X), _outputs(model, X))


def test_cross_validate_and_a_pipeline_pass_the_weights():
    X, y = _data("classifier")
    w = _weights(len(y))
    folds = KFold(3)
    given = cross_validate(
        frnn.RNNClassifier(**SMALL),
        X,
        y,
        cv=folds,
        params={"sample_weight": w},
        return_estimator=True,
    )
    by_hand = [
        frnn.RNNClassifier(**SMALL).fit(X[fit], y[fit], sample_weight=w[fit])
        for fit, _ in folds.split(X)
    ]
    for fitted, model in zip(given["estimator"], by_hand, strict=True):
        np.testing.assert_array_equal(fitted.decision_function(X), model.decision_function(X))
    plain = frnn.RNNClassifier(**SMALL).fit(X[next(folds.split(X))[0]], y[next(folds.split(X))[0]])
    assert np.abs(plain.decision_function(X) - by_hand[0].decision_function(X)).max() > 1e-6
    by_hand = [
        m.score(X[test], y[test]) for m, (_, test) in zip(by_hand, folds.split(X), strict=True)
    ]
    with sklearn.config_context(enable_metadata_routing=True):
        routed = frnn.RNNClassifier(**SMALL).set_fit_request(sample_weight=True)
        routed.set_score_request(sample_weight=False)  # the scores: unweighted, as by_hand
        again = cross_validate(routed, X, y, cv=folds, params={"sample_weight": w})
    np.testing.assert_array_equal(again["test_score"], by_hand)
    pipe = make_pipeline(frnn.RNNClassifier(**SMALL)).fit(X, y, rnnclassifier__sample_weight=w)
    direct = frnn.RNNClassifier(**SMALL).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(pipe.decision_function(X), direct.decision_function(X))


def test_adaboost_fits_and_predicts():
    X, y = halves(n=60, T=16)
    boost = AdaBoostClassifier(
        frnn.RNNClassifier(n_reservoirs=2, hidden_size=8, random_state=0),
        n_estimators=3,
        random_state=0,
    ).fit(X, y)
    X_test, y_test = halves(n=60, T=16, seed=1)
    assert boost.predict(X_test).shape == (60,) and boost.score(X_test, y_test) > 0.6
    assert len(boost.estimators_) >= 1


def test_few_series_weigh_their_crops_as_themselves(monkeypatch):
    # at most CROP_MAX_SERIES series: the read-out also tries their crops, each weighing
    # its series' weight; a series of weight 0 takes its crop out with it
    X, y = three_waves(24)
    w = _weights(24)
    w[[0, 5]] = 0.0
    rows = []
    real = frnn.reservoir.readout.with_crops

    def spy(F, crops, Y, sample_weight, ridge, shrink=0.0):
        rows.append(sample_weight)
        return real(F, crops, Y, sample_weight, ridge, shrink)

    monkeypatch.setattr(frnn.reservoir.readout, "with_crops", spy)
    model = frnn.RNNClassifier(**SMALL).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(rows[-1], w / w.mean())
    assert np.isfinite(model.decision_function(X)).all()
    plain = frnn.RNNClassifier(**SMALL).fit(X, y)
    assert np.abs(plain.decision_function(X) - model.decision_function(X)).max() > 1e-6


def test_balanced_class_weights_count_the_series_by_their_sample_weights():
    """As scikit-learn's ``compute_class_weight("balanced", ..., sample_weight=)`` (which
    its LogisticRegression and forests use): a bootstrap's draws passed as weights balance
    the classes drawn.  Before, "balanced" counted the series whatever their weights."""
    from sklearn.utils.class_weight import compute_class_weight

    from frnn.estimators import bptt
    from frnn.reservoir.weights import class_weights

    X, y = _data("classifier")
    s = _weights(len(y))
    s[y == 0] *= 4.0  # class 0 weighs much more than its count says
    want = compute_class_weight("balanced", classes=np.arange(3), y=y, sample_weight=s)
    np.testing.assert_allclose(class_weights("balanced", np.arange(3), y, s), want, rtol=1e-14)
    model = frnn.RNNClassifier(**SMALL, class_weight="balanced").fit(X, y, sample_weight=s)
    together = want[y] * s / s.mean()
    ridge = ridge_loo(
        _scaled_features(model, X), 2.0 * np.eye(3)[y] - 1.0, [model.alpha_], together
    )
    np.testing.assert_allclose(model.reservoir_.readout_.coef, ridge.coef, rtol=1e-8, atol=1e-10)
    net = frnn.RNNClassifier(**QUICK_BPTT, class_weight="balanced").fit(X, y)  # classes_
    spec = bptt.spec(net, net._task.encode(net, y, np.full(len(y), X.shape[1])), s / s.mean())
    np.testing.assert_allclose(spec.settings.class_weights, want, rtol=1e-6)  # float32 there
    # a class whose series all weigh 0 weighs nothing: any finite class weight does
    zero = np.where(y == 2, 0.0, s)
    assert np.isfinite(class_weights("balanced", np.arange(3), y, zero)).all()
    model = frnn.RNNClassifier(**SMALL, class_weight="balanced").fit(X, y, sample_weight=zero)
    assert not (model.predict(X) == 2).any()
