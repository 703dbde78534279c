"""The hidden activations f and their derivatives f'.

Each derivative is written in terms of the activation a = f(s), not s: for tanh,
relu, linear and hardtanh a determines f'(s), so BPTT keeps only the states a(t)
(B·T·I values) and never the pre-activations s(t).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_choice

__all__ = ["ACTIVATIONS", "activate", "derivative"]


def _tanh(s: np.ndarray) -> np.ndarray:
    return np.tanh(s)


def _tanh_grad(a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a  # tanh' = 1 − tanh²


def _relu(s: np.ndarray) -> np.ndarray:
    return np.maximum(s, 0.0)


def _relu_grad(a: np.ndarray) -> np.ndarray:
    # The subgradient 0 at s = 0, as torch uses.
    return (a > 0).astype(a.dtype)


def _linear(s: np.ndarray) -> np.ndarray:
    return s


def _linear_grad(a: np.ndarray) -> np.ndarray:
    return np.ones_like(a)


def _hardtanh(s: np.ndarray) -> np.ndarray:
    return np.clip(s, -1.0, 1.0)


def _hardtanh_grad(a: np.ndarray) -> np.ndarray:
    # The piecewise-linear tanh: slope 1 strictly inside (−1, 1), 0 on the flat parts
    # (torch's convention at the kinks |s| = 1).
    return (np.abs(a) < 1.0).astype(a.dtype)


# name -> (f, f' as a function of a = f(s))
ACTIVATIONS = {
    "tanh": (_tanh, _tanh_grad),
    "relu": (_relu, _relu_grad),
    "linear": (_linear, _linear_grad),
    "hardtanh": (_hardtanh, _hardtanh_grad),
}


def activate(name: str, s) -> np.ndarray:
    """a = f(s) for the activation ``name``.

    Parameters
    ----------
    name : {"tanh", "relu", "linear", "hardtanh"}
    s : array_like, any shape

    Returns
    -------
    ndarray, the shape of ``s``
    """
    check_choice(name, "activation", ACTIVATIONS)
    return ACTIVATIONS[name][0](np.asarray(s, dtype=float))


def derivative(name: str, a) -> np.ndarray:
    """f'(s) expressed through a = f(s) for the activation ``name``.

    Parameters
    ----------
    name : {"tanh", "relu", "linear", "hardtanh"}
    a : array_like, any shape
        Activations a = f(s).

    Returns
    -------
    ndarray, the shape of ``a``
    """
    check_choice(name, "activation", ACTIVATIONS)
    return ACTIVATIONS[name][1](np.asarray(a, dtype=float))
