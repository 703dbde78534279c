"""One record for labelled series, and the one function that pads them.

Every layer that holds (X, y, lengths) holds a :class:`Series`: the readers return one
per split, the estimator splits its training data into them, the epoch loop draws its
mini-batches from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_integers

__all__ = ["Series", "pad"]


@dataclass(frozen=True)
class Series:
    """Series zero-padded to a common length, their targets and their true lengths.

    A frozen record: each parameter is kept as the attribute of its name (X as a numpy
    array, lengths as intp), checked once here.

    Parameters
    ----------
    X : ndarray, shape (n, T, D)
        Series zero-padded after their last step; T is the longest length.
    y : ndarray, shape (n,) or (n, K)
        Class labels (int or str), regression targets, or encoded targets (n, K); kept as
        given, unchecked.
    lengths : ndarray of int, shape (n,)
        True length of each series, 1 <= lengths[i] <= T (integral floats are accepted).
    ids : ndarray of str, shape (n,), or None
        Each series' identifier as a file's id column writes it
        (:func:`frnn.data.datasets.load_file` with ``id=``); None without one.  Kept as
        given, unchecked.
    weights : ndarray of float, shape (n,), or None
        Each series' weight in a training loss (an estimator's ``sample_weight``); None:
        one each.  Kept as given, unchecked.

    Raises
    ------
    ValueError
        X is not 3-D, ``lengths`` is not (n,), or a length is below 1 or above T.
    TypeError
        ``lengths`` holds values that are not integers.
    """

    X: np.ndarray
    y: np.ndarray
    lengths: np.ndarray
    ids: np.ndarray | None = None
    weights: np.ndarray | None = None

    def __post_init__(self):
        # Checked once here, so that no layer slices with a float or a scalar length.
        X, lengths = np.asarray(self.X), np.asarray(self.lengths)
        if X.ndim != 3:
            raise ValueError(f"Series.X must be (n, T, D); got shape {X.shape}")
        if lengths.shape != (X.shape[0],):
            raise ValueError(
                f"Series.lengths must have shape ({X.shape[0]},), one per series; "
                f"got shape {lengths.shape}"
            )
        lengths = check_integers(lengths, "Series.lengths")
        if lengths.size and lengths.max() > X.shape[1]:
            raise ValueError(
                f"Series.lengths must be at most T = {X.shape[1]}; got {int(lengths.max())}"
            )
        object.__setattr__(self, "X", X)  # the array checked, not a list it was made from
        object.__setattr__(self, "lengths", lengths)

    @property
    def equal_length(self) -> bool:
        """Whether every series has the full length T."""
        return bool(np.all(self.lengths == self.X.shape[1]))

    def inputs(self):
        """The series as a list of (T_i, D) arrays when their lengths differ, else (n, T, D).

        ``RNNClassifier`` also takes the Series itself, which needs no padding again.
        """
        if self.equal_length:
            return self.X
        return [x[:length] for x, length in zip(self.X, self.lengths, strict=True)]

    def take(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows ``index``, trimmed to their longest length: (B, T', D), (B, ·), (B,).

        Parameters
        ----------
        index : (B,) int array, B ≥ 1
            The rows to take (numpy indexing: repeats allowed, unchecked).

        Returns
        -------
        X : (B, T', D) array
            Their series, T' = their longest length.
        y : (B,) or (B, K) array
            Their targets.
        lengths : (B,) intp array
            Their true lengths.
        """
        lengths = self.lengths[index]
        return self.X[index, : int(lengths.max())], self.y[index], lengths


def pad(series: list[np.ndarray], dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """A list of (T_i, D) arrays, one D, as zero-padded X (n, T, D) and lengths (n,).

    The callers check D and the values first, each with messages in its own terms.

    Parameters
    ----------
    series : list of (T_i, D) ndarray
        At least one, every one 2-D with the same D (unchecked here).
    dtype : numpy dtype, default float64
        The dtype of X; the values are cast to it.

    Returns
    -------
    X : (n, T, D) array of ``dtype``
        The series, zeros after each one's last step; T = max T_i.
    lengths : (n,) intp array
        T_i.

    Raises
    ------
    ValueError
        ``series`` is empty or holds something that is not a 2-D numpy array.
    """
    if not series or not all(isinstance(s, np.ndarray) and s.ndim == 2 for s in series):
        shapes = [np.shape(s) for s in series[:5]]
        raise ValueError(f"series must be a non-empty list of (T_i, D) arrays; got shapes {shapes}")
    lengths = np.array([s.shape[0] for s in series], dtype=np.intp)  # (n,)
    X = np.zeros((len(series), int(lengths.max()), series[0].shape[1]), dtype=dtype)
    for i, s in enumerate(series):
        X[i, : s.shape[0]] = s
    return X, lengths
