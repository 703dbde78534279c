"""Linear recurrences h(t) = A(t) h(t−1) + b(t) solved by a parallel prefix scan.

The pairs (A, b) compose associatively: applying (A_i, b_i) and then (A_j, b_j) is

    (A_i, b_i) ∘ (A_j, b_j) = (A_j A_i, A_j b_i + b_j),

so every prefix of the recurrence is a "sum" under ∘ and can be computed in about
2·log2 T levels of batched products instead of T sequential steps (Blelloch 1990).
The recursion used here pairs neighbours (odd–even reduction, as in
``jax.lax.associative_scan``): O(T) products in all, not the O(T log T) of
Hillis–Steele.  Because only the b-part of each prefix is wanted, the way back up
needs matrix–vector products only.

The code is written against the array API standard (the namespace comes from the
inputs via ``array_api_compat``), so the same functions run on any conforming array
library, a GPU one included; NumPy is the one tested here.
"""

from __future__ import annotations

from array_api_compat import array_namespace

from .._typing import Array

__all__ = ["linear_scan", "diagonal_scan"]


def linear_scan(
    A: Array,
    b: Array,
    h0: Array | None = None,
    *,
    lengths: Array | None = None,
    reverse: bool = False,
) -> Array:
    """Solve h(t) = A(t) h(t−1) + b(t) for t = 1..T with h(0) = h0, by a parallel scan.

    Parameters
    ----------
    A : (T, ..., I, I) one matrix per step and sequence, or (I, I) the same at every step
        (a stationary recurrence: the pair products are then powers of one matrix)
    b : (T, ..., I)
    h0 : (..., I) or None
        The initial state (zero when None).
    lengths : (...) ints in [0, T] or None
        Trailing padding: h(t) is set to zero from step ``lengths`` on.  Steps never
        depend on later ones, so the real steps are exact whatever the padding holds.
    reverse : bool
        Run backwards in time instead: h(t) = A(t) h(t+1) + b(t), h(T+1) = h0
        (the shape of an adjoint recurrence).  Not combined with ``lengths``.

    Returns
    -------
    h : (T, ..., I), the states h(1..T), in the array library of the inputs

    Examples
    --------
    h(t) = 0.5 h(t−1) + 1 from h(0) = 0, in about log₂ T levels instead of T steps:

    >>> import numpy as np, frnn
    >>> frnn.linear_scan(np.array([[0.5]]), np.ones((4, 1)))[:, 0]
    array([1.   , 1.5  , 1.75 , 1.875])
    """
    _check(A, b, h0, lengths, reverse, diagonal=False)
    return _solve(A, b, h0, lengths, reverse, diagonal=False)


def diagonal_scan(
    a: Array,
    b: Array,
    h0: Array | None = None,
    *,
    lengths: Array | None = None,
    reverse: bool = False,
) -> Array:
    """Solve h(t) = a(t) ⊙ h(t−1) + b(t) (diagonal A(t) = diag(a(t))) by a parallel scan.

    The operator is the same as in :func:`linear_scan` with elementwise products, so a
    level costs O(T·I) instead of O(T·I³); quasi-DEER relies on it.

    Parameters
    ----------
    a : (T, ..., I) the diagonals, or (I,) the same at every step
    b : (T, ..., I)
    h0 : (..., I) or None
    lengths : (...) ints in [0, T] or None, as in :func:`linear_scan`
    reverse : bool, as in :func:`linear_scan`

    Returns
    -------
    h : (T, ..., I)
    """
    _check(a, b, h0, lengths, reverse, diagonal=True)
    return _solve(a, b, h0, lengths, reverse, diagonal=True)


def _solve(A, b, h0, lengths, reverse: bool, diagonal: bool):
    xp = array_namespace(*(v for v in (A, b, h0) if v is not None))
    ops = _Ops(xp, diagonal=diagonal, stationary=A.ndim == (1 if diagonal else 2))
    if reverse:
        A = A if ops.stationary else xp.flip(A, axis=0)
        b = xp.flip(b, axis=0)
    if h0 is not None:  # fold h0 into the first step: b(1) ← b(1) + A(1) h0
        first = ops.apply(ops.pick(A, 0, 1, 1), h0[None, ...]) + b[0:1, ...]
        b = xp.concat([first, b[1:, ...]], axis=0)
    h = _prefix(A, b, ops)  # (T, ..., I)
    if reverse:
        return xp.flip(h, axis=0)
    if lengths is not None:
        steps = xp.arange(h.shape[0])[(slice(None),) + (None,) * (h.ndim - 1)]  # (T, 1.., 1)
        h = xp.where(steps < lengths[None, ..., None], h, xp.zeros_like(h))
    return h


