"""Fit and predict on dask arrays, on a real cluster: distributed.LocalCluster, two worker
processes with a memory limit each.

The chunked fit (frnn.estimators.chunked) must make the model the in-memory fit makes from
the same series and random_state: decision values to 1e-8 relative, the same predictions,
α and τ.  It is checked where the in-memory ridge solves in the dual (n ≤ p) and in the
primal (n > p).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import dask
import dask.array as da
import joblib
import numpy as np
import pytest
from distributed import Client, KilledWorker, LocalCluster
from sklearn.model_selection import GridSearchCV

import frnn
from helpers import three_waves

SMALL = dict(n_reservoirs=4, hidden_size=8, random_state=3)  # p = 224 (classifier), 32


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit="1.5GiB",
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _relative(a, b) -> float:
    return float(np.abs(a - b).max() / np.abs(a).max())


@pytest.mark.parametrize("n", [60, 400], ids=["dual n<p", "primal n>p"])
def test_classifier_on_a_cluster_is_the_in_memory_fit(client, n, monkeypatch):
    X, y = three_waves(n)
    X_test, _ = three_waves(300, seed=1)
    kw = dict(SMALL, class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    chunked = frnn.RNNClassifier(**kw).fit(da.from_array(X, chunks=n // 3 + 1), y)
    assert chunked.reservoir_.readout_.weight == 1.0  # the sums weigh every feature alike
    # in memory, the statistics' weight ω = 1 too (the read-out tries others by default)
    monkeypatch.setattr(frnn.classifier.task, "STATISTICS_WEIGHTS", (1.0,))
    memory = frnn.RNNClassifier(**kw).fit(X, y)
    assert (n < memory.reservoir_.mean_.size) == (n == 60)  # n = 60: the dual; 400: the primal
    assert chunked.alpha_ == memory.alpha_
    assert chunked.reservoir_.temperature_ == memory.reservoir_.temperature_
    pairs = zip(
        memory.reservoir_.features_.reservoirs_,
        chunked.reservoir_.features_.reservoirs_,
        strict=True,
    )
    for a, b in pairs:
        np.testing.assert_array_equal(a.theta, b.theta)  # θ from the same series
    z = memory.decision_function(X_test)
    assert _relative(z, chunked.decision_function(X_test)) < 1e-8
    np.testing.assert_array_equal(memory.predict(X_test), chunked.predict(X_test))
    errors = memory.reservoir_.readout_.loo_error
    assert _relative(errors, chunked.reservoir_.readout_.loo_error) < 1e-8


def test_regressor_on_a_cluster_standardises_and_fits_as_in_memory(client, tmp_path):
    X, _ = three_waves(150, D=2)
    X = 5.0 + 3.0 * X  # the level reservoirs read series standardised over the training set
    Y = np.column_stack([X[:, -5:, 0].mean(axis=1), X[:, :, 1].std(axis=1)])
    memory = frnn.RNNRegressor(**SMALL).fit(X, Y)
    chunked = frnn.RNNRegressor(**SMALL).fit(da.from_array(X, chunks=(40, 20, 1)), Y)
    for name in ("level_mean_", "level_std_"):
        at = (getattr(m.reservoir_.features_, name) for m in (memory, chunked))
        assert _relative(*at) < 1e-14
    assert chunked.alpha_ == memory.alpha_
    X_test, _ = three_waves(100, D=2, seed=2)
    assert _relative(memory.predict(X_test), chunked.predict(X_test)) < 1e-8
    frnn.save(chunked, tmp_path / "chunked.npz")  # a model file like any other (strict)
    loaded = frnn.load(tmp_path / "chunked.npz")
    np.testing.assert_array_equal(loaded.predict(X_test), chunked.predict(X_test))


def test_predictions_are_lazy_chunk_by_chunk_and_equal(client):
    X, y = three_waves(120)
    clf = frnn.RNNClassifier(**SMALL).fit(X, y)
    X_test, y_test = three_waves(90, seed=4)
    lazy = da.from_array(X_test, chunks=25)
    for method in ("predict", "predict_proba", "decision_function"):
        out = getattr(clf, method)(lazy)
        assert isinstance(out, da.Array) and out.chunks[0] == lazy.chunks[0]
        expected = getattr(clf, method)(X_test)
        if method == "predict":
            np.testing.assert_array_equal(out.compute(), expected)
        else:
            np.testing.assert_allclose(out.compute(), expected, rtol=1e-12, atol=1e-12)
    score = clf.score(lazy, da.from_array(y_test, chunks=25))
    assert score == clf.score(X_test, y_test) and isinstance(score, float)
    reg = frnn.RNNRegressor(**SMALL).fit(X, X[:, -1])
    assert isinstance(reg.predict(lazy), da.Array)
    np.testing.assert_allclose(reg.predict(lazy).compute(), reg.predict(X_test), rtol=1e-12)
    assert np.isclose(reg.score(lazy, X_test[:, -1]), reg.score(X_test, X_test[:, -1]), 1e-12)


@pytest.mark.slow
def test_chunks_along_time_are_merged_and_give_the_same_model(client, monkeypatch):
    monkeypatch.setattr(frnn.classifier.task, "STATISTICS_WEIGHTS", (1.0,))  # as the sums
    X, y = three_waves(80)
    whole = frnn.RNNClassifier(**SMALL).fit(da.from_array(X, chunks=(30, 40)), y)
    split = frnn.RNNClassifier(**SMALL).fit(da.from_array(X, chunks=(30, 7)), y)
    np.testing.assert_array_equal(whole.decision_function(X), split.decision_function(X))
    many = frnn.RNNClassifier(**SMALL).fit(da.from_array(X, chunks=(2, 40)), y)  # 40 chunks
    z = frnn.RNNClassifier(**SMALL).fit(X, y).decision_function(X)  # in tasks of 2 chunks
    assert np.abs(z - many.decision_function(X)).max() < 1e-8 * np.abs(z).max()


def test_data_format_reads_a_dask_array_as_in_memory(client):
    X, y = three_waves(60, T=30, D=3)
    aeon = X.transpose(0, 2, 1)  # (n, C, T): aeon's and sktime's layout
    kw = dict(SMALL, data_format="channels_first")
    memory = frnn.RNNClassifier(**kw).fit(aeon, y)
    chunked = frnn.RNNClassifier(**kw).fit(da.from_array(aeon, chunks=(20, 3, 10)), y)
    assert chunked.n_features_in_ == memory.n_features_in_ == 3
    z = memory.decision_function(aeon)
    lazy = chunked.decision_function(da.from_array(aeon, chunks=20))
    assert _relative(z, lazy.compute()) < 1e-8
    with pytest.raises(ValueError, match="single step with 3 channels.*channels_first"):
        frnn.RNNClassifier(**SMALL).fit(da.from_array(aeon[:, :, :1].transpose(0, 2, 1)), y)
    with pytest.warns(frnn.LayoutWarning, match="more channels than steps"):
        frnn.RNNClassifier(**SMALL).fit(da.from_array(aeon, chunks=20), y)


@pytest.mark.slow
def test_a_chunk_with_nan_is_named(client):
    X, y = three_waves(100)
    X[57, 3] = np.nan
    with pytest.raises(ValueError, match=r"X's chunk 2 \(series 50 to 74\) contains NaN"):
        frnn.RNNClassifier(**SMALL).fit(da.from_array(X, chunks=25), y)
    clf = frnn.RNNClassifier(**SMALL).fit(np.nan_to_num(X), y)
    with pytest.raises(ValueError, match=r"chunk 2 \(series 50 to 74\)"):
        clf.predict(da.from_array(X, chunks=25)).compute()


def test_what_a_dask_array_cannot_be_is_refused_clearly():
    X, y = three_waves(40)
    lazy = da.from_array(X, chunks=10)
    unknown = lazy[lazy[:, 0] > -10]  # boolean indexing: chunk sizes unknown
    with pytest.raises(ValueError, match="chunk sizes are unknown"):
        frnn.RNNClassifier(**SMALL).fit(unknown, y)
    with pytest.raises(ValueError, match="training='reservoir' only"):
        frnn.RNNClassifier(training="bptt").fit(lazy, y)
    with pytest.raises(ValueError, match="must be a dask array"):
        frnn.RNNClassifier(**SMALL).fit(lazy[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        frnn.RNNClassifier(**SMALL).fit(lazy, y[:-1])
    with pytest.raises(TypeError, match="fit takes a dask array"):
        frnn.RNNClassifier(**SMALL).partial_fit(lazy, y, classes=[0, 1, 2])


def test_the_joblib_dask_backend_runs_a_grid_search(client):
    X, y = three_waves(90)
    grid = {"hidden_size": [4, 8]}
    search = GridSearchCV(frnn.RNNClassifier(n_reservoirs=2, random_state=0), grid, cv=3)
    with joblib.parallel_backend("dask"):
        on_cluster = search.set_params(n_jobs=-1).fit(X, y)
    here = GridSearchCV(frnn.RNNClassifier(n_reservoirs=2, random_state=0), grid, cv=3).fit(X, y)
    np.testing.assert_array_equal(
        on_cluster.cv_results_["mean_test_score"], here.cv_results_["mean_test_score"]
    )
    assert on_cluster.best_params_ == here.best_params_


def _die(block):
    os._exit(1)  # the worker process dies while it runs this chunk


@pytest.mark.slow
def test_a_lost_worker_is_the_schedulers_error_not_a_hang():
    X, y = three_waves(40)
    lazy = da.from_array(X, chunks=20).map_blocks(_die, meta=np.empty((0, 0)))
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(
            n_workers=1, threads_per_worker=1, memory_limit="1GiB", dashboard_address=":0"
        ) as cluster,
        Client(cluster),
    ):
        outcome = []

        def fit():
            try:
                frnn.RNNClassifier(**SMALL).fit(lazy, y)
            except BaseException as error:  # noqa: BLE001 - what the fit raised, to check
                outcome.append(error)

        worker = threading.Thread(target=fit, daemon=True)
        worker.start()
        worker.join(timeout=120)
        assert not worker.is_alive(), "the fit hung after its worker died"
    assert len(outcome) == 1 and isinstance(outcome[0], KilledWorker), outcome


@pytest.mark.slow
def test_numpy_input_imports_no_dask():
    code = (
        "import sys, numpy as np, frnn\n"
        "X = np.random.default_rng(0).standard_normal((30, 20)); y = np.arange(30) % 2\n"
        "clf = frnn.RNNClassifier(n_reservoirs=2, hidden_size=4).fit(X, y)\n"
        "clf.predict(X); clf.score(X, y)\n"
        "frnn.RNNClassifier(n_reservoirs=2, hidden_size=4).partial_fit(X, y, classes=[0, 1])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
