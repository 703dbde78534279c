"""Synthetic tasks that test memory (the embedded Reber grammar, parity, adding, recall,
temporal order) and two that test the biases and the features (a sine against a square
wave: of a fixed period, or of random frequency, phase and sign).

Each generator takes a number of series ``n`` and a ``numpy.random.Generator`` and returns
the series and their targets, so the same seed gives the same data on every machine; the
same function gives a fixed training set or, through :func:`stream`, an endless supply of
fresh batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

__all__ = [
    "MEMORY_TASKS",
    "REBER_SYMBOLS",
    "adding",
    "embedded_reber",
    "order",
    "parity",
    "reber_string",
    "recall",
    "sign_symmetric_waves",
    "sine_square",
    "stream",
]

#: One-hot order of the grammar's seven symbols.
REBER_SYMBOLS = "BTPSXVE"

# The Reber grammar's graph (Reber 1967; as drawn in Hochreiter & Schmidhuber 1997,
# Fig. 3): state -> two (symbol, next state) choices, each taken with probability 1/2.
_REBER = {
    1: (("T", 2), ("P", 3)),
    2: (("S", 2), ("X", 4)),
    3: (("T", 3), ("V", 5)),
    4: (("X", 3), ("S", 6)),
    5: (("P", 4), ("V", 6)),
}


def reber_string(rng: np.random.Generator) -> str:
    """One string of the (plain) Reber grammar, from ``B`` to ``E``, e.g. ``BTXSE``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Takes each fork of the grammar with probability 1/2.

    Returns
    -------
    str
        The string, of the symbols ``BTPSXVE``; at least 5 long.
    """
    symbols, state = ["B"], 1
    while state != 6:
        symbol, state = _REBER[state][rng.integers(2)]
        symbols.append(symbol)
    return "".join(symbols) + "E"


def _one_hot(string: str) -> np.ndarray:
    codes = np.array([REBER_SYMBOLS.index(c) for c in string])
    return np.eye(len(REBER_SYMBOLS))[codes]  # (T, 7)


def embedded_reber(n: int, rng: np.random.Generator, max_length: int = 30):
    """Strings of the embedded Reber grammar, half valid and half corrupted.

    A valid string is ``B a w a E`` with ``a`` in {T, P} and ``w`` a Reber string; its
    corrupted twin has the other symbol in the second slot, ``B a w a' E``. Only the
    first and the second-to-last symbols tell the two apart, so the network must carry
    ``a`` across the whole inner string: the long time lag of Hochreiter & Schmidhuber
    (1997, experiment 1), here posed as classification.

    Parameters
    ----------
    n : int
        Number of strings.
    rng : numpy.random.Generator
    max_length : int
        Strings longer than this are drawn again (the shortest has 9 symbols).

    Returns
    -------
    series : list of ndarray, each (T_i, 7)
        One-hot symbols in the order ``BTPSXVE``.
    y : ndarray of int, shape (n,)
        1 for a valid string, 0 for a corrupted one.
    strings : list of str
    """
    strings, y = [], rng.integers(2, size=n)
    while len(strings) < n:
        inner = reber_string(rng)
        if len(inner) + 4 > max_length:
            continue
        a = "TP"[rng.integers(2)]
        last = a if y[len(strings)] else "TP".replace(a, "")
        strings.append("B" + a + inner + last + "E")
    return [_one_hot(s) for s in strings], y.astype(np.int64), strings


def parity(n: int, rng: np.random.Generator, length: int = 10):
    """Bit sequences labelled with their parity (1 when the number of ones is odd).

    Every bit matters to the label, so no shortcut exists: the network must keep a
    running XOR for ``length`` steps.

    Parameters
    ----------
    n : int
        Number of sequences.
    rng : numpy.random.Generator
        Draws the bits.
    length : int, default 10
        T, the bits per sequence.

    Returns
    -------
    series : ndarray, shape (n, length, 1)
        Bits 0.0 or 1.0.
    y : ndarray of int, shape (n,)
    """
    bits = rng.integers(2, size=(n, length))  # (n, T)
    return bits[:, :, None].astype(np.float64), bits.sum(axis=1) % 2


def adding(n: int, rng: np.random.Generator, length: int = 50):
    """The adding problem: add the two numbers that carry a marker.

    Input channel 0 holds values uniform in [0, 1], channel 1 is 1 at two steps (one in
    each half of the sequence) and 0 elsewhere; the target is the sum of the two marked
    values. This is the form of Le, Jaitly & Hinton (2015) of Hochreiter & Schmidhuber's
    (1997) experiment 4. Always answering 1 gives a mean squared error of 1/6.

    Parameters
    ----------
    n : int
        Number of sequences.
    rng : numpy.random.Generator
        Draws the values, then the two marked steps.
    length : int ≥ 2, default 50
        T, the steps per sequence.

    Returns
    -------
    series : ndarray, shape (n, length, 2)
    y : ndarray, shape (n,)
        Regression targets in [0, 2].
    """
    if length < 2:
        raise ValueError(f"length must be at least 2 for the adding problem; got {length}")
    values = rng.uniform(size=(n, length))  # (n, T)
    half = length // 2
    first = rng.integers(half, size=n)
    second = rng.integers(half, length, size=n)
    markers = np.zeros((n, length))  # (n, T)
    rows = np.arange(n)
    markers[rows, first] = markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    return np.stack([values, markers], axis=-1), y


def sine_square(
    n: int, rng: np.random.Generator, length: int = 60, period: float = 20.0, noise: float = 0.3
):
    """Noisy sine waves (label 0) against noisy square waves (label 1), random phase.

    x(t) = g(2π t / period + φ) + ε(t), g = sin or sign ∘ sin, φ ~ U[0, 2π), ε ~ N(0, noise²).
    Each class is its own mirror image (−g(θ) = g(θ + π)), so a network that is an odd
    function of its input (tanh without biases: p(x) + p(−x) = 1) cannot tell them apart;
    the amplitude's distribution (|x| near 1 throughout for the square) tells them apart
    easily with biases.

    Parameters
    ----------
    n : int
        Number of series.
    rng : numpy.random.Generator
        Draws the labels, the phases and the noise.
    length : int, default 60
        T, the steps per series.
    period : float, default 20.0
        The waves' period in steps.
    noise : float, default 0.3
        The noise's standard deviation.

    Returns
    -------
    series : ndarray, shape (n, length, 1)
    y : ndarray of int, shape (n,)
    """
    y = rng.integers(2, size=n)  # (n,)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    wave = np.sin(2 * np.pi * np.arange(length) / period + phase)  # (n, T)
    wave = np.where(y[:, None] == 1, np.sign(wave), wave)
    return (wave + noise * rng.standard_normal((n, length)))[:, :, None], y


def sign_symmetric_waves(
    n: int,
    rng: np.random.Generator,
    length: int = 120,
    frequencies: tuple[float, float] = (1 / 30, 1 / 12),
    phases: float = 2 * np.pi,
    noise: float = 0.2,
):
    """Sine waves (label 0) against square waves (label 1) of random frequency, phase and
    sign: the classes the reservoir defaults were chosen on.

    x(t) = ±g(2π f t + φ) + ε(t), g = sin or sign ∘ sin, f ~ U(frequencies), φ ~ U[0,
    phases), the sign ± uniform, ε ~ N(0, noise²): a class and its mirror image x → −x
    are the same class, and neither frequency nor level tells them apart.

    Parameters
    ----------
    n : int
        Number of series.
    rng : numpy.random.Generator
        Draws the labels, frequencies, phases, signs and noise.
    length : int, default 120
        T, the steps per series.
    frequencies : (low, high), default (1/30, 1/12)
        The range of f, in cycles per step.
    phases : float, default 2π
        The range of φ.
    noise : float, default 0.2
        The noise's standard deviation.

    Returns
    -------
    X : ndarray, shape (n, length)
    y : ndarray of int, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> X, y = sign_symmetric_waves(4, np.random.default_rng(0), length=50)
    >>> X.shape, y.shape
    ((4, 50), (4,))
    """
    t = np.arange(length)
    y = rng.integers(0, 2, n)  # (n,)
    frequency = rng.uniform(*frequencies, (n, 1))
    phase = rng.uniform(0, phases, (n, 1))
    wave = np.sin(2 * np.pi * frequency * t + phase)  # (n, T)
    X = np.where(y[:, None] == 1, np.sign(wave), wave) * rng.choice([-1, 1], (n, 1))
    return X + noise * rng.standard_normal(X.shape), y


def recall(n: int, rng: np.random.Generator, length: int = 100, symbols: int = 8):
    """Recall the first symbol after a gap of distractors: a copy task posed as classification.

    Step 0 shows one of ``symbols`` symbols (one-hot); steps 1 … T−2 show symbols drawn
    from the same alphabet at random (distractors the network must not write over the
    first); the last step shows only a query channel.  The label is the first symbol,
    so the network must carry log₂(symbols) bits across T − 1 steps of interference (the
    copying memory task of Hochreiter & Schmidhuber 1997 and Arjovsky, Shah & Bengio
    2016, with one symbol to copy).  Chance accuracy is 1/symbols.

    Parameters
    ----------
    n : int
        Number of sequences.
    rng : numpy.random.Generator
        Draws the first symbol and the distractors.
    length : int ≥ 3, default 100
        T, the steps per sequence.
    symbols : int ≥ 2, default 8
        The alphabet's size.

    Returns
    -------
    series : ndarray, shape (n, length, symbols + 1)
        One-hot symbols in the first ``symbols`` channels; the query in the last.
    y : ndarray of int, shape (n,)
        The first symbol, in [0, symbols).
    """
    if length < 3 or symbols < 2:
        raise ValueError(f"recall needs length ≥ 3 and symbols ≥ 2; got {length}, {symbols}")
    codes = rng.integers(symbols, size=(n, length - 1))  # (n, T−1): step 0, then distractors
    x = np.zeros((n, length, symbols + 1))  # (n, T, symbols + 1)
    rows, steps = np.indices(codes.shape)
    x[rows, steps, codes] = 1.0
    x[:, -1, -1] = 1.0  # the query
    return x, codes[:, 0].astype(np.int64)


#: The temporal order task's symbols: X and Y carry the label, a-d are distractors.
ORDER_SYMBOLS = "XYabcd"


def order(n: int, rng: np.random.Generator, length: int = 100):
    """The temporal order problem: which of X and Y came first, and second, over a long gap.

    Every step shows one symbol (one-hot, ``ORDER_SYMBOLS``), a distractor a-d except at
    two steps: t₁ in [0.1 T, 0.2 T) and t₂ in [0.5 T, 0.6 T), each showing X or Y.  The
    four classes XX, XY, YX, YY (0-3) are the pair in order, so the network must keep
    the first relevant symbol for at least 0.3 T steps of distractors and then the pair
    until the end (Hochreiter & Schmidhuber 1997, experiment 6a, there with T ≈ 100 and
    a start and end symbol).  Chance accuracy is 1/4.

    Parameters
    ----------
    n : int
        Number of sequences.
    rng : numpy.random.Generator
        Draws the distractors, the two steps and the pair.
    length : int ≥ 10, default 100
        T, the steps per sequence.

    Returns
    -------
    series : ndarray, shape (n, length, 6)
    y : ndarray of int, shape (n,)
        2·[first is Y] + [second is Y].
    """
    if length < 10:
        raise ValueError(f"length must be at least 10 for the order task; got {length}")
    codes = rng.integers(2, 6, size=(n, length))  # (n, T) distractors a-d
    first = rng.integers(length // 10, max(length // 5, length // 10 + 1), size=n)
    second = rng.integers(length // 2, max(3 * length // 5, length // 2 + 1), size=n)
    pair = rng.integers(2, size=(n, 2))  # (n, 2): 0 = X, 1 = Y
    rows = np.arange(n)
    codes[rows, first], codes[rows, second] = pair[:, 0], pair[:, 1]
    x = np.zeros((n, length, len(ORDER_SYMBOLS)))  # (n, T, 6)
    x[rows[:, None], np.arange(length), codes] = 1.0
    return x, (2 * pair[:, 0] + pair[:, 1]).astype(np.int64)


#: The generated memory tasks :func:`stream` knows by name.
MEMORY_TASKS: dict[str, Callable] = {
    "adding": adding,
    "parity": parity,
    "recall": recall,
    "order": order,
}


def stream(
    task: str | Callable, batch_size: int, rng: np.random.Generator, **options
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """An endless generator of fresh batches (X (B, T, D), y (B,)) of a generated task.

    ``task`` is a name of ``MEMORY_TASKS`` or any function ``(n, rng, **options)`` as
    above; ``options`` are its own (``length=200``).  Each batch is the task's
    ``task(batch_size, rng, **options)``, so a generator made again with a generator in
    the same state yields the same batches (what resuming a run relies on).

    Parameters
    ----------
    task : str or callable
        A name of ``MEMORY_TASKS`` ("adding", "parity", "recall", "order"), or a function
        ``task(n, rng, **options) -> (X, y)``.
    batch_size : int
        B, the series of each batch.
    rng : numpy.random.Generator
        Passed to every call of the task, so the batches follow its state.
    **options
        The task's own keywords (e.g. ``length``).

    Yields
    ------
    (X, y)
        One batch: what ``task(batch_size, rng, **options)`` returns, X (B, T, D) and
        y (B,).

    Raises
    ------
    KeyError
        ``task`` is a name ``MEMORY_TASKS`` lacks (raised by the first ``next``: this is a
        generator); a task's own errors (e.g. ValueError for a ``length`` too short) are
        raised by it the same way.

    Examples
    --------
    >>> import numpy as np
    >>> batches = stream("adding", 4, np.random.default_rng(0), length=20)
    >>> X, y = next(batches)
    >>> X.shape, y.shape
    ((4, 20, 2), (4,))
    """
    generate = MEMORY_TASKS[task] if isinstance(task, str) else task
    while True:
        yield generate(batch_size, rng, **options)
