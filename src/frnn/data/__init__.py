"""Data: the input layer (padding, standardising, framing), the built-in synthetic tasks,
the bundled UCR sets and the file readers."""

from .datasets import DATASETS, Dataset, load_dataset, load_file
from .series import Series, pad

__all__ = ["DATASETS", "Dataset", "Series", "load_dataset", "load_file", "pad"]
