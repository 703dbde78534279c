"""What kind of targets an estimator learns: the task object behind ``is_classifier``.

The estimator core runs the same fit for every task (inputs → standardise → frame, then a
reservoir read-out or an ensemble trained by BPTT) and asks its :class:`Task` whatever
depends on the targets: how y is checked and encoded, which loss the networks learn, what
the read-out fits, how the epoch loop scores, how outputs are decoded.  The classifier's
task (``frnn.classifier.task``) encodes labels; the regressor's (``frnn.regressor.task``)
scales real values.  A task keeps no state: what it learns from y it sets on the estimator
as fitted attributes, named in ``fitted``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Task"]


class Task:
    """The interface every task implements (each method gets the estimator it serves).

    Attributes
    ----------
    kind : the model file's ``kind`` ("classifier", "regressor")
    loss : the networks' loss ("bce", "mse")
    marker : the fitted attribute that says the estimator is fitted
    fitted : the task's fitted attributes that are not arrays (kept in a model file's
        metadata; dropped by a refit)
    """

    kind: str
    loss: str
    marker: str
    fitted: tuple[str, ...] = ()

    def encode(self, est, y, lengths: np.ndarray) -> np.ndarray:
        """Check y for ``fit`` and set the task's fitted attributes; return the encoded
        targets (n, K), or (n, T, K) per step, zero where padded."""
        raise NotImplementedError

    def per_step(self, est) -> int:
        """K when the targets have a value at every step (many-to-many), else 0."""
        return 0

    def check_reservoir(self, est, Y: np.ndarray) -> None:
        """Refuse targets that a reservoir read-out (on pooled states) cannot fit."""

    def readout_targets(
        self, est, Y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """What the ridge read-out fits to encoded Y: targets (n, K') and each series'
        task weight (n,) or None (a classifier's class weights, "balanced" counting the
        series by their ``sample_weight`` (n,) where given)."""
        return Y, None

    def check_weights(self, est, Y: np.ndarray, weights: np.ndarray | None) -> None:
        """Refuse sample weights (n,) the task cannot fit with encoded Y."""

    def calibrate(self, est, Y: np.ndarray, weights: np.ndarray | None = None) -> None:
        """After the read-out's fit: whatever the task adds to it (each series counted
        with its sample weight (n,), or one each)."""

    def neighbour_weight(self, est) -> float | str:
        """β of the nearest training series beside the read-out (a classifier's
        ``neighbour_weight``); 0: the read-out alone."""
        return 0.0

    def statistics_weights(self, est) -> tuple[float, ...]:
        """The weights ω of every statistic but PPV that the read-out tries beside α
        (a classifier's ``STATISTICS_WEIGHTS``); (1.0,): every feature at unit variance."""
        return (1.0,)

    def crops(self, est) -> bool:
        """Whether the read-out tries crops of few training series
        (:mod:`frnn.reservoir.crops`: a classifier's)."""
        return False

    def loo_gap(self, est, x: np.ndarray, lengths: np.ndarray, Y: np.ndarray) -> int | None:
        """The rows either side of each that the read-out's leave-out choosing α leaves out
        with it, for series x (n, T, D) of ``lengths`` (n,) and targets Y (n, K); None: the
        task reads no windows (plain leave-one-out, no ``loo_gap_``)."""
        return None

    def loo_classes(self, est, Y: np.ndarray) -> np.ndarray | None:
        """The class (n,) of each series, whose leave-one-out outputs the softmax
        temperature is fitted to; None: the task has no temperature."""
        return None

    def encode_first(self, est, y, lengths: np.ndarray, classes=None) -> np.ndarray:
        """``partial_fit``'s first call: y encoded as by ``encode``; ``classes``, every
        label the chunks will hold, for a classifier."""
        return self.encode(est, y, lengths)

    def encode_more(self, est, y, lengths: np.ndarray) -> np.ndarray:
        """``partial_fit``'s later calls: y (n,) encoded as the first call's were, the
        task's fitted attributes kept."""
        raise NotImplementedError

    def ensemble_options(
        self, est, Y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> dict[str, Any]:
        """The epoch loop's ``accuracy``, ``class_weights`` and ``target_scale`` for Y (the
        series weighed by ``sample_weight`` (n,) or None)."""
        raise NotImplementedError

    def monitored(self, est, y, n: int, lengths: np.ndarray) -> np.ndarray:
        """``fit``'s monitored targets y encoded as the training targets were."""
        raise NotImplementedError

    def arrays(self, est) -> dict[str, np.ndarray]:
        """The task's fitted arrays for a model file (classes, target scaling)."""
        raise NotImplementedError

    def from_arrays(self, est, arrays: dict[str, np.ndarray]) -> None:
        """Set the task's fitted arrays from a model file's."""
        raise NotImplementedError

    def check_fitted(self, est, K: int, networks: bool) -> None:
        """Raise ValueError unless a loaded estimator's task attributes agree with each
        other and with the model's K outputs (of the BPTT ``networks``, or the read-out)."""
        raise NotImplementedError
