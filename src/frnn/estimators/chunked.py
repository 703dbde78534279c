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
the features are computed twice.  A regressor's standardisation (``normalise=False``
reservoirs) adds a first pass over X alone.

Predictions map each chunk through the estimator's own method, lazily (:func:`lazy`).
Chunks along time or channels are merged (``rechunk``); NaN is refused naming its chunk;
a worker that dies surfaces as the scheduler's error (distributed's ``KilledWorker``).
This module imports dask: it is imported only for a dask array.
"""

from __future__ import annotations

from dataclasses import dataclass

import dask
import dask.array as da
import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..data import inputs, layouts
from ..data.series import Series
from ..reservoir.features import ReservoirFeatures
from ..reservoir.readout import ReservoirReadout, best_temperature, temperature_losses
from ..reservoir.sums import ReadoutSums, loo_sums, solve
from . import reservoirs
from .inputs import keep_standardisation

__all__ = ["checked", "fit", "in_layout", "lazy", "local"]


def checked(X, name: str = "X") -> da.Array:
    """A dask array X (n, T) or (n, T, D) of numbers, in one chunk along time and channels
    (or in any layout ``data_format`` names: the axes are only checked here).

    Chunks along time or channels are merged (each series must be whole in its chunk);
    unknown chunk sizes, other shapes and dtypes are refused.
    """
    if X.ndim not in (2, 3):
        raise ValueError(f"{name} must be a dask array (n, T) or (n, T, D); got shape {X.shape}")
    if any(np.isnan(size) for sizes in X.chunks for size in sizes):
        raise ValueError(
            f"{name}'s chunk sizes are unknown (NaN); call {name}.compute_chunk_sizes() first"
        )
    if 0 in X.shape:
        raise ValueError(f"{name} must hold at least one series, step and channel; got {X.shape}")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric; got dtype {X.dtype}")
    if any(len(sizes) > 1 for sizes in X.chunks[1:]):
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})  # whole series per chunk
    return X


def in_layout(X: da.Array, data_format: str | None) -> da.Array:
    """X in frnn's layout (n, T[, D]), as :func:`frnn.channels_last` reads an array in
    memory: aeon's (n, C, T) transposed (lazily) for ``"channels_first"``, the layout's
    check (:func:`frnn.data.layouts.check_layout`) for None."""
    if X.ndim == 3 and data_format == "channels_first":
        return X.transpose(0, 2, 1)
    if X.ndim == 3 and data_format is None:
        layouts.check_layout(X.shape)
    return X


def local(value):
    """A dask array (or anything else: y, sample weights) as numpy, computed."""
    return value.compute() if isinstance(value, da.Array) else value


def _spans(X: da.Array) -> list[tuple[int, int]]:
    """(start, stop) of each chunk's series."""
    stops = np.cumsum(X.chunks[0])
    return [(int(stop - size), int(stop)) for size, stop in zip(X.chunks[0], stops, strict=True)]


def _finite(block: np.ndarray, chunk: int, span: tuple[int, int]) -> np.ndarray:
    """The chunk, refused naming it if it holds NaN or infinity."""
    bad = int(block.size - np.isfinite(block).sum())
    if bad:
        raise ValueError(
            f"Input X's chunk {chunk} (series {span[0]} to {span[1] - 1}) contains NaN or "
            f"infinity; found {bad} such value(s)"
        )
    return block


@dataclass
class Featurise:
    """The fitted reservoirs' features of a chunk, as the in-memory fit computes them."""

    features: ReservoirFeatures
    standardisation: tuple[np.ndarray, np.ndarray] | None  # the regressor's (mean, std)

    def series(self, block, chunk=0, span=(0, 0)) -> Series:
        """The chunk's series, standardised where the reservoirs read them so."""
        block = _finite(block, chunk, span)  # (n_c, T, D): channels_last already
        x, lengths, _ = inputs.as_sequences(block, data_format="channels_last")
        if self.standardisation is not None:
            x = inputs.standardise(x, lengths, *self.standardisation)
        return Series(x, None, lengths)

    def __call__(self, block, chunk, span) -> np.ndarray:
        return self.features.transform(self.series(block, chunk, span))  # (n_c, p)


