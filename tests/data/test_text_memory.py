"""Text files (CSV/TSV/TXT, .ts) are parsed in bounded memory: about twice the values they hold,
8 bytes each, never the ~10x of Python strings for the whole file, and refused over a cap."""

import sys
import tracemalloc

import numpy as np
import pytest

from frnn.data.datasets import load_file
from frnn.data.delimited import read_rows
from frnn.data.readers import read_csv, read_ts


def _numeric_csv(path, rows=400, steps=500, seed=0):
    """A UCR-style CSV: label first, then ``steps`` values '%.6f' (about 10 bytes each)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, steps))  # (rows, steps)
    with open(path, "w") as f:
        for label, row in zip(rng.integers(1, 3, rows), X, strict=True):
            f.write(f"{label}," + ",".join(f"{v:.6f}" for v in row) + "\n")
    return np.round(X, 6)


def test_parse_memory_is_about_twice_the_values_not_ten_times_the_file(tmp_path):
    """Before: 9.5x the file's size (the whole text, then a str per field); now the peak
    is the rows' float arrays and the padded X, 8 bytes a value each (1.7x this file)."""
    path = tmp_path / "big.csv"
    X = _numeric_csv(path)
    size = path.stat().st_size  # about 2 MB
    tracemalloc.start()
    try:
        data = read_csv(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(data.X[:, :, 0], X, rtol=0, atol=5e-7)
    assert peak < 2.5 * size and peak < 2.5 * X.nbytes, (peak, size)


def test_values_over_the_cap_are_refused_with_the_option_named(tmp_path, monkeypatch):
    path = tmp_path / "v.csv"
    path.write_text(("1," + ",".join(["1"] * 99) + "\n") * 10)  # 2,000 bytes, 990 values
    with pytest.raises(ValueError, match=r"the 5 rows read so far take 4,\d{3} bytes"):
        read_csv(str(path), max_bytes=4000)  # the file (2,000 bytes) is under the cap
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "4000")
    with pytest.raises(ValueError, match="over the limit of 4,000 bytes .raise it with FRNN_MAX"):
        load_file(path)
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "10000")  # 7,920 bytes of values, 10 rows
    assert load_file(path).X.shape == (10, 99, 1)


def test_a_file_of_short_rows_is_bounded_by_what_its_rows_take_not_only_their_values(tmp_path):
    """Before: 8 bytes a value were counted, but each row holds about 180 bytes more (its
    array's header, its label), so a file of rows like '1,2' took 34x the file, 17x the
    counted bytes, under any cap; now the count is the memory held."""
    path = tmp_path / "short.csv"
    path.write_text("1,2\n" * 20000)  # 80 kB: 20,000 values (160 kB) and 20,000 rows
    tracemalloc.start()
    try:
        series, labels = read_rows(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    counted = 20000 * (8 + 128 + sys.getsizeof("1"))  # a value, a row, a label: per row
    assert peak < 1.5 * counted, (peak, counted)  # and over 17x the 8 bytes a value
    assert len(series) == len(labels) == 20000
    with pytest.raises(ValueError, match=r"over the limit of 1,000,000 bytes"):
        read_csv(str(path), max_bytes=10**6)  # the values alone (160 kB) are under it
    assert read_csv(str(path), max_bytes=5 * 10**6).X.shape == (20000, 1, 1)


def test_a_line_longer_than_the_cap_allows_is_refused_before_it_is_split(tmp_path):
    path = tmp_path / "line.csv"
    path.write_text("1,2\n1," + "1" * 600 + "\n")
    with pytest.raises(ValueError, match=r"line 2 is longer than 500 characters"):
        read_csv(str(path), max_bytes=4000)
    (tmp_path / "ok.csv").write_text("1," + ",".join(["1"] * 249) + "\n")  # 499 + newline
    assert read_csv(str(tmp_path / "ok.csv"), max_bytes=4000).X.shape == (1, 249, 1)


def test_ragged_rows_that_would_pad_to_a_huge_array_are_refused_before_padding(tmp_path):
    """A small file: one long row and many short ones pad to n x T_max values."""
    path = tmp_path / "ragged.csv"
    path.write_text("1," + ",".join(["1"] * 2000) + "\n" + "1,1\n" * 2000)  # 12 kB
    with pytest.raises(ValueError, match=r"2,001 series padded to the longest, 2,000 steps"):
        read_csv(str(path), max_bytes=10**6)  # the values (32 kB) are under it, X is 32 MB
    assert read_csv(str(path), max_bytes=10**8).X.shape == (2001, 2000, 1)


def test_a_ts_file_over_the_cap_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "d.ts"
    path.write_text("@problemName x\n@classLabel true 1 2\n@data\n" + "1,2,3:1\n" * 100)
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "500")
    with pytest.raises(ValueError, match=r"more than the limit of 500"):
        read_ts(str(path))


