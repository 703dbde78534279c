"""The input layer: series of any length as padded arrays, standardised and framed, once each.

X arrives as (n, T) univariate series, (n, T, D) multivariate ones, a list of (T_i, D) or
(T_i,) arrays of different lengths, or a :class:`~frnn.data.series.Series`; every layer
above works on the zero-padded (n, T, D) float64 array and the lengths (n,) that
:func:`as_sequences` returns.

A network step reads a window of samples: ``windows`` gathers step t' from the samples
t'·stride + j·spacing, j < taps (a reservoir's dilated window), and ``frame`` is the
plain case taps = stride = f, spacing 1: f consecutive samples stacked into one step of
f·D inputs, so a series of T samples becomes ⌈T/f⌉ steps.  The network stays fully
recurrent — only the clock is slower — and gradients travel f times fewer steps.
"""

from __future__ import annotations

import numpy as np

from .layouts import channels_last
from .series import Series, pad

__all__ = [
    "ROUND_OFF",
    "as_sequences",
    "as_series",
    "binary_unit",
    "frame",
    "from_scaled_moments",
    "mask",
    "refuse_text",
    "standardisation",
    "standardise",
    "windows",
    "znormalise",
]


#: The relative spread at or below which values are one value up to round-off: 16 float64
#: epsilons (2⁻⁴⁸) of their size, the few units in the last place by which one computation
#: of a constant can leave its values apart.  Not more: float64 values offset by 1e8 or 1e12
#: with a spread of 1 hold their shape to 1e-8 or 1e-4 of it (a sensor's baseline,
#: timestamps, prices in micro-units), and were read as constant under the former cut-offs
#: (a spread below 1e-8 of a series' size; below 1e-12 of the mean of a feature over the
#: training set, or of the targets').  float32 data come in as float64 (:func:`as_sequences`):
#: their round-off counts as data, as it did.
ROUND_OFF = 16 * float(np.finfo(np.float64).eps)


#: What a 1-D X most likely is: one series, passed without the batch axis (``X[0]``).
_ONE_SERIES = (
    " Reshape your data: a single series of T values? Pass it with the batch axis, as a "
    "batch of one: "
    "X[None] (or X[:1], not X[0], from the array of series); n series of one value "
    "each: X[:, None]."
)


def as_sequences(
    X, name: str = "X", data_format: str | None = None
) -> tuple[np.ndarray, np.ndarray, bool]:
    """X as zero-padded (n, T, D) float64 with lengths (n,).

    ``data_format`` says how X is laid out, and containers (DataFrames holding series,
    torch tensors) are read by their own layout: see :mod:`frnn.data.layouts`.

    Returns
    -------
    x : (n, T, D)
    lengths : (n,) ints ≥ 1
    tabular : whether X was a 2-D array (n, T), whose columns then count as features
    """
    if isinstance(X, Series):  # already padded, with its lengths (the command line's data)
        _finite(X.X, name)
        return np.asarray(X.X, dtype=np.float64), np.asarray(X.lengths, dtype=np.intp), False
    X = channels_last(X, data_format, name)
    if isinstance(X, list | tuple) and X and ragged(X):
        seqs = [_one_sequence(s, f"{name}[{i}]") for i, s in enumerate(X)]
        return (*_pad(seqs, name), False)
    array = _numeric(X, name)
    if array.ndim == 2:
        x = array[:, :, None]  # (n, T, 1)
    elif array.ndim == 3:
        x = array
    else:
        hint = _ONE_SERIES if array.ndim == 1 and array.size else ""
        hint = " It holds no series." if array.shape == (0,) else hint
        raise ValueError(
            f"{name} must be (n, T), (n, T, D) or a list of (T_i, D) arrays; "
            f"got an array of shape {array.shape}.{hint}"
        )
    if x.shape[0] == 0 or x.shape[1] == 0 or x.shape[2] == 0:
        raise ValueError(
            f"{name} must hold at least one sample, step and feature; got shape {array.shape}"
        )
    _finite(x, name)
    return x, np.full(x.shape[0], x.shape[1], dtype=np.intp), array.ndim == 2


