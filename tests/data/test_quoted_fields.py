"""A quoted field over lines read as the csv module reads it: its line breaks and blank
lines kept (a label, a header name), while the blank lines between rows are skipped as
before, a run of them at no Python step each, inside a quoted field too; rows named as
before; whitespace-separated files unchanged (no quotes there)."""

import csv
import gzip
import io
import random

import numpy as np
import pytest

from frnn import io as frnn_io
from frnn.data import textfile
from frnn.data.datasets import load_file
from frnn.data.delimited import _split, detect_header, header_names, read_rows
from helpers import run_cli as _frnn

SERIES = np.array([[0.5, 1.25, -2.0], [3.0, 4.0, 0.5], [1.0, 1.0, 1.5], [2.0, 0.0, 1.0]])
# Inside the label: an empty line, a line of whitespace, several blank lines
BLANKS = ["\n\n", "\n \t\n", "\n\n\n\n"]


@pytest.fixture
def field_limit():
    """The csv module's own field limit (131,072 characters), whatever a test or a
    library imported before has set, put back after."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


def _labelled(sep: str, label: str) -> str:
    """SERIES's rows, their labels ``label``, c, ``label``, c, with blank lines between
    rows; a semicolon file's values written with decimal commas."""
    rows = []
    for i, series in enumerate(SERIES):
        values = [repr(float(v)) for v in series]
        values = [v.replace(".", ",") for v in values] if sep == ";" else values
        rows.append(sep.join(["c" if i % 2 else f'"{label}"', *values]))
    return "\n\n \n".join(rows) + "\n\n"


def _csv_module(path, sep: str) -> list[list[str]]:
    """The file's records as the csv module reads them, the blank lines between them left out."""
    with open(path, newline=None) as stream:
        return [row for row in csv.reader(stream, delimiter=sep) if "".join(row).strip()]


@pytest.mark.parametrize(("name", "sep"), [("d.csv", ","), ("semi.csv", ";"), ("d.tsv", "\t")])
@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("read", ["lines", "pieces", "csv module"])
def test_a_blank_line_inside_a_quoted_label_is_kept(tmp_path, monkeypatch, name, sep, blank, read):
    """Before: the blank lines were dropped before the csv module saw them, "a\\n\\nb" read
    "a\\nb" (a class other than the one written, silently).  ``read``: long lines split a
    piece at a time (pieces of 1 character: every line without a quote), or every line
    read by the csv module (a field limit under a piece)."""
    label = f"a{blank}b"
    path = tmp_path / name
    path.write_text(_labelled(sep, label))
    if read == "pieces":
        monkeypatch.setattr(textfile, "_PIECE", 1)
    before = csv.field_size_limit(1000 if read == "csv module" else csv.field_size_limit())
    try:
        split = load_file(path)
        series, labels = read_rows(str(path), text_labels=True)
    finally:
        csv.field_size_limit(before)
    assert split.y.tolist() == labels.tolist() == [label, "c", label, "c"]
    assert [row[0] for row in _csv_module(path, sep)] == labels.tolist()
    np.testing.assert_array_equal(split.X[:, :, 0], SERIES)
    np.testing.assert_array_equal(np.array(series), SERIES)


def test_a_blank_line_inside_a_quoted_header_name_is_kept(tmp_path):
    """Before: the header name "first\\n\\nvalue" read "first\\nvalue", and a label given
    by its name was not found."""
    path = tmp_path / "named.csv"
    path.write_text('w,"first\n\n value",x2\n0.5,1,2\n\n7,3,4\n')
    assert header_names(str(path)) == ["w", "first\n\n value", "x2"]
    assert detect_header(str(path), label="first\n\n value") is True
    series, labels = read_rows(str(path), label="first\n\n value")
    assert labels.tolist() == [1, 3]
    np.testing.assert_array_equal(np.array(series), [[0.5, 2.0], [7.0, 4.0]])


def test_line_ends_other_than_newline_inside_quotes_are_kept(tmp_path):
    """Before: \\v and U+2028 inside a quoted label ended its line there, and the label read
    "a\\nb"; outside quotes they still end a row, as str.splitlines ends lines."""
    path = tmp_path / "ends.csv"
    path.write_text('"a\vb",1,2\n"c\u2028\nd",3,4\ne,5,6\vf,7,8\u2028g,9,9\n')
    series, labels = read_rows(str(path), text_labels=True)
    assert labels.tolist() == ["a\vb", "c\u2028\nd", "e", "f", "g"]
    assert labels.tolist()[:2] == [row[0] for row in _csv_module(path, ",")][:2]
    np.testing.assert_array_equal(np.array(series), [[1, 2], [3, 4], [5, 6], [7, 8], [9, 9]])


