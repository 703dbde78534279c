"""Rows named by the file's own line numbers, as an editor shows them: blank lines counted.

Before: a delimited file's rows were numbered by its non-blank lines (a value after two
blank lines, on line 4, was "row 2"), and a ``.ts`` file's by the rows after ``@data``
("row 1" on the file's line 5), so the number named in a message led to the wrong line.
"""

from __future__ import annotations

import numpy as np
import pytest

import frnn
from frnn.data.datasets import load_file

BLANKS = "\n\n \n"  # three lines without a value: an empty one, one of a space, and the break


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("d.csv", f"a,1,2{BLANKS}b,1,x\n", r"row 4, column 3: expected a number, got 'x'"),
        ("d.tsv", f"a\t1\t2{BLANKS}b\t1\tx\n", r"row 4, column 3: expected a number"),
        ("d.txt", f"a 1 2{BLANKS}b 1 x\n", r"row 4, column 3: expected a number"),
        ("d.csv", f"\n\nlabel,t0,t1\na,1,2{BLANKS}b,1,x\n", r"row 7, column 3: expected"),
        ("d.csv", f"a,1,2{BLANKS}b,1,,3\n", r"missing values \(NaN\) in row\(s\) 4 \(the file's"),
        ("d.csv", f"a,1,2{BLANKS},1,2\n", r"row 4: the label is missing \(got ''\)"),
        ("d.csv", f"a,1,2{BLANKS}b\n", r"row\(s\) 4 hold a label but no values"),
        (
            "d.csv",
            f"a;1,5{BLANKS}b;1.234\n",
            r"row 4, column 2: '1.234' in a file of decimal commas",
        ),
        ("d.csv", f"1,2,a{BLANKS}1,2,\n", r"row 4: its last field, where label='last'"),
    ],
)
def test_a_delimited_file_names_the_line_of_a_bad_row(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    label = "last" if "label='last'" in message else "first"
    with pytest.raises(ValueError, match=message):
        load_file(str(path), label=label)


def test_a_long_format_file_names_its_lines(tmp_path):
    """The long format (one row a step, an id column) is read from the same rows."""
    path = tmp_path / "long.csv"
    path.write_text(f"id,v,label\na,1,x{BLANKS}a,oops,x\n")
    with pytest.raises(ValueError, match=r"row 5, column 2 \('v'\): expected a number"):
        load_file(str(path), id="id", label="label")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("1,2:up\n\n1,x:down\n", r"line 7 \(series 2\), column 2: expected a number, got 'x'"),
        ("1,2:up\n\n1,?:down\n", r"missing values \(\? or NaN\) in line 7 \(series 2\)"),
        ("1,2:up\n\n1,2:3,4:down\n", r"line 5 \(series 1\) has 1 dimension\(s\) but line 7"),
        ("1,2:up\n\n1,2:dwon\n", r"line 7 \(series 2\): the class 'dwon' is not among"),
        ("1,2:up\n\n1,2:?\n", r"line 7 \(series 2\): the label is missing"),
        ("1,2:up\n\n1,2\n", r"line 7 \(series 2\): expected values, then ':' and the target"),
    ],
)
def test_a_ts_file_names_the_line_and_the_series(tmp_path, body, message):
    """The header (a comment and a blank line among it) and the blank lines between rows
    are counted; the series' number is said too, as the arrays number them from 1."""
    path = tmp_path / "d.ts"
    path.write_text("# made by hand\n@classLabel true up down\n\n@data\n" + body)
    with pytest.raises(ValueError, match=message):
        load_file(str(path))


def test_a_ts_file_of_unequal_rows_that_declares_equal_ones_names_them(tmp_path):
    path = tmp_path / "d.ts"
    path.write_text("@equalLength true\n@data\n1,2:up\n\n1,2,3:down\n")
    with pytest.raises(
        ValueError, match=r"\(line 3 \(series 1\): 2 steps, line 5 \(series 2\): 3\)"
    ):
        load_file(str(path))


@pytest.mark.parametrize("text", ["", "\n\n \n"])
def test_an_empty_file_is_named_so_whatever_its_layout(tmp_path, text):
    """Before: "the file is empty; expected one series per row", also for a file of one
    row per time step (the long format, frnn train --series) and for blank lines."""
    path = tmp_path / "d.csv"
    path.write_text(text)
    message = r"d.csv: no rows: the file is empty or holds only blank lines$"
    for kwargs in ({}, {"id": "id"}):
        with pytest.raises(ValueError, match=message):
            load_file(str(path), **kwargs)


def test_a_model_file_given_as_data_is_named_so(tmp_path):
    """Before: "expected an array 'X' (and 'y' for labels); found ['__meta__', 'W', ...]",
    every array of the model listed."""
    path = tmp_path / "model.npz"
    frnn.save(frnn.FullyRecurrentNetwork(2, 3, 1, rng=0), path)
    with pytest.raises(ValueError, match=r"model.npz: an frnn model file, not series"):
        load_file(str(path))
    np_path = tmp_path / "other.npz"
    np.savez(np_path, **{f"a{i:02d}": np.ones(2) for i in range(12)})
    with pytest.raises(ValueError, match=r"found \['a00', .*, 'a09'\] and 2 more$"):
        load_file(str(np_path))


def test_an_npz_files_missing_values_are_named_by_series(tmp_path):
    """An .npz file has no lines: its series are named as such (before: "row(s) 2")."""
    X = np.ones((3, 5))
    X[1, 2] = np.nan
    np.savez(tmp_path / "n.npz", X=X, y=np.arange(3))
    message = r"n.npz: missing values \(NaN\) in series 2 \(counted from 1\); fill them"
    with pytest.raises(ValueError, match=message):
        load_file(str(tmp_path / "n.npz"))
