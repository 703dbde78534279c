"""The BPTT defaults are the memory recipe: an estimator's fit equals the recipe run by hand.

The reference builds the recipe from its parts, independently of the estimators' input
path and loop: the inputs standardised and framed with numpy, the networks drawn by
``frnn.init`` (the IRNN), trained by ``frnn.training.train_stream`` on batches drawn with
``array_batches``, with Adam's L2 weight decay on W, R and V (the regressor's 1e-4: with
few series it memorised them; the classifier's 0); its predictions must equal the
estimator's to 1e-12 (float64).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import frnn
from frnn import RNNClassifier, RNNRegressor
from frnn.data import synthetic
from frnn.training import array_batches, train_stream

STEPS = 250  # 84 rounds of 3 steps, the last one shorter; 2 warm-up steps


def _framing(X):
    """The estimators' input path by hand: a function standardising series (n, T, D) by
    X's statistics and cutting them into frames of f = ⌈T/20⌉ samples, and f."""
    n, T, D = X.shape
    # the mean and std of frnn.data.inputs.standardisation, to the last bit (Adam makes
    # a difference of 1e-16 in the inputs one of 1e-4 after a few hundred steps)
    m = np.abs(X).max(axis=(0, 1))  # (D,) the values scaled by their largest magnitude
    mean, std = (X / m).reshape(-1, D).mean(axis=0) * m, (X / m).reshape(-1, D).std(axis=0) * m
    f = math.ceil(T / 20)  # ⌈T/20⌉ samples a network step

    def framed(x):
        s = np.maximum(np.abs(mean), std)  # standardise's order of operations, as well
        x = (x / s - mean / s) / (std / s)
        return np.ascontiguousarray(x.reshape(x.shape[0], T // f, f * D))  # (n, T/f, f·D)

    return framed, f


def _reference(X, Y, K, loss, steps, seed, n_ensemble, predict_X, weight_decay=0.0):
    """The recipe by hand: returns the ensemble's mean logits (n, K) on predict_X."""
    framed, f = _framing(X)
    D = X.shape[2]
    s = np.random.RandomState(seed).randint(np.iinfo(np.int32).max)
    children = np.random.SeedSequence(s).spawn(2 * n_ensemble + 1)
    nets = []
    for k in range(n_ensemble):
        net = frnn.FullyRecurrentNetwork(f * D, 64, K, activation="relu", loss=loss, bias=True)
        frnn.init(
            net, f * D, 64, K, rng=np.random.default_rng(children[n_ensemble + k]),
            bias=True, scheme="identity",
        )  # fmt: skip
        nets.append(net)
    train_stream(
        nets, array_batches(framed(X), Y, 32), steps=steps, learning_rate=4e-3,
        warmup=int(0.01 * steps), decay="cosine", clip=1.0, seed=s, eval_every=steps,
        weight_decay=weight_decay,  # L2 on W, R, V: the regressor's 1e-4, the classifier's 0
    )  # fmt: skip
    z = []
    for net in nets:
        frnn.forward(net, framed(predict_X))
        z.append(net.z.copy())
    return np.mean(z, axis=0)  # (n, K)


@pytest.mark.parametrize("n_ensemble", [1, 2])
def test_regressor_defaults_are_the_recipe(n_ensemble):
    X, y = synthetic.adding(48, np.random.default_rng(1), length=40)  # (48, 40, 2)
    est = RNNRegressor(training="bptt", steps=STEPS, n_ensemble=n_ensemble, random_state=3)
    est.fit(X, y)
    y_mean, y_std = y.mean(), y.std()
    z = _reference(X, (y - y_mean) / y_std, 1, "mse", STEPS, 3, n_ensemble, X[:10], 1e-4)
    np.testing.assert_allclose(est.predict(X[:10]), z[:, 0] * y_std + y_mean, rtol=0, atol=1e-12)
    # rounds of max(⌈48 / 32⌉, ⌈250 / 100⌉) = 3 steps
    assert est.frame_size_ == 2 and est.n_iter_ == math.ceil(STEPS / 3)
    assert est.stopped_by_ == "steps" and len(est.history_["loss"]) == est.n_iter_


def test_classifier_defaults_are_the_recipe():
    X, labels = synthetic.recall(48, np.random.default_rng(2), length=20)[:2]
    est = RNNClassifier(training="bptt", steps=STEPS, n_ensemble=2, random_state=5)
    est.fit(X, labels)
    classes = np.unique(labels)
    codes = np.searchsorted(classes, labels)
    K = classes.size
    z = _reference(X, codes, K, "bce", STEPS, 5, 2, X)
    np.testing.assert_allclose(est.decision_function(X), z, rtol=0, atol=1e-12)


@pytest.mark.parametrize("clip", [None, 0.05])
def test_a_short_fit_is_its_steps_done_by_hand(clip):
    """Six optimiser steps of the BPTT default, each written out: a batch of 32 distinct
    series drawn as the loop draws them, frnn.forward and frnn.backward, the global norm
    clipped to ``clip`` (None: never; 0.05: at every step), and Adam's documented update
    at the cosine schedule's rate.  Pins the training loop's fast paths (its one-chunk
    batches, the compiled Adam pass that scales by the clipping factor) to the plain
    rules."""
    X, labels = synthetic.recall(40, np.random.default_rng(4), length=20)[:2]
    steps, lr, seed = 6, 4e-3, 7
    est = RNNClassifier(training="bptt", steps=steps, n_ensemble=1, clip=clip, random_state=seed)
    est.fit(X, labels)
    classes = np.unique(labels)
    Y = (labels[:, None] == classes).astype(float)  # (n, K) one-hot
    framed, _ = _framing(X)
    x_all = framed(X)
    s = np.random.RandomState(seed).randint(np.iinfo(np.int32).max)
    batches_seed, draw_seed, _ = np.random.SeedSequence(s).spawn(3)
    net = frnn.FullyRecurrentNetwork(x_all.shape[2], 64, classes.size, activation="relu")
    frnn.init(net, x_all.shape[2], 64, classes.size, rng=np.random.default_rng(draw_seed),
              bias=True, scheme="identity")  # fmt: skip
    names = ("W", "R", "V", "b", "c")
    m = {name: np.zeros_like(getattr(net, name)) for name in names}
    v = {name: np.zeros_like(getattr(net, name)) for name in names}
    rng = np.random.default_rng(batches_seed)
    clipped = 0
    for t in range(1, steps + 1):
        index = rng.choice(len(X), 32, replace=False)
        frnn.forward(net, x_all[index], Y[index])
        grads = frnn.backward(net)
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
        factor = 1.0 if clip is None else min(1.0, clip / (norm + 1e-6))
        clipped += factor < 1.0
        rate = lr * 0.5 * (1.0 + math.cos(math.pi * (t - 1) / steps))  # no warm-up step
        for name in names:
            g = grads[name] * factor
            m[name] = 0.9 * m[name] + 0.1 * g
            v[name] = 0.999 * v[name] + 0.001 * g * g
            m_hat, v_hat = m[name] / (1 - 0.9**t), v[name] / (1 - 0.999**t)
            getattr(net, name)[...] -= rate * m_hat / (np.sqrt(v_hat) + 1e-8)
    assert clipped == (0 if clip is None else steps)
    for name in names:
        np.testing.assert_allclose(
            getattr(est.networks_[0], name), getattr(net, name), rtol=0, atol=1e-12
        )
    frnn.forward(net, x_all)
    np.testing.assert_allclose(est.decision_function(X), net.z, rtol=0, atol=1e-12)