def test_rows_are_named_by_their_first_line_after_a_label_with_blank_lines(tmp_path, field_limit):
    """A row is named by the file's line it starts on, blank lines counted, as an editor
    shows it.  Before: a value by the records read (row 2 here), the csv module's refusals
    and a thousands separator by the non-blank lines read (row 3, 3)."""
    path = tmp_path / "rows.csv"
    path.write_text('"a\n\nb",1\n\n"c",x\n')
    with pytest.raises(ValueError, match=r"rows.csv: row 5, column 2: expected a number"):
        read_rows(str(path))
    path.write_text('"a\n\n\nb",1,2\nc,1,' + "1" * 200_000 + "\n")
    with pytest.raises(ValueError, match=r"rows.csv: row 5(: field larger|, column 3: a field)"):
        read_rows(str(path))
    path.write_text('"a\n \nb";1,5\n\nc;1.234\n')
    with pytest.raises(
        ValueError, match=r"rows.csv: row 5, column 2: '1.234' in a file of decimal commas"
    ):
        read_rows(str(path))
    path.write_text('"a\n\nb";1,5\n\nc;2,5\n')  # and the label is kept
    assert read_rows(str(path), text_labels=True)[1].tolist() == ["a\n\nb", "c"]


def test_whitespace_files_have_no_quotes_and_skip_every_blank_line(tmp_path):
    """A .txt file is split at whitespace: a quote is text, blank lines after one are
    skipped as anywhere else (as before)."""
    path = tmp_path / "d.txt"
    path.write_text('"a 1 2\n\n \nb" 3 4\n\n')
    series, labels = read_rows(str(path), text_labels=True)
    assert labels.tolist() == ['"a', 'b"']
    np.testing.assert_array_equal(np.array(series), [[1, 2], [3, 4]])
    path = tmp_path / "q.csv"  # the same file comma-separated: one row, its label over lines
    path.write_text('"a",1,2\n"b\n\n \nc",3,4\n\n')
    assert read_rows(str(path), text_labels=True)[1].tolist() == ["a", "b\n\n \nc"]


def test_a_quoted_field_takes_a_run_of_blank_lines_at_once():
    """Asked for any line (send(True)), the lines give a run of blank lines in one piece:
    a block at a time, not a Python step a line; the pieces are the file's text."""
    text = '"a\n' + "\n \n" * 200_000 + 'b",1\n\nc,2\n'  # 600,000 blank lines, 1 MB
    lines = textfile.nonblank_lines(io.StringIO(text), "x", 1 << 30)
    given = [next(lines)]
    while "".join(given).count('"') % 2:
        given.append(lines.send(True))
    assert len(given) < 40  # 1 MB in blocks of 64 Ki characters
    assert "".join(given) == text[: text.index("\n\nc")]
    assert list(lines) == ["c,2"]  # the blank line after the row: skipped


def test_a_gzip_bomb_of_blank_lines_inside_a_quote_is_refused_quickly(tmp_path, field_limit):
    """Before: 10 MB of blank lines inside a quoted label were dropped and the label read
    "a"; now they are the label's, over the csv module's field limit: refused at once."""
    body = '"a\n' + "\n" * 10_000_000 + '",1,2\nb,3,4\n'
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(body.encode(), 9))
    with pytest.raises(ValueError, match=r"bomb.csv.gz: row 1: field larger than field limit"):
        read_rows(str(path))


def test_fields_as_the_csv_module_reads_them():
    """Random comma-separated texts of quotes, line breaks and blank lines: each record's
    fields as the csv module reads the whole file, its blank records left out."""
    pieces = ["1", "a", '"', '"x"', ",", ",", "\n", "\n", "\n\n", '""', 'b"c', "\n \n"]
    rng = random.Random(0)
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        stream, at = io.StringIO(text), textfile.LineAt()
        rows = list(_split("f.csv", textfile.nonblank_lines(stream, "f.csv", 1 << 30, at), at))
        reader = csv.reader(io.StringIO(text))
        expected, starts, end = [], [], 0  # each record's first line: after the last's end
        for row in reader:
            if row not in ([], [" "]):
                expected.append(row)
                starts.append(end + 1)
            end = reader.line_num
        assert [list(row) for _, row in rows] == expected, text
        assert [line for line, _ in rows] == starts, text


@pytest.mark.slow
def test_the_command_line_keeps_a_class_with_a_blank_line(tmp_path):
    """Before: frnn train learned the class "x\\ny" from labels written "x\\n\\ny", and
    predict printed it so."""
    rng = np.random.default_rng(0)
    rows = [('"x\n\ny"' if i % 2 else "z", rng.standard_normal(8) + 3 * (i % 2)) for i in range(20)]
    text = [f"{label}," + ",".join(f"{v:.6f}" for v in series) for label, series in rows]
    (tmp_path / "train.csv").write_text("\n".join(text) + "\n")
    done = _frnn("train", "--train", "train.csv", "--out", "r", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert frnn_io.load(tmp_path / "r" / "model.npz").classes_.tolist() == ["x\n\ny", "z"]
    shown = _frnn("predict", "--model", "r", "--data", "train.csv", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    printed = list(csv.reader(io.StringIO(shown.stdout)))
    assert printed[0] == ["row", "prediction", "p_x\n\ny", "p_z"]
    assert {row[1] for row in printed[1:]} == {"x\n\ny", "z"}
