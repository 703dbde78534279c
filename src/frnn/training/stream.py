"""Training from a stream of fresh batches: a budget of steps, a fixed validation set.

Memory tasks are learnt from many series, each seen once (Le, Jaitly & Hinton 2015 drew
a fresh batch for every step), rather than from many passes over a few hundred.  Here a
network, or an ensemble of them trained side by side, takes one batch per optimiser step
from ``batches``:

- a function ``batches(rng) -> (x, y)`` called with the network's own generator (its
  state is in every checkpoint, so a resumed run draws the same batches), or
- an iterable of (x, y) (or (x, y, lengths)) batches, e.g. ``synthetic.stream(...)``;
  on resume it is skipped past the batches already used, so an iterator made again from
  the same seed resumes bit-identically.

Every ``eval_every`` steps (a round) the validation set is scored and the history gets a
row; the parameters with the best validation loss are kept and put back at the end.  The
state after each round is :mod:`frnn.training.state`'s, plus the stream's counters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .._validate import Interval
from ..engine.batch import parameter_names
from ..engine.network import release
from .schedules import Schedule
from .settings import Member
from .state import capture, restore
from .steps import NonFiniteLossError, _clip_factor, _sequence_gradients, remedy
from .stream_batches import StreamError, checked_batch, scores

__all__ = ["STREAM_KEYS", "StreamError", "StreamSettings", "StreamTrainer"]

# one row per round; the first six are what every training state records
STREAM_KEYS = (
    "loss",
    "accuracy",
    "grad_norm",
    "val_loss",
    "val_accuracy",
    "seconds",
    "val_mse",
    "steps",
    "series",
    "lr",
)

_STEPS = Interval("int", 1)
_PATIENCE = Interval("int", 1, none=True)
_CLIP = Interval("real", 0, closed="neither", none=True)


@dataclass(kw_only=True)
class StreamSettings:
    """The budget and the recipe of a stream run.

    Parameters
    ----------
    steps : int ≥ 1, optimiser steps of each network
    learning_rate : float, the base rate η (each optimiser's ``lr`` is set every step)
    schedule : Schedule or None, η's factor by step (None: constant)
    clip : float > 0 or None, the global gradient-norm threshold
    eval_every : int ≥ 1, steps per round (the validation set is scored after each)
    patience : int ≥ 1 or None, rounds without a better validation loss before stopping
        (None: the whole budget)

    Raises
    ------
    ValueError
        A setting is out of range, named (frnn's InvalidParameterError: also a TypeError).
    """

    steps: int
    learning_rate: float
    schedule: Schedule | None = None
    clip: float | None = 1.0
    eval_every: int = 100
    patience: int | None = None

    def __post_init__(self) -> None:
        _STEPS.check(self.steps, "steps")
        _STEPS.check(self.eval_every, "eval_every")
        _CLIP.check(self.clip, "clip")
        _PATIENCE.check(self.patience, "patience")


class StreamTrainer:
    """Trains ``members`` (each a model, its optimiser and its generator) from ``batches``.

    After :meth:`run`, ``history`` holds one value per round of each of ``STREAM_KEYS``:
    the mean training loss and gradient norm of the round, the validation loss, accuracy
    (classification) or mean squared error (``loss="mse"``) of the members' averaged
    logits, the steps and series done, the last learning rate and the round's seconds.

    Parameters
    ----------
    members : list of Member
        Each network (W (I, D), R (I, I), V (K, I), optionally b (I,), c (K,)) with its
        optimiser and its generator, trained in place.
    batches : callable or iterable
        ``batches(rng) -> batch``, called with each member's generator, or an iterable
        of batches (one per step, shared by the members); a batch is (x, y) or
        (x, y, lengths): x (B, T, D), y (B,) or (B, K), lengths (B,).
    settings : StreamSettings
        The budget (steps), the learning rate and its schedule, clipping, the round's
        length and the patience.
    """

    def __init__(
        self,
        members: list[Member],
        batches: Callable[[np.random.Generator], tuple] | Iterable,
        settings: StreamSettings,
    ):
        self.members, self.settings = members, settings
        self.batches = batches if callable(batches) else None
        self.iterator = None if callable(batches) else iter(batches)
        self.epoch = 0  # rounds done (the name training.state keeps)
        self.steps = self.series = self.drawn = self.skip = 0
        self.history: dict[str, list] = {key: [] for key in STREAM_KEYS}
        self.best: dict = {"loss": None, "epoch": 0, "params": None}
        self.wait = 0

    # -- the loop ---------------------------------------------------------------------
    def run(self, validation=None, callback=None) -> str:
        """Train until the budget, early stopping or ``callback(info)`` returning True.

        ``validation`` is (x, y) or (x, y, lengths) as a batch, scored after each round.
        Returns "steps", "early_stopping" or "callback": why the loop ended.

        Parameters
        ----------
        validation : tuple or None, default None
            (x, y) or (x, y, lengths), checked as a batch; with it the members end with
            the weights of their best validation loss and ``patience`` applies.  None: no
            scoring, no early stopping.
        callback : callable(info) or None, default None
            Called after every round with a dict: "round", the round's history row and
            "state" (a function returning the training state); True stops the run.

        Returns
        -------
        str
            "steps", "early_stopping" or "callback".

        Raises
        ------
        StreamError
            A batch (or the validation set) the networks cannot take, naming it.
        NonFiniteLossError
            The training loss, a network's weights or the validation loss became NaN or
            infinite; the parameters and counters are put back to the round's start.
        """
        val = None if validation is None else checked_batch(validation, self._model, "validation")
        while self.steps < self.settings.steps:
            if val is not None and self.settings.patience and self.wait >= self.settings.patience:
                break
            info = self._round(val)
            if callback is not None and callback(info) is True:
                return "callback"
        if val is not None:
            self._load_weights(self.best["params"])
        if self.steps < self.settings.steps:
            return "early_stopping"
        return "steps"

    @property
    def _model(self):
        return self.members[0].model

    def _round(self, val) -> dict:
        started = time.perf_counter()
        good, first = self._snapshot(), (self.steps, self.series, self.drawn)
        stop = min(self.steps + self.settings.eval_every, self.settings.steps)
        sums = np.zeros(2)  # loss, grad norm
        lr = self.settings.learning_rate
        with np.errstate(over="ignore", invalid="ignore"):
            for step in range(self.steps, stop):
                lr = self.settings.learning_rate * self._factor(step)
                for m, member in enumerate(self.members):
                    member.optimizer.lr = lr
                    try:
                        sums += self._step(member)
                    except NonFiniteLossError as error:
                        self._fail(good, first, f"network {m}, step {step + 1}: {error}")
                self.steps += 1
            for m, member in enumerate(self.members):
                model = member.model
                if not all(np.isfinite(getattr(model, n)).all() for n in parameter_names(model)):
                    self._fail(good, first, f"network {m}: its weights overflowed")
            scored = scores(self.members, val) if val is not None else {}
        if not math.isfinite(scored.get("val_loss", 0.0)):
            self._fail(good, first, f"validation loss {scored['val_loss']}")
        self.epoch += 1
        loss, norm = sums / (len(self.members) * (self.steps - first[0]))
        row = {"loss": loss, "grad_norm": norm, "steps": self.steps, "series": self.series}
        row |= {"lr": lr, **scored, "seconds": time.perf_counter() - started}
        for key, values in self.history.items():
            values.append(row.get(key))
        self._keep_best(row.get("val_loss"))
        return {"round": self.epoch, **row, "state": self.state}

    def _factor(self, step: int) -> float:
        return 1.0 if self.settings.schedule is None else self.settings.schedule.factor(step)

    def _step(self, member: Member) -> np.ndarray:
        """One optimiser step of one network; returns [loss, gradient norm]."""
        x, y, lengths = self._next(member)
        model = member.model
        loss, grads, _, _ = _sequence_gradients(model, x, y, lengths)
        release(model)
        norm, factor = _clip_factor(grads, self.settings.clip)  # applied by the step
        if not (math.isfinite(loss) and math.isfinite(norm)):
            raise NonFiniteLossError(f"loss {loss}, gradient norm {norm}")
        weights = {name: getattr(model, name) for name in parameter_names(model)}
        member.optimizer._step(weights, grads, factor)
        self.series += x.shape[0]
        return np.array([loss, norm])

    def _next(self, member: Member) -> tuple:
        while self.skip:  # resumed from a checkpoint: the batches already used
            self._draw(member)
            self.skip -= 1
        self.drawn += 1
        return checked_batch(self._draw(member), member.model, f"batch {self.drawn}")

    def _draw(self, member: Member):
        if self.batches is not None:
            return self.batches(member.rng)
        try:
            return next(self.iterator)
        except StopIteration:
            raise StreamError(
                f"the stream ended after {self.drawn - 1} batches; the budget needs "
                f"{self.settings.steps * len(self.members)}"
            ) from None

    def _fail(self, good, counters: tuple[int, int, int], detail: str):
        """Put the round's first parameters and counters back and stop with a clear error."""
        self._load_weights(good)
        self.steps, self.series, self.drawn = counters
        raise NonFiniteLossError(
            f"the training loss became non-finite ({detail}); the parameters are restored "
            f"to the end of round {self.epoch}. " + remedy(self.settings.clip)
        )

    # -- the best parameters ----------------------------------------------------------
    def _keep_best(self, loss) -> None:
        if loss is None:
            return
        if self.best["loss"] is None or loss < self.best["loss"]:
            self.best = {"loss": loss, "epoch": self.epoch, "params": self._snapshot()}
            self.wait = 0
        else:
            self.wait += 1

    def _snapshot(self) -> list[dict[str, np.ndarray]]:
        return [
            {name: getattr(member.model, name).copy() for name in parameter_names(member.model)}
            for member in self.members
        ]

    def _load_weights(self, weights) -> None:
        for member, saved in zip(self.members, weights or [], strict=False):
            for name in parameter_names(member.model):
                getattr(member.model, name)[...] = saved[name]  # in place: optimisers hold these

    # -- state ------------------------------------------------------------------------
    def state(self) -> dict:
        """The complete state after the last round: ``training.state.capture``'s, with
        ``"stream"``: {"steps", "series", "batches"} (batches drawn from an iterable)."""
        state = capture(self)
        state["stream"] = {"steps": self.steps, "series": self.series, "batches": self.drawn}
        return state

    def load_state(self, state: dict) -> None:
        """Continue from what :meth:`state` returned; ValueError for another kind of state.

        Parameters
        ----------
        state : dict
            A stream training state: ``training.state.capture``'s with ``"stream"``
            {"steps", "series", "batches"}; batches drawn from an iterable are skipped
            past on the next run.

        Raises
        ------
        ValueError
            ``state`` is not a stream training state.
        """
        counters = state.get("stream") if isinstance(state, dict) else None
        if not isinstance(counters, dict):
            raise ValueError("resume_state must be a stream training state (with 'stream')")
        restore(self, state)
        self.steps, self.series = int(counters["steps"]), int(counters["series"])
        self.drawn = int(counters["batches"])
        self.skip = self.drawn if self.iterator is not None else 0