def as_series(X) -> Series:
    """Series X (any form :func:`as_sequences` reads) as a Series, which the reservoirs,
    their crops and neighbours then read as it is."""
    if isinstance(X, Series):
        return X
    x, lengths, _ = as_sequences(X)  # (n, T, D), (n,)
    return Series(x, None, lengths)


def ragged(X) -> bool:
    """Whether the sequences of the list X have different shapes."""
    shapes = {np.shape(s) for s in X}
    return len(shapes) > 1


def _numeric(value, name: str) -> np.ndarray:
    try:
        array = np.asarray(value)
        if array.dtype == object:
            array = array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric; could not convert it: {error}") from None
    if array.dtype.kind == "c":  # worded as scikit-learn words it for a 2-D X
        raise ValueError(
            f"Complex data not supported: {name} must hold real numbers; got dtype {array.dtype}"
        )
    refuse_text(array, name)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric; got dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def refuse_text(array: np.ndarray, name: str = "X") -> None:
    """Refuse an array of strings or bytes, numbers written as text among them, as
    scikit-learn's ``check_array(dtype="numeric")`` refuses them since 1.2 (a 2-D X of
    text was parsed and a 3-D one refused; an object array of numbers is read as numbers,
    as scikit-learn reads it)."""
    if array.dtype.kind in "USV":
        raise ValueError(
            f"{name} must be numeric; got dtype {array.dtype} (text): convert numbers "
            f"written as text first, e.g. {name}.astype(float)"
        )


def _one_sequence(s, name: str) -> np.ndarray:
    array = _numeric(s, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"{name} must be a (T_i, D) or (T_i,) array with T_i ≥ 1; got shape {array.shape}"
        )
    _finite(array, name)
    return array


def _pad(seqs: list[np.ndarray], name: str) -> tuple[np.ndarray, np.ndarray]:
    widths = {s.shape[1] for s in seqs}
    if len(widths) > 1:
        hint = ""
        if len({s.shape[0] for s in seqs}) == 1:  # one first size, many second: aeon's list
            hint = (
                f"; they share their first size {seqs[0].shape[0]}, as aeon's (n_channels, "
                "n_timepoints) arrays do: pass data_format='channels_first'"
            )
        raise ValueError(
            f"every sequence of {name} must be (T_i, D) with the same D; got D in "
            f"{sorted(widths)}{hint}"
        )
    return pad(seqs)  # (n, T, D), (n,)


def _finite(x: np.ndarray, name: str) -> None:
    if not np.isfinite(x).all():
        # NaN is most often the padding of shorter series (the UCR archive's, a wide
        # DataFrame's), which a file reader takes as such: say how arrays give them
        hint = (
            ": series of different lengths are given as a list of (T_i,) or (T_i, D) arrays, "
            "without NaN padding; gaps inside a series are filled or cut first"
            if np.isnan(x).any()
            else ""
        )
        raise ValueError(
            f"Input {name} contains NaN or infinity; "
            f"found {int((~np.isfinite(x)).sum())} such value(s){hint}"
        )


