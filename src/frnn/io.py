"""Model files, training-state files and export to PyTorch.

Files are ``.npz`` archives of plain arrays plus one JSON document (``__meta__``, stored
as UTF-8 bytes), read by :mod:`frnn._npz`: never unpickled, every array's size checked
against its header and a cap (``max_bytes``) before it is allocated, and the metadata
checked field by field against the arrays, so a file ``load`` accepts also predicts.
Writes go to a temporary file in the target's directory and are renamed over it
(``os.replace`` is atomic), so an interrupted save never leaves half a file.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any

import numpy as np

from ._atomic import atomic_writer
from ._json import difference, json_scalar
from ._npz import max_bytes as budget
from ._npz import read_npz
from ._typing import Estimator, NetworkLike, PathLike
from .engine.model import FullyRecurrentNetwork
from .engine.protocol import network_arrays, network_from_arrays, network_meta

__all__ = ["save", "load", "save_state", "load_state", "to_torch", "FORMAT_VERSION"]

# 2: networks may hold the biases b and c (the metadata's "bias"); files of version 1
# (no biases) still load, as networks without them.
# 3: one layout of the reservoir read-out for both estimators (frnn.reservoir.persist);
# the two layouts of version 2 still load, upgraded.
# 4: the estimators' parameter data_format (a frnn that reads up to 3 says "upgrade"
# rather than "unknown parameter"); files of version 3 load with data_format=None.
# 5: reservoirs record their states' dtype, how R was drawn and the share that reads the
# level (frnn.reservoir.persist.LEGACY: what files of version 4 and before had).
# 6: the BPTT recipe's parameters init, warmup and steps; files of versions ≤ 5 load with
# the values their fit had (init "torch", or "uniform" with an init_scale; warmup 0; their
# epochs), so that a refit repeats theirs.
# 7: the classifier's neighbour_weight and the nearest training series its read-out keeps
# (frnn.reservoir.neighbours); files of versions ≤ 6 load with neighbour_weight=0 (the
# read-out alone, as their fit had).
# 8: the estimators' training lengths min_length_, max_length_ (frnn.data.lengths), which
# a frnn that reads up to 7 would refuse as unknown; files of versions ≤ 7 load without
# them, and so cannot warn of series far from the training lengths.
# 9: the regressor's n_jobs (a frnn that reads up to 8 says "upgrade" rather than "unknown
# parameter"); a regressor's file of version ≤ 8 loads with n_jobs=None.
FORMAT_VERSION = 9
_BEFORE_6 = ("init", "warmup", "steps")  # the parameters version 6 added

_MAGIC = "frnn"
_META = "__meta__"
_MODEL_KINDS = ("network", "classifier", "regressor")  # what a model file may hold


def _regressor_before_jobs(meta: dict, written: dict) -> bool:
    """Whether ``meta`` is a regressor's file written before ``RNNRegressor`` took
    ``n_jobs`` (version 8 and before): it holds none, and the model loaded from it has
    the default, None, which saving writes."""
    params = written.get("params", {})
    return (
        meta.get("kind") == "regressor"
        and meta["version"] <= 8
        and "n_jobs" not in meta.get("params", {})
        and params.get("n_jobs", 0) is None
    )


# -- the archive -----------------------------------------------------------------------------
def _write(path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write ``arrays`` and ``meta`` to ``path`` atomically."""
    blob = np.frombuffer(json.dumps(meta, default=json_scalar).encode("utf-8"), dtype=np.uint8)
    with atomic_writer(path) as file:
        np.savez(file, **{_META: blob}, **arrays)


