"""Series far from the training lengths are warned about (frnn.LengthWarning).

Every estimator that reads series records the shortest and the longest training length
(``min_length_``, ``max_length_``: a variable-length set's, ``partial_fit``'s over every
chunk, a dask fit's) and warns, once a call, when ``predict``, ``predict_proba``,
``decision_function`` or ``score`` get series shorter than ``SHORT_FRACTION`` of the
shortest or longer than ``LONG_FACTOR`` times the longest (``BPTT_LONG_FACTOR`` for networks
trained by BPTT); never at the training lengths nor at the bounds.  The lengths survive
``save`` / ``load``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import frnn
from frnn.data.lengths import BPTT_LONG_FACTOR, LONG_FACTOR, SHORT_FRACTION
from frnn.reservoir import ReservoirClassifier

T = 20  # the training series' length; the bound below which a warning is due:
BOUND = int(np.ceil(SHORT_FRACTION * T))  # 15 steps and more: no warning

ESTIMATORS = {
    "classifier": lambda: frnn.RNNClassifier(n_reservoirs=4, hidden_size=8, random_state=0),
    "classifier-bptt": lambda: frnn.RNNClassifier(
        training="bptt", hidden_size=4, n_ensemble=1, steps=4, batch_size=8, random_state=0
    ),
    "regressor": lambda: frnn.RNNRegressor(n_reservoirs=4, hidden_size=8, random_state=0),
    "regressor-bptt": lambda: frnn.RNNRegressor(
        training="bptt", hidden_size=4, n_ensemble=1, steps=4, batch_size=8, random_state=0
    ),
    "reservoir-classifier": lambda: ReservoirClassifier(n_reservoirs=4, units=8, random_state=0),
}
METHODS = {  # what each kind predicts with; score takes y too
    "classifier": ("predict", "predict_proba", "decision_function", "score"),
    "regressor": ("predict", "score"),
}


def _factor(kind: str) -> float:
    """The bound on longer series of each kind: BPTT networks are hurt sooner."""
    return BPTT_LONG_FACTOR if kind.endswith("bptt") else LONG_FACTOR


def _long(kind: str, longest: int = T) -> int:
    """The longest series ``kind`` predicts without a warning: 30 steps of 20 (24 BPTT)."""
    return int(_factor(kind) * longest)


def _methods(kind: str) -> tuple[str, ...]:
    return METHODS["regressor" if kind.startswith("regressor") else "classifier"]


def _series(n: int, lengths, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """n series (lengths cycled), two classes (a sine or its negative), as a list of (T_i, 1)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = [
        (1 - 2 * y[i]) * np.sin(np.arange(L) / 3)[:, None] + 0.1 * rng.standard_normal((L, 1))
        for i, L in zip(range(n), np.resize(lengths, n), strict=True)
    ]
    return X, y


def _fitted(kind: str, lengths=(T,)):
    X, y = _series(16, lengths)
    return ESTIMATORS[kind]().fit(X, y)


def _call(model, method: str, X, y):
    return getattr(model, method)(*((X, y) if method == "score" else (X,)))


