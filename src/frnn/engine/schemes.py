"""The initialisation schemes of :func:`frnn.init`: how W, R, V (and b, c) are first drawn.

    s(t) = W x(t) + R a(t−1) (+ b),   z(t) = V a(t) (+ c)

Each scheme is a function ``(generator, D, I, K, bias, scale, radius)`` returning the
float64 arrays in the order they are drawn, W (I, D), R (I, I), V (K, I), then b (I,)
and c (K,) with ``bias``; ``init`` casts them to the model's dtype.  What a long memory
needs is mostly R's spectrum: the product of the Jacobians diag(f′(s)) R over a gap of
T steps neither vanishes nor explodes when R's eigenvalues sit on or near the unit circle
(Pascanu, Mikolov & Bengio 2013), which identity, orthogonal, spectral and ring provide;
those four draw the other weights small, W and V ~ N(0, scale²) with b = c = 0, so that
at first the state is carried by R rather than written over by the input.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .._validate import Interval, InvalidParameterError, Options

__all__ = ["INIT_SCHEMES", "RADIUS_SCHEMES", "SCALE_SCHEMES", "draw"]

Arrays = dict[str, np.ndarray]

_SCALE = Interval("real", 0, closed="neither", none=True)
_RADIUS = Interval("real", 0, closed="neither", none=True)
_RING_RADIUS = Interval("real", 0)

SMALL_SCALE = 0.001  # Le, Jaitly & Hinton (2015): W, V ~ N(0, 0.001²) beside R = I
RING_RADIUS = (0.9, 0.999)  # Orvieto et al. (2023): |λ| uniform on the ring r_min..r_max


def _uniform(generator, D, I, K, bias, bound) -> Arrays:
    """Every array uniform in [−bound, bound], drawn W, R, V, b, c in this order."""
    shapes = {"W": (I, D), "R": (I, I), "V": (K, I)} | ({"b": I, "c": K} if bias else {})
    return {name: generator.uniform(-bound, bound, size=shape) for name, shape in shapes.items()}


def uniform(generator, D, I, K, bias, scale, radius) -> Arrays:
    """The exercise's draw: W, R, V (and b, c) uniform in [−scale, scale], scale = 0.01.

    The default of :func:`frnn.init`, bit for bit as before the schemes existed.
    """
    return _uniform(generator, D, I, K, bias, 0.01 if scale is None else scale)


def torch(generator, D, I, K, bias, scale, radius) -> Arrays:
    """PyTorch's draw: W, R, V (and b, c) uniform in [−1/√I, 1/√I].

    ``torch.nn.RNN(D, I)`` draws weight_ih, weight_hh and both biases from
    U(−1/√I, 1/√I) (``RNNBase.reset_parameters``), and ``torch.nn.Linear(I, K)`` its
    weight and bias with the same bound (kaiming_uniform with a = √5 gives 1/√fan_in).
    torch's two state biases b_ih + b_hh are one b here, drawn once.  The same numbers as
    ``uniform`` with scale = 1/√I, and as the estimators' BPTT networks draw them.
    """
    return _uniform(generator, D, I, K, bias, 1.0 / math.sqrt(I))


def _small(generator, D, I, K, bias, scale, R) -> Arrays:
    """W and V ~ N(0, scale²) (scale 0.001 by default) around a given R; b = c = 0."""
    scale = SMALL_SCALE if scale is None else scale
    arrays = {"W": generator.normal(0.0, scale, size=(I, D)), "R": R}
    arrays["V"] = generator.normal(0.0, scale, size=(K, I))
    if bias:
        arrays |= {"b": np.zeros(I), "c": np.zeros(K)}
    return arrays


def identity(generator, D, I, K, bias, scale, radius) -> Arrays:
    """IRNN: R = radius·I (radius 1), W and V ~ N(0, scale²) (scale 0.001), b = c = 0.

    Le, Jaitly & Hinton (2015), "A simple way to initialize recurrent networks of
    rectified linear units": with f = ReLU and R = I the state is copied unchanged from
    step to step until learning says otherwise, and the gradient through time neither
    vanishes nor explodes at the start; they used it with every non-recurrent weight
    drawn from N(0, 0.001²) and zero biases.
    """
    R = np.eye(I) * (1.0 if radius is None else radius)
    return _small(generator, D, I, K, bias, scale, R)


def haar_orthogonal(generator, n: int) -> np.ndarray:
    """An (n, n) orthogonal matrix drawn uniformly (Haar measure): Q of the QR
    decomposition of a Gaussian matrix, each column's sign fixed by R's diagonal
    (Mezzadri 2007; without the fix Q is not uniform)."""
    Q, upper = np.linalg.qr(generator.standard_normal((n, n)))
    signs = np.sign(np.diag(upper))
    return Q * np.where(signs == 0, 1.0, signs)  # (n, n): column j times sign(upper_jj)


def orthogonal(generator, D, I, K, bias, scale, radius) -> Arrays:
    """R = radius·Q, Q a random orthogonal matrix (radius 1); W, V ~ N(0, scale²), b = c = 0.

    Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of
    learning in deep linear neural networks": with an orthogonal R every singular value
    of the linear part of the Jacobian is 1, so gradients keep their norm across the
    unrolled steps (dynamical isometry).  Q is drawn from the Haar measure (Mezzadri 2007).
    """
    R = haar_orthogonal(generator, I) * (1.0 if radius is None else radius)
    return _small(generator, D, I, K, bias, scale, R)


def spectral(generator, D, I, K, bias, scale, radius) -> Arrays:
    """R Gaussian, rescaled to spectral radius ``radius`` (1); W, V ~ N(0, scale²), b = c = 0.

    The echo-state network's rule (Jaeger 2001): R₀ with entries N(0, 1/I), then
    R = radius · R₀ / ρ(R₀), ρ the largest eigenvalue modulus; radius < 1 makes the
    linearised dynamics forget, radius near 1 remember longest.
    """
    R0 = generator.normal(0.0, 1.0 / math.sqrt(I), size=(I, I))
    rho = float(np.max(np.abs(np.linalg.eigvals(R0))))
    R = R0 * ((1.0 if radius is None else radius) / rho) if rho > 0 else R0
    return _small(generator, D, I, K, bias, scale, R)


def ring(generator, D, I, K, bias, scale, radius) -> Arrays:
    """R with eigenvalues on a ring near the unit circle; W, V ~ N(0, scale²), b = c = 0.

    The LRU's initialisation (Orvieto et al. 2023, "Resurrecting recurrent neural
    networks for long sequences", §3.3), written as a dense real matrix: eigenvalues
    r e^{±iθ} with r² uniform on [r_min², r_max²] (so uniform on the ring's area) and θ
    uniform on [0, π]; R = Q B Qᵀ with B block-diagonal (2×2 blocks r·[[cos θ, −sin θ],
    [sin θ, cos θ]], and one real r for odd I) and Q a random orthogonal matrix, so R is
    a normal matrix whose eigenvalue moduli all lie in [r_min, r_max].  ``radius`` is the
    pair (r_min, r_max), (0.9, 0.999) by default, or one number for r_min = r_max.
    """
    low, high = RING_RADIUS if radius is None else _pair(radius)
    pairs = I // 2
    r = np.sqrt(generator.uniform(low**2, high**2, size=pairs + I % 2))  # (pairs [+1],)
    theta = generator.uniform(0.0, math.pi, size=pairs)
    B = np.zeros((I, I))
    for j in range(pairs):
        c, s = math.cos(theta[j]), math.sin(theta[j])
        B[2 * j : 2 * j + 2, 2 * j : 2 * j + 2] = r[j] * np.array([[c, -s], [s, c]])
    if I % 2:
        B[-1, -1] = r[-1]
    Q = haar_orthogonal(generator, I)
    return _small(generator, D, I, K, bias, scale, Q @ B @ Q.T)


def _pair(radius) -> tuple[float, float]:
    return (radius, radius) if not isinstance(radius, tuple | list) else tuple(radius)


_SCHEMES: dict[str, Callable[..., Arrays]] = {
    "uniform": uniform,
    "torch": torch,
    "identity": identity,
    "orthogonal": orthogonal,
    "spectral": spectral,
    "ring": ring,
}

#: The names ``init(..., scheme=...)`` takes.
INIT_SCHEMES = tuple(_SCHEMES)
#: The schemes that read ``scale`` (the bound of uniform; the standard deviation of W and
#: V in the others) and ``radius`` (R's scale, spectral radius or ring).
SCALE_SCHEMES = ("uniform", "identity", "orthogonal", "spectral", "ring")
RADIUS_SCHEMES = ("identity", "orthogonal", "spectral", "ring")


def draw(generator: np.random.Generator, scheme, D, I, K, bias, scale, radius) -> Arrays:
    """The float64 arrays of ``scheme`` (checked here, with its options), in drawing order.

    Parameters
    ----------
    generator : numpy.random.Generator
        Draws the arrays, in the order W, R, V, then b, c.
    scheme : str
        One of ``INIT_SCHEMES``.
    D, I, K : int
        Inputs per step, units, outputs.
    bias : bool
        Also draw b (I,) and c (K,).
    scale : float > 0 or None
        The scheme's scale (only those of ``SCALE_SCHEMES`` take one); None: its default.
    radius : float > 0, (r_min, r_max) for "ring", or None
        R's radius (only those of ``RADIUS_SCHEMES`` take one); None: its default.

    Returns
    -------
    dict of str to float64 ndarray
        {"W": (I, D), "R": (I, I), "V": (K, I)}, and "b" (I,), "c" (K,) with ``bias``.

    Raises
    ------
    ValueError
        An unknown scheme, a scale or radius out of range or given to a scheme that takes
        none (frnn's InvalidParameterError: also a TypeError).
    """
    Options(INIT_SCHEMES).check(scheme, "scheme")
    _SCALE.check(scale, "scale")
    if scale is not None and scheme not in SCALE_SCHEMES:
        raise InvalidParameterError(
            f"scale must be None for scheme {scheme!r} (its scale is fixed); got {scale!r}"
        )
    if radius is not None:
        if scheme not in RADIUS_SCHEMES:
            raise InvalidParameterError(
                f"radius applies to the schemes {list(RADIUS_SCHEMES)}, not to "
                f"{scheme!r}; got radius={radius!r}"
            )
        _check_radius(scheme, radius)
    return _SCHEMES[scheme](generator, D, I, K, bias, scale, radius)


def _check_radius(scheme: str, radius) -> None:
    if scheme != "ring" or not isinstance(radius, tuple | list):
        _RADIUS.check(radius, "radius")
        return
    if len(radius) != 2 or not all(r in _RING_RADIUS for r in radius) or radius[0] > radius[1]:
        raise InvalidParameterError(
            f"radius must be a positive number or a pair (r_min, r_max) with "
            f"0 ≤ r_min ≤ r_max for scheme 'ring'; got {radius!r}"
        )
