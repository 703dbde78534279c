"""RNNClassifier refusing what it cannot fit, naming it: NaN, one class, lengths, features,
parameters; a non-finite loss keeps the last finite parameters; targets named; class
weights in the loss."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import frnn
from frnn.estimator import RNNClassifier
from helpers import halves

QUICK = dict(training="bptt", hidden_size=8, steps=600, n_ensemble=1)  # as test_classifier.py


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_inputs_are_rejected(value):
    X, y = halves()
    X[3, 4] = value
    with pytest.raises(ValueError, match="NaN|inf"):
        RNNClassifier(**QUICK).fit(X, y)
    clf = RNNClassifier(**QUICK).fit(*halves())
    with pytest.raises(ValueError, match="NaN|inf"):
        clf.predict(X)
    with pytest.raises(ValueError, match="NaN or infinity"):
        clf.predict([np.ones((4, 1)), np.full((3, 1), value)])


_PADDING = (
    r"^Input X contains NaN or infinity; found 6 such value\(s\): series of different lengths "
    r"are given as a list"
)


@pytest.mark.parametrize("form", ["table", "list", "DataFrame", "array 3-D"])
def test_nan_padding_is_refused_in_one_message_that_says_how_to_give_unequal_lengths(form):
    """Series padded with NaN to one length: a table, an equal-length list or a DataFrame
    got scikit-learn's message, which advises HistGradientBoostingClassifier; every form
    now gets the input layer's, which says how series of several lengths are given."""
    import pandas as pd

    X, y = halves()  # (n, T)
    X[:3, -2:] = np.nan  # three shorter series, padded
    given = {"table": X, "list": list(X), "DataFrame": pd.DataFrame(X), "array 3-D": X[..., None]}
    clf = RNNClassifier(n_reservoirs=2, random_state=0)
    with pytest.raises(ValueError, match=_PADDING):
        clf.fit(given[form], y)
    assert not hasattr(clf, "n_features_in_")  # a refused fit records nothing
    fitted = RNNClassifier(n_reservoirs=2, random_state=0).fit(halves()[0], y)
    with pytest.raises(ValueError, match=_PADDING):
        fitted.predict(given[form] if form != "array 3-D" else X)


def test_single_class_and_length_mismatch():
    X, y = halves()
    with pytest.raises(ValueError, match="2 classes") as refused:
        RNNClassifier(**QUICK).fit(X, np.zeros(len(X), dtype=np.int64))
    assert str(refused.value).endswith("got 1 class: 0")  # the label as written, no np.int64(0)
    with pytest.raises(ValueError, match="got 1 class: 'a'$"):
        RNNClassifier(**QUICK).fit(X, np.full(len(X), "a"))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RNNClassifier(**QUICK).fit(X, y[:-1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RNNClassifier(**QUICK).fit(list(X[:, :, None])[:-2] + [X[0, :3, None]], y)


def test_predict_before_fit_and_wrong_feature_count():
    X, y = halves()
    with pytest.raises(NotFittedError):
        RNNClassifier().predict(X)
    clf = RNNClassifier(**QUICK).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :-1])
    seq = RNNClassifier(**QUICK).fit(X[:, :, None].repeat(2, axis=2), y)
    with pytest.raises(ValueError, match="2 features"):
        seq.predict(X[:, :, None])


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(learning_rate=-0.1), "learning_rate"),
        (dict(hidden_size=0), "hidden_size"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(epochs=1.5), "epochs"),
        (dict(clip=0.0), "clip"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(activation="gelu"), "activation"),
        (dict(dtype="float16"), "dtype"),
        (dict(frame_size=0), "frame_size"),
        (dict(n_ensemble=True), "n_ensemble"),
        (dict(bias="yes"), "bias"),
        # before: joblib's "n_jobs == 0 in Parallel has no meaning", raised mid-fit
        (
            dict(n_jobs=0, training="reservoir"),
            r"^n_jobs must be an integer other than 0 \(-1: every core\) or None; got 0$",
        ),
        # before: scikit-learn's "The classes, [0, 1], are not in class_weight"
        (dict(class_weight={"0": 1.0, "1": 2.0}), r"^class_weight names \['0', '1'\], not classes"),
        (dict(class_weight={5: 1.0}, training="reservoir"), r"names \[5\], not classes of y, "),
    ],
)
def test_invalid_hyper_parameters(bad, match):
    X, y = halves()
    with pytest.raises(ValueError, match=match):
        RNNClassifier(**bad).fit(X, y)


