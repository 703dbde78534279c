"""The package as installed (issue 12): lazy names listed by dir, a light import, type
hints shipped, numba's disk cache survives corruption."""

import os
import subprocess
import sys
from pathlib import Path

import frnn

ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _python(code: str, env=ENV) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_dir_lists_every_public_and_lazy_name():
    names = dir(frnn)
    for name in [*frnn.__all__, "graph", "plots", "__version__"]:
        assert name in names
    for name in frnn.__all__:
        assert getattr(frnn, name) is not None


def test_import_frnn_loads_no_heavy_module():
    loaded = _python(
        "import frnn, sys; print(sorted({'numpy', 'sklearn', 'matplotlib'} & set(sys.modules)))"
    )
    assert loaded == "[]"


def test_type_hints_are_shipped():
    assert (Path(frnn.__file__).parent / "py.typed").is_file()


def test_a_corrupt_numba_cache_is_rebuilt(tmp_path):
    env = {**ENV, "NUMBA_CACHE_DIR": str(tmp_path)}
    run = (
        "import numpy as np, frnn\n"
        "from frnn.engine import dispatch\n"
        "assert dispatch.numba_kernels() is not None\n"
        "net = frnn.FullyRecurrentNetwork(2, 3, 1, rng=0)\n"
        "x = np.random.default_rng(0).standard_normal((4, 5, 2))\n"
        "def run(e):\n"
        "    return net.forward(x, np.ones(4), engine=e), net.backward(engine=e)['R']\n"
        "a, b = run('numba'), run('reference')\n"
        "assert abs(a[0] - b[0]) < 1e-12 and np.allclose(a[1], b[1], rtol=1e-10, atol=0)\n"
        "print('ok')\n"
    )
    assert _python(run, env) == "ok"  # fills the cache
    index = list(tmp_path.rglob("*.nbi"))
    assert index
    for path in index:
        path.write_bytes(b"\x80\x04garbage, not a pickle")
    assert _python(run, env) == "ok"
    assert _python(run, env) == "ok"  # and the rebuilt cache reads back
