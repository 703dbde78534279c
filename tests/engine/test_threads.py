"""One network shared by threads: each thread's backward differentiates its own forward."""

import copy
import pickle
import sys
import threading
import types

import numpy as np
import pytest

import frnn
from frnn import training
from frnn.engine import cache, network

ENGINES = ["reference", "numpy", "numba"]


def _data(n, seed=0):
    """n different (x (2, 20, 3), y (2,)) batches."""
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((2, 20, 3)), rng.integers(0, 2, 2).astype(float)) for _ in range(n)
    ]


def _serial(net, data, engine="auto"):
    grads = []
    for x, y in data:
        net.forward(x, y, engine=engine)
        grads.append(net.backward(engine=engine))
    return grads


def _same(g, h) -> bool:
    return g.keys() == h.keys() and all(g[k].tobytes() == h[k].tobytes() for k in g)


@pytest.mark.parametrize("engine", ENGINES)
def test_backward_uses_this_threads_forward_after_another_threads_forward(engine):
    """Thread 1 runs forward, thread 2 runs forward on other data, thread 1 runs backward:
    thread 1 gets the gradient of its own forward (before: of thread 2's)."""
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=0, bias=True)
    data = _data(2)
    serial = _serial(net, data, engine)
    forwarded, other_done = threading.Event(), threading.Event()
    out = {}

    def first():
        net.forward(*data[0], engine=engine)
        forwarded.set()
        other_done.wait(10)
        out["first"] = net.backward(engine=engine)

    def second():
        forwarded.wait(10)
        net.forward(*data[1], engine=engine)
        other_done.set()
        out["second"] = net.backward(engine=engine)

    threads = [threading.Thread(target=f) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _same(out["first"], serial[0])
    assert _same(out["second"], serial[1])
    # model.a and model.z stay the public attributes of the latest forward: thread 2's
    twin = types.SimpleNamespace(**{k: getattr(net, k) for k in ("W", "R", "V", "b", "c")})
    frnn.forward(twin, *data[1], engine=engine)
    assert np.array_equal(net.a, twin.a) and np.array_equal(net.z, twin.z)


def test_many_threads_forward_backward_on_one_network_match_the_serial_gradients():
    """N threads × many forward+backward on one network, thread switches as often as
    Python allows: every gradient equals the serial one bit for bit, and nothing raises."""
    n_threads, reps = 4, 150
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=1)
    data = _data(n_threads, seed=1)
    serial = _serial(net, data)
    wrong, errors = [], []
    start = threading.Barrier(n_threads)

    def work(i):
        start.wait(10)
        for _ in range(reps):
            try:
                net.forward(*data[i])
                if not _same(net.backward(), serial[i]):
                    wrong.append(i)
            except Exception as error:  # e.g. "backward needs a forward call first"
                errors.append(repr(error))

    _run_threads(work, n_threads)
    assert errors == []
    assert wrong == []


def test_a_thread_without_its_own_forward_is_refused():
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=0)
    net.forward(*_data(1)[0])
    seen = []

    def other():
        try:
            net.backward()
        except RuntimeError as error:
            seen.append(str(error))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert len(seen) == 1 and "forward call first, in this thread" in seen[0]
    assert set(net.backward()) == {"W", "R", "V"}  # the main thread's forward is still there


def test_a_shallow_copy_shares_the_weights_but_not_the_states():
    """copy.copy shares the per-thread store object; the copy's forward must not replace
    the original's states."""
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=0)
    (x0, y0), (x1, y1) = _data(2)
    net.forward(x0, y0)
    expected = net.backward()
    twin = copy.copy(net)
    twin.forward(x1, y1)
    assert _same(net.backward(), expected)
    assert not _same(twin.backward(), expected)


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
def test_a_copied_or_pickled_network_carries_no_states(duplicate):
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=0)
    net.forward(*_data(1)[0])
    twin = duplicate(net)
    with pytest.raises(RuntimeError, match="forward call first"):
        twin.backward()
    assert np.array_equal(twin.W, net.W)
    twin.forward(*_data(1)[0])
    assert _same(twin.backward(), net.backward())


@pytest.mark.parametrize(
    "options",
    [{}, {"chunk_length": 4}, {"chunk_length": 4, "aux_weight": 0.5}],
    ids=["whole", "truncated", "truncated-aux"],
)
def test_sequence_gradients_from_many_threads_on_one_network_match_the_serial_ones(options):
    """The training step reads its own forward's states, never model.a / model.z (which
    another thread's forward sets to None, then to its own): every thread's loss, gradients,
    last logits and last states equal the serial ones bit for bit."""
    n_threads, reps = 4, 60
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=1, bias=True)
    rng = np.random.default_rng(2)
    data = [
        (rng.standard_normal((3, 10, 3)), rng.integers(0, 2, (3, 1)).astype(float))
        for _ in range(n_threads)
    ]
    lengths = np.array([10, 7, 3])  # sequences ending in different chunks

    def step(x, y):
        return training.sequence_gradients(net, x, y, lengths, **options)

    serial = [step(x, y) for x, y in data]
    wrong, errors = [], []
    start = threading.Barrier(n_threads)

    def work(i):
        start.wait(10)
        for _ in range(reps):
            try:
                loss, grads, z, a = step(*data[i])
                expected = serial[i]
                same = loss == expected[0] and _same(grads, expected[1])
                if not (same and np.array_equal(z, expected[2]) and np.array_equal(a, expected[3])):
                    wrong.append(i)
            except Exception as error:  # before: model.a was None after another's forward
                errors.append(repr(error))

    _run_threads(work, n_threads)
    assert errors == []
    assert wrong == []


def test_a_copy_of_a_copy_of_a_freed_network_never_sees_its_states():
    """The store holds its model: a freed model's id cannot be recycled by another object
    that shares the store (before: copy.copy of a copy could land on the freed model's id
    and differentiate its forward)."""
    for _ in range(50):
        net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=0)
        net.forward(*_data(1)[0])
        twin = copy.copy(net)
        del net
        again = copy.copy(twin)  # may be allocated where net was
        with pytest.raises(RuntimeError, match="forward call first"):
            again.backward()
        with pytest.raises(RuntimeError, match="forward call first"):
            twin.backward()


def test_init_forgets_every_threads_states():
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=0)
    net.forward(*_data(1)[0])
    frnn.init(net, 3, 5, 1, rng=1)
    assert cache.get(net) is None
    with pytest.raises(RuntimeError, match="forward call first"):
        net.backward()


def test_old_pickles_still_load():
    """Pickles made before engine.cache.Store name PerThread (and before engine.cache,
    network._Cache): they load, and the network has no states."""
    net = frnn.FullyRecurrentNetwork(3, 5, 1, rng=0)
    net.forward(*_data(1)[0])
    state = {k: v for k, v in vars(net).items() if k != "_frnn_cache"}
    for old in (cache.PerThread(0), network._Cache(*[None] * 5)):
        twin = pickle.loads(pickle.dumps(types.SimpleNamespace(**state, _frnn_cache=old)))
        assert cache.get(twin) is None
        frnn.forward(twin, *_data(1)[0])
        assert cache.get(twin) is not None


def _run_threads(work, n_threads: int) -> None:
    """Run work(0) … work(n_threads − 1) in threads that switch between almost every
    bytecode, and wait for them all."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
