"""The reservoir classifier: random recurrent reservoirs, pooled states, a ridge read-out.

    z = V·features + c

V and c are fitted in closed form by ridge regression on one-hot targets (±1), α chosen
from a grid by exact leave-one-out (``frnn.reservoir.ridge``): the least-squares loss,
solved rather than descended.  ``predict_proba`` is softmax(τ z), the one
temperature τ fitted by minimising the log-loss of the leave-one-out decision values, so
the probabilities are calibrated on series the read-out did not see.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from .core import DEFAULT_STATISTICS
from .features import ReservoirFeatures
from .ridge import ALPHAS, ridge_loo

__all__ = ["ReservoirClassifier", "softmax", "softmax_temperature"]

TEMPERATURES = np.logspace(-2, 2, 41)


def softmax(z: np.ndarray, tau: float) -> np.ndarray:
    """(n, K) decision values -> (n, K) probabilities softmax(τ z), rows summing to one."""
    logits = tau * z - (tau * z).max(axis=1, keepdims=True)  # shifted: exp never overflows
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def softmax_temperature(z: np.ndarray, y_index: np.ndarray) -> float:
    """The τ in ``TEMPERATURES`` minimising the log-loss of held-out decision values z (n, K)."""
    rows = np.arange(len(y_index))
    losses = [
        -np.log(np.clip(softmax(z, tau)[rows, y_index], 1e-300, None)).mean()
        for tau in TEMPERATURES
    ]
    return float(TEMPERATURES[int(np.argmin(losses))])


class ReservoirClassifier(ClassifierMixin, BaseEstimator):
    """Random recurrent reservoirs, pooled states and a ridge read-out.

    Parameters
    ----------
    n_reservoirs, units, max_frame_fraction, window, taps, max_steps, centred, scales, rho,
    n_thresholds, statistics, difference, normalise, n_jobs :
        As in :class:`frnn.reservoir.ReservoirFeatures`.
    alphas : array of float
        Ridge penalties tried by leave-one-out.
    class_weight : None, "balanced" or dict {label: weight}
        Each series' weight in the ridge loss; "balanced" weighs each class's series
        inversely to its frequency.
    temperature : None or float
        τ of ``predict_proba``; None fits it to the leave-one-out decision values.
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    classes_ : (K,) labels
    features_ : ReservoirFeatures
    alpha_ : the chosen ridge penalty
    temperature_ : τ of ``predict_proba``
    """

    def __init__(
        self,
        n_reservoirs=48,
        units=32,
        max_frame_fraction=1 / 2,
        window="dilated",
        taps=5,
        max_steps=512,
        centred=True,
        scales=(0.3, 3.0),
        rho=(0.5, 0.99),
        n_thresholds=4,
        statistics=DEFAULT_STATISTICS,
        difference=False,
        normalise=True,
        alphas=ALPHAS,
        class_weight=None,
        temperature=None,
        n_jobs=None,
        random_state=None,
    ):
        self.n_reservoirs = n_reservoirs
        self.units = units
        self.max_frame_fraction = max_frame_fraction
        self.window = window
        self.taps = taps
        self.max_steps = max_steps
        self.centred = centred
        self.scales = scales
        self.rho = rho
        self.n_thresholds = n_thresholds
        self.statistics = statistics
        self.difference = difference
        self.normalise = normalise
        self.alphas = alphas
        self.class_weight = class_weight
        self.temperature = temperature
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y, *, callback=None):
        """Draw the reservoirs, compute the training features and fit the read-out.

        ``callback(done, total)``, if given, is called as each reservoir's features are
        computed (a progress bar's hook).
        """
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be (n,) class labels, one per series; got shape {y.shape}")
        with warnings.catch_warnings():
            # Many classes with few series each (PigCVP: 52 classes, 2 series per class) is
            # a classification task, not the regression scikit-learn then warns about.
            warnings.filterwarnings(
                "ignore", message="The number of unique classes", category=UserWarning
            )
            check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y must hold at least two classes; got {len(self.classes_)}")
        names = ReservoirFeatures().__dict__
        self.features_ = ReservoirFeatures(**{k: getattr(self, k) for k in names})
        F = self.features_.fit(X).transform(X, callback=callback)  # (n, p)
        if len(F) != len(y):
            raise ValueError(f"X holds {len(F)} series but y holds {len(y)} labels")
        self.mean_, self.scale_ = F.mean(axis=0), F.std(axis=0)
        self.scale_[self.scale_ < 1e-12] = 1.0  # a constant feature stays zero
        Y = 2.0 * np.eye(len(self.classes_))[y_index] - 1.0  # (n, K) one-hot as ±1
        self.readout_ = ridge_loo(
            (F - self.mean_) / self.scale_, Y, self.alphas, self._weights(y_index)
        )
        self.alpha_ = self.readout_.alpha
        self.temperature_ = (
            softmax_temperature(self.readout_.loo, y_index)
            if self.temperature is None
            else float(self.temperature)
        )
        self.n_features_in_ = self.features_.n_features_in_
        return self

    def _weights(self, y_index: np.ndarray):
        if self.class_weight is None:
            return None
        if not (self.class_weight == "balanced" or isinstance(self.class_weight, dict)):
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict {{label: weight}}; "
                f"got {self.class_weight!r}"
            )
        weights = compute_class_weight(
            self.class_weight, classes=self.classes_, y=self.classes_[y_index]
        )
        return weights[y_index]  # (n,)

    def _scores(self, X) -> np.ndarray:
        """z (n, K): one ridge output per class."""
        F = self.features_.transform(X)
        return self.readout_.predict((F - self.mean_) / self.scale_)

    def decision_function(self, X) -> np.ndarray:
        """z, (n, K); for two classes (n,), z_1 − z_0, positive for ``classes_[1]``."""
        z = self._scores(X)
        return z[:, 1] - z[:, 0] if len(self.classes_) == 2 else z

    def predict_proba(self, X) -> np.ndarray:
        """(n, K) class probabilities softmax(τ z), each row summing to one."""
        return softmax(self._scores(X), self.temperature_)

    def predict(self, X) -> np.ndarray:
        """(n,) labels: the class of largest z."""
        return self.classes_[self._scores(X).argmax(axis=1)]
