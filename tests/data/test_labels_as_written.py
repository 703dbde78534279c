"""Labels read as they are written (frnn.data.labels): "01" stays "01", "1" and "01" are two
classes, plain integers stay integers, a missing label is refused; the command line keeps
them so from the training file to predict's output."""

import gzip
import re

import numpy as np
import pytest

from frnn.data.datasets import load_file
from frnn.data.labels import as_labels
from helpers import run_cli as _frnn


def _csv(tmp_path, name, labels, width=3):
    rows = [
        f"{label}," + ",".join(str(i + t) for t in range(width)) for i, label in enumerate(labels)
    ]
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    return path


def _ts(tmp_path, name, labels):
    lines = ["@problemName codes", "@univariate true", "@classLabel true", "@data"]
    lines += [f"1,2,{i}:{label}" for i, label in enumerate(labels)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".ts", ".csv.gz"])
def test_codes_with_leading_zeros_stay_as_written(tmp_path, suffix):
    """Before: 01, 02, 10 read as the integers 1, 2, 10; 1 and 01 as one class 1."""
    codes = ["01", "02", "10", "007"]
    if suffix == ".ts":
        path = _ts(tmp_path, "codes.ts", codes)
    else:
        sep = {".tsv": "\t", ".txt": " "}.get(suffix, ",")
        text = "".join(f"{c}{sep}1{sep}2\n" for c in codes)
        path = tmp_path / f"codes{suffix}"
        if suffix.endswith(".gz"):
            path.write_bytes(gzip.compress(text.encode()))
        else:
            path.write_text(text)
    assert load_file(path).y.tolist() == codes
    two = _csv(tmp_path, "two.csv", ["1", "01", "1"])
    assert load_file(two).y.tolist() == ["1", "01", "1"]
    assert np.unique(load_file(two).y).size == 2


def test_plain_integers_and_reals_keep_their_types(tmp_path):
    for labels, expected, kind in (
        (["0", "1", "12", "-3"], [0, 1, 12, -3], "i"),
        (["+1", "-1"], [1, -1], "i"),  # LIBSVM's
        (["1.0000000e+00", "2.0000000e+00"], [1, 2], "i"),  # the UCR archive's .txt
        (["0.5", "1.25", "-3"], [0.5, 1.25, -3.0], "f"),
        (["up", "down"], ["up", "down"], "U"),
    ):
        y = load_file(_csv(tmp_path, "l.csv", labels)).y
        assert y.dtype.kind == kind and y.tolist() == expected


@pytest.mark.parametrize(
    "labels",
    [
        ["1", "1.0"],  # two texts, one number
        ["1_000", "2"],  # float() reads 1_000 as 1000
        ["12345678901234567891", "3"],  # an identifier float64 rounds
    ],
)
def test_labels_that_numbers_would_change_stay_text(labels):
    """Before: 1 and 1.0 one class; 1_000 the number 1000; the identifier rounded."""
    assert as_labels(labels, "f.csv").tolist() == labels


def test_text_labels_keep_plain_integers_as_text(tmp_path):
    path = _csv(tmp_path, "ints.csv", ["10", "-3"])
    assert load_file(path, text_labels=True).y.tolist() == ["10", "-3"]
    assert load_file(_ts(tmp_path, "ints.ts", ["10", "2"]), text_labels=True).y.tolist() == [
        "10",
        "2",
    ]


@pytest.mark.parametrize(
    ("labels", "row", "shown"),
    [
        (["a", "", "b"], 2, "''"),
        (["1", "?"], 2, "'?'"),
        (["NaN", "a"], 1, "'NaN'"),
        (["1", "2", "NA"], 3, "'NA'"),  # R's missing mark among numbers
    ],
)
def test_a_missing_label_is_refused_naming_its_row(tmp_path, labels, row, shown):
    """Before: an empty label (or ?, NA among numbers) became a class of its own, and
    the other labels text; NaN a float label."""
    path = _csv(tmp_path, "m.csv", labels)
    with pytest.raises(
        ValueError, match=re.escape(f"m.csv: row {row}: the label is missing (got {shown})")
    ):
        load_file(path)


