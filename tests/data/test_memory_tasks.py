"""The generated memory tasks: labels recomputed from the inputs, the streams, the data sets."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.data.synthetic import ORDER_SYMBOLS, order, recall, stream
from frnn.datasets import DATASET_TASKS, load_dataset


def test_recall_labels_are_the_first_symbol_behind_distractors():
    x, y = recall(500, np.random.default_rng(0), length=30, symbols=5)
    assert x.shape == (500, 30, 6) and y.shape == (500,) and y.dtype == np.int64
    assert (x[:, :-1, :5].sum(axis=2) == 1).all() and not x[:, :-1, 5].any()  # one symbol
    assert (x[:, -1] == np.eye(6)[5]).all()  # only the query at the end
    np.testing.assert_array_equal(y, x[:, 0, :5].argmax(axis=1))
    later = x[:, 1:-1, :5].argmax(axis=2)  # (n, T − 2) the distractors
    assert (later == y[:, None]).mean() == pytest.approx(1 / 5, abs=0.02)  # unrelated to y
    assert np.bincount(y, minlength=5).min() > 70  # every class, about evenly


def test_order_labels_are_the_pair_of_relevant_symbols_in_order():
    T = 100
    x, y = order(400, np.random.default_rng(1), length=T)
    assert x.shape == (400, T, len(ORDER_SYMBOLS)) and (x.sum(axis=2) == 1).all()
    codes = x.argmax(axis=2)  # (n, T)
    for row, label in zip(codes, y, strict=True):
        relevant = np.flatnonzero(row < 2)  # the steps showing X or Y
        assert len(relevant) == 2
        t1, t2 = relevant
        assert 10 <= t1 < 20 and 50 <= t2 < 60
        assert label == 2 * row[t1] + row[t2]
    assert np.bincount(y, minlength=4).min() > 70


def test_stream_yields_the_tasks_batches_reproducibly():
    a = stream("recall", 8, np.random.default_rng(3), length=10, symbols=3)
    b = stream(recall, 8, np.random.default_rng(3), length=10, symbols=3)
    for _ in range(3):
        (xa, ya), (xb, yb) = next(a), next(b)
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    fixed = recall(8, np.random.default_rng(3), length=10, symbols=3)  # the first batch
    np.testing.assert_array_equal(
        next(stream("recall", 8, np.random.default_rng(3), length=10, symbols=3))[0], fixed[0]
    )


@pytest.mark.parametrize(("name", "D", "classes"), [("recall", 9, 8), ("order", 6, 4)])
def test_the_new_tasks_are_data_sets(name, D, classes):
    data = load_dataset(name, length=40, n_train=200, n_test=20, seed=2)
    assert data.train.X.shape == (200, 40, D) and DATASET_TASKS[name] == "classification"
    assert set(np.unique(data.train.y)) == set(range(classes))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: recall(2, np.random.default_rng(0), length=2), "recall needs length ≥ 3"),
        (lambda: recall(2, np.random.default_rng(0), symbols=1), "symbols ≥ 2"),
        (lambda: order(2, np.random.default_rng(0), length=9), "at least 10 for the order task"),
    ],
)
def test_too_short_tasks_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()
