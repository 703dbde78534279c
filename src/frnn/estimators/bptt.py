"""The estimators' BPTT mode: the frame size, the ensemble's spec and the epoch loop.

    X → checked (n, T, D) → standardised → frames of f samples (n, ⌈T/f⌉, f·D) → networks

Everything here can refuse before training starts (``fit`` keeps a previous fit then).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..training import ensemble
from ..training.ensemble import EnsembleSpec
from ..training.settings import Settings
from . import inputs

__all__ = ["STEPS", "frame_size", "prepare", "spec"]

# frame_size=None aims at about this many network steps: ⌈T/20⌉ samples a step, chosen by
# validation (benchmarks/results/memory_selection.md: ⌈T/10⌉ fails adding at T = 400)
STEPS = 20

_SPEC = [
    f.name
    for f in dataclasses.fields(EnsembleSpec)
    if f.name not in ("loss", "settings", "hidden_size")
]
# the loop's settings the task gives, and the one the split sets
_TASK = ("accuracy", "class_weights", "target_scale", "round_steps")
_LOOP = [f.name for f in dataclasses.fields(Settings) if f.name not in _TASK]


def frame_size(est, lengths: np.ndarray) -> int:
    """f: ``frame_size``, or None's ⌈T/STEPS⌉ for the longest of ``lengths`` (n,)."""
    return est.frame_size or max(1, math.ceil(int(lengths.max()) / STEPS))


def prepare(est, x, lengths, Y, resume_state, sample_weight=None):
    """(bptt) The epoch loop and its data; everything that can refuse before training.
    ``sample_weight`` (n,) or None, checked: each series' loss × its weight (and its
    class's), as the class weights scale it."""
    f = frame_size(est, lengths)
    if est._task.per_step(est):  # a target per step: one sample a step, no chunks
        if est.frame_size not in (None, 1) or est.chunk_length is not None:
            raise ValueError(
                "sequence targets (a value per step) need frame_size=None or 1 and "
                f"chunk_length=None; got frame_size={est.frame_size}, "
                f"chunk_length={est.chunk_length}"
            )
        f = 1
    inputs.fit_standardisation(est, x, lengths)
    est.frame_size_ = f
    x, steps = inputs.network_inputs(est, x, lengths)  # (n, T', f·D)
    weights = None if sample_weight is None else sample_weight.astype(est.dtype)
    network_spec = spec(est, Y, sample_weight)
    return ensemble.prepare(network_spec, x, steps, Y.astype(est.dtype), resume_state, weights)


def spec(est, Y: np.ndarray, sample_weight: np.ndarray | None = None) -> EnsembleSpec:
    """(bptt) The networks and the loop's settings for encoded targets Y (their series'
    ``sample_weight`` (n,) or None: "balanced" class weights count them)."""
    options = est._task.ensemble_options(est, Y, sample_weight)
    settings = Settings(**{name: getattr(est, name) for name in _LOOP}, **options)
    return EnsembleSpec(
        **{name: getattr(est, name) for name in _SPEC},
        hidden_size=est._hidden_size(),
        loss=est._task.loss,
        settings=settings,
    )
