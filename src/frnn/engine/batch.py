"""Turn the arguments of ``forward`` into one checked, time-major batch.

Every mode of the contract (one sequence or a batch, many-to-one or many-to-many,
padded or not, with or without a0) becomes the same :class:`Batch`, so the engine has
a single code path.  Padding is zeroed here: garbage (even NaN) beyond a sequence's
length can never reach the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import as_float_array, check_choice, check_finite, check_unit_interval
from .activations import ACTIVATIONS
from .losses import LOSSES


@dataclass
class Batch:
    """One forward call's data, time-major.

    Attributes
    ----------
    x : (T, B, D) inputs, zero where padded
    y : (B, K) many-to-one targets, (T, B, K) many-to-many targets (zero where padded),
        or None when no loss is asked for
    a0 : (B, I) initial state
    lengths : (B,) int true lengths
    mask : (T, B) bool, True on real steps; None when no sequence is padded
    single : whether the caller passed one sequence (T, D) rather than a batch
    many_to_many : whether y has a target for every step
    weights : (T, B) each step's weight in a many-to-many loss, zero where padded; (B,)
        each sequence's in a many-to-one loss (the training loop's class weights); None
        when every step counts once
    """

    x: np.ndarray
    y: np.ndarray | None
    a0: np.ndarray
    lengths: np.ndarray
    mask: np.ndarray | None
    single: bool
    many_to_many: bool
    weights: np.ndarray | None = None


CACHE = "_frnn_cache"  # the model attribute where forward leaves what backward needs


def network_weights(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's W (I, D), R (I, I), V (K, I), checked for shape and dtype agreement."""
    missing = [name for name in ("W", "R", "V") if getattr(model, name, None) is None]
    if missing:
        raise RuntimeError(
            f"model has no {', '.join(missing)}: call frnn.init(model, D, I, K) before forward"
        )
    W, R, V = model.W, model.R, model.V
    if not (type(W) is type(R) is type(V) is np.ndarray):  # checked on every step: no copy
        W, R, V = np.asarray(W), np.asarray(R), np.asarray(V)
    if W.ndim != 2 or R.ndim != 2 or V.ndim != 2:
        raise ValueError(
            f"model.W, model.R, model.V must be 2-D; got {W.shape}, {R.shape}, {V.shape}"
        )
    I = W.shape[0]
    if R.shape != (I, I) or V.shape[1] != I:
        raise ValueError(
            f"model shapes disagree: W {W.shape} is (I, D), so R must be ({I}, {I}) and V "
            f"(K, {I}); got R {R.shape} and V {V.shape}"
        )
    if not (W.dtype == R.dtype == V.dtype) or W.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"model.W, model.R, model.V must share one dtype, float32 or float64; got "
            f"{W.dtype}, {R.dtype}, {V.dtype}"
        )
    return W, R, V


def parameter_names(model) -> tuple[str, ...]:
    """The names of the model's parameters: ("W", "R", "V"), and "b", "c" when it has biases."""
    return ("W", "R", "V", "b", "c") if getattr(model, "b", None) is not None else ("W", "R", "V")


def network_biases(model, W: np.ndarray, V: np.ndarray) -> tuple[np.ndarray | None, ...]:
    """The model's biases b (I,) and c (K,), checked, or (None, None) when it has none.

    b and c go together (``init(..., bias=True)`` sets both); each must be a 1-D array of
    the weights' dtype and size, and finite.
    """
    b, c = getattr(model, "b", None), getattr(model, "c", None)
    if b is None and c is None:
        return None, None
    if b is None or c is None:
        given, missing = ("c", "b") if b is None else ("b", "c")
        raise ValueError(
            f"model.{given} needs model.{missing}: the biases b (I,) and c (K,) go together "
            f"(frnn.init(model, D, I, K, bias=True) sets both); got model.{missing} = None"
        )
    checked = []
    for name, value, size in (("b", b, W.shape[0]), ("c", c, V.shape[0])):
        if not isinstance(value, np.ndarray) or value.dtype != W.dtype:
            given = getattr(value, "dtype", type(value).__name__)
            raise TypeError(f"model.{name} must be a numpy array of dtype {W.dtype}; got {given}")
        if value.shape != (size,):
            raise ValueError(f"model.{name} must have shape ({size},); got {value.shape}")
        check_finite(value, f"model.{name}")
        checked.append(value)
    return tuple(checked)


def activation_and_loss(model) -> tuple[str, str]:
    """The model's activation and loss names, defaulting to tanh and bce."""
    activation = check_choice(getattr(model, "activation", "tanh"), "activation", ACTIVATIONS)
    loss = check_choice(getattr(model, "loss", "bce"), "loss", LOSSES)
    return activation, loss


