"""Fuzzing the file readers and the model loader (issue 12): random bytes and mutated valid
files give a ValueError (or FileNotFoundError), never anything else; at the command line,
one line on stderr and exit 2."""

import io as pyio
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frnn import RNNClassifier, io
from frnn.data.datasets import load_file
from helpers import run_cli

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SUFFIXES = [".csv", ".tsv", ".txt", ".ts", ".npz"]


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> dict[str, bytes]:
    """One valid file of each kind, as bytes: the seeds of the mutations."""
    folder = tmp_path_factory.mktemp("valid")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 5)), np.arange(6) % 2
    rows = "".join(f"{c},{','.join(map(str, s))}\n" for c, s in zip(y, X, strict=True))
    files = {
        ".csv": rows.encode(),
        ".tsv": rows.replace(",", "\t").encode(),
        ".txt": rows.replace(",", " ").encode(),
        ".ts": ("@classLabel true 0 1\n@data\n" + rows.replace(",", ":", 0)).encode(),
    }
    buffer = pyio.BytesIO()
    np.savez_compressed(buffer, X=X, y=y)
    files[".npz"] = buffer.getvalue()
    clf = RNNClassifier(hidden_size=2, epochs=1, n_ensemble=1, random_state=0).fit(X, y)
    io.save(clf, folder / "model.npz")
    files["model"] = (folder / "model.npz").read_bytes()
    return files


def _mutate(data: bytes, edits) -> bytes:
    data = bytearray(data)
    for position, value, kind in edits:
        if not data:
            break
        i = position % len(data)
        if kind == 0:
            data[i] = value
        elif kind == 1:
            del data[i : i + value]
        else:
            data[i:i] = bytes([value]) * (value % 7 + 1)
    return bytes(data)


EDITS = st.lists(
    st.tuples(st.integers(0, 2**31), st.integers(0, 255), st.integers(0, 2)), max_size=8
)


def _only_value_errors(call):
    try:
        call()
    except (ValueError, FileNotFoundError):
        pass


@SETTINGS
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=512))
def test_random_bytes_in_data_files(tmp_path, suffix, data):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    _only_value_errors(lambda: load_file(path))
    _only_value_errors(lambda: load_file(path, label="none"))


@SETTINGS
@given(suffix=st.sampled_from(SUFFIXES), edits=EDITS)
def test_mutated_data_files(tmp_path, valid, suffix, edits):
    path = tmp_path / f"mutated{suffix}"
    path.write_bytes(_mutate(valid[suffix], edits))
    _only_value_errors(lambda: load_file(path))


@SETTINGS
@given(data=st.binary(max_size=512))
def test_random_bytes_as_models_and_states(tmp_path, data):
    path = tmp_path / "random.npz"
    path.write_bytes(data)
    _only_value_errors(lambda: io.load(path))
    _only_value_errors(lambda: io.load_state(path))


@SETTINGS
@given(edits=EDITS)
def test_mutated_models_load_and_predict_or_are_refused(tmp_path, valid, edits):
    path = tmp_path / "mutated.npz"
    path.write_bytes(_mutate(valid["model"], edits))
    try:
        model = io.load(path)
    except ValueError:
        return
    model.predict(np.zeros((2, 5)))  # what loads, predicts


def test_the_command_line_gives_one_line(tmp_path, valid):
    rng = np.random.default_rng(1)
    (tmp_path / "model.npz").write_bytes(valid["model"])
    for k in range(3):
        for suffix in (".csv", ".npz"):
            data = _mutate(valid[suffix], rng.integers(0, 2**31, (6, 3)) % [2**31, 256, 3])
            Path(tmp_path / f"d{k}{suffix}").write_bytes(data)
            done = run_cli(
                "predict", "--model", "model.npz", "--data", f"d{k}{suffix}", cwd=tmp_path
            )
            assert done.returncode in (0, 2), done.stderr
            if done.returncode == 2:
                assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
