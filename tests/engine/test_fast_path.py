"""The fast paths (numba loops, lean numpy) compute the reference engine's function.

Every mode of the contract is run through engine="reference" and through each fast path
on the same model and data; states, logits, loss and gradients must agree to float64
round-off (1e-12 relative), and float32 models must stay float32 throughout.  Each fast
path is forced at every size (``helpers.ROUTES``): the compiled loops with products as
loops, with BLAS calls and with the compiled tiles, each on one block of rows and split into
blocks (as on several threads), and numpy's with δ kept whole and in chunks.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frnn
from frnn.engine import compiled, dispatch, fallback, numpy_loops
from helpers import ACTIVATIONS, LOSSES, ROUTES, make_batch, make_net, route
from torch_reference import relerr

TOL64 = 1e-12


def run(model, x, y, engine, **kwargs):
    loss = frnn.forward(model, x, y, engine=engine, **kwargs)
    grads = frnn.backward(model, engine=engine)
    return {"loss": loss, "a": model.a.copy(), "z": model.z.copy(), **grads}


def assert_same(fast, reference, tol, tol_gradients=None):
    for name, expected in reference.items():
        gradient = name not in ("loss", "a", "z")
        limit = tol_gradients if gradient and tol_gradients is not None else tol
        assert relerr(fast[name], expected) <= limit, name


def saturation_tolerance(a: np.ndarray, activation: str) -> float:
    """TOL64, widened where tanh saturates.  The compiled loops' tanh is within 2 ulp of
    numpy's, and BPTT reads f'(s) = 1 − a² from the state a, as torch does: a ulp of a
    near ±1 is a relative change of 2|a|·ulp / (1 − a²) in f', so a gradient through a
    saturated state agrees only to about 4·eps / (1 − a²), bounded here by the most
    saturated state (seed 534, shape (1, 3, 1, 1, 1): W's gradient within 1.2e-9).
    A state at exactly ±1 (1 − a² = 0: f' = 0 in the reference, a few ulp in a loop whose
    tanh gave 1 − ulp) adds a few ulp of its upstream gradient, which the least positive
    1 − a² bounds as well (seed 1022516, shape (1, 3, 4, 3, 1): 1.4e-12 against a bound of
    3e-10); it is the bound's denominator, eps where every state is at ±1.  Elsewhere
    1 − a² is of order one and TOL64 stands."""
    if activation != "tanh":
        return TOL64
    eps = np.finfo(np.float64).eps
    room = 1.0 - a**2
    least = float(room[room > 0].min()) if (room > 0).any() else eps
    return max(TOL64, 16 * eps / least)


MODES = list(itertools.product(ACTIVATIONS, LOSSES, (False, True), (False, True), (False, True)))


@pytest.fixture(params=list(ROUTES))
def engine(request):
    """Each fast path of ``helpers.ROUTES`` in turn; the value is its ``engine`` name."""
    with route(request.param) as name:
        yield name


@pytest.mark.parametrize(("activation", "loss", "many_to_many", "padded", "with_a0"), MODES)
def test_every_mode_matches_reference(engine, activation, loss, many_to_many, padded, with_a0):
    B, T, D, I, K = 5, 11, 3, 6, 2
    model = make_net(D, I, K, activation=activation, loss=loss)
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=padded, with_a0=with_a0
    )
    reference = run(model, x, y, "reference", lengths=lengths, a0=a0)
    assert_same(run(model, x, y, engine, lengths=lengths, a0=a0), reference, TOL64)


# Edge sizes, and sequence lengths around the numpy path's chunk of ceil(T/8) steps.
SHAPES = [
    (1, 1, 1, 1, 1),
    (1, 1, 3, 4, 2),
    (3, 1, 2, 1, 1),
    (1, 9, 1, 1, 1),
    (2, 8, 2, 3, 1),
    (4, 17, 3, 5, 2),
    (2, 64, 2, 7, 3),
    (1, 100, 3, 5, 1),
    (7, 13, 5, 37, 2),  # the tiles' (engine/tiles.py) every form: 4 rows, 1, lanes, columns
    (9, 6, 2, 17, 1),
]


@pytest.mark.parametrize(("B", "T", "D", "I", "K"), SHAPES)
@pytest.mark.parametrize("many_to_many", [False, True])
def test_edge_sizes_match_reference(engine, B, T, D, I, K, many_to_many):
    model = make_net(D, I, K)
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=B > 1, with_a0=True
    )
    reference = run(model, x, y, "reference", lengths=lengths, a0=a0)
    assert_same(run(model, x, y, engine, lengths=lengths, a0=a0), reference, TOL64)


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(*[st.integers(1, n) for n in (5, 20, 4, 9, 3)]),
    activation=st.sampled_from(sorted(frnn.ACTIVATIONS)),
    loss=st.sampled_from(["bce", "mse"]),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_shapes_match_reference(shape, activation, loss, flags, seed):
    B, T, D, I, K = shape
    many_to_many, padded, with_a0 = flags
    model = make_net(D, I, K, activation=activation, loss=loss, rng=seed)
    x, y, lengths, a0 = make_batch(
        B, T, D, I, K, many_to_many=many_to_many, padded=padded, with_a0=with_a0, seed=seed
    )
    reference = run(model, x, y, "reference", lengths=lengths, a0=a0)
    tol = saturation_tolerance(reference["a"], activation)
    for name in ROUTES:
        with route(name) as engine:
            assert_same(run(model, x, y, engine, lengths=lengths, a0=a0), reference, TOL64, tol)


def test_a_state_at_exactly_one_is_compared_within_the_others_conditioning():
    """The second case Hypothesis found: a tanh unit at exactly 1.0 in the reference (1 − a²
    = 0, where the bound divided by zero), 1 − ulp in the compiled loops: the gradients
    differ by 1.4e-12 relative, within the least positive 1 − a²'s bound."""
    B, T, D, I, K = 1, 3, 4, 3, 1
    model = make_net(D, I, K, activation="tanh", loss="bce", rng=1022516)
    x, y, lengths, a0 = make_batch(B, T, D, I, K, many_to_many=False, padded=False,
                                   with_a0=False, seed=1022516)  # fmt: skip
    reference = run(model, x, y, "reference", lengths=lengths, a0=a0)
    assert (reference["a"] == 1.0).any()  # the case itself
    tol = saturation_tolerance(reference["a"], "tanh")
    assert 1e-11 < tol < 1e-8
    with route("numba") as engine:
        assert_same(run(model, x, y, engine, lengths=lengths, a0=a0), reference, TOL64, tol)


def test_a_saturated_state_is_compared_within_its_conditioning():
    """The case Hypothesis found: tanh units near ±1 (1 − a² down to 1e-8), where a's last
    bit moves the gradient by 1e-9; the states, logits and loss still agree to TOL64, and
    the gradients within the saturation's bound (which TOL64 alone is not)."""
    B, T, D, I, K = 1, 3, 1, 1, 1
    model = make_net(D, I, K, activation="tanh", loss="mse", rng=534)
    x, y, lengths, a0 = make_batch(B, T, D, I, K, many_to_many=False, padded=False,
                                   with_a0=True, seed=534)  # fmt: skip
    reference = run(model, x, y, "reference", lengths=lengths, a0=a0)
    tol = saturation_tolerance(reference["a"], "tanh")
    assert 1e-9 < tol < 1e-6
    with route("numba") as engine:
        fast = run(model, x, y, engine, lengths=lengths, a0=a0)
    assert_same(fast, reference, TOL64, tol)
    assert relerr(fast["W"], reference["W"]) > TOL64  # why the bound is needed


def test_non_contiguous_weights():
    """Weights set from transposed arrays (as an optimiser might leave them) work the same."""
    model = make_net(3, 4, 2)
    model.R = np.asfortranarray(model.R)
    model.V = np.asfortranarray(model.V)
    x, y, lengths, a0 = make_batch(3, 6, 3, 4, 2, many_to_many=True, padded=True, with_a0=True)
    reference = run(model, x, y, "reference", lengths=lengths, a0=a0)
    for name in ROUTES:
        with route(name) as engine:
            assert_same(run(model, x, y, engine, lengths=lengths, a0=a0), reference, TOL64)


@pytest.mark.parametrize("target", ["scalar", "vector", "sequence"])
def test_single_sequence_matches_reference(engine, target):
    T, D, I = 6, 2, 4
    K = 1 if target == "scalar" else 3
    model = make_net(D, I, K, activation="hardtanh")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((T, D))
    y = {"scalar": 1.0, "vector": rng.random(K), "sequence": rng.random((T, K))}[target]
    a0 = rng.standard_normal(I)
    reference = run(model, x, y, "reference", a0=a0)
    assert_same(run(model, x, y, engine, a0=a0), reference, TOL64)


@pytest.mark.parametrize("activation", sorted(frnn.ACTIVATIONS))
def test_float32_end_to_end(engine, activation):
    """float32 in, float32 out, and within float32 round-off of the float64 result."""
    B, T, D, I, K = 4, 30, 3, 8, 2
    model32 = make_net(D, I, K, activation=activation, dtype=np.float32)
    model64 = make_net(D, I, K, activation=activation, dtype=np.float64)
    x, y, lengths, a0 = make_batch(B, T, D, I, K, many_to_many=True, padded=True, with_a0=True)
    fast = run(model32, x, y, engine, lengths=lengths, a0=a0)
    for name in ("a", "z", "W", "R", "V"):
        assert fast[name].dtype == np.float32, name
    exact = run(model64, x, y, "reference", lengths=lengths, a0=a0)
    assert_same(fast, exact, 1e-4)  # a few float32 ulps (6e-8) grown over 30 steps
    assert_same(fast, run(model32, x, y, "reference", lengths=lengths, a0=a0), 1e-5)


def test_keep_da_still_sets_da():
    model = make_net(2, 3, 1)
    x, y, lengths, _ = make_batch(3, 5, 2, 3, 1, many_to_many=False, padded=True, with_a0=False)
    frnn.forward(model, x, y, lengths=lengths, engine="reference")
    grads = frnn.backward(model, keep_da=True, engine="reference")
    da = model.da.copy()
    del model.da
    frnn.forward(model, x, y, lengths=lengths)
    fast = frnn.backward(model, keep_da=True)
    assert relerr(model.da, da) <= TOL64
    assert_same(fast, grads, TOL64)


def test_auto_chooses_by_size():
    pytest.importorskip("numba")
    assert dispatch.choose("auto", 1, 3, 5) == "numba"
    large = "numba-blas" if compiled.blas_kernels() is not None else "numpy"
    assert dispatch.choose("auto", 256, 32, 256) == large
    assert dispatch.choose("numpy", 1, 3, 5) == "numpy"


def test_unknown_engine_is_rejected():
    model = make_net(2, 3, 1)
    with pytest.raises(ValueError, match="engine must be one of .* got 'gpu'"):
        frnn.forward(model, np.zeros((4, 2)), 1.0, engine="gpu")


@pytest.fixture
def reference_and_fast_case():
    model = make_net(3, 5, 1)
    x, y, lengths, a0 = make_batch(4, 9, 3, 5, 1, many_to_many=False, padded=True, with_a0=True)
    return model, (x, y), {"lengths": lengths, "a0": a0}


LOADERS = {"numba": compiled.numba_kernels, "numba-blas": compiled.blas_kernels}


def test_fallback_when_numba_is_missing(monkeypatch, reference_and_fast_case):
    model, (x, y), kwargs = reference_and_fast_case
    expected = run(model, x, y, "reference", **kwargs)
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` now raises ImportError
    for name in ("kernels", "blas_kernels", "kernel_math"):
        monkeypatch.delitem(sys.modules, f"frnn.engine.{name}", raising=False)
        monkeypatch.delattr(frnn.engine, name, raising=False)
    for loader in LOADERS.values():
        loader.cache_clear()  # decide again, without numba
    fallback.forget()
    try:
        with pytest.warns(frnn.CompiledLoopsWarning, match="time loops cannot run here"):
            assert compiled.numba_kernels() is None and compiled.blas_kernels() is None
        assert "import of numba" in fallback.reasons()["time loops"]
        assert dispatch.choose("numba", 1, 3, 5) == "numpy"
        assert dispatch.choose("numba", 256, 32, 256) == "numpy"
        for engine in ("auto", "numba"):
            assert_same(run(model, x, y, engine, **kwargs), expected, TOL64)
    finally:
        fallback.forget()
        for loader in LOADERS.values():
            loader.cache_clear()  # the next test decides with numba back


@pytest.mark.parametrize("family", list(LOADERS))
def test_fallback_when_compilation_fails(monkeypatch, reference_and_fast_case, family):
    numba = pytest.importorskip("numba")
    model, (x, y), kwargs = reference_and_fast_case
    expected = run(model, x, y, "reference", **kwargs)
    loader = LOADERS[family]

    def broken(*args):
        raise numba.core.errors.TypingError("simulated: no compiler here")

    fallback.forget()
    with route(family) as engine:
        module = loader()
        monkeypatch.setattr(module, "states", broken)
        monkeypatch.setattr(module, "gradients", broken)
        # A kernel failing at call time runs numpy for that call, saying so once ...
        assert dispatch.choose(engine, 4, 3, 5) == family
        with pytest.warns(frnn.CompiledLoopsWarning, match="no compiler here"):
            assert_same(run(model, x, y, engine, **kwargs), expected, TOL64)
        assert_same(run(model, x, y, engine, **kwargs), expected, TOL64)  # once: no error
        # ... and, decided afresh, the family is found unusable once and not chosen again.
        loader.cache_clear()
        try:
            assert loader() is None
            assert dispatch.choose(engine, 4, 3, 5) != family
            assert_same(run(model, x, y, engine, **kwargs), expected, TOL64)
        finally:
            fallback.forget()
            loader.cache_clear()


@pytest.mark.parametrize("family", list(LOADERS))
def test_other_errors_are_not_swallowed(monkeypatch, reference_and_fast_case, family):
    pytest.importorskip("numba")
    model, (x, y), kwargs = reference_and_fast_case

    def buggy(*args):
        raise IndexError("a bug, not a missing compiler")

    with route(family) as engine:
        monkeypatch.setattr(LOADERS[family](), "states", buggy)
        with pytest.raises(IndexError, match="a bug"):
            frnn.forward(model, x, y, engine=engine, **kwargs)


def test_import_does_not_load_numba():
    """numba is imported on first use, so `import frnn` (and the CLI) stay quick."""
    code = "import sys, frnn; assert 'numba' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_small_steps_run_blas_on_one_thread_and_restore_the_count():
    """The time loop's small products run on one BLAS thread; the caller's count returns."""
    from threadpoolctl import threadpool_info, threadpool_limits

    seen = []
    original = numpy_loops._states

    def spy(*args):
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
        return original(*args)

    net = frnn.FullyRecurrentNetwork(8, 32, 1, rng=0)
    x = np.random.default_rng(0).standard_normal((32, 5, 8))
    with threadpool_limits(limits=2, user_api="blas"):
        numpy_loops._states = spy
        try:
            net.forward(x, np.ones(32), engine="numpy")
        finally:
            numpy_loops._states = original
        after = {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}
    assert seen == [{1}]
    assert after == {2}


@pytest.mark.parametrize("shape", [(1, 1), (6400, 3), (7, 40), (300, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_row_sum_is_the_sum_over_rows(shape, dtype):
    """The bias gradients' Σ over rows, 1ᵀ rows by BLAS, with and without a kept vector of
    ones (longer than the rows, as BPTT's chunks use it)."""
    rows = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    expected = rows.astype(np.float64).sum(axis=0)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for ones in (None, np.ones(shape[0] + 5, dtype=dtype)):
        got = numpy_loops.row_sum(rows, ones)
        assert got.shape == (shape[1],) and got.dtype == dtype
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol * shape[0])


def test_products_with_R_fit_openblas_small_matrix_kernels(monkeypatch):
    """Each step's product with R is cut into calls of whole multiples of 8 rows, the most
    that OpenBLAS's small-matrix kernels take (M·N·K ≤ 100³); none without those kernels.
    (The route numba-blas-blocks forces 1-row calls and holds them to the reference.)"""
    monkeypatch.setattr(compiled, "small_kernels", lambda: True)
    for I in (1, 32, 128, 256, 353):
        rows = compiled.product_rows(I)
        assert rows % 8 == 0 and rows * I * I <= compiled.SMALL_PRODUCT < (rows + 8) * I * I
    assert compiled.product_rows(354) == 0  # 8 rows would not fit: one call
    monkeypatch.setattr(compiled, "small_kernels", lambda: False)
    assert compiled.product_rows(128) == 0
