"""Every model file kind loads only what it could have written (issue 24).

For each kind — a network, the classifier and the regressor in both training modes, a
regressor of sequence targets — every stored array is damaged in shape, dtype and values,
every metadata entry replaced by values of other types and ranges, removed, or joined by
one that does not belong.  A damaged file is refused with a ValueError naming it, or it
loads, predicts, and saving what it loaded writes the same file back: it is then a file
``save`` could have written.  Damage to an array's shape is always refused; so is every
value listed in IMPOSSIBLE, which saving would write back unchanged but no fit can make.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import frnn
from frnn import FullyRecurrentNetwork, RNNClassifier, RNNRegressor
from frnn._json import difference

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 8, 2))  # (n, T, D)
KINDS = {
    "network": lambda: FullyRecurrentNetwork(2, 3, 2, rng=0, bias=True),
    "classifier bptt": lambda: RNNClassifier(
        training="bptt", hidden_size=3, epochs=2, n_ensemble=2, random_state=0
    ).fit(X, np.arange(12) % 3),
    "classifier steps": lambda: RNNClassifier(
        training="bptt", hidden_size=3, steps=5, n_ensemble=2, random_state=0
    ).fit(X, np.arange(12) % 3),
    "classifier reservoir": lambda: RNNClassifier(
        n_reservoirs=2, hidden_size=3, random_state=0
    ).fit(X, np.arange(12) % 2),
    "regressor bptt": lambda: RNNRegressor(
        training="bptt", hidden_size=3, epochs=2, n_ensemble=1, random_state=0
    ).fit(X, RNG.standard_normal((12, 2))),
    "regressor reservoir": lambda: RNNRegressor(n_reservoirs=2, hidden_size=3, random_state=0).fit(
        X, RNG.standard_normal(12)
    ),
    "regressor sequence": lambda: RNNRegressor(
        training="bptt", hidden_size=3, epochs=2, n_ensemble=1, random_state=0
    ).fit(X, X[:, :, 0]),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """Each kind's file as (arrays, metadata)."""
    folder = tmp_path_factory.mktemp("kinds")
    contents = {}
    for kind, make in KINDS.items():
        frnn.save(make(), folder / "model.npz")
        contents[kind] = _read(folder / "model.npz")
    return contents


def _read(path) -> tuple[dict, dict]:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return arrays, json.loads(arrays.pop("__meta__").tobytes())


def _write(path, arrays: dict, meta: dict):
    blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(path, __meta__=blob, **arrays)
    return path


def _outcome(tmp_path, kind: str, arrays: dict, meta: dict) -> str:
    """ "refused", or "written" for a file that loads, predicts and is saved back the same."""
    path = _write(tmp_path / "damaged.npz", arrays, meta)
    try:
        model = frnn.load(path)
    except ValueError as error:
        assert "damaged.npz" in str(error)
        return "refused"
    if kind == "network":
        model.forward(X[:3], None)
        assert np.isfinite(model.z).all()
    else:
        assert np.isfinite(np.asarray(model.predict(X[:3]), dtype=float)).all()
    frnn.save(model, tmp_path / "again.npz")
    again_arrays, again_meta = _read(tmp_path / "again.npz")
    assert set(again_arrays) == set(arrays)
    for name, array in arrays.items():
        assert again_arrays[name].dtype == array.dtype, name
        np.testing.assert_array_equal(again_arrays[name], array, err_msg=name)
    assert difference(meta, again_meta) is None
    return "written"


def _shape_damage(array: np.ndarray):
    """Every array of a shape its metadata does not give it."""
    yield "drop last", array[:-1]
    yield "add one", np.concatenate([array, array[:1]])
    yield "as a row", array.reshape(1, -1)
    if array.ndim == 2:
        yield "drop a column", array[:, :-1]
        yield "add a column", np.concatenate([array, array[:, :1]], axis=1)
        if array.shape[0] != array.shape[1]:
            yield "transposed", array.T.copy()
    else:
        yield "a column", array[:, None]


