"""The planted bugs of docs/testing.md: each applied alone, its area's tests run, reverted.

    python benchmarks/planted_bugs.py [INDEX ...]

Prints one JSON line per bug: caught, and the first test that failed.  Each bug is planted
in its file under src/ and the file's exact bytes are put back after its tests, on an error
or Ctrl-C (SIGINT, SIGTERM) too.  It refuses to start, in one line, while a file it would
touch has changes git has not committed: only a killed run (SIGKILL) leaves a bug planted,
and ``git checkout`` of that file then loses nothing.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# ruff: noqa: E501  (the planted lines are quoted as the code has them)
LAYOUT = [
    "tests/data/test_layouts.py",
    "tests/estimators/test_estimator_layouts.py",
    "tests/cli/test_cli_layouts.py",
]
INPUTS = [
    *LAYOUT,
    "tests/reservoir/test_reservoir.py",
    "tests/reservoir/test_pooling.py",
    "tests/estimators/test_regressor.py",
    "tests/estimators/test_classifier.py",
]
FILES = [
    "tests/io/test_model_files_strict.py",
    "tests/io/test_io.py",
    "tests/io/test_io_bounded.py",
    "tests/io/test_old_model_files.py",
    "tests/data/test_fuzz_files.py",
]
READERS = [
    "tests/data/test_readers_text.py",
    "tests/data/test_files_as_written.py",
    "tests/data/test_declared_header.py",
    "tests/data/test_datasets.py",
    "tests/io/test_io_bounded.py",
    "tests/cli/test_cli_text.py",
]
ENGINE = [
    "tests/engine/test_losses.py",
    "tests/estimators/test_regressor.py",
    "tests/engine/test_threads.py",
    "tests/engine/test_network_torch.py",
]
EDGES = [
    "tests/estimators/test_estimator_robust.py",
    "tests/estimators/test_edge_data.py",
    "tests/estimators/test_determinism.py",
]
LENGTHS = [
    "tests/estimators/test_lengths.py",
    "tests/cli/test_cli_lengths.py",
    "tests/io/test_old_model_files.py",
]
BUGS = [
    (
        "network loader skips V's shape check (issue)",
        "src/frnn/engine/protocol.py",
        "        if array.shape != shape or array.dtype != dtype:",
        '        if (name != "V" and array.shape != shape) or array.dtype != dtype:',
        FILES,
    ),
    (
        "PPV counts s ≥ θ, not s > θ (issue)",
        "src/frnn/reservoir/pooling.py",
        "    above = S > theta  # (B, T', I)",
        "    above = S >= theta  # (B, T', I)",
        ["tests/reservoir/test_pooling.py", "tests/reservoir/test_reservoir.py"],
    ),
    (
        "a text reader drops a last row without newline (issue)",
        "src/frnn/data/textfile.py",
        '        end = text.rfind("\\n") + 1 if block else len(text)  # the complete lines\' end',
        '        end = text.rfind("\\n") + 1  # the complete lines\' end',
        READERS,
    ),
    (
        "channels_first by reshape, not transpose",
        "src/frnn/data/layouts.py",
        "        return np.asarray(X).transpose(0, 2, 1)",
        "        return np.asarray(X).reshape(shape[0], shape[2], shape[1])",
        LAYOUT,
    ),
    (
        "a single step of several channels let through",
        "src/frnn/data/layouts.py",
        "    if T == 1 and D > 1:",
        "    if T == 0 and D > 1:",
        LAYOUT,
    ),
    (
        "MultiIndex cases sorted, not in order of appearance",
        "src/frnn/data/layouts.py",
        "    case = np.argsort(np.argsort(first))[case.ravel()]  # numbered as they first appear",
        "    case = case.ravel()  # numbered as they first appear",
        LAYOUT,
    ),
    (
        "nested cells stacked channels first",
        "src/frnn/data/layouts.py",
        "        series.append(np.stack(cells, axis=1))",
        "        series.append(np.stack(cells, axis=0))",
        LAYOUT,
    ),
    (
        "standardise leaves the padding non-zero",
        "src/frnn/data/inputs.py",
        "    out[~mask(x, lengths)] = 0.0",
        "    pass",
        INPUTS,
    ),
    (
        "znormalise divides by the padded T",
        "src/frnn/data/inputs.py",
        "    mean = u.sum(axis=1, keepdims=True) / lengths[:, None, None]  # (n, 1, D)",
        "    mean = u.sum(axis=1, keepdims=True) / x.shape[1]  # (n, 1, D)",
        INPUTS,
    ),
    (
        "windows drop a last partial frame",
        "src/frnn/data/inputs.py",
        "    steps = -(-T // stride)",
        "    steps = max(1, T // stride)",
        INPUTS,
    ),
    (
        "the read-out loader skips θ's shape",
        "src/frnn/reservoir/persist.py",
        '        shapes = {"W": (I, taps * D), "R": (I, I), "b": (I,), "theta": (I, k)}',
        '        shapes = {"W": (I, taps * D), "R": (I, I), "b": (I,), "theta": arrays.get(f"res{r}/theta", np.empty(0)).shape}',
        FILES,
    ),
    (
        "std_ ≤ 0 accepted from a file",
        "src/frnn/estimators/persist.py",
        "    if not (est.std_ > 0).all():",
        "    if False:",
        FILES,
    ),
    (
        "α off the ridge grid accepted",
        "src/frnn/reservoir/persist.py",
        "    if alpha not in alphas:",
        "    if False:",
        FILES,
    ),
    (
        "no round-trip check (loads what save would not write)",
        "src/frnn/io.py",
        '        if meta["version"] >= 3:  # older layouts are upgraded: written otherwise',
        "        if False:",
        FILES,
    ),
    (
        "npz lengths beyond T accepted",
        "src/frnn/data/readers.py",
        "        or np.any(lengths > X.shape[1])",
        "        or False",
        READERS,
    ),
    (
        "integral labels kept as floats",
        "src/frnn/data/labels.py",
        "    return values.astype(np.int64)",
        "    return values",
        READERS,
    ),
    (
        "trailing NaN read as missing, not padding",
        "src/frnn/data/rowvalues.py",
        '_PADDING = {"", "nan"}',
        '_PADDING = {""}',
        READERS,
    ),
    (
        "the least-squares gradient's sign",
        "src/frnn/engine/losses.py",
        "def _mse_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:\n    return z - y",
        "def _mse_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:\n    return y - z",
        ENGINE,
    ),
    (
        "predict's networks keep their states (detached copies a)",
        "src/frnn/engine/protocol.py",
        '_PER_CALL = ("a", "z", "da", CACHE, "deer_info", "deer_iterations")',
        '_PER_CALL = ("z", "da", CACHE, "deer_info", "deer_iterations")',
        ENGINE,
    ),
    (
        "predict ignores the model's data_format",
        "src/frnn/cli/predict.py",
        "        keys = (args.label, args.header, classes, model.data_format, args.id, args.time)",
        "        keys = (args.label, args.header, classes, None, args.id, args.time)",
        LAYOUT,
    ),
    (
        "znormalise in the data's units (1e-9 under the 1e-8 cut-off, 1e300 overflowing)",
        "src/frnn/data/inputs.py",
        "    u = x / unit  # (n, T, D) in [−1, 1]",
        "    u = x + 0 * unit  # (n, T, D)",
        EDGES,
    ),
    (
        "mixed object labels left to scikit-learn",
        "src/frnn/classifier/targets.py",
        "    check_label_kinds(y)\n",
        "",
        EDGES,
    ),
    (
        "no warning of a class leave-one-out cannot see",
        "src/frnn/estimators/reservoirs.py",
        "        warn_thin_classes(est.classes_, codes, first_chunk=first_chunk)",
        "        pass",
        EDGES,
    ),
    (
        "no LengthWarning at predict",
        "src/frnn/estimators/base.py",
        '        warn_far(self, lengths, shape=None if first else getattr(X, "shape", None))',
        "        pass",
        LENGTHS,
    ),
    (
        "series at 0.75 of the shortest training length warned about",
        "src/frnn/data/lengths.py",
        "lengths < SHORT_FRACTION * shortest",
        "lengths <= SHORT_FRACTION * shortest",
        LENGTHS,
    ),
    (
        "partial_fit forgets the earlier chunks' lengths",
        "src/frnn/estimators/incremental.py",
        "    record(est, lengths, more=True)",
        "    record(est, lengths)",
        LENGTHS,
    ),
    (
        "model files drop the training lengths",
        "src/frnn/estimators/persist.py",
        '    "min_length_",\n    "max_length_",\n',
        "",
        LENGTHS,
    ),
]


def uncommitted(paths: list[str]) -> list[str]:
    """The paths (relative to ROOT) that differ from git's HEAD, or all of them when git
    cannot tell."""
    done = subprocess.run(
        ["git", "status", "--porcelain", "--", *paths], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        return paths
    return sorted({line[3:] for line in done.stdout.splitlines()})


@contextlib.contextmanager
def planted(path: str, old: str, new: str):
    """``path`` with ``old`` replaced by ``new`` inside the block; its exact bytes after."""
    full = os.path.join(ROOT, path)
    with open(full, "rb") as file:
        before = file.read()
    text = before.decode("utf-8")
    assert text.count(old) == 1, (path, text.count(old))
    try:
        with open(full, "wb") as file:
            file.write(text.replace(old, new).encode("utf-8"))
        yield
    finally:
        with open(full, "wb") as file:
            file.write(before)


def run_tests(tests: list[str]) -> subprocess.CompletedProcess:
    pytest = os.path.join(ROOT, ".venv", "bin", "pytest")
    command = [pytest] if os.path.exists(pytest) else [sys.executable, "-m", "pytest"]
    return subprocess.run(
        [
            *command,
            "-x",
            "-q",
            "-m",
            "slow or not slow",  # every test of the files, the slow ones too
            "-p",
            "no:cacheprovider",
            "--tb=no",
            "-rf",
            *tests,
        ],
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=1500,
    )


def _terminated(signum, frame):
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: the planted file is put back


def main(argv: list[str]) -> int:
    only = [int(i) for i in argv]
    chosen = [(i, bug) for i, bug in enumerate(BUGS) if not only or i in only]
    dirty = uncommitted(sorted({bug[1] for _, bug in chosen}))
    if dirty:
        print(
            f"planted_bugs: {', '.join(dirty)} has uncommitted changes; commit or stash them "
            "first (the bugs are planted in these files)",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _terminated)
    for i, (bug, path, old, new, tests) in chosen:
        with planted(path, old, new):
            done = run_tests(tests)
        failed = re.findall(r"^FAILED (\S+)", done.stdout, re.M)
        result = {
            "i": i,
            "bug": bug,
            "file": path,
            "caught": bool(failed),
            "by": failed[:1],
            "rc": done.returncode,
            "tail": done.stdout[-300:] if not failed else "",
        }
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
