"""Where numba's compiled loops cannot run, the command says so in one line, as it says the
data's warnings, and the run goes on with the numpy loops."""

from __future__ import annotations

import warnings

import frnn
from frnn.engine import fallback
from frnn.reservoir import core
from helpers import run_cli


def test_train_says_in_one_line_that_the_compiled_loops_cannot_run(tmp_path, monkeypatch):
    ramps = ["1,0,1,2,3,4,5", "2,5,4,3,2,1,0"] * 4  # two classes, rising and falling
    (tmp_path / "train.csv").write_text("\n".join(ramps) + "\n")

    def broken(kernels):
        raise RuntimeError("simulated: numba cannot compile here")

    monkeypatch.setattr(core, "_trial", broken)
    core.compiled.cache_clear()
    fallback.forget()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", frnn.CompiledLoopsWarning)
            done = run_cli(
                "train", "--train", "train.csv", "--n-reservoirs", "4", "--dtype", "float32",
                "--out", "run", "--quiet", cwd=tmp_path,
            )  # fmt: skip
    finally:
        fallback.forget()
        core.compiled.cache_clear()
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "frnn train: warning: frnn's compiled reservoir loops cannot run here (RuntimeError: "
        "simulated: numba cannot compile here); its numpy loops run instead: the same "
        "results, several times slower. Reinstalling numba, or deleting the __pycache__ "
        "folders of the frnn package (numba's disk cache), may help"
    ]
