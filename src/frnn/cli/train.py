"""``frnn train``: fit an RNNClassifier (or, with ``--task regression``, an RNNRegressor)
with a progress bar, checkpoints and a run directory.

The run directory holds config.json (every setting: ``frnn train --config DIR/config.json``
repeats the run, ``frnn train --resume DIR`` continues it), model.npz and metrics.json.
With ``--training bptt`` also checkpoint.npz (the full training state, written atomically
every ``--checkpoint-every`` epochs and at the end), history.csv and curves.png.  The
default ``--training reservoir`` fits in one pass (a progress bar over the reservoirs) and
keeps no checkpoint: ``--resume`` of an unfinished reservoir run simply fits it again.

``--series FILE --window N`` forecasts one long series (one row per time step, one column
per channel, perhaps a time column) instead: the last ``--test-size`` rows are cut off
before any window is made, an RNNRegressor learns the next ``--horizon`` values of the
``--target`` column from the last ``--window`` rows, and metrics.json scores the tail per
step ahead beside the naive forecast (the last value).  ``frnn predict --model DIR
--series FILE`` then forecasts the values after the file's last row.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._validate import argument_type
from ..classifier import targets as class_targets
from ..regressor import targets as real_targets
from ..regressor.estimator import RNNRegressor
from . import rundir
from .config import CHECKPOINT_EVERY, check_estimator, new_config, resume_config
from .data import load_data
from .fitting import CHECKPOINT, fit, reservoir_summary
from .forecast import add_forecast_options, forecast_metrics, load_series, print_forecast
from .numbers import loss_text
from .options import add_data_options, add_estimator_options

__all__ = ["add_train_parser"]


def add_train_parser(commands) -> None:
    """Register ``frnn train``."""
    train = commands.add_parser(
        "train",
        help="train a classifier or regressor (no options: GunPoint with the defaults)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run = train.add_argument_group("run")
    run.add_argument("--out", metavar="DIR", help="run directory (default: runs/<timestamp>)")
    run.add_argument(
        "--config",
        metavar="CONFIG_JSON",
        help="repeat the run a config.json describes (options given override it; new "
        "--train/--test files are read with its --label and --header unless given)",
    )
    run.add_argument(
        "--resume",
        metavar="RUN_DIR",
        help="continue the run in RUN_DIR from its last checkpoint, with every setting from "
        "its config.json; --checkpoint-every and --n-jobs given with it take effect (and are "
        "recorded there), as do --quiet and --json; any other setting (the model's, the "
        "data's, --task, --out, --config) would make it another run and is refused",
    )
    run.add_argument(
        "--checkpoint-every",
        type=argument_type(CHECKPOINT_EVERY, "checkpoint_every"),
        metavar="N",
        help="save the training state every N epochs and at the end (default: 10, or the "
        "--config's)",
    )
    run.add_argument(
        "--no-watch-test",
        action="store_true",
        help="with --training bptt, score the test set only at the end rather than after "
        "every epoch (watching it costs a forward pass over it per epoch; it never steers "
        "training either way)",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    run.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    add_data_options(train)
    add_forecast_options(train)
    add_estimator_options(train)
    train.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    """``frnn train``: returns the exit code (0, or 130 after Ctrl-C)."""
    from ..io import load_state, save

    config = resume_config(args) if args.resume else new_config(args)
    if config.get("missing"):
        return _complete(Path(args.resume), config)
    task = config.get("task", "classification")
    clf = check_estimator(task, config["estimator"])  # before any file is written
    if not args.resume:
        rundir.check_out(args.out)  # before the data are read: their notes come after
    seasonal = None  # a --season's forecasts of the tail
    if "series" in config["data"]:  # one long series: its windows, the channels found
        train, test, seasonal, config["data"] = load_series(config["data"])
    else:
        train, test = load_data(config["data"], task, config["estimator"].get("data_format"))
    made = not args.resume and not (args.out and Path(args.out).exists())
    run_dir = Path(args.resume) if args.resume else rundir.new_run_dir(args.out)
    state = None
    if args.resume and (run_dir / CHECKPOINT).exists():
        state = load_state(run_dir / CHECKPOINT)
    else:
        rundir.write_json(run_dir / "config.json", config)
    try:
        seconds, interrupted = fit(clf, train, test, run_dir, config, state, args)
    except KeyboardInterrupt:
        # A reservoir fit keeps no checkpoint: --resume fits it again, to the same model.
        where = "fit it again" if clf.training == "reservoir" else "resume from the last checkpoint"
        print(f"frnn train: stopped; {where} with frnn train --resume {run_dir}", file=sys.stderr)
        return 130
    except Exception:
        if not args.resume and not (run_dir / CHECKPOINT).exists():
            _discard(run_dir, made)  # a fit refused before training leaves no run behind
        raise
    save(clf, run_dir / "model.npz")
    metrics = _write_results(
        clf, train, test, run_dir, seconds, interrupted, config["data"], seasonal
    )
    _report(args, metrics, run_dir)
    return 130 if interrupted else 0


def _discard(run_dir: Path, made: bool) -> None:
    """Remove the config.json of a run that never trained, and its directory if made here."""
    (run_dir / "config.json").unlink(missing_ok=True)
    if made and not any(run_dir.iterdir()):
        run_dir.rmdir()


def _data_name(data: dict) -> str:
    """The data's name in a picture's title: the built-in set's, or the file's."""
    return data.get("dataset") or Path(data.get("series") or data["train"]).name


def _write_results(
    clf, train, test, run_dir: Path, seconds: float, interrupted: bool, data: dict, seasonal=None
) -> dict:
    """metrics.json; ``seasonal``: a --season's forecasts of the test tail (n, horizon)."""
    evaluate = (real_targets if isinstance(clf, RNNRegressor) else class_targets).evaluate
    fitted = reservoir_summary(clf)
    metrics = {
        "status": "interrupted" if interrupted else "finished",
        "training": clf.training,
        "epochs": None if fitted else int(clf.n_iter_),  # epochs, or rounds of steps
        "budget": None if fitted else ("epochs" if clf.epochs is not None else "steps"),
        "stopped_by": "ctrl-c" if interrupted else getattr(clf, "stopped_by_", None),
        **(fitted or dict.fromkeys(("reservoirs", "features", "ridge_alpha", "loo_gap"))),
        "fit_seconds": round(seconds, 3),
        "train": evaluate(clf, train, train.y),
        "test": evaluate(clf, test, test.y) if test is not None else None,
    }
    if "series" in data:  # per step ahead, beside the naive forecast (and the seasonal)
        forecast = None if test is None else forecast_metrics(clf, test, data, seasonal)
        metrics["forecast"] = forecast
    if not fitted:  # one closed-form fit has no epochs, no curves
        _write_curves(clf, run_dir, _data_name(data))
    rundir.write_json(run_dir / "metrics.json", metrics, nulls=True)  # last: "finished"
    return metrics


