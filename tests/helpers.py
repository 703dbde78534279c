"""Builders shared by the tests, in the style of tinygrad's helper_test_op.

``MODES`` is every (activation, loss) pair frnn offers, read from the library, so a new
activation or loss is tested everywhere without editing a list.  ``make_net`` and
``make_batch`` build a network and a batch for any mode of the contract;
``assert_matches_torch`` runs forward and backward and holds them to the independent
torch reference (tests/torch_reference.py); ``run_cli`` runs the command line in this
process (a subprocess is spawned only where start-up or a signal is the point).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import subprocess
import sys
import time
import traceback

import numpy as np
import pytest

import frnn
from frnn.engine import compiled, dispatch, fallback, numpy_loops, threads
from torch_reference import loss_and_grads, relerr

# Every fast path, each forced at any size: name -> (engine, settings of the module
# constants that route it).  "loops" keeps the compiled loops that write products as
# loops, "blas" the ones that call BLAS; "blocks" splits the batch into up to three blocks of rows
# (the compiled loops' threads); "chunk" makes the BLAS loops' chunks so many steps long;
# "split" is ``compiled.step_product``'s answer: each step's product with R in BLAS calls
# of so many rows (None: all the block's rows), 0 in the compiled tiles
# (``engine/tiles.py``, which then make the chunks' products too), or
# ``compiled.PANELS`` from R's panels packed once a loop (``engine/panels.py``); "chunked" keeps the
# numpy path's δ in chunks of ceil(T/8) steps.
ROUTES = {
    "numba": ("numba", {"loops": True}),
    "numba-blocks": ("numba", {"loops": True, "blocks": 3}),
    "numba-blas": ("numba", {"blas": True, "split": None}),
    "numba-blas-blocks": ("numba", {"blas": True, "blocks": 3, "chunk": 3, "split": 1}),
    "numba-tiles": ("numba", {"blas": True, "split": 0}),
    "numba-tiles-blocks": ("numba", {"blas": True, "blocks": 3, "chunk": 3, "split": 0}),
    "numba-panels": ("numba", {"blas": True, "split": compiled.PANELS}),
    "numba-panels-blocks": (
        "numba",
        {"blas": True, "blocks": 3, "chunk": 3, "split": compiled.PANELS},
    ),
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
            if compiled.blas_kernels() is None:  # numba is a dependency: never skip quietly
                pytest.fail(f"numba's BLAS loops are unusable here: {fallback.reasons()}")
            patch.setattr(dispatch, "NUMBA_MAX_WORK", -1)
        if "blocks" in settings:
            patch.setattr(threads, "PARALLEL_MIN_WORK", 0)
            patch.setattr(threads, "MIN_ROWS", 1)
            patch.setattr(threads, "budget", lambda: settings["blocks"])
        if "chunk" in settings:
            patch.setattr(compiled, "chunk_steps", lambda T, rows: min(T, settings["chunk"]))
        if "split" in settings:
            split = settings["split"]  # None: all the block's rows (0 is the tiles)
            patch.setattr(compiled, "step_product", lambda I, r: r if split is None else split)
        if settings.get("chunked"):
            patch.setattr(numpy_loops, "WHOLE_DELTA_MAX_VALUES", 0)
        yield engine


ACTIVATIONS = sorted(frnn.ACTIVATIONS)
LOSSES = sorted(frnn.LOSSES)
MODES = list(itertools.product(ACTIVATIONS, LOSSES))  # (activation, loss)


def make_net(
    D,
    I,
    K,
    *,
    activation="tanh",
    loss="bce",
    dtype=np.float64,
    bias=False,
    rng=0,
    scale=None,
) -> frnn.FullyRecurrentNetwork:
    """A network whose weights are large enough that every nonlinearity matters.

    ``scale`` None: W ~ 1.2 N(0, 1), R ~ 0.9 N(0, 1/I), V ~ N(0, 1) (and with ``bias``
    b ~ 0.8 N(0, 1), c ~ N(0, 1), drawn after them: the weights stay the same), drawn from
    ``rng`` (a seed or a Generator) — relu and hardtanh cross their kinks and saturate.
    ``scale`` a number: every parameter uniform in [−scale, scale], as ``frnn.init`` draws
    them from ``rng``, stretched.
    """
    net = frnn.FullyRecurrentNetwork(
        D, I, K, activation=activation, loss=loss, dtype=dtype, bias=bias, rng=rng
    )
    if scale is not None:
        for p in (net.W, net.R, net.V, *((net.b, net.c) if bias else ())):
            p *= 100 * scale  # init draws uniform in [−0.01, 0.01]
        return net
    rng = np.random.default_rng(rng)
    net.W = (rng.standard_normal((I, D)) * 1.2).astype(dtype)
    net.R = (rng.standard_normal((I, I)) * 0.9 / np.sqrt(I)).astype(dtype)
    net.V = rng.standard_normal((K, I)).astype(dtype)
    if bias:
        net.b = (rng.standard_normal(I) * 0.8).astype(dtype)
        net.c = rng.standard_normal(K).astype(dtype)
    return net


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


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_cli(*args, cwd=None, env=None, timeout=None) -> subprocess.CompletedProcess:
    """``frnn ARGS`` run in this process as the command runs it: its exit status and what
    it printed on stdout and stderr, as ``subprocess.run`` would report them.

    ``cwd``: the working directory of the call; ``env``: variables set for the call
    (FRNN_MAX_FILE_BYTES, …).  Pytest's warnings-as-errors reach the command here.
    ``timeout`` is accepted for the call sites' sake: nothing here can hang on a pipe.
    """
    from frnn.cli.main import main

    argv = [str(arg) for arg in args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(_environment(env or {}))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = main(argv)
        except SystemExit as done:  # argparse: --help, --version, a bad option
            code = done.code if isinstance(done.code, int) else int(done.code is not None)
        except Exception:  # what escapes (--debug): a traceback and 1, as the interpreter
            traceback.print_exc()
            code = 1
    return subprocess.CompletedProcess(["frnn", *argv], code, out.getvalue(), err.getvalue())


def toy_series(n: int, rng, dims: int = 1, ragged: bool = False):
    """Rising (label 1) or falling (label 0) noisy ramps."""
    labels = rng.integers(2, size=n)
    series = []
    for label in labels:
        T = int(rng.integers(5, 9)) if ragged else 8
        ramp = np.linspace(-1, 1, T) * (1 if label else -1)
        series.append(ramp[:, None] + 0.1 * rng.standard_normal((T, dims)))  # (T, dims)
    return series, labels


def write_file(path, series, labels) -> None:
    if path.suffix == ".npz":
        T = max(len(s) for s in series)
        X = np.zeros((len(series), T, series[0].shape[1]))
        for i, s in enumerate(series):
            X[i, : len(s)] = s
        np.savez(path, X=X, y=labels, lengths=[len(s) for s in series])
        return
    if path.suffix == ".ts":
        rows = [
            ":".join(",".join(map(str, d.tolist())) for d in s.T) + f":{y}"
            for s, y in zip(series, labels, strict=True)
        ]
        path.write_text("@problemName toy\n@classLabel true 0 1\n@data\n" + "\n".join(rows))
        return
    sep = "\t" if path.suffix == ".tsv" else ","
    path.write_text(
        "\n".join(
            sep.join([str(y), *map(str, s[:, 0].tolist())])
            for s, y in zip(series, labels, strict=True)
        )
    )


def model_arrays(path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def assert_same_arrays(a, b) -> None:
    """The two model files' arrays bit for bit, the metadata (``__`` entries) aside."""
    arrays_a, arrays_b = model_arrays(a), model_arrays(b)
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:
        if not key.startswith("__"):
            np.testing.assert_array_equal(arrays_a[key], arrays_b[key], err_msg=key)


