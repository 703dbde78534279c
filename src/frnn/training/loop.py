"""The epoch loop behind ``RNNClassifier.fit``: checkpointable, resumable, early stopping.

Several networks (an ensemble of ``members``) train in lock-step, one epoch each per
epoch, each with its own optimiser and its own shuffling generator.  After every epoch
the complete training state can be captured (:meth:`Trainer.state`) and a later run
resumed from it ends with bit-identical parameters: everything a run depends on —
parameters, optimiser moments, generator states, the epoch counter, the early-stopping
memory — is in the state.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..data.series import Series
from ..engine.batch import parameter_names
from ..engine.network import forward_trusted
from .optimizers import SGD, Adam
from .steps import (
    NonFiniteLossError,
    _sequence_gradients,
    clip_grad_norm,
    learning_rate_at,
    minibatches,
)

STATE_VERSION = 1
HISTORY_KEYS = ("loss", "accuracy", "grad_norm", "val_loss", "val_accuracy", "seconds")
# A member's parameters, stored under "params" in training states (the file format): W, R,
# V and, for a network with biases, b and c (engine.batch.parameter_names).


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
        self.history: dict[str, list] = {key: [] for key in HISTORY_KEYS}
        self.best: dict = {"loss": None, "epoch": 0, "params": None}
        self.wait = 0

    # -- the loop ---------------------------------------------------------------------
    def run(self, train: Series, val: Series | None, callback=None) -> str:
        """Train until ``epochs``, early stopping or ``callback`` says stop.

        Returns "epochs", "early_stopping" or "callback": why the loop ended.
        """
        if val is not None and self.wait >= self.settings.patience:
            self._restore_best()  # resumed from the very epoch that stopped early
            return "early_stopping"
        while self.epoch < self.settings.epochs:
            info = self._one_epoch(train, val)
            stop = self._early_stop(val is not None)
            if callback is not None and callback(info) is True:
                return "callback"
            if stop:
                self._restore_best()
                return "early_stopping"
        if val is not None:
            self._restore_best()
        return "epochs"

    def _one_epoch(self, train: Series, val: Series | None) -> dict:
        started = time.perf_counter()
        lr = learning_rate_at(
            self.settings.learning_rate, self.epoch, self.settings.epochs, self.settings.schedule
        )
        good = self._snapshot()
        sums = np.zeros(3)  # loss, accuracy, grad norm; summed over members
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
            val_loss, val_accuracy = self.evaluate(val) if val is not None else (None, None)
        if val_loss is not None and not math.isfinite(val_loss):
            self._fail(good, f"validation loss {val_loss}")
        self.epoch += 1
        loss, accuracy, grad_norm = (float(v) for v in sums / len(self.members))
        record = {
            "loss": loss,
            "accuracy": accuracy,
            "grad_norm": grad_norm,
            "val_loss": val_loss,
            "val_accuracy": val_accuracy,
            "seconds": time.perf_counter() - started,
        }
        for key in HISTORY_KEYS:
            self.history[key].append(record[key])
        return {"epoch": self.epoch, **record, "state": self.state}

    def _fail(self, good: list[dict[str, np.ndarray]], detail: str):
        """Put the last good parameters back and stop with a clear error."""
        self._load_weights(good)
        raise NonFiniteLossError(
            f"the training loss became non-finite in epoch {self.epoch + 1} ({detail}); the "
            f"parameters are restored to the end of epoch {self.epoch}. Lower learning_rate "
            f"or set clip."
        )

    def _member_epoch(self, member: Member, train: Series) -> np.ndarray:
        """One pass over the training data; returns [mean loss, accuracy, mean grad norm]."""
        n = train.X.shape[0]
        loss_sum = correct = norm_sum = 0.0
        batches = 0
        model = member.model
        weights = {name: getattr(model, name) for name in parameter_names(model)}
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
            norm = clip_grad_norm(grads, self.settings.clip)
            if not (math.isfinite(loss) and math.isfinite(norm)):
                raise NonFiniteLossError(f"loss {loss}, gradient norm {norm}")
            member.optimizer.step(weights, grads)
            loss_sum += loss * index.size
            correct += self.settings.accuracy(z, y) * index.size
            norm_sum += norm
            batches += 1
        return np.array([loss_sum / n, correct / n, norm_sum / batches])

    def evaluate(self, data: Series) -> tuple[float, float]:
        """Mean loss of the members and accuracy of their averaged logits on ``data``."""
        logits, losses = [], []
        for member in self.members:
            losses.append(forward_trusted(member.model, data.X, data.y, lengths=data.lengths))
            logits.append(member.model.z.reshape(data.y.shape))
        z = np.mean(logits, axis=0)  # (n, K)
        return float(np.mean(losses)), float(self.settings.accuracy(z, data.y))

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
        """The complete training state: nested dicts of numpy arrays and JSON-able values.

        {"version": 1, "epoch": epochs done,
         "members": [{"params": {"W", "R", "V"} (and "b", "c" with biases),
                      "optimizer": its state_dict(),
                      "rng": the shuffling generator's bit_generator.state}, ...],
         "history": {"loss": [...], "accuracy", "grad_norm", "val_loss", "val_accuracy",
                     "seconds"},
         "best": {"loss": best validation loss or None, "epoch", "params": [...] or None},
         "wait": epochs since the best validation loss}

        Every array is a copy: later training does not change a state already taken.
        """
        return {
            "version": STATE_VERSION,
            "epoch": self.epoch,
            "members": [
                {
                    "params": {
                        name: getattr(member.model, name).copy()
                        for name in parameter_names(member.model)
                    },
                    "optimizer": member.optimizer.state_dict(),
                    "rng": member.rng.bit_generator.state,
                }
                for member in self.members
            ],
            "history": {key: list(values) for key, values in self.history.items()},
            "best": {
                "loss": self.best["loss"],
                "epoch": self.best["epoch"],
                "params": self.best["params"],
            },
            "wait": self.wait,
        }

    def load_state(self, state: dict) -> None:
        """Continue from what :meth:`state` returned; ValueError for a damaged state."""
        try:
            self._load_state(state)
        except (KeyError, TypeError, IndexError, AttributeError) as error:
            raise ValueError(
                f"resume_state is damaged (a checkpoint missing a key or holding a wrong "
                f"type): {type(error).__name__}: {error}"
            ) from None

    def _load_state(self, state: dict) -> None:
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            found = state.get("version") if isinstance(state, dict) else type(state).__name__
            raise ValueError(
                f"resume_state must be a training state of version "
                f"{STATE_VERSION}; got version {found!r}"
            )
        if len(state["members"]) != len(self.members):
            raise ValueError(
                f"resume_state holds {len(state['members'])} networks; this "
                f"estimator trains {len(self.members)} (n_ensemble)"
            )
        for member, saved in zip(self.members, state["members"], strict=True):
            model = member.model
            names = parameter_names(model)
            if set(saved["params"]) != set(names):
                raise ValueError(
                    f"resume_state does not fit this estimator: its networks have parameters "
                    f"{sorted(saved['params'])}, this one has {sorted(names)} (bias)"
                )
            for name in names:
                array = np.asarray(saved["params"][name])
                if array.shape != getattr(model, name).shape:
                    raise ValueError(
                        f"resume_state does not fit this estimator and data: its {name} is "
                        f"{array.shape}, the network's is {getattr(model, name).shape}"
                    )
                setattr(model, name, np.array(array, dtype=model.W.dtype))
            member.optimizer.load_state_dict(saved["optimizer"])
            member.rng.bit_generator.state = saved["rng"]
        self.epoch = int(state["epoch"])
        self.history = {key: list(state["history"][key]) for key in HISTORY_KEYS}
        best = state["best"]
        params = best["params"]
        self.best = {
            "loss": best["loss"],
            "epoch": int(best["epoch"]),
            "params": None
            if params is None
            else [{name: np.array(array) for name, array in p.items()} for p in params],
        }
        self.wait = int(state["wait"])
