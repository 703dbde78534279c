"""The reservoir read-out: pooled reservoir states, scaled, and a ridge fit with leave-one-out α.

    f̂ = (f − mean) / scale,   z = V f̂ + c,   V, c = argmin Σ_i w_i ‖y_i − z_i‖² + α ‖V‖²

The one read-out of both estimators and of :class:`frnn.reservoir.ReservoirClassifier`:
the features f (n, p) come from :class:`frnn.reservoir.ReservoirFeatures`, each is scaled to
zero mean and unit variance over the training series (a constant one stays zero), and V, c
are fitted in closed form by :func:`frnn.reservoir.ridge_loo`, α chosen by exact
leave-one-out.  Classification adds one temperature τ for softmax(τ z), fitted to the
leave-one-out outputs (:meth:`ReservoirReadout.calibrate`).

Every step is a sum over series — mean and scale from Σ f and Σ f², the ridge fit from
FᵀF and Fᵀy — so the features can come in chunks; ``fit`` computes them in one pass, and
:mod:`frnn.reservoir.sums` fits the same read-out from the sums of chunks: those of a
dask array's chunks (:mod:`frnn.estimators.chunked`), or of the series that
:meth:`ReservoirReadout.partial_fit` adds to a fit.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Self

import numpy as np

# Re-exported from here, their home before: as_series, feature_scaling and the weights'
# names (before data.inputs, sums and weights.py), the softmax's (before calibration.py).
from .._memory import check
from ..data.inputs import as_series
from .calibration import (
    TEMPERATURES,
    best_temperature,
    softmax,
    softmax_temperature,
    temperature_losses,
)
from .crops import CROP_MAX_SERIES, windowed, with_crops
from .features import ReservoirFeatures
from .neighbours import Neighbours, blend, check_weight
from .pooling import n_features
from .ridge import ALPHAS, RidgeFit, ridge_loo
from .sums import ReadoutSums, feature_scaling, solve
from .weights import STATISTICS_WEIGHTS, check_weights, class_weights

__all__ = [
    "ReservoirReadout",
    "STATISTICS_WEIGHTS",
    "TEMPERATURES",
    "best_temperature",
    "check_weights",
    "class_weights",
    "feature_scaling",
    "softmax",
    "softmax_temperature",
    "temperature_losses",
]


class ReservoirReadout:
    """Reservoir features, their scaling and a ridge read-out.

    Parameters
    ----------
    features : ReservoirFeatures, drawn by :meth:`fit` (or already fitted, when loaded)
    alphas : the ridge penalties tried by leave-one-out
    neighbour_weight : β of the nearest training series beside the ridge
        (:mod:`frnn.reservoir.neighbours`): "auto" (chosen by leave-one-out log-loss), a
        number in [0, ∞] (0: the ridge alone, ∞: 1-NN alone); classification targets only
        (one-hot ±1: the class of a series is its largest target).  β is set by
        :meth:`fit`; :meth:`partial_fit` adds its series to those kept
    statistics_weights : the weights ω tried for every statistic but PPV, each column
        (at unit variance) multiplied by ω, chosen with α by leave-one-out squared error
        (:func:`frnn.reservoir.ridge_loo`'s ``weights``); ω is then folded into
        ``scale_`` (``readout_.weight`` records it; a model loaded from a file reads 1
        there, its ω kept in ``scale_``), so prediction is unchanged.  (1.0,): every
        column at unit variance, as :meth:`partial_fit`'s sums need
    crops : whether :meth:`fit` on at most ``CROP_MAX_SERIES`` series (without ``sums``)
        also fits the ridge on a crop of each, read from its own run
        (:mod:`frnn.reservoir.crops`), kept where its leave-one-out error over the series
        is less: the classifiers' read-out
    gap : the training series are consecutive windows of one series, each sharing values
        with ``gap`` neighbours either side: α is chosen leaving each window out with its
        neighbours (:func:`frnn.reservoir.ridge.tiles`; ``readout_.gap`` the number left
        out); 0: plain leave-one-out.  Not with crops

    Attributes
    ----------
    features_ : the ReservoirFeatures (every reservoir's W, R, b and θ in ``reservoirs_``)
    mean_, scale_ : (p,) the features' scaling
    readout_ : :class:`frnn.reservoir.ridge.RidgeFit`, V as ``coef`` (p, K), c as
        ``intercept`` (K,), the leave-one-out outputs and errors
    alpha_ : the chosen ridge penalty
    temperature_ : τ of softmax(τ z) (classification), or None
    neighbours_ : :class:`~frnn.reservoir.neighbours.Neighbours` (β, the training series),
        or None: the ridge alone
    loo_ : (n, K) the leave-one-out outputs z (the ridge's, blended with the neighbours'),
        which τ is fitted to; set by :meth:`fit`
    cropped_ : whether :meth:`fit` kept the crops (``mean_``, ``scale_`` and V, c then
        those of the series and their crops); False on a model loaded from a file
    """

    def __init__(
        self,
        features: ReservoirFeatures,
        alphas=ALPHAS,
        neighbour_weight: float | str = 0.0,
        statistics_weights=(1.0,),
        crops: bool = False,
        gap: int = 0,
    ) -> None:
        check_weight(neighbour_weight)
        self.features_ = features
        self.alphas = alphas
        self.neighbour_weight = neighbour_weight
        self.statistics_weights = check_weights(statistics_weights)
        self.crops = crops
        self.gap = gap
        self.cropped_ = False
        self.temperature_: float | None = None
        self.neighbours_: Neighbours | None = None

    def fit(
        self, X, Y: np.ndarray, *, sample_weight=None, callback=None, sums=False, shrink=0.0
    ) -> Self:
        """Draw the reservoirs on series X, compute their features and fit Y (n, K).

        ``sample_weight`` (n,) weighs each series in the ridge loss; ``callback(done,
        total)``, if given, is called as each reservoir's features are computed (its
        crops' with them); ``sums`` keeps the sums over X's series (``sums_``) that
        :meth:`partial_fit` adds to.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            The training series.
        Y : (n, K) float array
            Their targets (for classification one-hot as ±1: the neighbours read a series'
            class as its largest target).
        sample_weight : (n,) array_like or None, default None
            Each series' weight (≥ 0, not all 0) in the ridge loss and in the leave-one-out
            errors choosing α, ω and β (:func:`~frnn.reservoir.ridge.ridge_loo`); a series
            of weight 0 is no nearest neighbour.  The features' scaling and the
            reservoirs' thresholds are drawn from every series alike.  None weighs them alike.
        callback : callable(done, total) or None, default None
            Called with the reservoirs done so far and their number, so that ``done``
            reaches ``total`` as the last features (and the crops', :meth:`cropping`)
            are computed.
        sums : bool, default False
            Keep ``sums_`` (a :class:`~frnn.reservoir.sums.ReadoutSums`) for
            :meth:`partial_fit`; else ``sums_`` is None.
        shrink : float, default 0.0
            Pull each feature's variance, in the features' scaling, towards the median
            of all as if ``shrink`` more series had it
            (:func:`~frnn.reservoir.sums.feature_scaling`); the classifiers set it where
            a class has a single training series (:func:`frnn.reservoir.classifier.scale_shrink`).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            X and Y hold different numbers of series; X is not series; a parameter of
            the features is out of range; ``shrink`` is not a finite number ≥ 0.
        """
        if isinstance(shrink, bool) or not (
            isinstance(shrink, int | float | np.number) and 0 <= shrink < math.inf
        ):
            raise ValueError(f"shrink must be a finite number >= 0; got {shrink!r}")
        X = as_series(X)  # read once: its number of series says whether crops are tried
        cropping = self.cropping(len(X.lengths), sums)
        self._check_memory(len(X.lengths), 1 + (cropping or sums), "fit")
        self.features_.fit(X)
        if cropping:  # the crops' features from the series' own pass
            F, crops = windowed(self.features_, X, callback)  # (n, p) each
        else:
            F = self.features_.transform(X, callback=callback)  # (n, p)
        if len(F) != len(Y):
            raise ValueError(f"X holds {len(F)} series but y holds {len(Y)} labels (targets)")
        self.mean_, self.scale_ = feature_scaling(F, shrink)
        others = ~self.features_.columns("ppv")  # (p,) the statistics that ω weighs
        ridge = partial(
            ridge_loo, alphas=self.alphas, others=others, weights=self.statistics_weights,
            copy=False,  # the scaled copies are ours
        )  # fmt: skip
        series = partial(ridge, gap=self.gap) if self.gap else ridge  # the crops' fit: none
        # Scaled in place where nothing reads F again (the crops and the sums do): a fresh
        # (n, p) array would cost a page fault a page (sums.ROWS says why that counts).
        scaled = self._scaled(F, in_place=not (cropping or sums))
        self.readout_ = series(scaled, Y, sample_weight=sample_weight)
        del scaled  # not held while the crops' rows are
        self.cropped_ = False
        if cropping:
            mean, scale, fit = with_crops(F, crops, Y, sample_weight, ridge, shrink)
            if fit.loo_error.min() < self.readout_.loo_error.min():  # both over the n series
                self.mean_, self.scale_, self.readout_, self.cropped_ = mean, scale, fit, True
        self.scale_ /= np.where(others, self.readout_.weight, 1.0)  # ω folded into the scaling
        self.alpha_ = self.readout_.alpha
        self.sums_ = ReadoutSums.of(F, Y, sample_weight) if sums else None
        self.neighbours_, self.loo_ = Neighbours.fit(
            X, Y.argmax(axis=1), Y.shape[1], self.readout_.loo, self.neighbour_weight, sample_weight
        )
        return self

    def _check_memory(self, n: int, copies: int, purpose: str) -> None:
        """Refuse, before any reservoir runs, features (n, p) that cannot fit in memory
        (``copies`` of them at once: a fit with crops or sums holds two), naming the size
        and what to change (:mod:`frnn._memory`): the fit was killed by the system, or
        swapped for hours, its (n, p) array allocated lazily and filled reservoir by
        reservoir."""
        f = self.features_
        p = f.n_reservoirs * n_features(f.units, f.n_thresholds, f.statistics)
        instead = {
            "fit": "fit chunk by chunk (partial_fit, or X as a dask array) or on fewer "
            "series, or draw fewer features (n_reservoirs, hidden_size, n_thresholds)",
            "partial_fit": "pass smaller chunks",
            "predict": "predict a part of the series at a time",
        }[purpose]
        what = f"the features of {n:,} series ({n:,} × {p:,} features × 8 bytes" + (
            f", {copies} copies)" if copies > 1 else ")"
        )
        check(copies * n * p * 8, what, instead)

    def cropping(self, n: int, sums: bool = False) -> bool:
        """Whether :meth:`fit` also fits the read-out on the series' crops: with ``crops``
        on, at most ``CROP_MAX_SERIES`` series and no sums.

        Parameters
        ----------
        n : int
            The number of training series.
        sums : bool, default False
            Whether the fit keeps its sums (for ``partial_fit``).

        Returns
        -------
        bool
        """
        return bool(self.crops) and not sums and n <= CROP_MAX_SERIES

    def partial_fit(self, X, Y: np.ndarray, *, sample_weight=None) -> Self:
        """Add series X, their targets Y (n, K) and weights (n,) to a fit that kept its
        sums (``fit(..., sums=True)``).

        The reservoirs, α and τ stay those of that first fit; the scaling and V, c are
        solved again from the sums over every series so far (:mod:`frnn.reservoir.sums`),
        so they are those of one fit on all of them with α fixed.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            More series, with the D of the first fit's.
        Y : (n, K) float array
            Their targets, K as in the first fit.
        sample_weight : (n,) array_like or None, default None
            Their weights; None weighs them 1.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            The read-out was not fitted with ``sums=True``, X and Y hold different numbers
            of series, or X has another D.
        """
        if getattr(self, "sums_", None) is None:
            raise ValueError("partial_fit adds to a read-out fitted with sums=True")
        X = as_series(X)
        self._check_memory(len(X.lengths), 1, "partial_fit")
        F = self.features_.transform(X)  # (n, p)
        if len(F) != len(Y):
            raise ValueError(f"X holds {len(F)} series but y holds {len(Y)} labels (targets)")
        sums = ReadoutSums.of(F, Y, sample_weight).add(self.sums_)  # self.sums_ unchanged
        if self.neighbours_ is not None:  # β as the first fit chose it
            self.neighbours_.add(X, Y.argmax(axis=1), sample_weight)
        basis = solve(sums)
        self.readout_ = basis.fit(self.alpha_, self.readout_.loo_error)
        self.mean_, self.scale_, self.sums_ = basis.mean, basis.scale, sums
        return self

    def calibrate(
        self, y_index: np.ndarray, temperature: float | None = None, sample_weight=None
    ) -> Self:
        """Set τ: ``temperature``, or the one fitted to the leave-one-out outputs of the
        one-hot (±1) targets of classes ``y_index`` (n,).

        Parameters
        ----------
        y_index : (n,) int array
            The class (a column of Y) of each training series of :meth:`fit`.
        temperature : float or None, default None
            τ as given (unchecked); None: the τ of ``TEMPERATURES`` whose log-loss of
            softmax(τ ``loo_``) on ``y_index`` is least.
        sample_weight : (n,) array_like or None, default None
            Each series' weight in that log-loss; None counts them alike.

        Returns
        -------
        self
            With ``temperature_`` set.
        """
        if temperature is None:
            self.temperature_ = softmax_temperature(self.loo_, y_index, sample_weight)
        else:
            self.temperature_ = float(temperature)
        return self

    def _scaled(self, F: np.ndarray, in_place: bool = False) -> np.ndarray:
        """(F − mean_) / scale_ (n, p): a new array, or F itself overwritten (float64)."""
        out = np.subtract(F, self.mean_, out=F if in_place else None)
        return np.divide(out, self.scale_, out=out)  # no second (n, p) array

    def predict(self, X) -> np.ndarray:
        """z (n, K) of the series X: the ridge's, blended with the neighbours' if kept.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            Series with the D of the training series.

        Returns
        -------
        (n, K) float array
            z = V·(f − mean_)/scale_ + c (f the features), or z + β·z_nn with the
            neighbours (β = inf: z_nn alone).

        Raises
        ------
        ValueError
            X is not series, or has another D than the training series.
        """
        near, z = self.neighbours_, None
        if near is None or near.weight != math.inf:  # 1-NN alone needs no features
            X = as_series(X)
            self._check_memory(len(X.lengths), 1, "predict")
            z = self.readout_.predict(self._scaled(self.features_.transform(X), in_place=True))
        return z if near is None else blend(z, near.outputs(X), near.weight)

    @classmethod
    def fitted(
        cls,
        features: ReservoirFeatures,
        mean,
        scale,
        readout: RidgeFit,
        temperature=None,
        neighbours: Neighbours | None = None,
    ) -> ReservoirReadout:
        """The read-out made of fitted parts (a model file's).

        Parameters
        ----------
        features : ReservoirFeatures
            Fitted: its reservoirs drawn, θ set.
        mean, scale : (p,) float arrays
            The features' scaling (ω folded into ``scale``).
        readout : RidgeFit
            V as ``coef`` (p, K), c as ``intercept`` (K,); its ``alpha`` becomes
            ``alpha_``.
        temperature : float or None, default None
            τ of softmax(τ z), or None (regression).
        neighbours : Neighbours or None, default None
            β and the kept training series, or None: the ridge alone.

        Returns
        -------
        ReservoirReadout
            Ready to predict (``alphas`` and the other constructor parameters at their
            defaults; no ``loo_``, no ``sums_``).
        """
        model = cls(features)
        model.mean_, model.scale_, model.readout_ = mean, scale, readout
        model.alpha_, model.temperature_ = readout.alpha, temperature
        model.neighbours_ = neighbours
        return model
