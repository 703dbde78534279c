"""The old import path ``frnn.datasets``: the public names of :mod:`frnn.data.datasets`."""

from .data.datasets import DATASET_TASKS, DATASETS, Dataset, Split, load_dataset, load_file

__all__ = ["Dataset", "DATASET_TASKS", "DATASETS", "load_dataset", "load_file", "Split"]