def prepare(
    x, y, lengths, a0, *, W: np.ndarray, K: int, loss: str, weights=None, engine: str = "auto"
) -> Batch:
    """Check and normalise the arguments of ``forward`` (see the contract's shape table).

    With ``engine`` "auto" or "numba" an unpadded x is copied and checked by one compiled
    pass (``compiled.time_major``), where numba works; the other engines never load numba.
    """
    dtype = W.dtype
    I, D = W.shape
    x = as_float_array(x, "x", dtype)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be (T, D) or (B, T, D); got shape {x.shape}{_hint(x, D)}")
    single = x.ndim == 2
    xb = x[None] if single else x  # (B, T, D)
    B, T, Dx = xb.shape
    if T == 0 or B == 0:
        raise ValueError(f"x must hold at least one step and one sequence; got shape {x.shape}")
    if Dx != D:
        raise ValueError(
            f"x has D = {Dx} features per step but model.W expects D = {D}{_hint(x, D)}"
        )
    given = lengths is not None
    lengths = _lengths(lengths, single, B, T)
    unpadded = not given or (lengths == T).all()
    mask = None if unpadded else np.arange(T)[:, None] < lengths[None, :]  # (T, B)
    x_tm = _time_major_checked(xb, mask, engine)  # (T, B, D)
    yb, many_to_many = _targets(y, single, B, T, K, dtype, mask, loss, engine)
    a0b = _initial_state(a0, single, B, I, dtype)
    batch = Batch(x_tm, yb, a0b, lengths, mask, single, many_to_many)
    batch.weights = _step_weights(weights, batch, dtype)
    return batch


def _hint(x: np.ndarray, D: int) -> str:
    """What a student most likely meant by an x of the wrong shape, or nothing."""
    if x.ndim == 1 and D == 1 and x.size:
        return f" (one sequence of {x.size} numbers is x[:, None], ({x.size}, 1))"
    if x.ndim == 2 and x.shape[0] == D != x.shape[1]:
        return f" (x is (D, T) = {x.shape}? one sequence is (T, D): x.T)"
    return ""


def time_major(array: np.ndarray) -> np.ndarray:
    """(B, T, n) -> (T, B, n): a new C-contiguous array, never a view of ``array``.

    Each step's n values move as one item where they lie contiguous: numpy's copy loop
    then runs once per row of B items rather than once per n numbers (twice as fast at
    n = 8).  A copy always, as callers zero its padding: for B = 1 the transposed view
    is already contiguous, and ``ascontiguousarray`` would hand back the caller's array.
    """
    B, T, n = array.shape
    if array.flags.c_contiguous and array.size and B > 1 and n > 1:
        items = array.view(np.dtype((np.void, n * array.itemsize))).reshape(B, T)
        return np.array(items.T, order="C").view(array.dtype).reshape(T, B, n)
    return np.array(array.transpose(1, 0, 2), order="C")


def _time_major_checked(x: np.ndarray, mask, engine: str) -> np.ndarray:
    """x (B, T, D) as a new (T, B, D), zero where ``mask`` (T, B) is False, after checking
    that its real steps are finite (the error names x)."""
    fast = None
    if mask is None and engine in ("auto", "numba"):
        from . import compiled  # compiled imports this module: imported on first use

        fast = compiled.time_major(x)
    if fast is not None:
        x_tm, finite = fast
        if not finite:
            check_finite(x, "x")  # raises, with the count of bad values
        return x_tm
    check_finite(x, "x", where=None if mask is None else mask.T)
    x_tm = time_major(x)
    if mask is not None:
        x_tm[~mask] = 0.0
    return x_tm


def trusted(x, y, lengths, a0, weights, *, I: int, dtype) -> Batch:
    """The :class:`Batch` of ``prepare`` for a padded batch already checked at the boundary.

    The training loop's mini-batches are slices of arrays the estimator checked once: x
    (B, T, D) and y (B, K) or (B, T, K) in ``dtype``, lengths (B,) ints in [1, T], a0
    (B, I) or None, weights (B, T) (many-to-many) or (B,) (many-to-one: each sequence's
    loss counts so many times) or None.  The same arrays as ``prepare`` builds, without
    checking them again.
    """
    B, T, _ = x.shape
    lengths = np.asarray(lengths, dtype=np.intp)
    mask = None if (lengths == T).all() else np.arange(T)[:, None] < lengths[None, :]  # (T, B)
    from . import compiled  # compiled imports this module: imported on first use

    fast = compiled.time_major(x)  # x was checked at the boundary: its flag is not needed
    x_tm = time_major(x) if fast is None else fast[0]  # (T, B, D)
    many_to_many = y is not None and y.ndim == 3
    if many_to_many:
        y = time_major(y)  # (T, B, K)
    if mask is not None:
        x_tm[~mask] = 0.0
        if many_to_many:
            y[~mask] = 0.0
    a0 = np.zeros((B, I), dtype=dtype) if a0 is None else np.array(a0, dtype=dtype)
    batch = Batch(x_tm, y, a0, lengths, mask, False, many_to_many)
    if weights is not None and not many_to_many:
        weights = np.array(weights, dtype=dtype)  # (B,), a private copy
    elif weights is not None:
        weights = np.array(weights.T, dtype=dtype)  # (T, B), a private copy
        if mask is not None:
            weights[~mask] = 0.0
    elif mask is not None and many_to_many:
        weights = mask.astype(dtype)
    batch.weights = weights
    return batch


