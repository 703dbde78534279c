"""The estimators' reservoirs: the ReservoirFeatures their parameters describe.

Both estimators read the same parameters (``hidden_size`` is each reservoir's I,
``n_reservoirs`` their number); the classifier opens more knobs (``taps``, ``max_steps``,
``n_thresholds``, ``spectral_radius``, ``input_scale``, ``n_jobs``), and an estimator's
``_reservoir_settings`` fix where its reservoirs depart from the defaults.  The seed goes
to the features as it is: their one seeding rule (:func:`frnn.reservoir.features.seed`).
"""

from __future__ import annotations

import numpy as np

from .._validate import InvalidParameterError
from ..data.series import Series
from ..data.weights import combined
from ..reservoir.classifier import scale_shrink, warn_thin_classes
from ..reservoir.features import ReservoirFeatures
from ..reservoir.persist import BEFORE_5
from ..reservoir.readout import ReservoirReadout
from . import inputs

__all__ = [
    "FEATURES",
    "check",
    "features",
    "fit",
    "readout_problem",
    "refuse_changed",
    "warn_unseen",
]

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


def check(est) -> None:
    """Refuse reservoir parameters that ReservoirFeatures refuses, in either mode (a model
    file keeps every parameter, so a loaded one is held to the same rules), named as the
    estimator names them: rho → spectral_radius."""
    try:
        features(est, allocate=False)
    except ValueError as error:
        text = str(error)
        for ours, theirs in FEATURES.items():
            if text.startswith(f"{theirs} "):
                text = ours + text[len(theirs) :]
        raise InvalidParameterError(text) from None


def refuse_changed(est, what: str) -> None:
    """Refuse to go on with a fitted estimator whose reservoir parameters ``set_params``
    changed after the fit (``what``: "be saved", a file ``load`` would refuse as damaged;
    "take more chunks", which the reservoirs fitted would read all the same).  The
    parameters the estimator's settings fix, now or in an earlier version, are not the
    user's to change.  ``n_jobs`` (threads, which change no model) is taken as set."""
    params = est.get_params(deep=False)
    fitted = est.reservoir_.features_
    if "n_jobs" in params:
        fitted.n_jobs = params["n_jobs"]
    drawn = features(est, allocate=False)
    fixed = set(est._reservoir_settings).union(*est._earlier_reservoir_settings)
    changed = [
        (ours, theirs)
        for ours, theirs in FEATURES.items()
        if ours in params
        and theirs not in fixed
        and _value(drawn, theirs) != _value(fitted, theirs)
    ]
    if changed:
        now = ", ".join(f"{ours}={params[ours]!r}" for ours, _ in changed)
        then = ", ".join(f"{_value(fitted, theirs)!r}" for _, theirs in changed)
        raise ValueError(
            f"{type(est).__name__} cannot {what}: {now} set after fit, but its reservoirs "
            f"were fitted with {then}; set it back, or fit again"
        )


def _value(features, name: str):
    """A ReservoirFeatures parameter, a range as a tuple of floats (a file's list)."""
    value = getattr(features, name)
    return tuple(float(v) for v in value) if isinstance(value, tuple | list) else value


def features(
    est, allocate: bool = True, before: bool = False, earlier: int = 0
) -> ReservoirFeatures:
    """The unfitted ReservoirFeatures that ``est``'s parameters describe, checked (and, to
    be drawn, ``allocate``, small enough to be drawn); ``before``: those they described
    before model files of version 5 (``frnn.reservoir.persist.BEFORE_5``), and before
    every change of the estimator's reservoirs; ``earlier``: those they described before
    the last ``earlier`` changes (what a model file saved then records: today's settings
    with the first ``earlier`` entries of ``_earlier_reservoir_settings`` laid over them)."""
    params = est.get_params(deep=False)
    settings = {theirs: params[ours] for ours, theirs in FEATURES.items() if ours in params}
    if settings.get("units", 0) is None:  # hidden_size=None: ReservoirFeatures' I (32)
        del settings["units"]
    for ours, theirs in (("spectral_radius", "rho"), ("input_scale", "scales")):
        if theirs in settings:
            settings[theirs] = _pair(settings[theirs], ours)
    if before:
        settings = BEFORE_5 | settings
    settings |= est._reservoir_settings
    changes = est._earlier_reservoir_settings  # newest change first
    for replaced in changes if before else changes[:earlier]:  # files before 5: before all
        settings |= replaced
    drawn = ReservoirFeatures(**settings, random_state=est.random_state)
    drawn._check_parameters()
    if not allocate:
        return drawn
    I, taps, k = drawn.units, drawn.taps, drawn.n_thresholds
    need = 8 * drawn.n_reservoirs * (I * I + I * taps + I * (1 + k))  # R, W, b, θ
    if need > _MAX_PARAMETER_BYTES:  # refused before any allocation (one input channel)
        raise ValueError(
            f"hidden_size={I} and n_reservoirs={drawn.n_reservoirs} need about "
            f"{need / 2**30:,.0f} GiB for the reservoirs' weights alone (at most "
            f"{_MAX_PARAMETER_BYTES / 2**30:.0f} GiB); choose smaller ones"
        )
    return drawn


