"""Data: the input layer (padding, standardising, framing), the built-in synthetic tasks,
the bundled UCR sets, the file readers and other libraries' layouts read as frnn's."""

from .datasets import DATASETS, Dataset, load_dataset, load_file
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
    "load_dataset",
    "load_file",
    "pad",
]
