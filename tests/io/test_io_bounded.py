"""Untrusted files (issue 12): bounded reading, no pickle, metadata checked at load."""

import io as pyio
import json
import pickle
import zipfile

import numpy as np
import pytest

import frnn
from frnn import io
from frnn._npz import read_npz
from frnn.data.readers import read_npz as read_data_npz


def _npy(array=None, *, header=None):
    """A member's bytes: a real array's, or a v1.0 header claiming anything."""
    if header is None:
        buffer = pyio.BytesIO()
        np.lib.format.write_array(buffer, array, allow_pickle=True)
        return buffer.getvalue()
    text = repr(header).encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text


def _archive(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


HUGE = {"descr": "<f8", "fortran_order": False, "shape": (10**7, 10**7)}


@pytest.mark.parametrize(
    ("members", "match"),
    [
        ({"X.npy": _npy(header=HUGE)}, "more than the limit"),
        ({"X.npy": _npy(header={**HUGE, "shape": (2**62, 2**62)})}, "more than the limit"),
        ({"X.npy": _npy(np.array([{"a": 1}], dtype=object))}, "never Python objects"),
        (
            {"X.npy": _npy(np.zeros(3) + 1j)},
            r"only real numbers \(bool, integers, floats\) and text, never complex128",
        ),
        ({"X.npy": _npy(np.zeros(3))[:-5]}, "truncated"),
        ({"X.npy": _npy(np.zeros(3)) + b"extra"}, "more data than its header"),
        ({"X.npy": b"not an array"}, "no valid .npy header"),
        ({"X.txt": b"hello"}, "not one .npy array"),
    ],
    ids=["huge", "overflowing", "object", "complex", "truncated", "trailing", "garbage", "foreign"],
)
def test_bad_members_are_refused_before_allocation(tmp_path, members, match):
    path = _archive(tmp_path / "bad.npz", members)
    with pytest.raises(ValueError, match=match) as info:
        read_npz(path)
    _no_pickle_advice(info.value)


def _no_pickle_advice(error: Exception) -> None:
    """numpy's own messages advise ``allow_pickle=True`` or ``pickle.load()``: never ours."""
    text = str(error)
    assert "allow_pickle" not in text and "pickle.load" not in text, text


@pytest.mark.parametrize("kind", ["model", "state", "data"])
@pytest.mark.parametrize("content", ["object member", "pickle"])
def test_no_message_advises_unpickling(tmp_path, kind, content):
    path = tmp_path / "f.npz"
    if content == "pickle":  # a pickle, not an archive: numpy's np.load would unpickle it
        path.write_bytes(pickle.dumps({"X": [1.0, 2.0]}))
    else:
        np.savez(path, X=np.array([{"a": 1}], dtype=object), y=np.zeros(1))
    read = {"model": frnn.load, "state": frnn.load_state, "data": read_data_npz}[kind]
    with pytest.raises(ValueError, match="f.npz") as info:
        read(str(path))
    _no_pickle_advice(info.value)


@pytest.mark.slow
def test_a_decompression_bomb_stops_at_the_cap(tmp_path):
    bomb = _npy(np.zeros(2**25))  # 256 MiB of zeros, a few hundred KiB compressed
    path = _archive(tmp_path / "bomb.npz", {"X.npy": bomb}, zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 2**20
    with pytest.raises(ValueError, match="more than the limit of 1,048,576"):
        read_npz(path, limit=2**20)
    assert read_npz(path, limit=2**29)["X"].shape == (2**25,)  # the option raises the cap


def test_the_cap_can_be_raised_by_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "a.npz"
    np.savez(path, X=np.zeros(1000))
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "100")
    with pytest.raises(ValueError, match="limit of 100 "):
        read_npz(path)
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "8000")
    assert read_npz(path)["X"].shape == (1000,)
    for text in ("-5", "0", "1e9", "lots"):  # "-5" was "max_bytes must be ...": not the variable
        monkeypatch.setenv("FRNN_MAX_FILE_BYTES", text)
        with pytest.raises(ValueError, match=f"FRNN_MAX_FILE_BYTES must be .* ≥ 1; got '{text}'"):
            read_npz(path)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04", b"PK\x05\x06" + bytes(18)])
def test_empty_and_truncated_data_files_are_value_errors(tmp_path, content):
    path = tmp_path / "data.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="data.npz"):
        read_data_npz(str(path))


