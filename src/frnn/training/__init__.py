"""Training: optimisers, clipping, schedules, mini-batches, truncated BPTT, the epoch loop
and the ensemble trainer.

The pieces are usable without the estimators (see the practitioner's path, "Training").
"""

from .optimizers import SGD, Adam, make_optimizer
from .steps import (
    NonFiniteLossError,
    clip_grad_norm,
    learning_rate_at,
    minibatches,
    sequence_gradients,
)

__all__ = [
    "Adam",
    "NonFiniteLossError",
    "SGD",
    "clip_grad_norm",
    "learning_rate_at",
    "make_optimizer",
    "minibatches",
    "sequence_gradients",
]
