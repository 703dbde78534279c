"""The training series' lengths, and the warning of series far from them.

A model reads a series of any length, but what it learnt sits at the places and scales of
the series it was fitted on: a model fitted on GunPoint (150 steps) predicts GunPoint cut
to 75 steps at chance, with ``predict_proba`` sure of itself all the same.  So every
estimator that reads series records the lengths it was fitted on (:func:`record`:
``min_length_`` and ``max_length_``, extended chunk by chunk by ``partial_fit``), and
warns (:func:`warn_far`, :class:`LengthWarning`) when it is asked to predict series
shorter than ``SHORT_FRACTION`` of the shortest of them, or longer than
:func:`long_factor` times the longest: ``LONG_FACTOR`` for the reservoir read-outs,
``BPTT_LONG_FACTOR`` for networks trained by BPTT.  A model whose file was written before
the lengths were recorded (format version 7 and before) has none, and cannot warn.

Both bounds are read off ``benchmarks/lengths.py`` (training splits only: held-back series
cut to a fraction of their length, or a model fitted on cut series predicting longer
ones; ``benchmarks/results/lengths.md``, summed up in ``docs/practitioners.md``): where the
median set, with the worse of the two ends kept, has lost a quarter of its accuracy above
chance.  Over 14 sets the default (reservoir) classifier keeps 0.89 of it on series cut to
0.75 of the training length, 0.68 at 0.67 and 0.30 at 0.5 (BPTT, 5 sets: 0.82, 0.64,
0.47); on series 1.5 times as long it keeps 1.00, twice as long 0.75.  BPTT networks are
hurt sooner by longer series, so they get a bound of their own: the default BPTT
classifier (5 sets) keeps 0.91 of it on series 1.1 times as long, 0.71 at 1.2 and 0.66 at
1.25 (the worse end), the BPTT regressor 0.97, 0.80 and 0.64 of its R².
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import sklearn.base

__all__ = [
    "BPTT_LONG_FACTOR",
    "LONG_FACTOR",
    "SHORT_FRACTION",
    "LengthWarning",
    "long_factor",
    "record",
    "warn_far",
]

#: Series shorter than this fraction of the shortest training series are warned about.
SHORT_FRACTION = 0.75
#: Series longer than this multiple of the longest training series are warned about.
LONG_FACTOR = 1.5
#: The same for networks trained by BPTT (``networks_``), which longer series hurt sooner.
BPTT_LONG_FACTOR = 1.1

_PACKAGE = str(Path(__file__).resolve().parent.parent)  # frnn's folder: frames to skip
# scikit-learn's ``score`` (ClassifierMixin's, RegressorMixin's) calls frnn's predict: its
# frame is not the user's line either
_SKLEARN_BASE = str(Path(sklearn.base.__file__).resolve())


class LengthWarning(UserWarning):
    """Series far from the training lengths, whose predictions are unreliable: shorter than
    ``SHORT_FRACTION`` of the shortest training series, or longer than :func:`long_factor`
    times the longest (:func:`warn_far`)."""


def record(model, lengths: np.ndarray, *, more: bool = False) -> None:
    """Set ``model.min_length_`` and ``model.max_length_``, the shortest and the longest of
    the training series' lengths (n,); ``more``: extend those of the chunks before."""
    shortest, longest = int(np.min(lengths)), int(np.max(lengths))
    if more and getattr(model, "min_length_", None) is not None:
        shortest = min(shortest, model.min_length_)
        longest = max(longest, model.max_length_)
    model.min_length_, model.max_length_ = shortest, longest


def long_factor(model) -> float:
    """How many times the longest training series a series may be before
    :func:`warn_far` warns: ``BPTT_LONG_FACTOR`` for a fitted model whose networks were
    trained by BPTT (it has ``networks_``; the fit decides, not the ``training``
    parameter, which ``set_params`` may have changed since), else ``LONG_FACTOR``."""
    return BPTT_LONG_FACTOR if getattr(model, "networks_", None) is not None else LONG_FACTOR


def warn_far(model, lengths: np.ndarray, name: str = "X", shape=None) -> None:
    """Warn (:class:`LengthWarning`, one for the call) when series of ``lengths`` (n,) are
    shorter than ``SHORT_FRACTION`` of ``model.min_length_`` or longer than
    :func:`long_factor` times ``model.max_length_``, saying how many; nothing for a model
    without lengths.  ``shape``, X's array shape where X is one: (m, 1) or (m, 1, D) read
    as m one-step series adds the likelier reading, one series without its batch axis
    (:func:`_one_series`)."""
    shortest = getattr(model, "min_length_", None)
    if shortest is None:
        return
    lengths = np.asarray(lengths)
    factor = long_factor(model)
    short = int(np.count_nonzero(lengths < SHORT_FRACTION * shortest))
    long = int(np.count_nonzero(lengths > factor * model.max_length_))
    said = []
    if short:
        said.append(
            f"{_which(short, len(lengths), name)} shorter than {SHORT_FRACTION:.0%} of the "
            f"shortest training series ({shortest} steps)"
        )
    if long:
        said.append(
            f"{_which(long, len(lengths), name)} longer than {factor:g} times the "
            f"longest training series ({model.max_length_} steps)"
        )
    if said:
        warnings.warn(
            f"{_one_series(shape, lengths, name)}{'; '.join(said)}: predictions for them "
            "are unreliable (on many tasks accuracy falls towards chance on series of other "
            "lengths than the training ones, while predict_proba stays sure); fit on series "
            "of the lengths you predict",
            LengthWarning,
            stacklevel=_outside(),
        )


def _one_series(shape, lengths: np.ndarray, name: str) -> str:
    """The hint for an X of ``shape`` (m, 1) or (m, 1, D) read as m series of one step:
    most likely one series of m steps passed without its batch axis (``X[0]`` of a 3-D X,
    or ``X[0][:, None]``), which ``X[None]`` or a reshape passes as a batch of one."""
    one_step = len(lengths) > 1 and bool(np.all(lengths == 1))
    if not one_step or shape is None or len(shape) not in (2, 3) or shape[1] != 1:
        return ""
    D = shape[2] if len(shape) == 3 else 1
    return (
        f"{name} of shape {tuple(shape)} reads as {shape[0]} series of one step each (2-D "
        f"{name} is (n, T), 3-D (n, T, D)): a single series of {shape[0]} steps? Pass it as "
        f"a batch of one, {name}.reshape(1, -1, {D}) (or X[:1] of the array of series, "
        "not X[0]). "
    )


def _which(count: int, n: int, name: str) -> str:
    return f"{count} of {n} series of {name} are" if n > 1 else f"the series of {name} is"


def _outside() -> int:
    """The stack level of the first caller outside frnn (and scikit-learn's ``score``), for
    ``warnings.warn``: the warning names the user's line however deep in frnn the check
    ran."""
    frame, level = sys._getframe(2), 2  # level 1: warn_far, which calls this
    while frame is not None and (
        frame.f_code.co_filename.startswith(_PACKAGE) or frame.f_code.co_filename == _SKLEARN_BASE
    ):
        frame, level = frame.f_back, level + 1
    return level
