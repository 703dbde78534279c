"""Results that repeat: the same ``random_state`` gives the same bits on a refit, after
``clone``, after a save/load round trip, from float32 data or its float64 copy, and when two
estimators fit from two threads at once; ``random_state=None`` draws a new model each fit."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sklearn.base import clone

import frnn
from frnn.reservoir import ReservoirClassifier

BPTT = dict(training="bptt", steps=10, n_ensemble=2, hidden_size=4)
ESTIMATORS = {  # neighbour_weight=0: the output is the reservoirs', whose draw is under test
    "classifier reservoir": lambda **k: frnn.RNNClassifier(n_reservoirs=2, neighbour_weight=0, **k),
    "classifier bptt": lambda **k: frnn.RNNClassifier(**BPTT, **k),
    "ReservoirClassifier": lambda **k: ReservoirClassifier(n_reservoirs=2, neighbour_weight=0, **k),
    "regressor reservoir": lambda **k: frnn.RNNRegressor(n_reservoirs=2, **k),
    "regressor bptt": lambda **k: frnn.RNNRegressor(**BPTT, **k),
}


def _data(kind, n=24, T=20, D=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T, D))
    classes = np.arange(n) % 3
    X[classes == 1] += np.sin(np.linspace(0, 6, T))[:, None]
    y = X[:, :, 0].mean(axis=1) if "regressor" in kind else classes
    return X, y


def _output(est, X) -> np.ndarray:
    return np.asarray(
        est.decision_function(X) if hasattr(est, "decision_function") else est.predict(X)
    )


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_the_same_seed_gives_the_same_bits_on_refit_clone_and_float32(kind):
    X, y = _data(kind)
    X_new, _ = _data(kind, n=7, seed=1)
    est = ESTIMATORS[kind](random_state=0).fit(X, y)
    first = _output(est, X_new)
    assert _output(est.fit(X, y), X_new).tobytes() == first.tobytes()
    assert _output(clone(est).fit(X, y), X_new).tobytes() == first.tobytes()
    X32 = X.astype(np.float32)  # the same values in float32 or float64: one model
    a = _output(ESTIMATORS[kind](random_state=0).fit(X32, y), X_new)
    b = _output(ESTIMATORS[kind](random_state=0).fit(X32.astype(np.float64), y), X_new)
    assert a.tobytes() == b.tobytes()
    seeded = [ESTIMATORS[kind](random_state=np.random.RandomState(3)).fit(X, y) for _ in "ab"]
    assert _output(seeded[0], X_new).tobytes() == _output(seeded[1], X_new).tobytes()


@pytest.mark.parametrize("kind", [k for k in ESTIMATORS if k != "ReservoirClassifier"])
def test_a_saved_model_and_its_parameters_give_the_same_bits(kind, tmp_path):
    X, y = _data(kind)
    X_new, _ = _data(kind, n=7, seed=1)
    est = ESTIMATORS[kind](random_state=0).fit(X, y)
    frnn.save(est, tmp_path / "model.npz")
    loaded = frnn.load(tmp_path / "model.npz")
    assert _output(loaded, X_new).tobytes() == _output(est, X_new).tobytes()
    refit = clone(loaded).fit(X, y)  # the file's parameters make the same model again
    assert _output(refit, X_new).tobytes() == _output(est, X_new).tobytes()


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_no_seed_draws_another_model_each_fit(kind):
    X, y = _data(kind)
    a, b = (_output(ESTIMATORS[kind]().fit(X, y), X) for _ in "ab")
    assert not np.array_equal(a, b)


def test_estimators_fitting_in_two_threads_at_once_get_their_serial_results():
    """Each kind fitted with seeds 0 and 1 from two threads at once (the reservoirs' compiled
    loop, BLAS, the BPTT trainer and the read-out all run concurrently), twice over."""
    jobs = [(kind, seed) for kind in ESTIMATORS for seed in (0, 1)]
    data = {kind: _data(kind) for kind in ESTIMATORS}
    alone = {}
    for kind, seed in jobs:
        X, y = data[kind]
        alone[kind, seed] = _output(ESTIMATORS[kind](random_state=seed).fit(X, y), X)
    results, errors = {}, []

    def fit(job, slot):
        try:
            X, y = data[job[0]]
            results[job, slot] = _output(ESTIMATORS[job[0]](random_state=job[1]).fit(X, y), X)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    for slot in range(2):
        for kind in ESTIMATORS:
            threads = [threading.Thread(target=fit, args=((kind, s), slot)) for s in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    assert not errors, errors[0]
    for (job, _slot), value in results.items():
        assert value.tobytes() == alone[job].tobytes(), job


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_n_jobs_changes_no_bit(kind):
    """What docs/practitioners.md promises: the reservoirs run side by side on n_jobs
    threads, each writing its own columns, so any n_jobs gives the model of one thread (a
    BPTT estimator takes n_jobs and runs as before).  The regressor's reservoirs run so too
    (it had no n_jobs)."""
    X, y = _data(kind)
    X_new, _ = _data(kind, n=7, seed=1)
    one = _output(ESTIMATORS[kind](random_state=0).fit(X, y), X_new)
    for n_jobs in (1, 2, -1):
        est = ESTIMATORS[kind](random_state=0, n_jobs=n_jobs).fit(X, y)
        assert _output(est, X_new).tobytes() == one.tobytes(), n_jobs