def _length_warnings(model, method: str, X, y) -> list[str]:
    """The LengthWarnings one call gives (any other warning is an error, as in the suite)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        warnings.simplefilter("always", frnn.LengthWarning)
        _call(model, method, X, y)
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_every_estimator_records_its_training_lengths(kind):
    model = _fitted(kind, lengths=(12, 20, 17))
    assert (model.min_length_, model.max_length_) == (12, 20)
    assert isinstance(model.min_length_, int) and isinstance(model.max_length_, int)
    model.fit(*_series(16, (T,)))  # a refit records its own
    assert (model.min_length_, model.max_length_) == (T, T)


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_series_shorter_than_the_bound_are_warned_about_once_a_call(kind):
    model = _fitted(kind)
    X, y = _series(8, (T, BOUND - 1, T, 3), seed=1)  # 4 of 8 short
    for method in _methods(kind):
        said = _length_warnings(model, method, X, y)
        assert len(said) == 1, (method, said)
        assert said[0].startswith(
            f"4 of 8 series of X are shorter than {SHORT_FRACTION:.0%} of the shortest "
            f"training series ({T} steps)"
        ), said[0]
        assert "predictions for them are unreliable" in said[0]


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_series_longer_than_the_bound_are_warned_about_in_the_same_warning(kind):
    model = _fitted(kind)
    X, y = _series(6, (_long(kind) + 1, T, 3 * T), seed=1)  # 4 of 6 long
    for method in _methods(kind):
        (said,) = _length_warnings(model, method, X, y)
        assert said.startswith(
            f"4 of 6 series of X are longer than {_factor(kind):g} times the longest training "
            f"series ({T} steps): predictions for them are unreliable"
        ), said
    X, y = _series(6, (_long(kind) + 1, 2), seed=1)  # 3 long, 3 short: one warning, both
    (said,) = _length_warnings(model, "predict", X, y)
    assert said.startswith(f"3 of 6 series of X are shorter than {SHORT_FRACTION:.0%}")
    assert f"; 3 of 6 series of X are longer than {_factor(kind):g} times" in said


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_no_warning_at_the_training_length_nor_at_the_bound(kind):
    model = _fitted(kind)
    for lengths in ((T,), (BOUND,), (_long(kind),), (T, BOUND, _long(kind))):
        X, y = _series(6, lengths, seed=2)
        for method in _methods(kind):
            assert _length_warnings(model, method, X, y) == [], (lengths, method)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_bptt_networks_warn_sooner_of_longer_series_as_their_fit_decides(kind):
    between = _long(kind + "-bptt") + 2  # beyond the BPTT bound, within the reservoir's
    assert _long(kind + "-bptt") < between <= _long(kind)
    X, y = _series(4, (between,), seed=4)
    reservoir, bptt = _fitted(kind), _fitted(kind + "-bptt")
    assert _length_warnings(reservoir, "predict", X, y) == []
    (said,) = _length_warnings(bptt, "predict", X, y)
    assert f"longer than {BPTT_LONG_FACTOR:g} times the longest training series" in said
    # set_params does not refit: the bound stays the fitted model's
    reservoir.set_params(training="bptt")
    bptt.set_params(training="reservoir")
    assert _length_warnings(reservoir, "predict", X, y) == []
    assert len(_length_warnings(bptt, "predict", X, y)) == 1


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_a_variable_length_training_set_is_measured_by_its_shortest_series(kind):
    model = _fitted(kind, lengths=(12, 20, 30))
    shortest, longest = int(np.ceil(SHORT_FRACTION * 12)), _long(kind, 30)
    X, y = _series(4, (shortest, longest), seed=3)  # far from 20, within 12's and 30's bounds
    assert _length_warnings(model, "predict", X, y) == []
    X, y = _series(4, (shortest - 1,), seed=3)
    (said,) = _length_warnings(model, "predict", X, y)
    assert said.startswith("4 of 4 series of X are shorter") and "(12 steps)" in said
    X, y = _series(4, (longest + 1,), seed=3)
    (said,) = _length_warnings(model, "predict", X, y)
    assert said.startswith("4 of 4 series of X are longer") and "(30 steps)" in said


def test_a_single_series_is_named_as_one():
    model = _fitted("classifier")
    (said,) = _length_warnings(model, "predict", np.zeros((1, 3)), None)
    assert said.startswith("the series of X is shorter than")


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_partial_fit_records_the_lengths_of_every_chunk(kind):
    model = ESTIMATORS[kind]()
    extra = {"classes": [0, 1]} if kind == "classifier" else {}
    model.partial_fit(*_series(8, (T,)), **extra)
    assert (model.min_length_, model.max_length_) == (T, T)
    model.partial_fit(*_series(8, (10, 15), seed=1))
    assert (model.min_length_, model.max_length_) == (10, T)  # the first chunk's T kept
    X, y = _series(4, (10, _long(kind + "-bptt")), seed=2)  # partial_fit is BPTT: no warning
    assert _length_warnings(model, "predict", X, y) == []
    X, y = _series(4, (int(np.ceil(SHORT_FRACTION * 10)) - 1,), seed=2)
    assert len(_length_warnings(model, "predict", X, y)) == 1


def test_fit_stream_records_the_validation_series():
    model = ESTIMATORS["classifier-bptt"]()
    X, y = _series(8, (T,))
    model.fit_stream(lambda rng: _series(8, (T,), seed=int(rng.integers(99))), validation=(X, y))
    assert (model.min_length_, model.max_length_) == (T, T)


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_a_refused_refit_keeps_the_lengths_of_the_fit_before(kind):
    model = _fitted(kind)
    X, _ = _series(4, (5,))
    with pytest.raises(ValueError):
        model.fit(X, np.array([0, 1, np.nan, 1]))
    assert (model.min_length_, model.max_length_) == (T, T)  # every fit is transactional


@pytest.mark.parametrize("kind", ["classifier", "classifier-bptt", "regressor", "regressor-bptt"])
def test_the_lengths_survive_save_and_load(kind, tmp_path):
    model = _fitted(kind, lengths=(12, 20))
    frnn.save(model, tmp_path / "model.npz")
    loaded = frnn.load(tmp_path / "model.npz")
    assert (loaded.min_length_, loaded.max_length_) == (12, 20)
    X, y = _series(4, (4,), seed=1)
    for method in _methods(kind):
        assert len(_length_warnings(loaded, method, X, y)) == 1, method


def test_a_dask_array_is_warned_about_once_for_the_whole_array():
    da = pytest.importorskip("dask.array")
    import dask

    X, y = _series(16, (T,))
    model = frnn.RNNClassifier(n_reservoirs=4, hidden_size=8, random_state=0)
    with dask.config.set(scheduler="synchronous"):
        model.fit(da.from_array(np.stack(X), chunks=(4, T, 1)), y)
        assert (model.min_length_, model.max_length_) == (T, T)
        short = da.from_array(np.stack(X)[:, :3], chunks=(4, 3, 1))  # 4 chunks
        for method in ("predict", "predict_proba", "decision_function", "score"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("error")
                warnings.simplefilter("always", frnn.LengthWarning)
                result = _call(model, method, short, y)
                if method != "score":
                    result.compute()
            said = [str(w.message) for w in caught]
            assert len(said) == 1, (method, said)
            assert said[0].startswith("16 of 16 series of X are shorter than"), said


@pytest.mark.parametrize("kind", ["classifier", "regressor-bptt", "reservoir-classifier"])
def test_the_warning_names_the_callers_line_even_through_scikit_learns_score(kind):
    model = _fitted(kind)
    X, y = _series(4, (3,), seed=1)
    for method in _methods(kind):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", frnn.LengthWarning)
            _call(model, method, X, y)
        assert [w.filename for w in caught] == [__file__], method