def fit(est, x, lengths, Y, callback, sums: bool = False, sample_weight=None) -> None:
    """(reservoir) Draw the reservoirs and fit the read-out to the task's targets;
    ``sums`` keeps the read-out's sums for ``partial_fit``, whose read-out stands
    alone (no nearest series: they would have to grow with every chunk) and weighs
    every feature alike (ω = 1: the sums' scaling).  ``sample_weight`` (n,) or None,
    checked (:func:`frnn.data.weights.checked`), times the class weights."""
    drawn, targets, weights = readout_problem(est, Y, sample_weight)
    codes = warn_unseen(est, Y, first_chunk=sums)  # (n,) a classifier's classes, else None
    if not drawn.normalise:  # the reservoirs read the series as given: standardised
        inputs.fit_standardisation(est, x, lengths)
        x = inputs.standardised(est, x, lengths)
    hook = None if callback is None else lambda done, of: callback({"reservoir": done, "of": of})
    series = Series(x, None, lengths)
    beta = 0.0 if sums else est._task.neighbour_weight(est)
    omegas = (1.0,) if sums else est._task.statistics_weights(est)
    crops = est._task.crops(est)  # a classifier's: crops of few series
    gap = est._task.loo_gap(est, x, lengths, targets)  # a regressor's: windows' neighbours
    shrink = 0.0 if sums or codes is None else scale_shrink(codes, len(est.classes_))
    model = ReservoirReadout(
        drawn, neighbour_weight=beta, statistics_weights=omegas, crops=crops, gap=gap or 0
    ).fit(series, targets, sample_weight=weights, callback=hook, sums=sums, shrink=shrink)
    est.reservoir_, est.alpha_ = model, model.alpha_
    if gap is not None:
        est.loo_gap_ = model.readout_.gap
    est._task.calibrate(est, Y, sample_weight)  # τ: as copies would, class weights aside


def warn_unseen(est, Y, first_chunk: bool = False) -> np.ndarray | None:
    """(classifier) Warn of a class that the leave-one-out choosing α, β and τ on these
    series cannot see (:func:`frnn.reservoir.classifier.warn_thin_classes`); return
    the series' classes (n,), or None for a task without classes."""
    codes = est._task.loo_classes(est, Y)
    if codes is not None:
        warn_thin_classes(est.classes_, codes, first_chunk=first_chunk)
    return codes


def readout_problem(
    est, Y, sample_weight=None
) -> tuple[ReservoirFeatures, np.ndarray, np.ndarray | None]:
    """(reservoir) The unfitted features and what the read-out fits to the encoded Y:
    targets (n, K') and weights (n,) or None, the class weights times ``sample_weight``
    (n,) or None; targets it cannot fit are refused."""
    if est._task.per_step(est):
        raise ValueError(
            "y holds a value per step (sequence targets), which training='reservoir' "
            "does not fit (its read-out sees pooled states); pass training='bptt'"
        )
    est._task.check_reservoir(est, Y)
    targets, class_weights = est._task.readout_targets(est, Y, sample_weight)
    return features(est), targets, combined(class_weights, sample_weight)


def _pair(value, name: str) -> tuple[float, float]:
    """(low, high) from a pair of numbers (a JSON list from a config file is fine too)."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high) of numbers; got {value!r}") from None
    return low, high
