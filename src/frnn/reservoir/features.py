"""Many random reservoirs as a feature transform: series in, pooled statistics out.

``ReservoirFeatures`` draws reservoirs (``frnn.reservoir``) at several dilations, input
scales and spectral radii, sets their PPV thresholds from quantiles of s(t) on random
training series (as ROCKET draws its biases), and stacks every reservoir's statistics.
Series are z-normalised first, each channel over its own real steps.
"""

from __future__ import annotations

import math
import numbers
import threading
from dataclasses import dataclass, fields

import numpy as np

from .._validate import check_choice, check_positive_int
from ..data.inputs import (
    as_sequences,
    binary_unit,
    mask,
    standardisation,
    standardise,
    znormalise,
)
from .core import (
    DEFAULT_STATISTICS,
    STATISTICS,
    draw_unscaled,
    features,
    pre_activations,
    recurrent,
    side_by_side,
)
from .pooling import n_features

__all__ = ["PARAMETERS", "ReservoirFeatures", "ReservoirParameters", "prepare", "seed"]


def seed(random_state):
    """The one seeding rule of the reservoirs: an int, a Generator or None seeds
    ``numpy.random.default_rng`` as it is (so a seed gives the research's reservoirs); a
    RandomState draws one int from its stream, as scikit-learn estimators do."""
    if random_state is None or isinstance(random_state, numbers.Integral | np.random.Generator):
        return random_state
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def prepare(X, normalise: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X -> the series (n, T, D), its first difference (n, T, D) and lengths (n,).

    Each series and channel is z-normalised over its own real steps (``normalise``), so
    the features see shape, not level or amplitude; the difference is z-normalised too.
    """
    x, lengths, _ = as_sequences(X)
    return (*_shapes(x, lengths, normalise), lengths)


def _shapes(x, lengths, normalise: bool) -> tuple[np.ndarray, np.ndarray]:
    x = znormalise(x, lengths) if normalise else x
    d = np.zeros_like(x)
    d[:, 1:] = np.diff(x, axis=1)
    d[~mask(x, lengths)] = 0.0
    return x, (znormalise(d, lengths) if normalise else d)


@dataclass(eq=False, repr=False, kw_only=True)
class ReservoirParameters:
    """The knobs of the random reservoirs: the parameters of :class:`ReservoirFeatures`
    (which documents them) and of :class:`frnn.reservoir.ReservoirClassifier`."""

    n_reservoirs: int = 48
    units: int = 32
    max_frame_fraction: float = 1 / 2
    window: str = "dilated"
    taps: int = 5
    max_steps: int | None = 512
    centred: bool = True
    scales: tuple[float, float] = (0.3, 3.0)
    rho: tuple[float, float] = (0.5, 0.99)
    n_thresholds: int = 4
    statistics: tuple[str, ...] = DEFAULT_STATISTICS
    difference: bool = False
    normalise: bool = True
    level_fraction: float = 0.5
    recurrence: str = "orthogonal"
    dtype: str = "float32"
    n_jobs: int | None = None
    random_state: int | np.random.Generator | np.random.RandomState | None = None


@dataclass(eq=False, repr=False, kw_only=True)
class ReservoirFeatures(ReservoirParameters):
    """Fixed random reservoirs whose pooled states are the features of a linear read-out.

    Parameters
    ----------
    n_reservoirs : int
        How many independent reservoirs.
    units : int
        Hidden units I per reservoir.
    max_frame_fraction : float
        Frame sizes m are drawn log-uniformly in [1, T·max_frame_fraction] (at least 1), so
        the slowest reservoirs see about 1/max_frame_fraction steps; dilations d in [1,
        min(T·max_frame_fraction, (T − 1)/(taps − 1))], so that a window's taps fit in T.
    window : {"dilated", "frame"}
        Each step reads ``taps`` samples spaced d apart, d the stride (ROCKET's dilated
        kernel, with the reservoir's memory on top), or a frame of m consecutive samples.
    taps : int
        Samples per step of a dilated window.
    max_steps : None or int
        None: a dilated window moves by its dilation d.  An int: every window moves by
        ⌈T/max_steps⌉ (1 for series up to max_steps long), whatever its d, so each reservoir
        reads about max_steps steps: dense like ROCKET on short series, bounded on long ones.
    centred : bool
        Each unit's input weights sum to zero over a window's taps (as MiniRocket's kernels).
    scales : (float, float)
        Input scale range (log-uniform): std of W u(t).
    rho : (float, float)
        Spectral radius range of R (uniform), below 1.
    n_thresholds : int
        PPV thresholds per unit, drawn from quantiles of s on random training series.
    statistics : tuple of names from ``frnn.reservoir.pooling.STATISTICS``
        Pooled per unit over the steps: ``"mean"``, ``"max"``, ``"last"``, ``"ppv"``,
        ``"ramp"``, ``"mpv"``, ``"mipv"``, ``"lspv"``, ``"wins"``, ``"losses"`` (the
        contract defines each); the default ``("mean", "max", "ppv", "ramp")``.
    difference : bool
        Half of the reservoirs read the first difference of the series.
    normalise : bool
        z-normalise each series (per channel).
    level_fraction : float in [0, 1]
        The share of the reservoirs that read each series with its level and scale:
        standardised per channel over the training series (``level_mean_``,
        ``level_std_``), not on its own, and with input weights that need not sum to zero.
    recurrence : {"gaussian", "orthogonal"}
        How R is drawn (:func:`frnn.reservoir.draw_reservoir`): Gaussian rescaled to its
        spectral radius, or that radius times an orthogonal matrix (eigenvalues on a ring).
    dtype : {"float32", "float64"}
        The states' precision.  float32 runs the compiled loop that pools each step as it
        is computed (``frnn.reservoir.kernels``); float64 runs the states through
        ``frnn.forward`` and pools them after, as reservoirs always did.
    n_jobs : None or int
        Threads that run reservoirs side by side (joblib); None runs them one after another.
    random_state : None, int or numpy.random.Generator
    """

    def fit(self, X, y=None):
        """Draw the reservoirs for series like X and their thresholds from X's quantiles.

        Sets ``reservoirs_``, ``n_features_in_`` (D), ``length_`` (T) and, with
        ``level_fraction`` > 0, ``level_mean_`` and ``level_std_`` (D,).

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            The training series: their T sets the windows, their pre-activations θ.
        y : ignored
            scikit-learn's convention.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            A parameter is out of range (named), or X is not series.
        """
        self._check_parameters()
        return self._draw(*self._prepared(X, fit=True))

    def _draw(self, series, lengths):
        """Draw the reservoirs for the prepared series (``_prepared``'s {channel: (n, T, D)})
        and lengths (n,); θ from a few random rows of the channel each reservoir reads.

        The channels need only ``shape`` and rows for an array of indices (``x[pick]``): the
        chunked fit (:mod:`frnn.estimators.chunked`) fetches those rows from a dask array.
        """
        rng = np.random.default_rng(seed(self.random_state))
        n, T, D = series["x"].shape
        self.n_features_in_ = D
        self.length_ = T
        self.reservoirs_ = []
        first_level = self.n_reservoirs - round(self.level_fraction * self.n_reservoirs)
        drawn = []
        for r in range(self.n_reservoirs):
            window = self._window(rng, T)
            channel = "diff" if self.difference and r % 2 else "x"
            centred = self.centred
            if r >= first_level:  # the last reservoirs read the level: weights not centred
                channel, centred = "level", False
            scale = math.exp(rng.uniform(*np.log(self.scales)))
            rho = rng.uniform(*self.rho)
            res = draw_unscaled(rng, D, self.units, window, channel, scale, centred)
            pick = rng.integers(0, n, size=self.n_thresholds)  # whose s gives each θ
            quantiles = rng.uniform(0.1, 0.9, size=(self.n_thresholds, self.units))
            drawn.append((res, rho, pick, quantiles))
        R = recurrent(np.stack([d[0].R for d in drawn]), np.array([d[1] for d in drawn]),
                      self.recurrence)  # fmt: skip
        self.reservoirs_ = []
        for (res, _, pick, quantiles), res.R in zip(drawn, R, strict=True):
            res.theta = self._thresholds(res, series[res.channel][pick], lengths[pick], quantiles)
            self.reservoirs_.append(res)
        return self

    def _check_parameters(self) -> None:
        for name in ("n_reservoirs", "units", "taps", "n_thresholds"):
            check_positive_int(getattr(self, name), name)
        if self.max_steps is not None:
            check_positive_int(self.max_steps, "max_steps")
        check_choice(self.window, "window", ("dilated", "frame"))
        check_choice(self.recurrence, "recurrence", ("gaussian", "orthogonal"))
        check_choice(self.dtype, "dtype", ("float32", "float64"))
        for name in self.statistics:
            check_choice(name, "each of statistics", STATISTICS)
        if not self.statistics:
            raise ValueError("statistics must name at least one statistic; got none")
        low, high = self.scales
        if not 0 < low <= high:
            raise ValueError(f"scales must be (low, high) with 0 < low ≤ high; got {self.scales}")
        low, high = self.rho
        if not 0 <= low <= high < 1:
            raise ValueError(f"rho must be (low, high) with 0 ≤ low ≤ high < 1; got {self.rho}")
        fraction = self.level_fraction
        if isinstance(fraction, bool) or not (
            isinstance(fraction, numbers.Real) and 0 <= fraction <= 1
        ):
            raise ValueError(f"level_fraction must be in [0, 1]; got {self.level_fraction!r}")
        if not self.max_frame_fraction > 0:
            raise ValueError(f"max_frame_fraction must be > 0; got {self.max_frame_fraction}")

    def _window(self, rng, T: int) -> tuple[int, int, int]:
        """(taps, spacing, stride): a frame of m samples, or k taps dilated by d (ROCKET's d)."""
        if self.window == "frame":
            m = int(2 ** rng.uniform(0, math.log2(max(1.0, T * self.max_frame_fraction))))
            return m, 1, m
        top = max(1.0, min((T - 1) / max(self.taps - 1, 1), T * self.max_frame_fraction))
        d = int(2 ** rng.uniform(0, math.log2(top)))
        stride = d if self.max_steps is None else max(1, math.ceil(T / self.max_steps))
        return self.taps, d, stride

    @staticmethod
    def _thresholds(res, x, lengths, quantiles) -> np.ndarray:
        """θ (I, k): θ[:, j] the ``quantiles[j]`` (I,) of s on the series x[j] (k, T, D)."""
        S, steps = pre_activations(res, x, lengths)  # (k, T', I), (k,)
        S[~mask(S, steps)] = np.inf  # past each series' end: sorted last, never picked
        ordered = np.sort(S, axis=1)  # each unit's values, per series
        i = np.minimum(
            (quantiles * (steps[:, None] - 1)).astype(int), np.maximum(steps - 2, 0)[:, None]
        )  # (k, I)
        upper = np.minimum(i + 1, steps[:, None] - 1)
        series, units = np.arange(len(x))[:, None], np.arange(len(res.b))
        # Midway between two order statistics: no step of the source series sits exactly
        # on θ, where round-off would decide the comparison.
        low, high = (ordered[series, j, units].astype(np.float64) for j in (i, upper))
        return ((low + high) / 2).T  # (I, k), float64 whatever the states' dtype

    def transform(self, X, *, callback=None, suffix=None):
        """Features (n, n_features), float64, of the series X, in bounded memory.

        ``callback(done, total)``, if given, is called after each reservoir.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            Series with the D of the fitted ones; any T.
        callback : callable(done, total) or None, default None
            Called with the reservoirs done so far (a count: with ``n_jobs`` they run side
            by side) and their number.
        suffix : (n,) int array_like or None, default None
            Widths in samples, each in [1, its series' length]: also return each
            series' statistics over a window of the same run, its last steps, those that
            read its last ``suffix[i]`` samples (⌈w/stride⌉ of them: the steps a series of
            those samples alone would run; ``frnn.reservoir.core.window_starts``).  The
            states there carry the memory of the steps before; each statistic is taken
            over the window's steps alone (the ramp's from −1 to 1 over them).  The
            classifiers' crops (:mod:`frnn.reservoir.crops`).

        Returns
        -------
        (n, p) float64 array
            Each reservoir's statistics side by side, p = n_reservoirs × the columns of
            one (:meth:`columns`).  With ``suffix``, a pair of them: the series' and
            their windows'.

        Raises
        ------
        ValueError
            X is not series, or has another D than the series :meth:`fit` saw; ``suffix``
            is not one integer width in [1, length] per series.
        """
        x, lengths, _ = as_sequences(X)
        if x.shape[2] != self.n_features_in_:
            raise ValueError(
                f"X has {x.shape[2]} channels per step; the reservoirs were drawn for "
                f"{self.n_features_in_}"
            )
        widths = None if suffix is None else _widths(suffix, lengths)
        series, lengths = self._prepared(x, lengths)
        compiled = series["x"].dtype == np.float32  # the compiled loop reads them side by side
        lanes = {name: side_by_side(v, lengths) if compiled else None for name, v in series.items()
                 if any(res.channel == name for res in self.reservoirs_)}  # fmt: skip
        total = len(self.reservoirs_)
        sizes = [n_features(len(res.b), res.theta.shape[1], self.statistics)
                 for res in self.reservoirs_]  # fmt: skip
        edges = np.concatenate([[0], np.cumsum(sizes)])  # each reservoir's first column
        # float64, the read-out's dtype; each reservoir's columns written as it finishes, so
        # its own (n, size) parts are freed and their memory reused by the next one's (all
        # of them kept for one concatenation would be fresh memory: a page fault a page)
        outputs = [np.empty((len(x), int(edges[-1]))) for _ in range(1 + (widths is not None))]
        done, counting = [0], threading.Lock()

        def one(r, res):
            part = features(res, series[res.channel], lengths, self.statistics,
                            lanes[res.channel], widths)  # fmt: skip
            for out, values in zip(outputs, (part,) if widths is None else part, strict=True):
                out[:, edges[r] : edges[r + 1]] = values  # (n, size): disjoint columns per thread
            if callback is not None:
                with counting:  # threads: a count, not an order; reported in order, none lost
                    done[0] += 1
                    callback(done[0], total)

        if self.n_jobs in (None, 1):
            for r, res in enumerate(self.reservoirs_):
                one(r, res)
        else:  # threads: the engine's compiled loop and BLAS release the GIL
            from joblib import Parallel, delayed

            Parallel(self.n_jobs, prefer="threads")(
                delayed(one)(r, res) for r, res in enumerate(self.reservoirs_)
            )
        return outputs[0] if widths is None else tuple(outputs)

    def columns(self, statistic: str) -> np.ndarray:
        """Which of the features (p,) are ``statistic``'s: a boolean mask of the columns.

        Parameters
        ----------
        statistic : str
            One of ``statistics``; any other name gives a mask of False (unchecked).

        Returns
        -------
        (p,) bool array
            True at the columns of :meth:`transform` that hold ``statistic`` (after
            :meth:`fit`: one block per reservoir drawn).
        """
        I, k = self.units, self.n_thresholds
        one = np.concatenate([np.full(n_features(I, k, (name,)), name == statistic)
                              for name in self.statistics])  # fmt: skip
        return np.tile(one, len(self.reservoirs_))

    def _prepared(self, X, lengths=None, fit=False) -> tuple[dict, np.ndarray]:
        """What the reservoirs read, by channel, in ``dtype``: {"x": the series, "diff": its
        difference (``prepare``'s), "level": standardised over the training series (set by
        ``fit``)}, and the lengths (n,).  X is (n, T, D) with its lengths, or as given."""
        if lengths is None:
            X, lengths, _ = as_sequences(X)
        x, d = _shapes(X, lengths, self.normalise)
        series = {"x": x, "diff": d}
        if fit and self.level_fraction:
            self.level_mean_, self.level_std_ = standardisation(X, lengths)  # (D,) each
        if self.level_fraction:
            series["level"] = standardise(X, lengths, self.level_mean_, self.level_std_)
        dtype = np.dtype(self.dtype)
        return {k: _bounded(v).astype(dtype, copy=False) for k, v in series.items()}, lengths


# What the reservoirs read is standardised (level, a regressor's series) or z-normalised:
# a series whose values pass 2^64 is in other units than the training set's.  It is divided
# by a power of two (exact) that brings it within: its units' inputs W·u, of the same signs
# and still far larger than b and R·a, saturate them as before.  Without it, a level of
# 1e39 became inf in float32 (beyond 1.8e308 in float64), its states NaN: predict_proba NaN,
# predict an arbitrary class.
_BOUND = 2.0**64


def _bounded(v: np.ndarray) -> np.ndarray:
    """v (n, T, D), each series whose largest magnitude passes 2^64 divided by a power of
    two to within it (inf, where standardising overflowed float64, first the largest
    float): v itself when no series does."""
    if not v.size or (v.max() <= _BOUND and v.min() >= -_BOUND):  # no copy, as usual
        return v
    v = np.nan_to_num(v, posinf=np.finfo(v.dtype).max, neginf=-np.finfo(v.dtype).max)
    largest = np.abs(v).max(axis=(1, 2), keepdims=True)  # (n, 1, 1)
    return v / np.maximum(binary_unit(largest) / _BOUND, 1.0)


def _widths(suffix, lengths: np.ndarray) -> np.ndarray:
    """``transform``'s ``suffix`` checked: (n,) integers, each in [1, its series' length]."""
    widths = np.asarray(suffix)
    if widths.shape != lengths.shape or not np.issubdtype(widths.dtype, np.integer):
        raise ValueError(
            f"suffix must be {len(lengths)} integer widths, one per series; got an array of "
            f"{widths.dtype} of shape {widths.shape}"
        )
    if np.any(widths < 1) or np.any(widths > lengths):
        i = int(np.flatnonzero((widths < 1) | (widths > lengths))[0])
        raise ValueError(
            f"suffix must be in [1, each series' length]; series {i} has length "
            f"{lengths[i]} and suffix {widths[i]}"
        )
    return widths.astype(np.intp)


#: The parameters of the reservoirs, in the order of their signature.
PARAMETERS = tuple(field.name for field in fields(ReservoirParameters))
