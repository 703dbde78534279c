"""Generated classification tasks: where the defaults are chosen and timed beside real sets.

Each generator takes a ``numpy.random.Generator`` and the number of series, and returns
(X, y): an (n, T) or (n, T, D) array, or a list of series of different lengths.  A task's
training split comes from seed 1000 + s and its test split from seed 2000 + s, so both are
the same on every machine.  No data set of aeon, sktime or tslearn is read: those judge.

- sine_square: sign-symmetric, a sine or a square wave of random frequency, phase, sign
- many_classes: 12 classes, a bump of one of 4 widths at one of 3 places
- long_motif: T = 1500 random walks, which of 5 short motifs sits somewhere
- variable_length: lengths 60-400, 4 classes by frequency
- channels: D = 3, which channel leads the others by a quarter period
- levels: D = 4, T = 12-24 (variable), 8 classes told apart only by each channel's level:
  every series is its class's level vector plus a random smooth shape shared by all
  classes and noise (what per-series z-normalisation erases)
- strokes: D = 2, T = 8, 10 classes of pen strokes: 5 paths, each drawn in one of two
  places on the pad (the place is half the class), offset, size and points jittered
- prototypes: 40 classes of 5 series each, a random smooth prototype per class, warped
  in time, scaled and with noise (many classes, few series)

Seven more, written in one go after the defaults were chosen (issue 22's last session) to
check them on kinds of real data the tasks above do not resemble, never tuned on:

- appliances: T = 1460 power readings, 10 classes of on/off duty cycles (period, share on,
  level, a start-up spike), random phase
- harmonics: lengths 100-800, 11 classes of periodic waveforms told apart by the
  amplitudes and phases of their first 5 harmonics, random phase and gain
- outlines: T = 427, 6 classes of closed outlines (the radius against the angle) from
  8 Fourier terms, jittered and turned a little, z-normalised
- daily: T = 24 hourly loads, 2 classes whose evening peak comes 1.5 hours apart, 67
  training series
- transients: T = 275, 4 classes of an event at a random time (a step, a slow rise, a
  decaying oscillation, a step with ringing)
- counts: T = 300, 4 classes: how many spikes (1-4) at random places
- gestures: D = 4, T = 65, 6 classes of smooth motions, warped in time, 60 training series

Six more, written as a probe (issue 22, helper probe) to find where frnn trails the anchors
before held-out sets do; never tuned on, no default chosen on them:

- coupling: D = 2, T = 150, 3 classes by the correlation of two smooth noises (+0.8, 0,
  -0.8): each channel alone has the same law in every class
- noisy_spectra: T = 500, 4 classes by the period (18, 20, 22, 24.5 steps) of a sine whose
  phase wanders, under white noise twice its power (SNR 0.5)
- ten_series: T = 80, 5 classes of warped smooth shapes (a shape common to all plus each
  class's own), 10 training series: two of each class
- order: T = 300, 2 classes: a bump then a short ringing, or the ringing first, at random
  times 20-80 steps apart, in noise
- bursts: T = 400, 3 classes of smooth noise: stationary, a burst twice as loud for 40-80
  steps, or a slow swell of the amplitude; random gain
- beats: T = 140, 4 classes of ECG-like beats (normal, inverted T wave, wide QRS without
  a P wave, raised ST), shifted, warped, with a wandering baseline
"""

from __future__ import annotations

import numpy as np

from frnn.data.synthetic import sign_symmetric_waves

__all__ = ["CHOSEN_ON", "GENERATED", "split", "training_split"]


def _sine_square(rng, n):
    return sign_symmetric_waves(n, rng, length=200, frequencies=(1 / 40, 1 / 15), noise=0.3)


