"""``fit_stream``'s preparation: a stream of the user's batches made the loop's batches.

A stream is code the user wrote, so each batch (X, y) goes through the estimator's own
input path (checked, standardised, framed, encoded as ``fit`` would), and a bad one stops
the run with :class:`~frnn.training.StreamError` naming it.  The encoding is fixed by the
validation set before the first step: the classes, the standardisation, the target scale
and the frame size cannot be learnt from one batch.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..data.series import Series
from ..training import ensemble
from ..training.stream_batches import StreamError
from . import bptt, inputs

__all__ = ["ROUND_STEPS", "Source", "prepare", "round_steps"]

ROUND_STEPS = 100  # optimiser steps a round (one history row, one callback, one checkpoint)


def round_steps(steps: int) -> int:
    """Steps a round of a stream run: 100, or 1% of a budget above 10,000 steps (at most
    about 100 rounds), or the whole of one below 100."""
    return min(max(ROUND_STEPS, -(-steps // 100)), steps)


class Source:
    """The user's stream as the loop's batches: ``source(rng)`` -> (x, Y, lengths).

    ``batches`` is a function of the member's generator, or an iterable shared by the
    members (``skip`` batches are passed over first when a run resumes).
    """

    def __init__(self, est, batches):
        if not callable(batches) and not hasattr(batches, "__iter__"):
            raise StreamError(
                f"batches must be a function batches(rng) -> (X, y) or an iterable of (X, y) "
                f"batches; got {type(batches).__name__}"
            )
        self.est = est
        self.function = batches if callable(batches) else None
        self.iterator = None if callable(batches) else iter(batches)
        self.drawn = self.skip = 0

    def __call__(self, rng: np.random.Generator) -> tuple:
        while self.skip:  # resumed: the batches the interrupted run already used
            self._draw(rng)
            self.skip -= 1
        self.drawn += 1
        batch = self._draw(rng)
        if not isinstance(batch, tuple | list) or len(batch) != 2:
            raise StreamError(
                f"batch {self.drawn} must be a pair (X, y); got {type(batch).__name__}"
                + (f" of {len(batch)}" if isinstance(batch, tuple | list) else "")
            )
        try:
            return prepared(self.est, *batch)
        except (ValueError, TypeError) as error:
            raise StreamError(f"batch {self.drawn}: {error}") from None

    def _draw(self, rng):
        if self.function is not None:
            return self.function(rng)
        try:
            return next(self.iterator)
        except StopIteration:
            raise StreamError(f"the stream ended after {self.drawn - 1} batches") from None


def prepared(est, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch as the networks read it: x (B, T', f·D), Y (B, K), steps (B,)."""
    x, steps = inputs.network_inputs(est, *inputs.validated(est, X, reset=False))
    Y = est._task.monitored(est, y, x.shape[0], steps)
    if Y.ndim != 2:
        raise ValueError("fit_stream fits one target (vector) per series, not one per step")
    return x, Y.astype(est.dtype), steps


def prepare(est, batches, validation, resume_state):
    """(loop, source, validation Series): everything that can refuse, before training."""
    if est.training != "bptt" or est.epochs is not None:
        raise ValueError(
            "fit_stream trains training='bptt' networks for a budget of steps: it needs "
            f"training='bptt' and epochs=None; got training={est.training!r}, "
            f"epochs={est.epochs!r}"
        )
    if not isinstance(validation, tuple | list) or len(validation) != 2:
        raise ValueError(
            f"validation must be a pair (X, y) of series and their targets; got "
            f"{type(validation).__name__}"
        )
    X, y = validation
    try:
        x, lengths = inputs.validated(est, X, reset=True)
        Y = est._task.encode(est, y, lengths)  # the classes, the target scale
    except ValueError as error:  # say which pair: the batches are checked as they come
        raise ValueError(f"validation: {error}") from error
    if est._task.per_step(est):
        raise ValueError("fit_stream fits one target (vector) per series, not one per step")
    est.frame_size_ = bptt.frame_size(est, lengths)  # the one framing rule, fit's
    inputs.fit_standardisation(est, x, lengths)
    x, steps = inputs.network_inputs(est, x, lengths)  # (n, T', f·D)
    val = Series(x, Y.astype(est.dtype), steps)
    spec = bptt.spec(est, Y)
    settings = dataclasses.replace(
        spec.settings,
        round_steps=round_steps(est.steps),
        aux_weight=spec.settings.aux_weight / float(np.mean(steps)),
    )
    ensemble.check_memory(spec.hidden_size, x.shape[2], Y.shape[-1], est.n_ensemble, x.itemsize)
    _, member_seeds = ensemble.seeds(spec)  # after the check: one seed a network
    loop = ensemble.trainer(spec, x.shape[2], Y.shape[-1], member_seeds, settings)
    source = Source(est, batches)
    if resume_state is not None:
        loop.load_state(resume_state)
        if source.iterator is not None:
            done = min(loop.epoch * settings.round_steps, settings.steps)
            source.skip = done * len(loop.members)
    return loop, source, val
