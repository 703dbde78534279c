"""Files as a practitioner's spreadsheet or editor writes them: semicolon-separated CSV with
decimal commas, a decimal comma where it cannot be read, Latin-1 text, a compressed file,
a folder, a column name for a file without a header."""

import csv
import gzip
import itertools

import numpy as np
import pytest

from frnn.data.datasets import load_file

SERIES = np.array([[0.5, 1.25, -2.0], [3.0, 4.0, 0.5], [1.0, 1.0, 1.5]])  # (n, T)
LABELS = [1, 2, 1]


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(sep: str = ",", last: bool = False) -> list[str]:
    """The rows of SERIES and LABELS, the label first (or last), fields joined by ``sep``."""
    rows = []
    for label, series in zip(LABELS, SERIES, strict=True):
        values = [repr(float(v)) for v in series]
        rows.append(sep.join([*values, str(label)] if last else [str(label), *values]))
    return rows


def _check(split, labels=LABELS):
    np.testing.assert_array_equal(split.X[:, :, 0], SERIES)
    assert split.y.tolist() == labels


def test_semicolon_csv_with_decimal_points(tmp_path):
    """Before: every row was one field "1;0.5;1.25;-2.0", read as a label: "row(s) 1, 2, 3
    hold a label but no values"."""
    text = "\n".join(_rows(";")) + "\n"
    _check(load_file(_write(tmp_path, "semi.csv", text)))


def test_semicolon_csv_with_decimal_commas_and_a_header(tmp_path):
    """As a spreadsheet writes CSV where the comma is the decimal mark (Excel in most of
    Europe).  Before: "row 1, column 2: expected a number, got '5;1'"."""
    rows = ["label;t1;t2;t3", *_rows(";")]
    text = "\r\n".join(rows).replace(".", ",") + "\r\n"
    _check(load_file(_write(tmp_path, "euro.csv", text)))
    named = text.replace("\r\n1;", '\r\n"a,b";', 1)  # a text label keeps its comma
    split = load_file(_write(tmp_path, "named.csv", named), header=True)
    assert split.y.tolist() == ["a,b", "2", "1"]


def test_a_comma_csv_with_a_semicolon_in_a_label_stays_comma_separated(tmp_path):
    text = '"a;b",0.5,1.25,-2.0\nc,3.0,4.0,0.5\nc,1.0,1.0,1.5\n'
    split = load_file(_write(tmp_path, "mixed.csv", text))
    np.testing.assert_array_equal(split.X[:, :, 0], SERIES)
    assert split.y.tolist() == ["a;b", "c", "c"]


@pytest.mark.parametrize(("name", "sep"), [("multi.csv", ","), ("multi_semi.csv", ";")])
@pytest.mark.parametrize("field_limit", [None, 1000])  # 1000: the csv module reads every line
def test_a_quoted_label_over_two_lines_keeps_its_line_break(tmp_path, name, sep, field_limit):
    """Before: the lines reached the csv module without their ends, and it joined the
    label's two lines with nothing ("a\nb" read "ab")."""
    before = csv.field_size_limit(field_limit or csv.field_size_limit())
    try:
        _check_quoted_label(tmp_path, name, sep)
    finally:
        csv.field_size_limit(before)


def _check_quoted_label(tmp_path, name, sep):
    # (on the second row: the separator is told from the first line)
    rows = ["c,0.5,1.25,-2.0", '"a\nb",3.0,4.0,0.5', "c,1.0,1.0,1.5"]
    text = "\n".join(rows).replace(",", sep) + "\n"
    split = load_file(_write(tmp_path, name, text))
    np.testing.assert_array_equal(split.X[:, :, 0], SERIES)
    assert split.y.tolist() == ["c", "a\nb", "c"]


