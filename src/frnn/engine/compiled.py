"""Calling the compiled loops: every argument checked, the batch cut into row blocks.

Two families of loops (numba), the same function as the reference's: ``kernels`` writes
every product as a loop (small networks, where a BLAS call's fixed cost would be most of
a step) and ``blas_kernels`` calls BLAS for each step's products (larger ones).  Each
family is imported, and compiled, on first use (a tiny trial call compiles it or loads it
from numba's disk cache); when that fails the decision "unusable here" is cached and
``dispatch`` runs another path.  Compiled code indexes without checks, so every shape and
dtype it reads is checked here first.
"""

from __future__ import annotations

import functools

import numpy as np

from . import denormals, disk_cache, fallback, spare, threads
from .activations import ACTIVATIONS
from .batch import Batch

# Rows (steps × the block's sequences) that each hoisted product of ``blas_kernels`` sums
# over: measured best near 512 (one thread; batch 128 × 256 hidden units: 4 steps a chunk,
# 6% faster than 1; 16 × 32: 32 steps, 25% faster than 64), and the chunk's copies of δ(t)
# and a(t−1) stay in cache until the product reads them.
CHUNK_ROWS = 512

# OpenBLAS's cores that have small-matrix kernels (AVX-512: Intel from Skylake-SP, AMD from
# Zen 4) run a product of at most SMALL_PRODUCT multiply-adds without packing its operands
# (OpenBLAS's rule, M·N·K ≤ 100³); above, it packs R again at every step.  Measured there
# (one thread, a step's product a(t−1) Rᵀ, GMAC/s, float64 / float32): I = 128, 64 rows
# 22 / 41 in one call, 28 / 55 in calls of 8–56 rows; I = 256, 128 rows 23 / 44, 25 / 52
# in calls of 8 (rows not a multiple of 8 ran slower than one call).
SMALL_KERNEL_CORES = ("skylakex", "cooperlake", "sapphirerapids")
SMALL_PRODUCT = 100**3

# Hidden units up to which each step's product with R runs in the compiled tiles where the
# BLAS has no small-matrix kernels.  Measured with OpenBLAS's Haswell kernels (AMD Zen 4
# held to AVX2, one thread, ``rows`` × I by I × I), tiles against BLAS, float64 / float32:
# I = 32 1.2 / 0.6 µs against 1.9 / 1.3; I = 64 (32 rows) 6.2 / 2.5 against 6.5 / 4.6;
# I = 96 (64 rows) 22.6 / 11.2 against 18.9 / 12.0; I = 128 (64 rows) 47.5 / 20.2 against
# 30.7 / 17.7.  The tiles run at the FMA units' peak; above this BLAS's larger kernels
# and its blocking for the caches win.
TILES_MAX_UNITS = 64

# ``step_product``'s code for a step's product with R from panels of R packed once per
# loop (``engine/panels.py``), where the BLAS has no small-matrix kernels and the network
# is above ``TILES_MAX_UNITS``.  Measured with OpenBLAS's Haswell kernels (Intel Ice Lake
# held to AVX2, one thread, rows × I by I × I, thread time), panels against BLAS,
# float64 / float32: I = 96 (64 rows) 24.3 / 12.2 µs against 29.1 / 16.9; I = 128
# (32 rows) 24.8 / 12.1 against 29.7 / 18.6; I = 256 (128 rows) 352 / 173 against
# 387 / 208 (the tiles 586 / 267); packing R (256 × 256) takes 42 / 32 µs once a loop.
PANELS = -1

# Hidden units up to which ``step_product`` takes the panels on an Intel CPU with AVX-512,
# whose OpenBLAS has small-matrix kernels but runs a step's product (one call) through its
# packed path: the panels there use 512-bit vectors (``simd.WIDEST``), tiles of 8 rows by
# two vectors, on 64-byte boundaries.  Measured on a 2-core Intel Xeon (Ice Lake), one
# thread, thread CPU time, rows × I by I × I, medians of 15 rounds interleaved, load
# average 1.3–1.8, panels against OpenBLAS 0.3.30's SkylakeX kernels, float64 / float32:
# I = 128 (64 rows) 30.5 / 14.9 µs against 52.6 / 25.5; I = 256 (128 rows) 242 / 115
# against 320 / 175, (256 rows) 501 / 229 against 621 / 323 (67 / 146 GFLOP/s, above
# numpy's 1024 × 1024 product); I = 512 (256 rows) 2480 / 1047 against 2484 / 1330, even
# in float64, so the panels stop at 256.  A training step (``bench_vs_torch``'s sizes,
# both sampled in turn in one process, wall time, three runs, load 0.3–2.2), one thread:
# medium (I = 128) 1.25–1.28x / 1.23–1.25x faster, large (I = 256) 1.01–1.26x /
# 1.07–1.13x; two threads medium 1.10–1.30x / 1.02–1.23x, large 1.01–1.26x / 1.06–1.11x.
WIDE_PANELS_MAX_UNITS = 256


