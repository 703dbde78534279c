"""``RNNRegressor``: the fully recurrent network as a scikit-learn regressor.

Two ways to fit the same read-out equation z = V·(what the recurrent states say) + c:

- ``training="reservoir"`` (default): many fixed random recurrent networks, their states
  pooled over time, and a ridge read-out fitted in closed form (the least-squares loss,
  solved), α by exact leave-one-out (:class:`frnn.reservoir.readout.ReservoirReadout`, the
  classifier's read-out), or by exact leave-block-out where the series are the sliding
  windows of one series (``loo_gap_``);
- ``training="bptt"``: the network a(t) = f(W x(t) + R a(t−1) + b), z = V a(T) + c
  trained end to end by BPTT on the least-squares loss ½ Σ_k (z_k − y_k)² with identity
  output (:mod:`frnn.training.ensemble`: the split, the ensemble, the loop); its defaults
  are the memory recipe (as RNNClassifier's: five IRNNs of 64 ReLU units, frames of
  ⌈T/20⌉ samples, 8,000 steps of Adam with warm-up and cosine decay), and
  ``fit_stream`` trains it from a stream of fresh batches.

Both stand on the estimator core (:class:`frnn.estimators.base.RNNEstimator`) with the task
:class:`~frnn.regressor.task.Regression`: targets are scaled to zero mean and unit variance
inside, predictions come back in the user's units.  Sequence targets (a value per step)
train many-to-many (BPTT).

The reservoirs read the series as the classifier's do: half of them each series
z-normalised on its own (its shape), half standardised over the training series with input
weights that need not sum to zero (its level and scale: a regression target often is a
level or an amplitude, which z-normalising alone would erase).  They depart from the
classifier's in their statistics and R: each unit's mean state only (the maximum and the PPV
counts, good at telling classes apart, add variance to a least-squares read-out) and a
Gaussian R; their states are float32, as the classifier's (its compiled loop; the read-out
is float64).  Chosen by 5-fold CV on generated training sets
(``benchmarks/select_regression_defaults.py``: the statistics; and
``benchmarks/regression_accuracy.py`` on the ten tasks of
``benchmarks/generated_regression.py``, seeds 0–2: the level reservoirs beside the
z-normalised ones, mean CV R² 0.620 → 0.665, 27 of 30 task × seed pairs better, where
before every reservoir read the series standardised as a whole; then float32 states in
place of float64 ones: the same CV R² to 1.5e-7, fits 4–8x less CPU time; results in
``benchmarks/results/regression.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin
from sklearn.utils.metaestimators import available_if

from ..data.inputs import binary_unit
from ..data.series import Series
from ..data.weights import scoring_shape
from ..estimators import incremental
from ..estimators.base import RNNEstimator
from ..estimators.lazy import chunkwise, is_dask
from ..estimators.tasks import Task
from .targets import check_targets, flat, r2_in_units
from .task import Regression, padded_predictions, predictions

__all__ = ["RNNRegressor"]


@dataclass(eq=False, repr=False, kw_only=True)
class RNNRegressor(RegressorMixin, RNNEstimator):
    """A fully recurrent network regressor for sequences and time series.

    Parameters
    ----------
    training : {"reservoir", "bptt"}, random reservoirs with a ridge read-out (closed form),
        or the network trained end to end by BPTT on the least-squares loss
    n_reservoirs : int ≥ 1, reservoirs (training="reservoir")
    hidden_size : int ≥ 1 or None, I, the hidden units of each network (each reservoir, or
        each BPTT-trained network of the ensemble), as in RNNClassifier (None: 32 for a
        reservoir, 64 for bptt); the parameters below are training="bptt"'s
    activation : {"relu", "tanh", "linear", "hardtanh"}
    init : {"identity", "torch", "uniform", "orthogonal", "spectral", "ring"}, how W, R, V
        (b, c) are drawn (:func:`frnn.init`), as in RNNClassifier: "identity" is the IRNN
    optimizer : {"adam", "sgd"}
    learning_rate : float > 0, the peak learning rate
    momentum : float in [0, 1), SGD's momentum (ignored by Adam)
    schedule : {"cosine", "constant"}, the learning rate's decay over the steps (over the
        epochs when ``epochs`` is given)
    warmup : float in [0, 1), the fraction of the steps over which the rate rises linearly
        from 0.01 × learning_rate; not used with ``epochs``
    steps : int ≥ 1, the budget: optimiser steps of each network, each on ``batch_size``
        distinct series drawn at random from the training series (in rounds of ⌈n /
        batch_size⌉ steps, or 1% of the steps if that is more: one history row, one
        callback each)
    epochs : int ≥ 1 or None, None: a budget of ``steps``; an int: that many passes over
        the shuffled training series instead (the loop of earlier versions)
    batch_size : int ≥ 1 (capped at the number of training series)
    clip : float > 0 or None, the global gradient-norm threshold (None: no clipping)
    chunk_length : int ≥ 1 or None, truncated BPTT every this many network steps
    frame_size : int ≥ 1 or None, samples per network step; None picks ⌈T / 20⌉ (1 for
        sequence targets)
    init_scale : float > 0 or None, ``init``'s scale (the standard deviation of W and V, the
        bound of "uniform"); None: the scheme's default ("torch" takes only None)
    bias : bool, the biases b of the states and c of the outputs (without c a network
        cannot even fit a constant offset in the scaled targets' units)
    n_ensemble : int ≥ 1, networks trained from different seeds; their outputs are averaged
    weight_decay : float ≥ 0, L2 penalty added to the gradients as weight_decay · θ (W, R
        and V; never b, c); the default 1e-4 keeps networks from memorising small
        training sets (benchmarks/results/memory_selection.md)
    validation_fraction : float in [0, 1), held out for early stopping (0: none)
    patience : int ≥ 1, rounds (epochs) without a better validation loss before stopping
    standardize : bool, standardise each input feature with the training mean and std
    dtype : {"float64", "float32"}, (bptt) the networks' dtype; the reservoirs' states are
        float32 whatever it says (as the classifier's; the read-out is float64)
    n_jobs : int or None, (training="reservoir") threads running reservoirs side by side
        (None: one), as in RNNClassifier: the same model for any value
    random_state : None, int or numpy.random.RandomState
    data_format : None, "channels_last" or "channels_first", how a 3-D X (and a list of
        2-D series) is laid out, as in :class:`frnn.RNNClassifier`: None (default) frnn's
        (n, T, D), checked; "channels_first" aeon's and sktime's (n_cases, n_channels,
        n_timepoints)

    Attributes
    ----------
    n_features_in_ : int, T for 2-D X (n, T); D for (n, T, D) arrays or lists of sequences
    min_length_, max_length_ : int, the shortest and the longest training series' lengths,
        as in :class:`frnn.RNNClassifier` (series far from them warn:
        :class:`frnn.LengthWarning`)
    n_outputs_ : int, K
    y_mean_, y_scale_ : (K,) the target scaling: the models learn (y − y_mean_) / y_scale_
    reservoir_ : the fitted :class:`frnn.reservoir.readout.ReservoirReadout`, the reservoirs
        and the ridge read-out (training="reservoir")
    alpha_ : float, the ridge penalty chosen by leave-one-out (training="reservoir"), or
        by leave-block-out where X's rows are consecutive windows of one series
    loo_gap_ : int, (training="reservoir") the windows left out either side of each block
        of windows by the choice of α: where X's rows are the sliding windows of one series
        (``frnn.data.windows``, stride s < T: X[i + 1, : T − s] == X[i, s:] for every i,
        read from X, as in a ``time_split`` fold of them), each shares values, inputs or
        targets, with ⌊(T + K − 1) / s⌋ neighbours either side, and leave-one-out, which
        keeps them in the fit, would choose α too small; lowered to ⌊(n − 2) / 5⌋ on few
        windows (:func:`frnn.reservoir.ridge.tiles`).  0: plain leave-one-out
        (independent series, or windows that share no input).  Not kept in model files
    networks_ : list of networks W (I, f·D), R (I, I), V (K, I) (and b (I,), c (K,) with
        ``bias=True``) (training="bptt")
    loss_curve_, n_iter_, history_ : as RNNClassifier's (training="bptt"; history's
        "accuracy" is R² on the scaled targets)
    frame_size_ : int, the frame size used (training="bptt")
    """

    weight_decay: float = 1e-4  # the classifier's is 0 (results: "Few training series")
    n_jobs: int | None = None
    aux_weight: ClassVar[float] = 0.0  # no per-step loss: a running sum is not yet the answer
    _task: ClassVar[Task] = Regression()
    # See the module: the classifier's shape and level reservoirs (ReservoirFeatures'
    # normalise=True, level_fraction=0.5), each unit's mean state, float32 states (the
    # classifier's compiled loop) and a Gaussian R, as the regression defaults were chosen.
    _reservoir_settings: ClassVar[dict[str, Any]] = {
        "statistics": ("mean",),
        "recurrence": "gaussian",
        "dtype": "float32",
    }
    # The settings each change replaced, newest first (CHANGELOG "Unreleased"): float64
    # states; before them, every reservoir reading the series standardised as a whole.  A
    # model file saved with either loads and predicts as it did.
    _earlier_reservoir_settings: ClassVar[tuple[dict[str, Any], ...]] = (
        {"dtype": "float64"},
        {"normalise": False, "level_fraction": 0.0},
    )

    @available_if(incremental.available)
    def partial_fit(
        self, X: ArrayLike | Series, y: ArrayLike, sample_weight: ArrayLike | None = None
    ):
        """(training="reservoir") Fit one more chunk of series and targets (n,) or (n, K).

        The first chunk fixes the reservoirs, α, and the inputs' and targets' scaling;
        each later chunk adds its features' sums, and V, c are solved from the sums of all
        chunks: the model of one fit on all of them with those choices fixed
        (:mod:`frnn.estimators.incremental`).  A call after ``fit`` (or on a model
        ``frnn.load`` read) starts anew, with a UserWarning: neither keeps the sums, so the
        fitted model is replaced by one of this chunk.  With ``training="bptt"`` there is
        no ``partial_fit``: ``fit_stream`` trains on batches as they come.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) / (T_i,) arrays, or a Series
            A chunk of series, as ``fit`` takes them in memory; the first chunk fixes D.
        y : (n,) or (n, K) array_like
            Their real targets, one value (vector) per series; K fixed by the first chunk.
        sample_weight : (n,) array_like of weights >= 0, a number, or None (each weighs 1)
            Each series' weight in the ridge loss, divided by the first chunk's mean
            weight (:mod:`frnn.estimators.incremental`).

        Returns
        -------
        self
        """
        return incremental.partial_fit(self, X, y, sample_weight=sample_weight)

    # -- prediction -----------------------------------------------------------------------
    @chunkwise
    def predict(self, X: ArrayLike | Series) -> np.ndarray | list[np.ndarray]:
        """Predictions in the shape of the training targets.

        (n,) or (n, K) per series; per step (n, T) or (n, T, K), or a list of (T_i,) /
        (T_i, K) arrays when X's series have different lengths.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) / (T_i,) arrays, or a Series
            Series as ``fit`` takes them, with the D of the training series; or a
            ``dask.array.Array`` (n, T) / (n, T, D), mapped chunk by chunk into a dask
            array.

        Returns
        -------
        float array, or a list of n float arrays
            In the targets' units (the fit's scaling undone), shaped as above.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        ValueError
            X is not series the model can read (another D, NaN, an empty series).
        """
        z, lengths = predictions(self, X)
        if self.squeeze_:
            z = z[..., 0]
        if self.sequence_ and not (lengths == z.shape[1]).all():
            return [z[i, :length] for i, length in enumerate(lengths)]
        return z

    def _compare(self, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """True and predicted targets as (N, K) rows (real steps only), and the weights' rows."""
        if is_dask(X):  # each chunk's predictions, brought back and compared here
            from ..estimators.chunked import lazy, local

            z, y = local(lazy(padded_predictions, self, X)), local(y)
            lengths = np.full(len(z), X.shape[1])
        else:
            z, lengths = predictions(self, X)
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
        """R² of the predictions (uniformly averaged over outputs and, per step, over steps).

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) / (T_i,) arrays, or a Series
            As :meth:`predict` takes it (a dask array too: predicted chunk by chunk, the
            predictions brought to the client).
        y : array_like
            The true targets, shaped as the training targets were: (n,) or (n, K), or per
            step (n, T), (n, T, K) or a list of (T_i,) / (T_i, K) arrays.
        sample_weight : (n,) array_like or None, default None
            Each series' weight (per step: repeated over its real steps); None weighs them
            alike.

        Returns
        -------
        float
            scikit-learn's ``r2_score`` over the real steps, at most 1.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        ValueError
            X is not series the model can read, or y has another number of outputs, or
            is per step where the fit's targets were not (or the reverse).
        """
        Y, Z, lengths = self._compare(X, y)
        if is_dask(sample_weight):
            sample_weight = sample_weight.compute()
        if sample_weight is not None:  # named as fit names it, not "[24, 24, 3]"
            scoring_shape(sample_weight, len(lengths))
        if sample_weight is not None and self.sequence_:
            sample_weight = np.repeat(np.asarray(sample_weight, dtype=np.float64), lengths)
        return r2_in_units(Y, Z, binary_unit(self.y_scale_), sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
