"""Files as other programs write them (issue 12): label columns, headers, pandas' index,
encodings, missing values; the same series with and without labels predict the same."""

import csv
import json
import re

import numpy as np
import pytest

from frnn.data.datasets import load_file
from helpers import run_cli as _frnn

SERIES = np.array([[0.5, 1.5, -2.0], [3.0, 4.0, 0.5], [1.0, 1.0, 1.0]])
LABELS = ["a", "b", "a"]


def _num(value) -> str:
    return repr(float(value))


def _check(split, labels=LABELS):
    np.testing.assert_array_equal(split.X[:, :, 0], SERIES)
    assert list(split.y) == labels


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(label_at="first"):
    for label, s in zip(LABELS, SERIES, strict=True):
        values = [_num(v) for v in s]
        yield [label, *values] if label_at == "first" else [*values, label]


def test_label_last_and_none(tmp_path):
    text = "\n".join(",".join(r) for r in _rows("last")) + "\n"
    _check(load_file(_write(tmp_path, "last.csv", text), label="last"))
    plain = "\n".join(",".join(map(_num, s)) for s in SERIES) + "\n"
    _check(load_file(_write(tmp_path, "none.csv", plain), label="none"), [])


def test_label_last_on_lines_ending_in_a_comma_says_so(tmp_path):
    """Before: 'row 1: the label is missing (got '')', though every row had its label, one
    field before the empty one that the line's last comma makes."""
    text = "".join(",".join(r) + ",\n" for r in _rows("last"))
    message = r"row 1: its last field, where label='last' reads the label, is empty \(the line"
    with pytest.raises(ValueError, match=message):
        load_file(_write(tmp_path, "commas.csv", text), label="last")


def test_text_labels_in_the_last_column_read_as_first_say_so(tmp_path):
    """Before: only 'row 1, column 4: expected a number, got 'up'', with nothing to say the
    labels were read from the wrong end; a bad field elsewhere, or label='last' given, has
    no such hint."""
    path = _write(tmp_path, "last.csv", "1,2,3,up\n4,5,6,down\n")
    hint = "got 'up' (are the labels in the last column? pass label='last')"
    for label in ("first", "none"):
        with pytest.raises(
            ValueError, match=re.escape(f"row 1, column 4: expected a number, {hint}")
        ):
            load_file(path, label=label)
    inner = _write(tmp_path, "inner.csv", "1,2,x,up\n4,5,6,down\n")
    with pytest.raises(ValueError, match=r"row 1, column 3: expected a number, got 'x'$"):
        load_file(inner, label="last")
    with pytest.raises(ValueError, match=r"row 1, column 3: expected a number, got 'x'$"):
        load_file(inner, label="first")


def test_text_labels_in_a_header_column_named_as_labels_say_so(tmp_path):
    """Before: only 'row 2, column 3: expected a number, got 'up'' for a file whose header
    names that column 'label' (read with the labels first, the default); the hint names
    the column to pass, and the command line says it as its flag.  A bad value in another
    column, or the label column given, has no such hint."""
    text = "t0;t1;Label;t2\r\n1;2;up;3\r\n4;5;down;6\r\n"
    path = _write(tmp_path, "named.csv", "\ufeff" + text)
    hint = "got 'up' (the header names column 3 'Label': are the labels there? pass label='Label')"
    with pytest.raises(ValueError, match=re.escape(f"row 2, column 3: expected a number, {hint}")):
        load_file(path)
    assert list(load_file(path, label="Label").y) == ["up", "down"]
    other = _write(tmp_path, "other.csv", "t0,t1,label,t2\n1,x,up,3\n4,5,down,6\n")
    with pytest.raises(ValueError, match=r"row 2, column 2: expected a number, got 'x'$"):
        load_file(other)
    done = _frnn("train", "--train", str(path), "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert done.returncode == 2 and "are the labels there? pass --label Label)" in done.stderr


def test_header_detected_and_label_by_name(tmp_path):
    text = "t0,t1,class,t2\n" + "".join(
        f"{s[0]},{s[1]},{lab},{s[2]}\n" for lab, s in zip(LABELS, SERIES, strict=True)
    )
    _check(load_file(_write(tmp_path, "named.csv", text), label="class"))
    text = "label,t0,t1,t2\n" + "\n".join(",".join(r) for r in _rows()) + "\n"
    _check(load_file(_write(tmp_path, "header.csv", text)))
    with pytest.raises(ValueError, match="no column named 'kind'"):
        load_file(_write(tmp_path, "header.csv", text), label="kind")


@pytest.mark.parametrize("label", ["first", "none"])
def test_a_header_ending_in_a_comma_is_detected(tmp_path, label):
    """Every line ending in a comma (as some exporters write them): the header's empty last
    field read as a missing value, not a word, so above text labels, or with no labels,
    the header was taken for data ("row 1, column 2: expected a number, got 't0'")."""
    rows = [["label", "t0", "t1", "t2"], *_rows()]
    if label == "none":
        rows = [r[1:] for r in rows]
    text = "".join(",".join(r) + ",\n" for r in rows)
    _check(
        load_file(_write(tmp_path, "trailing.csv", text), label=label), LABELS * (label != "none")
    )


def test_a_label_name_the_header_holds_twice_is_named(tmp_path):
    """Before: the first column of that name was taken and the second read as values:
    'row 2, column 4: expected a number, got 'y'', which did not say why."""
    text = "label,t0,t1,label\nx,1,2,y\nz,3,4,w\n"
    with pytest.raises(ValueError, match=r"names 'label' 2 times \(columns 1, 4\); expected one"):
        load_file(_write(tmp_path, "twice.csv", text), label="label")


