"""Targets of the classifier: labels encoded as the network's outputs, and accuracy.

Two classes use one sigmoid output (target 1 for ``classes[1]``); more classes one output
each (one-hot); multi-label targets are already a 0/1 matrix.  ``fit`` (through the task,
``task.Classification``), the training loop and ``frnn evaluate`` all encode and score
through here.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from .._validate import check_label_kinds
from ..engine.losses import bce_with_logits, sigmoid
from ..reservoir.readout import softmax


def fit_targets(y, n: int, dtype) -> tuple[np.ndarray, str, np.ndarray]:
    """The classes, the kind of target and y as (n, K) floats in {0, 1}, for ``fit``."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    y = _labels(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    if y.shape[0] != n:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n}, y has {y.shape[0]}"
        )
    if y.dtype.kind in "fc":
        assert_all_finite(y, input_name="y")
    check_label_kinds(y)
    check_classification_targets(y)
    target_type = type_of_target(y)
    if target_type == "multilabel-indicator":
        return np.arange(y.shape[1]), target_type, y.astype(dtype)
    classes, codes = np.unique(column_or_1d(y), return_inverse=True)
    if classes.size < 2:
        label = classes.tolist()[0]  # as written: 1, not np.int64(1)
        raise ValueError(
            f"y must hold at least 2 classes to train a classifier; got 1 class: {label!r}"
        )
    return classes, target_type, from_codes(codes, classes.size, dtype)


def _labels(y) -> np.ndarray:
    """y as an array of labels (n,) or multi-label targets (n, K); a scalar is refused."""
    y = np.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(
            f"y must be (n,) class labels or (n, K) multi-label targets, one row per series; "
            f"got shape {y.shape}"
        )
    return y


def from_codes(codes: np.ndarray, n_classes: int, dtype) -> np.ndarray:
    """Class indices (n,) as targets (n, 1) for two classes, else one-hot (n, K)."""
    if n_classes == 2:
        return codes[:, None].astype(dtype)  # (n, 1): one sigmoid output
    return np.eye(n_classes, dtype=dtype)[codes]  # (n, K) one-hot


def encode(classes: np.ndarray, y, dtype=np.float64, *, use: str = "evaluated") -> np.ndarray:
    """Labels y (n,) as targets over the sorted ``classes``; unknown labels are an error,
    whose message ends "it can only be ``use`` on those".

    Raises
    ------
    ValueError
        Naming the labels of y that are not among ``classes``.
    """
    y = np.asarray(y)
    codes, known = _codes(classes, y)
    if not known.all():
        unknown = ", ".join(repr(v.item()) for v in np.unique(y[~known])[:10])
        raise ValueError(
            f"the labels {unknown} are not among the model's classes "
            f"{[c.item() for c in classes]}; it can only be {use} on those"
        )
    return from_codes(codes, classes.size, dtype)


def unknown_labels(classes: np.ndarray, y) -> list:
    """The distinct labels of y (n,) that are not among the sorted ``classes``, as
    Python values (sorted): what :func:`encode` refuses."""
    y = np.asarray(y)
    return np.unique(y[~_codes(classes, y)[1]]).tolist()


def check_scored(classes: np.ndarray, y) -> None:
    """Labels y (n,) against the model's sorted ``classes`` before ``score``: labels of
    another kind (text against number classes, or the reverse) or missing ones (None)
    are refused, naming the first few and the classes (scikit-learn's words were "Mix of
    label input types (string and number)" and a TypeError of ``<``); labels of the same
    kind the model never saw are counted as wrong, as scikit-learn counts them, with a
    UserWarning naming them (a rare class left out of a cross-validation fold among them).
    """
    y = np.asarray(y)
    if y.ndim != 1 or not y.size:
        return  # multi-label indicators, or nothing to score: scikit-learn's to check
    known = set(classes.tolist())
    labels = y.tolist()
    unknown = [v for v in dict.fromkeys(labels) if v not in known]  # in order of appearance
    if not unknown:
        return
    count = sum(v not in known for v in labels)
    shown = ", ".join(repr(v) for v in unknown[:5]) + (
        f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    )
    where = f"y holds labels the model was not fitted on: {shown} ({count} of {len(y)} series)"
    text = classes.dtype.kind in "USO" and all(isinstance(c, str) for c in classes.tolist())
    odd = [v for v in unknown if v is None or isinstance(v, str) != text]
    if odd:
        hint = (
            "y must not hold missing labels (None)"
            if any(v is None for v in odd)
            else "number labels never equal text classes (1 is not '1'): convert y to text"
            if text
            else "text labels never equal number classes ('1' is not 1): convert y to numbers"
        )
        raise ValueError(f"{where}; the classes are {_classes_text(classes)}: {hint}")
    warnings.warn(
        f"{where}; the classes are {_classes_text(classes)}: those series are counted as wrong",
        UserWarning,
        stacklevel=4,  # the caller of score
    )


def _classes_text(classes: np.ndarray) -> str:
    shown = classes[:20].tolist()
    return repr(shown) + (f" (and {classes.size - 20} more)" if classes.size > 20 else "")