@pytest.mark.parametrize("field_limit", [None, 1000])
def test_a_quoted_label_over_two_lines_in_the_first_row_of_a_semicolon_file(tmp_path, field_limit):
    """The separator is told from the whole first row.  Before: from its first line alone,
    '"a' (no semicolon), so the file was read comma-separated: "row 1, column 2: expected
    a number, got '5;1'"."""
    rows = ['"a\nb";0,5;1,25;-2,0', '"c";3,0;4,0;0,5', '"c";1,0;1,0;1,5']
    before = csv.field_size_limit(field_limit or csv.field_size_limit())
    try:
        split = load_file(_write(tmp_path, "first_semi.csv", "\n".join(rows) + "\n"))
    finally:
        csv.field_size_limit(before)
    np.testing.assert_array_equal(split.X[:, :, 0], SERIES)
    assert split.y.tolist() == ["a\nb", "c", "c"]


def test_the_first_record_is_looked_for_in_bounded_lines_and_characters():
    """A quote that never closes: the first record is looked for in 64 lines or 1 Mi
    characters at most (the separator then told from those), not through the whole file."""
    from frnn.data.delimited import _first_record

    endless = itertools.chain(['"a;0,5'], itertools.repeat("0;1;2"))
    assert len(_first_record(itertools.islice(endless, 10_000))) == 64
    long = itertools.chain(['"a;' + "1;" * (1 << 20)], itertools.repeat("0;1;2"))
    assert len(_first_record(itertools.islice(long, 10_000))) == 1
    assert _first_record(iter(['"a', 'b";1;2', "c;3;4"])) == ['"a', 'b";1;2']
    assert _first_record(iter([])) == []


def test_a_decimal_comma_elsewhere_is_named_where_it_is(tmp_path):
    """Before: the first row, all decimal commas, was taken for a header and the error
    named row 2, without saying why '0,5' is not a number."""
    text = "1\t0,5\t1,5\n2\t0,7\t1\n"
    with pytest.raises(
        ValueError, match=r"row 1, column 2: expected a number, got '0,5' \(a decimal comma: "
    ):
        load_file(_write(tmp_path, "comma.tsv", text))


def test_latin1_text_is_named_as_such(tmp_path):
    """Before: "not a text file" for a text file in another encoding."""
    path = _write(tmp_path, "latin.csv", "été,1,2\nhiver,2,3\n", encoding="latin-1")
    with pytest.raises(
        ValueError, match=r"not UTF-8 or UTF-16 text \(byte 0xe9 .*save it as UTF-8"
    ):
        load_file(path)


def test_a_compressed_file_and_a_folder(tmp_path):
    """Before: a folder without an extension was an "unknown file type ''"; a gzipped CSV
    an unknown type with no word of decompressing it (gzip is read now:
    test_compressed_files.py; an archive is named as one)."""
    with gzip.open(tmp_path / "train.csv.gz", "wt") as handle:
        handle.write("1,1,2\n2,2,3\n")
    assert load_file(tmp_path / "train.csv.gz").y.tolist() == [1, 2]
    (tmp_path / "train.zip").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match=r"unknown file type '.zip'.*extract the file first"):
        load_file(tmp_path / "train.zip")
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match=r"'.xlsx'.*a spreadsheet: save it as CSV"):
        load_file(tmp_path / "book.xlsx")  # was "unknown file type" alone
    (tmp_path / "GunPoint_TRAIN.arff").write_text("@relation GunPoint\n")
    with pytest.raises(ValueError, match=r"'.arff'.*\.ts file"):
        load_file(tmp_path / "GunPoint_TRAIN.arff")
    (tmp_path / "UCRArchive").mkdir()
    with pytest.raises(IsADirectoryError, match="UCRArchive: a directory, not a file"):
        load_file(tmp_path / "UCRArchive")


def test_a_column_name_for_a_file_without_a_header(tmp_path):
    """Before: "no column named 'class'; the header names ['0.5', '1.25', ...]", the first
    series taken for a header."""
    text = "\n".join(_rows(",", last=True)) + "\n"
    with pytest.raises(ValueError, match=r"label='class' names a header column, but the first"):
        load_file(_write(tmp_path, "last.csv", text), label="class")