# -- .ts files: read a line at a time, like the delimited files -------------------------

TS_HEAD = "@problemName x\n@univariate true\n@classLabel true 1 2\n@data\n"


def _peak(read, *args):
    """What ``read(*args)`` returns, and the most memory it held (bytes, tracemalloc)."""
    tracemalloc.start()
    try:
        out = read(*args)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_ts_file_of_blank_lines_is_read_in_memory_bounded_by_its_rows(tmp_path):
    """Before: the whole text, then a str per line (a bomb of blank lines peaked near the
    cap, ~1.2 GB at 1 GiB, before it was refused); now the blank lines cost nothing."""
    path = tmp_path / "blank.ts"
    path.write_text(TS_HEAD + "1,2,3:1\n" + "\n \n" * 1_000_000 + "4,5,6:2\n")  # 3 MB
    split, peak = _peak(read_ts, str(path))
    assert split.y.tolist() == [1, 2] and split.X.shape == (2, 3, 1)
    assert peak < 1_000_000, peak  # a few blocks of 64 Ki characters, not 3 MB of text


def test_a_ts_line_longer_than_the_cap_allows_is_refused_as_soon_as_it_is(tmp_path, monkeypatch):
    """Before: read whole (here 2 MB of values from a 500 kB line under an 800 kB cap)."""
    path = tmp_path / "line.ts"
    path.write_text(TS_HEAD + "1,2:1\n" + "0," * 250_000 + "0:2\n")
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "800000")
    with pytest.raises(ValueError, match=r"line.ts: line 6 is longer than 100,000 characters"):
        read_ts(str(path))


def test_ts_rows_over_the_cap_are_refused_by_what_they_take(tmp_path, monkeypatch):
    """Before: a .ts file was bounded by its size alone: rows like '1:1' take ~50x that."""
    path = tmp_path / "short.ts"
    path.write_text(TS_HEAD + "1:1\n" * 20_000)  # 80 kB
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "1000000")
    with pytest.raises(ValueError, match=r"short.ts: the [\d,]+ rows read so far take .* over the"):
        read_ts(str(path))
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "5000000")
    assert read_ts(str(path)).X.shape == (20_000, 1, 1)


def test_a_long_ts_line_is_parsed_a_piece_at_a_time(tmp_path):
    """Before: one str per field of the line (some 60 bytes a value): 6x the values."""
    values = np.arange(100_000) % 7 - 3.0  # '0,' '-3,': about 2.6 characters a value
    path = tmp_path / "long.ts"
    path.write_text(TS_HEAD + ",".join(f"{v:g}" for v in values) + ":1\n")
    split, peak = _peak(read_ts, str(path))
    np.testing.assert_array_equal(split.X[0, :, 0], values)
    assert peak < 4 * values.nbytes, (peak, values.nbytes)  # the values, X and the text


@pytest.mark.parametrize("piece", [1, 5, 64])
def test_ts_pieces_read_as_the_whole_line_and_name_columns_across_them(
    tmp_path, monkeypatch, piece
):
    from frnn.data import textfile

    rows = [" 0.5,1e3, -2,7,8,9,1_0 : 3,4,5,6, 7,8,9 :1", "1,2,3,4,5,6,7:4,5,6,7,8,9,nan:2"]
    path = tmp_path / "d.ts"
    path.write_text(TS_HEAD.replace("@univariate true\n", "") + "\n".join(rows) + "\n")
    whole = [[0.5, 1e3, -2, 7, 8, 9, 10], [3, 4, 5, 6, 7, 8, 9]]
    monkeypatch.setattr(textfile, "_PIECE", piece)
    with pytest.raises(ValueError, match=r"missing values \(\? or NaN\) in line 5 \(series 2\)"):
        read_ts(str(path))
    path.write_text(path.read_text().replace("nan", "10"))
    split = read_ts(str(path))
    np.testing.assert_array_equal(split.X[0], np.array(whole).T)
    path.write_text(path.read_text().replace("9,10:2", "9,x:2"))
    message = r"d.ts: line 5 \(series 2\), column 7: expected a number, got 'x'"
    with pytest.raises(ValueError, match=message):
        read_ts(str(path))


# -- a long CSV/TSV line: split a piece at a time, like a .ts line ----------------------


