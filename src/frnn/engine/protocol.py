"""What a network is to the layers above the engine: its arrays, its settings, a copy.

A network is any object holding W (I, D), R (I, I), V (K, I), optionally the biases b (I,),
c (K,), and the settings ``activation`` and ``loss`` (the contract's "settings read from the
model").  The training loop, the estimators and the model files handle networks through
these helpers only: as a dict of named arrays and a JSON-able description, and back.
"""

from __future__ import annotations

import types

import numpy as np

from .activations import ACTIVATIONS
from .batch import CACHE, network_biases, network_weights
from .losses import LOSSES
from .model import FullyRecurrentNetwork

__all__ = ["DTYPES", "detached", "network_arrays", "network_from_arrays", "network_meta"]

DTYPES = ("float32", "float64")

# What forward and backward leave on a network: states of the data it last saw.
_PER_CALL = ("a", "z", "da", CACHE, "deer_info", "deer_iterations")


def detached(net) -> types.SimpleNamespace:
    """A new namespace sharing ``net``'s weights and settings, without its per-call states.

    Prediction runs on one, so threads never share states and nothing of the predicted
    data stays on the network's owner (or in its pickle).
    """
    return types.SimpleNamespace(**{k: v for k, v in vars(net).items() if k not in _PER_CALL})


def network_arrays(model, prefix: str) -> dict[str, np.ndarray]:
    """A network's W, R, V (and b, c when it has them) under ``prefix + "W"`` etc."""
    W, R, V = network_weights(model)
    b, c = network_biases(model, W, V)
    biases = {} if b is None else {f"{prefix}b": b, f"{prefix}c": c}
    return {f"{prefix}W": W, f"{prefix}R": R, f"{prefix}V": V, **biases}


def network_meta(model) -> dict:
    """A network's sizes, activation, loss, dtype and bias, as the metadata stores them."""
    W, V = np.asarray(model.W), np.asarray(model.V)
    return {
        "sizes": {"D": W.shape[1], "I": W.shape[0], "K": V.shape[0]},
        "activation": getattr(model, "activation", "tanh"),
        "loss": getattr(model, "loss", "bce"),
        "dtype": str(W.dtype),
        "bias": getattr(model, "b", None) is not None,
    }


def network_from_arrays(arrays, meta, prefix: str, cls=None):
    """The network stored under ``prefix``: a ``cls`` instance, or a SimpleNamespace.

    Every field the network needs is checked: its type, and its relation to the arrays.
    """
    D, I, K, dtype = _network_fields(meta)
    bias = meta.get("bias", False)  # absent in version 1: no biases
    if not isinstance(bias, bool):
        raise ValueError(f"the metadata's bias must be true or false; got {bias!r}")
    expected = {"W": (I, D), "R": (I, I), "V": (K, I)} | ({"b": (I,), "c": (K,)} if bias else {})
    for name, shape in expected.items():
        if prefix + name not in arrays:
            raise ValueError(f"the array {prefix}{name} is missing")
        array = arrays[prefix + name]
        if array.shape != shape or array.dtype != dtype:
            raise ValueError(
                f"{prefix}{name} has shape {array.shape} and dtype {array.dtype}; "
                f"the metadata says {shape} and {meta['dtype']}"
            )
        if not np.isfinite(array).all():
            raise ValueError(f"{prefix}{name} holds NaN or infinite weights")
    if cls is FullyRecurrentNetwork:
        net = FullyRecurrentNetwork(
            D,
            I,
            K,
            activation=meta["activation"],
            loss=meta["loss"],
            rng=0,
            dtype=dtype,
            bias=bias,
        )
    else:
        net = types.SimpleNamespace(activation=meta["activation"], loss=meta["loss"])
    for name in expected:
        setattr(net, name, arrays[prefix + name].copy())
    return net


def _network_fields(meta) -> tuple[int, int, int, np.dtype]:
    """D, I, K and the dtype of the metadata's network, each checked."""
    sizes = meta["sizes"]
    if not isinstance(sizes, dict) or set(sizes) != {"D", "I", "K"}:
        raise ValueError(f"sizes must be {{'D', 'I', 'K'}}; got {sizes!r}")
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"sizes[{name!r}] must be an integer ≥ 1; got {value!r}")
    for name, known in (("activation", ACTIVATIONS), ("loss", LOSSES), ("dtype", DTYPES)):
        if not isinstance(meta[name], str) or meta[name] not in known:
            raise ValueError(f"{name} must be one of {sorted(known)}; got {meta[name]!r}")
    return sizes["D"], sizes["I"], sizes["K"], np.dtype(meta["dtype"])