def _step_weights(weights, batch: Batch, dtype) -> np.ndarray | None:
    """Per-step loss weights as (T, B), zero where padded; the mask alone when none given."""
    T, B = batch.x.shape[:2]
    if weights is None:
        return None if batch.mask is None or not batch.many_to_many else batch.mask.astype(dtype)
    if not batch.many_to_many:
        raise ValueError("weights weigh the loss of each step: they need many-to-many targets y")
    w = as_float_array(weights, "weights", dtype)
    expected = (T,) if batch.single else (B, T)
    if w.shape != expected:
        raise ValueError(f"weights must have shape {expected}; got {w.shape}")
    w = np.array(w.reshape(B, T).T)  # (T, B), a private copy
    check_finite(w, "weights", where=batch.mask)
    if batch.mask is not None:
        w[~batch.mask] = 0.0  # whatever the padding held
    if w.min() < 0:
        raise ValueError(f"weights must be ≥ 0; got a minimum of {w.min():g}")
    return w


def _lengths(lengths, single: bool, B: int, T: int) -> np.ndarray:
    if lengths is None:
        lengths = np.empty(B, dtype=np.intp)  # np.full is Python around these two calls
        lengths.fill(T)
        return lengths
    if single:
        raise ValueError("lengths is for padded batches; x is one sequence (T, D)")
    array = np.asarray(lengths)
    if array.shape != (B,):
        raise ValueError(f"lengths must have shape (B,) = ({B},); got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.integer):
        if not (np.issubdtype(array.dtype, np.floating) and np.all(array == np.round(array))):
            raise TypeError(f"lengths must be integers; got dtype {array.dtype}")
    if array.min() < 1 or array.max() > T:
        raise ValueError(
            f"lengths must lie in [1, T] = [1, {T}]; got values in [{array.min()}, {array.max()}]"
        )
    return array.astype(np.intp)


def _targets(y, single, B, T, K, dtype, mask, loss, engine) -> tuple[np.ndarray | None, bool]:
    """y as (B, K) for many-to-one or (T, B, K) for many-to-many; None passes through."""
    if y is None:
        return None, False
    y = as_float_array(y, "y", dtype)
    one, many = ((), (K,)), ((T, K),)
    if not single:
        one = ((B,), (B, K)) if K == 1 else ((B, K),)
        many = ((B, T, K),)
    if y.shape in one:
        yb = y.reshape(B, K)  # (B, K)
        _check_values(yb, loss, None, engine)
        return yb, False
    if y.shape in many:
        yb = time_major(y.reshape(B, T, K))  # (T, B, K)
        _check_values(yb, loss, mask, engine)
        if mask is not None:
            yb[~mask] = 0.0
        return yb, True
    expected = " or ".join(str(s) for s in (*one, *many))
    raise ValueError(f"y must have shape {expected} for this x and K = {K}; got {y.shape}")


def _check_values(y: np.ndarray, loss: str, mask, engine: str) -> None:
    if mask is None and loss == "bce" and _unit_interval(y, engine):
        return  # in [0, 1], so finite (NaN fails both comparisons): one pass, not three
    check_finite(y, "y", where=mask)
    if loss == "bce":
        check_unit_interval(y, "y", where=mask)


def _unit_interval(y: np.ndarray, engine: str) -> bool:
    """Whether every value of y lies in [0, 1]: one compiled call where the engine loads
    numba (``compiled.unit_interval``), else numpy's four."""
    inside = None
    if engine in ("auto", "numba"):
        from . import compiled  # compiled imports this module: imported on first use

        inside = compiled.unit_interval(y)
    return bool(((y >= 0) & (y <= 1)).all()) if inside is None else inside


def _initial_state(a0, single: bool, B: int, I: int, dtype) -> np.ndarray:
    if a0 is None:
        return np.zeros((B, I), dtype=dtype)
    a0 = as_float_array(a0, "a0", dtype)
    if a0.shape == (I,):
        a0 = np.broadcast_to(a0, (B, I))
    elif single or a0.shape != (B, I):
        expected = f"({I},)" if single else f"({I},) or ({B}, {I})"
        raise ValueError(f"a0 must have shape {expected}; got {a0.shape}")
    check_finite(a0, "a0")
    return np.array(a0, dtype=dtype)  # (B, I), a private copy