@pytest.mark.parametrize("ext, sep", [(".csv", ","), (".tsv", "\t")])
def test_a_long_csv_line_is_parsed_a_piece_at_a_time(tmp_path, ext, sep):
    """Before: csv.reader made every field of the line a str (some 60 bytes a value):
    9.6x the values here, 2.9 GB for a line of 127 M characters; now 3.5x: the values, X,
    the line's text (7 bytes a value) and one piece's strings (64 Ki characters)."""
    values = (np.arange(100_000) % 7 - 3.0) / 8  # '-0.375,': 7 characters a value
    path = tmp_path / f"long{ext}"
    path.write_text("1" + sep + sep.join(f"{v:.3f}" for v in values) + "\n")
    split, peak = _peak(read_csv, str(path))
    np.testing.assert_array_equal(split.X[0, :, 0], values)
    assert split.y.tolist() == [1]
    assert peak < 5 * values.nbytes, (peak, values.nbytes)


@pytest.mark.parametrize("piece", [1, 5, 64])
def test_csv_pieces_read_as_the_whole_line_and_name_columns_across_them(
    tmp_path, monkeypatch, piece
):
    """Lines over the piece are read in pieces (here every line): the same values, labels,
    header, padding, missing values and messages as the csv module's fields."""
    import csv

    from frnn.data import textfile

    monkeypatch.setattr(textfile, "_PIECE", piece)
    path = tmp_path / "d.csv"
    path.write_text(",0,1,2,3,4\n0,a, 0.5,1e3,-2,7\n1,b,1,2,3,4,nan,\n2,c,1,,3,4,\n")
    series, labels = read_rows(str(path))  # pandas' index and numbered header, padding
    assert labels.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(series[0], [0.5, 1e3, -2, 7])
    np.testing.assert_array_equal(series[2], [1, np.nan, 3, 4])
    path.write_text("1,2,3,x,5,6,7,8\n")
    with pytest.raises(ValueError, match=r"d.csv: row 1, column 4: expected a number, got 'x'"):
        read_rows(str(path))
    path.write_text("1,2,3,4,5,6,7,x\n")
    with pytest.raises(ValueError, match=r"column 8: expected .* pass label='last'"):
        read_rows(str(path))
    assert read_rows(str(path), label="last")[1].tolist() == ["x"]
    path.write_text('1,2,3\n"1,5",2,3,4\n')  # a quoted line: the csv module's reading
    with pytest.raises(ValueError, match=r"row 2, column 1: expected a number, got '1,5'"):
        read_rows(str(path), label="last")
    path.write_text("1,2\n1,2,3," + "4" * (2 * piece + 4) + ",5\n")  # over the csv limit
    limit = csv.field_size_limit(2 * piece + 3)
    try:
        with pytest.raises(
            ValueError, match=rf"row 2: field larger than field limit \({2 * piece + 3}\)"
        ):
            read_rows(str(path))
    finally:
        csv.field_size_limit(limit)


# -- a long whitespace-separated line: split a piece at a time, like a CSV line --------


@pytest.mark.parametrize("ext", [".txt", ".csv"])
def test_a_long_whitespace_or_semicolon_line_is_parsed_a_piece_at_a_time(tmp_path, ext):
    """Before: str.split (whitespace) or the csv module (semicolons, decimal commas) made
    every field of the line a str: 9.6x the values here (17x with decimal commas), 2.7
    (4.9) GB for a line of 127 M characters; now 2.7x (3.0x): the values, X, the line's
    text and one piece's strings."""
    values = (np.arange(200_000) % 7 - 3.0) / 8  # "-0.375": 6 characters and a separator
    seps = np.array([" ", "\t", "  ", " \t"] if ext == ".txt" else [";"])
    seps = seps[np.arange(200_000) % len(seps)]  # .txt: 1.5 M characters, over 16 pieces
    text = "1 " + "".join(f"{v:.3f}{s}" for v, s in zip(values, seps, strict=True))
    if ext == ".csv":  # as a spreadsheet writes it where the decimal mark is a comma
        text = text.replace(",", ";").replace(".", ",").replace(" ", ";")
    path = tmp_path / f"long{ext}"
    path.write_text(text + "\n")
    split, peak = _peak(read_csv, str(path))
    np.testing.assert_array_equal(split.X[0, :, 0], values)
    assert split.y.tolist() == [1]
    assert peak < 4 * values.nbytes, (peak, values.nbytes)


