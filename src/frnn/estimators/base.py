"""The one core under ``RNNClassifier`` and ``RNNRegressor``: parameters, fit and the input path.

    X → checked (n, T, D) → standardised → framed → a reservoir read-out, z = V·features + c,
                                                  or an ensemble trained by BPTT, z = V a(T) + c

Both estimators are this class with a :class:`~frnn.estimators.tasks.Task` (scikit-learn's
``is_classifier``, made an object): the task encodes the targets, names the networks' loss,
scores and decodes; the two modes' fits are :mod:`~frnn.estimators.reservoirs` and
:mod:`~frnn.estimators.bptt`; what both share is here, once.  ``fit`` is transactional: data refused
before training starts (a bad parameter, NaN, one class) leaves a previous fit untouched,
and an error during BPTT training leaves that fit's last finite parameters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._typing import Callback
from ..data import weights
from ..data.lengths import warn_far
from ..data.series import Series
from ..engine.protocol import detached
from ..training import ensemble
from . import bptt, inputs, reservoirs, streams
from .lazy import is_dask
from .params import check_params
from .tasks import Task

__all__ = ["BPTT_HIDDEN", "RESERVOIR_HIDDEN", "RNNEstimator"]

RESERVOIR_HIDDEN = 32  # hidden_size=None: each reservoir's I
BPTT_HIDDEN = 64  # hidden_size=None: each BPTT network's I (the memory recipe's)


@dataclass(eq=False, repr=False, kw_only=True)
class RNNEstimator(BaseEstimator):
    """The parameters, the fit, the input path and the outputs both estimators share.

    The shared parameters are the fields below (each estimator's docstring describes them);
    a subclass adds its own as fields, sets ``_task`` and, where its reservoirs depart from
    ReservoirFeatures' defaults, ``_reservoir_settings``.  The fields make ``__init__``
    (keyword-only), whose signature scikit-learn reads the parameters from.
    """

    training: str = "reservoir"
    n_reservoirs: int = 48
    hidden_size: int | None = None
    activation: str = "relu"
    init: str = "identity"
    optimizer: str = "adam"
    learning_rate: float = 0.004
    momentum: float = 0.9
    schedule: str = "cosine"
    warmup: float = 0.01
    steps: int = 8000
    epochs: int | None = None
    batch_size: int = 32
    clip: float | None = 1.0
    chunk_length: int | None = None
    frame_size: int | None = None
    init_scale: float | None = None
    bias: bool = True
    n_ensemble: int = 5
    weight_decay: float = 0.0
    validation_fraction: float = 0.0
    patience: int = 20
    standardize: bool = True
    dtype: str = "float64"
    random_state: int | np.random.RandomState | None = None
    data_format: str | None = None

    _task: ClassVar[Task]
    _reservoir_settings: ClassVar[dict[str, Any]] = {}
    # The settings each change of ``_reservoir_settings`` replaced, newest change first: a
    # model file saved before the k newest changes records today's settings with the first k
    # of these laid over them, in turn (read as it was fitted; files before version 5: all of
    # them); a fit now never draws them.
    _earlier_reservoir_settings: ClassVar[tuple[dict[str, Any], ...]] = ()
    # What one fit sets besides the task's attributes; a refit (in either mode) drops them.
    _FITTED: ClassVar[tuple[str, ...]] = (
        "reservoir_",
        "alpha_",
        "loo_gap_",
        "networks_",
        "history_",
        "loss_curve_",
        "n_iter_",
        "stopped_by_",
        "frame_size_",
        "mean_",
        "std_",
        "min_length_",
        "max_length_",
    )

    # -- fitting --------------------------------------------------------------------------
    def fit(
        self,
        X: ArrayLike | Series,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        *,
        callback: Callback | None = None,
        resume_state: dict[str, Any] | None = None,
        monitor: tuple[ArrayLike | Series, ArrayLike] | None = None,
    ) -> Self:
        """Train on series X and targets y, each series weighed by ``sample_weight``.

        Parameters
        ----------
        X : (n, T), (n, T, D), a list of n arrays (T_i, D) / (T_i,), a
            :class:`frnn.data.Series` (padded, with its lengths), or (reservoir) a
            ``dask.array.Array`` (n, T) / (n, T, D) chunked along the series, fitted chunk
            by chunk where dask runs (:mod:`frnn.estimators.chunked`): the same model
        y : RNNClassifier: (n,) class labels, or (n, K) 0/1 multi-label indicators (bptt
            only).  RNNRegressor: (n,) or (n, K) a value vector per series; or per step
            (sequence targets, bptt only): (n, T) or (n, T, K) for X of T steps given as
            3-D or a list, or a list of (T_i,) / (T_i, K) arrays
        sample_weight : (n,) array_like of finite weights >= 0 (not all 0), a number, or
            None (every series weighs 1): each series' weight in the loss, times its
            class's (``class_weight``), rescaled to a mean of one, so that weights all
            equal are no weights (:mod:`frnn.data.weights`).  reservoir: the ridge's
            squared error and the leave-one-out choices of α, ω, β and τ; a series of
            weight 0 is no nearest neighbour.  bptt: each series' loss (many-to-one
            targets).  The feature map (the inputs' standardisation, the reservoirs'
            thresholds, the features' scaling) is drawn from every series alike.  A class
            left no weight is never predicted, weights that leave one class (a reservoir
            regressor: one series) are refused; a dask X refuses weights
        callback : callable(info) or None.  bptt: called after every epoch with a dict
            holding "epoch", the epoch's entries of ``history_`` and "state" (a function
            returning the complete training state); returning True stops training, leaving
            the estimator fitted with its current parameters.  reservoir: called after each
            reservoir's features with {"reservoir": done, "of": total}, total being
            ``n_reservoirs`` (a classifier's crops, with at most
            ``frnn.reservoir.crops.CROP_MAX_SERIES`` series, come from the same pass):
            done reaches total as the fit's last features are computed
        resume_state : (bptt) a state from ``info["state"]()`` (or ``frnn.io.load_state``)
            of a run with the same data and parameters, from which to continue; the
            result is bit-identical to the run that was never interrupted
        monitor : (bptt) a pair (X_test, y_test) or None: series scored after every epoch,
            recorded in ``history_`` (and the callback's info) as "test_loss" and
            "test_accuracy" (a regressor's history adds RMSEs in y's units, "train_rmse",
            "val_rmse" and "test_rmse", its "accuracy" entries being R²); only watched:
            early stopping and the parameters kept use the validation split alone, and the
            parameters are the same with or without it

        Data refused before training starts (one class, NaN, a bad parameter) leaves a
        previous fit untouched; an error during training leaves this fit's last finite
        parameters.  Ctrl-C (KeyboardInterrupt) is raised again; a reservoir fit keeps
        the previous fit, a BPTT fit is left fitted to its last whole epoch (round) with
        ``stopped_by_ = "interrupted"``, or, stopped before its first whole round, as it
        was before ``fit`` (unfitted, or its previous fit), as a reservoir fit is.

        Returns
        -------
        self
        """
        with self._kept_if_refused() as before:
            if is_dask(X):  # chunk by chunk on dask's workers: frnn.estimators.chunked
                if sample_weight is not None:
                    raise ValueError(
                        "sample_weight is not supported with a dask array X (its chunks' "
                        "sums take no weights); pass X.compute() to weigh the series"
                    )
                from . import chunked

                chunked.fit(self, X, y, callback, resume_state, monitor)
                return self
            x, lengths = inputs.validated(self, X, reset=True)  # (n, T, D)
            Y = self._task.encode(self, y, lengths)  # (n, K) or (n, T, K)
            w, _ = weights.checked(sample_weight, len(lengths))  # (n,) or None
            self._task.check_weights(self, Y, w)
            if self.training == "reservoir":  # one closed-form fit: all or nothing
                if resume_state is not None or monitor is not None:
                    raise ValueError("resume_state and monitor apply to training='bptt' only")
                reservoirs.fit(self, x, lengths, Y, callback, sample_weight=w)
                return self
            loop, data, val = bptt.prepare(self, x, lengths, Y, resume_state, w)
            watched = self._monitored(monitor)
        return self._train(loop, data, val, callback, watched, before)

    def fit_stream(
        self,
        batches: Callable[[np.random.Generator], tuple] | Iterable[tuple],
        *,
        validation: tuple[ArrayLike | Series, ArrayLike],
        callback: Callback | None = None,
        resume_state: dict[str, Any] | None = None,
        monitor: tuple[ArrayLike | Series, ArrayLike] | None = None,
    ) -> Self:
        """(bptt) Train from a stream of fresh batches for ``steps`` optimiser steps.

        Each network takes one batch (X, y) per step, as ``fit`` takes its arrays (each
        checked, standardised, framed and encoded); every 100 steps (a round; 1% of
        ``steps`` above 10,000) the validation set is scored, the history gets a row and
        the callback is called; the parameters with the best validation loss are kept,
        and ``patience`` rounds without a better one stop the run.

        Parameters
        ----------
        batches : a function ``batches(rng) -> (X, y)`` of a numpy Generator (each
            network has its own, seeded by ``random_state`` and kept in every training
            state: a resumed run draws the same batches), or an iterable of (X, y) (e.g.
            ``frnn.data.synthetic.stream``; on resume, made again the same way, it is
            skipped past the batches already used).  X and y as ``fit`` takes them, one
            target (vector) per series; the stream's batch size is its own
        validation : a pair (X, y), a fixed set from the same source.  It fixes what one
            batch cannot: the classes (a classifier's; a batch with another label is
            refused), the input standardisation, the targets' scale (a regressor's) and
            the frame size (frame_size=None: ⌈T/20⌉ of its longest series)
        callback, resume_state, monitor : as ``fit``'s, a round for an epoch

        Returns
        -------
        self

        Raises
        ------
        frnn.training.StreamError
            A bad batch stops the run, naming the batch; the estimator keeps the
            parameters of the last round.
        """
        with self._kept_if_refused() as before:
            loop, source, val = streams.prepare(self, batches, validation, resume_state)
            watched = self._monitored(monitor)
        return self._train(loop, source, val, callback, watched, before)

    @contextlib.contextmanager
    def _kept_if_refused(self):
        """Check the parameters and clear the last fit (a refit in the other mode starts
        clean); if the body raises, before any training, the estimator is as it was.  Yields
        the estimator's attributes as they were, which a BPTT fit stopped by Ctrl-C before
        its first whole round puts back too (:meth:`_train`)."""
        before = dict(self.__dict__)
        try:
            self._check_params()
            for name in self._FITTED:
                self.__dict__.pop(name, None)
            yield before
        except BaseException:
            self._put_back(before)
            raise

    def _put_back(self, before: dict) -> None:
        """The estimator's attributes as ``before`` holds them (a previous fit, or none)."""
        self.__dict__.clear()
        self.__dict__.update(before)

    def _check_params(self) -> None:
        """Every parameter against its rule, in either mode: the reservoirs' ranges too (a
        model file keeps every parameter, so a loaded one is held to the same rules)."""
        check_params(self)
        reservoirs.check(self)

    def _hidden_size(self) -> int:
        """I: ``hidden_size``, or None's default in the fitted mode (32 for a reservoir,
        64 for a BPTT network)."""
        if self.hidden_size is not None:
            return self.hidden_size
        return RESERVOIR_HIDDEN if self.training == "reservoir" else BPTT_HIDDEN

    def _monitored(self, monitor) -> Series | None:
        """``fit``'s ``monitor`` pair (X, y) prepared as the training series, or None."""
        if monitor is None:
            return None
        if not isinstance(monitor, tuple | list) or len(monitor) != 2:
            raise ValueError(
                f"monitor must be a pair (X, y) of series and their targets; got "
                f"{type(monitor).__name__}"
            )
        X, y = monitor
        x, steps = inputs.network_inputs(self, *inputs.validated(self, X, reset=False))
        Y = self._task.monitored(self, y, x.shape[0], steps)
        return Series(x, Y.astype(self.dtype), steps)

    def _train(self, loop, data, val, callback, monitor, before: dict) -> Self:
        """(bptt) Run the epoch loop; the networks and the history are set even when it fails.

        Ctrl-C (KeyboardInterrupt) mid-round is raised again, Python's convention (a
        script, a notebook cell or a search over parameters stops as asked), with the
        estimator fitted to the last whole round, as a callback's stop leaves it: the loop
        has put every network back to that round's end (never weights of no single step),
        ``history_`` holds the rounds done and ``stopped_by_`` is "interrupted".  Before
        the first whole round there is nothing trained to keep: the estimator is put back
        as it was (``before``: unfitted, or its previous fit), as a reservoir fit stopped
        by Ctrl-C leaves it, so that ``check_is_fitted`` raises rather than the networks as
        drawn passing for a model.
        """
        try:  # from here on every attribute belongs to this fit, even when training fails
            self.stopped_by_ = loop.run(data, val, callback, monitor)
        except KeyboardInterrupt:
            if loop.epoch == 0:  # no whole round (a resumed run has its state's rounds)
                self._put_back(before)
                raise
            self.stopped_by_ = "interrupted"
            self._keep(loop)
            raise
        except BaseException:
            self._keep(loop)
            raise
        self._keep(loop)
        return self

    def _keep(self, loop) -> None:
        """(bptt) The loop's networks (the last whole round's, or the best), history and
        rounds as the fitted attributes."""
        self.networks_ = [detached(member.model) for member in loop.members]
        self.history_ = loop.history
        self.loss_curve_ = list(loop.history["loss"])
        self.n_iter_ = loop.epoch

    # -- outputs --------------------------------------------------------------------------
    def _outputs(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The fitted model's outputs on X in the task's units: (n, K), or (n, T', K) per
        step; and the lengths (n,) they have."""
        check_is_fitted(self, self._task.marker)
        x, lengths = inputs.validated(self, X, reset=False)
        # series far from the training lengths; X's shape for the hint of one series
        first = self.data_format == "channels_first"  # (n, C, T): no (T, 1) to mistake
        warn_far(self, lengths, shape=None if first else getattr(X, "shape", None))
        reservoir = getattr(self, "reservoir_", None)  # the model this fit made
        if reservoir is not None:
            if not reservoir.features_.normalise:
                x = inputs.standardised(self, x, lengths)
            return reservoir.predict(Series(x, None, lengths)), lengths
        x, steps = inputs.network_inputs(self, x, lengths)
        return ensemble.outputs(self.networks_, x, steps, self._task.per_step(self)), steps

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
