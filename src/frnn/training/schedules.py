"""Learning-rate schedules by optimiser step: a linear warm-up, then a decay.

    η(k) = η · factor(k),   k = 0, 1, … the optimiser's steps

    factor(k) = s + (1 − s) k / w                        k < w  (warm-up)
              = m + (1 − m) · ½(1 + cos(π j / J))        cosine  } j = k − w,
              = m + (1 − m) · (1 − j / J)                linear  } J = total − w
              = 1                                        constant

Recurrent networks trained on long dependencies take large, rare gradient steps early on
(the exploding directions of Pascanu, Mikolov & Bengio 2013); a warm-up lets Adam's second
moments settle before the full rate applies (Goyal et al. 2017; Liu et al. 2020, "On the
variance of the adaptive learning rate"), and a decay to a small rate lets the last
steps settle into a minimum (Loshchilov & Hutter 2017).  The factors are torch's:
``LinearLR(start_factor=s, total_iters=w)`` followed (``SequentialLR``) by
``CosineAnnealingLR(T_max=J, eta_min=m·η)`` or ``LinearLR(1, m, J)``; the tests hold the
two to 1e-12 over whole runs.  Each parameter's rate is this times its ``lr_factors``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._validate import Interval, Options

__all__ = ["DECAYS", "Schedule"]

DECAYS = ("constant", "cosine", "linear")

_STEPS = Interval("int", 1)
_WARMUP = Interval("int", 0)
_START = Interval("real", 0, 1, closed="right")  # (0, 1]
_MIN = Interval("real", 0, 1, closed="both")  # [0, 1]


@dataclass(frozen=True)
class Schedule:
    """The learning-rate factor of every optimiser step of a run of ``total`` steps.

    Parameters
    ----------
    total : int ≥ 1, the run's optimiser steps
    warmup : int ≥ 0, steps of linear warm-up from ``warmup_start`` × η to η (0: none)
    decay : {"constant", "cosine", "linear"}, the factor over the steps after the warm-up
    min_factor : float in [0, 1], m: where cosine and linear end (× η)
    warmup_start : float in (0, 1], s: the first step's factor during a warm-up

    Examples
    --------
    >>> schedule = Schedule(total=10, warmup=2, decay="cosine")
    >>> [round(schedule.factor(k), 3) for k in range(10)]
    [0.01, 0.505, 1.0, 0.962, 0.854, 0.691, 0.5, 0.309, 0.146, 0.038]
    """

    total: int
    warmup: int = 0
    decay: str = "constant"
    min_factor: float = 0.0
    warmup_start: float = 0.01

    def __post_init__(self) -> None:
        _STEPS.check(self.total, "total")
        _WARMUP.check(self.warmup, "warmup")
        if self.warmup >= self.total and self.decay != "constant":
            raise ValueError(
                f"warmup must leave steps to decay over: warmup < total; got warmup="
                f"{self.warmup}, total={self.total}"
            )
        Options(DECAYS).check(self.decay, "decay")
        _MIN.check(self.min_factor, "min_factor")
        _START.check(self.warmup_start, "warmup_start")

    def factor(self, step: int) -> float:
        """η(step) / η for the 0-based optimiser ``step`` (from ``total`` on: the decay's end).

        Parameters
        ----------
        step : int
            The optimiser step k, from 0 (unchecked); steps from ``total`` on keep the
            factor the decay ends at (m for cosine and linear, 1 for constant).

        Returns
        -------
        float
            s + (1 − s) k / w during the warm-up; then 1 (constant),
            m + (1 − m)·½(1 + cos(π j / J)) (cosine) or m + (1 − m)(1 − j / J) (linear),
            j = k − w, J = total − w.
        """
        w, s, m = self.warmup, self.warmup_start, self.min_factor
        if step < w:
            return s + (1.0 - s) * step / w
        if self.decay == "constant":
            return 1.0
        j, J = min(step - w, self.total - w), self.total - w
        if self.decay == "cosine":
            return m + (1.0 - m) * 0.5 * (1.0 + math.cos(math.pi * j / J))
        return m + (1.0 - m) * (1.0 - j / J)