@functools.cache
def numba_kernels():
    """The ``kernels`` module, or None when numba cannot be imported or compile here.

    Decided once per process; ``numba_kernels.cache_clear()`` decides again.  A disk
    cache that cannot be read (a corrupt file) is dropped and the kernels compiled afresh.
    """
    try:
        from . import kernels
    except Exception as error:  # ImportError, or numba failing to load on this platform
        fallback.unusable("time loops", error)
        return None
    disk_cache.guard(kernels)  # before the first compile: workers may save side by side
    return _usable(kernels, "time loops")


@functools.cache
def blas_kernels():
    """The ``blas_kernels`` module, or None when numba or its BLAS (scipy's) is unusable."""
    if numba_kernels() is None:
        return None
    try:
        from . import blas_kernels as module
    except Exception as error:  # scipy's BLAS not found by numba, say
        fallback.unusable("time loops that call BLAS", error)
        return None
    disk_cache.guard(module)
    module = _usable(module, "time loops that call BLAS")
    threads.blas_libraries.cache_clear()  # the trial loaded scipy's BLAS: count it from now
    small_kernels.cache_clear()  # and ask it, not numpy's, about small-matrix kernels
    return module


def _usable(module, loops: str):
    """``module`` if its two loops run (compiled now or loaded from the cache), else None
    with a :class:`~frnn.engine.fallback.CompiledLoopsWarning` naming ``loops``."""
    batch = Batch(
        x=np.zeros((1, 1, 1)),
        y=None,
        a0=np.zeros((1, 1)),
        lengths=np.ones(1, dtype=np.intp),
        mask=None,
        single=False,
        many_to_many=False,
    )
    W = R = V = np.zeros((1, 1))
    # every compiled function the module holds or imports, each with its disk cache: a loop
    # compiled afresh compiles what it calls too (``tiles.product``), whose cache may be
    # the corrupt one
    cached = [v for v in vars(module).values() if hasattr(getattr(v, "_cache", None), "flush")]
    for attempt in range(2):
        try:
            if hasattr(module, "time_major"):  # ``kernels``' copy of x and output layer,
                module.time_major(np.zeros((1, 1, 1)), np.empty((1, 1, 1)))  # cached too
                _trial_head(module)
                module.unit_interval(np.zeros((1, 1)))
            A = states(module, W, R, batch, "tanh", None)
            dZ = np.zeros((1, 1))
            if A is None or gradients(module, A, batch, R, V, dZ, "tanh") is None:
                return None  # numba failed to compile a loop: ``_compiled`` has warned
            return module
        except fallback.CompiledLoopsWarning:  # warnings made errors (-W error): say so
            raise
        except Exception as error:  # e.g. an UnpicklingError from a corrupt file in the cache
            if attempt:
                fallback.unusable(loops, error)
                return None
            for kernel in cached:
                kernel._cache.flush()  # forget the cache's index: compile and write afresh
    return None


def _trial_head(module) -> None:
    """``kernels.head`` on a batch of one, each loss: compiled now or read from the cache."""
    one, zero = np.ones((1, 1)), np.zeros((1, 1))
    for code in HEAD_LOSSES.values():
        lengths = np.ones(1, dtype=np.intp)
        module.head(
            zero[None],
            lengths,
            one,
            np.zeros(1),
            zero,
            np.ones(1),
            code,
            1.0,
            1.0,
            *[one.copy()] * 3,
        )


def _compiled(kernel, *args):
    """Call a compiled kernel; None when numba fails to compile it (numpy runs instead)."""
    try:
        return kernel(*args)
    except Exception as error:
        if not type(error).__module__.startswith(("numba", "llvmlite")):
            raise
        fallback.unusable("time loops", error)
        return None


