"""The biases in the classifiers: a sine against a square wave, each class its own mirror image."""

from __future__ import annotations

import numpy as np
import pytest

import frnn


# -- the sine-against-square task ------------------------------------------------------------
def _sine_square(seed):
    """The issue's task: 100 training and 100 test series of length 60, noise 0.3."""
    from frnn.data.synthetic import sine_square

    rng = np.random.default_rng(seed)
    (X_train, y_train), (X_test, y_test) = sine_square(100, rng), sine_square(100, rng)
    return X_train[:, :, 0], y_train, X_test[:, :, 0], y_test


@pytest.mark.slow
def test_the_bptt_classifier_tells_a_sine_from_a_square():
    """With biases (bptt's default) the task is easy (a budget of 1,500 steps rather than
    the default 8,000, for time); without them it is impossible (below)."""
    scores = []
    for seed in (0, 1):
        X_train, y_train, X_test, y_test = _sine_square(seed)
        clf = frnn.RNNClassifier(training="bptt", steps=1500, random_state=seed)
        clf.fit(X_train, y_train)
        assert clf.bias is True and all(net.b is not None for net in clf.networks_)
        scores.append(clf.score(X_test, y_test))
    assert np.mean(scores) >= 0.9, scores


def test_the_default_classifier_tells_a_sine_from_a_square():
    """The default (reservoirs, whose b is always there) on the same task."""
    X_train, y_train, X_test, y_test = _sine_square(0)
    clf = frnn.RNNClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.9


@pytest.mark.slow
def test_without_biases_a_sine_and_a_square_cannot_be_told_apart():
    """A tanh network without biases is odd, z(−x) = −z(x), so p(x) + p(−x) = 1: and each
    class here is its own mirror image (−sin θ = sin(θ + π)), so whatever it learns on the
    training set (it fits it), on new series it is right as often as wrong."""
    X_train, y_train, X_test, y_test = _sine_square(0)
    tanh = dict(activation="tanh", init="torch", learning_rate=0.01, standardize=False)
    clf = frnn.RNNClassifier(training="bptt", bias=False, epochs=300, random_state=0, **tanh)
    clf.fit(X_train, y_train)
    assert clf.score(X_train, y_train) > 0.9  # it memorises the training series ...
    assert clf.score(X_test, y_test) < 0.65  # ... and is at chance on new ones (0.5)
    p, p_mirror = clf.predict_proba(X_test)[:, 1], clf.predict_proba(-X_test)[:, 1]
    np.testing.assert_allclose(p + p_mirror, 1.0, rtol=0, atol=1e-12)
    # the identity is the missing biases': one epoch with them already breaks it
    biased = frnn.RNNClassifier(training="bptt", epochs=1, random_state=0, **tanh)
    biased.fit(X_train, y_train)
    p, p_mirror = biased.predict_proba(X_test)[:, 1], biased.predict_proba(-X_test)[:, 1]
    assert np.abs(p + p_mirror - 1.0).max() > 0.01
