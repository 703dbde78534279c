"""Compressed data files (frnn.data.compressed): gzip, bzip2 and xz read as the file they
hold, bounded once decompressed (a gzip bomb is one error, not memory); damaged or
truncated streams, archives and compressed .npz refused in one line naming the file."""

import bz2
import gzip
import lzma
import re

import numpy as np
import pytest

from frnn.data.datasets import load_file
from helpers import run_cli as _frnn

TEXT = "a,0.5,1.5,-2\nb,3,4,0.5\na,1,1,1\n"
TS = "@problemName t\n@univariate true\n@classLabel true a b\n@data\n0.5,1.5,-2:a\n3,4,0.5:b\n"
COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("compression", list(COMPRESS))
@pytest.mark.parametrize(
    ("suffix", "text"), [(".csv", TEXT), (".tsv", TEXT.replace(",", "\t")), (".ts", TS)]
)
def test_compressed_files_read_as_the_file_they_hold(tmp_path, compression, suffix, text):
    """Before: "unknown file type '.gz' (a compressed file: decompress it first)"."""
    plain = load_file(_write(tmp_path, f"plain{suffix}", text.encode()))
    packed = _write(
        tmp_path, f"data{suffix.upper()}{compression}", COMPRESS[compression](text.encode())
    )
    split = load_file(packed)
    np.testing.assert_array_equal(split.X, plain.X)
    assert split.y.tolist() == plain.y.tolist()


def test_utf16_and_a_byte_order_mark_inside_gzip(tmp_path):
    for encoding in ("utf-16", "utf-8-sig"):
        path = _write(tmp_path, "marked.csv.gz", gzip.compress(TEXT.encode(encoding)))
        assert load_file(path).y.tolist() == ["a", "b", "a"]


@pytest.mark.parametrize("suffix", [".csv", ".ts"])
def test_a_gzip_bomb_stops_at_the_limit(tmp_path, monkeypatch, suffix):
    """The bound is on the bytes decompressed: blank lines cost no row, yet are refused."""
    body = (TS if suffix == ".ts" else TEXT) + "\n" * 200_000  # 200 kB, a few hundred bytes gzipped
    path = _write(tmp_path, f"bomb{suffix}.gz", gzip.compress(body.encode()))
    assert path.stat().st_size < 2_000
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "100000")
    with pytest.raises(
        ValueError,
        match=re.escape(f"bomb{suffix}.gz: decompresses to more than 100,000 bytes, the limit"),
    ):
        load_file(path)
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", "300000")
    assert len(load_file(path).y) >= 2


@pytest.mark.parametrize("compression", list(COMPRESS))
def test_damaged_and_truncated_streams_are_named(tmp_path, compression):
    name = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}[compression]
    data = COMPRESS[compression]((TEXT * 50).encode())
    message = rf"(not|damaged)\.csv{re.escape(compression)}: not a readable {name} file"
    for path in (
        _write(tmp_path, f"not.csv{compression}", TEXT.encode()),  # named so, never compressed
        _write(tmp_path, f"damaged.csv{compression}", data[: len(data) // 2]),  # truncated
    ):
        with pytest.raises(ValueError, match=message):
            load_file(path)


def test_archives_and_compressed_npz_are_refused_with_advice(tmp_path):
    """A .zip is an archive of files: which one is the user's to say."""
    path = _write(tmp_path, "train.zip", b"PK\x03\x04")
    with pytest.raises(ValueError, match=r"unknown file type '.zip'.*extract the file first"):
        load_file(path)
    path = _write(tmp_path, "train.npz.gz", gzip.compress(b"PK"))
    with pytest.raises(ValueError, match="train.npz.gz: a compressed .npz"):
        load_file(path)
    path = _write(tmp_path, "train.json.gz", gzip.compress(b"{}"))
    with pytest.raises(ValueError, match=r"unknown file type '.json.gz'.*compressed or not"):
        load_file(path)


def test_the_command_line_reads_gzip_and_names_a_truncated_one(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 12))
    y = np.arange(16) % 2
    X[y == 1] += 1.0
    rows = "".join(
        f"{c}," + ",".join(f"{v:.6f}" for v in s) + "\n" for c, s in zip(y, X, strict=True)
    )
    _write(tmp_path, "train.csv.gz", gzip.compress(rows.encode()))
    _write(tmp_path, "train.csv", rows.encode())
    data = gzip.compress(rows.encode())
    _write(tmp_path, "cut.csv.gz", data[: len(data) // 2])
    done = _frnn("train", "--train", "train.csv.gz", "--out", "r", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    packed = _frnn("predict", "--model", "r", "--data", "train.csv.gz", cwd=tmp_path)
    plain = _frnn("predict", "--model", "r", "--data", "train.csv", cwd=tmp_path)
    assert packed.returncode == 0 and packed.stdout == plain.stdout
    cut = _frnn("predict", "--model", "r", "--data", "cut.csv.gz", cwd=tmp_path)
    assert cut.returncode == 2
    assert re.fullmatch(
        r"frnn predict: error: cut\.csv\.gz: not a readable gzip file.*\n", cut.stderr
    )
