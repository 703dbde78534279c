"""``RNNClassifier``: the fully recurrent network as a scikit-learn classifier.

    a(t) = tanh(W x(t) + R a(t−1)),   z = V a(T),   P(class k) = σ(z_k)

x(t) is a frame of ``frame_size`` consecutive samples (see ``sequences``).  Binary
targets use one sigmoid output, multi-class ones one sigmoid per class on one-hot
targets (predicting the argmax), multi-label 0/1 matrices one sigmoid per label.
"""

from __future__ import annotations

import math
import types

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..data.series import Series
from ..engine.losses import sigmoid
from ..engine.network import forward
from ..training.loop import Member, Settings, Trainer
from ..training.steps import make_optimizer
from . import sequences as seq
from . import targets
from .params import check_params, expected_failed_checks

__all__ = ["RNNClassifier", "expected_failed_checks"]

_STEPS = 10  # frame_size=None aims at about this many network steps


# What forward and backward leave on a network: states of the data it last saw.
_PER_CALL = ("a", "z", "da", "_frnn_cache", "deer_info", "deer_iterations")


def _detached(net) -> types.SimpleNamespace:
    """A new namespace sharing ``net``'s weights and settings, without its per-call states.

    Prediction runs on one, so threads never share states and nothing of the predicted
    data stays on the estimator (or in its pickle).
    """
    return types.SimpleNamespace(**{k: v for k, v in vars(net).items() if k not in _PER_CALL})


_MAX_PARAMETER_BYTES = 2**34  # 16 GiB: weights, gradients and optimizer moments together


def _check_memory(I: int, D: int, K: int, n_ensemble: int, itemsize: int) -> None:
    """Refuse, before any allocation or loop, sizes whose parameters cannot fit in memory."""
    need = 4 * n_ensemble * (I * D + I * I + K * I) * itemsize  # W, R, V; grads; 2 moments
    if need > _MAX_PARAMETER_BYTES:
        raise ValueError(
            f"hidden_size={I} and n_ensemble={n_ensemble} need about {need / 2**30:,.0f} GiB "
            f"for the networks' parameters alone (at most {_MAX_PARAMETER_BYTES / 2**30:.0f} "
            "GiB); choose smaller ones"
        )


