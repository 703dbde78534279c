"""The hidden activations f and their derivatives f': one table that every loop reads.

Each derivative is written in terms of the activation a = f(s), not s: for tanh,
relu, linear and hardtanh a determines f'(s), so BPTT keeps only the states a(t)
(B·T·I values) and never the pre-activations s(t).

Each entry of :data:`ACTIVATIONS` holds the four numpy forms (f, f', f in place,
f' into a buffer) and the code by which the compiled loops (``kernels``) select the
same function; tests/engine/test_activations.py holds every form of an entry to the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._validate import check_choice

__all__ = ["ACTIVATIONS", "Activation", "activate", "derivative"]

# The compiled loops' codes: module constants, so numba folds them into its branches.
TANH, RELU, LINEAR, HARDTANH = 0, 1, 2, 3


class Activation(NamedTuple):
    """One activation in every form the loops need.

    f : s -> a = f(s), a new array
    f_prime : a -> f'(s), a new array (f' expressed through a = f(s))
    f_in_place : s -> None, overwrites s with f(s) (the numpy fast path)
    f_prime_into : (a, out) -> None, writes f'(s) into out (the numpy fast path)
    code : the number that selects the same function in ``kernels._f`` / ``_f_prime``
    """

    f: Callable[[np.ndarray], np.ndarray]
    f_prime: Callable[[np.ndarray], np.ndarray]
    f_in_place: Callable[[np.ndarray], None]
    f_prime_into: Callable[[np.ndarray, np.ndarray], None]
    code: int


def _tanh_prime_into(a, out):
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)  # tanh' = 1 − tanh² = 1 − a²


def _hardtanh_prime_into(a, out):
    np.less(np.abs(a, out=out), 1, out=out)


# Python-int constants in the in-place forms keep float32 arrays float32.
# relu's f' is the subgradient 0 at s = 0, and hardtanh's is 0 at the kinks |s| = 1:
# torch's conventions, so gradients match torch.autograd everywhere.
ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(
        f=np.tanh,
        f_prime=lambda a: 1.0 - a * a,  # tanh' = 1 − a²
        f_in_place=lambda s: np.tanh(s, out=s),
        f_prime_into=_tanh_prime_into,
        code=TANH,
    ),
    "relu": Activation(
        f=lambda s: np.maximum(s, 0.0),
        f_prime=lambda a: (a > 0).astype(a.dtype),
        f_in_place=lambda s: np.maximum(s, 0, out=s),
        f_prime_into=lambda a, out: np.greater(a, 0, out=out),
        code=RELU,
    ),
    "linear": Activation(
        f=lambda s: s,
        f_prime=np.ones_like,
        f_in_place=lambda s: None,
        f_prime_into=lambda a, out: out.fill(1),
        code=LINEAR,
    ),
    "hardtanh": Activation(
        f=lambda s: np.clip(s, -1.0, 1.0),
        f_prime=lambda a: (np.abs(a) < 1.0).astype(a.dtype),
        f_in_place=lambda s: np.clip(s, -1, 1, out=s),
        f_prime_into=_hardtanh_prime_into,
        code=HARDTANH,
    ),
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
    return ACTIVATIONS[name].f(np.asarray(s, dtype=float))


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
    return ACTIVATIONS[name].f_prime(np.asarray(a, dtype=float))
