"""The text readers as files end and are encoded (issue 24): with and without a final
newline, Windows' \\r\\n and old Macs' \\r, UTF-8 with and without its mark, UTF-16 (both byte
orders): every variant reads the same series, the last row included."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.data.datasets import load_file

# Rows of different lengths, the last one shortest: a reader that drops or truncates it fails.
ROWS = [(1, [0.5, -1.25, 3.0, 2.5]), (2, [4.0, 0.125, -0.5]), (1, [7.5, 8.0])]
SEPARATORS = {".csv": ",", ".tsv": "\t", ".txt": " "}
ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"]


def _lines(suffix: str) -> list[str]:
    if suffix == ".ts":
        header = ["#  a comment", "@problemName tiny", "@univariate true", "@classLabel true 1 2"]
        return header + ["@data"] + [",".join(map(str, v)) + f":{c}" for c, v in ROWS]
    sep = SEPARATORS[suffix]
    return [sep.join([str(c), *map(str, v)]) for c, v in ROWS]


def _encode(text: str, encoding: str) -> bytes:
    if encoding.endswith("-bom"):  # a byte order given by its mark
        codec = encoding.removesuffix("-bom")
        mark = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
        return mark + text.encode(codec)
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("final", [True, False], ids=["final newline", "no final newline"])
@pytest.mark.parametrize("suffix", [*SEPARATORS, ".ts"])
def test_every_ending_and_encoding_reads_every_row(tmp_path, suffix, ending, final, encoding):
    newline = ENDINGS[ending]
    text = newline.join(_lines(suffix)) + (newline if final else "")
    path = tmp_path / f"data{suffix}"
    path.write_bytes(_encode(text, encoding))
    split = load_file(path)
    assert list(split.lengths) == [4, 3, 2]
    assert split.y.tolist() == [1, 2, 1]
    for i, (_, values) in enumerate(ROWS):
        np.testing.assert_array_equal(split.X[i, : len(values), 0], values)
        assert (split.X[i, len(values) :] == 0).all()


@pytest.mark.parametrize("suffix", [*SEPARATORS, ".ts"])
def test_blank_lines_at_the_end_add_no_row(tmp_path, suffix):
    path = tmp_path / f"data{suffix}"
    path.write_text("\n".join(_lines(suffix)) + "\n\n \r\n\n")
    assert load_file(path).X.shape[0] == 3


def test_rows_longer_than_a_block_and_runs_of_blank_lines(tmp_path, monkeypatch):
    """The lines are read in blocks of 64 Ki characters (frnn.data.delimited._BLOCK): a row
    across many blocks reads whole, blank lines between rows (a block of nothing else,
    whitespace and \\v included) add none, and a long line is named by its line number."""
    values = np.arange(30_000) / 8  # about 200,000 characters: four blocks
    row = "1," + ",".join(map(str, values))
    text = "\n" * 70_000 + row + "\n \t\v\n" * 20_000 + "2,0.5\n"
    (tmp_path / "long.csv").write_text(text)
    split = load_file(tmp_path / "long.csv")
    assert split.y.tolist() == [1, 2] and split.lengths.tolist() == [30_000, 1]
    np.testing.assert_array_equal(split.X[0, :, 0], values)
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", str(8 * 150_000))  # lines up to 150,000
    with pytest.raises(ValueError, match="long.csv: line 70001 is longer than 150,000"):
        load_file(tmp_path / "long.csv")