def _many_classes(rng, n):
    t = np.arange(300)
    y = rng.integers(0, 12, n)
    width = np.array([3, 8, 20, 40])[y % 4][:, None]
    centre = (np.array([60, 150, 240])[y // 4] + rng.integers(-20, 21, n))[:, None]
    X = np.exp(-0.5 * ((t - centre) / width) ** 2)
    return X + 0.2 * rng.standard_normal(X.shape), y


def _long_motif(rng, n):
    s = np.linspace(0, 1, 40)
    motifs = np.stack([np.sin(2 * np.pi * k * s) for k in (1, 2, 3)] + [s, s**2 * (1 - s) * 6])
    y = rng.integers(0, 5, n)
    X = 0.1 * np.cumsum(rng.standard_normal((n, 1500)), axis=1)
    for i, where in enumerate(rng.integers(0, 1460, n)):
        X[i, where : where + 40] += 3 * motifs[y[i]]
    return X, y


def _variable_length(rng, n):
    y = rng.integers(0, 4, n)
    series = []
    for c in y:
        T = int(rng.integers(60, 401))
        t = np.arange(T)
        wave = np.sin(2 * np.pi * t / (8, 12, 18, 27)[c] + rng.uniform(0, 6.3))
        series.append(wave + 0.5 * rng.standard_normal(T))
    return series, y


def _channels(rng, n):
    y = rng.integers(0, 3, n)
    t = np.arange(120)[:, None]
    phase = rng.uniform(0, 6.3, (n, 1, 1))
    lag = np.zeros((n, 1, 3))
    lag[np.arange(n), 0, y] = np.pi / 2
    X = np.sin(2 * np.pi * t[None] / 20 + phase + lag)
    return X + 0.4 * rng.standard_normal(X.shape), y


def _smooth(rng, n, T, D, knots=5):
    """(n, T, D) random smooth curves: cubic-ish interpolation of Gaussian knots."""
    grid = np.linspace(0, 1, knots)
    t = np.linspace(0, 1, T)
    values = rng.standard_normal((n, knots, D))
    out = np.empty((n, T, D))
    for i in range(n):
        for d in range(D):
            out[i, :, d] = np.interp(t, grid, values[i, :, d])
    kernel = np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)
    kernel /= kernel.sum()
    for i in range(n):  # smoothed: no corners where the knots join
        for d in range(D):
            out[i, :, d] = np.convolve(np.pad(out[i, :, d], 3, mode="edge"), kernel, "valid")
    return out


_LEVELS = np.random.default_rng(7).normal(0.0, 1.0, (8, 4))  # (K, D): each class's levels


def _levels(rng, n):
    y = rng.integers(0, 8, n)
    series = []
    for c in y:
        T = int(rng.integers(12, 25))
        shape = 1.5 * _smooth(rng, 1, T, 4)[0]  # (T, D): shared by every class
        series.append(_LEVELS[c] + shape + 0.3 * rng.standard_normal((T, 4)))
    return series, y


_STROKES = np.random.default_rng(8).uniform(0.0, 0.5, (5, 8, 2))  # (shapes, T, 2): paths
_PLACES = np.array([[0.0, 0.0], [0.5, 0.5]])  # where on the pad: classes 0-4 and 5-9


def _strokes(rng, n):
    y = rng.integers(0, 10, n)
    size = rng.uniform(0.8, 1.2, (n, 1, 2))
    offset = _PLACES[y // 5][:, None, :] + rng.normal(0.0, 0.1, (n, 1, 2))
    X = _STROKES[y % 5] * size + offset + 0.05 * rng.standard_normal((n, 8, 2))
    return 100 * X, y


_PROTOTYPES = _smooth(np.random.default_rng(9), 40, 120, 1, knots=9)[:, :, 0]  # (K, T)


def _prototypes(rng, n):
    y = np.arange(n) % 40
    t = np.linspace(0, 1, 120)
    X = np.empty((n, 120))
    for i, c in enumerate(y):
        warp = np.clip(t + rng.uniform(-0.15, 0.15) * np.sin(np.pi * t), 0, 1)  # time warp
        X[i] = rng.uniform(0.7, 1.3) * np.interp(warp, t, _PROTOTYPES[c])
    return X + 0.6 * rng.standard_normal(X.shape), y


_DUTY = np.random.default_rng(21)  # each class's period, share on, level and spike
_PERIOD, _ON = _DUTY.integers(40, 300, 10), _DUTY.uniform(0.1, 0.6, 10)
_LEVEL, _SPIKE = _DUTY.uniform(0.5, 3.0, 10), _DUTY.uniform(0.0, 2.0, 10)


def _appliances(rng, n):
    y = rng.integers(0, 10, n)
    t = np.arange(1460)
    X = np.empty((n, t.size))
    for i, c in enumerate(y):
        period = _PERIOD[c] * rng.uniform(0.85, 1.15)
        phase = (t + rng.uniform(0, period)) % period / period  # (T,) in [0, 1)
        on = phase < _ON[c]
        start = _SPIKE[c] * rng.uniform(0.5, 1.5) * np.exp(-phase / 0.02)
        X[i] = on * (_LEVEL[c] + start) + 0.1 * rng.standard_normal()
    return X + 0.2 * rng.standard_normal(X.shape), y


_HARMONICS = np.random.default_rng(22).uniform(0, 1, (11, 5)) * [1, 0.6, 0.4, 0.3, 0.2]
_PHASES = np.random.default_rng(23).uniform(0, 2 * np.pi, (11, 5))  # (K, harmonics)


def _harmonics(rng, n):
    y = rng.integers(0, 11, n)
    series = []
    for c in y:
        T = int(rng.integers(100, 800))
        cycle = 2 * np.pi * np.arange(T)[:, None] / 50 + rng.uniform(0, 2 * np.pi)  # (T, 1)
        amplitude = _HARMONICS[c] * (1 + 0.2 * rng.standard_normal(5))
        wave = np.sin(np.arange(1, 6) * cycle + _PHASES[c]) @ amplitude  # (T,)
        series.append(rng.uniform(0.5, 2) * wave + 0.1 * rng.standard_normal(T))
    return series, y


_ORDERS = np.arange(1, 9)[:, None]  # (8, 1): the outlines' Fourier terms, falling as 1/k
_OUTLINES = np.random.default_rng(24).normal(0, 1, (6, 8, 2)) / _ORDERS


def _outlines(rng, n):
    y = rng.integers(0, 6, n)
    angle = np.linspace(0, 2 * np.pi, 427, endpoint=False)
    X = np.empty((n, angle.size))
    for i, c in enumerate(y):
        terms = _OUTLINES[c] + 0.35 * rng.normal(0, 1, (8, 2)) / _ORDERS  # (8, 2)
        turned = _ORDERS * (angle + rng.uniform(-0.3, 0.3))  # (8, T)
        r = terms[:, 0] @ np.cos(turned) + terms[:, 1] @ np.sin(turned)
        X[i] = (r - r.mean()) / r.std()
    return X + 0.05 * rng.standard_normal(X.shape), y


def _daily(rng, n):
    y = rng.integers(0, 2, n)
    hour = np.arange(24)
    morning = rng.uniform(7, 9, (n, 1))
    evening = np.where(y == 1, 18.5, 20.0)[:, None] + rng.normal(0, 0.7, (n, 1))
    X = np.exp(-0.5 * ((hour - morning) / 1.5) ** 2) + 0.3 * ((hour > 7) & (hour < 22))
    X = X + rng.uniform(0.8, 1.4, (n, 1)) * np.exp(-0.5 * ((hour - evening) / 2.0) ** 2)
    return X + 0.15 * rng.standard_normal(X.shape), y


def _transients(rng, n):
    y = rng.integers(0, 4, n)
    t = np.arange(275)
    X = np.empty((n, t.size))
    for i, c in enumerate(y):
        u = t - rng.integers(60, 200)  # steps since the event
        after, v = u >= 0, np.maximum(u, 0)
        shapes = (
            np.ones_like(v, dtype=float),
            1 - np.exp(-v / 15),
            2 * np.exp(-v / 20) * np.sin(v / 4),
            1 + 0.5 * np.exp(-v / 5) * np.sin(v / 2),
        )
        X[i] = after * shapes[c]
    return X + 0.1 * rng.standard_normal(X.shape), y


def _counts(rng, n):
    y = rng.integers(0, 4, n)
    X = 0.3 * rng.standard_normal((n, 300))
    for i, c in enumerate(y):
        for p in rng.choice(np.arange(5, 295), c + 1, replace=False):
            X[i, p - 2 : p + 3] += [0.5, 1.5, 2.5, 1.5, 0.5]
    return X, y


_GESTURES = np.random.default_rng(25).normal(0, 1, (6, 5, 4))  # (K, knots, D)


def _gestures(rng, n):
    y = rng.integers(0, 6, n)
    t, knots = np.linspace(0, 1, 65), np.linspace(0, 1, 5)
    X = np.empty((n, t.size, 4))
    for i, c in enumerate(y):
        k = _GESTURES[c] + 0.4 * rng.standard_normal((5, 4))
        warped = np.clip(t + rng.uniform(-0.1, 0.1) * np.sin(np.pi * t), 0, 1)
        for d in range(4):
            X[i, :, d] = np.interp(warped, knots, k[:, d])
    return X + 0.2 * rng.standard_normal(X.shape), y


def _lowpass(rng, shape, width):
    """Gaussian noise smoothed over about ``width`` steps along axis 1, unit variance."""
    kernel = np.exp(-0.5 * (np.arange(-3 * width, 3 * width + 1) / width) ** 2)
    noise = rng.standard_normal((shape[0], shape[1] + kernel.size - 1, *shape[2:]))
    return np.apply_along_axis(np.convolve, 1, noise, kernel / np.sqrt(kernel @ kernel), "valid")


def _coupling(rng, n):
    y = rng.integers(0, 3, n)
    rho = np.array([0.8, 0.0, -0.8])[y][:, None]  # the channels' correlation: the class
    a, b = _lowpass(rng, (n, 150), 3), _lowpass(rng, (n, 150), 3)
    second = rho * a + np.sqrt(1 - rho**2) * b  # alone, the same law as the first channel
    X = np.stack([a, second], axis=2)
    return X + 0.3 * rng.standard_normal(X.shape), y


def _noisy_spectra(rng, n):
    y = rng.integers(0, 4, n)
    t = np.arange(500)
    X = np.empty((n, t.size))
    for i, c in enumerate(y):
        period = (18, 20, 22, 24.5)[c] * rng.uniform(0.97, 1.03)
        drift = np.cumsum(rng.normal(0, 0.15, t.size))  # the phase wanders: no fixed template
        wave = np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi) + drift)
        X[i] = wave + rng.normal(0, 1, t.size)  # signal power 0.5, noise power 1
    return X, y


_FEW = _smooth(np.random.default_rng(26), 6, 80, 1, knots=7)[:, :, 0]  # (K + 1, T)
_FEW = 0.8 * _FEW[:1] + 0.6 * _FEW[1:]  # (K, T): a shape shared by the classes, and each one's


def _ten_series(rng, n):
    y = np.arange(n) % 5
    t = np.linspace(0, 1, 80)
    X = np.empty((n, 80))
    for i, c in enumerate(y):
        warp = np.clip(t + rng.uniform(-0.2, 0.2) * np.sin(np.pi * t), 0, 1)
        X[i] = rng.uniform(0.8, 1.2) * np.interp(warp, t, _FEW[c]) + rng.normal(0, 0.3)
    return X + 0.6 * rng.standard_normal(X.shape), y


def _order(rng, n):
    y = rng.integers(0, 2, n)
    t = np.arange(300)
    X = 0.3 * rng.standard_normal((n, t.size))
    for i, c in enumerate(y):
        first, gap = rng.integers(20, 200), rng.integers(20, 80)
        a, b = (first, first + gap) if c == 0 else (first + gap, first)
        X[i] += 1.5 * np.exp(-0.5 * ((t - a) / 3) ** 2)  # event A: a bump
        u = t - b
        X[i] += (u >= 0) * (u < 12) * 1.2 * np.sin(np.pi * u / 3)  # event B: a short ringing
    return X, y


