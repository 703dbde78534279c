"""``RNNClassifier``: the fully recurrent network as a scikit-learn classifier.

    s(t) = W x(t) + R a(t−1) + b,   a(t) = f(s(t)),   z = V·features + c

(f = tanh in the reservoirs, ReLU by default under ``training="bptt"``, without b and c
when ``bias=False``.)

Two ways to train the same network (``training``):

- ``"reservoir"`` (the default): W, R, b of many small networks are drawn at random and
  kept fixed; their states are pooled over time (mean, max, trend, and the proportion of
  steps on which s(t) exceeds thresholds drawn from training series) and the linear read-out
  z = V·features + c is fitted by ridge regression, α chosen by exact leave-one-out
  (the read-out :class:`frnn.reservoir.readout.ReservoirReadout`, which
  :class:`frnn.reservoir.ReservoirClassifier` also stands on).
- ``"bptt"``: an ensemble of networks, z = V a(T), every weight learned end to end by
  backpropagation through time on the sigmoid cross-entropy (:mod:`frnn.training.ensemble`);
  x(t) is a frame of ``frame_size`` samples (see :mod:`frnn.data.inputs`).  Its defaults
  are the memory recipe chosen by validation on generated tasks and the training part of
  the 8×8 digits (benchmarks/results/memory_selection.md): five IRNNs (ReLU, R = I) of 64
  units reading frames of ⌈T/20⌉ samples, Adam 4·10⁻³ with a 1% warm-up then cosine
  decay, clipping at 1, 8,000 steps of 32 series drawn at random.  ``fit_stream`` trains
  them from a stream of fresh batches instead of arrays.

Binary targets use one output, multi-class ones one output per class (predicting the
argmax); multi-label 0/1 matrices (``"bptt"`` only) one sigmoid per label: the task
object :class:`~frnn.classifier.task.Classification` of the estimator core
(:class:`frnn.estimators.base.RNNEstimator`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..data.series import Series
from ..data.weights import scoring_shape
from ..estimators import incremental
from ..estimators.base import RNNEstimator
from ..estimators.lazy import chunkwise, is_dask
from ..estimators.tasks import Task
from .params import expected_failed_checks
from .targets import check_scored, probabilities
from .task import Classification

__all__ = ["RNNClassifier", "expected_failed_checks"]


def _check_lengths(y, sample_weight, n: int) -> None:
    """y and ``sample_weight`` of ``score`` against the n series predicted, in the words
    of ``fit`` (scikit-learn's name no argument: "inconsistent numbers of samples: [24, 24,
    3]")."""
    m = np.asarray(y).shape[:1]
    if m != (n,):
        got = m[0] if m else "a scalar"
        raise ValueError(f"X and y have inconsistent numbers of samples: X has {n}, y has {got}")
    if sample_weight is not None:
        scoring_shape(sample_weight, n)


