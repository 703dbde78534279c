"""``RNNRegressor``: the fully recurrent network as a scikit-learn regressor.

Two ways to fit the same read-out equation z = V·(what the recurrent states say) + c:

- ``training="reservoir"`` (default): many fixed random recurrent networks, their states
  pooled over time, and a ridge read-out fitted in closed form (the least-squares loss,
  solved), α by exact leave-one-out (``reservoir_path``);
- ``training="bptt"``: the network a(t) = tanh(W x(t) + R a(t−1) + b), z = V a(T) + c
  trained end to end by BPTT on the least-squares loss ½ Σ_k (z_k − y_k)² with identity
  output, through the classifier's BPTT machinery (``frnn.classifier.bptt``: the split,
  the ensemble, the networks and the epoch loop).

Targets are scaled to zero mean and unit variance inside; predictions come back in the
user's units.  Sequence targets (a value per step) train many-to-many (BPTT).
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._typing import Callback
from ..classifier import bptt
from ..classifier import sequences as seq
from ..classifier.estimator import _STEPS
from ..data import inputs
from ..data.series import Series
from ..engine.network import forward
from .params import check_params
from .reservoir_path import fit_readout
from .targets import check_targets, flat, scaling

__all__ = ["RNNRegressor"]

_FITTED = (  # what one fit sets; a refit drops them first
    "readout_",
    "alpha_",
    "networks_",
    "history_",
    "loss_curve_",
    "n_iter_",
    "stopped_by_",
)


class RNNRegressor(RegressorMixin, BaseEstimator):
    """A fully recurrent network regressor for sequences and time series.

    Parameters
    ----------
    training : {"reservoir", "bptt"}, random reservoirs with a ridge read-out (closed form),
        or the network trained end to end by BPTT on the least-squares loss
    n_reservoirs : int ≥ 1, reservoirs (training="reservoir")
    hidden_size : int ≥ 1, I, the hidden units of each network (each reservoir, or each
        BPTT-trained network of the ensemble), as in RNNClassifier; the parameters below
        are training="bptt"'s
    activation : {"tanh", "relu", "linear", "hardtanh"}
    optimizer : {"adam", "sgd"}
    learning_rate : float > 0, the initial learning rate
    momentum : float in [0, 1), SGD's momentum (ignored by Adam)
    schedule : {"cosine", "constant"}, the learning rate over the epochs
    epochs : int ≥ 1, the most epochs to train
    batch_size : int ≥ 1 (capped at the number of training series)
    clip : float > 0 or None, the global gradient-norm threshold (None: no clipping)
    chunk_length : int ≥ 1 or None, truncated BPTT every this many network steps
    frame_size : int ≥ 1 or None, samples per network step; None picks ⌈T / 10⌉ (1 for
        sequence targets)
    init_scale : float > 0 or None, W, R, V (and b, c) uniform in ±init_scale; None: ±1/√I
    bias : bool, the biases b of the states and c of the outputs (without c a network
        cannot even fit a constant offset in the scaled targets' units)
    n_ensemble : int ≥ 1, networks trained from different seeds; their outputs are averaged
    weight_decay : float ≥ 0, L2 penalty added to the gradients as weight_decay · θ
    validation_fraction : float in [0, 1), held out for early stopping (0: none)
    patience : int ≥ 1, epochs without a better validation loss before stopping
    standardize : bool, standardise each input feature with the training mean and std
    dtype : {"float64", "float32"}
    random_state : None, int or numpy.random.RandomState

    Attributes
    ----------
    n_features_in_ : int, T for 2-D X (n, T); D for (n, T, D) arrays or lists of sequences
    n_outputs_ : int, K
    y_mean_, y_scale_ : (K,) the target scaling: the models learn (y − y_mean_) / y_scale_
    readout_ : the reservoirs and ridge read-out (training="reservoir")
    alpha_ : float, the ridge penalty chosen by leave-one-out (training="reservoir")
    networks_ : list of networks W (I, f·D), R (I, I), V (K, I) (and b (I,), c (K,) with
        ``bias=True``) (training="bptt")
    loss_curve_, n_iter_, history_ : as RNNClassifier's (training="bptt"; history's
        "accuracy" is R² on the scaled targets)
    frame_size_ : int, the frame size used
    """

    aux_weight = 0.0  # no auxiliary per-step loss: a running sum is not yet the answer
    _loss = "mse"  # the networks' loss (frnn.classifier.bptt.network)

    def __init__(
        self,
        training: str = "reservoir",
        n_reservoirs: int = 48,
        hidden_size: int = 32,
        activation: str = "tanh",
        optimizer: str = "adam",
        learning_rate: float = 0.01,
        momentum: float = 0.9,
        schedule: str = "cosine",
        epochs: int = 300,
        batch_size: int = 32,
        clip: float | None = 1.0,
        chunk_length: int | None = None,
        frame_size: int | None = None,
        init_scale: float | None = None,
        bias: bool = True,
        n_ensemble: int = 5,
        weight_decay: float = 0.0,
        validation_fraction: float = 0.0,
        patience: int = 20,
        standardize: bool = True,
        dtype: str = "float64",
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.training = training
        self.n_reservoirs = n_reservoirs
        self.hidden_size = hidden_size
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.schedule = schedule
        self.epochs = epochs
        self.batch_size = batch_size
        self.clip = clip
        self.chunk_length = chunk_length
        self.frame_size = frame_size
        self.init_scale = init_scale
        self.bias = bias
        self.n_ensemble = n_ensemble
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.standardize = standardize
        self.dtype = dtype
        self.random_state = random_state

    # -- fitting --------------------------------------------------------------------------
    def fit(
        self,
        X: ArrayLike | Series,
        y: ArrayLike,
        *,
        callback: Callback | None = None,
        resume_state: dict[str, Any] | None = None,
        monitor: tuple[ArrayLike | Series, ArrayLike] | None = None,
    ) -> Self:
        """Fit to series X and real-valued targets y.

        Parameters
        ----------
        X : (n, T), (n, T, D), a list of n arrays (T_i, D) / (T_i,), or a
            :class:`frnn.data.series.Series`
        y : (n,) or (n, K) a value vector per series; or per step (sequence targets,
            training="bptt"): (n, T) or (n, T, K) for (n, T, D) or (n, T) ... X of T steps
            given as 3-D or a list, or a list of (T_i,) / (T_i, K) arrays
        callback, resume_state, monitor : as :meth:`frnn.RNNClassifier.fit` (resume_state
            and monitor: training="bptt" only; the history adds RMSEs in y's units,
            "train_rmse", "val_rmse" and "test_rmse", its "accuracy" entries being R²)

        Returns
        -------
        self
        """
        before = dict(self.__dict__)  # a fit refused before training leaves the old fit
        try:
            check_params(self)
            for name in _FITTED:  # a refit in the other mode starts clean
                self.__dict__.pop(name, None)
            x, lengths = self._inputs(X, reset=True)  # (n, T, D), not yet framed
            Y, info = check_targets(y, x.shape[0], lengths, self.tabular_)  # (n, K) | (n, T, K)
            self.y_mean_, self.y_scale_ = scaling(Y, lengths)
            self.sequence_, self.squeeze_, self.n_outputs_ = info.sequence, info.squeeze, info.K
            Ys = (Y - self.y_mean_) / self.y_scale_
            if info.sequence:
                Ys[~inputs.mask(Ys, lengths)] = 0.0  # padded steps: no target
            if self.training == "reservoir":  # one closed-form fit: all or nothing
                if resume_state is not None or monitor is not None:
                    raise ValueError("resume_state and monitor apply to training='bptt' only")
                self._fit_reservoir(x, lengths, Ys, info, callback)
                return self
            loop, data, val = self._prepare_bptt(
                x, lengths, Ys.astype(self.dtype), info, resume_state
            )
            watched = bptt.monitored(self, monitor)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return bptt.run(self, loop, data, val, callback, watched)

    def _fit_reservoir(self, x, lengths, Ys, info, callback) -> None:
        if info.sequence:
            raise ValueError(
                "y holds a value per step (sequence targets), which training='reservoir' "
                "does not fit (its read-out sees pooled states); pass training='bptt'"
            )
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        hook = (
            None if callback is None else lambda done, of: callback({"reservoir": done, "of": of})
        )
        self.readout_ = fit_readout(self, x, lengths, Ys, seed, callback=hook)
        self.alpha_ = self.readout_.readout.alpha

    def _prepare_bptt(self, x, lengths, Ys, info, resume_state):
        """The epoch loop and its data; everything that can refuse before training."""
        f = self.frame_size or max(1, math.ceil(int(lengths.max()) / _STEPS))
        if info.sequence:
            if self.frame_size not in (None, 1) or self.chunk_length is not None:
                raise ValueError(
                    "sequence targets (a value per step) need frame_size=None or 1 and "
                    f"chunk_length=None; got frame_size={self.frame_size}, "
                    f"chunk_length={self.chunk_length}"
                )
            f = 1
        self.frame_size_ = f
        x, steps = inputs.frame(x, lengths, f)  # (n, T', f·D)
        return bptt.prepare(self, x, steps, Ys, resume_state)

    def _inputs(self, X, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        """Validated, standardised inputs (n, T, D), framed by ``frame_size_`` unless fitting."""
        x, lengths = seq.validated(self, X, reset=reset)  # (n, T, D)
        if reset:
            self.mean_, self.std_ = inputs.standardisation(x, lengths)
            if not self.standardize:
                self.mean_, self.std_ = np.zeros_like(self.mean_), np.ones_like(self.std_)
            self.frame_size_ = 1
        x = inputs.standardise(x, lengths, self.mean_, self.std_)
        if not reset:
            x, lengths = inputs.frame(x, lengths, self.frame_size_)
        return x.astype(self.dtype), lengths

    def _accuracy(self, z: np.ndarray, y: np.ndarray) -> float:
        """The training loop's score: R² of outputs z against scaled targets y, (B, [T,] K)."""
        y = y[:, : z.shape[1]] if z.ndim == 3 else y  # a mini-batch's z ends at its longest
        total = float(((y - y.mean(axis=0)) ** 2).sum())
        return 1.0 - float(((z - y) ** 2).sum()) / total if total > 0 else 0.0

    def _to_arrays(self) -> tuple[dict, dict]:
        """The arrays and metadata of this fitted regressor's model file (``frnn.save``)."""
        from .persist import to_arrays

        return to_arrays(self)

    # -- prediction -----------------------------------------------------------------------
    def _scaled(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Outputs in target units: (n, K), or (n, T, K) for sequence targets; lengths."""
        check_is_fitted(self, "y_mean_")
        x, lengths = self._inputs(X, reset=False)
        if self.training == "reservoir" and hasattr(self, "readout_"):
            z = self.readout_.predict(x, lengths)  # (n, K)
        else:
            z = np.mean([self._outputs(net, x, lengths) for net in self.networks_], axis=0)
        z = z * self.y_scale_ + self.y_mean_
        if self.sequence_:
            z[~inputs.mask(z, lengths)] = 0.0
        return z, lengths

    def _outputs(self, net, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """One network's scaled outputs: (n, K), or (n, T, K) for sequence targets."""
        local = bptt.detached(net)  # forward writes its states here, not into the shared net
        if not self.sequence_:
            forward(local, x, None, lengths=lengths)
            return np.asarray(local.z, dtype=np.float64).reshape(x.shape[0], -1)  # (n, K)
        dummy = np.zeros(x.shape[:2] + (self.n_outputs_,), dtype=x.dtype)  # (n, T, K)
        forward(local, x, dummy, lengths=lengths)  # many-to-many: z at every step
        return np.asarray(local.z, dtype=np.float64)  # (n, T, K)

    def predict(self, X: ArrayLike | Series) -> np.ndarray | list[np.ndarray]:
        """Predictions in the shape of the training targets.

        (n,) or (n, K) per series; per step (n, T) or (n, T, K), or a list of (T_i,) /
        (T_i, K) arrays when X's series have different lengths.
        """
        z, lengths = self._scaled(X)
        if self.squeeze_:
            z = z[..., 0]
        if self.sequence_ and not (lengths == z.shape[1]).all():
            return [z[i, :length] for i, length in enumerate(lengths)]
        return z

    def _compare(self, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """True and predicted targets as (N, K) rows (real steps only), and the weights' rows."""
        z, lengths = self._scaled(X)
        Y, info = check_targets(y, z.shape[0], lengths, self.tabular_)
        if info.K != self.n_outputs_ or info.sequence != self.sequence_:
            raise ValueError(
                f"y has {info.K} output(s){' per step' if info.sequence else ''}; the model "
                f"was fitted to {self.n_outputs_}{' per step' if self.sequence_ else ''}"
            )
        return flat(Y, lengths), flat(z, lengths), lengths

    def score(
        self, X: ArrayLike | Series, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> float:
        """R² of the predictions (uniformly averaged over outputs and, per step, over steps)."""
        Y, Z, lengths = self._compare(X, y)
        if sample_weight is not None and self.sequence_:
            sample_weight = np.repeat(np.asarray(sample_weight, dtype=np.float64), lengths)
        return float(r2_score(Y, Z, sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.non_deterministic = False
        return tags
