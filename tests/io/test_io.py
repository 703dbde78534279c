"""Model and state files: bit-exact round trips, bad files, atomic writes, torch export."""

from __future__ import annotations

import json
import os
import re
import types

import numpy as np
import pytest
import torch

import frnn
from frnn.estimator import RNNClassifier
from frnn.reservoir import ReservoirClassifier

QUICK = dict(training="bptt", hidden_size=6, epochs=5, n_ensemble=2)


@pytest.fixture
def net():
    rng = np.random.default_rng(0)
    model = frnn.FullyRecurrentNetwork(3, 5, 2, activation="relu", loss="mse", rng=rng)
    model.R[...] = rng.standard_normal(model.R.shape)  # full-precision values
    return model


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 10))
    y = np.array(["cat", "dog"])[(X[:, :5].sum(axis=1) > 0).astype(int)]
    return RNNClassifier(**QUICK, random_state=0).fit(X, y), X


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_network_round_trip_is_bit_exact(tmp_path, net, dtype):
    for name in "WRV":
        setattr(net, name, getattr(net, name).astype(dtype))
    frnn.save(net, tmp_path / "net.npz")
    back = frnn.load(tmp_path / "net.npz")
    assert isinstance(back, frnn.FullyRecurrentNetwork)
    assert (back.activation, back.loss) == ("relu", "mse")
    for name in "WRV":
        a, b = getattr(back, name), getattr(net, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_any_object_with_weights_saves(tmp_path):
    model = frnn.init(types.SimpleNamespace(), 2, 3, 1, rng=0)
    frnn.save(model, tmp_path / "plain")
    assert os.path.exists(tmp_path / "plain")  # written as named, no ".npz" appended
    np.testing.assert_array_equal(frnn.load(tmp_path / "plain").W, model.W)


def test_classifier_round_trip_is_bit_exact(tmp_path, fitted):
    clf, X = fitted
    frnn.save(clf, tmp_path / "clf.npz")
    back = frnn.load(tmp_path / "clf.npz")
    assert isinstance(back, RNNClassifier)
    assert back.get_params() == clf.get_params()
    np.testing.assert_array_equal(back.classes_, clf.classes_)
    assert back.decision_function(X).tobytes() == clf.decision_function(X).tobytes()
    assert list(back.predict(X)) == list(clf.predict(X))
    assert back.loss_curve_ == clf.loss_curve_ and back.n_iter_ == clf.n_iter_


def test_unfitted_classifier_cannot_be_saved(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        frnn.save(RNNClassifier(), tmp_path / "x.npz")


@pytest.mark.parametrize(
    ("model", "got"),
    [
        (ReservoirClassifier(n_reservoirs=1), "got a ReservoirClassifier (an RNNClassifier"),
        ("model.npz", "got a str"),
        (types.SimpleNamespace(), "got a SimpleNamespace"),
    ],
)
def test_what_save_cannot_write_is_a_type_error_naming_it(tmp_path, model, got):
    """Before: RuntimeError 'model has no W, R, V: call frnn.init(model, D, I, K) before
    forward', for a fitted ReservoirClassifier too."""
    if isinstance(model, ReservoirClassifier):
        model.fit(np.random.default_rng(0).standard_normal((6, 8)), [0, 1] * 3)
    with pytest.raises(TypeError, match=r"model must be a network \(W, R, V\) or a fitted RN"):
        frnn.save(model, tmp_path / "x.npz")
    with pytest.raises(TypeError, match=re.escape(got)):
        frnn.save(model, tmp_path / "x.npz")
    assert list(tmp_path.iterdir()) == []


def test_state_round_trip(tmp_path):
    state = {
        "epoch": 3,
        "big": 2**100,
        "nested": {"a": np.arange(3.0), "none": None},
        "list": [np.eye(2, dtype=np.float32), {"b": np.array([1, 2])}, "text"],
    }
    frnn.save_state(tmp_path / "s.npz", state)
    back = frnn.load_state(tmp_path / "s.npz")
    assert back["epoch"] == 3 and back["big"] == 2**100 and back["nested"]["none"] is None
    np.testing.assert_array_equal(back["nested"]["a"], np.arange(3.0))
    assert back["list"][0].dtype == np.float32 and back["list"][2] == "text"
    np.testing.assert_array_equal(back["list"][1]["b"], [1, 2])


def _meta_file(path, meta, **arrays):
    blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, __meta__=blob, **arrays)


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "foreign",
        "newer",
        "pickle",
        "bad json",
        "wrong shape",
        "empty",
        "npy",
    ],
)
def test_bad_files_raise_value_error(tmp_path, net, damage):
    path = tmp_path / "model.npz"
    frnn.save(net, path)
    raw = path.read_bytes()
    meta = {
        "format": "frnn",
        "version": 1,
        "kind": "network",
        "sizes": {"D": 3, "I": 5, "K": 2},
        "activation": "tanh",
        "loss": "bce",
        "dtype": "float64",
    }
    if damage == "garbage":
        path.write_bytes(b"not a zip archive at all" * 10)
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "foreign":
        np.savez(path, weights=np.ones(3))
    elif damage == "newer":
        version = frnn.io.FORMAT_VERSION + 1
        _meta_file(path, {**meta, "version": version}, W=net.W, R=net.R, V=net.V)
    elif damage == "pickle":
        np.savez(path, __meta__=np.array([{"format": "frnn"}], dtype=object))
    elif damage == "bad json":
        np.savez(path, __meta__=np.frombuffer(b"{not json", dtype=np.uint8))
    elif damage == "wrong shape":
        _meta_file(path, meta, W=net.W[:2], R=net.R, V=net.V)
    elif damage == "npy":
        with open(path, "wb") as f:
            np.save(f, net.W)
    else:
        path.write_bytes(b"")
    with pytest.raises(ValueError, match="model.npz") as info:
        frnn.load(path)
    text = str(info.value)  # numpy's advice to unpickle is never passed on
    assert "allow_pickle" not in text and "pickle.load" not in text, text


