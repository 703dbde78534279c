"""``init``: the network's weights, drawn as the exercise asks (uniform in ±0.01) or by a
named scheme (``schemes``: torch's, identity, orthogonal, spectral, ring).

W (I, D), R (I, I), V (K, I)  and, with biases,  b (I,), c (K,)
"""

from __future__ import annotations

import numpy as np

from .._typing import DTypeLike, Seed, T
from .._validate import check_positive_int
from . import cache as _caches
from .schemes import INIT_SCHEMES, draw

__all__ = ["INIT_SCHEMES", "init"]


def init(
    model: T,
    D: int,
    I: int,
    K: int,
    *,
    rng: Seed = None,
    dtype: DTypeLike = np.float64,
    bias: bool = False,
    scheme: str = "uniform",
    scale: float | None = None,
    radius: float | tuple[float, float] | None = None,
) -> T:
    """Set W (I, D), R (I, I), V (K, I), each uniform in [−0.01, 0.01]; with ``bias``
    also b (I,) and c (K,), drawn the same way; or draw them by another ``scheme``.

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
    scheme : {"uniform", "torch", "identity", "orthogonal", "spectral", "ring"}
        How the weights are drawn (each documented, with its source, in
        ``frnn.engine.schemes``):

        - ``"uniform"`` (default): every array U(−scale, scale), scale = 0.01, the
          exercise's draw, bit for bit as it always was;
        - ``"torch"``: every array U(−1/√I, 1/√I), as ``torch.nn.RNN`` and
          ``nn.Linear`` draw theirs;
        - ``"identity"``: R = radius·I (the IRNN of Le, Jaitly & Hinton 2015);
        - ``"orthogonal"``: R = radius·Q, Q random orthogonal (Saxe et al. 2014);
        - ``"spectral"``: R Gaussian scaled to spectral radius ``radius`` (Jaeger 2001);
        - ``"ring"``: R with eigenvalue moduli uniform on the ring ``radius`` = (r_min,
          r_max) = (0.9, 0.999) (the LRU of Orvieto et al. 2023);

        the last four draw W, V ~ N(0, scale²), scale = 0.001, and b = c = 0.
    scale : float > 0 or None
        The bound of ``"uniform"``; the standard deviation of W and V in the last four
        schemes; None for the scheme's default (``"torch"`` takes only None).
    radius : float > 0, a pair (r_min, r_max) for ``"ring"``, or None
        R's scale (identity, orthogonal), spectral radius (spectral) or ring; None for
        1 (the ring: (0.9, 0.999)).  Only the last four schemes take it.

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

    The IRNN's start, R = I:

    >>> model = frnn.init(types.SimpleNamespace(), D=2, I=3, K=1, rng=0, scheme="identity")
    >>> model.R
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    D, I, K = (check_positive_int(v, n) for v, n in ((D, "D"), (I, "I"), (K, "K")))
    generator = _generator(rng)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    if not isinstance(bias, bool | np.bool_):
        raise TypeError(f"bias must be True or False; got {bias!r}")
    arrays = draw(generator, scheme, D, I, K, bool(bias), scale, radius)
    # Drawn in float64 and then cast, so a seed gives the same weights in either dtype.
    for name, array in arrays.items():
        setattr(model, name, array.astype(dtype))
    if not bias:
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