class _Ops:
    """The operator's two products, for dense or diagonal, time-varying or stationary A."""

    def __init__(self, xp, *, diagonal: bool, stationary: bool):
        self.xp, self.diagonal, self.stationary = xp, diagonal, stationary

    def pick(self, A, start: int, stop: int, step: int):
        """A(t) for t in range(start, stop, step); a stationary A is every step's A."""
        return A if self.stationary else A[start:stop:step, ...]

    def compose(self, later, earlier):
        """The A-part of (earlier) ∘ (later): A_later A_earlier."""
        return later * earlier if self.diagonal else self.xp.matmul(later, earlier)

    def apply(self, A, h):
        """A h, batched over the leading axes."""
        if self.diagonal:
            return A * h
        if self.stationary:  # one matrix for every row of h: a single 2-D GEMM, not a stack
            rows = self.xp.reshape(h, (-1, h.shape[-1]))  # (n·…, I)
            return self.xp.reshape(self.xp.matmul(rows, self.xp.matrix_transpose(A)), h.shape)
        return self.xp.matmul(A, h[..., None])[..., 0]


def _prefix(A, b, ops: _Ops):
    """The b-parts of all prefixes e(0) ∘ … ∘ e(t): h(t) with h(−1) = 0; b (T, ..., I).

    Pair the neighbours (2k, 2k+1), solve the half-length problem recursively (it
    yields h at the odd steps), then fill the even steps in with one product each.
    """
    T = b.shape[0]
    if T == 1:
        return b
    n = T // 2
    A_odd = ops.pick(A, 1, 2 * n, 2)
    b_pairs = ops.apply(A_odd, b[0 : 2 * n : 2, ...]) + b[1 : 2 * n : 2, ...]  # (n, ..., I)
    A_pairs = ops.compose(A_odd, ops.pick(A, 0, 2 * n, 2))
    h_odd = _prefix(A_pairs, b_pairs, ops)  # h(1), h(3), …: (n, ..., I)
    m = (T - 1) // 2
    h_even = ops.apply(ops.pick(A, 2, T, 2), h_odd[0:m, ...]) + b[2:T:2, ...]  # h(2), h(4), …
    return _interleave(ops.xp.concat([b[0:1, ...], h_even], axis=0), h_odd, ops.xp)


def _interleave(evens, odds, xp):
    """[e0, o0, e1, o1, …]: evens (⌈T/2⌉, ...), odds (⌊T/2⌋, ...) -> (T, ...)."""
    n = odds.shape[0]
    pairs = xp.stack([evens[0:n, ...], odds], axis=1)  # (n, 2, ...)
    h = xp.reshape(pairs, (2 * n, *odds.shape[1:]))
    return xp.concat([h, evens[n:, ...]], axis=0) if evens.shape[0] > n else h


def _check(A, b, h0, lengths, reverse: bool, diagonal: bool) -> None:
    """Shapes at the public boundary (the values are trusted)."""
    name = "a" if diagonal else "A"
    for key, value in ((name, A), ("b", b), ("h0", h0), ("lengths", lengths)):
        if value is not None and not (hasattr(value, "shape") and hasattr(value, "ndim")):
            raise TypeError(
                f"{key} must be an array (numpy's or another array-API library's); got "
                f"{type(value).__name__}"
            )
    if b.ndim < 2:
        raise ValueError(f"b must be (T, ..., I) with at least 2 dimensions; got {b.shape}")
    I = b.shape[-1]
    stationary = (I,) if diagonal else (I, I)
    varying = tuple(b.shape) if diagonal else (*b.shape, I)
    if tuple(A.shape) not in (stationary, varying):
        raise ValueError(
            f"{name} must have shape {varying} or {stationary} for b of shape "
            f"{tuple(b.shape)}; got {tuple(A.shape)}"
        )
    if h0 is not None and tuple(h0.shape) != tuple(b.shape[1:]):
        raise ValueError(f"h0 must have shape {tuple(b.shape[1:])}; got {tuple(h0.shape)}")
    if lengths is not None:
        if reverse:
            raise ValueError("lengths (trailing padding) cannot be combined with reverse=True")
        if tuple(lengths.shape) != tuple(b.shape[1:-1]):
            raise ValueError(
                f"lengths must have shape {tuple(b.shape[1:-1])}; got {tuple(lengths.shape)}"
            )
