"""The regressor's task: real targets scaled to unit variance, the least-squares loss, R².

The networks and the read-out learn (y − y_mean_) / y_scale_, so that the learning rate and
the ridge penalties mean the same whatever the user's units; outputs are scaled back.  A
target per step (sequence targets) trains the networks many-to-many.
"""

from __future__ import annotations

import numpy as np

from ..data.forecast import overlap_gap
from ..data.inputs import mask
from ..data.weights import refuse_single_series
from ..estimators.tasks import Task
from .targets import check_targets, scaling

__all__ = ["Regression", "padded_predictions", "predictions", "r2"]


def r2(z: np.ndarray, y: np.ndarray) -> float:
    """The training loop's score: R² of outputs z against scaled targets y, (B, [T,] K)."""
    y = y[:, : z.shape[1]] if z.ndim == 3 else y  # a mini-batch's z ends at its longest
    total = float(((y - y.mean(axis=0)) ** 2).sum())
    return 1.0 - float(((z - y) ** 2).sum()) / total if total > 0 else 0.0


def predictions(regressor, X) -> tuple[np.ndarray, np.ndarray]:
    """A fitted regressor's predictions in the targets' units, padded: (n, K), or (n, T, K)
    for sequence targets (zero beyond each series' end); and the lengths (n,)."""
    z, lengths = regressor._outputs(X)
    z = z * regressor.y_scale_ + regressor.y_mean_
    if regressor.sequence_:
        z[~mask(z, lengths)] = 0.0
    return z, lengths


def padded_predictions(regressor, X) -> np.ndarray:
    """:func:`predictions` without the lengths: what one chunk of a dask array gives."""
    return predictions(regressor, X)[0]


class Regression(Task):
    """Real values: identity outputs, the least-squares loss, R²."""

    kind = "regressor"
    loss = "mse"
    marker = "y_mean_"
    fitted = ("sequence_", "squeeze_", "n_outputs_")

    def encode(self, est, y, lengths):
        Y, info = check_targets(y, len(lengths), lengths, est.tabular_)  # (n, K) | (n, T, K)
        est.y_mean_, est.y_scale_ = scaling(Y, lengths)
        est.sequence_, est.squeeze_, est.n_outputs_ = info.sequence, info.squeeze, info.K
        return self._scaled(est, Y, lengths)

    def loo_gap(self, est, x, lengths, Y):
        # Windows of one long series (frnn.data.windows) share values with their
        # neighbours: α is chosen leaving each out with those (frnn.reservoir.ridge.tiles)
        if len(lengths) and (lengths == x.shape[1]).all():  # padded series are no windows
            return overlap_gap(x, Y.shape[1])
        return 0

    @staticmethod
    def _scaled(est, Y: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        Ys = (Y - est.y_mean_) / est.y_scale_
        if Ys.ndim == 3:
            Ys[~mask(Ys, lengths)] = 0.0  # padded steps: no target
        return Ys

    def check_weights(self, est, Y, weights):
        if est.training == "reservoir":
            refuse_single_series(weights)

    def per_step(self, est):
        return est.n_outputs_ if est.sequence_ else 0

    def ensemble_options(self, est, Y, sample_weight=None):
        return {"accuracy": r2, "target_scale": est.y_scale_}

    def monitored(self, est, y, n, lengths, name="monitor's y"):
        Y, info = check_targets(y, n, lengths, est.tabular_, name=name)
        if info.K != est.n_outputs_ or info.sequence != est.sequence_:
            raise ValueError(
                f"{name} has {info.K} output(s){' per step' if info.sequence else ''}; the "
                f"training targets have {est.n_outputs_}{' per step' if est.sequence_ else ''}"
            )
        return self._scaled(est, Y, lengths)

    def encode_more(self, est, y, lengths):
        return self.monitored(est, y, len(lengths), lengths, name="y")

    def arrays(self, est):
        return {"y_mean": est.y_mean_, "y_scale": est.y_scale_}

    def from_arrays(self, est, arrays):
        est.y_mean_, est.y_scale_ = arrays["y_mean"], arrays["y_scale"]

    def check_fitted(self, est, networks):
        K = getattr(est, "n_outputs_", None)
        if isinstance(K, bool) or not isinstance(K, int) or K < 1:
            raise ValueError(f"n_outputs_ must be an integer ≥ 1; got {K!r}")
        for name in ("sequence_", "squeeze_"):
            if not isinstance(getattr(est, name, None), bool):
                raise ValueError(f"{name} must be a bool")
        if est.sequence_ and not networks:
            raise ValueError("sequence targets are fitted by training='bptt' only")
        if est.squeeze_ and K != 1:  # y was (n,) or (n, T): one output
            raise ValueError(f"squeeze_ (one target a series) needs n_outputs_ = 1; got {K}")
        for name in ("y_mean_", "y_scale_"):
            value = getattr(est, name)
            if value.shape != (K,) or value.dtype.kind != "f" or not np.isfinite(value).all():
                raise ValueError(
                    f"{name} must be {K} finite floats; got {value.dtype} {value.shape}"
                )
        if (est.y_scale_ <= 0).any():
            raise ValueError("y_scale_ must be > 0")
        return K
