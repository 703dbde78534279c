"""The nearest training series beside the ridge read-out: a floor under its accuracy.

    z = z_ridge + β·z_nn,   z_nn,k = −min_{i in class k} ‖x − x_i‖ / d̄

x is the series as it came (each padded with its last value to the training length T, or
cut to it, as 1-NN under Euclidean distance reads series of unequal lengths), d̄ the median
distance of a training series to its nearest other one, so that z_nn is of order one like
the ridge's ±1 outputs.  β = ∞ is 1-NN alone (z = z_nn), β = 0 the read-out alone.  β is
chosen from ``WEIGHTS`` by leave-one-out log-loss on the training series: the ridge's exact
leave-one-out outputs (:func:`frnn.reservoir.ridge.ridge_loo`) plus β times each series'
z_nn over the others, as probabilities softmax(τ z) at the τ that suits that β best (the
calibration's own, :mod:`frnn.reservoir.calibration`).  So where the Euclidean distance
itself is the right feature (a bump at one of a few fixed places) the classifier does at
least about as well as 1-NN on the training series, and elsewhere it is the read-out
unchanged.

Why log-loss and not accuracy: with a few dozen training series, leave-one-out accuracy
moves in steps of one series and ties often, while the log-loss also weighs how sure each
series' call is.  Chosen by CV on training splits and generated tasks
(``benchmarks/select_neighbour_rule.py``; ``benchmarks/results/reservoir_classifier.md``
§15): better on 18 of the 24 (task, run) pairs where the two rules differ, worse on 6.

Ties of the least loss go to the β of the largest :func:`relative_margin` (the smallest
series' margin over their root mean square), then to the smaller β.  They come with few
series: where several blends call every series right by wide margins, each one's loss at
the largest τ rounds to 0, and the smaller β kept the read-out alone where 1-NN separated
the series as well and did better on new ones (§16: with 10 to 30 training series and in
CV, better on 7 of the 9 (task, run) pairs where the two differ, worse on 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..data.inputs import as_sequences, binary_unit
from .calibration import temperature_losses

__all__ = [
    "AUTO_MAX_SERIES",
    "WEIGHTS",
    "Neighbours",
    "check_weight",
    "choose",
    "flattened",
    "nearest",
    "relative_margin",
]

#: The β tried by leave-one-out (``neighbour_weight="auto"``): none, blends, 1-NN alone
#: (chosen by CV: benchmarks/results/reservoir_classifier.md, section 12).
WEIGHTS = (0.0, 1.0, 3.0, 10.0, math.inf)

#: "auto" keeps no series beyond this many training series (β = 0, no distances computed):
#: 1-NN's leave-one-out costs n²·T·D (8,000 series of 150 steps: 1.2 s on one core; 10⁵
#: would take minutes), the kept series would make the model file the training set's
#: size, and with that many series the ridge read-out has the data it needs.  A number
#: given as ``neighbour_weight`` is used at any size.
AUTO_MAX_SERIES = 20_000

# Distances computed a block of rows at a time: (rows, m) float64 values at once.
_BLOCK_VALUES = 2**22
# Series whose largest value lies within 2^±200 are measured as they are: their squares,
# summed over up to 10^35 values, neither overflow nor fall below the normal floats.
_NEAR_ONE = 2.0**-200
# Series are moved to the middle of the training series' range where it lies more than this
# many half-widths of that range from the origin: nearer, a² + b² − 2ab has at most about
# 17² = 289 times the round-off it has on centred series (for series within that range).
# GunPoint's, Coffee's and BasicMotions' training series lie within 4: measured as always.
_FAR_CENTRE = 16.0
# Each series' channels are measured from their own means (:func:`_levelled`) only where
# the training series' means lie beyond this many of their half-ranges from the origin:
# there a² + b² − 2ab errs by about 1e-7 of a distance and more (1.6e-5 at 1e4 half-ranges,
# growing as its square; every digit at 1e8).  Nearer, series are measured as always:
# series whose levels vary by tens of their amplitudes (sensors' baselines) too.
_FAR_LEVELS = 2.0**10


def check_weight(value, name: str = "neighbour_weight") -> None:
    """Refuse a β that is neither "auto" nor a number in [0, ∞]."""
    if isinstance(value, str) and value == "auto":
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{name} must be 'auto' or a number in [0, inf]; got {value!r}")


def flattened(X, length: int | None = None) -> np.ndarray:
    """Series X as 1-NN ED reads them: (n, length·D) float64, each series padded with its
    last value to ``length`` (its own longest series' when None) or cut to it."""
    x, lengths, _ = as_sequences(X)  # (n, T, D), zero past each series' end
    x = np.asarray(x, dtype=np.float64)
    n, T, D = x.shape
    length = T if length is None else length
    out = np.empty((n, length, D))
    out[:, : min(T, length)] = x[:, :length]
    t = np.arange(length)[None, :, None]  # (1, length, 1)
    last = x[np.arange(n), lengths - 1][:, None, :]  # (n, 1, D)
    out = np.where(t >= lengths[:, None, None], last, out)
    return out.reshape(n, length * D)


def nearest(
    A: np.ndarray, B: np.ndarray, classes: np.ndarray, K: int, skip_self=False, length=None
):
    """(n, K): the Euclidean distance from each row of A (n, L) to the nearest row of B
    (m, L) of each class k (``classes`` (m,) in 0..K−1; ∞ for a class with none).
    ``skip_self``: A is B, and a row is not its own neighbour (leave-one-out).
    ``length``: the steps T of a row of :func:`flattened` series (L = T·D), whose D
    channels each have a level (None: one channel, T = L)."""
    n, m = len(A), len(B)
    A, B, unit = _comparable(A, B)
    A, B, levels = _levelled(A, B, A.shape[1] if length is None else length)
    b2 = (B**2).sum(axis=1)  # (m,)
    out = np.full((n, K), np.inf)
    D = 1 if levels is None else levels[0][0].shape[1]  # a level term (r, m, D) a block
    rows = max(1, _BLOCK_VALUES // max(m * D, 1))
    for start in range(0, n, rows):
        a = A[start : start + rows]  # (r, L)
        d2 = (a**2).sum(axis=1)[:, None] + b2[None, :] - 2.0 * (a @ B.T)  # (r, m)
        np.maximum(d2, 0.0, out=d2)  # round-off below zero
        if levels is not None:  # ‖a − b‖² = ‖ã − b̃‖² + Σ_d Δ_d (T Δ_d + 2 (Σã_d − Σb̃_d))
            (level_a, sum_a), (level_b, sum_b) = levels  # (n, D) each, (m, D) each
            here = slice(start, start + len(a))
            delta = level_a[here, None] - level_b[None]  # (r, m, D)
            steps = A.shape[1] // D
            d2 += (delta * (steps * delta + 2.0 * (sum_a[here, None] - sum_b[None]))).sum(axis=2)
        if skip_self:
            d2[np.arange(len(a)), np.arange(start, start + len(a))] = np.inf
        for k in range(K):
            mine = classes == k
            if mine.any():
                out[start : start + len(a), k] = d2[:, mine].min(axis=1)
    with np.errstate(over="ignore"):  # beyond the largest float (series of 1e307): ∞ far
        return np.sqrt(out) * unit


def _comparable(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """A (n, L) and B (m, L) moved and scaled alike for ``nearest``'s a² + b² − 2ab, and the
    unit (a power of two) its distances are then in.

    a² + b² − 2ab is accurate only to round-off of a² + b², so series far from the origin
    but near each other (a common offset of 1e8: sensors' baselines, timestamps) lost their
    distances to cancellation: every series is first moved by the same centre c (L,), the
    middle of B's range, where c is more than ``_FAR_CENTRE`` times that range's half-width
    (a value's difference from c is exact where it lies within a factor 2 of c: Sterbenz).
    Then both are divided by a power of two of their largest magnitude (exact, undone at
    the end) where it lies beyond 2^±200, so that the squares of series of size 1e300 or
    1e-300, or of new series 1e160 times the training ones, neither overflow nor vanish.
    Series near the origin and of size near one are computed as they always were, with no
    copies.
    """
    same = A is B  # stays so: numpy computes A @ A.T by another BLAS routine (syrk) than
    # A @ B.T (gemm), whose round-off differs
    if len(B):
        high, low = B.max(axis=0), B.min(axis=0)  # (L,) each
        centre, half = low / 2 + high / 2, high / 2 - low / 2  # no overflow at 1e308
        # centre / 16 > half rather than centre > 16 · half: the same test (powers of two),
        # without overflow where half is near the largest float (series of 1e307)
        if np.abs(centre).max(initial=0.0) / _FAR_CENTRE > np.abs(half).max(initial=0.0):
            A = A - centre
            B = A if same else B - centre
    largest = max(_magnitude(A), 0.0 if same else _magnitude(B))
    unit = float(binary_unit(largest))
    if _NEAR_ONE <= unit <= 1.0 / _NEAR_ONE:
        return A, B, 1.0
    A = A / unit
    return A, (A if same else B / unit), unit


def _levelled(A: np.ndarray, B: np.ndarray, length: int):
    """A (n, L) and B (m, L), rows of ``length`` steps of D = L / length channels, less
    each row's mean μ of each channel where B's levels lie more than ``_FAR_LEVELS`` times
    their spread from the origin, with those means and the sums of the rows so moved
    (((n, D), (n, D)), ((m, D), (m, D))); or A and B as they are and None.

    One centre for all (:func:`_comparable`) cannot serve series at several levels (some
    offset by 1e8, some not: a² + b² − 2ab of two offset series lost every digit).  With
    ã = a − μ_a (exact where a lies within a factor 2 of μ_a) and Δ = μ_a − μ_b, in
    each channel a − b = ã − b̃ + Δ·1, so ‖a − b‖² = ‖ã − b̃‖² + Σ_d Δ_d (T Δ_d +
    2 (Σã_d − Σb̃_d)): the first term's round-off is that of the series' shapes, and Σã
    (0 but for μ_a's round-off) keeps the identity exact.  Rows whose levels lie within
    that spread (series near the origin, or at one level, which :func:`_comparable`
    moved) are measured as before.
    """
    if not len(A) or not len(B):
        return A, B, None
    same = A is B
    level_b = _channels(B, length).mean(axis=1)  # (m, D)
    level = np.abs(level_b).max()
    # B's levels decide: a row of A far from every row of B is far from them by more than
    # its round-off, and one near a row of B is at its level.  The first row's spread
    # first: near the origin (every ordinary fit) one row says no.
    for rows in (B[:1], B):
        if not level > _FAR_LEVELS * _spread(_channels(rows, length)):
            return A, B, None
    level_a = level_b if same else _channels(A, length).mean(axis=1)  # (n, D)
    A = (_channels(A, length) - level_a[:, None]).reshape(A.shape)
    B = A if same else (_channels(B, length) - level_b[:, None]).reshape(B.shape)
    sums = (_channels(A, length).sum(axis=1), _channels(B, length).sum(axis=1))
    return A, B, ((level_a, sums[0]), (level_b, sums[1]))


def _channels(X: np.ndarray, length: int) -> np.ndarray:
    """Rows of :func:`flattened` series (rows, T·D) as (rows, T, D): a view."""
    return X.reshape(len(X), length, -1)


def _spread(X: np.ndarray) -> float:
    """The largest half-range of a channel of a row of X (rows, T, D), rows ≥ 1."""
    return float((X.max(axis=1) / 2 - X.min(axis=1) / 2).max())  # no overflow at ±1e308


def _magnitude(A: np.ndarray) -> float:
    """The largest |value| of A (0 for none), without an array of |A|."""
    return max(float(A.max(initial=0.0)), -float(A.min(initial=0.0)))


def choose(z_loo, nn_loo, y_index, weights, sample_weight=None) -> float:
    """The β of ``weights`` whose blend z_loo + β·nn_loo ((n, K) each) gives the training
    series (classes ``y_index`` (n,)) the least log-loss of softmax(τ·blend) at its best τ
    of ``TEMPERATURES``, each series counted with its weight in the ridge loss
    (``sample_weight`` (n,), or one each).  Of several with the least loss, the one of the
    largest :func:`relative_margin` (then the smallest β)."""
    blends = [blend(z_loo, nn_loo, b) for b in weights]  # (n, K) each
    losses = np.array([temperature_losses(b, y_index, sample_weight).min() for b in blends])
    # Ties come where several blends call every series right by margins so wide that the
    # loss at the largest τ rounds to 0: the loss cannot tell them apart, and the smallest
    # β (the read-out alone) fell below 1-NN where 1-NN separates the series as well.
    tied = np.flatnonzero(losses == losses.min())
    margins = [relative_margin(blends[i], y_index, sample_weight) for i in tied]
    return float(weights[tied[int(np.argmax(margins))]])  # argmax: the first of the best


def relative_margin(z: np.ndarray, y_index: np.ndarray, sample_weight=None) -> float:
    """The smallest margin m_i = z_i,y_i − max_{k≠y_i} z_i,k over the series, in units of
    their root mean square (weights ``sample_weight`` (n,)): a scale-free hard margin
    (1 where every series is as far from the boundary, < 0 where one is called wrong) of
    decision values z (n, K), ``y_index`` (n,); 0 where every margin is 0."""
    rows = np.arange(len(y_index))
    others = z.copy()
    others[rows, y_index] = -np.inf
    m = z[rows, y_index] - others.max(axis=1, initial=-np.inf)  # (n,)
    w = np.ones(len(m)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    rms = math.sqrt(float(w @ m**2) / float(w.sum()))
    return float(m.min()) / rms if rms > 0 and math.isfinite(rms) else 0.0


def blend(z: np.ndarray | None, nn: np.ndarray, weight: float) -> np.ndarray:
    """z + β·nn ((n, K) each); β = ∞: nn alone (z may then be None); β = 0: z alone."""
    if weight == math.inf:
        return nn
    return z if weight == 0 else z + weight * nn


@dataclass
class Neighbours:
    """The training series a fitted read-out keeps for z_nn.

    Attributes
    ----------
    series : (m, T·D) the training series, as :func:`flattened` made them
    classes : (m,) each one's class, in 0..K−1
    K : classes
    length : T, the training length every series is padded or cut to
    scale : d̄ (> 0), the median leave-one-out nearest distance on the training series
    weight : β, in (0, ∞]
    """

    series: np.ndarray
    classes: np.ndarray
    K: int
    length: int
    scale: float
    weight: float

    @classmethod
    def fit(cls, X, y_index: np.ndarray, K: int, z_loo: np.ndarray, weight, sample_weight=None):
        """(Neighbours or None, the blended leave-one-out outputs (n, K)) for training
        series X of classes ``y_index`` (n,) and the ridge's leave-one-out z_loo (n, K).

        ``weight``: β, or "auto" to choose it from ``WEIGHTS`` (:func:`choose`, each series
        counted with its ``sample_weight``); None is returned for β = 0 (nothing kept,
        z_loo as it was).  A series of weight 0 is no one's neighbour and is not kept:
        it has no say in the model, as in the ridge's loss."""
        check_weight(weight)
        if weight == 0 or (weight == "auto" and len(y_index) > AUTO_MAX_SERIES):
            return None, z_loo
        T = as_sequences(X)[0].shape[1]
        series = flattened(X, T)  # (n, T·D)
        kept = None if sample_weight is None else np.asarray(sample_weight) > 0  # (n,)
        if kept is not None and kept.all():
            kept = None
        # a weightless series is in no class of the neighbours (class −1 matches none)
        of = y_index if kept is None else np.where(kept, y_index, -1)  # (n,)
        d = nearest(series, series, of, K, skip_self=True, length=T)  # (n, K)
        closest = d.min(axis=1)  # (n,); ∞ only for a class of one series
        if kept is not None:  # d̄ over the series kept, as a fit on them alone
            closest = closest[kept]
        finite = closest[np.isfinite(closest)]
        scale = float(np.median(finite)) if finite.size else 1.0
        scale = scale if scale > 0 else 1.0  # every series repeated: any scale will do
        nn = -d / scale  # (n, K); −∞ for a class with no other series
        nn = np.maximum(nn, -FAR)  # finite: a lone series' own class is far, not impossible
        if weight == "auto":
            weight = choose(z_loo, nn, y_index, WEIGHTS, sample_weight)
            if weight == 0:
                return None, z_loo
        if kept is not None:
            series, y_index = series[kept], np.asarray(y_index)[kept]
        model = cls(series, np.asarray(y_index, dtype=np.intp), K, T, scale, float(weight))
        return model, blend(z_loo, nn, model.weight)

    def outputs(self, X) -> np.ndarray:
        """z_nn (n, K) of series X."""
        d = nearest(
            flattened(X, self.length), self.series, self.classes, self.K, length=self.length
        )
        return _far(-d / self.scale)

    def add(self, X, y_index: np.ndarray, sample_weight=None) -> None:
        """Keep series X of classes ``y_index`` (n,) too (``partial_fit``), but those of
        weight 0 (``sample_weight`` (n,) or None)."""
        series, y_index = flattened(X, self.length), np.asarray(y_index, dtype=np.intp)
        if sample_weight is not None:
            kept = np.asarray(sample_weight) > 0  # (n,)
            series, y_index = series[kept], y_index[kept]
        self.series = np.concatenate([self.series, series])
        self.classes = np.concatenate([self.classes, y_index])


#: Where z_nn stops being a distance: no training series is this many median distances
#: from its nearest class (the leave-one-out's z_nn is clamped here too, for a class with
#: no other series).
FAR = 1e6


def _far(nn: np.ndarray) -> np.ndarray:
    """z_nn (n, K) as it is down to −FAR and, beyond, squashed by a logarithm in units of
    FAR, −FAR·(1 + ln(z_nn / −FAR)), in order: a new series a million median distances
    from every class (in other units than the training set's) keeps 1-NN's order of its
    classes, so β = ∞ still predicts as 1-NN, and a blend with the read-out stays finite
    (above −1.001e9); an infinite distance comes last.  The squash keeps relative
    differences of z_nn as differences of FAR times them: a logarithm alone, added to
    −FAR, kept them only above 1e-16·FAR and tied or swapped the classes of series 10⁹
    times the training ones.  Where nothing is that far (every series like the training
    set's), nn itself."""
    far = nn < -FAR
    if not far.any():
        return nn
    out = nn.copy()
    out[far] = -FAR * (1.0 + np.minimum(np.log(nn[far] / -FAR), 1e3))  # ln(inf) = inf: last
    return out
