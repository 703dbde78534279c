"""The estimators on a dask array: fit and predict chunk by chunk, where dask runs them.

    X (n, T[, D]) chunked along the series
      pass 1, per chunk: features F (n_c, p) → sums (FᵀF centred, Fᵀy, Σf, Σf², counts)
      → merged (a tree of pairwise merges) → Ĝ = V diag(s²) Vᵀ, on the client
      pass 2, per chunk: F again → the chunk's leave-one-out errors per α (log-loss per τ)
      → summed → α, τ, V, c

Only sums travel: no chunk's features outlive its task, and no worker holds more than one
chunk's features and the p × p sums.  The sums and the solve are the read-out's own
(:mod:`frnn.reservoir.sums`), so the model equals the in-memory fit of the same series and
``random_state``: the reservoirs' thresholds are drawn from the same random series (their
rows fetched from X), and every sum is exact up to round-off.  The price is a second pass:
the features are computed twice.  Reservoirs that read the series standardised as a whole
(``normalise=False``) add a first pass over X alone.

Predictions map each chunk through the estimator's own method, lazily (:func:`lazy`).
Chunks along time or channels are merged (``rechunk``); NaN is refused naming its chunk;
a worker that dies surfaces as the scheduler's error (distributed's ``KilledWorker``).
The parts: :mod:`~frnn.estimators.chunks` (the array checked, its chunks' spans, a chunk
refused, one value shared by every task, a tree of merges) and
:mod:`~frnn.estimators.chunked_readout` (the reservoirs drawn, the two passes).  These
three modules import dask: they are imported only for a dask array.
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..data.lengths import record, warn_far
from ..reservoir.readout import ReservoirReadout, best_temperature
from . import reservoirs
from .chunked_readout import Featurise, draw, passes, standardisation_of
from .chunks import checked, finite, in_layout, local, shared, spans
from .inputs import keep_standardisation

__all__ = ["checked", "fit", "in_layout", "lazy", "local"]


def fit(est, X, y, callback=None, resume_state=None, monitor=None) -> None:
    """Fit the estimator ``est`` (reservoir mode) to a dask array X and targets y (n, ...).

    y is brought to the client (one row per series); X never is.
    """
    if est.training != "reservoir":
        raise ValueError(
            "a dask array X is fitted by training='reservoir' only (its read-out is a sum "
            f"over chunks); got training={est.training!r}: pass X.compute() for BPTT"
        )
    if callback is not None or resume_state is not None or monitor is not None:
        raise ValueError("callback, resume_state and monitor apply to X in memory, not dask")
    X = in_layout(checked(X), est.data_format)
    n, T = X.shape[:2]
    for attr in ("n_features_in_", "feature_names_in_"):  # as inputs.validated(reset=True) does
        est.__dict__.pop(attr, None)
    est.tabular_ = X.ndim == 2
    est.n_features_in_ = T if est.tabular_ else X.shape[2]
    lengths = np.full(n, T, dtype=np.intp)
    record(est, lengths)  # a dask array's series are all T long
    Y = est._task.encode(est, local(y), lengths)
    features, targets, weights = reservoirs.readout_problem(est, Y)
    reservoirs.warn_unseen(est, Y)
    standardisation = None
    if not features.normalise:  # reservoirs that read the series standardised as a whole
        keep_standardisation(est, *standardisation_of(X))
        standardisation = (est.mean_, est.std_)
    featurise = Featurise(features, standardisation)
    draw(featurise, X, lengths)
    model = ReservoirReadout(features)
    classes = est._task.loo_classes(est, Y)
    basis, errors, losses = passes(X, featurise, targets, weights, model.alphas, classes)
    errors = errors / basis.weight
    best = int(np.argmin(errors))
    ridge = basis.fit(model.alphas[best], errors)
    tau = None if classes is None else best_temperature(losses[best])
    model = ReservoirReadout.fitted(features, basis.mean, basis.scale, ridge, tau)
    est.reservoir_, est.alpha_ = model, model.alpha_


def lazy(method, est, X, *args, **kwargs) -> da.Array:
    """``method(est, chunk)`` of every chunk of X, as one dask array along the series."""
    check_is_fitted(est, est._task.marker)
    X = in_layout(checked(X), est.data_format)  # checked once here, not once a chunk
    warn_far(est, np.full(X.shape[0], X.shape[1]))  # once here too, for the whole X
    est = _in_frnn_layout(_without_sums(est))
    one = method(est, np.zeros((1, *X.shape[1:])), *args, **kwargs)  # one series: the shape
    light = shared(est)
    parts = [
        da.from_delayed(
            dask.delayed(_apply)(method, light, block, i, span, args, kwargs),
            shape=(span[1] - span[0], *one.shape[1:]),
            dtype=one.dtype,
        )
        for i, (block, span) in enumerate(zip(X.to_delayed().ravel(), spans(X), strict=True))
    ]
    return da.concatenate(parts)


def _apply(method, est, block, chunk, span, args, kwargs):
    return method(est, finite(block, chunk, span), *args, **kwargs)


def _in_frnn_layout(est):
    """``est`` reading every chunk as (n, T, D) already, its lengths unrecorded: X's layout
    and length were checked (and channels_first transposed, lazily) on the whole array,
    so no chunk repeats them."""
    light = type(est).__new__(type(est))
    light.__dict__.update(est.__dict__)
    light.data_format = "channels_last"
    light.__dict__.pop("min_length_", None)  # frnn.data.lengths.warn_far: said once
    return light


def _without_sums(est):
    """``est`` for the workers: a shallow copy whose read-out leaves partial_fit's p × p sums."""
    model = getattr(est, "reservoir_", None)
    if getattr(model, "sums_", None) is None:
        return est
    light = type(est).__new__(type(est))
    light.__dict__.update(est.__dict__)
    light.reservoir_ = ReservoirReadout.fitted(
        model.features_,
        model.mean_,
        model.scale_,
        model.readout_,
        model.temperature_,
        model.neighbours_,
    )
    return light
