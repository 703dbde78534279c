"""The reservoir classifier: random recurrent reservoirs, pooled states, a ridge read-out.

    z = V·features + c

V and c are fitted in closed form by ridge regression on one-hot targets (±1), α chosen
from a grid by exact leave-one-out (:class:`frnn.reservoir.readout.ReservoirReadout`, the
read-out of both estimators too): the least-squares loss, solved rather than descended.
``predict_proba`` is softmax(τ z), the one temperature τ fitted by minimising the log-loss
of the leave-one-out decision values, so the probabilities are calibrated on series the
read-out did not see.  With at most ``CROP_MAX_SERIES`` (50) training series the read-out
is also fitted on a crop of each, its last 95% read from the series' own run, kept where
its leave-one-out error is less (:mod:`frnn.reservoir.crops`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._validate import check_label_kinds
from ..data.inputs import as_sequences
from ..data.lengths import record, warn_far
from ..data.series import Series
from ..data.weights import checked, combined, refuse_weightless_classes
from .calibration import softmax, softmax_temperature
from .features import PARAMETERS, ReservoirFeatures, ReservoirParameters
from .readout import ReservoirReadout
from .ridge import ALPHAS
from .weights import STATISTICS_WEIGHTS, class_weights

__all__ = [
    "LeaveOneOutWarning",
    "ReservoirClassifier",
    "softmax",
    "softmax_temperature",
    "scale_shrink",
    "warn_thin_classes",
]


class LeaveOneOutWarning(UserWarning):
    """A class that leave-one-out cannot see: a single training series of it, or none in
    ``partial_fit``'s first chunk, so that α, β and τ, chosen by leave-one-out, leave
    ``predict_proba`` miscalibrated (:func:`warn_thin_classes`)."""


#: Where a class has a single training series, the features' scaling pulls each feature's
#: variance towards the median as if this many more series had it
#: (:func:`frnn.reservoir.sums.feature_scaling`).  Chosen on one series of each class
#: drawn from training splits and generated tasks (12 tasks, seeds 0-7, 0 / 2 / 8 tried:
#: accuracy on the rest of a real training split or a generated test split +0.04 in mean,
#: 9 better, 2 worse; GunPoint +0.07, Coffee +0.20, BasicMotions +0.10); with two or more
#: series of every class it was mixed (-0.04 to +0.05), so it applies only below that.
SINGLE_SERIES_SHRINK = 2.0


def scale_shrink(y_index: np.ndarray, n_classes: int) -> float:
    """The features' scaling's ``shrink`` for series of classes ``y_index`` (n,):
    :data:`SINGLE_SERIES_SHRINK` where a class has a single series, else 0."""
    single = (np.bincount(y_index, minlength=n_classes) == 1).any()
    return SINGLE_SERIES_SHRINK if single else 0.0


def warn_thin_classes(classes: np.ndarray, y_index: np.ndarray, first_chunk: bool = False):
    """Warn (:class:`LeaveOneOutWarning`) where leave-one-out cannot see a class: one with
    no series among those it runs on (``partial_fit``'s first chunk) or a single series,
    which it always counts wrong.  α, β and τ are chosen by it, so ``predict_proba`` then comes out
    miscalibrated: under-confident with single series (uniform when every class has one:
    τ falls to the grid's least), over-confident when a first chunk lacks a class.

    Parameters
    ----------
    classes : (K,) the labels
    y_index : (n,) each series' class, an index into ``classes``
    first_chunk : whether these are ``partial_fit``'s first chunk, whose choices stay
    """
    counts = np.bincount(y_index, minlength=len(classes))  # (K,)
    where = "partial_fit's first chunk" if first_chunk else "the training set"
    chosen = "α and the temperature τ" if first_chunk else "α, β and the temperature τ"
    for count, what, fix in (
        (0, "no series", "put series of every class in the first chunk"),
        (1, "a single series", "give each class at least 2 series"),
    ):
        thin = classes[counts == count]
        if thin.size:
            shown = ", ".join(repr(c.item()) for c in thin[:5]) + (", ..." if thin.size > 5 else "")
            which = (
                f"class {shown} has"
                if thin.size == 1
                else f"{thin.size} of the {len(classes)} classes ({shown}) have"
            )
            warnings.warn(
                f"{which} {what} in {where}: leave-one-out, which chooses {chosen} of "
                "predict_proba, cannot predict such a class, so the probabilities come out "
                f"miscalibrated; {fix}",
                LeaveOneOutWarning,
                stacklevel=3,
            )
            return


def _fitted(name: str) -> property:
    """The fitted read-out's attribute ``name``, read through the classifier."""
    return property(lambda self: getattr(self.model_, name), doc=f"The read-out's ``{name}``.")


@dataclass(eq=False, repr=False, kw_only=True)
class ReservoirClassifier(ClassifierMixin, BaseEstimator, ReservoirParameters):
    """Random recurrent reservoirs, pooled states and a ridge read-out.

    Parameters
    ----------
    n_reservoirs, units, max_frame_fraction, window, taps, max_steps, centred, scales, rho,
    n_thresholds, statistics, difference, normalise, level_fraction, recurrence, dtype, n_jobs :
        As in :class:`frnn.reservoir.ReservoirFeatures`.
    alphas : tuple of float
        Ridge penalties tried by leave-one-out.
    class_weight : None, "balanced" or dict {label: weight}
        Each series' weight in the ridge loss (each a finite number > 0); "balanced" weighs
        each class's series inversely to its frequency.
    temperature : None or float
        τ of ``predict_proba``; None fits it to the leave-one-out decision values.
    neighbour_weight : "auto" or float in [0, inf]
        β of the nearest training series beside the read-out, z + β·z_nn
        (:mod:`frnn.reservoir.neighbours`): "auto" chooses β by leave-one-out log-loss on
        the training series (0 beyond ``AUTO_MAX_SERIES`` = 20,000 of them); 0 is the
        ridge alone, inf 1-NN under Euclidean distance alone.
    statistics_weights : tuple of float
        Weights ω tried for every statistic but PPV in the read-out (their columns, at unit
        variance, times ω), chosen with α by leave-one-out squared error (beyond 500
        series on 500 of them: ``frnn.reservoir.ridge.OMEGA_SERIES``); (1.0,) weighs
        every column alike (:class:`~frnn.reservoir.readout.ReservoirReadout`).
    crops : bool
        With at most ``CROP_MAX_SERIES`` (50) training series, also fit the read-out on one
        crop of each series (the statistics of its last 95%, read from its own run) and
        keep the crops where their leave-one-out error is less (:mod:`frnn.reservoir.crops`;
        True, the default); False fits the series alone.
    random_state : None, int or numpy.random.Generator
    data_format : None, "channels_last" or "channels_first"
        How a 3-D X (and a list of 2-D series) is laid out, as for
        :class:`frnn.RNNClassifier` (:func:`frnn.channels_last`): "channels_first" reads
        aeon's and sktime's (n_cases, n_channels, n_timepoints), "channels_last" states
        frnn's (n, T, D) and silences the :class:`~frnn.LayoutWarning` of a shape with more
        channels than steps; None reads frnn's layout, warning of such a shape.

    Attributes
    ----------
    classes_ : (K,) labels
    model_ : the fitted :class:`~frnn.reservoir.readout.ReservoirReadout`, whose
        ``features_`` (ReservoirFeatures), ``mean_``, ``scale_``, ``readout_`` (V, c),
        ``alpha_`` (the chosen ridge penalty) and ``temperature_`` (τ of ``predict_proba``)
        read through the classifier too
    min_length_, max_length_ : int
        The shortest and the longest training series' lengths; ``predict``,
        ``predict_proba``, ``decision_function`` and ``score`` warn
        (:class:`~frnn.LengthWarning`) of series shorter than
        ``frnn.data.lengths.SHORT_FRACTION`` (0.75) of ``min_length_`` or longer than
        ``LONG_FACTOR`` (1.5) times ``max_length_``
    """

    alphas: tuple[float, ...] = tuple(ALPHAS)
    class_weight: str | dict | None = None
    temperature: float | None = None
    neighbour_weight: float | str = "auto"
    statistics_weights: tuple[float, ...] = STATISTICS_WEIGHTS
    crops: bool = True
    data_format: str | None = None

    features_ = _fitted("features_")
    mean_ = _fitted("mean_")
    scale_ = _fitted("scale_")
    readout_ = _fitted("readout_")
    alpha_ = _fitted("alpha_")
    temperature_ = _fitted("temperature_")

    def fit(self, X, y, sample_weight=None, *, callback=None):
        """Draw the reservoirs, compute the training features and fit the read-out.

        ``callback(done, total)``, if given, is called as each reservoir's features are
        computed (a progress bar's hook).

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            The training series.
        y : (n,) array_like
            Their class labels, at least two classes; a column (n, 1) is read as (n,), with
            scikit-learn's DataConversionWarning.
        sample_weight : (n,) array_like of finite weights >= 0 (not all 0), a number, or None
            Each series' weight, as ``RNNClassifier.fit`` reads it (:mod:`frnn.data.weights`):
            times its class's, rescaled to a mean of one, in the ridge and the
            leave-one-out choices of α, ω, β and τ; a series of weight 0 is no nearest
            neighbour; weights that leave one class are refused.
        callback : callable(done, total) or None, default None
            Called with the reservoirs done so far and their number, ``n_reservoirs``
            (the crops, ``crops``, come from the same pass), so that ``done`` reaches
            ``total`` as the last features are computed.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            y is not (n,) or (n, 1), not class labels (real values), of one class, or not one
            label per series; X is not series; a parameter is out of range; bad weights.
        """
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:  # a column: scikit-learn's classifiers ravel it
            y = column_or_1d(y, warn=True)  # with a DataConversionWarning, as RNNClassifier
        if y.ndim != 1:
            raise ValueError(f"y must be (n,) class labels, one per series; got shape {y.shape}")
        if y.dtype.kind in "fc":  # before scikit-learn's checks, whose casts warn on NaN
            assert_all_finite(y, input_name="y")
        check_label_kinds(y)
        with warnings.catch_warnings():
            # Many classes with few series each (PigCVP: 52 classes, 2 series per class) is
            # a classification task, not the regression scikit-learn then warns about.
            warnings.filterwarnings(
                "ignore", message="The number of unique classes", category=UserWarning
            )
            check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y must hold at least two classes; got {len(classes)}")
        if not isinstance(self.crops, bool | np.bool_):
            raise ValueError(f"crops must be True or False; got {self.crops!r}")
        params = self.get_params()
        features = ReservoirFeatures(**{name: params[name] for name in PARAMETERS})
        Y = 2.0 * np.eye(len(classes))[y_index] - 1.0  # (n, K) one-hot as ±1
        w, _ = checked(sample_weight, len(y))  # (n,) or None
        refuse_weightless_classes(classes, y_index, w)
        weights = class_weights(self.class_weight, classes, y_index, w)
        model = ReservoirReadout(
            features, self.alphas, self.neighbour_weight, self.statistics_weights, self.crops
        )
        X = self._laid_out(X)
        model.fit(
            X, Y, sample_weight=combined(None if weights is None else weights[y_index], w),
            callback=callback, shrink=scale_shrink(y_index, len(classes)),
        )  # fmt: skip
        warn_thin_classes(classes, y_index)  # X and y checked, one label a series
        model = model.calibrate(y_index, self.temperature, sample_weight=w)
        # Fitted attributes only now, all together: a refused or interrupted refit (bad X,
        # one class, a callback that raises) leaves the previous fit whole.
        self.classes_, self.model_ = classes, model
        self.n_features_in_ = features.n_features_in_
        record(self, X.lengths)  # min_length_, max_length_
        return self

    def _laid_out(self, X) -> Series:
        """X in frnn's layout as ``data_format`` reads it, as a Series (padded, with its
        lengths) that the reservoirs take as it is."""
        x, lengths, _ = as_sequences(X, data_format=self.data_format)  # (n, T, D), (n,)
        return Series(x, np.zeros(len(x)), lengths)  # y unused: the labels come apart

    def _z(self, X) -> np.ndarray:
        """The fitted read-out's z (n, K) of series X, in ``data_format``'s layout; a
        :class:`~frnn.LengthWarning` for series far from the training lengths."""
        check_is_fitted(self, "model_")  # scikit-learn's NotFittedError, not AttributeError
        series = self._laid_out(X)
        warn_far(self, series.lengths)
        return self.model_.predict(series)

    def decision_function(self, X) -> np.ndarray:
        """z, (n, K); for two classes (n,), z_1 − z_0, positive for ``classes_[1]``.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            Series with the D of the training series.

        Returns
        -------
        (n,) or (n, K) float array

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The classifier is not fitted.
        ValueError
            X is not series, or its D is not the training series'.
        """
        z = self._z(X)
        return z[:, 1] - z[:, 0] if len(self.classes_) == 2 else z

    def predict_proba(self, X) -> np.ndarray:
        """(n, K) class probabilities softmax(τ z), each row summing to one.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            Series with the D of the training series.

        Returns
        -------
        (n, K) float array
            Column k the probability of ``classes_[k]``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The classifier is not fitted.
        ValueError
            X is not series, or its D is not the training series'.
        """
        return softmax(self._z(X), self.temperature_)

    def predict(self, X) -> np.ndarray:
        """(n,) labels: the class of largest z.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) arrays, or a Series
            Series with the D of the training series.

        Returns
        -------
        (n,) array of ``classes_``'s dtype

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The classifier is not fitted.
        ValueError
            X is not series, or its D is not the training series'.
        """
        z = self._z(X)  # first: an unfitted classifier has no classes_ to read
        return self.classes_[z.argmax(axis=1)]
