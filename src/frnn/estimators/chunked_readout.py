"""The chunked fit's work over a dask array's chunks: the reservoirs drawn, the read-out's
two passes (:mod:`frnn.estimators.chunked` describes them and calls :func:`draw` and
:func:`passes`).

Each chunk's features are computed where dask runs its task (:class:`Featurise`, the
in-memory fit's), summed into the read-out's :class:`~frnn.reservoir.sums.ReadoutSums`
and dropped; the thresholds' random series are fetched from X a few rows at a time
(:class:`_Rows`).  This module imports dask.
"""

from __future__ import annotations

from dataclasses import dataclass

import dask
import dask.array as da
import numpy as np

from ..data import inputs
from ..data.series import Series
from ..reservoir.features import ReservoirFeatures
from ..reservoir.readout import temperature_losses
from ..reservoir.sums import ReadoutSums, loo_sums, solve
from .chunks import finite, shared, spans, tree

__all__ = ["Featurise", "draw", "passes", "standardisation_of"]


@dataclass
class Featurise:
    """The fitted reservoirs' features of a chunk, as the in-memory fit computes them."""

    features: ReservoirFeatures
    standardisation: tuple[np.ndarray, np.ndarray] | None  # (mean, std): normalise=False

    def series(self, block, chunk=0, span=(0, 0)) -> Series:
        """The chunk's series, standardised where the reservoirs read them so."""
        block = finite(block, chunk, span)  # (n_c, T, D): channels_last already
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
    """X (n, T, D) as the reservoirs receive it: standardised by (mean, std) (normalise=False)."""
    x = X if X.ndim == 3 else X[:, :, None]
    if featurise.standardisation is None:
        return x
    mean, std = featurise.standardisation
    return x.map_blocks(
        lambda b: inputs.standardise(b, np.full(len(b), b.shape[1]), mean, std), dtype=np.float64
    )


def standardisation_of(X: da.Array) -> tuple[np.ndarray, np.ndarray]:
    """:func:`frnn.data.inputs.standardisation` of every step of X, from dask's reductions."""
    x = X if X.ndim == 3 else X[:, :, None]
    m = np.abs(x).max(axis=(0, 1)).compute().astype(np.float64)  # (D,)
    m[m == 0] = 1.0
    scaled = x.astype(np.float64) / m  # in [−1, 1]: no sum overflows
    mean_s, std_s = dask.compute(scaled.mean(axis=(0, 1)), scaled.std(axis=(0, 1)))
    return inputs.from_scaled_moments(m, mean_s, std_s)


def _group_sums(featurise, blocks, chunks, where, targets, weights) -> ReadoutSums:
    """The sums of a few consecutive chunks, one chunk's features at a time."""
    total = None
    for block, chunk, span, Y, w in zip(blocks, chunks, where, targets, weights, strict=True):
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


def passes(X, featurise, targets, weights, alphas, classes):
    """Both passes over X's chunks: the sums, and the leave-one-out errors (and log-losses)."""
    blocks, where = list(X.to_delayed().ravel()), spans(X)
    cut = [slice(a, b) for a, b in where]
    w = [None if weights is None else weights[c] for c in cut]
    everywhere = shared(featurise)
    # A task sums up to 8 chunks in turn (at least 16 tasks while there are chunks enough):
    # fewer p × p partial sums wait for their merge on a worker at once.
    size = max(1, min(8, len(blocks) // 16))
    groups = [list(range(a, min(a + size, len(blocks)))) for a in range(0, len(blocks), size)]
    parts = [
        dask.delayed(_group_sums)(
            everywhere,
            [blocks[i] for i in g],
            g,
            [where[i] for i in g],
            [targets[cut[i]] for i in g],
            [w[i] for i in g],
        )
        for g in groups
    ]
    basis = solve(dask.compute(tree(parts, _merge))[0])
    shared_basis = shared(basis)
    c = [None if classes is None else classes[s] for s in cut]
    parts = [
        dask.delayed(_chunk_loo)(
            everywhere, shared_basis, block, i, where[i], targets[cut[i]], w[i], alphas, c[i]
        )
        for i, block in enumerate(blocks)
    ]
    errors, losses = dask.compute(tree(parts, _add))[0]
    return basis, errors, losses


def draw(featurise: Featurise, X: da.Array, lengths: np.ndarray) -> None:
    """Draw the reservoirs as ``ReservoirFeatures.fit`` draws them for X: the level
    reservoirs' standardisation from dask's reductions over every series, and the same
    random series' rows (fetched from X as each reservoir asks) set the thresholds."""
    features = featurise.features
    features._check_parameters()
    if features.level_fraction:  # over the series as the reservoirs receive them
        features.level_mean_, features.level_std_ = standardisation_of(_as_read(X, featurise))
    cache: dict = {}
    channels = {c: _Rows(X, featurise, c, cache) for c in ("x", "diff", "level")}
    features._draw(channels, lengths)
