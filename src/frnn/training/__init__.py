"""Training: optimisers, clipping, schedules, mini-batches, truncated BPTT, the epoch loop.

The pieces are usable without the estimator (see the README's "Training" section).
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
    "SGD",
    "Adam",
    "make_optimizer",
    "Schedule",
    "train_stream",
    "array_batches",
    "StreamError",
    "DECAYS",
    "clip_grad_norm",
    "minibatches",
    "sequence_gradients",
    "learning_rate_at",
    "NonFiniteLossError",
]
