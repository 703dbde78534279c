"""``frnn evaluate`` and ``predict`` read a new text file as the run read its own: each
of ``--label``, ``--header``, ``--id`` and ``--time`` not given on the command line is
the one ``frnn train`` recorded in the run directory's config.json (:func:`apply`).

Only a run directory given as ``--model`` has them (a ``model.npz`` given directly reads
with the options given and the defaults, as before), and only a ``--data`` text file
takes them (a built-in ``--dataset``, an ``.npz`` or ``.ts`` file has no columns to
choose).  ``--time`` comes with ``--id``: a recorded ``--time`` is not taken beside an
``--id`` given.  ``predict`` cannot know whether the new file holds labels, so it takes a
recorded ``--label`` as where they would be (:func:`_predict_label`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .._validate import check_file
from ..data.delimited import header_names
from .data import HEADERS, KEYS, text_file

__all__ = ["apply", "recorded"]

#: The command line's defaults where neither the options nor the run say otherwise.
DEFAULTS = {
    "evaluate": {"label": "first", "header": "auto"},
    "predict": {"label": "auto", "header": "auto"},
}


def recorded(model: str) -> dict:
    """The text-file options recorded in the config.json beside ``model`` (a run
    directory), checked as ``--config`` and ``--resume`` check it; {} for a model file or
    a directory without one.  A bad config.json is one ValueError naming it."""
    from .config import _read_config

    path = Path(model)
    if not (path.is_dir() and (path / "config.json").exists()):
        return {}
    try:
        data = _read_config(path / "config.json")["data"]
    except (ValueError, TypeError, OSError, RecursionError) as error:
        raise ValueError(
            f"{error} (evaluate and predict read --data as the run read its files; pass "
            f"--model {path / 'model.npz'} to read it with the options given alone)"
        ) from None
    return {key: data[key] for key in KEYS if data.get(key) is not None}


def apply(args: argparse.Namespace, command: str) -> None:
    """Fill in ``args``' --label, --header, --id and --time left out (None) from the run's
    record, then the defaults; ``args.auto_at`` where ``predict --label auto`` looks."""
    given = {key for key in KEYS if getattr(args, key) is not None}
    record = recorded(args.model) if args.data and text_file(args.data) else {}
    if "id" in given:  # a recorded --time orders the rows of the recorded --id only
        record.pop("time", None)
    args.auto_at = "first"
    for key in set(KEYS) - given:
        setattr(args, key, record.get(key))
    if command == "predict" and "label" not in given and args.label is not None:
        args.label, args.auto_at = _predict_label(args)
    for key, value in DEFAULTS[command].items():
        if getattr(args, key) is None:
            setattr(args, key, value)


def _predict_label(args: argparse.Namespace) -> tuple[str, str]:
    """``predict``'s --label and auto's column for the run's recorded --label (new data
    may come without labels): a column name where the file's header has that column,
    else none; first or last, auto looking there (labels where every value is a class)."""
    if args.label in ("first", "last"):
        return "auto", args.label
    check_file(args.data)  # as the reader says it, not the header's reader
    keyed = args.id not in (None, "none")  # a file with an id column has a header row
    header = True if keyed else HEADERS[args.header or "auto"]
    names = header_names(args.data, header=header, label=args.label)
    return (args.label if names and args.label in names else "none"), "first"
