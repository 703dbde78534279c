"""``init``: the network's weights, drawn as the exercise asks (uniform in ±0.01).

W (I, D), R (I, I), V (K, I)  and, with biases,  b (I,), c (K,)
"""

from __future__ import annotations

import numpy as np

from .._typing import DTypeLike, Seed, T
from .._validate import check_positive_int
from . import cache as _caches

__all__ = ["init"]


def init(
    model: T,
    D: int,
    I: int,
    K: int,
    *,
    rng: Seed = None,
    dtype: DTypeLike = np.float64,
    bias: bool = False,
) -> T:
    """Set W (I, D), R (I, I), V (K, I), each uniform in [−0.01, 0.01]; with ``bias``
    also b (I,) and c (K,), drawn the same way.

    Parameters
    ----------
    model : object
        Anything that takes attributes (a ``types.SimpleNamespace``, a class instance).
    D, I, K : int
        Input, hidden and output sizes, each ≥ 1.
    rng : None, int or numpy.random.Generator
        None draws fresh weights on every call; an int seed or a Generator reproduces them.
    dtype : float64 (default) or float32
        The dtype of the arrays, which every later computation follows.
    bias : bool
        Also set the biases b of s(t) = W x(t) + R a(t−1) + b and c of z(t) = V a(t) + c
        (drawn after W, R, V, so a seed gives the same weights either way).  Without
        them (the default, the exercise's network) the model has no ``b`` and ``c``.

    Returns
    -------
    model
        The same object, for chaining.

    Examples
    --------
    >>> import types, frnn
    >>> model = frnn.init(types.SimpleNamespace(), D=3, I=4, K=1, rng=0)
    >>> model.W.shape, model.R.shape, model.V.shape, float(abs(model.W).max()) <= 0.01
    ((4, 3), (4, 4), (1, 4), True)
    """
    D, I, K = (check_positive_int(v, n) for v, n in ((D, "D"), (I, "I"), (K, "K")))
    generator = _generator(rng)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    if not isinstance(bias, bool | np.bool_):
        raise TypeError(f"bias must be True or False; got {bias!r}")
    # Drawn in float64 and then cast, so a seed gives the same weights in either dtype.
    model.W = generator.uniform(-0.01, 0.01, size=(I, D)).astype(dtype)
    model.R = generator.uniform(-0.01, 0.01, size=(I, I)).astype(dtype)
    model.V = generator.uniform(-0.01, 0.01, size=(K, I)).astype(dtype)
    if bias:
        model.b = generator.uniform(-0.01, 0.01, size=I).astype(dtype)
        model.c = generator.uniform(-0.01, 0.01, size=K).astype(dtype)
    else:
        for name in ("b", "c"):  # re-initialising a model drops biases it had
            if getattr(model, name, None) is not None:
                delattr(model, name)
    _caches.forget(model)  # a stale forward must not be differentiated
    return model


def _generator(rng) -> np.random.Generator:
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator; got {rng!r}")
    return np.random.default_rng(rng)
