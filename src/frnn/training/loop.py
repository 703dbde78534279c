"""The epoch loop behind ``RNNClassifier.fit``: checkpointable, resumable, early stopping.

Several networks (an ensemble of ``members``) train in lock-step, one epoch each per
epoch, each with its own optimiser and its own shuffling generator.  After every epoch
the complete training state can be captured (:meth:`Trainer.state`, see ``state``) and a
later run resumed from it ends with bit-identical parameters.

The history records, per epoch, the training objective (``loss``: with the auxiliary
term and the class weights, what the gradients follow) and, comparable with each other,
the main loss alone — without the auxiliary term and the class weights — on the training
series (``train_loss``: the mean over the epoch's mini-batches, as ``accuracy``), on the
validation series and on optional monitored series (``test_*``: scored only, never used
for early stopping or for the parameters kept).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..data.series import Series
from ..engine.batch import parameter_names
from ..engine.losses import LOSSES
from ..engine.network import forward_cached, release
from .optimizers import SGD, Adam
from .state import STATE_VERSION, capture, restore
from .steps import (
    NonFiniteLossError,
    _clip_grad_norm,
    _sequence_gradients,
    learning_rate_at,
    minibatches,
)

__all__ = ["HISTORY_KEYS", "RMSE_KEYS", "STATE_VERSION", "Member", "Settings", "Trainer"]

HISTORY_KEYS = (
    "loss",
    "accuracy",
    "grad_norm",
    "train_loss",
    "val_loss",
    "val_accuracy",
    "test_loss",
    "test_accuracy",
    "seconds",
)
RMSE_KEYS = ("train_rmse", "val_rmse", "test_rmse")  # a regressor's, in its targets' units


@dataclass(kw_only=True)
class Member:
    """One network of the ensemble, with the optimiser and the generator that train it."""

    model: object  # W (I, D), R (I, I), V (K, I), optionally b (I,), c (K,); activation, loss
    optimizer: SGD | Adam
    rng: np.random.Generator  # shuffles this member's mini-batches


@dataclass(kw_only=True)
class Settings:
    """What the loop needs from the estimator's hyper-parameters."""

    learning_rate: float
    schedule: str
    epochs: int
    batch_size: int
    clip: float | None
    chunk_length: int | None
    aux_weight: float
    patience: int
    accuracy: Callable[[np.ndarray, np.ndarray], float]  # (z (n, K), y (n, K)) -> accuracy
    # (n_classes,) weight of each class's series in the loss, or None: all weigh 1
    class_weights: np.ndarray | None = None
    # (K,) a regressor's target scale: the history then holds RMSEs in the targets' units
    target_scale: np.ndarray | None = None


def series_weights(y: np.ndarray, class_weights: np.ndarray | None) -> np.ndarray | None:
    """Each series' weight (B,) from its targets y (B, K) and the class weights (n_classes,).

    Two classes have one output (y = 1 for the second class); more classes are one-hot.
    """
    if class_weights is None:
        return None
    if y.shape[1] == 1:  # (B, 1): 1 for classes[1], 0 for classes[0]
        return np.where(y[:, 0] > 0.5, class_weights[1], class_weights[0])
    return y @ class_weights  # (B,): one-hot rows pick their class's weight