def assert_same_model(a, b) -> None:
    """Bit-identical parameters; the metadata may differ only in the recorded timings."""
    assert_same_arrays(a, b)
    clf_a, clf_b = frnn.load(a), frnn.load(b)
    assert clf_a.get_params() == clf_b.get_params() and clf_a.n_iter_ == clf_b.n_iter_
    for key in ("loss", "accuracy", "grad_norm", "train_loss", "test_loss", "test_accuracy"):
        assert clf_a.history_[key] == clf_b.history_[key]


def halves(n=40, T=12, seed=0):
    """Learnable: class 1 when the first half of the series is above its second half."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T))
    y = (X[:, : T // 2].sum(axis=1) > X[:, T // 2 :].sum(axis=1)).astype(int)
    return X, y


def channel_series(n=12, T=30, C=3, seed=0):
    """(n, T, C) series in frnn's layout whose class says which channel carries a sine, and
    its sign (max(C, 2) classes): the layout tests' data, in every container."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % max(C, 2)
    X = 0.3 * rng.standard_normal((n, T, C))
    X[np.arange(n), :, y % C] += np.outer(1 - 2 * (y // C), np.sin(np.linspace(0, 6, T)))
    return X, y


def multiindex_frame(X):
    """aeon's and sktime's pd-multiindex, by hand: rows (case, time), a column per channel."""
    import pandas as pd

    n, T, C = X.shape
    index = pd.MultiIndex.from_product([range(n), range(T)], names=["instances", "timepoints"])
    return pd.DataFrame(X.reshape(n * T, C), index=index, columns=[f"var_{c}" for c in range(C)])


def three_waves(n, T=40, D=1, seed=0):
    """Three classes of noisy waves (sine, square, rectified), D channels: X (n, T) for
    D = 1, else (n, T, D), and labels y (n,) in {0, 1, 2}."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)[None, :, None]
    y = rng.integers(0, 3, n)
    wave = np.sin(rng.uniform(0.05, 0.4, (n, 1, D)) * t + rng.uniform(0, 6.3, (n, 1, D)))
    shape = y[:, None, None]
    X = np.where(shape == 0, wave, np.where(shape == 1, np.sign(wave), np.abs(wave)))
    X = X + 0.2 * rng.standard_normal((n, T, D))
    return (X[:, :, 0] if D == 1 else X), y


# The saved outputs of an old model file's fixture: the method, its key's suffix.
SAVED_OUTPUTS = {"decision_function": "decision", "predict_proba": "proba", "predict": "predict"}


def check_saved_outputs(model, expected, prefix: str, methods) -> None:
    """``model``'s outputs on the fixture's inputs against those saved when its file was
    written: labels exactly, values to 1e-12 relative (the engine's rounding may move)."""
    from frnn.data.series import Series

    X = expected[f"{prefix}_X"]
    if f"{prefix}_lengths" in expected:
        X = Series(X, np.zeros(len(X)), expected[f"{prefix}_lengths"])
    for method in methods:
        got = np.asarray(getattr(model, method)(X))
        want = expected[f"{prefix}_{SAVED_OUTPUTS[method]}"]
        assert got.dtype == want.dtype and got.shape == want.shape, method
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300, err_msg=method)
        else:
            np.testing.assert_array_equal(got, want, err_msg=method)


def stop_at_first_checkpoint(args, folder, sig, *, settle=0.0) -> tuple[int, str]:
    """``frnn ARGS`` started in a child process in ``folder`` (one BLAS thread), sent
    ``sig`` once ``run/checkpoint.npz`` exists and ``settle`` seconds more: (its exit
    status, its stderr).  ARGS must write the run to ``--out run``."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "frnn", *args]
    with subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        checkpoint = folder / "run" / "checkpoint.npz"
        deadline = time.monotonic() + 120
        while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(settle)
        assert process.poll() is None, "the run ended before it could be stopped"
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr
