"""``frnn train``'s fit: a progress bar, checkpoints, Ctrl-C and the per-epoch table.

With ``--training bptt`` the bar shows, after every epoch, the training data's loss and
accuracy (RMSE and R² for a regressor), the validation split's and, when a test set was
given, the test set's; about ten of the epochs are printed as rows of a table.  The test
set is only watched: early stopping and the parameters kept use the validation split.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from .numbers import loss_text

__all__ = ["CHECKPOINT", "budget", "fit", "reservoir_summary", "stream_batches"]

CHECKPOINT = "checkpoint.npz"
TEST_NOTE = "test: watched only; early stopping and the model kept use validation"


class _Interrupt:
    """Ctrl-C asks to stop after the current epoch (which is then saved); twice stops now."""

    def __init__(self):
        self.requested = False

    def __enter__(self):
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)


def _progress(args, total: int, start: int, unit: str):
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=start,
        desc="train",
        unit=unit,
        file=sys.stderr,
        disable=args.quiet or args.json,
        dynamic_ncols=True,
        leave=True,
    )


def reservoir_summary(clf) -> dict | None:
    """A closed-form (reservoir) fit's reservoirs, features, ridge α and the windows left out
    either side of each when it was chosen (a regressor on windows: ``loo_gap_``); None for
    BPTT."""
    if clf.training != "reservoir":
        return None
    model = clf.reservoir_  # the estimator's frnn.reservoir.readout.ReservoirReadout
    features, coef, alpha = model.features_, model.readout_.coef, model.alpha_
    return {
        "reservoirs": len(features.reservoirs_),
        "features": int(coef.shape[0]),
        "ridge_alpha": float(alpha),
        # windows either side left out with each when α was chosen (0: leave-one-out)
        "loo_gap": int(getattr(clf, "loo_gap_", 0)),
    }


def _fit_reservoir(clf, train, args):
    """Fit the reservoirs and the read-out with a progress bar; returns (seconds, False)."""
    bar = _progress(args, clf.n_reservoirs, 0, "reservoir")

    def callback(info):
        bar.total = info["of"]  # n_reservoirs
        bar.n = info["reservoir"]  # threads finish in any order: the count, not a step
        bar.refresh()

    started = time.perf_counter()
    with bar:
        clf.fit(train, train.y, callback=callback)
        bar.set_postfix_str(f"ridge α {reservoir_summary(clf)['ridge_alpha']:.3g}")
    return time.perf_counter() - started, False


def fit(clf, train, test, run_dir: Path, config: dict, state, args):
    """Fit with a progress bar and checkpoints; returns (seconds, interrupted).

    ``test`` (or None) is passed to BPTT's ``fit`` as ``monitor``: scored every epoch,
    unless ``--no-watch-test`` (then only at the end, by the results table).
    """
    from ..io import save_state

    if clf.training == "reservoir":
        return _fit_reservoir(clf, train, args)
    if getattr(args, "no_watch_test", False):
        test = None  # a forward pass over the test set per epoch saved
    every, last = config["checkpoint_every"], {}
    stream = stream_batches(config, clf)
    total, unit = budget(clf, train.X.shape[0], stream is not None)
    bar = _progress(args, total, int(state.get("epoch", 0)) if state else 0, unit)
    validated = bool(clf.validation_fraction) or stream is not None
    splits = ("train",) + ("val",) * validated + ("test",) * (test is not None)
    table = EpochTable(config.get("task") == "regression", total, splits, unit)

    def callback(info):
        bar.update(1)
        bar.set_postfix_str(table.postfix(info), refresh=False)
        if not bar.disable and table.wanted(info["epoch"]):
            bar.write(table.row(info), file=sys.stdout)
        last["state"] = info["state"]
        if info["epoch"] % every == 0 or stop.requested:
            save_state(run_dir / CHECKPOINT, info["state"]())
        return stop.requested

    started = time.perf_counter()
    monitor = None if test is None else (test, test.y)
    with _Interrupt() as stop, bar:
        if not bar.disable:
            bar.write(table.header(), file=sys.stdout)
        if stream is not None:  # fresh series every step; the generated training split
            # is the validation set
            clf.fit_stream(
                stream,
                validation=(train, train.y),
                callback=callback,
                resume_state=state,
                monitor=monitor,
            )
        else:
            clf.fit(train, train.y, callback=callback, resume_state=state, monitor=monitor)
        if "state" in last:
            save_state(run_dir / CHECKPOINT, last["state"]())
        final = {"epoch": clf.n_iter_, **{k: v[-1] for k, v in clf.history_.items() if v}}
        if not bar.disable and clf.n_iter_ and table.printed != clf.n_iter_:
            bar.write(table.row(final), file=sys.stdout)  # the epoch it stopped at
    # Ctrl-C during the last epoch changes nothing: the run ended anyway.
    return time.perf_counter() - started, getattr(clf, "stopped_by_", None) == "callback"


def stream_batches(config: dict, clf):
    """``batches(rng)`` drawing fresh series of the run's generated memory task (adding,
    parity, recall, order) for a BPTT fit by steps; None for any other run."""
    from ..data.synthetic import MEMORY_TASKS

    name = (config.get("data") or {}).get("dataset")
    if name not in MEMORY_TASKS or clf.training != "bptt" or clf.epochs is not None:
        return None
    from ..data.datasets import DATASETS

    generate, B = MEMORY_TASKS[name], clf.batch_size
    length = {**DATASETS[name], **config["data"]["options"]}["length"]

    def batches(rng):
        X, y, *_ = generate(B, rng, length)
        return X, y

    return batches


def budget(clf, n: int, stream: bool) -> tuple[int, str]:
    """The fit's units and their name: epochs, or rounds of a budget of steps (as
    ``fit_stream`` and ``fit`` on n training series cut it)."""
    from ..estimators import streams
    from ..training import ensemble

    if clf.epochs is not None:
        return clf.epochs, "epoch"
    if stream:
        return -(-clf.steps // streams.round_steps(clf.steps)), "round"
    n_fit = max(n - int(round(clf.validation_fraction * n)), 1)
    return -(-clf.steps // ensemble.round_steps(n_fit, clf.batch_size, clf.steps)), "round"


class EpochTable:
    """The per-epoch rows ``frnn train --training bptt`` prints, and the bar's postfix.

    A classifier's columns are the loss (without the auxiliary term) and the accuracy of
    the training data (means over the epoch's mini-batches), the validation split and the
    test set; a regressor's the RMSE (in the targets' units) and R².
    """

    def __init__(self, regression: bool, epochs: int, splits: tuple[str, ...], unit="epoch"):
        self.unit = unit  # "epoch", or "round" (a budget of steps)
        self.scores = ("rmse", "accuracy") if regression else ("loss", "accuracy")
        self.names = ("rmse", "R²") if regression else ("loss", "acc")
        self.splits = splits  # of "train", "val", "test"
        self.every = max(1, epochs // 10)  # about ten rows
        self.printed = 0

    def _value(self, info: dict, split: str, score: str):
        key = {("train", "accuracy"): "accuracy"}.get((split, score), f"{split}_{score}")
        return info.get(key)

    @staticmethod
    def _format(value, score: str) -> str:
        if value is None:
            return "-"
        if score == "loss":
            return loss_text(value)  # the one format of every loss the CLI prints
        return f"{value:.4g}" if score == "rmse" else f"{value:.3f}"

    def header(self) -> str:
        """The column titles: epoch, then each split's two scores (and the test note)."""
        cells = [f"{s} {n}" for s in self.splits for n in self.names]
        note = f"   ({TEST_NOTE})" if "test" in self.splits else ""
        return f"{self.unit:>6}" + "".join(f"{c:>12}" for c in cells) + note

    def wanted(self, epoch: int) -> bool:
        """Whether ``epoch`` gets a row: every ``epochs // 10``-th, about ten in all."""
        return epoch % self.every == 0

    def row(self, info: dict) -> str:
        """The row of the epoch ``info`` describes (the training loop's callback dict;
        "-" where a score is absent), remembered as the last printed."""
        self.printed = info["epoch"]
        cells = [
            self._format(self._value(info, s, score), score)
            for s in self.splits
            for score in self.scores
        ]
        return f"{info['epoch']:>6}" + "".join(f"{c:>12}" for c in cells)

    def postfix(self, info: dict) -> str:
        """The progress bar's text for ``info``: each split whose scores are all known,
        then the gradient norm |g|."""
        parts = []
        for split in self.splits:
            values = [self._value(info, split, score) for score in self.scores]
            if all(v is not None for v in values):
                text = " ".join(
                    f"{n} {self._format(v, s)}"
                    for n, v, s in zip(self.names, values, self.scores, strict=True)
                )
                parts.append(f"{split} {text}")
        return "  ".join(parts) + f"  |g| {info['grad_norm']:.3g}"