def _bursts(rng, n):
    y = rng.integers(0, 3, n)
    t = np.arange(400)
    X = np.empty((n, t.size))
    for i, c in enumerate(y):
        scale = np.ones(t.size)
        start, width = rng.integers(0, 320), rng.integers(40, 80)
        window = (t >= start) & (t < start + width)
        if c == 1:
            scale[window] = 2.0  # a burst: louder for a while
        elif c == 2:
            scale = 0.6 + 0.8 * t / t.size * rng.uniform(0.8, 1.2)  # a slow swell
        X[i] = rng.uniform(0.8, 1.2) * scale * _lowpass(rng, (1, t.size), 1.5)[0]
    return X, y


_NORMAL = [[0.2, 0.04, 0.15], [0.33, 0.012, -0.15], [0.36, 0.015, 1.0], [0.39, 0.012, -0.25]]
_BEATS = np.array(  # (K, waves, 3): centre, width, height of the P, Q, R, S, T waves in [0, 1]
    [
        [*_NORMAL, [0.62, 0.06, 0.3]],  # normal
        [*_NORMAL, [0.62, 0.06, -0.25]],  # inverted T wave
        [  # a wide QRS without a P wave
            [0.2, 0.04, 0.0],
            [0.32, 0.02, -0.2],
            [0.36, 0.03, 0.9],
            [0.41, 0.02, -0.35],
            [0.62, 0.06, 0.3],
        ],
        [*_NORMAL, [0.55, 0.1, 0.45]],  # raised ST, run into the T wave
    ]
)


