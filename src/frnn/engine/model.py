"""``FullyRecurrentNetwork``: the network as an object over the functional engine.

The object holds W, R, V (and b, c) as attributes, so it is itself a ``model`` for
:func:`frnn.forward` and :func:`frnn.backward`; its methods only forward to them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._typing import ArrayLike, DTypeLike, Seed
from .._validate import check_choice
from .activations import ACTIVATIONS
from .initialise import init
from .losses import LOSSES
from .network import backward, forward

__all__ = ["FullyRecurrentNetwork"]


class FullyRecurrentNetwork:
    """The fully recurrent network as an object over the same engine.

    Parameters
    ----------
    D, I, K : int
        Input, hidden and output sizes.
    activation : {"tanh", "relu", "linear", "hardtanh"}
    loss : {"bce", "mse"}
    rng : None, int or numpy.random.Generator
        Seeds the initial weights (see :func:`init`).
    dtype : float64 (default) or float32
    bias : bool
        With biases b (I,) and c (K,) (see :func:`init`); off by default.
    scheme : {"uniform", "torch", "identity", "orthogonal", "spectral", "ring"}
        How the weights are first drawn (see :func:`init`).  The default is the exercise's
        uniform ±0.01.
    scale : float > 0 or None
        The scheme's scale: the bound of ``"uniform"``, the standard deviation of W and V in
        the last four schemes; None for the scheme's default.
    radius : float > 0, a pair (r_min, r_max) for ``"ring"``, or None
        R's scale, spectral radius or ring in the last four schemes; None for their default.

    Examples
    --------
    >>> import numpy as np, frnn
    >>> net = frnn.FullyRecurrentNetwork(D=3, I=8, K=2, loss="mse", rng=0)
    >>> loss = net.forward(np.zeros((10, 3)), np.zeros((10, 2)))   # many-to-many targets
    >>> loss, sorted(net.backward())
    (0.0, ['R', 'V', 'W'])

    An IRNN (Le, Jaitly & Hinton 2015): ReLU units, R = I at the start.

    >>> irnn = frnn.FullyRecurrentNetwork(D=2, I=64, K=1, activation="relu", loss="mse",
    ...                                   scheme="identity", bias=True, rng=0)
    >>> bool((irnn.R == np.eye(64)).all()), float(abs(irnn.b).max())
    (True, 0.0)
    """

    def __init__(
        self,
        D: int,
        I: int,
        K: int,
        *,
        activation: str = "tanh",
        loss: str = "bce",
        rng: Seed = None,
        dtype: DTypeLike = np.float64,
        bias: bool = False,
        scheme: str = "uniform",
        scale: float | None = None,
        radius: float | tuple[float, float] | None = None,
    ) -> None:
        self.activation = check_choice(activation, "activation", ACTIVATIONS)
        self.loss = check_choice(loss, "loss", LOSSES)
        self.b = self.c = None  # set by init with bias=True
        options = {"scheme": scheme, "scale": scale, "radius": radius}
        init(self, D, I, K, rng=rng, dtype=dtype, bias=bias, **options)

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, I, K)."""
        return self.W.shape[1], self.W.shape[0], self.V.shape[0]

    def forward(self, x: ArrayLike, y: ArrayLike | None = None, **options: Any) -> float | None:
        """See :func:`frnn.forward`; ``options`` are its keywords (lengths, a0, weights,
        method, engine).

        Parameters
        ----------
        x : (T, D) or (B, T, D) array_like
            The inputs, zero-padded in a batch.
        y : array_like or None, default None
            The targets (shapes in :func:`frnn.forward`); None computes no loss.
        **options
            ``lengths``, ``a0``, ``weights``, ``method``, ``engine``, as
            :func:`frnn.forward` takes them.

        Returns
        -------
        float or None
            The loss, None without y; ``self.a`` and ``self.z`` hold the states and
            outputs.
        """
        return forward(self, x, y, **options)

    def backward(self, *, keep_da: bool = False, engine: str = "auto") -> dict[str, np.ndarray]:
        """See :func:`frnn.backward`.

        Parameters
        ----------
        keep_da : bool, default False
            Also store ∂L/∂a(t) as ``self.da`` (the shape of ``self.a``).
        engine : {"auto", "numba", "numpy", "reference"}, default "auto"
            The implementation of the time loop (the same function to round-off).

        Returns
        -------
        dict of str to ndarray
            ``{"W": dW (I, D), "R": dR (I, I), "V": dV (K, I)}``, and ``"b"`` (I,),
            ``"c"`` (K,) for a network with biases.
        """
        return backward(self, keep_da=keep_da, engine=engine)

    def __repr__(self) -> str:
        D, I, K = self.sizes
        bias = ", bias=True" if self.b is not None else ""  # the default stays unwritten
        return (
            f"FullyRecurrentNetwork(D={D}, I={I}, K={K}, activation={self.activation!r}, "
            f"loss={self.loss!r}, dtype={self.W.dtype}{bias})"
        )