@pytest.mark.parametrize("piece", range(1, 9))
def test_whitespace_pieces_read_as_the_whole_line_and_name_columns_across_them(
    tmp_path, monkeypatch, piece
):
    """Every line read in pieces of 1 to 8 characters (a piece's end inside a run of
    whitespace or inside a number): the same fields as str.split, so the same values,
    labels, header, padding and messages."""
    from frnn.data import longrows, textfile

    monkeypatch.setattr(textfile, "_PIECE", piece)
    monkeypatch.setattr(longrows, "_WHOLE_PIECES", 1)
    path = tmp_path / "d.txt"
    path.write_text(
        "label 0 1 2 3\n"  # a header: words where values go
        "  a\t\t0.5  \xa0 1e3\u3000-2\x1f 7   \n"  # Unicode whitespace, leading and trailing
        "b 12345.678        -0.25 nan NaN\n"  # long runs, trailing NaN: padding
        "c 1 ? 3 4" + " " * 150 + "\n"  # a long trailing run: the last field's window widens
    )
    series, labels = read_rows(str(path))
    assert labels.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(series[0], [0.5, 1e3, -2, 7])
    np.testing.assert_array_equal(series[1], [12345.678, -0.25])
    np.testing.assert_array_equal(series[2], [1, np.nan, 3, 4])
    long_label = "L" * 100  # a last field longer than the window it is first looked for in
    path.write_text(f"1 2 3 {long_label}\n4  5\t6 x\n")
    assert read_rows(str(path), label="last")[1].tolist() == [long_label, "x"]
    with pytest.raises(ValueError, match=r"d.txt: row 1, column 4: expected .* pass label='last'"):
        read_rows(str(path), header=False)
    path.write_text("1 2 3 x 5 6 7 8\n")
    with pytest.raises(ValueError, match=r"d.txt: row 1, column 4: expected a number, got 'x'"):
        read_rows(str(path))


def test_whitespace_pieces_split_as_str_split():
    """The piece-wise split and a long row's first and last fields and count, against
    str.split, at every piece size that ends a piece anywhere in these lines."""
    from unittest import mock

    from frnn.data import textfile
    from frnn.data.longrows import LongRow

    lines = [
        "1",
        " 1 ",
        "12 345\t6",
        "\t a  b \xa0\u2003c\x1f ",
        "x" * 70 + " " * 200 + "y" * 130,
        "é 1  2",
        "   " + "9" * 3,
    ]
    for piece in range(1, 12):
        with mock.patch.object(textfile, "_PIECE", piece):
            for line in lines:
                words = line.split()
                got = [w for p in textfile.pieces(line, None, 0, len(line)) for w in p]
                assert got == words, (piece, line)
                row = LongRow.read(line, None, "", 0)
                assert (len(row), row[0], row[-1], list(row)) == (
                    len(words),
                    words[0],
                    words[-1],
                    words,
                ), (piece, line)
                assert (row.pop(-1), list(row)) == (words[-1], words[:-1]), (piece, line)
                if row:
                    assert (row.pop(0), list(row)) == (words[0], words[1:-1]), (piece, line)


@pytest.mark.parametrize("piece", range(1, 9))
def test_semicolon_pieces_read_as_the_whole_line_and_name_rows_across_them(
    tmp_path, monkeypatch, piece
):
    """A semicolon file's lines over the piece read in pieces (here all but a quoted one):
    decimal commas made points per field (a label's too), others left as written, and
    the refusals of a thousands separator and of a bad field named by row and column,
    rows counted as the csv module counts them (a quoted field over two lines)."""
    from frnn.data import textfile

    path = tmp_path / "d.csv"
    text = 'a;1,5; 2,25 ;-1,5e-3;;nan;\n"b\nc";4;5;6\n1,5;7;8;9\n'
    path.write_text(text)
    whole = read_rows(str(path))
    monkeypatch.setattr(textfile, "_PIECE", piece)
    series, labels = read_rows(str(path))
    assert labels.tolist() == whole[1].tolist() == ["a", "b\nc", "1.5"]  # its line break kept
    np.testing.assert_array_equal(series[0], [1.5, 2.25, -1.5e-3])
    for got, expected in zip(series, whole[0], strict=True):
        np.testing.assert_array_equal(got, expected)
    path.write_text(text + "1;1.234;5;6\n")  # row 5: the quoted field took lines 2 and 3
    with pytest.raises(
        ValueError, match=r"d.csv: row 5, column 2: '1.234' in a file of decimal commas"
    ):
        read_rows(str(path))
    path.write_text("1;1.234;5;6\n" + text)  # found first, refused at the first comma
    with pytest.raises(
        ValueError, match=r"d.csv: row 1, column 2: '1.234' in a file of decimal commas"
    ):
        read_rows(str(path))
    path.write_text("a;b,c;1\n1;2;3,5\n")  # not a decimal comma: left as written
    with pytest.raises(ValueError, match=r"d.csv: row 1, column 2: expected a number, got 'b,c'"):
        read_rows(str(path), header=False)
