"""The loop behind the estimators' BPTT ``fit``: checkpointable, resumable, early stopping.

Several networks (an ensemble of ``members``) train in lock-step, each with its own
optimiser and its own generator, over a budget of either

- ``steps`` (``epochs=None``, the default): each optimiser step takes ``batch_size``
  distinct series drawn at random from the training series (the memory recipe's
  batches, as :func:`frnn.training.array_batches` draws them) at the rate
  ``learning_rate`` × :class:`~frnn.training.Schedule` (a linear warm-up over the
  fraction ``warmup`` of the steps, then ``schedule``'s decay), in rounds of
  ``round_steps`` (about one pass over the training series); or
- ``epochs``: passes over the shuffled training series, the rate set per epoch by
  :func:`~frnn.training.steps.learning_rate_at`.

A round or an epoch is the loop's unit (``epoch`` counts them): after each the history
gets a row, the validation set is scored, the callback is called, and the complete
training state can be captured (:meth:`Trainer.state`, see ``state``); a later run
resumed from it ends with bit-identical parameters.

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

import numpy as np

from ..data.inputs import binary_unit
from ..data.series import Series
from ..engine.batch import parameter_names
from ..engine.losses import LOSSES
from ..engine.network import forward_cached, release
from .settings import HISTORY_KEYS, RMSE_KEYS, Member, Settings, series_weights
from .state import capture, restore
from .steps import (
    NonFiniteLossError,
    _clip_factor,
    _sequence_gradients,
    learning_rate_at,
    minibatches,
    remedy,
)
from .stream_batches import StreamError

__all__ = ["Trainer"]


class Trainer:
    """Trains ``members``, each a model with its optimiser and its shuffling generator."""

    def __init__(self, members: list[Member], settings: Settings):
        self.members = members
        self.settings = settings
        self.epoch = 0
        keys = HISTORY_KEYS + (RMSE_KEYS if settings.target_scale is not None else ())
        self.history: dict[str, list] = {key: [] for key in keys}
        # a regressor's squared errors are taken in units of a power of two near its
        # largest target scale (exact), so that neither 1e-300² nor 1e200² leaves the floats
        scale = settings.target_scale
        self.unit = float(binary_unit(np.max(scale))) if scale is not None else 1.0
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

        Returns "epochs" or "steps" (the budget spent), "early_stopping" or "callback":
        why the loop ended.
        """
        if val is not None and self.wait >= self.settings.patience:
            self._restore_best()  # resumed from the very epoch that stopped early
            return "early_stopping"
        while self.epoch < self.settings.rounds:
            info = self._one_epoch(train, val, monitor)
            stop = self._early_stop(val is not None)
            if callback is not None and callback(info) is True:
                return "callback"
            if stop:
                self._restore_best()
                return "early_stopping"
        if val is not None:
            self._restore_best()
        return "epochs" if self.settings.epochs is not None else "steps"

    def _one_epoch(self, train: Series, val: Series | None, monitor: Series | None) -> dict:
        started = time.perf_counter()
        good = self._round_start()
        try:
            sums, scores = self._train_round(good, train, val, monitor)
        except KeyboardInterrupt:  # Ctrl-C mid-round: the networks of the last whole round
            self._back_to(good)
            raise
        val_loss = scores["val"].get("loss")
        if val_loss is not None and not math.isfinite(val_loss):
            self._fail(good, f"validation loss {val_loss}")
        self.epoch += 1
        loss, accuracy, grad_norm, main, squared = (float(v) for v in sums / len(self.members))
        record = {"loss": loss, "accuracy": accuracy, "grad_norm": grad_norm, "train_loss": main}
        if self.settings.target_scale is not None:
            record["train_rmse"] = math.sqrt(squared) * self.unit
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

    def _train_round(self, good: dict, train, val, monitor) -> tuple[np.ndarray, dict]:
        """Every member's epoch or round, then the scores: (the sums of ``_one_epoch``,
        {"val": scores or {}, "test": scores or {}})."""
        sums = np.zeros(5)  # objective, accuracy, grad norm, main loss, squared error
        with np.errstate(over="ignore", invalid="ignore"):
            for m, member in enumerate(self.members):
                try:
                    sums += self._member_epoch(member, train)
                except NonFiniteLossError as error:
                    self._fail(good, f"network {m}: {error}")
                except StreamError:  # a bad batch of a stream: this round's start kept
                    self._back_to(good)
                    raise
                model = member.model
                if not all(np.isfinite(getattr(model, n)).all() for n in parameter_names(model)):
                    self._fail(good, f"network {m}: its weights overflowed")
            scores = {"val": val, "test": monitor}
            scores = {k: self.evaluate(v) if v is not None else {} for k, v in scores.items()}
        return sums, scores

    def _round_start(self) -> dict:
        """What a round changes, copied at its start: every member's parameters, optimiser
        state and generator state (once a round, not a step: a few copies of the weights)."""
        return {
            "params": self._snapshot(),
            "optimizers": [member.optimizer.state_dict() for member in self.members],
            "rngs": [member.rng.bit_generator.state for member in self.members],
        }

    def _back_to(self, start: dict) -> None:
        """Every member as :meth:`_round_start` found it: parameters (in place), optimiser
        and generator consistent with them, so the trainer's state is the last whole
        round's (a resume from it is bit-identical) however the round was cut short."""
        self._load_weights(start["params"])
        for member, optimizer, rng in zip(
            self.members, start["optimizers"], start["rngs"], strict=True
        ):
            member.optimizer.load_state_dict(optimizer)
            member.rng.bit_generator.state = rng

    def _fail(self, good: dict, detail: str):
        """Put the last good parameters back and stop with a clear error."""
        self._back_to(good)
        raise NonFiniteLossError(
            f"the training loss became non-finite in epoch {self.epoch + 1} ({detail}); the "
            f"parameters are restored to the end of epoch {self.epoch}. "
            + remedy(self.settings.clip)
        )

    def _member_epoch(self, member: Member, train) -> np.ndarray:
        """One epoch (a pass over the training data) or round; returns the means over the
        series it saw of [the objective, accuracy, the main loss, squared error], and the
        mean grad norm (in the order of ``_one_epoch``'s sums)."""
        # objective, correct, main loss, squared error, each × batch size; Python floats
        # (the same sums as a numpy array's, without an array a step)
        loss_sum = correct = main_sum = squared_sum = norm_sum = 0.0
        batches = seen = 0  # a round's batches may repeat series: the mean is per series seen
        model = member.model
        weights = {name: getattr(model, name) for name in parameter_names(model)}
        # without the auxiliary term and the weights the objective is the main loss
        objective_is_main = (
            not self.settings.aux_weight
            and self.settings.class_weights is None
            and getattr(train, "weights", None) is None
        )
        for (x, y, lengths), lr, w in self._batches(member.rng, train):
            member.optimizer.lr = lr
            loss, grads, z, _ = _sequence_gradients(
                model,
                x,
                y,
                lengths,
                chunk_length=self.settings.chunk_length,
                aux_weight=self.settings.aux_weight,
                series_weight=series_weights(y, self.settings.class_weights, w),
            )
            norm, factor = _clip_factor(grads, self.settings.clip)  # applied by the step
            if not (math.isfinite(loss) and math.isfinite(norm)):
                raise NonFiniteLossError(f"loss {loss}, gradient norm {norm}")
            # the main loss and error of the logits before this step, as the objective's
            main = loss if objective_is_main or y.ndim == 3 else self._main_loss(model, z, y)
            squared = self._squared_error(z, y, lengths)
            member.optimizer._step(weights, grads, factor)  # arrays checked at the boundary
            B = x.shape[0]
            loss_sum += loss * B
            correct += self.settings.accuracy(z, y) * B
            main_sum += main * B
            squared_sum += squared * B
            norm_sum += norm
            batches += 1
            seen += x.shape[0]
        means = [loss_sum / seen, correct / seen, norm_sum / batches, main_sum / seen]
        return np.array([*means, squared_sum / seen])

    def _batches(self, rng: np.random.Generator, train):
        """((x, y, lengths), learning rate, weights (B,) or None) of each optimiser step
        of this epoch or round.

        ``train`` is a Series (its ``weights`` the series' sample weights, or None), or a
        stream: a function of the member's generator returning a batch (x (B, T', D),
        y (B, K), lengths (B,)) ready for the networks.
        """
        s = self.settings
        if s.epochs is not None:  # a pass over the shuffled series, one rate
            lr = learning_rate_at(s.learning_rate, self.epoch, s.epochs, s.schedule)
            for index in minibatches(train.X.shape[0], s.batch_size, rng):
                yield train.take(index), lr, _taken(train.weights, index)
            return
        schedule, first = s.step_schedule, self.epoch * s.round_steps
        for step in range(first, min(first + s.round_steps, s.steps)):
            lr = s.learning_rate * schedule.factor(step)
            if not isinstance(train, Series):
                yield train(rng), lr, None
                continue
            # distinct series, drawn as frnn.training.array_batches draws them
            index = rng.choice(train.X.shape[0], s.batch_size, replace=False)
            yield train.take(index), lr, _taken(train.weights, index)

    @staticmethod
    def _main_loss(model, z: np.ndarray, y: np.ndarray) -> float:
        """Σ_k L(z_k, y_k) averaged over the batch: logits z and targets y (B, K)."""
        loss = LOSSES[getattr(model, "loss", "bce")][0]  # elementwise, unchecked
        return float(loss(z, y).sum(axis=1).mean())

    def _squared_error(self, z: np.ndarray, y: np.ndarray, lengths: np.ndarray) -> float:
        """A regressor's mean squared error in its targets' units, over ``unit``² (0 for a
        classifier).

        z and y are (B, K), or (B, T, K) per step, whose real steps alone count.
        """
        scale = self.settings.target_scale
        if scale is None:
            return 0.0
        error = np.asarray(z, dtype=np.float64) - y[:, : z.shape[1]] if z.ndim == 3 else z - y
        if error.ndim == 3:
            error = error[np.arange(error.shape[1])[None, :] < lengths[:, None]]  # (N, K)
        return float(np.mean((error * (scale / self.unit)) ** 2))

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
            scores["rmse"] = math.sqrt(self._squared_error(z, data.y, data.lengths)) * self.unit
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


def _taken(weights: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    """The weights (B,) of a batch's series ``index`` (B,), or None for None."""
    return None if weights is None else weights[index]
