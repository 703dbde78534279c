"""The one core under ``RNNClassifier`` and ``RNNRegressor``: parameters, fit and the input path.

    X → checked (n, T, D) → standardised → framed → a reservoir read-out, z = V·features + c,
                                                  or an ensemble trained by BPTT, z = V a(T) + c

Both estimators are this class with a :class:`~frnn.estimators.tasks.Task` (scikit-learn's
``is_classifier``, made an object): the task encodes the targets, names the networks' loss,
scores and decodes; everything else is here, once.  ``fit`` is transactional: data refused
before training starts (a bad parameter, NaN, one class) leaves a previous fit untouched,
and an error during BPTT training leaves that fit's last finite parameters.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import sys
from typing import Any, Self

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from .._typing import Callback
from ..data import inputs
from ..data.series import Series
from ..engine.protocol import detached
from ..reservoir.features import ReservoirFeatures
from ..reservoir.readout import ReservoirReadout
from ..training import ensemble
from ..training.ensemble import EnsembleSpec
from ..training.loop import Settings
from .params import check_params
from .tasks import Task

__all__ = ["FEATURES", "STEPS", "RNNEstimator", "chunkwise", "is_dask"]

STEPS = 10  # frame_size=None aims at about this many network steps

#: The estimators' parameters -> ReservoirFeatures': the names read as the equations do
#: (hidden_size is I in both modes; spectral_radius is ρ(R); input_scale the std of W u).
FEATURES = {
    "hidden_size": "units",
    "n_reservoirs": "n_reservoirs",
    "taps": "taps",
    "max_steps": "max_steps",
    "n_thresholds": "n_thresholds",
    "spectral_radius": "rho",
    "input_scale": "scales",
    "n_jobs": "n_jobs",
}
_MAX_PARAMETER_BYTES = 2**34  # 16 GiB, as for the BPTT networks
_SPEC = [f.name for f in dataclasses.fields(EnsembleSpec) if f.name not in ("loss", "settings")]
_TASK = ("accuracy", "class_weights", "target_scale")  # the loop's settings the task gives
_LOOP = [f.name for f in dataclasses.fields(Settings) if f.name not in _TASK]


class RNNEstimator(BaseEstimator):
    """The fit, the input path and the outputs that both estimators share.

    A subclass sets ``_task`` and, where its reservoirs depart from ReservoirFeatures'
    defaults, ``_reservoir_settings``; its ``__init__`` lists its parameters (scikit-learn
    reads them from the signature) and hands them to :meth:`_keep`.
    """

    _task: Task
    _reservoir_settings: dict[str, Any] = {}
    # What one fit sets besides the task's attributes; a refit (in either mode) drops them.
    _FITTED = ("reservoir_", "alpha_", "networks_", "history_", "loss_curve_", "n_iter_")
    _FITTED += ("stopped_by_", "frame_size_", "mean_", "std_")

    def _keep(self, arguments: dict[str, Any]) -> None:
        """Set each ``__init__`` argument as the attribute of its name, as scikit-learn asks."""
        vars(self).update({k: v for k, v in arguments.items() if k not in ("self", "__class__")})

    # -- fitting --------------------------------------------------------------------------
    def fit(
        self,
        X: Any,
        y: Any,
        *,
        callback: Callback | None = None,
        resume_state: dict[str, Any] | None = None,
        monitor: tuple[Any, Any] | None = None,
    ) -> Self:
        """Fit to series X and targets y (see the estimator's own ``fit``)."""
        before = dict(self.__dict__)  # a fit refused before training leaves the old fit
        try:
            check_params(self)
            for name in self._FITTED:  # a refit in the other mode starts clean
                self.__dict__.pop(name, None)
            if is_dask(X):  # chunk by chunk on dask's workers: frnn.estimators.chunked
                from . import chunked

                chunked.fit(self, X, y, callback, resume_state, monitor)
                return self
            x, lengths = self._validated(X, reset=True)  # (n, T, D)
            Y = self._task.encode(self, y, lengths)  # (n, K) or (n, T, K)
            if self.training == "reservoir":  # one closed-form fit: all or nothing
                if resume_state is not None or monitor is not None:
                    raise ValueError("resume_state and monitor apply to training='bptt' only")
                self._fit_reservoir(x, lengths, Y, callback)
                return self
            loop, data, val = self._prepare_bptt(x, lengths, Y, resume_state)
            watched = self._monitored(monitor)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self._train(loop, data, val, callback, watched)

    def _fit_reservoir(self, x, lengths, Y, callback, sums: bool = False) -> None:
        """(reservoir) Draw the reservoirs and fit the read-out to the task's targets;
        ``sums`` keeps the read-out's sums for ``partial_fit``."""
        features, targets, weights = self._readout_problem(Y)
        if not features.normalise:  # the reservoirs read the series as given: standardised
            self._fit_standardisation(x, lengths)
            x = self._standardised(x, lengths)
        hook = (
            None if callback is None else lambda done, of: callback({"reservoir": done, "of": of})
        )
        series = Series(x, None, lengths)
        model = ReservoirReadout(features).fit(
            series, targets, sample_weight=weights, callback=hook, sums=sums
        )
        self.reservoir_, self.alpha_ = model, model.alpha_
        self._task.calibrate(self, Y)

    def _readout_problem(self, Y) -> tuple[ReservoirFeatures, np.ndarray, np.ndarray | None]:
        """(reservoir) The unfitted features and what the read-out fits to the encoded Y:
        targets (n, K') and weights (n,) or None; targets it cannot fit are refused."""
        if self._task.per_step(self):
            raise ValueError(
                "y holds a value per step (sequence targets), which training='reservoir' "
                "does not fit (its read-out sees pooled states); pass training='bptt'"
            )
        self._task.check_reservoir(self, Y)
        return self._reservoir_features(), *self._task.readout_targets(self, Y)

    def _reservoir_features(self) -> ReservoirFeatures:
        """The unfitted ReservoirFeatures that this estimator's parameters describe."""
        params = self.get_params(deep=False)
        settings = {theirs: params[ours] for ours, theirs in FEATURES.items() if ours in params}
        for ours, theirs in (("spectral_radius", "rho"), ("input_scale", "scales")):
            if theirs in settings:
                settings[theirs] = _pair(settings[theirs], ours)
        features = ReservoirFeatures(
            **settings, **self._reservoir_settings, random_state=self.random_state
        )
        I, taps, k = features.units, features.taps, features.n_thresholds
        need = 8 * features.n_reservoirs * (I * I + I * taps + I * (1 + k))  # R, W, b, θ
        if need > _MAX_PARAMETER_BYTES:  # refused before any allocation (one input channel)
            raise ValueError(
                f"hidden_size={I} and n_reservoirs={features.n_reservoirs} need about "
                f"{need / 2**30:,.0f} GiB for the reservoirs' weights alone (at most "
                f"{_MAX_PARAMETER_BYTES / 2**30:.0f} GiB); choose smaller ones"
            )
        return features

    def _prepare_bptt(self, x, lengths, Y, resume_state):
        """(bptt) The epoch loop and its data; everything that can refuse before training."""
        f = self.frame_size or max(1, math.ceil(int(lengths.max()) / STEPS))
        if self._task.per_step(self):  # a target per step: one sample a step, no chunks
            if self.frame_size not in (None, 1) or self.chunk_length is not None:
                raise ValueError(
                    "sequence targets (a value per step) need frame_size=None or 1 and "
                    f"chunk_length=None; got frame_size={self.frame_size}, "
                    f"chunk_length={self.chunk_length}"
                )
            f = 1
        self._fit_standardisation(x, lengths)
        self.frame_size_ = f
        x, steps = self._network_inputs(x, lengths)  # (n, T', f·D)
        options = self._task.ensemble_options(self, Y)
        settings = Settings(**{name: getattr(self, name) for name in _LOOP}, **options)
        spec = EnsembleSpec(
            **{name: getattr(self, name) for name in _SPEC}, loss=self._task.loss, settings=settings
        )
        return ensemble.prepare(spec, x, steps, Y.astype(self.dtype), resume_state)

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
        x, steps = self._network_inputs(*self._validated(X, reset=False))
        Y = self._task.monitored(self, y, x.shape[0], steps)
        return Series(x, Y.astype(self.dtype), steps)

    def _train(self, loop, data, val, callback, monitor) -> Self:
        """(bptt) Run the epoch loop; the networks and the history are set even when it fails."""
        try:  # from here on every attribute belongs to this fit, even when training fails
            self.stopped_by_ = loop.run(data, val, callback, monitor)
        finally:
            self.networks_ = [detached(member.model) for member in loop.members]
            self.history_ = loop.history
            self.loss_curve_ = list(loop.history["loss"])
            self.n_iter_ = loop.epoch
        return self

    # -- the input path -------------------------------------------------------------------
    def _validated(self, X, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        """X checked: zero-padded (n, T, D) float64 and lengths (n,).

        (n, T) arrays are tables to scikit-learn: they go through its ``validate_data``
        (feature names, ``n_features_in_`` = T).  Sequences keep ``n_features_in_`` = D,
        checked when predicting.  ``reset`` (in ``fit``) records what later calls are
        checked against.
        """
        if reset:
            for attr in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(attr, None)
        ragged = isinstance(X, Series) or (isinstance(X, list | tuple) and inputs.ragged(X))
        two_d = not ragged and (X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim) == 2
        if two_d and (reset or self.tabular_):
            X = validate_data(self, X, reset=reset, dtype=np.float64)
        x, lengths, tabular = inputs.as_sequences(X)
        if reset:
            self.tabular_ = tabular
            if not tabular:
                self.n_features_in_ = x.shape[2]
        elif not self.tabular_ and x.shape[2] != self.n_features_in_:
            raise ValueError(
                f"X has {x.shape[2]} features per step, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input"
            )
        return x, lengths

    def _fit_standardisation(self, x: np.ndarray, lengths: np.ndarray) -> None:
        """``mean_``, ``std_`` (D,) of the training series (0 and 1: ``standardize=False``)."""
        self._keep_standardisation(*inputs.standardisation(x, lengths))

    def _keep_standardisation(self, mean: np.ndarray, std: np.ndarray) -> None:
        """``mean_``, ``std_`` (D,): the training series' (0 and 1: ``standardize=False``)."""
        self.mean_, self.std_ = mean, std
        if not self.standardize:
            self.mean_, self.std_ = np.zeros_like(self.mean_), np.ones_like(self.std_)

    def _standardised(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        return inputs.standardise(x, lengths, self.mean_, self.std_)  # (n, T, D)

    def _network_inputs(self, x, lengths) -> tuple[np.ndarray, np.ndarray]:
        """(bptt) What the networks read: standardised, framed inputs (n, T', f·D) in the
        dtype, and the steps (n,)."""
        x, steps = inputs.frame(self._standardised(x, lengths), lengths, self.frame_size_)
        return x.astype(self.dtype), steps

    # -- outputs --------------------------------------------------------------------------
    def _outputs(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The fitted model's outputs on X in the task's units: (n, K), or (n, T', K) per
        step; and the lengths (n,) they have."""
        check_is_fitted(self, self._task.marker)
        x, lengths = self._validated(X, reset=False)
        reservoir = getattr(self, "reservoir_", None)  # the model this fit made
        if reservoir is not None:
            if not reservoir.features_.normalise:
                x = self._standardised(x, lengths)
            return reservoir.predict(Series(x, None, lengths)), lengths
        x, steps = self._network_inputs(x, lengths)
        return ensemble.outputs(self.networks_, x, steps, self._task.per_step(self)), steps

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


def _pair(value, name: str) -> tuple[float, float]:
    """(low, high) from a pair of numbers (a JSON list from a config file is fine too)."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers; got {value!r}") from None
    return low, high


def is_dask(X) -> bool:
    """Whether X is a dask array, asked without importing dask (a dask array exists only
    once ``dask.array`` has been imported)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


def chunkwise(method):
    """A method of X (predict, ...) that maps a dask array X chunk by chunk, lazily, into
    a dask array (:func:`frnn.estimators.chunked.lazy`); any other X as it is."""

    @functools.wraps(method)
    def wrapped(self, X, *args, **kwargs):
        if is_dask(X):
            from . import chunked

            return chunked.lazy(method, self, X, *args, **kwargs)
        return method(self, X, *args, **kwargs)

    return wrapped
