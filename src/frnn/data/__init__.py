"""Data: the input layer (padding, standardising, framing), a series' forecasting windows,
the built-in synthetic tasks, the bundled UCR sets, the file readers and other libraries'
layouts read as frnn's."""

from .datasets import DATASETS, Dataset, load_dataset, load_file
from .forecast import holdout, last_window, time_split, windows
from .layouts import LayoutWarning, channels_last
from .lengths import LengthWarning
from .series import Series, pad

__all__ = [
    "DATASETS",
    "Dataset",
    "LayoutWarning",
    "LengthWarning",
    "Series",
    "channels_last",
    "holdout",
    "last_window",
    "load_dataset",
    "load_file",
    "pad",
    "time_split",
    "windows",
]