def test_pandas_index_column_and_header(tmp_path):
    text = ",label,0,1,2\n" + "".join(
        f"{i},{','.join(r)}\n" for i, r in enumerate(_rows())
    )  # as DataFrame.to_csv writes it
    _check(load_file(_write(tmp_path, "pandas.csv", text)))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(tmp_path, encoding):
    text = "\n".join(",".join(r) for r in _rows()) + "\n"
    _check(load_file(_write(tmp_path, "bom.csv", text, encoding)))


def test_a_trailing_question_mark_is_missing_not_padding(tmp_path):
    path = _write(tmp_path, "q.csv", "1,1,2,3\n0,1,2,?\n")
    with pytest.raises(ValueError, match=r"missing values \(NaN\) in row\(s\) 2"):
        load_file(path)
    padded = load_file(_write(tmp_path, "p.csv", "1,1,2,3\n0,1,2,NaN\n0,4,,\n"))
    assert padded.lengths.tolist() == [3, 2, 1]


def test_a_huge_field_is_one_value_error(tmp_path):
    limit = csv.field_size_limit()
    path = _write(tmp_path, "huge.csv", "1," + "1" * 200_000 + "\n")
    message = r"huge.csv: row 1(: field larger than field limit|, column 2: a field of 200,000)"
    with pytest.raises(ValueError, match=message):
        load_file(path)
    csv.field_size_limit(10**6)  # as some library may have set it: the same refusal
    try:
        with pytest.raises(ValueError, match="huge.csv: row 1, column 2: a field of 200,000"):
            load_file(path)
        with pytest.raises(ValueError, match="row 1, column 3: expected a finite number"):
            load_file(_write(tmp_path, "inf.csv", "1,2,1e999\n"))
    finally:
        csv.field_size_limit(limit)


def test_predict_reads_unlabelled_files_as_series_and_agrees_with_labelled(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 12))
    y = np.arange(16) % 2
    X[y == 1] += 1.0
    np.savez(tmp_path / "train.npz", X=X, y=y)
    np.savez(tmp_path / "unlabelled.npz", X=X[:5])
    (tmp_path / "labelled.csv").write_text(
        "".join(f"{c},{','.join(map(_num, s))}\n" for c, s in zip(y[:5], X[:5], strict=True))
    )
    (tmp_path / "plain.csv").write_text("".join(",".join(map(_num, s)) + "\n" for s in X[:5]))
    run = ["--epochs", "2", "--hidden-size", "3", "--n-ensemble", "1", "--json", "--out", "r"]
    trained = _frnn("train", "--train", "train.npz", *run, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    outputs = {}
    for name in ("labelled.csv", "plain.csv", "unlabelled.npz"):
        done = _frnn("predict", "--model", "r", "--data", name, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        outputs[name] = done.stdout
    assert outputs["labelled.csv"] == outputs["plain.csv"] == outputs["unlabelled.npz"]
    assert len(outputs["plain.csv"].splitlines()) == 6
    json.loads(trained.stdout)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("class,0,1,2,3\na,0.5,1.5,-2,1\nb,3,4,0.5,1\n", "first"),  # text labels below
        ("0,1,2,3\n0.5,1.5,-2,1\n3,4,0.5,1\n", "none"),  # to_csv(index=False), no labels
        ("0,1,2,3,y\n0.5,1.5,-2,1,a\n3,4,0.5,1,b\n", "last"),
    ],
)
def test_numbered_columns_are_a_header(tmp_path, text, label):
    """Before: a header of numbered columns above text labels (or none) was read as a
    series of the class 'class' (or an unlabelled series 0, 1, 2, 3)."""
    split = load_file(_write(tmp_path, "numbered.csv", text), label=label)
    np.testing.assert_array_equal(split.X[:, :, 0], [[0.5, 1.5, -2, 1], [3, 4, 0.5, 1]])
    assert split.y.tolist() == ([] if label == "none" else ["a", "b"])


@pytest.mark.parametrize(
    "text",
    [
        "a,0,1,2\nb,0.5,5,6\n",  # three numbered fields
        "a,1,2,3,4\nb,0.5,6,7,8\n",  # counted from 1, as no DataFrame numbers its columns
        "a,0,1,2,3\nb,5,6,7,8\n",  # integers below: integer series, the first a ramp
        "a,0,1,2,3\nb,0.5,6\n",  # rows of other lengths: a header has every column
    ],
)
def test_series_that_count_are_data(tmp_path, text):
    assert load_file(_write(tmp_path, "ramps.csv", text)).y.tolist() == ["a", "b"]


@pytest.mark.parametrize("label", ["last", "none"])
def test_text_in_the_first_column_asks_whether_the_labels_are_there(tmp_path, label):
    """Before: "row 1, column 1: expected a number, got 'a'" read with the labels last (or
    none, to predict), nothing to say that a UCR file has them first; text in the last
    column already asked for label='last'."""
    from frnn.data.datasets import load_file

    path = tmp_path / "first.csv"
    path.write_text("a,1,2,3\nb,4,5,6\n")
    hint = r" \(are the labels in the first column\? pass label='first'\)$"
    with pytest.raises(ValueError, match=r"row 1, column 1: expected a number, got 'a'" + hint):
        load_file(str(path), label=label)
    long = "1," * 40_000  # a long row, read a piece at a time: the hint on its first piece
    path.write_text(f"1,2,3,b\nx,{long}b\n")
    with pytest.raises(ValueError, match=r"row 2, column 1: expected a number, got 'x'" + hint):
        load_file(str(path), label="last")
    path.write_text(f"1,2,3,b\n{long}x,2,b\n")  # not the first field: no hint
    with pytest.raises(ValueError, match=r"row 2, column 40001: expected a number, got 'x'$"):
        load_file(str(path), label="last")