def _beats(rng, n):
    y = rng.integers(0, 4, n)
    t = np.linspace(0, 1, 140)
    X = np.empty((n, t.size))
    for i, c in enumerate(y):
        warp = t + rng.uniform(-0.08, 0.08) + rng.uniform(-0.08, 0.08) * np.sin(2 * np.pi * t)
        centre, width, height = _BEATS[c].T * rng.uniform(0.9, 1.1, (3, 5))
        X[i] = height @ np.exp(-0.5 * ((warp[None] - centre[:, None]) / width[:, None]) ** 2)
        X[i] += 0.1 * np.sin(2 * np.pi * (t * rng.uniform(0.3, 1) + rng.uniform(0, 1)))
    return X + 0.05 * rng.standard_normal(X.shape), y


#: name -> (generator, training series, test series)
GENERATED = {
    "sine_square": (_sine_square, 120, 200),
    "many_classes": (_many_classes, 240, 240),
    "long_motif": (_long_motif, 100, 200),
    "variable_length": (_variable_length, 120, 200),
    "channels": (_channels, 90, 200),
    "levels": (_levels, 160, 320),
    "strokes": (_strokes, 200, 400),
    "prototypes": (_prototypes, 200, 200),
    "appliances": (_appliances, 100, 200),
    "harmonics": (_harmonics, 200, 200),
    "outlines": (_outlines, 200, 200),
    "daily": (_daily, 67, 300),
    "transients": (_transients, 100, 200),
    "counts": (_counts, 120, 200),
    "gestures": (_gestures, 60, 200),
    "coupling": (_coupling, 120, 300),
    "noisy_spectra": (_noisy_spectra, 120, 300),
    "ten_series": (_ten_series, 10, 300),
    "order": (_order, 100, 300),
    "bursts": (_bursts, 120, 300),
    "beats": (_beats, 100, 300),
}

#: The tasks the defaults were chosen on: the rest were written afterwards to check them
#: (§14) or to probe for weak spots (§23), and a selection that read them would no longer
#: be checked by them.
CHOSEN_ON = tuple(GENERATED)[:8]


def training_split(name: str, seed: int = 0, tasks=None):
    """(X, y) of a generated task's training split, from seed 1000 + ``seed``; ``tasks``:
    the table it is named in (default ``GENERATED``; ``generated_regression`` passes its own)."""
    generate, n, _ = (GENERATED if tasks is None else tasks)[name]
    return generate(np.random.default_rng(1000 + seed), n)


def split(name: str, seed: int = 0, tasks=None):
    """(X_train, y_train, X_test, y_test) of a generated task, the test split from seed
    2000 + ``seed``; ``tasks`` as in :func:`training_split`."""
    generate, _, n_test = (GENERATED if tasks is None else tasks)[name]
    test = generate(np.random.default_rng(2000 + seed), n_test)
    return (*training_split(name, seed, tasks), *test)
