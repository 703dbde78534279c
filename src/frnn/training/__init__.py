"""Training: optimisers, clipping, schedules, mini-batches, truncated BPTT, the epoch loop
and the ensemble trainer.

The pieces are usable without the estimators (see the practitioner's path, "Training").
"""

from .fit_stream import train_stream
from .optimizers import SGD, Adam, make_optimizer
from .schedules import DECAYS, Schedule
from .steps import (
    NonFiniteLossError,
    clip_grad_norm,
    learning_rate_at,
    minibatches,
    sequence_gradients,
)
from .stream_batches import StreamError, array_batches

__all__ = [
    "Adam",
    "DECAYS",
    "NonFiniteLossError",
    "SGD",
    "Schedule",
    "StreamError",
    "array_batches",
    "clip_grad_norm",
    "learning_rate_at",
    "make_optimizer",
    "minibatches",
    "sequence_gradients",
    "train_stream",
]