class _Rows:
    """One channel of X as the reservoirs read it (``ReservoirFeatures._prepared``'s x, diff
    or level), its rows fetched from the dask array a few at a time: what the thresholds'
    draw needs.  The channels share one cache of fetched rows."""

    def __init__(self, X: da.Array, featurise: Featurise, channel: str, cache: dict):
        self.X, self.featurise, self.channel, self.cache = X, featurise, channel, cache
        self.shape = (X.shape[0], X.shape[1], X.shape[2] if X.ndim == 3 else 1)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, pick) -> np.ndarray:
        missing = sorted({int(i) for i in pick} - set(self.cache))
        if missing:
            series = self.featurise.series(self.X[missing].compute(), -1, (0, 0))
            channels, _ = self.featurise.features._prepared(series)  # {channel: (k, T, D)}
            self.cache.update({i: {c: v[j] for c, v in channels.items()}
                               for j, i in enumerate(missing)})  # fmt: skip
        return np.stack([self.cache[int(i)][self.channel] for i in pick])  # (k, T, D)


def _as_read(X: da.Array, featurise: Featurise) -> da.Array:
    """X (n, T, D) as the reservoirs receive it: standardised by the regressor's (mean, std)."""
    x = X if X.ndim == 3 else X[:, :, None]
    if featurise.standardisation is None:
        return x
    mean, std = featurise.standardisation
    return x.map_blocks(
        lambda b: inputs.standardise(b, np.full(len(b), b.shape[1]), mean, std), dtype=np.float64
    )


def _standardisation(X: da.Array) -> tuple[np.ndarray, np.ndarray]:
    """:func:`frnn.data.inputs.standardisation` of every step of X, from dask's reductions."""
    x = X if X.ndim == 3 else X[:, :, None]
    m = np.abs(x).max(axis=(0, 1)).compute().astype(np.float64)  # (D,)
    m[m == 0] = 1.0
    scaled = x.astype(np.float64) / m  # in [−1, 1]: no sum overflows
    mean_s, std_s = dask.compute(scaled.mean(axis=(0, 1)), scaled.std(axis=(0, 1)))
    return inputs.from_scaled_moments(m, mean_s, std_s)


def _group_sums(featurise, blocks, chunks, spans, targets, weights) -> ReadoutSums:
    """The sums of a few consecutive chunks, one chunk's features at a time."""
    total = None
    for block, chunk, span, Y, w in zip(blocks, chunks, spans, targets, weights, strict=True):
        sums = ReadoutSums.of(featurise(block, chunk, span), Y, w)
        total = sums if total is None else total.add(sums)
    return total


def _merge(a: ReadoutSums, b: ReadoutSums) -> ReadoutSums:
    return a.add(b)


def _chunk_loo(featurise, basis, block, chunk, span, targets, weights, alphas, classes):
    losses = None if classes is None else (lambda z: temperature_losses(z, classes))
    return loo_sums(basis, featurise(block, chunk, span), targets, alphas, weights, losses)


def _add(a, b):
    return a[0] + b[0], (None if a[1] is None else a[1] + b[1])


def _tree(parts: list, merge):
    """One delayed result from many, by pairwise merges (depth log₂ of the chunks)."""
    while len(parts) > 1:
        pairs = [parts[i : i + 2] for i in range(0, len(parts), 2)]
        parts = [dask.delayed(merge)(*pair) if len(pair) == 2 else pair[0] for pair in pairs]
    return parts[0]


def _shared(value):
    """``value`` as one key of the graph that every task reads: scattered to the workers
    once under a distributed client, embedded once otherwise."""
    try:
        from distributed import default_client

        return default_client().scatter(value, broadcast=True, hash=False)
    except (ImportError, ValueError):  # no distributed, or no client: dask's local scheduler
        return dask.delayed(value)