@pytest.mark.parametrize("kind", KINDS)
def test_every_stored_arrays_shape_damaged_is_refused(tmp_path, files, kind):
    arrays, meta = files[kind]
    tried = 0
    for name, array in arrays.items():
        for damage, bad in _shape_damage(array):
            if bad.shape == array.shape:  # a (1, I) V as a row is itself
                continue
            outcome = _outcome(tmp_path, kind, {**arrays, name: bad}, meta)
            assert outcome == "refused", f"{name} {damage}: {array.shape} -> {bad.shape}"
            tried += 1
    assert tried >= 4 * len(arrays)


def _value_damage(array: np.ndarray):
    """Arrays of the right shape with another dtype or impossible values."""
    for dtype in (np.float32, np.float64, np.int64, np.bool_, np.complex128):
        if array.dtype != dtype:
            try:
                yield f"as {np.dtype(dtype).name}", array.astype(dtype)
            except (TypeError, ValueError):
                pass
    if array.dtype.kind == "f":
        for value in (np.nan, np.inf, -np.inf, 0.0, -1.0):
            bad = array.copy()
            bad.flat[0] = value
            yield f"first value {value}", bad
        yield "negated", -array


@pytest.mark.slow  # every array or entry of every kind, loaded and saved again
@pytest.mark.parametrize("kind", KINDS)
def test_every_stored_arrays_dtype_and_values_damaged(tmp_path, files, kind):
    arrays, meta = files[kind]
    for name, array in arrays.items():
        for _damage, bad in _value_damage(array):
            _outcome(tmp_path, kind, {**arrays, name: bad}, meta)  # refused, or as written
        missing = {k: v for k, v in arrays.items() if k != name}
        assert _outcome(tmp_path, kind, missing, meta) == "refused", f"{name} missing"
    extra = {**arrays, "net9/W": np.zeros((3, 2))}
    assert _outcome(tmp_path, kind, extra, meta) == "refused"


BAD_VALUES = [None, -1, 0, 1, 1.5, 10**9, "x", "", [], {}, True, False, math.nan, [1, 2]]


