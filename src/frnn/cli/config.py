"""The settings of a ``frnn train`` run: from the options, a ``--config`` file, or the
config.json of the run to ``--resume``; every file read is checked, so a bad one is one
clear error rather than a traceback."""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
from pathlib import Path

from .._validate import Interval, check_file
from .._version import __version__
from ..data.datasets import DATASET_TASKS
from ..data.synthetic import MEMORY_TASKS
from . import rundir
from .data import HEADERS, KEYS
from .flags import flag
from .forecast import FORECAST_KEYS
from .options import DATA_OPTIONS, ESTIMATORS, all_defaults, estimator_defaults

__all__ = ["check_estimator", "new_config", "resume_config"]


CHECKPOINT_EVERY = Interval("int", 1)  # epochs between checkpoints


def _data_spec(given: dict, base: dict | None) -> dict:
    """The data entry of a config: --train/--test files (with --label, --header, --id and
    --time), a --dataset, or ``base``'s, with the options given on top.  New files keep
    ``base``'s --label, --header, --id and --time unless given: the same layout, as the
    --config describes.  A --series run's entry: :func:`frnn.cli.forecast.series_spec`."""
    from .forecast import series_spec

    series = series_spec(given, base)
    if series is not None:
        return series
    spec = _source_spec(given, base)
    text = {key: given[key] for key in KEYS if key in given}
    if text and "train" not in spec:
        raise ValueError(
            f"{' and '.join(flag(key) for key in text)}: for --train/--test files; a "
            "built-in --dataset has no columns to choose"
        )
    kept = {key: base[key] for key in KEYS if key in (base or {})}
    return {**spec, **(kept if "train" in spec else {}), **text}


def _source_spec(given: dict, base: dict | None) -> dict:
    """The data entry of a config: --train/--test files, a --dataset, or ``base``'s."""
    options = {key: given[f"data_{key}"] for key in DATA_OPTIONS if f"data_{key}" in given}
    if "train" in given:
        if "dataset" in given or options:
            raise ValueError("give either --dataset (with its options) or --train, not both")
        files = {"train": given["train"], "test": given.get("test")}
        paths = {k: os.path.abspath(v) if v else None for k, v in files.items()}
        return {**paths, "sha256": {k: _sha256(v) for k, v in paths.items()}}
    if "test" in given:
        raise ValueError("--test needs --train")
    if base is not None and "dataset" not in given and not options:
        return base
    if (
        base is not None
        and "dataset" in base
        and given.get("dataset", base["dataset"]) == (base["dataset"])
    ):  # the options given override the config's, the others stay
        return {"dataset": base["dataset"], "options": {**base["options"], **options}}
    if base is not None and "dataset" not in given:
        raise ValueError(
            "the --config trains on files; data set options need --dataset (or --train)"
        )
    return {"dataset": given.get("dataset", "gunpoint"), "options": options}


def _sha256(path: str | None) -> str | None:
    """The file's SHA-256, so that a resumed run can tell that its data are unchanged."""
    if path is None:
        return None
    check_file(path)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_unchanged(data: dict) -> None:
    """Refuse to resume on data files that differ from those the run started with."""
    for key, digest in data.get("sha256", {}).items():
        if digest is not None and _sha256(data[key]) != digest:
            raise ValueError(
                f"{data[key]} has changed since the run started (its SHA-256 differs); "
                "resuming on other data would not continue the same run"
            )


