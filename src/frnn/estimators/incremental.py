"""``partial_fit``: the reservoir read-out fitted chunk by chunk, scikit-learn's incremental way.

The first call is ``fit`` on its chunk, the read-out keeping the sums over its series
(:class:`frnn.reservoir.sums.ReadoutSums`); each later call runs the same reservoirs over
its chunk and adds the sums of their features, and the features' scaling and V, c are
solved again from the sums over every series so far.  Memory stays that of one chunk's
features and the p × p sums, however many chunks come: the estimator keeps those sums
between calls (``reservoir_.sums_``, 925 MB at the default p = 10,752); ``frnn.save`` keeps
the model, not the sums, so a loaded model's ``partial_fit`` starts anew.

Some choices depend on the data and are made once, by the first chunk:

- the reservoirs: their PPV thresholds θ are quantiles of s(t) on random series of the
  first chunk, and their dilations are drawn up to its length T; the level reservoirs read
  the series standardised by the first chunk's mean and spread (``level_mean_``,
  ``level_std_``);
- α, chosen by exact leave-one-out over the first chunk, and the softmax temperature τ,
  fitted to those leave-one-out outputs (classifier);
- (regressor) the inputs' standardisation ``mean_``, ``std_`` (reservoirs that read the
  series standardised as a whole, ``normalise=False``) and the targets' scaling
  ``y_mean_``, ``y_scale_`` (the latter changes no prediction: at a fixed α, ridge is
  equivariant to an affine map of each target).

With these fixed, the model after the last chunk is the one a single fit on all the chunks
makes: the same features, scaling, V and c (``tests/estimators/test_partial_fit.py`` holds them to
1e-8).  ``class_weight="balanced"`` needs every chunk's class counts before the first and is
refused, as scikit-learn's SGDClassifier refuses it: pass a dict, for instance
``compute_class_weight("balanced", classes=classes, y=a_large_sample_of_y)``.  A first call,
or a call after ``fit`` (whose read-out keeps no sums), starts anew (a classifier's classes
then default to the fit's), and a call that so replaces a fitted model warns (a
``UserWarning``, once: the calls after it add to its sums).

Why a call after ``fit`` does not continue from the fitted model, as scikit-learn's
``SGDClassifier.partial_fit`` does: the fitted V and c do not determine the sums a chunk
would be added to (they would be kept by every ``fit``, 925 MB at the classifier's default,
for the few that go on chunk by chunk), and the classifier's ``fit`` makes choices the sums
cannot carry on (the weights ω of the statistics, the nearest-neighbour blend β, the
crops): its model is not one that chunks could extend.  ``training="bptt"`` has no
``partial_fit``: its learning rate follows a schedule over the whole budget of ``steps``
and its standardisation is fixed by the first data; ``fit_stream`` (batches as they come)
and ``resume_state`` (go on from a saved state) are its ways to train on more data.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..data import weights
from ..data.lengths import record
from ..data.series import Series
from . import inputs, reservoirs
from .lazy import is_dask

__all__ = ["available", "partial_fit"]


def available(est) -> bool:
    """Whether ``est`` has ``partial_fit`` (``available_if``'s check): with
    ``training="reservoir"``; else an AttributeError whose words a traceback shows beside
    scikit-learn's "has no attribute 'partial_fit'" (as its cause), saying what to use."""
    if est.training == "reservoir":
        return True
    raise AttributeError(
        f"partial_fit is for training='reservoir'; training={est.training!r} trains on more "
        "data by fit_stream (batches as they come) or by fit's resume_state"
    )


def partial_fit(est, X, y, classes=None, sample_weight=None):
    """Fit ``est`` to one more chunk of series X and targets y; returns ``est``.

    ``classes`` (classifier): every label the chunks will hold, on the first call (later
    calls may repeat it).  ``sample_weight`` (n,) or None: the chunk's weights, divided by
    the first chunk's mean weight.  A chunk refused (NaN, unknown labels, another number
    of features, bad weights) leaves the estimator as it was.
    """
    if est.training != "reservoir":
        raise ValueError(f"partial_fit fits training='reservoir' only; got {est.training!r}")
    if is_dask(X):
        raise TypeError(
            "partial_fit takes a chunk in memory (an array or a list of series); fit takes "
            "a dask array and reads it chunk by chunk"
        )
    before = dict(est.__dict__)
    try:
        if getattr(getattr(est, "reservoir_", None), "sums_", None) is None:
            _first(est, X, y, classes, sample_weight)
        else:
            _more(est, X, y, classes, sample_weight)
    except BaseException:
        est.__dict__.clear()
        est.__dict__.update(before)
        raise
    return est


def _first(est, X, y, classes, sample_weight) -> None:
    est._check_params()
    if getattr(est, "class_weight", None) == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit (the class counts of "
            "later chunks are unknown at the first); pass class_weight as a dict, e.g. from "
            "sklearn.utils.class_weight.compute_class_weight on a large sample of y"
        )
    fitted = any(name in est.__dict__ for name in est._FITTED)  # by fit, or frnn.load
    for name in est._FITTED:
        est.__dict__.pop(name, None)
    if classes is None:  # after a fit: its classes (scikit-learn's partial_fit after fit)
        classes = getattr(est, "classes_", None)
    x, lengths = inputs.validated(est, X, reset=True)  # (n, T, D)
    if len(lengths) < 2:  # leave-one-out over one series is 0/0
        raise ValueError(
            "X must hold at least 2 series on partial_fit's first call: α (and a "
            f"classifier's τ) are chosen on them by leave-one-out; got {len(lengths)}"
        )
    Y = est._task.encode_first(est, y, lengths, classes)
    w, est._weight_unit = weights.checked(sample_weight, len(lengths))  # (n,) or None
    est._task.check_weights(est, Y, w)  # α and τ are chosen on this chunk: every class
    reservoirs.fit(est, x, lengths, Y, None, sums=True, sample_weight=w)
    if fitted:  # after the fit: a chunk refused is the error alone
        warnings.warn(
            f"partial_fit on a fitted {type(est).__name__} starts anew: fit and frnn.load "
            "keep no sums to add this chunk to, so the model is now one of this chunk "
            "alone; to fit chunk by chunk, call partial_fit from the first chunk on "
            "(frnn.estimators.incremental)",
            UserWarning,
            stacklevel=4,
        )


def _more(est, X, y, classes, sample_weight) -> None:
    reservoirs.refuse_changed(est, "take more chunks")  # its reservoirs are the first's
    if classes is not None and not np.array_equal(np.unique(np.asarray(classes)), est.classes_):
        raise ValueError(
            f"classes={np.unique(np.asarray(classes)).tolist()!r} is not the same as on the "
            f"first call to partial_fit, {est.classes_.tolist()!r}"
        )
    x, lengths = inputs.validated(est, X, reset=False)  # (n, T, D)
    record(est, lengths, more=True)  # the training lengths over every chunk so far
    Y = est._task.encode_more(est, y, lengths)
    # in the first chunk's unit: a loaded model's sums are gone, so it has a first chunk
    w, _ = weights.checked(sample_weight, len(lengths), est._weight_unit)  # (n,) or None
    _, targets, w = reservoirs.readout_problem(est, Y, w)
    model = est.reservoir_
    if not model.features_.normalise:  # standardised as the first chunk was
        x = inputs.standardised(est, x, lengths)
    model.partial_fit(Series(x, None, lengths), targets, sample_weight=w)