def test_na_among_words_is_a_class():
    """NA is North America among continents: refused only among numbers."""
    assert as_labels(["EU", "NA"], "f.csv").tolist() == ["EU", "NA"]


def test_the_command_line_keeps_codes_from_training_to_predict(tmp_path):
    """Before: the classes were 1, 2, 10; predict printed 1, not 01; and a file whose
    labels are all "10" (read as the integer 10, not the class "10") was refused by
    train --test and read by predict --label auto as unlabelled, its label a value."""
    rng = np.random.default_rng(0)
    codes = ["01", "02", "10"]
    rows = [(codes[i % 3], rng.standard_normal(12) + 3 * (i % 3)) for i in range(30)]
    text = [f"{c}," + ",".join(f"{v:.6f}" for v in s) for c, s in rows]
    (tmp_path / "train.csv").write_text("\n".join(text) + "\n")
    (tmp_path / "tens.csv").write_text("\n".join(t for t in text if t[:3] == "10,") + "\n")
    (tmp_path / "plain.csv").write_text("\n".join(t[3:] for t in text if t[:3] == "10,") + "\n")
    done = _frnn(
        "train", "--train", "train.csv", "--test", "tens.csv", "--out", "r", "--quiet", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    labelled = _frnn("predict", "--model", "r", "--data", "tens.csv", cwd=tmp_path)
    plain = _frnn("predict", "--model", "r", "--data", "plain.csv", cwd=tmp_path)
    assert labelled.returncode == plain.returncode == 0, labelled.stderr + plain.stderr
    assert labelled.stdout == plain.stdout
    lines = plain.stdout.splitlines()
    assert lines[0] == "row,prediction,p_01,p_02,p_10"
    assert {line.split(",")[1] for line in lines[1:]} == {"10"}
    scored = _frnn("evaluate", "--model", "r", "--data", "train.csv", "--json", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr


def test_pandas_index_written_without_a_header_is_refused_by_train(tmp_path):
    """Before: DataFrame.to_csv(header=False) wrote the index first, and train read it as
    the labels: 12 classes of one series each, the true label a value, fitted silently.
    Labels that are not 0, 1, …, n − 1 in order are read as they always were."""
    pandas = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    frame = pandas.DataFrame(rng.standard_normal((12, 6)))
    frame.insert(0, "label", np.arange(12) % 2)
    frame.to_csv(tmp_path / "indexed.csv", header=False)  # index=True, pandas' default
    frame.to_csv(tmp_path / "plain.csv", header=False, index=False)
    done = _frnn("train", "--train", "indexed.csv", "--out", "r", "--quiet", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("frnn train: error: ")
    assert done.stderr.endswith(
        "indexed.csv: the labels are 0, 1, …, 11, the rows' numbers: every series a class "
        "of its own. Is the first column an index, as pandas' to_csv writes one unless told "
        "index=False? Write the file without it\n"
    )
    done = _frnn("train", "--train", "plain.csv", "--out", "r", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("labels", "classes", "read"),
    [
        (["01", "02", "+2", "-007"], [1, 2], [1, 2, 2, -7]),  # integers, as the classes are
        (["1", "01"], np.array([1, 2], dtype=np.uint8), [1, 1]),
        (["01", "2.0"], [1, 2], ["01", "2.0"]),  # not all integers as written
        (["01", "a"], [1, 2], ["01", "a"]),
        (["01", "02"], ["1", "2"], ["01", "02"]),  # classes that are text: as written
        (["01", "99999999999999999999"], [1, 2], ["01", "99999999999999999999"]),  # an id
    ],
)
def test_labels_read_against_integer_classes(labels, classes, read):
    from frnn.data.labels import as_classes

    got = as_classes(as_labels(labels, "f.csv"), classes)
    assert got.tolist() == read
    assert got.dtype.kind == ("i" if isinstance(read[0], int) else "U")