def _run(module, blocks: list[tuple[int, int]], kernel, flush: bool = False) -> list | None:
    """kernel(b0, b1) for each row block, side by side; None if one failed to compile.

    The loops that call BLAS run with it held to one thread: the blocks are the threads.
    ``flush`` (the float32 loops) runs each block with subnormals flushed to zero on its
    thread (:mod:`frnn.engine.denormals`: Intel CPUs pay ~100 cycles an operation on them).
    """
    if flush:
        kernel = denormals.flushed(kernel)
    if len(blocks) == 1:  # the small networks' path: no more Python than needed
        if module.CALLS_BLAS:
            with threads.one_blas_thread():
                result = _compiled(kernel, *blocks[0])
        else:
            result = _compiled(kernel, *blocks[0])
        return None if result is None else [result]
    if not module.CALLS_BLAS:
        return _all(threads.run_blocks(lambda b0, b1: _compiled(kernel, b0, b1), blocks))
    with threads.one_blas_thread():
        return _all(threads.run_blocks(lambda b0, b1: _compiled(kernel, b0, b1), blocks))


def _all(results: list) -> list | None:
    return None if any(result is None for result in results) else results


@functools.cache
def small_kernels() -> bool:
    """Whether the BLAS that numba calls is an OpenBLAS with small-matrix kernels (a core
    of ``SMALL_KERNEL_CORES``; scipy's, or the one BLAS when numpy and scipy share one)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return False
    blas = [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]
    scipy = [c for c in blas if "numpy" not in c.filepath] or blas
    return bool(scipy) and all(
        c.internal_api == "openblas"
        and str(getattr(c, "architecture", "")).lower() in SMALL_KERNEL_CORES
        for c in scipy
    )


def step_product(I: int, rows: int) -> int:
    """How ``blas_kernels`` multiplies a block's ``rows`` by R (I, I) at each step: 0 in the
    compiled tiles (:func:`frnn.engine.tiles.product`), ``PANELS`` from R's panels packed
    once a loop (:mod:`frnn.engine.panels`), else in BLAS calls of so many rows.

    BLAS's small-matrix kernels where it has them, except on Intel CPUs with AVX-512,
    where the panels of 512-bit vectors win from ``TILES_MAX_UNITS`` to
    ``WIDE_PANELS_MAX_UNITS`` hidden units; else the tiles up to ``TILES_MAX_UNITS``,
    where BLAS's packing of both operands costs more than their products, and the panels
    above, where BLAS's packing of R at every call does.
    """
    if small_kernels():
        if split_products():  # AMD: calls of a few rows, unpacked
            return product_rows(I) or rows
        if TILES_MAX_UNITS < I <= WIDE_PANELS_MAX_UNITS and wide_vectors():
            return PANELS
        return rows
    return 0 if I <= TILES_MAX_UNITS else PANELS


@functools.cache
def wide_vectors() -> bool:
    """Whether numba compiles for 512-bit vectors here (``simd.WIDEST``: AVX-512)."""
    from .simd import WIDEST

    return WIDEST == 64


@functools.cache
def split_products() -> bool:
    """Whether a step's product with R runs in the small-matrix kernels' calls of a few rows
    (``product_rows``) or in one call of all the block's rows: calls of a few rows on AMD
    (Zen 4, the SkylakeX kernels on 256-bit units: unpacked at the peak, above), one call
    on Intel, whose two 512-bit FMA units those thin calls leave idle.  Measured on a
    2-core Intel Xeon (Ice Lake), one thread, thread CPU time of a step, calls of 8 rows
    (I = 256) or 56 (I = 128) against one call, float64 / float32: (256, 100, 32, 256)
    347 / 135 ms against 259 / 128; (64, 200, 16, 128) 44.8 / 23.6 against 43.0 / 21.0."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            head = info.read(4096)
    except OSError:
        return True
    return "GenuineIntel" not in head


def product_rows(I: int) -> int:
    """Rows per BLAS call of a step's product with R (I, I): the most, in multiples of 8,
    that OpenBLAS's small-matrix kernels take; 0 (all rows at once) without them."""
    if not small_kernels():
        return 0
    rows = SMALL_PRODUCT // (I * I) // 8 * 8
    return rows if rows >= 8 else 0


