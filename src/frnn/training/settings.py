"""What the BPTT loop is given: the ensemble's members, the estimator's settings, the
history's keys and the class weights of each series."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .optimizers import SGD, Adam
from .schedules import Schedule

__all__ = ["HISTORY_KEYS", "RMSE_KEYS", "Member", "Settings", "series_weights"]

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
    epochs: int | None  # None: a budget of ``steps``
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
    steps: int = 1  # the budget in optimiser steps (epochs=None)
    warmup: float = 0.0  # the fraction of the steps spent warming up (epochs=None)
    round_steps: int | None = None  # steps a round (epochs=None), set once n is known

    @property
    def rounds(self) -> int:
        """The loop's units in the budget: epochs, or rounds of ``round_steps`` steps."""
        if self.epochs is not None:
            return self.epochs
        return -(-self.steps // self.round_steps)

    @property
    def step_schedule(self) -> Schedule:
        """The rate's factor by optimiser step (a budget of steps)."""
        return Schedule(self.steps, warmup=int(self.warmup * self.steps), decay=self.schedule)


def series_weights(
    y: np.ndarray, class_weights: np.ndarray | None, sample_weight: np.ndarray | None = None
) -> np.ndarray | None:
    """Each series' weight (B,) from its targets y (B, K) and the class weights (n_classes,),
    times its sample weight (``sample_weight`` (B,)); None where both are None.

    Two classes have one output (y = 1 for the second class); more classes are one-hot.
    """
    if class_weights is None:
        return sample_weight
    if y.shape[1] == 1:  # (B, 1): 1 for classes[1], 0 for classes[0]
        weights = np.where(y[:, 0] > 0.5, class_weights[1], class_weights[0])
    else:
        weights = y @ class_weights  # (B,): one-hot rows pick their class's weight
    return weights if sample_weight is None else weights * sample_weight