def new_config(args: argparse.Namespace) -> dict:
    """Settings of a new run: --config's if given, then the options given on top."""
    given = vars(args)
    base = _read_config(args.config) if args.config else {"estimator": {}, "data": None}
    data = _data_spec(given, base["data"])
    task = given.get("task") or base.get("task") or DATASET_TASKS.get(data.get("dataset", ""))
    if "series" in data:  # a forecast: real values ahead
        if given.get("task", "regression") != "regression":
            raise ValueError("--task classification: --series forecasts values (regression)")
        task = "regression"
    task = task or "classification"
    defaults = {**estimator_defaults(task), **_dataset_defaults(data), **base["estimator"]}
    foreign = sorted((set(given) & set(all_defaults())) - set(defaults))
    if foreign or set(base["estimator"]) - set(estimator_defaults(task)):
        names = ", ".join(flag(n) for n in foreign) or "its 'estimator'"
        raise ValueError(
            f"{names}: not an option of the {task} estimator "
            f"({'RNNRegressor' if task == 'regression' else 'RNNClassifier'}); drop it or "
            "change --task"
        )
    estimator = {name: given.get(name, value) for name, value in defaults.items()}
    if estimator["random_state"] is None:  # drawn now and recorded: --resume keeps the split
        estimator["random_state"] = secrets.randbelow(2**31)
    return {
        "frnn_version": __version__,
        "task": task,
        "estimator": estimator,
        "data": data,
        "checkpoint_every": args.checkpoint_every or base.get("checkpoint_every", 10),
    }


def _dataset_defaults(data: dict) -> dict:
    """Where a built-in set departs from the estimator's defaults: a generated memory task
    (adding, parity, recall, order) trains by BPTT, from fresh series every step."""
    return {"training": "bptt"} if data.get("dataset") in MEMORY_TASKS else {}


def _read_config(path) -> dict:
    """A config.json written by frnn train, checked so that a bad one is one clear error."""
    check_file(path)  # the form of every missing path, not OSError's [Errno 2]
    config = rundir.read_json(path)
    estimator, data = config.get("estimator"), config.get("data")
    task = config.get("task", "classification")  # configs before regression had no task
    if task not in ("classification", "regression"):
        raise ValueError(f"{path}: 'task' must be 'classification' or 'regression'; got {task!r}")
    known = estimator_defaults(task)
    if not isinstance(estimator, dict) or set(estimator) - set(known):
        # a dict: its unknown names; anything else (a number: set(5) would raise): itself
        wrong = (
            f"unknown: {sorted(set(estimator) - set(known))}"
            if isinstance(estimator, dict)
            else f"got {estimator!r}"
        )
        raise ValueError(
            f"{path}: 'estimator' must map the {task} estimator's parameters to values; {wrong}"
        )
    good_data = isinstance(data, dict) and (
        _good_series(data)
        or (isinstance(data.get("dataset"), str) and isinstance(data.get("options"), dict))
        or (
            isinstance(data.get("train"), str)
            and isinstance(data.get("test"), str | None)
            and isinstance(data.get("sha256", {}), dict)
            and isinstance(data.get("label", "first"), str)
            and isinstance(data.get("header", "auto"), str)  # a list is unhashable
            and data.get("header", "auto") in HEADERS
            and all(isinstance(data.get(key), str | None) for key in ("id", "time"))
        )
    )
    if not good_data:
        raise ValueError(
            f"{path}: 'data' must be {{'dataset': NAME, 'options': {{...}}}}, "
            f"{{'series': FILE, 'window': N, ...}} or "
            f"{{'train': FILE, 'test': FILE or null, 'label': WHERE, 'header': 'auto', "
            f"'yes' or 'no', 'id' and 'time': COLUMN (optional)}}; got {data!r}"
        )
    if "frnn_version" in config:  # written by frnn train, which records every parameter:
        estimator.setdefault("training", "bptt")  # without one, before the reservoir default
        estimator.setdefault("bias", False)  # without one, before the biases
        # before the memory recipe: the draw fit had then, no warm-up
        estimator.setdefault("init", "torch" if estimator.get("init_scale") is None else "uniform")
        estimator.setdefault("warmup", 0.0)
    every = config.get("checkpoint_every", 10)
    CHECKPOINT_EVERY.check(every, f"{path}: 'checkpoint_every'")
    return {**config, "task": task, "checkpoint_every": every}


