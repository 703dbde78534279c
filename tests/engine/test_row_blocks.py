"""The compiled loops' threads: the batch cut into row blocks, BLAS held to one thread.

(tests/test_fast_path.py holds the blocks' results to the reference loop in every mode.)
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import frnn
from frnn.engine import compiled, threads
from helpers import make_batch, make_net, route


def _blas_counts() -> set[int]:
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


@pytest.mark.parametrize("budget", [1, 2, 3, 16])
@pytest.mark.parametrize("B", [1, 7, 8, 17, 64, 256])
def test_blocks_cover_the_batch_evenly(monkeypatch, budget, B):
    monkeypatch.setattr(threads, "budget", lambda: budget)
    blocks = threads.row_blocks(100, B, 32, 256)
    assert blocks[0][0] == 0 and blocks[-1][1] == B
    assert all(b1 == c0 for (_, b1), (c0, _) in zip(blocks, blocks[1:], strict=False))
    sizes = [b1 - b0 for b0, b1 in blocks]
    assert max(sizes) - min(sizes) <= 1
    assert len(blocks) == max(1, min(budget, B // threads.MIN_ROWS))
    assert len(blocks) == 1 or min(sizes) >= threads.MIN_ROWS
    assert threads.row_blocks(1, B, 1, 1) == [(0, B)]  # too little work to hand over


def test_run_blocks_returns_in_order_and_waits_for_started_blocks():
    blocks = [(0, 2), (2, 5), (5, 9)]
    assert threads.run_blocks(lambda b0, b1: (b0, b1), blocks) == blocks
    started, finished = threading.Event(), threading.Event()

    def fn(b0, b1):
        if b0 == 0:
            started.wait(10)  # a pool thread is inside its block
            raise KeyError("first block")
        started.set()
        threading.Event().wait(0.05)
        finished.set()

    with pytest.raises(KeyError, match="first block"):
        threads.run_blocks(fn, blocks[:2])
    assert finished.is_set()  # the started block ended before the error came back

    def late_error(b0, b1):
        if b0:
            raise ValueError(f"block {b0}")
        return b0

    with pytest.raises(ValueError, match="block 2"):
        threads.run_blocks(late_error, blocks[:2])


def test_blocks_no_pool_thread_starts_run_on_the_caller():
    """A busy (or unscheduled) pool never holds a step up: the caller runs the blocks."""
    pool, release = threads._executor(2), threading.Event()
    busy = [threading.Event() for _ in range(threads._pool_size)]  # every pool thread
    blockers = [pool.submit(lambda e=event: (e.set(), release.wait(10))) for event in busy]
    for event in busy:
        assert event.wait(10)
    try:
        ran_on = threads.run_blocks(lambda b0, b1: threading.get_ident(), [(0, 1), (1, 2), (2, 3)])
        assert ran_on == [threading.get_ident()] * 3
    finally:
        release.set()
        for blocker in blockers:
            blocker.result()


def test_overlapping_calls_restore_blas_once_after_the_last():
    with threadpool_limits(limits=2, user_api="blas"):
        threads.blas_libraries.cache_clear()
        inside, release = threading.Event(), threading.Event()

        def hold():
            with threads.one_blas_thread():
                inside.set()
                release.wait(10)

        other = threading.Thread(target=hold)
        other.start()
        inside.wait(10)
        with threads.one_blas_thread():
            assert _blas_counts() == {1}
            assert threads.budget() == 2  # the count the first caller found
        assert _blas_counts() == {1}  # the other thread still holds it
        release.set()
        other.join()
        assert _blas_counts() == {2}
        assert threads.budget() == 2


def test_blas_loops_run_on_one_blas_thread_and_restore_the_count(monkeypatch):
    kernels = compiled.blas_kernels()
    if kernels is None:
        pytest.skip("numba's BLAS loops are unusable here")
    seen = []
    original = kernels.states

    def spy(*args):
        seen.append(_blas_counts())
        return original(*args)

    model = make_net(8, 64, 1)
    x = np.random.default_rng(0).standard_normal((32, 40, 8))
    with threadpool_limits(limits=2, user_api="blas"):
        threads.blas_libraries.cache_clear()
        monkeypatch.setattr(kernels, "states", spy)
        monkeypatch.setattr(threads, "PARALLEL_MIN_WORK", 0)  # blocks whatever the size
        frnn.forward(model, x, np.ones(32), engine="numba")
        assert _blas_counts() == {2}
    assert len(seen) == 2 and all(counts == {1} for counts in seen)  # two blocks


def test_blocks_give_the_same_bits_every_time():
    model = make_net(3, 6, 2, bias=True)
    x, y, lengths, a0 = make_batch(9, 12, 3, 6, 2, many_to_many=True, padded=True, with_a0=True)
    with route("numba-blas-blocks") as engine:
        runs = []
        for _ in range(3):
            frnn.forward(model, x, y, lengths=lengths, a0=a0, engine=engine)
            grads = frnn.backward(model, engine=engine)
            runs.append(b"".join(g.tobytes() for g in grads.values()) + model.a.tobytes())
    assert runs[0] == runs[1] == runs[2]


def test_a_forked_child_makes_its_own_pool():
    """The pool's threads do not survive a fork: the child must not wait for them."""
    code = textwrap.dedent("""
        import os, numpy as np, frnn
        from frnn.engine import threads
        threads.budget = lambda: 2
        net = frnn.FullyRecurrentNetwork(8, 64, 1, rng=0)
        x = np.random.default_rng(0).standard_normal((32, 40, 8))
        net.forward(x, np.ones(32)); net.backward()
        pid = os.fork()
        if pid == 0:
            net.forward(x, np.ones(32)); net.backward()
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        print("child", os.waitstatus_to_exitcode(status))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "child 0"


def test_a_step_on_another_thread_leaves_threadpool_limits_working():
    """frnn sets BLAS's thread count with the library's own call: through threadpoolctl's,
    a living thread that ran a step would be the only one whose limits take effect."""
    model = make_net(8, 32, 1)
    x = np.random.default_rng(0).standard_normal((32, 5, 8))
    stepped, checked = threading.Event(), threading.Event()
    threads.blas_libraries.cache_clear()
    before = [knob.get() for knob in threads.blas_libraries()]
    for knob in threads.blas_libraries():
        knob.set(2)  # not through threadpoolctl: no thread controls BLAS yet

    def step():
        frnn.forward(model, x, np.ones(32), engine="numpy")  # holds BLAS to one thread
        stepped.set()
        checked.wait(10)  # alive while the main thread sets its limits

    other = threading.Thread(target=step)
    other.start()
    try:
        stepped.wait(10)
        assert _blas_counts() == {2}
        for n in (1, 3):
            with threadpool_limits(limits=n, user_api="blas"):
                assert _blas_counts() == {n}
    finally:
        checked.set()
        other.join()
        for knob, n in zip(threads.blas_libraries(), before, strict=True):
            knob.set(n)
