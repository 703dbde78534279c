"""A training run's directory: config.json, metrics.json, history.csv, curves.png.

Every file is written atomically (a temporary file in the same directory, then
``os.replace``), so a run killed at any moment leaves either the old file or the new one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

from .._atomic import atomic_writer

__all__ = [
    "atomic_write",
    "check_out",
    "history_columns",
    "json_text",
    "new_run_dir",
    "read_json",
    "write_history",
    "write_json",
]


def atomic_write(path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    Parameters
    ----------
    path : str or os.PathLike
    data : bytes or str (written as UTF-8)
    """
    with atomic_writer(path) as file:
        file.write(data.encode("utf-8") if isinstance(data, str) else data)


def json_text(value, indent: int | None = None) -> str:
    """Metrics as JSON that every reader takes: NaN and ±inf (an R² of one series), for
    which JSON has no words, as null; Python's ``json`` wrote ``NaN``, which JavaScript's,
    Go's and other strict readers refuse."""
    return json.dumps(_finite(value), indent=indent, sort_keys=False, allow_nan=False)


def _finite(value):
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {key: _finite(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def write_json(path, value, *, nulls: bool = False) -> None:
    """``value`` as indented JSON, atomically; ``nulls``: NaN and ±inf as null
    (:func:`json_text`: a metric's, undefined), else as Python writes and reads them (a
    setting's inf, ``neighbour_weight``, which ``--config`` reads back)."""
    text = json_text(value, indent=2) if nulls else json.dumps(value, indent=2, sort_keys=False)
    atomic_write(path, text + "\n")


#: The most bytes a run's JSON file (config.json, metrics.json, a --config) may have: they
#: hold settings and scores, kilobytes; a larger one is not frnn's, and is not read whole.
MAX_JSON_BYTES = 16 << 20


def read_json(path) -> dict:
    """A JSON object from ``path``, with a clear error when it is missing, too large
    (:data:`MAX_JSON_BYTES`) or broken."""
    size = os.path.getsize(path)
    if size > MAX_JSON_BYTES:
        raise ValueError(
            f"{path}: {size:,} bytes; a run's JSON file holds at most {MAX_JSON_BYTES:,}"
        )
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path}: expected a JSON object; got {type(value).__name__}")
    return value


def check_out(out) -> None:
    """Refuse an ``--out`` that is a file, or a directory that is not empty (an earlier
    run's): before any data is read, so that the refusal is all the command says (a data
    file's notes on standard error came first).  None (a new ``runs/<stamp>``) passes."""
    if out is None:
        return
    out = Path(out)
    if out.exists() and not out.is_dir():  # not "not empty ... --resume it": no run to resume
        raise ValueError(f"--out {out} is a file; expected a directory for the run")
    if out.exists() and any(out.iterdir()):
        raise ValueError(
            f"--out {out} already exists and is not empty; "
            "pass another --out, or --resume it to continue that run"
        )


def new_run_dir(out=None) -> Path:
    """Create the run directory: ``out``, or ``runs/<YYYYmmdd-HHMMSS>`` made unique.

    An existing ``out`` must be empty, so that no earlier run is overwritten.
    """
    if out is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        out, k = Path("runs") / stamp, 1
        while out.exists():
            k += 1
            out = Path("runs") / f"{stamp}-{k}"
    out = Path(out)
    check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # e.g. a parent that is a file, or a read-only place
        reason = error.strerror or str(error)
        raise OSError(f"--out {out}: cannot create the run directory ({reason})") from None
    return out


# history.csv's columns: (column, history_ key), the comparable losses and scores first.
# history_'s "loss" is the training objective (with the auxiliary term and the class
# weights) and its "accuracy" the training data's; a regressor's accuracies are R².
_COLUMNS = {
    False: [
        ("train_loss", "train_loss"),
        ("train_accuracy", "accuracy"),
        ("val_loss", "val_loss"),
        ("val_accuracy", "val_accuracy"),
        ("test_loss", "test_loss"),
        ("test_accuracy", "test_accuracy"),
    ],
    True: [
        ("train_loss", "train_loss"),
        ("train_rmse", "train_rmse"),
        ("train_r2", "accuracy"),
        ("val_loss", "val_loss"),
        ("val_rmse", "val_rmse"),
        ("val_r2", "val_accuracy"),
        ("test_loss", "test_loss"),
        ("test_rmse", "test_rmse"),
        ("test_r2", "test_accuracy"),
    ],
}
_LAST = [("objective", "loss"), ("grad_norm", "grad_norm"), ("seconds", "seconds")]


def history_columns(history: dict[str, list], regression: bool = False) -> list[tuple[str, str]]:
    """history.csv's (column, key) pairs for the keys ``history`` has (a model written
    before some of them lacks them), then any other key under its own name."""
    columns = [(c, k) for c, k in _COLUMNS[regression] + _LAST if k in history]
    used = {k for _, k in columns}
    return columns + [(k, k) for k in history if k not in used]


def write_history(path, history: dict[str, list], regression: bool = False) -> None:
    """One row per epoch: epoch, then the history's columns (empty where None).

    The columns are named for what they hold (:func:`history_columns`): ``objective`` is
    history_'s "loss", ``train_accuracy`` its "accuracy" (``train_r2`` for a regressor).
    """
    columns = history_columns(history, regression)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", *(c for c, _ in columns)])
    values = (history[k] for _, k in columns)
    for epoch, row in enumerate(zip(*values, strict=True), start=1):
        writer.writerow([epoch, *("" if v is None else repr(float(v)) for v in row)])
    atomic_write(path, buffer.getvalue())