def _entries(document, path=()):
    """The path of every entry of a JSON document (lists of up to 8 items by item)."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _entries(value, (*path, key))
    elif isinstance(document, list) and len(document) <= 8:
        for i, value in enumerate(document):
            yield from _entries(value, (*path, i))
    if path:
        yield path


def _replaced(meta: dict, path: tuple, value) -> dict:
    meta = json.loads(json.dumps(meta))
    holder = meta
    for key in path[:-1]:
        holder = holder[key]
    if value is KeyError:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return meta


@pytest.mark.slow  # every array or entry of every kind, loaded and saved again
@pytest.mark.parametrize("kind", KINDS)
def test_every_metadata_entry_damaged(tmp_path, files, kind):
    arrays, meta = files[kind]
    outcomes = {"refused": 0, "written": 0}
    for path in _entries(meta):
        if path[0] == "version":
            continue
        for value in [*BAD_VALUES, KeyError]:
            outcomes[_outcome(tmp_path, kind, arrays, _replaced(meta, path, value))] += 1
        # a parameter left out would load as its default: not a file save writes (a fit
        # that failed during training records no stopped_by_)
        if path != ("fitted", "stopped_by_"):
            outcome = _outcome(tmp_path, kind, arrays, _replaced(meta, path, KeyError))
            assert outcome == "refused", path
    assert _outcome(tmp_path, kind, arrays, {**meta, "colour": "red"}) == "refused"
    assert outcomes["refused"] > outcomes["written"] > 0  # both happen: the test can tell


def _set(*path, value):
    return lambda meta, arrays: _replaced(meta, path, value), None


def _net(kind_meta, arrays, n):
    """The file with its ensemble cut to n networks."""
    kept = {k: v for k, v in arrays.items() if not k.startswith("net") or int(k[3]) < n}
    return {**kind_meta, "networks": n}, kept


#: Values saving would write back unchanged, which no fit can make: each must be refused.
IMPOSSIBLE = {
    "classifier bptt": {
        "a reservoir range out of its rule": _set("params", "input_scale", value=[-1.0, 3.0]),
        "a spectral radius range beyond 1": _set("params", "spectral_radius", value=[0.5, 2.0]),
        "biases the parameters deny": _set("params", "bias", value=False),
        "more epochs than asked": _set("fitted", "n_iter_", value=3),
        "a loss curve of its own": _set("fitted", "loss_curve_", value=[1.0, 2.0]),
        "a history of another length": _set("fitted", "history_", "loss", value=[1.0]),
        "a history entry unknown": _set("fitted", "history_", "colour", value=[1, 2]),
        "an unknown stop": _set("fitted", "stopped_by_", value="boredom"),
        "an accuracy above one": _set("fitted", "history_", "accuracy", 0, value=1.5),
        "a negative loss": _set("fitted", "history_", "val_loss", 0, value=-1.0),
        "no loss for an epoch": _set("fitted", "history_", "grad_norm", 0, value=None),
        "class weights in words": _set("params", "class_weight", value="x"),
        "a frame the parameter did not ask for": _set("params", "frame_size", value=4),
        "a reservoir attribute": _set("fitted", "tabular_", value=True),
        "fewer networks than the ensemble": (
            lambda m, a: _net(m, a, 1)[0],
            lambda m, a: _net(m, a, 1)[1],
        ),
        "unsorted classes": (
            None,
            lambda meta, arrays: {**arrays, "classes": arrays["classes"][::-1].copy()},
        ),
        "a class twice": (None, lambda meta, arrays: {**arrays, "classes": np.array([0, 1, 1])}),
    },
    "classifier reservoir": {
        "an α off the grid": _set("reservoir", "alpha", value=0.5),
        "no temperature for a classifier": _set("reservoir", "temperature", value=None),
        "a stride the rule does not give": _set("reservoir", "windows", 0, 2, value=3),
        "a dilation beyond the series": _set("reservoir", "windows", 0, 1, value=7),
        "the difference out of turn": _set("reservoir", "windows", 1, 3, value="diff"),
        "taps not the parameter's": _set("reservoir", "windows", 0, 0, value=4),
        "a BPTT record": _set("fitted", "n_iter_", value=0),
        "a table of two channels": _set("fitted", "tabular_", value=True),
        "class weights of unknown classes": _set(
            "params", "class_weight", value={"pairs": [[7, 2.0]]}
        ),
        "a frame size": _set("fitted", "frame_size_", value=1),
        "R beyond its spectral radius": (
            None,
            lambda meta, arrays: {**arrays, "res0/R": 2 * arrays["res0/R"]},
        ),
    },
    "regressor reservoir": {
        "a temperature for a regressor": _set("reservoir", "temperature", value=1.0),
        "a shortest series longer than the longest": _set("fitted", "min_length_", value=9),
        "the shortest length alone": _set("fitted", "max_length_", value=KeyError),
        "lengths in a file of version 7": _set("version", value=7),
    },
    "regressor bptt": {
        "two outputs squeezed into one": _set("fitted", "squeeze_", value=True),
        "classifier's history": _set("fitted", "history_", "val_accuracy", value=[None]),
    },
    "regressor sequence": {
        "a frame for sequence targets": _set("fitted", "frame_size_", value=2),
    },
}
IMPOSSIBLE_CASES = [(kind, name) for kind, cases in IMPOSSIBLE.items() for name in cases]


@pytest.mark.parametrize(
    "kind, name", IMPOSSIBLE_CASES, ids=[f"{k}: {n}" for k, n in IMPOSSIBLE_CASES]
)
def test_values_no_fit_can_make_are_refused(tmp_path, files, kind, name):
    arrays, meta = files[kind]
    edit_meta, edit_arrays = IMPOSSIBLE[kind][name]
    bad_meta = edit_meta(meta, arrays) if edit_meta else meta
    bad_arrays = edit_arrays(meta, arrays) if edit_arrays else arrays
    assert _outcome(tmp_path, kind, bad_arrays, bad_meta) == "refused"


def test_v_of_five_outputs_where_the_metadata_says_two_is_refused(tmp_path, files):
    """Refused by the network's own check, which names V (the round trip would refuse the
    file too, for its sizes: each check is held to a failure of its own)."""
    for kind, name in (
        ("network", "V"),
        ("classifier bptt", "net0/V"),
        ("regressor bptt", "net0/V"),
    ):
        arrays, meta = files[kind]
        K, I = meta["sizes"]["K"], meta["sizes"]["I"]
        wide = np.zeros((K + 3, I), dtype=arrays[name].dtype)
        path = _write(tmp_path / "wide.npz", {**arrays, name: wide}, meta)
        shapes = rf"{name} has shape \({K + 3}, {I}\).* says \({K}, {I}\)"
        with pytest.raises(ValueError, match=shapes):
            frnn.load(path)


class _Earlier(RNNRegressor):
    """A regressor with the reservoirs of before the level reservoirs, as files of version 4
    and before hold them (every reservoir reading the series standardised as a whole)."""

    _reservoir_settings = {  # today's with every replaced setting laid over, in turn
        name: value
        for settings in (
            RNNRegressor._reservoir_settings,
            *RNNRegressor._earlier_reservoir_settings,
        )
        for name, value in settings.items()
    }


def test_version_3_files_load_without_data_format_and_version_4_need_it(tmp_path):
    y = np.random.default_rng(1).standard_normal(12)
    model = _Earlier(n_reservoirs=2, hidden_size=3, random_state=0).fit(X, y)
    frnn.save(model, tmp_path / "earlier.npz")
    arrays, meta = _read(tmp_path / "earlier.npz")  # reservoirs as a file of then could hold
    old = _replaced(_replaced(meta, ("params", "data_format"), KeyError), ("version",), 3)
    for name in ("level_fraction", "recurrence", "dtype"):  # recorded from version 5
        old = _replaced(old, ("reservoir", "features", name), KeyError)
    for name in ("init", "warmup", "steps"):  # nor the parameters of version 6
        old = _replaced(old, ("params", name), KeyError)
    old = _before_7(old)
    loaded = frnn.load(_write(tmp_path / "v3.npz", arrays, old))
    assert loaded.data_format is None
    assert loaded.predict(X).shape == (12,)
    assert _outcome(tmp_path, "regressor reservoir", arrays, {**old, "version": 4}) == "refused"


@pytest.mark.parametrize("kind", ["classifier bptt", "regressor reservoir"])
def test_version_5_files_load_with_the_old_recipe_and_version_6_need_it(tmp_path, files, kind):
    arrays, meta = files[kind]
    old = _before_7({**meta, "version": 5})
    for name in ("init", "warmup", "steps"):
        old = _replaced(old, ("params", name), KeyError)
    loaded = frnn.load(_write(tmp_path / "v5.npz", arrays, old))
    assert (loaded.init, loaded.warmup) == ("torch", 0.0)  # what fit had then
    np.testing.assert_array_equal(
        loaded.predict(X), frnn.load(_write(tmp_path / "v6.npz", arrays, meta)).predict(X)
    )
    assert _outcome(tmp_path, kind, arrays, {**old, "version": 6}) == "refused"


def _before_7(meta: dict) -> dict:
    """``meta`` as a file before version 7 wrote it: no nearest series, no neighbour_weight
    (nor the training lengths of version 8)."""
    meta = _before_8(meta)
    if "reservoir" in meta:
        meta = _replaced(meta, ("reservoir", "neighbours"), KeyError)
    if "neighbour_weight" in meta["params"]:
        meta = _replaced(meta, ("params", "neighbour_weight"), KeyError)
    return meta


def _before_8(meta: dict) -> dict:
    """``meta`` as a file before version 8 wrote it: no training lengths."""
    for name in ("min_length_", "max_length_"):
        if name in meta.get("fitted", {}):
            meta = _replaced(meta, ("fitted", name), KeyError)
    return meta


@pytest.mark.parametrize("kind", ["classifier reservoir", "regressor bptt"])
def test_version_7_files_load_without_the_lengths_and_version_8_keep_them(tmp_path, files, kind):
    arrays, meta = files[kind]
    assert (meta["fitted"]["min_length_"], meta["fitted"]["max_length_"]) == (8, 8)
    old = _before_8({**meta, "version": 7})
    loaded = frnn.load(_write(tmp_path / "v7.npz", arrays, old))
    assert not hasattr(loaded, "min_length_")
    new = frnn.load(_write(tmp_path / "v8.npz", arrays, meta))
    assert (new.min_length_, new.max_length_) == (8, 8)
    np.testing.assert_array_equal(loaded.predict(X), new.predict(X))