def test_non_finite_loss_is_a_clear_error_and_keeps_finite_parameters():
    X, y = halves()
    clf = RNNClassifier(
        **QUICK,
        activation="linear",
        optimizer="sgd",
        learning_rate=1e300,
        clip=None,
        random_state=0,
    )
    with pytest.raises(RuntimeError, match="non-finite.*restored.*or set clip"):
        clf.fit(X, y)
    assert all(np.isfinite(getattr(net, n)).all() for net in clf.networks_ for n in "WRV")
    # clipped, it still overflows at this rate: the advice names the threshold, not "set clip"
    with pytest.raises(RuntimeError, match=r"restored.*Lower learning_rate or clip \(now 1\)\.$"):
        clf.set_params(clip=1.0).fit(X, y)


def test_top_level_name_and_cli_friendly_parameters():
    assert frnn.RNNClassifier is RNNClassifier
    for name, value in RNNClassifier().get_params().items():
        pair = isinstance(value, tuple) and all(isinstance(v, float) for v in value)
        assert pair or value is None or isinstance(value, bool | int | float | str), name


def test_targets_encode_known_labels_and_name_unknown_ones():
    from frnn.classifier.targets import encode

    classes = np.array(["cat", "dog", "eel"])
    assert encode(classes, ["eel", "cat"]).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert encode(np.array([3, 5]), [5, 3, 5]).ravel().tolist() == [1, 0, 1]
    with pytest.raises(
        ValueError, match=r"the labels 'fox' are not among .*\['cat', 'dog', 'eel'\]"
    ):
        encode(classes, ["dog", "fox"])
    with pytest.raises(ValueError, match=r"the labels 1, 2 are not among"):
        encode(classes, [1, 2, 1])  # numbers never match text labels


def test_bptt_class_weight_scales_each_series_loss():
    X, y = halves(n=40)
    plain = RNNClassifier(**QUICK, random_state=0).fit(X, y)
    ones = RNNClassifier(**QUICK, class_weight={0: 1.0, 1: 1.0}, random_state=0).fit(X, y)
    for a, b in zip(plain.networks_, ones.networks_, strict=True):
        np.testing.assert_array_equal(a.W, b.W)  # weights of 1: the same arithmetic
    no_aux = dict(QUICK, aux_weight=0.0, random_state=0)
    np.testing.assert_allclose(  # the weighted path equals the plain many-to-one path
        RNNClassifier(**no_aux, class_weight={0: 1.0, 1: 1.0}).fit(X, y).networks_[0].W,
        RNNClassifier(**no_aux).fit(X, y).networks_[0].W,
        rtol=1e-9,
        atol=1e-12,
    )
    heavy = RNNClassifier(**QUICK, class_weight={0: 50.0, 1: 0.02}, random_state=0).fit(X, y)
    assert (heavy.predict(X) == 0).mean() > (plain.predict(X) == 0).mean()


def test_labels_outside_classes_name_what_they_were_for():
    """Before: every unknown label said 'it can only be evaluated on those', in fit's monitor
    and partial_fit too, where nothing is evaluated."""
    X, y = halves(n=12)
    clf = RNNClassifier(training="bptt", epochs=1, hidden_size=2, n_ensemble=1)
    with pytest.raises(ValueError, match=r"\[0, 1\]; it can only be monitored on those$"):
        clf.fit(X, y, monitor=(X, y + 3))
    from frnn.classifier.targets import evaluate  # frnn evaluate's scorer

    with pytest.raises(ValueError, match=r"\[0, 1\]; it can only be evaluated on those$"):
        evaluate(clf.fit(X, y), X, y + 3)


def test_class_weight_may_name_labels_beyond_a_folds_classes():
    """A search's fold may lack a class that the dict names: allowed, as scikit-learn
    allows it, where every class of the fold is named."""
    X, y = halves()
    RNNClassifier(n_reservoirs=2, class_weight={0: 1.0, 1: 2.0, 7: 3.0}).fit(X, y)