def chunk_steps(T: int, rows: int) -> int:
    """Steps a chunk of ``blas_kernels`` for a block of ``rows`` sequences."""
    return min(T, -(-CHUNK_ROWS // rows))


def _chunk(module, T: int, rows: int, I: int) -> tuple:
    """The BLAS loops' (steps a chunk, ``step_product``) for a block; () for the others."""
    if not module.CALLS_BLAS:
        return ()
    return chunk_steps(T, rows), step_product(I, rows)


def time_major(x: np.ndarray) -> tuple[np.ndarray, bool] | None:
    """(x (B, T, D) copied time-major, (T, B, D) C-contiguous; whether every value of x is
    finite) by ``kernels``' one compiled pass; None where numba is unusable here or x is
    not a C-contiguous float32 / float64 array (numpy's copy and check run instead)."""
    module = numba_kernels()
    if module is None or not x.flags.c_contiguous or x.dtype not in (np.float32, np.float64):
        return None
    out = np.empty((x.shape[1], x.shape[0], x.shape[2]), dtype=x.dtype)  # (T, B, D)
    finite = _compiled(module.time_major, x, out)
    return None if finite is None else (out, finite)


def unit_interval(y: np.ndarray) -> bool | None:
    """Whether every value of y lies in [0, 1] (NaN does not), by ``kernels``' one compiled
    pass; None where numba is unusable here or y is not a C-contiguous float array."""
    module = numba_kernels()
    if module is None or not y.flags.c_contiguous or y.dtype not in (np.float32, np.float64):
        return None
    return _compiled(module.unit_interval, y)


# ``kernels.head``'s code for each loss
HEAD_LOSSES = {"bce": 0, "mse": 1}


def head(A: np.ndarray, batch: Batch, V: np.ndarray, c, loss: str) -> tuple | None:
    """(Z (B, K), the loss, dZ (B, K), dV (K, I)) of a many-to-one batch with targets (and
    ``batch.weights`` (B,) or None), by ``kernels.head``'s one pass over a(T_b); None where
    numba is unusable here (numpy's forms run instead).  ``c`` (K,) or None."""
    module = numba_kernels()
    if module is None:
        return None
    T, B, I = A.shape
    K, dtype = V.shape[0], A.dtype
    _expect("V", V, (K, I), dtype)
    _expect("y", batch.y, (B, K), dtype)
    _expect("lengths", batch.lengths, (B,), np.intp)  # their values: checked in the kernel
    if batch.weights is None:
        w = _ones(B, dtype)
    else:
        w = batch.weights
        _expect("weights", w, (B,), dtype)
    if c is None:
        c = _zeros(K, dtype)  # z starts at +0 either way
    else:
        _expect("c", c, (K,), dtype)
    Z, dZ = np.empty((B, K), dtype=dtype), np.empty((B, K), dtype=dtype)
    dV = np.empty((K, I), dtype=dtype)
    args = (A, batch.lengths, V, c, batch.y, w, HEAD_LOSSES[loss], dtype.type(1), dtype.type(B))
    value = _compiled(module.head, *args, Z, dZ, dV)
    return None if value is None else (Z, value, dZ, dV)


@functools.lru_cache(maxsize=64)
def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A vector of ones the kernels read but never write (no sequence weights)."""
    return np.ones(n, dtype=dtype)


@functools.lru_cache(maxsize=64)
def _zeros(n: int, dtype: np.dtype) -> np.ndarray:
    """A zero vector the kernels read but never write (the absent bias; the absent db)."""
    return np.zeros(n, dtype=dtype)


def _expect(name: str, array: np.ndarray, shape: tuple, dtype) -> None:
    """Raise unless ``array`` has exactly ``shape`` and ``dtype`` (compiled loops index it)."""
    if array.shape != shape or array.dtype != dtype:
        raise ValueError(
            f"{name} must be {shape} {np.dtype(dtype)} for the compiled loop; got "
            f"{array.shape} {array.dtype} (were the model's weights replaced after forward?)"
        )


def _expect_rows(name: str, array: np.ndarray) -> None:
    """Raise unless ``array`` is C-contiguous: the loops reshape its steps into one matrix,
    and the tiles (``tiles.product``) load each of its rows as whole vectors."""
    if not array.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous for the compiled loop")


def _check_batch(module, batch: Batch, I: int, dtype) -> tuple[int, int, int]:
    """(T, B, D) after checking x, a0 and lengths against each other, before a kernel runs."""
    if batch.x.ndim != 3:
        raise ValueError(f"x must be (T, B, D) for the compiled loop; got {batch.x.shape}")
    T, B, D = batch.x.shape
    _expect("x", batch.x, (T, B, D), dtype)
    _expect_rows("x", batch.x)
    _expect("a0", batch.a0, (B, I), dtype)
    lengths = batch.lengths
    if lengths.shape != (B,) or lengths.dtype != np.intp:
        raise ValueError(f"lengths must be ({B},) intp; got {lengths.shape} {lengths.dtype}")
    if B and not module.lengths_within(lengths, T):
        raise ValueError(
            f"lengths must lie in [1, T] = [1, {T}]; got [{lengths.min()}, {lengths.max()}]"
        )
    return T, B, D


def states(module, W, R, batch: Batch, activation: str, b) -> np.ndarray | None:
    """a(1..T), (T, B, I), by ``module``'s loop; None when it fails to compile."""
    I = W.shape[0]
    T, B, D = _check_batch(module, batch, I, W.dtype)
    _expect("W", W, (I, D), W.dtype)
    _expect("R", R, (I, I), W.dtype)
    if b is None:
        b = _zeros(I, W.dtype)  # s starts at +0 either way: the same sums, bit for bit
    else:
        _expect("b", b, (I,), W.dtype)  # the kernel reads b[0..I-1] unchecked
    A = spare.states_array((T, B, I), W.dtype)  # every value written below
    blocks = threads.row_blocks(T, B, D, I)
    WT, RT = np.ascontiguousarray(W.T), np.ascontiguousarray(R.T)
    b, a0 = np.ascontiguousarray(b), np.ascontiguousarray(batch.a0)
    code, one = ACTIVATIONS[activation].code, W.dtype.type(1)

    def kernel(b0, b1):  # the kernels return nothing: numba's boxing of an array costs 0.4 µs
        chunk = _chunk(module, T, b1 - b0, I)
        module.states(batch.x, WT, RT, b, a0, batch.lengths, code, one, A, b0, b1, *chunk)
        return A

    return None if _run(module, blocks, kernel, W.dtype == np.float32) is None else A


def gradients(module, A, batch: Batch, R, V, dZ, activation: str, bias: bool = False):
    """(dW (I, D), dR (I, I), db (I,) or (0,)) by ``module``'s BPTT; None when it fails."""
    I, dtype = A.shape[-1], A.dtype
    T, B, D = _check_batch(module, batch, I, dtype)
    _expect("A (the states of forward)", A, (T, B, I), dtype)
    _expect_rows("A (the states of forward)", A)
    _expect("R", R, (I, I), dtype)
    K = V.shape[0] if V.ndim == 2 else -1
    _expect("V", V, (K, I), dtype)
    dZ3 = dZ if batch.many_to_many else dZ[None]  # (T, B, K) | (1, B, K)
    _expect("dZ", dZ3, (T if batch.many_to_many else 1, B, K), dtype)
    R, V, dZ3 = np.ascontiguousarray(R), np.ascontiguousarray(V), np.ascontiguousarray(dZ3)
    code, one = ACTIVATIONS[activation].code, dtype.type(1)

    blocks = threads.row_blocks(T, B, D, I)
    args = (batch.x, A, batch.a0, batch.lengths, R, V, dZ3, batch.many_to_many, code, one)

    def kernel(b0, b1):  # each block adds into its own zeros; db (0,) for none
        db = np.zeros(I, dtype=dtype) if bias else _zeros(0, dtype)
        chunk = _chunk(module, T, b1 - b0, I)
        if module.CALLS_BLAS:  # [dR, dW] side by side (I, I + D): one product adds both
            dRW = np.zeros((I, I + D), dtype=dtype)
            module.gradients(*args, b0, b1, *chunk, dRW, db)
            return dRW[:, I:], dRW[:, :I], db
        dW, dR = np.zeros((I, D), dtype=dtype), np.zeros((I, I), dtype=dtype)
        module.gradients(*args, b0, b1, *chunk, dW, dR, db)
        return dW, dR, db

    parts = _run(module, blocks, kernel, dtype == np.float32)
    if parts is None:
        return None
    if len(parts) == 1:  # dR and dW copied out of [dR, dW]; the sums of blocks are new
        dW, dR, db = parts[0]
        return (dW.copy(), dR.copy(), db) if module.CALLS_BLAS else parts[0]
    return tuple(functools.reduce(np.add, arrays) for arrays in zip(*parts, strict=True))
