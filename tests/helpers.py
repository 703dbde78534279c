"""Builders shared by the tests, in the style of tinygrad's helper_test_op.

``MODES`` is every (activation, loss) pair frnn offers, read from the library, so a new
activation or loss is tested everywhere without editing a list.  ``make_model`` and
``make_batch`` build a network and a batch for any mode of the contract;
``assert_matches_torch`` runs forward and backward and holds them to the independent
torch reference (tests/torch_reference.py).
"""

from __future__ import annotations

import contextlib
import itertools
import types

import numpy as np
import pytest

import frnn
from frnn.engine import compiled, dispatch, numpy_loops, threads
from torch_reference import loss_and_grads, relerr

# Every fast path, each forced at any size: name -> (engine, settings of the module
# constants that route it).  "loops" keeps the compiled loops that write products as
# loops, "blas" the ones that call BLAS; "blocks" splits the batch into up to three blocks of rows
# (the compiled loops' threads); "chunk3" makes the BLAS loops' chunks 3 steps long;
# "chunked" keeps the numpy path's δ in chunks of ceil(T/8) steps.
ROUTES = {
    "numba": ("numba", {"loops": True}),
    "numba-blocks": ("numba", {"loops": True, "blocks": 3}),
    "numba-blas": ("numba", {"blas": True}),
    "numba-blas-blocks": ("numba", {"blas": True, "blocks": 3, "chunk": 3}),
    "numpy": ("numpy", {}),
    "numpy-chunked": ("numpy", {"chunked": True}),
}


@contextlib.contextmanager
def route(name: str):
    """Run the fast path ``name`` of ``ROUTES`` (or "reference") inside the block; yields
    its engine."""
    engine, settings = ROUTES.get(name, (name, {}))
    with pytest.MonkeyPatch.context() as patch:
        if settings.get("loops"):
            patch.setattr(dispatch, "NUMBA_MAX_WORK", 2**62)
        if settings.get("blas"):
            if compiled.blas_kernels() is None:
                pytest.skip("numba's BLAS loops are unusable here")
            patch.setattr(dispatch, "NUMBA_MAX_WORK", -1)
        if "blocks" in settings:
            patch.setattr(threads, "PARALLEL_MIN_WORK", 0)
            patch.setattr(threads, "MIN_ROWS", 1)
            patch.setattr(threads, "budget", lambda: settings["blocks"])
        if "chunk" in settings:
            patch.setattr(compiled, "chunk_steps", lambda T, rows: min(T, settings["chunk"]))
        if settings.get("chunked"):
            patch.setattr(numpy_loops, "WHOLE_DELTA_MAX_VALUES", 0)
        yield engine


ACTIVATIONS = sorted(frnn.ACTIVATIONS)
LOSSES = sorted(frnn.LOSSES)
MODES = list(itertools.product(ACTIVATIONS, LOSSES))  # (activation, loss)


def make_model(D, I, K, *, activation="tanh", loss="bce", dtype=np.float64, seed=0, bias=False):
    """Weights large enough that relu and hardtanh cross their kinks and saturate; with
    ``bias`` also b (I,) and c (K,), drawn after them (the weights stay the same)."""
    rng = np.random.default_rng(seed)
    model = types.SimpleNamespace(activation=activation, loss=loss)
    model.W = (rng.standard_normal((I, D)) * 1.2).astype(dtype)
    model.R = (rng.standard_normal((I, I)) * 0.9 / np.sqrt(I)).astype(dtype)
    model.V = rng.standard_normal((K, I)).astype(dtype)
    if bias:
        model.b = (rng.standard_normal(I) * 0.8).astype(dtype)
        model.c = rng.standard_normal(K).astype(dtype)
    return model


def param_names(model) -> str:
    """ "WRV", or "WRVbc" for a model with biases."""
    return "WRVbc" if getattr(model, "b", None) is not None else "WRV"


def make_batch(B, T, D, I, K, *, many_to_many, padded, with_a0, seed=1):
    """x, y, lengths, a0: a batch with garbage (NaN inputs, out-of-range targets) in its
    padding, which must never reach the result."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, T, D))
    y = rng.random((B, T, K) if many_to_many else (B, K))
    lengths = None
    if padded:
        lengths = rng.integers(1, T + 1, size=B)
        lengths[0] = T
        for b, n in enumerate(lengths):
            x[b, n:] = np.nan
            if many_to_many:
                y[b, n:] = 7.0
    a0 = rng.standard_normal((B, I)) * 0.5 if with_a0 else None
    return x, y, lengths, a0


def assert_matches_torch(model, x, y, *, lengths=None, a0=None, tol=1e-10, **options):
    """forward and backward of ``model`` agree with torch.autograd to ``tol`` (relative).

    x (B, T, D); y (B, K) many-to-one or (B, T, K) many-to-many; lengths (B,); a0 (B, I);
    ``options`` go to ``frnn.forward`` (method, engine; backward follows the engine).
    The loss, the states a, the logits z and every gradient (b and c included when the
    model has them) are compared.
    """
    loss = frnn.forward(model, x, y, lengths=lengths, a0=a0, **options)
    grads = frnn.backward(model, engine=options.get("engine", "auto"))
    activation, loss_name = getattr(model, "activation", "tanh"), getattr(model, "loss", "bce")
    ref_loss, ref_grads, ref_a, ref_z = loss_and_grads(
        model.W,
        model.R,
        model.V,
        x,
        y,
        lengths=lengths,
        a0=a0,
        activation=activation,
        loss=loss_name,
        b=getattr(model, "b", None),
        c=getattr(model, "c", None),
    )
    assert relerr(loss, ref_loss) < tol
    assert relerr(model.a, ref_a) < tol
    assert relerr(model.z, ref_z) < tol
    assert set(grads) == set(param_names(model))
    for name in param_names(model):
        assert relerr(grads[name], ref_grads[name]) < tol, name