def _codes(classes: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each label's index in the sorted ``classes`` (n,) and whether it is one of them (n,)."""
    codes = np.zeros(y.shape, dtype=np.intp)
    known = np.zeros(y.shape, dtype=bool)  # text never matches numbers, nor numbers text
    if (classes.dtype.kind in "USO") == (y.dtype.kind in "USO"):
        codes = np.searchsorted(classes, y)  # classes is sorted (np.unique)
        known = (codes < classes.size) & (classes[np.minimum(codes, classes.size - 1)] == y)
    return codes, known


def probabilities(z: np.ndarray, multilabel: bool = False, temperature=None) -> np.ndarray:
    """Class probabilities (n, K) from decision values z, (n,) for two classes or (n, K).

    With a ``temperature`` τ (the reservoir's read-out): softmax(τ z), z_1 − z_0 standing
    for two classes.  Without (the BPTT networks' logits): binary [1 − σ(z), σ(z)];
    multi-class the per-class σ(z_k) normalised to sum 1; multi-label σ(z) per label.
    """
    if temperature is not None:
        z = np.column_stack([np.zeros_like(z), z]) if z.ndim == 1 else z  # (n, K)
        return softmax(z, temperature)
    if z.ndim == 1:
        p = sigmoid(z)
        return np.column_stack([1.0 - p, p])
    if multilabel:
        return sigmoid(z)
    log_p = -np.logaddexp(0.0, -z)  # log σ(z), (n, K): no underflow to 0/0 below
    p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def codes(classes: np.ndarray, y) -> np.ndarray:
    """Class indices (n,) of known labels y."""
    Y = encode(classes, y)
    return Y[:, 0].astype(np.intp) if Y.shape[1] == 1 else Y.argmax(axis=1)


def accuracy(z: np.ndarray, y: np.ndarray, multilabel: bool = False) -> float:
    """Accuracy of logits z (n, K) against 0/1 targets y (n, K).

    Counted, then divided: the mean of the booleans to the bit (a float sum of 0s and 1s
    is exact), at a third of its cost in the training loop, which scores every batch.
    """
    if y.shape[1] == 1:
        right = (z > 0) == (y > 0.5)  # (n, 1)
    elif multilabel:
        right = ((z > 0) == (y > 0.5)).all(axis=1)  # every label of a series
    else:
        right = z.argmax(axis=1) == y.argmax(axis=1)
    return float(np.count_nonzero(right) / z.shape[0])


def evaluate(classifier, X, y, *, per_class: bool = False) -> dict:
    """Accuracy and mean cross-entropy of a fitted classifier on labelled series.

    The loss is the cross-entropy of the model's outputs: for ``training="bptt"`` its
    training loss, Σ_k BCE(z_k, y_k) averaged over the n series with y encoded over
    ``classes_`` as in ``fit``; for a reservoir read-out (fitted by least squares) the
    log-loss −log p(true class) of ``predict_proba``, averaged over the n series.

    Parameters
    ----------
    classifier : fitted RNNClassifier
    X : what ``classifier.predict`` takes (an array, a list of series, a Series)
    y : (n,) labels, each one of ``classifier.classes_``
    per_class : also the confusion matrix and each class's precision, recall, F1 and
        support (see :func:`per_class_report`; not for multi-label targets)

    Returns
    -------
    dict with "accuracy", "loss", "n" and "seconds" (time taken); with ``per_class``
    also "classes", "confusion_matrix" and "per_class"
    """
    started = time.perf_counter()
    y = _labels(y)
    multilabel = classifier.target_type_ == "multilabel-indicator"
    Y = y.astype(np.float64) if multilabel else encode(classifier.classes_, y)  # (n, K)
    z = np.asarray(classifier.decision_function(X), dtype=np.float64)  # (n,) or (n, K)
    if hasattr(classifier, "reservoir_"):
        proba = classifier._proba(z)  # (n, K) rows summing to one
        true = proba[np.arange(len(y)), codes(classifier.classes_, y)]
        # p may round a last bit above 1; 0 − mean, not −mean, so that certainty prints 0, not −0
        loss = 0.0 - np.log(np.clip(true, 1e-300, 1.0)).mean()
    else:
        loss = bce_with_logits(z.reshape(Y.shape), Y).sum(axis=1).mean()
    z = z.reshape(Y.shape)
    result = {"accuracy": accuracy(z, Y, multilabel), "loss": float(loss), "n": int(len(y))}
    if per_class and not multilabel:
        binary = Y.shape[1] == 1  # one output: class 1 where z > 0
        true = Y[:, 0].astype(np.intp) if binary else Y.argmax(axis=1)  # (n,)
        predicted = (z[:, 0] > 0).astype(np.intp) if binary else z.argmax(axis=1)
        result |= per_class_report(classifier.classes_, true, predicted)
    return {**result, "seconds": round(time.perf_counter() - started, 4)}


def per_class_report(classes: np.ndarray, true: np.ndarray, predicted: np.ndarray) -> dict:
    """The confusion matrix and each class's precision, recall, F1 and support.

    Parameters
    ----------
    classes : (n_classes,) the labels, in the order of the rows and columns
    true, predicted : (n,) class indices into ``classes``

    Returns
    -------
    dict, JSON-able: "classes" (the labels as a list), "confusion_matrix" (n_classes lists
    of n_classes counts: row i the series of class i, column j those predicted as class
    j) and "per_class" ({label as text: {"precision", "recall", "f1", "support"}}; a
    precision or recall with nothing to divide by is 0, as scikit-learn's
    ``zero_division=0``)
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    indices = np.arange(len(classes))
    matrix = confusion_matrix(true, predicted, labels=indices)  # (n_classes, n_classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        true, predicted, labels=indices, zero_division=0
    )
    names = [c.item() if hasattr(c, "item") else c for c in classes]
    rows = zip(names, precision, recall, f1, support, strict=True)
    return {
        "classes": names,
        "confusion_matrix": matrix.tolist(),
        "per_class": {
            str(name): {
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for name, p, r, f, s in rows
        },
    }