@dataclass(eq=False, repr=False, kw_only=True)
class RNNClassifier(ClassifierMixin, RNNEstimator):
    """A fully recurrent network classifier for sequences and time series.

    Parameters marked (reservoir) are read by ``training="reservoir"`` only, those marked
    (bptt) by ``training="bptt"`` only; the other mode ignores them, as scikit-learn's
    solver-specific parameters are ignored by the other solvers.

    Parameters
    ----------
    training : {"reservoir", "bptt"}, how the network is trained: fixed random W, R, b and a
        ridge read-out fitted in closed form (default), or every weight by BPTT
    hidden_size : int ≥ 1 or None, I, the hidden units of each network (each reservoir, or
        each BPTT-trained network of the ensemble); None: 32 for a reservoir, 64 for bptt
    n_reservoirs : int ≥ 1, (reservoir) how many fixed random networks feed the read-out
    taps : int ≥ 1, (reservoir) samples each step of a reservoir reads, spaced by its
        dilation (drawn log-uniformly up to the series' length over taps − 1)
    max_steps : int ≥ 1 or None, (reservoir) windows move by ⌈T / max_steps⌉ samples, so
        each reservoir runs about max_steps steps; None: by their dilation
    n_thresholds : int ≥ 1, (reservoir) thresholds θ per unit for the proportion of steps
        with s(t) > θ (PPV), drawn from quantiles of s on random training series
    spectral_radius : (low, high), (reservoir) range of R's spectral radius, 0 ≤ low ≤
        high < 1, drawn uniformly per reservoir
    input_scale : (low, high), (reservoir) range of the standard deviation of W x(t),
        drawn log-uniformly per reservoir
    activation : {"relu", "tanh", "linear", "hardtanh"}, (bptt) f; the reservoirs use tanh
    init : {"identity", "torch", "uniform", "orthogonal", "spectral", "ring"}, (bptt) how
        W, R, V (b, c) are drawn (:func:`frnn.init`): "identity" R = I, W and V ~ N(0,
        0.001²), b = c = 0 (the IRNN of Le, Jaitly & Hinton 2015); "torch" all uniform in
        ±1/√I (the draw of frnn's first releases; see :mod:`frnn.engine.schemes` for the others)
    optimizer : {"adam", "sgd"}, (bptt)
    learning_rate : float > 0, (bptt) the peak learning rate
    momentum : float in [0, 1), (bptt) SGD's momentum (ignored by Adam)
    schedule : {"cosine", "constant"}, (bptt) the learning rate's decay over the steps
        (over the epochs when ``epochs`` is given)
    warmup : float in [0, 1), (bptt) the fraction of the steps over which the rate rises
        linearly from 0.01 × learning_rate (:class:`frnn.training.Schedule`); not used with
        ``epochs``
    steps : int ≥ 1, (bptt) the budget: optimiser steps of each network, each on
        ``batch_size`` distinct series drawn at random from the training series (in rounds
        of ⌈n / batch_size⌉ steps, about one pass over them, or 1% of the steps if that is
        more: one history row, one callback each)
    epochs : int ≥ 1 or None, (bptt) None: a budget of ``steps``; an int: that many passes
        over the shuffled training series instead (the loop of earlier versions)
    batch_size : int ≥ 1, (bptt) capped at the number of training series
    clip : float > 0 or None, (bptt) the global gradient-norm threshold (None: no clipping)
    chunk_length : int ≥ 1 or None, (bptt) truncated BPTT every this many network steps
        (frames, not samples); None: full BPTT
    frame_size : int ≥ 1 or None, (bptt) samples per network step; None picks ⌈T / 20⌉ for
        training series of length T (about 20 steps)
    init_scale : float > 0 or None, (bptt) ``init``'s scale: the standard deviation of W and
        V ("identity", "orthogonal", "spectral", "ring"), the bound of "uniform"; None: the
        scheme's default ("torch" takes only None)
    bias : bool, (bptt) the biases b of the states and c of the logits; without them a tanh
        network is an odd function of its input, p(x) + p(−x) = 1, and cannot tell a
        class from its mirror image x → −x (the reservoirs always have b and c)
    aux_weight : float ≥ 0, (bptt) weight of an auxiliary loss asking for the class at every
        step (scaled by 1 / mean length); 0 turns it off
    n_ensemble : int ≥ 1, (bptt) networks trained from different seeds; their logits are
        averaged
    weight_decay : float ≥ 0, (bptt) L2 penalty added to the gradients as weight_decay · θ
        (W, R and V; never b, c); 0 by default (RNNRegressor's 1e-4, and 1e-3, were no
        clear win in CV of classification: benchmarks/results/memory_selection.md)
    validation_fraction : float in [0, 1), (bptt) held out for early stopping (0: none)
    patience : int ≥ 1, (bptt) rounds (epochs) without a better validation loss before
        stopping
    standardize : bool, (bptt) standardise each input feature with the training mean and
        std; the reservoirs standardise on their own (half z-normalise each series, half
        read it standardised over the training series: its level)
    dtype : {"float64", "float32"}, (bptt) the networks' dtype; the reservoirs' states are
        float32 whatever it says (one compiled loop pools them as they run; the read-out
        is float64)
    class_weight : None, "balanced" or dict {label: weight}, each series' weight in the
        loss (each a finite number > 0), times its ``sample_weight`` in ``fit``; "balanced"
        weighs classes inversely to their frequency, each series counted by its
        ``sample_weight`` where given (scikit-learn's ``compute_class_weight``)
    neighbour_weight : "auto" or float in [0, inf], (reservoir) β of the nearest training
        series beside the read-out, z + β·z_nn with z_nn,k = −(distance to the nearest
        training series of class k) / (its median over the training series)
        (:mod:`frnn.reservoir.neighbours`): "auto" chooses β from (0, 1, 3, 10, inf) by
        leave-one-out log-loss on the training series, so the classifier keeps the
        training series only where 1-NN under Euclidean distance helps (and never beyond
        20,000 training series: ``neighbours.AUTO_MAX_SERIES``); 0 is the read-out alone,
        inf 1-NN alone.  ``fit`` on series in memory only: ``partial_fit`` and a
        dask X fit the read-out alone (β = 0)
    n_jobs : int or None, (reservoir) threads running reservoirs side by side (None: one)
    random_state : None, int or numpy.random.RandomState
    data_format : None, "channels_last" or "channels_first", how a 3-D X (and a list of
        2-D series) is laid out: None (default) reads frnn's (n, T, D) and refuses a single
        step with several channels, warns (LayoutWarning) when channels outnumber steps;
        "channels_last" reads (n, T, D) unchecked, as PyTorch (batch_first) and Keras lay
        it out; "channels_first" reads aeon's and sktime's (n_cases, n_channels,
        n_timepoints) and lists of (n_channels, T_i) arrays.  A Series, a
        DataFrame and a torch tensor are read by their own layout (see
        :mod:`frnn.data.layouts`)

    Attributes
    ----------
    classes_ : (n_classes,) the class labels (label indices 0..K−1 for multi-label y)
    n_features_in_ : int, T for 2-D X (n, T); D for (n, T, D) arrays or lists of sequences
    min_length_, max_length_ : int, the shortest and the longest training series' lengths
        (over every chunk of ``partial_fit``); predicting series shorter than 0.75 of
        ``min_length_`` or longer than 1.5 times ``max_length_`` (1.1 times for BPTT) warns
        (:class:`frnn.LengthWarning`); absent in a model loaded from a file of format
        version 7 or before, which then cannot warn
    reservoir_ : (reservoir) the fitted :class:`frnn.reservoir.readout.ReservoirReadout`:
        its ``features_.reservoirs_`` hold each network's W, R, b and thresholds, its
        ``readout_`` V and c, ``alpha_`` the chosen ridge penalty, ``temperature_`` τ
    alpha_ : (reservoir) float, the ridge penalty chosen by leave-one-out
    loss_curve_ : (bptt) list of float, the training loss of every round (epoch)
    n_iter_ : (bptt) int, rounds (epochs) run
    history_ : (bptt) dict of lists, one value per round (epoch): loss (the training objective,
        with the auxiliary term and class weights), accuracy, train_loss (without them, as
        val_loss; these three are means over the round's mini-batches), grad_norm,
        val_loss, val_accuracy (None without validation), test_loss, test_accuracy (None
        without ``fit``'s monitor), seconds
    networks_ : (bptt) list of models with W (I, f·D), R (I, I), V (K, I) (and b (I,),
        c (K,) with ``bias=True``)
    frame_size_ : (bptt) int, the frame size used
    """

    taps: int = 5
    max_steps: int | None = 512
    n_thresholds: int = 4
    spectral_radius: tuple[float, float] = (0.5, 0.99)
    input_scale: tuple[float, float] = (0.3, 3.0)
    aux_weight: float = 0.0
    class_weight: str | dict[Any, float] | None = None
    neighbour_weight: float | str = "auto"
    n_jobs: int | None = None

    _task: ClassVar[Task] = Classification()

    @available_if(incremental.available)
    def partial_fit(
        self,
        X: ArrayLike | Series,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ):
        """(reservoir) Fit one more chunk of series and labels, scikit-learn's incremental way.

        The first chunk fixes the reservoirs (θ drawn from its series), α and τ; each later
        chunk adds its features' sums, and V, c are solved from the sums of all chunks, so
        the model is that of one fit on all of them with those choices fixed
        (:mod:`frnn.estimators.incremental`).  ``class_weight="balanced"`` is refused.
        A call after ``fit`` (or on a model ``frnn.load`` read) starts anew, with a
        UserWarning: neither keeps the sums, so the fitted model is replaced by one of this
        chunk (its classes kept).  With ``training="bptt"`` there is no ``partial_fit``:
        ``fit_stream`` trains on batches as they come.

        Parameters
        ----------
        X : a chunk of series, as ``fit`` takes them in memory
        y : (n,) their class labels
        classes : every label the chunks will hold; required on the first call
        sample_weight : (n,) array_like of weights >= 0, a number, or None (each weighs 1)
            Each series' weight in the ridge loss, times its class's, divided by the first
            chunk's mean weight (:mod:`frnn.estimators.incremental`)

        Returns
        -------
        self
        """
        return incremental.partial_fit(self, X, y, classes, sample_weight=sample_weight)

    # -- prediction -----------------------------------------------------------------------
    @chunkwise
    def decision_function(self, X: ArrayLike | Series) -> np.ndarray:
        """Decision values: (n,) for binary targets (positive for ``classes_[1]``), else (n, K).

        reservoir: the read-out's z = V·features + c (binary: z_1 − z_0); bptt: the
        networks' averaged logits.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) / (T_i,) arrays, or a Series
            Series as ``fit`` takes them, with the D of the training series; or a
            ``dask.array.Array`` (n, T) / (n, T, D), mapped chunk by chunk into a dask
            array.

        Returns
        -------
        (n,) or (n, K) float array
            (n,) for two classes (positive for ``classes_[1]``), else one column per class
            (or label) of ``classes_``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        ValueError
            X is not series the model can read (another D, NaN, an empty series).
        """
        z, _ = self._outputs(X)  # (n, K)
        if z.shape[1] == 1 and self.classes_.size == 2:  # the networks' one sigmoid output
            return z[:, 0]
        if hasattr(self, "reservoir_") and self.classes_.size == 2:  # one output per class
            return z[:, 1] - z[:, 0]
        return z

    @chunkwise
    def predict_proba(self, X: ArrayLike | Series) -> np.ndarray:
        """Class probabilities (n, n_classes), rows summing to one; per-label for multi-label.

        reservoir: softmax(τ z), τ fitted to the leave-one-out decision values.  bptt:
        binary [1 − σ(z), σ(z)]; multi-class the per-class σ(z_k) normalised to sum 1.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) / (T_i,) arrays, or a Series
            As :meth:`decision_function` takes it (a dask array too).

        Returns
        -------
        (n, K) float array
            Column k the probability of ``classes_[k]`` (K = 2 for two classes); for
            multi-label targets σ(z_k) of each label, not normalised.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        ValueError
            X is not series the model can read.
        """
        return self._proba(self.decision_function(X))

    def _proba(self, z: np.ndarray) -> np.ndarray:
        """Probabilities from decision values z, (n,) or (n, K)."""
        reservoir = getattr(self, "reservoir_", None)
        return probabilities(
            z,
            multilabel=self.target_type_ == "multilabel-indicator",
            temperature=None if reservoir is None else reservoir.temperature_,
        )

    @chunkwise
    def predict(self, X: ArrayLike | Series) -> np.ndarray:
        """Predicted labels (n,), or a (n, K) 0/1 matrix for multi-label targets.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) / (T_i,) arrays, or a Series
            As :meth:`decision_function` takes it (a dask array too).

        Returns
        -------
        (n,) array of ``classes_``'s dtype, or (n, K) int array of 0/1
            The class of the largest decision value (two classes: ``classes_[1]`` where it
            is positive); multi-label: 1 where z_k > 0.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        ValueError
            X is not series the model can read.
        """
        z = self.decision_function(X)
        if z.ndim == 1:
            return self.classes_[(z > 0).astype(int)]
        if self.target_type_ == "multilabel-indicator":
            return (z > 0).astype(int)
        return self.classes_[z.argmax(axis=1)]

    def score(
        self, X: ArrayLike | Series, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> float:
        """Mean accuracy of ``predict(X)`` against y (scikit-learn's, with its types); for
        a dask array X the labels are predicted chunk by chunk and counted here.

        Parameters
        ----------
        X : (n, T) or (n, T, D) array, a list of n (T_i, D) / (T_i,) arrays, or a Series
            As :meth:`decision_function` takes it (a dask array too).
        y : (n,) labels, or (n, K) 0/1 indicators for multi-label targets
            The true classes (a dask array is brought to the client).
        sample_weight : (n,) array_like or None, default None
            Each series' weight in the mean; None weighs them alike.

        Returns
        -------
        float
            The weighted share of series predicted right (multi-label: every label right).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The estimator is not fitted.
        ValueError
            X is not series the model can read, or y (or ``sample_weight``) does not hold
            n values.
        """
        if is_dask(X):
            from ..estimators.chunked import local

            predicted, y, sample_weight = (local(v) for v in (self.predict(X), y, sample_weight))
            self._check_labels(y)
        else:
            check_is_fitted(self)
            self._check_labels(y)  # before predicting: a mistake named at once
            predicted = self.predict(X)
        _check_lengths(y, sample_weight, len(predicted))
        return float(accuracy_score(y, predicted, sample_weight=sample_weight))

    def _check_labels(self, y) -> None:
        """y's labels that the model was not fitted on named (:func:`.targets.check_scored`)."""
        if self.target_type_ != "multilabel-indicator":
            check_scored(self.classes_, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = self.training == "bptt"
        return tags