def _write_curves(clf, run_dir: Path, name: str) -> None:
    """history.csv and curves.png from a fitted estimator's history."""
    regression = isinstance(clf, RNNRegressor)
    rundir.write_history(run_dir / "history.csv", clf.history_, regression)
    from ..viz.curves import plot_curves  # matplotlib loads only here
    from ..viz.figures import save_figure

    unit = "epoch" if clf.epochs is not None else "round"  # a budget of steps: rounds
    figure = plot_curves(
        clf.history_, title=f"frnn train on {name}", regression=regression, unit=unit
    )
    save_figure(figure, run_dir / "curves.png", dpi=100)


def _complete(run_dir: Path, config: dict) -> int:
    """``--resume`` of a finished run that lost outputs: write them from model.npz."""
    from ..io import load

    clf = load(run_dir / "model.npz")
    _write_curves(clf, run_dir, _data_name(config["data"]))
    print(f"frnn train: the run had finished; wrote {', '.join(config['missing'])} in {run_dir}")
    return 0


def _report(args, metrics: dict, run_dir: Path) -> None:
    unit = "epoch" if metrics["budget"] == "epochs" else "round"
    if metrics["status"] == "interrupted":
        print(
            f"frnn train: interrupted after {unit} {metrics['epochs']}; continue with "
            f"frnn train --resume {run_dir}",
            file=sys.stderr,
        )
    if args.json:
        print(rundir.json_text({"run_dir": str(run_dir), **metrics}))
        return
    if args.quiet:
        return
    columns = ("rmse", "mae", "r2") if "r2" in metrics["train"] else ("accuracy",)
    print(f"{'':8}" + "".join(f"{c:>10}" for c in columns) + f"{'loss':>10}{'n':>7}{'seconds':>10}")
    for split in ("train", "test"):
        if metrics[split]:
            m = metrics[split]
            values = "".join(
                f"{m[c]:>10.3f}" if c == "accuracy" else f"{m[c]:>10.4g}" for c in columns
            )
            print(f"{split:8}{values} {loss_text(m['loss'], 9)}{m['n']:>7}{m['seconds']:>10.2f}")
    if metrics.get("forecast"):
        print_forecast(metrics["forecast"])
    if metrics["training"] == "reservoir":
        print(
            f"{metrics['reservoirs']} reservoirs, {metrics['features']} features, ridge α "
            f"{metrics['ridge_alpha']:.3g} ({_chosen_by(metrics['loo_gap'])}), fit in "
            f"{metrics['fit_seconds']:.1f} s; run saved in {run_dir}"
        )
        return
    print(
        f"{metrics['epochs']} {unit}s, fit in {metrics['fit_seconds']:.1f} s "
        f"(stopped by {metrics['stopped_by']}); run saved in {run_dir}"
    )


def _chosen_by(gap: int) -> str:
    """How the ridge α was chosen: leave-one-out, or on overlapping windows leave-block-out
    with ``gap`` windows either side (:attr:`frnn.RNNRegressor.loo_gap_`)."""
    return f"leave-block-out, {gap} windows either side" if gap else "leave-one-out"
