"""The validator vocabulary every boundary uses: Interval and Options."""

import argparse

import numpy as np
import pytest

from frnn._validate import Interval, InvalidParameterError, Options, argument_type


@pytest.mark.parametrize(
    ("rule", "inside", "outside", "words"),
    [
        (
            Interval("int", 1),
            [1, np.int64(7), 10**400],
            [0, -1, 1.0, True, None, "3"],
            "a positive integer",
        ),
        (Interval("int", 0), [0, 5], [-1, 2.5, np.bool_(True)], "a non-negative integer"),
        (
            Interval("real", 0, closed="neither"),
            [1e-300, 3, 2.5],
            [0, -1.0, np.inf, np.nan],
            "a positive number",
        ),
        (Interval("real", 0), [0, 0.0, 4.5], [-1e-9, np.inf], "a non-negative number"),
        (
            Interval("real", 0, 1),
            [0, 0.5, np.float32(0.9)],
            [1, 1.0, -0.1, np.nan],
            "a real number in [0, 1)",
        ),
        (Interval("int", 1, none=True), [None, 3], [0], "a positive integer or None"),
        (Options(("adam", "sgd")), ["adam", "sgd"], ["Adam", None, 1], "one of ['adam', 'sgd']"),
        (Options((True, False)), [True, False], [1, 0, "True"], "one of [True, False]"),
    ],
)
def test_rules_accept_and_refuse(rule, inside, outside, words):
    assert str(rule) == words
    for value in inside:
        assert rule.check(value, "p") is value
    for value in outside:
        with pytest.raises(InvalidParameterError, match=f"^p must be .*; got {value!r}"):
            rule.check(value, "p")


def test_errors_are_both_value_and_type_errors():
    # sizes raised TypeError for a wrong type and ValueError for a wrong value: both still do
    with pytest.raises(TypeError):
        Interval("int", 1).check(2.5, "I")
    with pytest.raises(ValueError):
        Interval("int", 1).check(0, "I")


def test_argument_type_parses_and_checks():
    parse = argument_type(Interval("int", 1, none=True), "n")
    assert parse("4") == 4 and parse("none") is None
    for text in ("0", "x", "2.5"):
        with pytest.raises(
            argparse.ArgumentTypeError, match=f"must be a positive integer or None; got '{text}'"
        ):
            parse(text)
    assert argument_type(Interval("real", 0, closed="neither"), "r")("1e-3") == 1e-3
