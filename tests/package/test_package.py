"""The package as installed (issue 12): lazy names listed by dir, a light import, type
hints shipped, numba's disk cache survives corruption."""

import inspect
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

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


def test_a_subpackage_is_an_attribute_after_import_frnn_alone():
    """The docs' ``frnn.data.windows`` after ``import frnn`` alone: a probe found
    AttributeError unless ``frnn.data`` had been imported first (as numpy's and scipy's
    subpackages are, each is imported on first use); other names still fail."""
    out = _python(
        "import frnn, sys; print('frnn.data' in sys.modules, frnn.data.windows.__name__,"
        " frnn.training.Adam.__name__, hasattr(frnn, 'no_such_name'))"
    )
    assert out == "False windows Adam False"


def test_type_hints_are_shipped():
    assert (Path(frnn.__file__).parent / "py.typed").is_file()


def _public_functions():
    """(name, function) for every public function and method reachable from ``frnn``:
    the names of ``__all__``, the lazily imported modules' ``__all__``, and the methods
    (and properties, and ``__init__``) that frnn's classes define themselves (not those
    they inherit from scikit-learn)."""
    objects = [(name, getattr(frnn, name)) for name in frnn.__all__]
    for module in ("graph", "plots"):
        lazy = getattr(frnn, module)
        objects += [(f"{module}.{name}", getattr(lazy, name)) for name in lazy.__all__]
    for name, obj in objects:
        if inspect.isfunction(obj):
            yield name, obj
        if not inspect.isclass(obj):
            continue
        for klass in obj.__mro__:
            if not klass.__module__.startswith("frnn"):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                value = value.fget if isinstance(value, property) else value
                value = getattr(value, "__func__", value)  # staticmethod, classmethod
                if inspect.isfunction(value):
                    yield f"{name}.{attr}", value


PUBLIC = dict(_public_functions())


def test_the_public_functions_are_found():
    for name in ["to_torch", "load", "RNNClassifier.fit", "RNNClassifier.score"]:
        assert name in PUBLIC
    for name in ["RNNRegressor.predict", "graph.draw", "plots.plot_gradient_flow"]:
        assert name in PUBLIC
    assert "RNNClassifier.get_params" not in PUBLIC  # scikit-learn's, not frnn's


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_functions_are_annotated(name):
    function = PUBLIC[name]
    hints = typing.get_type_hints(function)  # every annotation resolves at run time
    parameters = inspect.signature(function).parameters
    missing = [p for p in parameters if p not in hints and p not in ("self", "cls")]
    missing += [] if "return" in hints else ["return"]
    assert not missing, f"{name}: no annotation for {missing}"


@pytest.mark.slow
def test_a_corrupt_numba_cache_is_rebuilt(tmp_path):
    env = {**ENV, "NUMBA_CACHE_DIR": str(tmp_path)}
    run = (
        "import numpy as np, frnn\n"
        "from frnn.engine import compiled, dispatch\n"
        "assert dispatch.numba_kernels() is not None\n"
        "assert compiled.blas_kernels() is not None\n"
        "for I, B in ((3, 4), (32, 16)):  # products as loops; BLAS calls\n"
        "    net = frnn.FullyRecurrentNetwork(2, I, 1, rng=0)\n"
        "    x = np.random.default_rng(0).standard_normal((B, 5, 2))\n"
        "    def run(e):\n"
        "        return net.forward(x, np.ones(B), engine=e), net.backward(engine=e)['R']\n"
        "    a, b = run('numba'), run('reference')\n"
        "    assert abs(a[0] - b[0]) < 1e-12 and np.allclose(a[1], b[1], rtol=1e-10, atol=0)\n"
        "print('ok')\n"
    )
    assert _python(run, env) == "ok"  # fills the cache
    index = list(tmp_path.rglob("*.nbi"))
    assert index
    for path in index:
        path.write_bytes(b"\x80\x04garbage, not a pickle")
    assert _python(run, env) == "ok"
    assert _python(run, env) == "ok"  # and the rebuilt cache reads back


def test_the_root_names_are_the_imports_the_docs_read():
    """``__all__`` lists exactly the names imported under ``TYPE_CHECKING`` (the list that
    griffe reads for the API pages and ``__getattr__`` for the imports at run time), each
    the object of its home module."""
    import ast
    import importlib

    tree = ast.parse(Path(frnn.__file__).read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If))
    imported = {alias.asname or alias.name: node for node in block.body for alias in node.names}
    assert sorted(imported) == sorted(frnn.__all__)
    for name, node in imported.items():
        home = importlib.import_module("." * node.level + (node.module or name), "frnn")
        assert getattr(frnn, name) is (home if node.module is None else getattr(home, name))


def test_no_module_replaces_itself_in_sys_modules():
    for path in Path(frnn.__file__).parent.rglob("*.py"):
        assert "sys.modules[__name__]" not in path.read_text(encoding="utf-8"), path
