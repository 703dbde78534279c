"""A declared header row (issue 12): ``load_file(..., header=True/False)`` and ``frnn
predict --header yes/no`` read what detection reads where the file is unambiguous, and
settle the files detection cannot: a header of numbers (pandas' ``to_csv(index=False)``
with integer column names) is dropped, and a first row declared as data is data."""

import warnings

import numpy as np
import pytest

from frnn.cli.main import main
from frnn.data.datasets import load_file
from frnn.data.layouts import LayoutWarning

SERIES = np.array([[0.5, 1.5, -2.0], [3.0, 4.0, 0.5], [1.0, 1.0, 1.0]])
LABELS = ["a", "b", "a"]


def _csv(tmp_path, name, first_line=None):
    pairs = zip(LABELS, SERIES, strict=True)
    rows = [f"{label},{','.join(map(repr, s.tolist()))}" for label, s in pairs]
    lines = ([first_line] if first_line else []) + rows
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _same(a, b):
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.lengths, b.lengths)


def test_a_declared_header_reads_as_the_detected_one_where_unambiguous(tmp_path):
    named = _csv(tmp_path, "named.csv", "label,t0,t1,t2")  # a header of words: detected
    plain = _csv(tmp_path, "plain.csv")  # numbers from the first row: no header
    _same(load_file(named, header=True), load_file(named))
    _same(load_file(plain, header=False), load_file(plain))
    _same(load_file(named, header=True), load_file(plain))
    np.testing.assert_array_equal(load_file(plain).X[:, :, 0], SERIES)
    assert load_file(plain).y.tolist() == LABELS