class RNNClassifier(ClassifierMixin, BaseEstimator):
    """A fully recurrent network classifier for sequences and time series.

    Parameters
    ----------
    hidden_size : int ≥ 1, I, the number of hidden units
    activation : {"tanh", "relu", "linear", "hardtanh"}
    optimizer : {"adam", "sgd"}
    learning_rate : float > 0, the initial learning rate
    momentum : float in [0, 1), SGD's momentum (ignored by Adam)
    schedule : {"cosine", "constant"}, the learning rate over the epochs
    epochs : int ≥ 1, the most epochs to train
    batch_size : int ≥ 1 (capped at the number of training series)
    clip : float > 0 or None, the global gradient-norm threshold (None: no clipping)
    chunk_length : int ≥ 1 or None, truncated BPTT every this many network steps (frames,
        not samples); None: full BPTT
    frame_size : int ≥ 1 or None, samples per network step; None picks ⌈T / 10⌉ for
        training series of length T (about 10 steps)
    init_scale : float > 0 or None, W, R, V uniform in ±init_scale; None: ±1/√I, as
        torch's nn.RNN(D, I) and nn.Linear(I, K) draw them
    aux_weight : float ≥ 0, weight of an auxiliary loss asking for the class at every
        step (scaled by 1 / mean length); 0 turns it off
    n_ensemble : int ≥ 1, networks trained from different seeds; their logits are averaged
    weight_decay : float ≥ 0, L2 penalty added to the gradients as weight_decay · θ
    validation_fraction : float in [0, 1), held out for early stopping (0: none)
    patience : int ≥ 1, epochs without a better validation loss before stopping
    standardize : bool, standardise each input feature with the training mean and std
    dtype : {"float64", "float32"}
    random_state : None, int or numpy.random.RandomState

    Attributes
    ----------
    classes_ : (n_classes,) the class labels (label indices 0..K−1 for multi-label y)
    n_features_in_ : int, T for 2-D X (n, T); D for (n, T, D) arrays or lists of sequences
    loss_curve_ : list of float, the training loss of every epoch
    n_iter_ : int, epochs run
    history_ : dict of lists: loss, accuracy, grad_norm, val_loss, val_accuracy, seconds
    networks_ : list of models with W (I, f·D), R (I, I), V (K, I)
    frame_size_ : int, the frame size used
    """

    def __init__(
        self,
        hidden_size=32,
        activation="tanh",
        optimizer="adam",
        learning_rate=0.01,
        momentum=0.9,
        schedule="cosine",
        epochs=300,
        batch_size=32,
        clip=1.0,
        chunk_length=None,
        frame_size=None,
        init_scale=None,
        aux_weight=0.5,
        n_ensemble=5,
        weight_decay=0.0,
        validation_fraction=0.0,
        patience=20,
        standardize=True,
        dtype="float64",
        random_state=None,
    ):
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
        self.aux_weight = aux_weight
        self.n_ensemble = n_ensemble
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.standardize = standardize
        self.dtype = dtype
        self.random_state = random_state

    # -- fitting --------------------------------------------------------------------------
    def fit(self, X, y, *, callback=None, resume_state=None):
        """Train on series X and targets y.

        Parameters
        ----------
        X : (n, T), (n, T, D), a list of n arrays (T_i, D) / (T_i,), or a
            :class:`frnn.data.series.Series` (padded, with its lengths)
        y : (n,) class labels, or (n, K) 0/1 multi-label indicators
        callback : callable(info) -> bool or None, called after every epoch with a dict
            holding "epoch", "loss", "accuracy", "grad_norm", "val_loss", "val_accuracy"
            (None without validation), "seconds" and "state" (a function returning the
            complete training state); returning True stops training, leaving the
            estimator fitted with its current parameters
        resume_state : a state from ``info["state"]()`` (or ``frnn.io.load_state``) of a
            run with the same data and parameters, from which to continue; the result is
            bit-identical to the run that was never interrupted

        Data refused before training starts (one class, NaN, a bad parameter) leaves a
        previous fit untouched; an error during training leaves this fit's last finite
        parameters.

        Returns
        -------
        self
        """
        before = dict(self.__dict__)  # a re-fit refused before training leaves the old fit
        try:
            check_params(self)
            x, lengths = self._inputs(X, reset=True)
            Y = self._targets(y, x.shape[0])
            data, val, root = self._split(x, lengths, Y)
            trainer = self._trainer(data, Y.shape[1], root)
            if resume_state is not None:
                trainer.load_state(resume_state)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        self.__dict__.pop("stopped_by_", None)
        try:  # from here on every attribute belongs to this fit, even when training fails
            self.stopped_by_ = trainer.run(data, val, callback)
        finally:
            self.networks_ = [_detached(member.model) for member in trainer.members]
            self.history_ = trainer.history
            self.loss_curve_ = list(trainer.history["loss"])
            self.n_iter_ = trainer.epoch
        return self

    def _inputs(self, X, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        """Validated, standardised, framed inputs: (n, T', f·D) and lengths (n,)."""
        if reset:
            for attr in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(attr, None)
        ragged = isinstance(X, Series) or (isinstance(X, list | tuple) and seq._ragged(X))
        two_d = not ragged and (X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim) == 2
        if two_d and (reset or self.tabular_):
            # (n, T) arrays are tables to scikit-learn: its checks, feature names and counts
            X = validate_data(self, X, reset=reset, dtype=np.float64)
        x, lengths, tabular = seq.as_sequences(X)
        if reset:
            self.tabular_ = tabular
            if not tabular:
                self.n_features_in_ = x.shape[2]
            self.mean_, self.std_ = seq.standardisation(x, lengths)
            if not self.standardize:
                self.mean_, self.std_ = np.zeros_like(self.mean_), np.ones_like(self.std_)
            T = int(lengths.max())
            self.frame_size_ = self.frame_size or max(1, math.ceil(T / _STEPS))
        elif not self.tabular_ and x.shape[2] != self.n_features_in_:
            raise ValueError(
                f"X has {x.shape[2]} features per step, but RNNClassifier is "
                f"expecting {self.n_features_in_} features as input"
            )
        x = seq.standardise(x, lengths, self.mean_, self.std_)
        x, lengths = seq.frame(x, lengths, self.frame_size_)
        return x.astype(self.dtype), lengths

    def _targets(self, y, n: int) -> np.ndarray:
        """y as (n, K) floats in {0, 1}; sets classes_ and the kind of target."""
        self.classes_, self.target_type_, Y = targets.fit_targets(y, n, self.dtype)
        return Y

    def _split(self, x, lengths, Y):
        """Training and validation Series, and the run's root SeedSequence."""
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        root = np.random.SeedSequence(seed)
        n = x.shape[0]
        n_val = int(round(self.validation_fraction * n))
        if self.validation_fraction and not 1 <= n_val < n:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no "
                f"validation or no training series out of {n}"
            )
        order = np.random.default_rng(root.spawn(1)[0]).permutation(n)
        train, held = order[n_val:], order[:n_val]
        data = Series(x[train], Y[train], lengths[train])
        val = Series(x[held], Y[held], lengths[held]) if n_val else None
        return data, val, root

    def _trainer(self, data: Series, K: int, root) -> Trainer:
        n, _, D = data.X.shape
        _check_memory(self.hidden_size, D, K, self.n_ensemble, np.dtype(self.dtype).itemsize)
        members = []
        for child in root.spawn(1 + self.n_ensemble)[1:]:
            rng = np.random.default_rng(child)
            model = self._network(D, K, rng)
            optimizer = make_optimizer(
                self.optimizer,
                self.learning_rate,
                momentum=self.momentum,
                weight_decay=self.weight_decay,
            )
            members.append(Member(model=model, optimizer=optimizer, rng=rng))
        settings = Settings(
            learning_rate=self.learning_rate,
            schedule=self.schedule,
            epochs=self.epochs,
            batch_size=min(self.batch_size, n),
            clip=self.clip,
            chunk_length=self.chunk_length,
            aux_weight=self.aux_weight / float(np.mean(data.lengths)),  # per step: ~ the last's
            patience=self.patience,
            accuracy=self._accuracy,
        )
        return Trainer(members, settings)

    def _network(self, D: int, K: int, rng) -> types.SimpleNamespace:
        """A network with the estimator's initialisation, drawn from ``rng``."""
        I = self.hidden_size
        scale = self.init_scale or 1.0 / math.sqrt(I)
        net = types.SimpleNamespace(activation=self.activation, loss="bce")
        for name, shape in (("W", (I, D)), ("R", (I, I)), ("V", (K, I))):
            setattr(net, name, rng.uniform(-scale, scale, size=shape).astype(self.dtype))
        return net

    def _accuracy(self, z: np.ndarray, y: np.ndarray) -> float:
        """Accuracy of logits z (n, K) against 0/1 targets y (n, K)."""
        return targets.accuracy(z, y, self.target_type_ == "multilabel-indicator")

    def _to_arrays(self) -> tuple[dict, dict]:
        """The arrays and metadata of this fitted classifier's model file (``frnn.save``)."""
        from .persist import to_arrays

        return to_arrays(self)

    # -- prediction -----------------------------------------------------------------------
    def decision_function(self, X) -> np.ndarray:
        """The networks' averaged logits: (n,) for binary targets, (n, K) otherwise."""
        check_is_fitted(self, "networks_")
        x, lengths = self._inputs(X, reset=False)
        z = np.mean([self._logits(net, x, lengths) for net in self.networks_], axis=0)
        return z[:, 0] if z.shape[1] == 1 and self.classes_.size == 2 else z

    @staticmethod
    def _logits(net, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        local = _detached(net)  # forward writes its states here, not into the shared net
        forward(local, x, None, lengths=lengths)
        return np.asarray(local.z, dtype=np.float64).reshape(x.shape[0], -1)  # (n, K)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n, n_classes); per-label probabilities for multi-label y.

        Binary: [1 − σ(z), σ(z)].  Multi-class: the per-class σ(z_k) normalised to sum 1.
        """
        z = self.decision_function(X)
        if z.ndim == 1:
            p = sigmoid(z)
            return np.column_stack([1.0 - p, p])
        if self.target_type_ == "multilabel-indicator":
            return sigmoid(z)
        log_p = -np.logaddexp(0.0, -z)  # log σ(z), (n, K): no underflow to 0/0 below
        p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Predicted labels (n,), or a (n, K) 0/1 matrix for multi-label targets."""
        z = self.decision_function(X)
        if z.ndim == 1:
            return self.classes_[(z > 0).astype(int)]
        if self.target_type_ == "multilabel-indicator":
            return (z > 0).astype(int)
        return self.classes_[z.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.non_deterministic = False
        return tags