def mask(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(n, T) True on real steps of the padded x (n, T, ...)."""
    return np.arange(x.shape[1])[None, :] < lengths[:, None]


def windows(
    x: np.ndarray, lengths: np.ndarray, taps: int, spacing: int, stride: int
) -> tuple[np.ndarray, np.ndarray]:
    """The network's inputs: step t' reads samples t'·stride + j·spacing, j < taps.

    (n, T, D) -> u (n, ⌈T/stride⌉, taps·D), zero beyond each series' end, and the steps
    (n,) = ⌈T_i/stride⌉.  Frames are taps = stride, spacing 1; ROCKET-like dilated windows
    are spacing = stride = d.
    """
    n, T, D = x.shape
    steps = -(-T // stride)
    index = np.arange(steps)[:, None] * stride + np.arange(taps) * spacing  # (T', taps)
    padded = np.zeros((n, max(T, int(index.max()) + 1), D), dtype=x.dtype)
    padded[:, :T] = x
    u = padded[:, index].reshape(n, steps, taps * D)  # (n, T', taps·D)
    return u, -(-lengths // stride)


def frame(x: np.ndarray, lengths: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack f consecutive samples into one step: (n, T, D) -> (n, ⌈T/f⌉, f·D), lengths ⌈T_i/f⌉.

    A series whose length is not a multiple of f is zero-padded inside its last frame.
    """
    return windows(x, lengths, f, 1, f)


def binary_unit(size):
    """The power of two 2^e just above each ``size`` (K,) or scalar (1 for 0), at most
    2^1023, the largest (sizes beyond it, up to the largest float, come out below 2):
    dividing by it is exact, and brings values of any scale near one, where their squares
    neither vanish nor overflow (a regressor's targets, its scores, its training RMSE)."""
    return np.ldexp(1.0, np.minimum(np.frexp(size)[1], _TOP_EXPONENT))


# 2^1024 is beyond float64: values of 2^1023 or more had an infinite unit (a RuntimeWarning,
# then every value 0: a series read as constant, targets refused as "always nan").
_TOP_EXPONENT = 1023


def standardisation(x: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation (D,) over every real step of every series.

    Whatever the data's scale (1e-300 or 1e300): the values are first divided by their
    largest magnitude m, so the sums cannot overflow and nothing small is mistaken for
    constant; mean and std are m times those of the scaled values (both ≤ m, finite).
    A feature is constant (std set to 1) when its spread is at most :data:`ROUND_OFF`
    of its mean's size: round-off of one value.
    """
    real = x[mask(x, lengths)]  # (Σ T_i, D)
    m = np.abs(real).max(axis=0)  # (D,)
    m[m == 0] = 1.0
    scaled = real / m  # (Σ T_i, D) in [−1, 1]
    return from_scaled_moments(m, scaled.mean(axis=0), scaled.std(axis=0))


def from_scaled_moments(
    m: np.ndarray, mean_s: np.ndarray, std_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (D,) of x from those of x / m (each (D,)), std 1 for a
    constant feature: :func:`standardisation`'s last step, which the chunked fit
    (:mod:`frnn.estimators.chunked`) takes from dask's reductions."""
    constant = ~(std_s > ROUND_OFF * np.abs(mean_s)) | (std_s == 0)
    std = std_s * m
    std[constant] = 1.0  # constant features stay put (only shifted by their mean)
    return mean_s * m, std


def standardise(
    x: np.ndarray, lengths: np.ndarray, mean: np.ndarray, std: np.ndarray
) -> np.ndarray:
    """(x − mean) / std on real steps, zero on padding: (n, T, D) -> (n, T, D).

    Computed as (x/s − mean/s) / (std/s) with s = max(|mean|, std), so x − mean cannot
    overflow when both are near the largest float.
    """
    s = np.maximum(np.abs(mean), std)  # (D,) > 0
    with np.errstate(over="ignore"):  # only where the result itself is beyond float64
        out = (x / s - mean / s) / (std / s)
    out[~mask(x, lengths)] = 0.0
    return out


def znormalise(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each series and channel z-normalised over its own real steps: (n, T, D) -> (n, T, D).

    What the reservoirs see: shape, not level or amplitude, whatever the data's units: each
    series is first divided by the power of two just above its largest magnitude (exact,
    so its squares neither overflow at 1e300 nor vanish at 1e-300).  A series whose
    standard deviation is at most :data:`ROUND_OFF` of that unit is constant (its values
    differ by round-off at most) and stays at zero rather than blowing up its noise.  The
    cut-off is float64's precision, not an absolute 1e-8: a series offset by 1e8 or 1e12 (a
    sensor's baseline, timestamps) keeps the shape its float64 values hold.
    """
    real = mask(x, lengths)[:, :, None]  # (n, T, 1)
    unit = binary_unit(np.abs(x).max(axis=1, keepdims=True))  # (n, 1, D); padding is 0
    u = x / unit  # (n, T, D) in [−1, 1] (in (−2, 2) beyond 2^1023)
    mean = u.sum(axis=1, keepdims=True) / lengths[:, None, None]  # (n, 1, D)
    var = (((u - mean) * real) ** 2).sum(axis=1, keepdims=True) / lengths[:, None, None]
    std = np.sqrt(var)
    std[std <= ROUND_OFF] = 1.0
    return np.where(real, (u - mean) / std, 0.0)
