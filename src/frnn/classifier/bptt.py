"""``training="bptt"``: the ensemble of networks trained end to end, and its trainer.

Every weight W, R, V (and b, c) of each network is learned by backpropagation through time
on the sigmoid cross-entropy (RNNRegressor's: least squares; ``frnn.training``); this
module turns the estimator's hyper-parameters into the networks, the optimisers and the
epoch loop's settings.
"""

from __future__ import annotations

import math
import types

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight

from ..data.series import Series
from ..engine.protocol import detached
from ..training.loop import Member, Settings, Trainer
from ..training.steps import make_optimizer
from . import sequences as seq
from . import targets

__all__ = [
    "check_memory",
    "detached",
    "monitored",
    "network",
    "prepare",
    "run",
    "split",
    "trainer",
]

_MAX_PARAMETER_BYTES = 2**34  # 16 GiB: weights, gradients and optimizer moments together


def check_memory(I: int, D: int, K: int, n_ensemble: int, itemsize: int) -> None:
    """Refuse, before any allocation or loop, sizes whose parameters cannot fit in memory."""
    need = 4 * n_ensemble * (I * D + I * I + K * I) * itemsize  # W, R, V; grads; 2 moments
    if need > _MAX_PARAMETER_BYTES:
        raise ValueError(
            f"hidden_size={I} and n_ensemble={n_ensemble} need about {need / 2**30:,.0f} GiB "
            f"for the networks' parameters alone (at most {_MAX_PARAMETER_BYTES / 2**30:.0f} "
            "GiB); choose smaller ones"
        )


def prepare(clf, x: np.ndarray, lengths: np.ndarray, Y: np.ndarray, resume_state):
    """The epoch loop for framed inputs x (n, T', f·D) and targets Y (n, K), and its data.

    ``clf`` is an RNNClassifier or an RNNRegressor (whose Y may be (n, T', K), a target
    per step); the networks' loss is ``clf._loss`` ("bce" when it has none).

    Everything that can refuse (sizes, a validation split, a resume state) does so here,
    before anything is trained.  Returns (trainer, training Series, validation Series or None).
    """
    data, val, root = split(clf, x, lengths, Y)
    codes = None  # (n,) class indices, for class weights (classifiers only)
    if getattr(clf, "class_weight", None) is not None:
        codes = Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)
    loop = trainer(clf, data, Y.shape[-1], root, codes)
    if resume_state is not None:
        loop.load_state(resume_state)
    return loop, data, val


def run(clf, loop: Trainer, data: Series, val: Series | None, callback, monitor=None):
    """Train ``clf``'s networks with the loop of :func:`prepare` (``monitor``: the Series
    of :func:`monitored`, scored after every epoch, or None).

    Sets ``networks_``, ``history_``, ``loss_curve_``, ``n_iter_`` and ``stopped_by_``
    (these even when training stops with an error); returns ``clf``.
    """
    clf.__dict__.pop("stopped_by_", None)
    try:  # from here on every attribute belongs to this fit, even when training fails
        clf.stopped_by_ = loop.run(data, val, callback, monitor)
    finally:
        clf.networks_ = [detached(member.model) for member in loop.members]
        clf.history_ = loop.history
        clf.loss_curve_ = list(loop.history["loss"])
        clf.n_iter_ = loop.epoch
    return clf


def monitored(clf, monitor) -> Series | None:
    """``fit``'s ``monitor`` pair (X, y) as the epoch loop's Series, or None for None.

    X is standardised and framed as the training series were, y encoded as the training
    targets: over ``classes_`` (a label the model does not know is refused) or, for a
    regressor, scaled by ``y_mean_`` and ``y_scale_``.
    """
    if monitor is None:
        return None
    if not isinstance(monitor, tuple | list) or len(monitor) != 2:
        raise ValueError(
            f"monitor must be a pair (X, y) of series and their targets; got "
            f"{type(monitor).__name__}"
        )
    X, y = monitor
    if hasattr(clf, "y_scale_"):
        from ..regressor.targets import monitored_targets

        x, lengths, Y = monitored_targets(clf, X, y)
    else:
        x, lengths = clf._frames(*seq.validated(clf, X, reset=False))
        Y = _encoded(clf, y, x.shape[0])
    return Series(x, Y.astype(clf.dtype), lengths)


def _encoded(clf, y, n: int) -> np.ndarray:
    """A classifier's monitored labels y (n,) (or 0/1 multi-label rows) as targets (n, K)."""
    y = np.asarray(y)
    if clf.target_type_ == "multilabel-indicator":
        Y, K = y, clf.classes_.size
        if Y.ndim == 2 and not np.isin(Y, (0, 1)).all():
            raise ValueError("monitor's y must hold 0/1 rows for a multi-label model")
    else:
        Y = targets.encode(clf.classes_, y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y)
        K = Y.shape[1]
    if Y.shape != (n, K):
        raise ValueError(
            f"monitor's X holds {n} series, so its y must be ({n},) labels (or ({n}, {K}) "
            f"0/1 rows for multi-label targets); got shape {y.shape}"
        )
    return Y


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


def trainer(clf, data: Series, K: int, root, y_codes: np.ndarray | None) -> Trainer:
    """The epoch loop for ``clf``'s networks; ``y_codes`` (n,) are the class indices of y
    (None without class weights)."""
    n, _, D = data.X.shape
    check_memory(clf.hidden_size, D, K, clf.n_ensemble, np.dtype(clf.dtype).itemsize)
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
        target_scale=getattr(clf, "y_scale_", None),  # a regressor's: RMSEs in its units
    )
    return Trainer(members, settings)


def class_weights(clf, y_codes) -> np.ndarray | None:
    """(n_classes,) weights of each class's series, or None (``class_weight=None``)."""
    if getattr(clf, "class_weight", None) is None:  # a regressor has none
        return None
    if clf.target_type_ == "multilabel-indicator":
        raise ValueError("class_weight applies to class labels, not to multi-label targets")
    weights = compute_class_weight(clf.class_weight, classes=clf.classes_, y=clf.classes_[y_codes])
    return weights.astype(clf.dtype)


def network(clf, D: int, K: int, rng) -> types.SimpleNamespace:
    """A network with the estimator's initialisation, drawn from ``rng``."""
    I = clf.hidden_size
    scale = clf.init_scale or 1.0 / math.sqrt(I)
    net = types.SimpleNamespace(activation=clf.activation, loss=getattr(clf, "_loss", "bce"))
    shapes = {"W": (I, D), "R": (I, I), "V": (K, I)} | ({"b": I, "c": K} if clf.bias else {})
    for name, shape in shapes.items():
        setattr(net, name, rng.uniform(-scale, scale, size=shape).astype(clf.dtype))
    return net
