"""``training="bptt"``: the ensemble of networks trained end to end, and its trainer.

Every weight W, R, V of each network is learned by backpropagation through time on the
sigmoid cross-entropy (``frnn.training``); this module turns the estimator's
hyper-parameters into the networks, the optimisers and the epoch loop's settings.
"""

from __future__ import annotations

import math
import types

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight

from ..data.series import Series
from ..training.loop import Member, Settings, Trainer
from ..training.steps import make_optimizer

__all__ = ["fit", "network", "split", "trainer"]


def fit(clf, x: np.ndarray, lengths: np.ndarray, Y: np.ndarray, callback, resume_state):
    """Train ``clf``'s networks on framed inputs x (n, T', f·D) and targets Y (n, K).

    Sets ``networks_``, ``history_``, ``loss_curve_``, ``n_iter_`` and ``stopped_by_``
    (these even when training stops with an error); returns ``clf``.
    """
    data, val, root = split(clf, x, lengths, Y)
    codes = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)  # (n,)
    loop = trainer(clf, data, Y.shape[1], root, codes)
    if resume_state is not None:
        loop.load_state(resume_state)
    try:
        clf.stopped_by_ = loop.run(data, val, callback)
    finally:
        clf.networks_ = [member.model for member in loop.members]
        clf.history_ = loop.history
        clf.loss_curve_ = list(loop.history["loss"])
        clf.n_iter_ = loop.epoch
    return clf


def split(clf, x: np.ndarray, lengths: np.ndarray, Y: np.ndarray):
    """Training and validation Series, and the run's root SeedSequence."""
    seed = check_random_state(clf.random_state).randint(np.iinfo(np.int32).max)
    root = np.random.SeedSequence(seed)
    n = x.shape[0]
    n_val = int(round(clf.validation_fraction * n))
    if clf.validation_fraction and not 1 <= n_val < n:
        raise ValueError(
            f"validation_fraction={clf.validation_fraction} leaves no "
            f"validation or no training series out of {n}"
        )
    order = np.random.default_rng(root.spawn(1)[0]).permutation(n)
    train, held = order[n_val:], order[:n_val]
    data = Series(x[train], Y[train], lengths[train])
    val = Series(x[held], Y[held], lengths[held]) if n_val else None
    return data, val, root


def trainer(clf, data: Series, K: int, root, y_codes: np.ndarray) -> Trainer:
    """The epoch loop for ``clf``'s networks; ``y_codes`` (n,) are the class indices of y."""
    n, _, D = data.X.shape
    members = []
    for child in root.spawn(1 + clf.n_ensemble)[1:]:
        rng = np.random.default_rng(child)
        optimizer = make_optimizer(
            clf.optimizer, clf.learning_rate, momentum=clf.momentum, weight_decay=clf.weight_decay
        )
        members.append(Member(model=network(clf, D, K, rng), optimizer=optimizer, rng=rng))
    settings = Settings(
        learning_rate=clf.learning_rate,
        schedule=clf.schedule,
        epochs=clf.epochs,
        batch_size=min(clf.batch_size, n),
        clip=clf.clip,
        chunk_length=clf.chunk_length,
        aux_weight=clf.aux_weight / float(np.mean(data.lengths)),  # per step: ~ the last's
        patience=clf.patience,
        accuracy=clf._accuracy,
        class_weights=class_weights(clf, y_codes),
    )
    return Trainer(members, settings)


def class_weights(clf, y_codes) -> np.ndarray | None:
    """(n_classes,) weights of each class's series, or None (``class_weight=None``)."""
    if clf.class_weight is None:
        return None
    if clf.target_type_ == "multilabel-indicator":
        raise ValueError("class_weight applies to class labels, not to multi-label targets")
    weights = compute_class_weight(clf.class_weight, classes=clf.classes_, y=clf.classes_[y_codes])
    return weights.astype(clf.dtype)


def network(clf, D: int, K: int, rng) -> types.SimpleNamespace:
    """A network with the estimator's initialisation, drawn from ``rng``."""
    I = clf.hidden_size
    scale = clf.init_scale or 1.0 / math.sqrt(I)
    net = types.SimpleNamespace(activation=clf.activation, loss="bce")
    shapes = {"W": (I, D), "R": (I, I), "V": (K, I)} | ({"b": I, "c": K} if clf.bias else {})
    for name, shape in shapes.items():
        setattr(net, name, rng.uniform(-scale, scale, size=shape).astype(clf.dtype))
    return net
