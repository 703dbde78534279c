"""``train_stream``: a network, or an ensemble, trained from a stream of fresh batches.

The user's entry to :class:`frnn.training.stream.StreamTrainer`: it turns the recipe's
hyper-parameters (optimiser, per-parameter rates, schedule, clipping, budget) into the
trainer's members and settings, and runs it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import numpy as np

from .._validate import Interval
from ..engine.batch import parameter_names
from .optimizers import make_optimizer
from .schedules import Schedule
from .settings import Member
from .stream import StreamSettings, StreamTrainer
from .stream_batches import StreamError, checked_batch

__all__ = ["train_stream"]

_SERIES = Interval("int", 1)


def train_stream(
    networks,
    batches: Callable[[np.random.Generator], tuple] | Iterable,
    *,
    steps: int | None = None,
    series: int | None = None,
    learning_rate: float = 1e-3,
    optimizer: str = "adam",
    lr_factors: dict[str, float] | None = None,
    weight_decay: float = 0.0,
    warmup: int = 0,
    decay: str = "constant",
    min_factor: float = 0.0,
    clip: float | None = 1.0,
    validation=None,
    eval_every: int = 100,
    patience: int | None = None,
    seed: int | None = None,
    callback=None,
    resume_state: dict | None = None,
) -> StreamTrainer:
    """Train a network (or a list of them, side by side) from a stream of fresh batches.

    Each network takes ``steps`` optimiser steps, one batch each, on its many-to-one loss
    (``model.loss``) by full BPTT, with global-norm clipping, the learning rate
    ``learning_rate`` × ``Schedule(steps, warmup, decay, min_factor).factor(step)`` and
    the per-parameter ``lr_factors``.  The parameters are trained in place.

    Parameters
    ----------
    networks : a model (W, R, V and optionally b, c; ``activation``, ``loss``), e.g. a
        :class:`frnn.FullyRecurrentNetwork`, or a list of them
    batches : a function ``batches(rng) -> (x, y)`` of a ``numpy.random.Generator`` (each
        network has its own, seeded by ``seed``), or an iterable of batches; a batch is
        (x (B, T, D), y) or (x, y, lengths): y (B,) / (B, K) targets, or (B,) integer class
        labels for K ≥ 2 outputs (see ``synthetic.stream``)
    steps : int ≥ 1, the budget: optimiser steps of each network (series = steps × B)
    series : int ≥ 1, the budget in series instead: ⌈series / B⌉ steps of each network, B
        the size of the stream's first batch
    learning_rate, optimizer, lr_factors, weight_decay : the optimiser
        (:func:`frnn.training.make_optimizer`)
    warmup, decay, min_factor : the learning rate's :class:`Schedule` over ``steps``
    clip : float > 0 or None, the global gradient-norm threshold
    validation : (x, y) or (x, y, lengths), scored every ``eval_every`` steps; the best
        parameters on it are kept.  None: none (the last parameters are kept)
    eval_every : int ≥ 1, steps per round (one history row, one checkpoint)
    patience : rounds without a better validation loss before stopping; None: never
    seed : int or None, the networks' generators (the batches they draw)
    callback : called after every round with a dict (the row, ``"round"`` and
        ``"state"``: a function returning the checkpoint); returning True stops the run
    resume_state : what ``info["state"]()`` returned: the run goes on from there and
        ends with the parameters it would have had without the interruption

    Returns
    -------
    StreamTrainer
        ``history`` (one row per round), ``stopped_by`` and ``state()``.
    """
    networks = list(networks) if isinstance(networks, list | tuple) else [networks]
    children = np.random.SeedSequence(seed).spawn(len(networks))
    if (steps is None) == (series is None):
        raise ValueError(
            f"give the budget as steps or as series; got steps={steps}, series={series}"
        )
    if series is not None:
        _SERIES.check(series, "series")
        size, batches = _batch_size(batches, children[0], networks[0])
        steps = -(-series // size)  # ⌈series / B⌉
    settings = StreamSettings(
        steps=steps,
        learning_rate=learning_rate,
        schedule=Schedule(steps, warmup=warmup, decay=decay, min_factor=min_factor),
        clip=clip,
        eval_every=eval_every,
        patience=patience,
    )
    members = []
    for network, child in zip(networks, children, strict=True):
        unknown = set(lr_factors or {}) - set(parameter_names(network))
        if unknown:
            raise ValueError(f"lr_factors names parameters the network has not: {sorted(unknown)}")
        make = make_optimizer(
            optimizer, learning_rate, weight_decay=weight_decay, lr_factors=lr_factors
        )
        members.append(Member(model=network, optimizer=make, rng=np.random.default_rng(child)))
    trainer = StreamTrainer(members, batches, settings)
    if resume_state is not None:
        trainer.load_state(resume_state)
    trainer.stopped_by = trainer.run(validation, callback)
    return trainer


def _batch_size(batches, child: np.random.SeedSequence, network) -> tuple[int, object]:
    """The first batch's size, and the stream to train from (unchanged by the look).

    A function is called once with a generator in the first network's starting state (a
    copy: the run then draws the same batch again); an iterable's first batch is put back
    in front of it.
    """
    if callable(batches):
        first = batches(np.random.default_rng(child))
    else:
        iterator = iter(batches)
        first = next(iterator, None)
        if first is None:
            raise StreamError("the stream yielded no batch")
        batches = itertools.chain([first], iterator)
    x = checked_batch(first, network, "batch 1")[0]
    return x.shape[0], batches