def test_state_and_model_files_are_not_interchangeable(tmp_path, net):
    frnn.save(net, tmp_path / "m.npz")
    frnn.save_state(tmp_path / "s.npz", {"epoch": 1})
    with pytest.raises(ValueError, match="not a state"):
        frnn.load_state(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="not a model: a training checkpoint .* model.npz"):
        frnn.load(tmp_path / "s.npz")  # before: "... holds an frnn 'state', not a model"


def test_a_model_file_cut_short_is_said_to_be_truncated(tmp_path, net):
    """Before: zipfile's "File is not a zip file" alone, for a file that is one, cut short."""
    frnn.save(net, tmp_path / "m.npz")
    data = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut.npz .*\(File is not a zip file: it starts as one "):
        frnn.load(tmp_path / "cut.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match=r"\(File is not a zip file\)$"):
        frnn.load(tmp_path / "text.npz")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        frnn.load(tmp_path / "absent.npz")


def test_writes_are_atomic(tmp_path, net):
    path = tmp_path / "m.npz"
    frnn.save(net, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        frnn.save_state(path, {"epoch": object()})  # fails while writing the metadata
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary file left behind
    umask = os.umask(0o022)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask  # an ordinary file's mode


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_to_torch_matches_frnn(net, activation):
    net.activation = activation
    x = np.random.default_rng(2).standard_normal((4, 7, 3))
    net.forward(x, None)
    rnn, linear = frnn.to_torch(net)
    with torch.no_grad():
        states, h = rnn(torch.from_numpy(x))
        logits = linear(states)
    scale = np.abs(net.a).max()
    assert np.abs(states.numpy() - net.a).max() <= 1e-12 * scale
    assert np.abs(logits[:, -1].numpy() - net.z).max() <= 1e-12 * np.abs(net.z).max()
    assert states.dtype == torch.float64


def test_to_torch_rejects_activations_torch_lacks(net):
    net.activation = "hardtanh"
    with pytest.raises(ValueError, match="hardtanh"):
        frnn.to_torch(net)


def test_to_torch_asks_for_one_network_of_a_classifier(fitted):
    clf, X = fitted
    with pytest.raises(TypeError, match="networks_"):
        frnn.to_torch(clf)
    rnn, linear = frnn.to_torch(clf.networks_[0])
    assert rnn.hidden_size == 6 and linear.out_features == 1


# -- biases and the file format version --------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_network_with_biases_round_trips(tmp_path, dtype):
    net = frnn.FullyRecurrentNetwork(3, 4, 2, rng=0, dtype=dtype, bias=True)
    net.b[...] = np.random.default_rng(1).standard_normal(4)
    frnn.save(net, tmp_path / "net.npz")
    back = frnn.load(tmp_path / "net.npz")
    for name in "WRVbc":
        a, b = getattr(back, name), getattr(net, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    with np.load(tmp_path / "net.npz") as archive:
        meta = json.loads(archive["__meta__"].tobytes().decode("utf-8"))
    assert meta["version"] == frnn.io.FORMAT_VERSION == 9 and meta["bias"] is True


def test_a_network_without_biases_loads_without_them(tmp_path, net):
    frnn.save(net, tmp_path / "net.npz")
    back = frnn.load(tmp_path / "net.npz")
    assert back.b is None and back.c is None
    assert set(back.forward(np.ones((2, 3)), None) or ()) == set()


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda a, m: a.update(b=a["b"][:2]), r"b has shape \(2,\)"),
        (lambda a, m: a.pop("c"), "the array c is missing"),
        (lambda a, m: m.update(bias="yes"), "bias"),
    ],
)
def test_damaged_biases_are_value_errors(tmp_path, damage, match):
    net = frnn.FullyRecurrentNetwork(3, 4, 2, rng=0, bias=True)
    frnn.save(net, tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop("__meta__").tobytes().decode("utf-8"))
    damage(arrays, meta)
    blob = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(tmp_path / "bad.npz", __meta__=blob, **arrays)
    with pytest.raises(ValueError, match=match):
        frnn.load(tmp_path / "bad.npz")


def test_classifier_with_biases_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 8))
    y = (X[:, :4].sum(axis=1) > 0).astype(int)
    clf = RNNClassifier(**QUICK, bias=True, random_state=0).fit(X, y)
    frnn.save(clf, tmp_path / "clf.npz")
    back = frnn.load(tmp_path / "clf.npz")
    assert back.bias is True
    for mine, theirs in zip(back.networks_, clf.networks_, strict=True):
        for name in "WRVbc":
            assert getattr(mine, name).tobytes() == getattr(theirs, name).tobytes()
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_to_torch_carries_the_biases(activation, dtype):
    net = frnn.FullyRecurrentNetwork(3, 5, 2, activation=activation, rng=0, dtype=dtype, bias=True)
    rng = np.random.default_rng(2)
    for name in "WRVbc":
        getattr(net, name)[...] = rng.standard_normal(getattr(net, name).shape) * 0.5
    x = rng.standard_normal((4, 7, 3)).astype(dtype)
    net.forward(x, np.zeros((4, 7, 2)))
    rnn, linear = frnn.to_torch(net)
    assert rnn.bias and linear.bias is not None
    assert not rnn.bias_hh_l0.detach().numpy().any()
    with torch.no_grad():
        states, _ = rnn(torch.from_numpy(x))
        logits = linear(states)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert np.abs(states.numpy() - net.a).max() <= tol * np.abs(net.a).max()
    assert np.abs(logits.numpy() - net.z).max() <= tol * np.abs(net.z).max()