def test_read_data_npz_without_labels(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, X=np.ones((3, 5)))
    split = read_data_npz(str(path))
    assert split.X.shape == (3, 5, 1) and len(split.y) == 0


def test_save_state_refuses_object_arrays(tmp_path):
    with pytest.raises(TypeError, match="only pickle could store"):
        io.save_state(tmp_path / "s.npz", {"a": np.array([None, 1], dtype=object)})
    assert not (tmp_path / "s.npz").exists()


def _saved_classifier(tmp_path):
    X = np.random.default_rng(0).standard_normal((20, 8))
    clf = frnn.RNNClassifier(training="bptt", hidden_size=3, epochs=2, n_ensemble=2, random_state=0)
    clf.fit(X, np.arange(20) % 3)
    path = tmp_path / "model.npz"
    io.save(clf, path)
    return path, X


def _rewrite(path, out, *, meta=None, arrays=None):
    with np.load(path) as archive:
        content = {k: archive[k] for k in archive.files}
    document = json.loads(content.pop("__meta__").tobytes())
    if meta:
        meta(document)
    if arrays:
        arrays(content)
    blob = np.frombuffer(json.dumps(document).encode(), dtype=np.uint8)
    np.savez(out, __meta__=blob, **content)
    return out


MUTATIONS = {
    "networks": dict(meta=lambda m: m.update(networks=7)),
    "networks type": dict(meta=lambda m: m.update(networks="2")),
    "frame": dict(meta=lambda m: m["fitted"].update(frame_size_=3)),
    "frame type": dict(meta=lambda m: m["fitted"].update(frame_size_=1.5)),
    "target": dict(meta=lambda m: m["fitted"].update(target_type_="binary")),
    "hidden": dict(meta=lambda m: m["params"].update(hidden_size=4)),
    "param": dict(meta=lambda m: m["params"].update(epochs=-1)),
    "unknown param": dict(meta=lambda m: m["params"].update(colour="red")),
    "sizes": dict(meta=lambda m: m["sizes"].update(I="3")),
    "activation": dict(meta=lambda m: m.update(activation="sin")),
    "classes": dict(arrays=lambda a: a.update(classes=np.arange(2))),
    "mean": dict(arrays=lambda a: a.update(mean=np.zeros(5))),
    "std": dict(arrays=lambda a: a.update(std=np.zeros_like(a["std"]))),
    "nan weights": dict(arrays=lambda a: a["net0/W"].fill(np.nan)),
    "missing": dict(arrays=lambda a: a.pop("net1/R")),
}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=list(MUTATIONS))
def test_inconsistent_model_files_are_refused_at_load(tmp_path, mutation):
    path, _ = _saved_classifier(tmp_path)
    bad = _rewrite(path, tmp_path / "bad.npz", **MUTATIONS[mutation])
    with pytest.raises(ValueError, match="bad.npz"):
        io.load(bad)


def test_a_consistent_model_file_loads_and_predicts(tmp_path):
    path, X = _saved_classifier(tmp_path)
    same = _rewrite(path, tmp_path / "same.npz")
    assert io.load(same).predict(X).shape == (20,)


def test_a_full_disk_names_the_file(tmp_path):
    from frnn._atomic import atomic_writer

    with pytest.raises(OSError, match="could not write .*target.bin: No space left") as caught:
        with atomic_writer(tmp_path / "target.bin"):
            raise OSError(28, "No space left on device")
    assert caught.value.filename == str(tmp_path / "target.bin")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("folder", "could not write .*folder: it is a directory; expected a file name"),
        ("missing/net.npz", "could not write .*missing/net.npz: its folder .*missing does not"),
        ("plain.txt/net.npz", "could not write .*net.npz: its folder .*plain.txt is not a dir"),
    ],
)
def test_a_target_that_cannot_be_written_is_named_not_the_temporary(tmp_path, target, message):
    (tmp_path / "folder").mkdir()
    (tmp_path / "plain.txt").write_text("x")
    net = frnn.FullyRecurrentNetwork(D=2, I=3, K=1, rng=0)
    with pytest.raises(OSError, match=message) as caught:
        frnn.save(net, tmp_path / target)
    assert ".tmp" not in str(caught.value)  # the temporary file is an internal detail
    assert caught.value.filename == str(tmp_path / target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "plain.txt"]
    assert list((tmp_path / "folder").iterdir()) == []