def _passes(X, featurise, targets, weights, alphas, classes):
    """Both passes over X's chunks: the sums, and the leave-one-out errors (and log-losses)."""
    blocks, spans = list(X.to_delayed().ravel()), _spans(X)
    cut = [slice(a, b) for a, b in spans]
    w = [None if weights is None else weights[c] for c in cut]
    shared = _shared(featurise)
    # A task sums up to 8 chunks in turn (at least 16 tasks while there are chunks enough):
    # fewer p × p partial sums wait for their merge on a worker at once.
    size = max(1, min(8, len(blocks) // 16))
    groups = [list(range(a, min(a + size, len(blocks)))) for a in range(0, len(blocks), size)]
    parts = [
        dask.delayed(_group_sums)(
            shared,
            [blocks[i] for i in g],
            g,
            [spans[i] for i in g],
            [targets[cut[i]] for i in g],
            [w[i] for i in g],
        )
        for g in groups
    ]
    basis = solve(dask.compute(_tree(parts, _merge))[0])
    shared_basis = _shared(basis)
    c = [None if classes is None else classes[s] for s in cut]
    parts = [
        dask.delayed(_chunk_loo)(
            shared, shared_basis, block, i, spans[i], targets[cut[i]], w[i], alphas, c[i]
        )
        for i, block in enumerate(blocks)
    ]
    errors, losses = dask.compute(_tree(parts, _add))[0]
    return basis, errors, losses


def _draw(featurise: Featurise, X: da.Array, lengths: np.ndarray) -> None:
    """Draw the reservoirs as ``ReservoirFeatures.fit`` draws them for X: the level
    reservoirs' standardisation from dask's reductions over every series, and the same
    random series' rows (fetched from X as each reservoir asks) set the thresholds."""
    features = featurise.features
    features._check_parameters()
    if features.level_fraction:  # over the series as the reservoirs receive them
        features.level_mean_, features.level_std_ = _standardisation(_as_read(X, featurise))
    cache: dict = {}
    channels = {c: _Rows(X, featurise, c, cache) for c in ("x", "diff", "level")}
    features._draw(channels, lengths)


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
    Y = est._task.encode(est, local(y), lengths)
    features, targets, weights = reservoirs.readout_problem(est, Y)
    standardisation = None
    if not features.normalise:  # the regressor's reservoirs read standardised series
        keep_standardisation(est, *_standardisation(X))
        standardisation = (est.mean_, est.std_)
    featurise = Featurise(features, standardisation)
    _draw(featurise, X, lengths)
    model = ReservoirReadout(features)
    classes = est._task.loo_classes(est, Y)
    basis, errors, losses = _passes(X, featurise, targets, weights, model.alphas, classes)
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
    est = _in_frnn_layout(_without_sums(est))
    one = method(est, np.zeros((1, *X.shape[1:])), *args, **kwargs)  # one series: the shape
    light = _shared(est)
    parts = [
        da.from_delayed(
            dask.delayed(_apply)(method, light, block, i, span, args, kwargs),
            shape=(span[1] - span[0], *one.shape[1:]),
            dtype=one.dtype,
        )
        for i, (block, span) in enumerate(zip(X.to_delayed().ravel(), _spans(X), strict=True))
    ]
    return da.concatenate(parts)


def _apply(method, est, block, chunk, span, args, kwargs):
    return method(est, _finite(block, chunk, span), *args, **kwargs)


def _in_frnn_layout(est):
    """``est`` reading every chunk as (n, T, D) already: X's layout was checked (and
    channels_first transposed, lazily) on the whole array, so no chunk repeats either."""
    if est.data_format == "channels_last":
        return est
    light = type(est).__new__(type(est))
    light.__dict__.update(est.__dict__)
    light.data_format = "channels_last"
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
