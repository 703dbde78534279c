"""What RNNClassifier makes of data handed in aeon's and sktime's layout (issue 24).

aeon and sktime hold a collection of series as (n_cases, n_channels, n_timepoints); frnn,
PyTorch (batch_first) and Keras as (n, T, D).  This script fits the default classifier on
GunPoint (univariate) and BasicMotions (6 channels) in both layouts and prints the test
accuracy, or what the fit said instead of a score:

    OMP_NUM_THREADS=1 python benchmarks/layouts.py

Before the layout checks, the aeon layout fitted silently and scored 0.49 on GunPoint.
"""

from __future__ import annotations

import warnings

import frnn
from frnn.data import load_dataset


def score(X_train, y_train, X_test, y_test, **params) -> str:
    """Test accuracy of the default classifier, or the refusal / warning it gave."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf = frnn.RNNClassifier(random_state=0, **params).fit(X_train, y_train)
            accuracy = f"{clf.score(X_test, y_test):.3f}"
    except ValueError as error:
        return f"refused: {str(error)[:110]}..."
    said = [str(w.message) for w in caught if "channels" in str(w.message)]
    return accuracy + (f"  (warned: {said[0][:90]}...)" if said else "  (silent)")


def main() -> None:
    takes_format = "data_format" in frnn.RNNClassifier().get_params()
    for name in ("gunpoint", "basicmotions"):
        data = load_dataset(name)
        train, test = data.train, data.test
        aeon = (train.X.transpose(0, 2, 1), test.X.transpose(0, 2, 1))  # (n, C, T)
        print(f"{name}: frnn layout {train.X.shape}, aeon layout {aeon[0].shape}")
        print(f"  frnn layout                         {score(train.X, train.y, test.X, test.y)}")
        print(f"  aeon layout, as given               {score(aeon[0], train.y, aeon[1], test.y)}")
        if takes_format:
            result = score(aeon[0], train.y, aeon[1], test.y, data_format="channels_first")
            print(f"  aeon layout, channels_first         {result}")


if __name__ == "__main__":
    main()
