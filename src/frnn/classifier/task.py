"""The classifier's task: labels encoded as the network's outputs, decoded as decisions.

Two classes use one sigmoid output (target 1 for ``classes_[1]``); more classes one output
each (one-hot); multi-label targets are already a 0/1 matrix (``training="bptt"`` only).
The reservoir read-out fits one output per class, ±1, with class weights on its series,
and calibrates a softmax temperature on its leave-one-out outputs.
"""

from __future__ import annotations

import functools

import numpy as np

from ..data.weights import refuse_weightless_classes
from ..estimators.persist import plain
from ..estimators.tasks import Task
from ..reservoir.weights import STATISTICS_WEIGHTS, class_weights
from .targets import accuracy, encode, fit_targets

__all__ = ["Classification"]

_TARGETS = ("binary", "multiclass", "multilabel-indicator")


def _codes(Y: np.ndarray) -> np.ndarray:
    """Class indices (n,) of encoded targets Y (n, K): one output, or one-hot."""
    return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0].astype(int)


class Classification(Task):
    """Class labels: sigmoid outputs, the cross-entropy, accuracy."""

    kind = "classifier"
    loss = "bce"
    marker = "classes_"
    fitted = ("target_type_",)

    def encode(self, est, y, lengths):
        est.classes_, est.target_type_, Y = fit_targets(y, len(lengths), est.dtype)
        return Y  # (n, K)

    def check_reservoir(self, est, Y):
        if est.target_type_ == "multilabel-indicator":
            raise ValueError(
                "training='reservoir' fits class labels y (n,); for multi-label 0/1 "
                "targets use training='bptt'"
            )

    def readout_targets(self, est, Y, sample_weight=None):
        codes = _codes(Y)
        weights = class_weights(est.class_weight, est.classes_, codes, sample_weight)
        targets = 2.0 * np.eye(est.classes_.size)[codes] - 1.0  # (n, K) one-hot as ±1
        return targets, None if weights is None else weights[codes]

    def check_weights(self, est, Y, weights):
        if est.target_type_ != "multilabel-indicator":
            refuse_weightless_classes(est.classes_, _codes(Y), weights)

    def calibrate(self, est, Y, weights=None):
        est.reservoir_.calibrate(self.loo_classes(est, Y), sample_weight=weights)

    def neighbour_weight(self, est):
        return est.neighbour_weight

    def statistics_weights(self, est):
        return STATISTICS_WEIGHTS

    def crops(self, est):
        return True

    def loo_classes(self, est, Y):
        return _codes(Y)

    def encode_first(self, est, y, lengths, classes=None):
        if classes is None:
            raise ValueError(
                "classes must be given on the first call to partial_fit: every label the "
                "chunks will hold (scikit-learn's convention); got None"
            )
        classes = np.unique(np.asarray(classes))
        if classes.ndim != 1 or classes.size < 2:
            raise ValueError(f"classes must name at least 2 labels; got {classes.tolist()!r}")
        est.classes_ = classes
        est.target_type_ = _TARGETS[0] if classes.size == 2 else _TARGETS[1]
        return self.encode_more(est, y, lengths)

    def encode_more(self, est, y, lengths):
        y = np.asarray(y)
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
        if y.shape != lengths.shape:
            raise ValueError(
                f"y must be ({len(lengths)},) class labels, one per series of X; got shape "
                f"{y.shape}"
            )
        # partial_fit's later chunks, fit_stream's batches: classes_ was fixed at the start
        return encode(est.classes_, y, est.dtype, use="trained")  # (n, K)

    def ensemble_options(self, est, Y, sample_weight=None):
        multilabel = est.target_type_ == "multilabel-indicator"
        weights = None
        if est.class_weight is not None:
            if multilabel:
                raise ValueError("class_weight applies to class labels, not to multi-label targets")
            codes = _codes(Y)
            weights = class_weights(est.class_weight, est.classes_, codes, sample_weight)
            weights = weights.astype(est.dtype)
        return {
            "accuracy": functools.partial(accuracy, multilabel=multilabel),
            "class_weights": weights,
        }

    def monitored(self, est, y, n, lengths):
        y = np.asarray(y)
        if est.target_type_ == "multilabel-indicator":
            Y, K = y, est.classes_.size
            if Y.ndim == 2 and not np.isin(Y, (0, 1)).all():
                raise ValueError("monitor's y must hold 0/1 rows for a multi-label model")
        else:
            y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
            Y = encode(est.classes_, y, use="monitored")
            K = Y.shape[1]
        if Y.shape != (n, K):
            raise ValueError(
                f"monitor's X holds {n} series, so its y must be ({n},) labels (or ({n}, {K}) "
                f"0/1 rows for multi-label targets); got shape {y.shape}"
            )
        return Y

    def arrays(self, est):
        return {"classes": plain(est.classes_, "classes_")}

    def from_arrays(self, est, arrays):
        est.classes_ = arrays["classes"]

    def check_fitted(self, est, networks):
        target = getattr(est, "target_type_", None)
        if target not in _TARGETS or (target == _TARGETS[2] and not networks):
            raise ValueError(f"target_type_ must be one of {_TARGETS}; got {target!r}")
        classes = est.classes_
        n_classes = classes.shape[0] if classes.ndim == 1 else -1
        least = {"binary": 2, "multiclass": 3, "multilabel-indicator": 1}[target]
        if n_classes < least or (target == "binary" and n_classes != 2):
            raise ValueError(f"classes_ ({n_classes}) disagree with the {target} target")
        # As fit finds them: np.unique's sorted labels, or the label indices 0..K−1.
        if classes.dtype.kind not in "biufU" or not (classes[1:] > classes[:-1]).all():
            raise ValueError("classes_ must be distinct labels (numbers or text), sorted")
        if target == _TARGETS[2] and not np.array_equal(classes, np.arange(n_classes)):
            raise ValueError("a multi-label model's classes_ must be 0, 1, …, K − 1")
        if est.class_weight is not None:  # as fit checks it, every class present
            if target == _TARGETS[2]:
                raise ValueError("class_weight applies to class labels, not to multi-label targets")
            class_weights(est.class_weight, classes, np.arange(n_classes))
        return 1 if networks and target == "binary" else n_classes
