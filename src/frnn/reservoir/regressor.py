"""The reservoir regressor: the classifier's features with a ridge read-out on real targets.

    z = V·features + c,   V, c = argmin Σ_i ‖y_i − z_i‖² + α ‖V‖²

α is chosen by exact leave-one-out squared error (``frnn.reservoir.ridge``).  Its defaults are the
classifier's, which were chosen by cross-validation for classification; they have not
been tuned for regression.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from .core import DEFAULT_STATISTICS
from .features import ReservoirFeatures
from .ridge import ALPHAS, ridge_loo

__all__ = ["ReservoirRegressor"]


class ReservoirRegressor(RegressorMixin, BaseEstimator):
    """Random recurrent reservoirs, pooled states and a ridge read-out for real targets.

    Parameters
    ----------
    n_reservoirs, units, max_frame_fraction, window, taps, max_steps, centred, scales, rho,
    n_thresholds, statistics, difference, normalise, n_jobs, random_state :
        As in :class:`frnn.reservoir.ReservoirFeatures`.
    alphas : array of float
        Ridge penalties tried by leave-one-out.

    Attributes
    ----------
    features_ : ReservoirFeatures
    alpha_ : the chosen ridge penalty
    loo_predictions_ : (n,) or (n, K) leave-one-out predictions on the training series
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
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        """Draw the reservoirs, compute the training features and fit the read-out."""
        y = np.asarray(y, dtype=np.float64)
        if y.ndim not in (1, 2) or not np.isfinite(y).all():
            raise ValueError(f"y must be finite, (n,) or (n, K); got shape {y.shape}")
        names = ReservoirFeatures().__dict__
        self.features_ = ReservoirFeatures(**{k: getattr(self, k) for k in names})
        F = self.features_.fit(X).transform(X)  # (n, p)
        if len(F) != len(y):
            raise ValueError(f"X holds {len(F)} series but y holds {len(y)} targets")
        self.mean_, self.scale_ = F.mean(axis=0), F.std(axis=0)
        self.scale_[self.scale_ < 1e-12] = 1.0  # a constant feature stays zero
        Y = y.reshape(len(y), -1)  # (n, K)
        self.readout_ = ridge_loo((F - self.mean_) / self.scale_, Y, self.alphas)
        self.alpha_ = self.readout_.alpha
        self.loo_predictions_ = self.readout_.loo.reshape(y.shape)
        self.n_features_in_ = self.features_.n_features_in_
        self._single = y.ndim == 1
        return self

    def predict(self, X) -> np.ndarray:
        """(n,) or (n, K) predictions, in the shape of the training targets."""
        F = self.features_.transform(X)
        z = self.readout_.predict((F - self.mean_) / self.scale_)  # (n, K)
        return z[:, 0] if self._single else z