class Trainer:
    """Trains ``members``, each a model with its optimiser and its shuffling generator."""

    def __init__(self, members: list[Member], settings: Settings):
        self.members = members
        self.settings = settings
        self.epoch = 0
        keys = HISTORY_KEYS + (RMSE_KEYS if settings.target_scale is not None else ())
        self.history: dict[str, list] = {key: [] for key in keys}
        self.best: dict = {"loss": None, "epoch": 0, "params": None}
        self.wait = 0

    # -- the loop ---------------------------------------------------------------------
    def run(
        self, train: Series, val: Series | None, callback=None, monitor: Series | None = None
    ) -> str:
        """Train until ``epochs``, early stopping or ``callback`` says stop.

        ``monitor`` (e.g. a test split) is scored after every epoch into the history's
        ``test_*`` entries and nothing else: early stopping and the parameters kept depend
        on ``val`` only, and the parameters are bit-identical with or without it.

        Returns "epochs", "early_stopping" or "callback": why the loop ended.
        """
        if val is not None and self.wait >= self.settings.patience:
            self._restore_best()  # resumed from the very epoch that stopped early
            return "early_stopping"
        while self.epoch < self.settings.epochs:
            info = self._one_epoch(train, val, monitor)
            stop = self._early_stop(val is not None)
            if callback is not None and callback(info) is True:
                return "callback"
            if stop:
                self._restore_best()
                return "early_stopping"
        if val is not None:
            self._restore_best()
        return "epochs"

    def _one_epoch(self, train: Series, val: Series | None, monitor: Series | None) -> dict:
        started = time.perf_counter()
        lr = learning_rate_at(
            self.settings.learning_rate, self.epoch, self.settings.epochs, self.settings.schedule
        )
        good = self._snapshot()
        sums = np.zeros(5)  # objective, accuracy, grad norm, main loss, squared error
        with np.errstate(over="ignore", invalid="ignore"):
            for m, member in enumerate(self.members):
                member.optimizer.lr = lr
                try:
                    sums += self._member_epoch(member, train)
                except NonFiniteLossError as error:
                    self._fail(good, f"network {m}: {error}")
                model = member.model
                if not all(np.isfinite(getattr(model, n)).all() for n in parameter_names(model)):
                    self._fail(good, f"network {m}: its weights overflowed")
            scores = {"val": val, "test": monitor}
            scores = {k: self.evaluate(v) if v is not None else {} for k, v in scores.items()}
        val_loss = scores["val"].get("loss")
        if val_loss is not None and not math.isfinite(val_loss):
            self._fail(good, f"validation loss {val_loss}")
        self.epoch += 1
        loss, accuracy, grad_norm, main, squared = (float(v) for v in sums / len(self.members))
        record = {"loss": loss, "accuracy": accuracy, "grad_norm": grad_norm, "train_loss": main}
        if self.settings.target_scale is not None:
            record["train_rmse"] = math.sqrt(squared)
        for split, values in scores.items():
            record.update({f"{split}_{key}": value for key, value in values.items()})
        record["seconds"] = time.perf_counter() - started
        for key, values in self.history.items():
            values.append(record.get(key))
        return {
            "epoch": self.epoch,
            **{k: v[-1] for k, v in self.history.items()},
            "state": self.state,
        }

    def _fail(self, good: list[dict[str, np.ndarray]], detail: str):
        """Put the last good parameters back and stop with a clear error."""
        self._load_weights(good)
        raise NonFiniteLossError(
            f"the training loss became non-finite in epoch {self.epoch + 1} ({detail}); the "
            f"parameters are restored to the end of epoch {self.epoch}. Lower learning_rate "
            f"or set clip."
        )

    def _member_epoch(self, member: Member, train: Series) -> np.ndarray:
        """One pass over the training data; returns the means over its series of [the
        objective, accuracy, the main loss, squared error], and the mean grad norm (in the
        order of ``_one_epoch``'s sums)."""
        n = train.X.shape[0]
        sums = np.zeros(4)  # objective, correct, main loss, squared error; × batch size
        norm_sum = 0.0
        batches = 0
        model = member.model
        weights = {name: getattr(model, name) for name in parameter_names(model)}
        # without the auxiliary term and the class weights the objective is the main loss
        objective_is_main = not self.settings.aux_weight and self.settings.class_weights is None
        for index in minibatches(n, self.settings.batch_size, member.rng):
            x, y, lengths = train.take(index)
            loss, grads, z, _ = _sequence_gradients(
                model,
                x,
                y,
                lengths,
                chunk_length=self.settings.chunk_length,
                aux_weight=self.settings.aux_weight,
                series_weight=series_weights(y, self.settings.class_weights),
            )
            norm = _clip_grad_norm(grads, self.settings.clip)
            if not (math.isfinite(loss) and math.isfinite(norm)):
                raise NonFiniteLossError(f"loss {loss}, gradient norm {norm}")
            # the main loss and error of the logits before this step, as the objective's
            main = loss if objective_is_main or y.ndim == 3 else self._main_loss(model, z, y)
            squared = self._squared_error(z, y, lengths)
            member.optimizer._step(weights, grads)  # the arrays were checked at the boundary
            sums += np.array([loss, self.settings.accuracy(z, y), main, squared]) * index.size
            norm_sum += norm
            batches += 1
        objective, accuracy, main, squared = sums / n
        return np.array([objective, accuracy, norm_sum / batches, main, squared])

    @staticmethod
    def _main_loss(model, z: np.ndarray, y: np.ndarray) -> float:
        """Σ_k L(z_k, y_k) averaged over the batch: logits z and targets y (B, K)."""
        loss = LOSSES[getattr(model, "loss", "bce")][0]  # elementwise, unchecked
        return float(loss(z, y).sum(axis=1).mean())

    def _squared_error(self, z: np.ndarray, y: np.ndarray, lengths: np.ndarray) -> float:
        """A regressor's mean squared error in its targets' units (0 for a classifier).

        z and y are (B, K), or (B, T, K) per step, whose real steps alone count.
        """
        scale = self.settings.target_scale
        if scale is None:
            return 0.0
        error = np.asarray(z, dtype=np.float64) - y[:, : z.shape[1]] if z.ndim == 3 else z - y
        if error.ndim == 3:
            error = error[np.arange(error.shape[1])[None, :] < lengths[:, None]]  # (N, K)
        return float(np.mean((error * scale) ** 2))

    def evaluate(self, data: Series) -> dict[str, float]:
        """On ``data``: "loss", the members' mean loss (without the auxiliary term and the
        class weights), "accuracy" of their averaged logits, and for a regressor "rmse" of
        those in the targets' units."""
        logits, losses = [], []
        for member in self.members:
            loss, cache = forward_cached(member.model, data.X, data.y, lengths=data.lengths)
            Z = cache.Z if cache.Z.ndim == 2 else cache.Z.transpose(1, 0, 2)  # (n, K) | (n, T, K)
            losses.append(loss)
            logits.append(Z.reshape(data.y.shape))
            release(member.model)  # states of all the scored data: none kept until next epoch
        z = np.mean(logits, axis=0)  # (n, K) or (n, T, K)
        scores = {
            "loss": float(np.mean(losses)),
            "accuracy": float(self.settings.accuracy(z, data.y)),
        }
        if self.settings.target_scale is not None:
            scores["rmse"] = math.sqrt(self._squared_error(z, data.y, data.lengths))
        return scores

    # -- early stopping -----------------------------------------------------------------
    def _early_stop(self, has_val: bool) -> bool:
        if not has_val:
            return False
        loss = self.history["val_loss"][-1]
        if self.best["loss"] is None or loss < self.best["loss"]:
            self.best = {"loss": loss, "epoch": self.epoch, "params": self._snapshot()}
            self.wait = 0
            return False
        self.wait += 1
        return self.wait >= self.settings.patience

    def _restore_best(self) -> None:
        if self.best["params"] is not None:
            self._load_weights(self.best["params"])

    # -- state -----------------------------------------------------------------------
    def _snapshot(self) -> list[dict[str, np.ndarray]]:
        return [
            {name: getattr(member.model, name).copy() for name in parameter_names(member.model)}
            for member in self.members
        ]

    def _load_weights(self, weights: list[dict[str, np.ndarray]]) -> None:
        for member, saved in zip(self.members, weights, strict=True):
            for name in parameter_names(member.model):
                getattr(member.model, name)[...] = saved[name]  # in place: optimisers hold these

    def state(self) -> dict:
        """The complete training state (see :func:`frnn.training.state.capture`)."""
        return capture(self)

    def load_state(self, state: dict) -> None:
        """Continue from what :meth:`state` returned; ValueError for a damaged state."""
        restore(self, state)
