"""frnn says so when its compiled loops cannot run (numba missing, a compile or a disk cache
failing): one ``frnn.CompiledLoopsWarning`` a process naming the loops and numba's error,
the numpy loops giving the same results; and, where numba is installed, as for every user of
the declared dependencies, the loops do run (a test suite that skipped them would hide it).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import frnn
from frnn.engine import compiled, fallback
from frnn.reservoir import core


@pytest.fixture
def fresh_reasons():
    fallback.forget()
    yield
    fallback.forget()


def test_the_compiled_loops_run_here():
    """numba and scipy are dependencies here: every family of loops must load or compile.
    A worker that found them unusable once skipped 955 tests without a word."""
    assert compiled.numba_kernels() is not None, fallback.reasons()
    assert compiled.blas_kernels() is not None, fallback.reasons()
    assert core.compiled() is not None, fallback.reasons()
    assert fallback.reasons() == {}


def test_one_warning_a_process_for_each_family(fresh_reasons):
    error = RuntimeError("simulated")
    with pytest.warns(frnn.CompiledLoopsWarning) as record:
        fallback.unusable("time loops", error)
        fallback.unusable("time loops", RuntimeError("again"))  # said already
        fallback.unusable("reservoir loops", error)
    messages = [str(w.message) for w in record]
    assert len(messages) == 2
    assert messages[0].startswith("frnn's compiled time loops cannot run here (RuntimeError:")
    assert "numpy loops run instead" in messages[0] and "reservoir loops" in messages[1]
    assert fallback.reasons() == {
        "time loops": "RuntimeError: simulated",
        "reservoir loops": "RuntimeError: simulated",
    }


def test_a_long_error_is_cut_to_one_readable_line(fresh_reasons):
    with pytest.warns(frnn.CompiledLoopsWarning):
        fallback.unusable("time loops", RuntimeError("x" * 5000))
    assert len(fallback.reasons()["time loops"]) == 300


def test_a_corrupt_cache_twice_warns_and_falls_back(monkeypatch, fresh_reasons):
    """The trial fails on both attempts (after the cache is flushed): the family is
    unusable, with the reason in the warning, and the numpy loops run."""
    module = compiled.blas_kernels()

    def corrupt(*args):
        raise EOFError("Ran out of input")  # what unpickling a truncated .nbc file raises

    monkeypatch.setattr(compiled, "states", corrupt)
    flushed = []
    for name, loop in vars(module).items():
        if hasattr(getattr(loop, "_cache", None), "flush"):
            monkeypatch.setattr(loop._cache, "flush", lambda name=name: flushed.append(name))
    with pytest.warns(frnn.CompiledLoopsWarning, match=r"BLAS cannot run here \(EOFError"):
        assert compiled._usable(module, "time loops that call BLAS") is None
    assert "states" in flushed  # the first failure flushed the cache and tried again


def test_the_reservoir_loops_failing_warn_and_the_features_stay(monkeypatch, fresh_reasons):
    X = np.random.default_rng(0).standard_normal((6, 20)).astype(np.float32)
    features = frnn.reservoir.ReservoirFeatures(n_reservoirs=2, random_state=0).fit(X)
    expected = features.transform(X)

    def broken(kernels):
        raise RuntimeError("simulated: numba cannot compile here")

    monkeypatch.setattr(core, "_trial", broken)
    core.compiled.cache_clear()
    try:
        with pytest.warns(frnn.CompiledLoopsWarning, match="reservoir loops cannot run here"):
            assert core.compiled() is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # said once: no second warning
            assert core.compiled() is None
            got = features.transform(X)
        np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-5)
    finally:
        core.compiled.cache_clear()
