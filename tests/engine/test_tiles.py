"""The compiled tiles (``engine/tiles.py``): a small product in vector registers.

Held to numpy's product in a wider precision at every shape the tiles cut differently
(4-row tiles and single rows; two vectors of columns, one, and single columns), in float64
and float32, with a strided (transposed) left operand as the BPTT loops pass it; and the
rule that routes the BPTT loops' products to them.  The BPTT loops through them are held
to the reference by the routes ``numba-tiles`` and ``numba-tiles-blocks``
(``tests/helpers.py``, ``test_fast_path.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from frnn.engine import compiled

numba = pytest.importorskip("numba")
tiles = pytest.importorskip("frnn.engine.tiles")


@numba.njit
def _product(a, M, out, zero):
    tiles.product(a, M, out, zero)


SHAPES = [(1, 1, 1), (3, 5, 7), (4, 8, 8), (5, 9, 17), (7, 3, 33), (32, 32, 32), (13, 40, 24),
          (9, 64, 70), (4, 1, 16), (6, 512, 40)]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("m", "k", "n"), SHAPES)
@pytest.mark.parametrize("transposed", [False, True])
def test_product_matches_numpy(dtype, m, k, n, transposed):
    rng = np.random.default_rng(m * 1000 + k * 10 + n)
    a = rng.standard_normal((k, m) if transposed else (m, k)).astype(dtype)
    a = a.T if transposed else a
    M = rng.standard_normal((k, n)).astype(dtype)
    out = np.full((m, n), np.nan, dtype=dtype)  # every element must be written
    _product(a, M, out, dtype(0))
    exact = a.astype(np.longdouble) @ M.astype(np.longdouble)
    # each sum's rounding: k terms, each within an ulp of |a||M| summed
    bound = k * np.finfo(dtype).eps * (np.abs(a).astype(np.float64) @ np.abs(M))
    assert out.dtype == dtype
    assert np.all(np.abs(out - exact).astype(np.float64) <= bound + np.finfo(dtype).tiny)


def test_an_infinite_input_spoils_only_its_own_row():
    """The sums start from a zero passed in, not one made from the data (inf − inf)."""
    a = np.ones((8, 16))
    a[0, 0] = np.inf
    out = np.empty((8, 16))
    _product(a, np.ones((16, 16)), out, 0.0)
    assert np.all(np.isinf(out[0])) and np.all(out[1:] == 16.0)


def test_the_tiles_and_panels_run_only_where_blas_would_pack(monkeypatch):
    monkeypatch.setattr(compiled, "small_kernels", lambda: False)
    assert compiled.step_product(32, 32) == 0
    assert compiled.step_product(compiled.TILES_MAX_UNITS, 7) == 0
    assert compiled.step_product(compiled.TILES_MAX_UNITS + 1, 7) == compiled.PANELS
    monkeypatch.setattr(compiled, "small_kernels", lambda: True)
    monkeypatch.setattr(compiled, "split_products", lambda: True)  # AMD: calls of few rows
    assert compiled.step_product(256, 128) == compiled.product_rows(256) == 8
    monkeypatch.setattr(compiled, "split_products", lambda: False)  # Intel: one call
    monkeypatch.setattr(compiled, "wide_vectors", lambda: False)  # numba held to AVX2
    assert compiled.step_product(256, 128) == 128
    monkeypatch.setattr(compiled, "wide_vectors", lambda: True)  # AVX-512: its panels
    assert compiled.step_product(compiled.TILES_MAX_UNITS, 64) == 64
    assert compiled.step_product(compiled.TILES_MAX_UNITS + 1, 64) == compiled.PANELS
    assert compiled.step_product(compiled.WIDE_PANELS_MAX_UNITS, 7) == compiled.PANELS
    assert compiled.step_product(compiled.WIDE_PANELS_MAX_UNITS + 1, 7) == 7


def test_split_products_reads_the_cpu_vendor(monkeypatch, tmp_path):
    """Calls of few rows except on an Intel CPU (/proc/cpuinfo's vendor_id)."""
    import builtins

    real_open = builtins.open
    for text, split in (
        ("vendor_id\t: GenuineIntel\n", False),
        ("vendor_id\t: AuthenticAMD\n", True),
    ):
        (tmp_path / "cpuinfo").write_text(text)
        monkeypatch.setattr(
            builtins,
            "open",
            lambda path, *a, **k: real_open(
                tmp_path / "cpuinfo" if path == "/proc/cpuinfo" else path, *a, **k
            ),
        )
        compiled.split_products.cache_clear()
        assert compiled.split_products() is split
    monkeypatch.setattr(builtins, "open", real_open)
    compiled.split_products.cache_clear()