def test_weight_decay_kept_in_files_whatever_the_default(tmp_path):
    # the regressor's default moved from 0 to 1e-4: a file keeps the value its fit had
    # (every version wrote it; a file without it is refused as damaged): a refit repeats it
    X, y = np.random.default_rng(0).standard_normal((12, 6, 2)), np.arange(12) % 2
    assert frnn.RNNRegressor().weight_decay == 1e-4 and RNNClassifier().weight_decay == 0.0
    for decay in (0.0, 1e-4, 0.5):
        clf = RNNClassifier(training="bptt", steps=3, weight_decay=decay, random_state=0)
        path = tmp_path / f"decay{decay}.npz"
        frnn.save(clf.fit(X, y), path)
        assert frnn.load(path).weight_decay == decay


def _rewritten(tmp_path, source, meta_change=None, arrays_change=None):
    """``source`` saved again with its metadata or arrays changed."""
    with np.load(source) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop("__meta__").tobytes().decode("utf-8"))
    (meta_change or (lambda m: None))(meta)
    (arrays_change or (lambda a: None))(arrays)
    blob = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(tmp_path / "bad.npz", __meta__=blob, **arrays)
    return tmp_path / "bad.npz"


@pytest.mark.parametrize(
    ("meta_change", "arrays_change", "message"),
    [  # before: "written by a newer frnn (file format version '8' ...)" for text and 0
        (
            lambda m: m.update(version="9"),
            None,
            r"unreadable frnn metadata: the file format "
            r"version must be an integer from 1 to 9; got '9'$",
        ),
        (lambda m: m.update(version=0), None, "version must be an integer from 1 to 9; got 0$"),
        (lambda m: m.update(version=10), None, "written by a newer frnn .*version 10"),
        # before: "... damaged frnn model file: KeyError('classes')"
        (
            lambda m: m.update(kind="classifier"),
            None,
            r"model file: the entry 'classes' is "
            "missing$",
        ),
        # before: "... damaged frnn model file: ValueError('the array res0/W is missing')"
        (None, lambda a: a.pop("res0/W"), "damaged frnn model file: the array res0/W is missing$"),
    ],
)
def test_a_damaged_model_file_is_named_in_words(tmp_path, meta_change, arrays_change, message):
    X = np.random.default_rng(0).standard_normal((12, 8))
    reg = frnn.RNNRegressor(n_reservoirs=2, random_state=0).fit(X, X.sum(axis=1))
    frnn.save(reg, tmp_path / "reg.npz")
    with pytest.raises(ValueError, match=message):
        frnn.load(_rewritten(tmp_path, tmp_path / "reg.npz", meta_change, arrays_change))


def test_a_file_of_series_given_as_a_model_says_what_it_holds(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((2, 3)), y=np.zeros(2))
    with pytest.raises(ValueError, match=r"it has no __meta__ entry; it holds X, y: series, not"):
        frnn.load(tmp_path / "d.npz")


@pytest.mark.parametrize("change", [dict(hidden_size=7), dict(n_ensemble=2), dict(bias=False)])
def test_a_model_whose_parameters_changed_after_fit_is_not_saved(tmp_path, change):
    """Before: save wrote the file, and load refused it as damaged ("the networks' size,
    activation, dtype or biases disagree with the parameters")."""
    X = np.random.default_rng(0).standard_normal((12, 8))
    clf = RNNClassifier(training="bptt", hidden_size=4, epochs=1, n_ensemble=1, random_state=0)
    clf.fit(X, np.arange(12) % 2).set_params(**change)
    with pytest.raises(ValueError, match=r"^RNNClassifier cannot be saved: the file would not "):
        frnn.save(clf, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