def _read(path, kind: str, max_bytes: int | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and metadata of an frnn file of ``kind``; ValueError for anything else."""
    path = os.fspath(path)
    limit = budget(max_bytes)  # a bad FRNN_MAX_FILE_BYTES named alone, not as the file's fault
    try:
        arrays = read_npz(path, limit=limit)
    except FileNotFoundError:
        raise
    except ValueError as error:
        raise ValueError(f"{path} is not a readable frnn {kind} file: {error}") from None
    if _META not in arrays:
        names = sorted(arrays)
        held = f"; it holds {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}"
        series = ": series, not a model?" if "X" in arrays else ""
        raise ValueError(
            f"{path} is not an frnn {kind} file: it has no {_META} entry{held if names else ''}"
            f"{series}"
        )
    try:
        blob = arrays.pop(_META)
        if blob.dtype != np.uint8 or blob.ndim != 1:
            raise ValueError(f"{_META} must be 1-D uint8; got {blob.dtype} {blob.shape}")
        meta = json.loads(blob.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError, JSONDecodeError
        raise ValueError(f"{path} has unreadable frnn metadata: {error}") from None
    if not isinstance(meta, dict) or meta.get("format") != _MAGIC:
        raise ValueError(f"{path} is not an frnn {kind} file (foreign metadata)")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(  # not a newer frnn's: none writes a version of another kind
            f"{path} has unreadable frnn metadata: the file format version must be an "
            f"integer from 1 to {FORMAT_VERSION}; got {version!r}"
        )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer frnn (file format version "
            f"{version!r}; this frnn reads up to {FORMAT_VERSION}): upgrade frnn"
        )
    if meta.get("kind") not in (kind,) and not (
        kind == "model" and meta.get("kind") in _MODEL_KINDS
    ):
        checkpoint = (  # frnn train's checkpoint.npz, beside its model.npz
            ": a training checkpoint (frnn train's checkpoint.npz), whose model is the "
            "model.npz beside it"
            if meta.get("kind") == "state"
            else ""
        )
        raise ValueError(f"{path} holds an frnn {meta.get('kind')!r}, not a {kind}{checkpoint}")
    return arrays, meta


# -- models ---------------------------------------------------------------------------------
def save(model: NetworkLike | Estimator, path: PathLike) -> None:
    """Save a network (W, R, V and settings), a fitted ``RNNClassifier`` or ``RNNRegressor``.

    Parameters
    ----------
    model : FullyRecurrentNetwork, any object with W (I, D), R (I, I), V (K, I) (and
        optionally b (I,), c (K,)), or a fitted RNNClassifier or RNNRegressor
    path : str or os.PathLike; written as given (no ``.npz`` is appended)

    Examples
    --------
    >>> import os, tempfile, numpy as np, frnn
    >>> net = frnn.FullyRecurrentNetwork(D=2, I=4, K=1, rng=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> frnn.save(net, path)
    >>> again = frnn.load(path)
    >>> bool(np.array_equal(again.W, net.W)), type(again).__name__
    (True, 'FullyRecurrentNetwork')
    """
    arrays, meta = _contents(model)
    if meta["kind"] != "network":
        _loadable(model, arrays, meta)
    _write(path, arrays, meta)


def _loadable(model, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Refuse to write an estimator's file that :func:`load` would refuse: one whose
    parameters ``set_params`` changed after the fit, beside the networks fitted with others
    (before, it was written, and refused when loaded as damaged)."""
    meta = json.loads(json.dumps(meta, default=json_scalar))  # as the file will hold it
    try:
        _estimators()[meta["kind"]][2](arrays, meta)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ValueError(
            f"{type(model).__name__} cannot be saved: the file would not load "
            f"({_cause(error)}); was a parameter set after fit? set it back, or fit again"
        ) from None


def _contents(model) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the metadata of ``model``'s file: what :func:`save` writes."""
    kind = _kind(model)
    if kind == "network":
        arrays, meta = network_arrays(model, ""), {"kind": "network", **network_meta(model)}
    else:
        arrays, meta = _estimators()[kind][1](model)
    return arrays, {"format": _MAGIC, "version": FORMAT_VERSION, **meta}


def _kind(model) -> str:
    """The kind of model file ``model`` makes: its estimator task's, or "network".

    An estimator exists only once its module was imported, so none is imported here:
    saving a network never loads scikit-learn.
    """
    base = sys.modules.get("frnn.estimators.base")
    if base is not None and isinstance(model, base.RNNEstimator):
        return model._task.kind
    if not hasattr(model, "W"):  # e.g. ReservoirClassifier: say what save takes
        reservoir = sys.modules.get("frnn.reservoir.classifier")  # as above: no import
        hint = ""
        if reservoir is not None and isinstance(model, reservoir.ReservoirClassifier):
            hint = " (an RNNClassifier, whose default training='reservoir' fits it, saves)"
        raise TypeError(
            "model must be a network (W, R, V) or a fitted RNNClassifier or RNNRegressor; "
            f"got a {type(model).__name__}{hint}"
        )
    return "network"


def _estimators() -> dict[str, tuple]:
    """The table of estimator kinds: kind -> (class, to_arrays, from_arrays); the estimators'
    persist module fills it (imported here, so scikit-learn loads for estimator files only)."""
    from .classifier.estimator import RNNClassifier
    from .estimators import persist
    from .regressor.estimator import RNNRegressor

    return {
        cls._task.kind: (cls, persist.to_arrays, functools.partial(persist.from_arrays, cls))
        for cls in (RNNClassifier, RNNRegressor)
    }


def load(path: PathLike, *, max_bytes: int | None = None) -> FullyRecurrentNetwork | Estimator:
    """Load what :func:`save` wrote: a network, a fitted ``RNNClassifier`` or ``RNNRegressor``.

    Raises ValueError for corrupted, truncated, foreign, inconsistent or newer-version
    files, and for arrays larger than ``max_bytes`` in all (default 1 GiB, or
    $FRNN_MAX_FILE_BYTES), checked before they are read.

    Parameters
    ----------
    path : str or os.PathLike
        A file :func:`save` wrote (read as untrusted: never unpickled).
    max_bytes : int ≥ 1 or None, default None
        The most bytes the file's arrays may occupy in all; None: $FRNN_MAX_FILE_BYTES if
        set, else 1 GiB.

    Returns
    -------
    FullyRecurrentNetwork, RNNClassifier or RNNRegressor
        The network (W (I, D), R (I, I), V (K, I), optionally b (I,), c (K,) and its
        settings) or the fitted estimator, as saved.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        The file is not an frnn model file, is damaged or truncated, holds arrays or
        metadata that its model would not write, was written by a newer frnn, or its arrays
        exceed ``max_bytes``; or ``max_bytes`` (or $FRNN_MAX_FILE_BYTES) is not an integer
        ≥ 1.
    """
    arrays, meta = _read(path, "model", max_bytes)
    try:
        if meta["kind"] == "network":
            model = network_from_arrays(arrays, meta, "", FullyRecurrentNetwork)
        else:
            model = _estimators()[meta["kind"]][2](arrays, meta)
        if meta["version"] >= 3:  # older layouts are upgraded: written otherwise
            _as_written(model, arrays, meta)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ValueError(
            f"{os.fspath(path)} is a damaged frnn model file: {_cause(error)}"
        ) from None
    return model


def _cause(error: Exception) -> str:
    """What a damaged file's error says: a missing entry named ("the entry 'classes' is
    missing", not "KeyError('classes')"), a ValueError's or TypeError's words, else the
    error as Python writes it (a slip of the reader's, not of the file: named so)."""
    if isinstance(error, KeyError) and len(error.args) == 1:
        return f"the entry {error.args[0]!r} is missing"
    if isinstance(error, ValueError | TypeError) and str(error):
        return str(error)
    return repr(error)


def _as_written(model, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Refuse a file that :func:`save` would not write for the model loaded from it: an
    array or a metadata entry too many, one missing (a parameter left to its default), a
    value the model does not hold.  What a file may hold is what saving writes, in one place.
    """
    again, written = _contents(model)
    written["version"] = meta["version"]
    if meta["version"] == 3 and "params" in written:  # before data_format
        written["params"].pop("data_format")
    if meta["version"] < 5 and "reservoir" in written:  # before the reservoirs' dtype, ...
        from .reservoir.persist import LEGACY

        for name in LEGACY:
            written["reservoir"]["features"].pop(name)
    if meta["version"] <= 5 and "params" in written:  # before the BPTT recipe's parameters
        for name in _BEFORE_6:
            written["params"].pop(name)
    if meta["version"] <= 6:  # before the nearest series beside the read-out
        if "params" in written:
            written["params"].pop("neighbour_weight", None)
        if "reservoir" in written:
            written["reservoir"].pop("neighbours")
    if _regressor_before_jobs(meta, written):
        written["params"].pop("n_jobs")
    names = sorted(set(arrays) ^ set(again))
    if names:
        raise ValueError(f"the arrays {names} are not the model's (it holds {sorted(again)})")
    for name, array in arrays.items():
        if array.dtype != again[name].dtype or not np.array_equal(array, again[name]):
            raise ValueError(f"the array {name} is not the model's")
    where = difference(meta, json.loads(json.dumps(written, default=json_scalar)))
    if where is not None:
        raise ValueError(f"the metadata's {where} is not what the model loaded from it holds")


# -- training states ------------------------------------------------------------------------
def save_state(path: PathLike, state: dict[str, Any]) -> None:
    """Save a training state (nested dicts and lists of numpy arrays and JSON-able values).

    The arrays go into the archive, the rest into the JSON metadata, each array replaced
    there by a reference ``{"__array__": name}``.  Written atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Written as given (no ``.npz`` is appended); replaced atomically if it exists.
    state : dict
        String keys; values numpy arrays of numbers or text (bool, integer, float, str or
        bytes dtypes), dicts with string keys, lists or tuples of them (read back as
        lists), or JSON values.

    Raises
    ------
    TypeError
        ``state`` is not a dict, a dict inside it has a key that is not a string, or an
        array's dtype is object or another kind only pickle could store.
    """
    arrays: dict[str, np.ndarray] = {}

    def pack(value):
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject or value.dtype.kind not in "biufUS":
                raise TypeError(
                    f"save_state stores arrays of numbers or text; got dtype {value.dtype}, "
                    "which only pickle could store (and frnn never unpickles)"
                )
            name = f"a{len(arrays)}"
            arrays[name] = value
            return {"__array__": name}
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                raise TypeError("state dict keys must be strings")
            return {k: pack(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [pack(v) for v in value]
        return value

    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict; got {type(state).__name__}")
    body = pack(state)
    _write(
        path, arrays, {"format": _MAGIC, "version": FORMAT_VERSION, "kind": "state", "state": body}
    )


def load_state(path: PathLike, *, max_bytes: int | None = None) -> dict[str, Any]:
    """Load what :func:`save_state` wrote; ValueError for anything else (see :func:`load`).

    Parameters
    ----------
    path : str or os.PathLike
        A file :func:`save_state` wrote (read as untrusted: never unpickled).
    max_bytes : int ≥ 1 or None, default None
        The most bytes the file's arrays may occupy in all; None: $FRNN_MAX_FILE_BYTES if
        set, else 1 GiB.

    Returns
    -------
    dict
        The state: its arrays as saved, its tuples as lists, the rest as JSON reads it.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        The file is not an frnn state file (a model file included), is damaged or
        truncated, refers to an array it lacks, was written by a newer frnn, or its arrays
        exceed ``max_bytes``.
    """
    arrays, meta = _read(path, "state", max_bytes)

    def unpack(value):
        if isinstance(value, dict):
            if set(value) == {"__array__"}:
                if value["__array__"] not in arrays:
                    raise KeyError(f"the array {value['__array__']!r} is missing")
                return arrays[value["__array__"]]
            return {k: unpack(v) for k, v in value.items()}
        if isinstance(value, list):
            return [unpack(v) for v in value]
        return value

    try:
        state = unpack(meta["state"])
    except (KeyError, TypeError) as error:
        raise ValueError(f"{os.fspath(path)} is a damaged frnn state file: {error!r}") from None
    if not isinstance(state, dict):
        raise ValueError(f"{os.fspath(path)} is a damaged frnn state file: no state dict")
    return state


# -- PyTorch ----------------------------------------------------------------------------------
def to_torch(model: NetworkLike) -> tuple[Any, Any]:
    """An equivalent PyTorch network: ``(rnn, linear)``.

    ``rnn`` is ``torch.nn.RNN(D, I, bias=False, batch_first=True)`` with W and R,
    ``linear`` is ``torch.nn.Linear(I, K, bias=False)`` with V, in the model's dtype; for a
    model with biases, ``bias=True`` in both, with ``bias_ih_l0`` = b, ``bias_hh_l0`` = 0
    (torch adds both to s(t)) and ``linear.bias`` = c:

        states, _ = rnn(x)        # x (B, T, D) -> (B, T, I), frnn's model.a
        logits = linear(states)   # (B, T, K); [:, -1] is the many-to-one z

    torch is imported here, so frnn runs without it otherwise.

    Parameters
    ----------
    model : a network with W (I, D), R (I, I), V (K, I), optionally b (I,) and c (K,), and
        activation tanh or relu

    Returns
    -------
    (torch.nn.RNN, torch.nn.Linear)
    """
    from .engine.batch import network_biases, network_weights

    if _kind(model) != "network":
        raise TypeError(
            f"to_torch takes one network; a fitted {type(model).__name__} holds n_ensemble "
            "of them in "
            "networks_ (they read inputs standardised with mean_ and std_ and framed in "
            "frame_size_ samples per step)"
        )
    import torch

    W, R, V = network_weights(model)
    b, c = network_biases(model, W, V)
    activation = getattr(model, "activation", "tanh")
    if activation not in ("tanh", "relu"):
        raise ValueError(
            f"torch.nn.RNN supports the activations tanh and relu; the model uses {activation!r}"
        )
    dtype = torch.float64 if W.dtype == np.float64 else torch.float32
    I, D = W.shape
    bias = b is not None
    rnn = torch.nn.RNN(D, I, nonlinearity=activation, bias=bias, batch_first=True, dtype=dtype)
    linear = torch.nn.Linear(I, V.shape[0], bias=bias, dtype=dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(W))
        rnn.weight_hh_l0.copy_(torch.from_numpy(R))
        linear.weight.copy_(torch.from_numpy(V))
        if bias:
            rnn.bias_ih_l0.copy_(torch.from_numpy(b))
            rnn.bias_hh_l0.zero_()
            linear.bias.copy_(torch.from_numpy(c))
    return rnn, linear