@pytest.mark.parametrize(
    ("first", "label", "message"),
    [  # before: "no column named '99'; the header names ['a', '0.5', '1.5', '-2.0']"
        (
            "",
            "99",
            r"no column named '99': the file has 4 columns, and the first row \(a, 0.5, 1.5, "
            r"-2.0\) holds numbers, so it is likely a series, not a header of column names; "
            r"give the label's position: 'first' or 'last' \(a column's number is not taken\)$",
        ),
        (
            "",
            "class",
            r"no column named 'class': .* the first row \(a, 0.5, 1.5, -2.0\) holds numbers, "
            r".*'last'$",
        ),
        (
            "kind,1,2,3\n",  # steps numbered from 1: a header all the same
            "99",
            r"no column named '99'; the header names \['kind', '1', '2', '3'\]; label must be "
            r"a column's name or its position, 'first' or 'last' \(a column's number is not",
        ),
    ],
)
def test_a_label_column_not_found_says_what_the_first_row_is(tmp_path, first, label, message):
    path = _write(tmp_path, "d.csv", first + "a,0.5,1.5,-2.0\nb,3.0,4.0,0.5\na,1.0,1.0,1.0\n")
    with pytest.raises(ValueError, match="d.csv: " + message):
        load_file(path, label=label)
    numbers = _write(tmp_path, "n.csv", "1,0.5,1.5\n0,3.0,4.0\n")
    with pytest.raises(ValueError, match=r"not column names \(the file has 3 columns\)"):
        load_file(numbers, label="7")


def test_a_thousands_separator_beside_decimal_commas_is_refused(tmp_path):
    """Before: 1.234 (one thousand two hundred and thirty-four, as a German spreadsheet
    groups it) read as 1.234 beside 0,5 read as 0.5: a value a thousandth of itself."""
    for text, column in (("a;0,5;1.234\nb;2,5;3\n", 3), ("a;1.234;2\nb;2,5;3\n", 2)):
        path = _write(tmp_path, "grouped.csv", text)
        message = rf"grouped.csv: row 1, column {column}: '1.234' in a file of decimal commas"
        with pytest.raises(ValueError, match=message + r": .* \(1234 for 1.234\)"):
            load_file(path)
    points = load_file(_write(tmp_path, "points.csv", "a;0.5;1.234\nb;2.5;3\n"))
    np.testing.assert_array_equal(points.X[:, :, 0], [[0.5, 1.234], [2.5, 3.0]])


@pytest.mark.parametrize(
    ("name", "text", "column", "shown", "plain"),
    [
        ("d.csv", 'a,"1,234.5",2\n', 2, "1,234.5", "a thousands separator ','.* as 1234.5"),
        ("d.csv", "a;1.234,5;2\n", 2, "1.234,5", "a thousands separator '.'.* as 1234.5"),
        (
            "d.csv",
            "a;2,5;1.234.567,5\n",
            3,
            "1.234.567,5",
            "a thousands separator '.'.* as 1234567.5",
        ),
        ("d.tsv", "a\t1\t-1,234.5\n", 3, "-1,234.5", "a thousands separator ','.* as -1234.5"),
        ("d.txt", "a 1,234,567 2\n", 2, "1,234,567", "a thousands separator ','.* as 1234567"),
        ("d.csv", "a;1 234,5;2\n", 2, "1 234,5", "a thousands separator ' '.* as 1234.5"),
        (
            "d.csv",
            'a,"1,234",2\n',
            2,
            "1,234",
            "a decimal comma, or a thousands separator\\? Write it as 1.234 or 1234",
        ),
    ],
)
def test_a_number_grouped_by_thousands_is_named_with_its_plain_form(
    tmp_path, name, text, column, shown, plain
):
    """Before: "row 1, column 2: expected a number, got '1,234.5'", nothing said why (or,
    for '1,234', a decimal comma alone); now the thousands separator is named and the
    number shown as it is read, its line and column named."""
    path = _write(tmp_path, name, "\n" + text)  # a blank first line: counted
    message = rf"row 2, column {column}: expected a number, got '{shown}' \({plain}"
    with pytest.raises(ValueError, match=message):
        load_file(path)
