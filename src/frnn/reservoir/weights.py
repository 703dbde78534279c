"""The weights in the read-out's ridge loss: ω of the pooled statistics, and the classes'.

    V, c = argmin Σ_i w_i ‖y_i − z_i‖² + α ‖V‖²,   z_i = V diag(ω) f̂_i + c

ω multiplies every scaled feature column but PPV's, one ω for all of them, chosen with α
by leave-one-out squared error (:func:`frnn.reservoir.ridge_loo`'s ``weights``) among
``statistics_weights``; a class's weight multiplies w_i of its series (``class_weight``,
as scikit-learn reads it).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["STATISTICS_WEIGHTS", "check_weights", "class_weights"]

#: The weights ω of every statistic but PPV that the classifiers' read-out tries beside α
#: (the first kept on a tie): chosen by CV, ``benchmarks/results/reservoir_classifier.md`` §13.
STATISTICS_WEIGHTS = (1.0, 0.5, 2.0, 0.25, 4.0)


def check_weights(weights) -> tuple[float, ...]:
    """``statistics_weights`` as a tuple of positive floats, or an error naming it."""
    try:
        values = tuple(float(w) for w in weights)
    except (TypeError, ValueError):
        values = ()
    if not values or not all(0 < w < math.inf for w in values):
        raise ValueError(
            f"statistics_weights must be a non-empty sequence of positive numbers; got {weights!r}"
        )
    return values


def class_weights(
    class_weight, classes: np.ndarray, y_index: np.ndarray, sample_weight=None
) -> np.ndarray | None:
    """Each class's weight (n_classes,) in the loss, from ``class_weight`` (None, "balanced"
    or {label: weight}) and the training series' classes ``y_index`` (n,); None for None.

    "balanced" is n / (n_classes · n_k), n_k the series of class k, or with
    ``sample_weight`` (n,) their weights' sums, as scikit-learn's ``compute_class_weight``
    counts them (a bootstrap's draws passed as weights balance the classes drawn); a class
    whose series all weigh 0 gets 1, which weighs nothing."""
    if class_weight is None:
        return None
    if not (class_weight == "balanced" or isinstance(class_weight, dict)):
        raise ValueError(
            f"class_weight must be None, 'balanced' or a dict {{label: weight}}; "
            f"got {class_weight!r}"
        )
    if isinstance(class_weight, dict):
        for label, weight in class_weight.items():
            # a weight of 0, below 0 or not finite leaves the ridge no solution (numpy's
            # "Eigenvalues did not converge", or a constant model): refused here instead
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int | float | np.number)
                or not (0 < weight < math.inf)
            ):
                raise ValueError(
                    f"class_weight's weights must be finite numbers > 0; got {weight!r} for "
                    f"class {label!r}"
                )
        _refuse_unknown(class_weight, classes)
    if class_weight == "balanced" and sample_weight is not None:
        counts = np.bincount(y_index, weights=sample_weight, minlength=len(classes))  # (K,)
        held = counts > 0
        return np.where(held, counts.sum() / (len(classes) * np.where(held, counts, 1.0)), 1.0)
    from sklearn.utils.class_weight import compute_class_weight

    return compute_class_weight(class_weight, classes=classes, y=classes[y_index])


def _refuse_unknown(class_weight: dict, classes: np.ndarray) -> None:
    """Refuse a dict that names labels y does not hold while leaving classes out, where
    scikit-learn's ``compute_class_weight`` says "The classes, [0, 1], are not in
    class_weight", naming the classes, not the labels at fault.  Labels beyond the classes
    beside every class named stay allowed, as there (a fold of a search may lack a class)."""
    known = set(classes.tolist())
    unknown = [label for label in class_weight if label not in known]
    left_out = [c for c in classes.tolist() if c not in class_weight]
    if unknown and left_out:
        raise ValueError(
            f"class_weight names {unknown[:10]!r}, not classes of y, whose classes are "
            f"{classes.tolist()[:10]!r}: name them as y holds them (the same type: 1 is "
            "not '1')"
        )