def test_a_declared_header_settles_what_detection_cannot(tmp_path):
    plain = _csv(tmp_path, "plain.csv")
    dropped = load_file(plain, header=True)  # the first row, numbers, declared a header
    np.testing.assert_array_equal(dropped.X[:, :, 0], SERIES[1:])
    assert dropped.y.tolist() == LABELS[1:]
    numbered = _csv(tmp_path, "numbered.csv", "label,0,1,2")  # DataFrame.to_csv(index=False)
    # labels that are words: "label" could be one more class, so detection keeps the row
    assert load_file(numbered).y.tolist() == ["label", *LABELS]
    digits = tmp_path / "digits.csv"  # numeric labels: a word above them names the column
    digits.write_text("label,0,1,2\n0,1,2,3\n1,4,5,6\n")
    assert load_file(digits).y.tolist() == [0, 1]
    np.testing.assert_array_equal(load_file(digits).X[:, :, 0], [[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="read without a header row"):
        load_file(plain, label="kind", header=False)
    _same(load_file(numbered, header=True), load_file(plain))
    named = _csv(tmp_path, "named.csv", "label,t0,t1,t2")
    with pytest.raises(ValueError, match="row 1, column 2: expected a number, got 't0'"):
        load_file(named, header=False)  # declared data, so its words are refused


def _predict(capsys, *args) -> tuple[int, list[list[str]]]:
    """Exit status and predict's rows without their row number (stdout as CSV); an error
    is one line naming the file."""
    code = main(["predict", "--model", "r", *map(str, args)])
    out, err = capsys.readouterr()
    assert code == 0 or (err.count("\n") == 1 and args[1] in err), err
    return code, [line.split(",")[1:] for line in out.splitlines()]


@pytest.mark.slow
def test_predict_header_yes_and_no(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 12))  # (n, T)
    y = np.arange(16) % 2
    X[y == 1] += 1.0
    np.savez(tmp_path / "train.npz", X=X, y=y)
    run = ["--training", "bptt", "--epochs", "2", "--hidden-size", "3", "--n-ensemble", "1"]
    assert main(["train", "--train", "train.npz", *run, "--quiet", "--out", "r"]) == 0
    capsys.readouterr()
    pairs = zip(y[:5], X[:5], strict=True)
    rows = "".join(f"{c},{','.join(map(repr, s.tolist()))}\n" for c, s in pairs)
    (tmp_path / "plain.csv").write_text(rows)
    (tmp_path / "numbered.csv").write_text("label," + ",".join(map(str, range(12))) + "\n" + rows)
    code, plain = _predict(capsys, "--data", "plain.csv")
    assert code == 0 and len(plain) == 6  # a header line and 5 series
    assert _predict(capsys, "--data", "plain.csv", "--header", "no") == (0, plain)
    assert _predict(capsys, "--data", "numbered.csv", "--header", "yes") == (0, plain)
    with warnings.catch_warnings():  # shown as the command shows it, not raised by pytest
        warnings.simplefilter("always", LayoutWarning)
        code, dropped = _predict(capsys, "--data", "plain.csv", "--header", "yes")
    assert code == 0 and dropped == [plain[0], *plain[2:]]  # series 1 was the header
    # detected: a word above numeric labels ("label,0,1,...", as pandas writes numbered columns)
    assert _predict(capsys, "--data", "numbered.csv") == (0, plain)


def test_label_auto_reads_the_header_as_the_first_read_decided(tmp_path):
    """Before: labels that are not the model's classes made read_split read the file again
    with label 'none', where "label" above numbers is no header: "got 'label'".  A header
    column named label is now the labels whatever they are (it was read as a value of each
    series where they were no class of the model); a file without a header as before."""
    from frnn.cli.data import read_split

    rows = "7,1,2,3\n8,4,5,6\n"
    numbered = tmp_path / "numbered.csv"  # DataFrame.to_csv(index=False), numbered columns
    numbered.write_text("label,0,1,2\n" + rows)
    for classes in ([0, 1], [7, 8]):
        named = read_split(str(numbered), "auto", "auto", classes=np.array(classes))
        assert named.y.tolist() == [7, 8]
        np.testing.assert_array_equal(named.X[:, :, 0], [[1, 2, 3], [4, 5, 6]])
    plain = tmp_path / "plain.csv"  # no header: the first column is no class, so values
    plain.write_text(rows)
    unlabelled = read_split(str(plain), "auto", "auto", classes=np.array([0, 1]))
    assert unlabelled.y.size == 0
    np.testing.assert_array_equal(unlabelled.X[:, :, 0], [[7, 1, 2, 3], [8, 4, 5, 6]])


def test_a_declared_header_of_numbers_is_said_in_one_line_naming_the_row(tmp_path, capsys):
    """Before: ``--header yes`` on a file whose first row is a series read that series as
    the column names, silently (one series fewer).  pandas' numbered columns stay quiet."""
    plain = tmp_path / "plain.csv"
    plain.write_text("1,0.5,1.5,-2.0\n0,3.0,4.0,0.5\n1,1.0,1.0,1.0\n0,2.0,2.0,2.0\n")
    message = r"plain.csv: row 1 \(1, 0.5, 1.5, -2.0\) holds only numbers, yet header=True"
    with pytest.warns(LayoutWarning, match=message + ".*read the file with header=False$"):
        assert load_file(plain, header=True).X.shape == (3, 3, 1)
    for first in ("0,1,2,3", ",0,1,2,3", "label,0,1,2"):  # DataFrame.to_csv's numbered columns
        numbered = tmp_path / "numbered.csv"
        numbered.write_text(first + "\n" + plain.read_text())
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert load_file(numbered, header=True).X.shape == (4, 3, 1)
    with warnings.catch_warnings():  # shown as the command shows them, not raised by pytest
        warnings.simplefilter("always")
        run = ["--out", str(tmp_path / "r"), "--quiet", "--n-reservoirs", "2"]
        assert main(["train", "--train", str(plain), "--header", "yes", *run]) == 0
    said = capsys.readouterr().err.splitlines()
    assert said[0].startswith(f"frnn train: warning: {plain}: row 1 (1, 0.5, 1.5, -2.0) holds")
    assert said[0].endswith(
        "yet --header yes reads it as the column names, not as a series; "
        "if it is data, read the file with --header no"
    )