def _good_series(data: dict) -> bool:
    """Whether a config's data entry is a well-formed --series one."""
    if not isinstance(data.get("series"), str):
        return False
    sizes = [data.get(key) for key in ("window", "horizon", "stride")] + [
        data.get("test_size") or 1
    ]
    return (
        all(type(v) is int and v >= 1 for v in sizes)
        and isinstance(data.get("sha256", {}), dict)
        and isinstance(data.get("target"), str | int | None)
        and isinstance(data.get("header", "auto"), str)  # a list is unhashable
        and data.get("header", "auto") in HEADERS
        and isinstance(data.get("time"), str | None)
        and isinstance(data.get("channels", []), list)
        and all(isinstance(name, str) for name in data.get("channels", []))
    )


OUTPUTS = ("history.csv", "curves.png")  # written from model.npz's history


#: What ``--resume`` does with the options given beside it.  Those that change how the run
#: is carried out but not its result take effect (and are recorded in config.json); every
#: other setting, the model's, the data's, the task, --out and --config, would make it
#: another run: refused in one line naming the flag.  --quiet, --json and --debug only
#: change what is printed.
RESUME_TAKES = ("checkpoint_every", "n_jobs")  # n_jobs: threads; the same model for any


def resume_config(args: argparse.Namespace) -> dict:
    """The settings stored in ``--resume``'s run, refusing options that would change them."""
    defaults = all_defaults()  # given as "none", an estimator option is present but None
    given = {name for name, value in vars(args).items() if value is not None or name in defaults}
    settings = (
        set(defaults)
        | {"dataset", "train", "test", "task", *KEYS, "out", "config", "series"}
        | set(FORECAST_KEYS)
        | {f"data_{key}" for key in DATA_OPTIONS}
    )
    refused = sorted((given & settings) - set(RESUME_TAKES))
    if refused:
        names = ", ".join(flag(n) for n in refused)
        raise ValueError(
            f"--resume takes every setting from {args.resume}/config.json; drop {names} "
            f"(only {', '.join(flag(n) for n in RESUME_TAKES)} may change on --resume)"
        )
    run_dir = Path(args.resume)
    if run_dir.exists() and not run_dir.is_dir():
        raise NotADirectoryError(f"{run_dir}: a file, not a run directory")
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir}: no such directory")
    config = _read_config(run_dir / "config.json")
    if not os.access(run_dir, os.W_OK):  # found now, not after the whole training
        raise ValueError(f"{run_dir}: the run directory is not writable; nothing could be saved")
    metrics = run_dir / "metrics.json"
    done = rundir.read_json(metrics) if metrics.exists() else {}
    if done.get("status") == "finished":
        # Runs of frnn ≤ 0.x wrote metrics.json before these: a kill could lose them.  A
        # reservoir fit (closed form, no epochs) writes neither.
        outputs = OUTPUTS if done.get("training", "bptt") == "bptt" else ()
        missing = [n for n in outputs if not (run_dir / n).exists()]
        if not missing or not (run_dir / "model.npz").exists():
            raise ValueError(f"the run in {run_dir} has finished; nothing to resume")
        return {**config, "missing": missing}
    _check_unchanged(config["data"])
    return _resume_changes(args, config, run_dir)


def _resume_changes(args: argparse.Namespace, config: dict, run_dir: Path) -> dict:
    """``config`` with the RESUME_TAKES options given, checked, then recorded in the run's
    config.json so that a later ``--resume`` keeps them (a bad value is refused before it
    is written: recorded, it would break every later ``--resume``)."""
    given = vars(args)
    if "n_jobs" in given and "n_jobs" not in estimator_defaults(config["task"]):
        raise ValueError(f"--n-jobs: not an option of the {config['task']} estimator")
    changes = {}
    if given.get("checkpoint_every") is not None:
        changes["checkpoint_every"] = given["checkpoint_every"]
    if "n_jobs" in given:
        changes["estimator"] = {**config["estimator"], "n_jobs": given["n_jobs"]}
    if not changes:
        return config
    config = {**config, **changes}
    check_estimator(config["task"], config["estimator"])
    rundir.write_json(run_dir / "config.json", config)
    return config


def check_estimator(task: str, params: dict):
    """The ``task``'s estimator with ``params``, checked: a bad value is a ValueError naming
    it, raised before any file is written."""
    from ..estimators.params import check_params

    estimator = ESTIMATORS[task](**params)
    check_params(estimator)
    return estimator
