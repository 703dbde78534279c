"""RNNRegressor's default model: random reservoirs, pooled states, a ridge read-out.

    z = V·features + c,   V, c = argmin Σ_i ‖y_i − z_i‖² + α ‖V‖²

The features are :class:`frnn.reservoir.ReservoirFeatures` of the standardised series,
with two departures from the classifier's, chosen by 5-fold CV on generated training
sets (``benchmarks/select_regression_defaults.py``; adding T = 50, 100, a noisy sine's
amplitude and frequency; mean CV R² 0.912 → 0.972): each series is *not* z-normalised on
its own (``normalise=False``: a regression target often is a level or an amplitude, which
that would erase), and the only statistic is each unit's mean state (the maximum and the
PPV counts, good at telling classes apart, add variance to a least-squares read-out).
α comes from the grid ``ALPHAS`` by exact leave-one-out squared error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.series import Series
from ..reservoir.features import ReservoirFeatures
from ..reservoir.ridge import ALPHAS, RidgeFit, ridge_loo

__all__ = ["ReservoirReadout", "fit_readout", "FEATURE_DEFAULTS"]

#: How the regressor's reservoirs differ from ReservoirFeatures' (classification) defaults.
FEATURE_DEFAULTS = {"normalise": False, "statistics": ("mean",)}


@dataclass
class ReservoirReadout:
    """Fitted reservoirs, the features' standardisation and the ridge read-out."""

    features: ReservoirFeatures
    mean: np.ndarray  # (p,)
    scale: np.ndarray  # (p,)
    readout: RidgeFit

    def predict(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """(n, T, D) standardised series -> (n, K) scaled outputs."""
        F = self.features.transform(Series(x, None, lengths))  # (n, p)
        return self.readout.predict((F - self.mean) / self.scale)


def fit_readout(
    estimator, x: np.ndarray, lengths: np.ndarray, Y: np.ndarray, seed: int, callback=None
):
    """Draw the reservoirs on (n, T, D) series, fit the read-out to Y (n, K).

    ``callback(done, total)``, if given, is called as each reservoir's features are computed.
    """
    features = ReservoirFeatures(
        n_reservoirs=estimator.n_reservoirs,
        units=estimator.hidden_size,
        random_state=seed,
        **FEATURE_DEFAULTS,
    )
    data = Series(x, None, lengths)
    F = features.fit(data).transform(data, callback=callback)  # (n, p)
    mean, scale = F.mean(axis=0), F.std(axis=0)
    scale[scale < 1e-12] = 1.0  # a constant feature stays zero
    readout = ridge_loo((F - mean) / scale, Y, ALPHAS)
    return ReservoirReadout(features, mean, scale, readout)
