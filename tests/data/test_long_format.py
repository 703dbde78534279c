"""Files with an id column (frnn.data.keyed): the long format, one row per time step, and one
series per row with an id; the guard that refuses a header naming ids or time stamps read
without ``id`` (frnn.data.keycolumns), which before trained silently on each row as a series."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.data.datasets import load_file

CLASSES = ("low", "mid", "high")


def _series(n=6, D=1, seed=0, ragged=False):
    """n series (T_i, D) of different lengths when ``ragged``, and their text labels."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 9, n) if ragged else np.full(n, 7)
    series = [np.round(rng.standard_normal((T, D)), 4) for T in lengths]
    return series, [CLASSES[i % 3] for i in range(n)]


def _write_long(path, series, labels, *, order=None, header="series_id,timestamp", ids=None):
    """One row a step: ``id,time,v1,…,vD,label``, the rows in ``order`` (default: by series)."""
    D = series[0].shape[1]
    ids = ids or [f"c{i}" for i in range(len(series))]
    rows = [(ids[i], t, s[t], labels[i]) for i, s in enumerate(series) for t in range(s.shape[0])]
    if order is not None:
        rows = [rows[k] for k in order]
    values = ",".join(f"v{d}" for d in range(D))
    lines = [f"{header},{values},label"]
    lines += [f"{i},{t},{','.join(map(str, v))},{y}" for i, t, v, y in rows]
    path.write_text("\n".join(lines) + "\n")
    return rows


def _padded(series):
    T, D = max(s.shape[0] for s in series), series[0].shape[1]
    X = np.zeros((len(series), T, D))
    for i, s in enumerate(series):
        X[i, : s.shape[0]] = s
    return X


def test_a_long_file_reads_one_series_an_id(tmp_path):
    series, labels = _series(ragged=True)
    _write_long(tmp_path / "long.csv", series, labels, header="series_id,t")
    split = load_file(tmp_path / "long.csv", id="series_id", label="label", time="t")
    np.testing.assert_array_equal(split.X, _padded(series))
    lines = (tmp_path / "long.csv").read_text().splitlines()
    (tmp_path / "long.csv").write_text(
        "\n".join(line.split(",", 2)[0] + "," + line.split(",", 2)[2] for line in lines)
    )
    split = load_file(tmp_path / "long.csv", id="series_id", label="label")  # file order
    np.testing.assert_array_equal(split.X, _padded(series))
    np.testing.assert_array_equal(split.lengths, [s.shape[0] for s in series])
    assert split.y.tolist() == labels
    assert split.ids.tolist() == [f"c{i}" for i in range(len(series))]


def test_a_long_file_of_several_channels_in_any_order_is_sorted_by_time(tmp_path):
    series, labels = _series(n=5, D=3, ragged=True)
    n_rows = sum(s.shape[0] for s in series)
    order = np.random.default_rng(1).permutation(n_rows)  # rows of a series far apart
    rows = _write_long(tmp_path / "long.tsv", series, labels, order=order)
    (tmp_path / "long.tsv").write_text((tmp_path / "long.tsv").read_text().replace(",", "\t"))
    split = load_file(tmp_path / "long.tsv", id="series_id", time="timestamp", label="label")
    first_seen = list(dict.fromkeys(i for i, *_ in rows))  # series in order of first row
    expected = [series[int(i[1:])] for i in first_seen]
    assert split.ids.tolist() == first_seen
    np.testing.assert_array_equal(split.X, _padded(expected))
    assert split.X.shape[2] == 3
    # Without time the file's order is kept: the same rows, another series
    unsorted = load_file(tmp_path / "long.tsv", id="series_id", label="last", time="none")
    assert unsorted.X.shape[2] == 4  # the time a channel
    assert not np.array_equal(unsorted.X[:, :, 1:], split.X)
    with pytest.raises(
        ValueError, match="column 'timestamp' looks like a time stamp: pass time='timestamp'"
    ):
        load_file(tmp_path / "long.tsv", id="series_id", label="last")


def test_label_positions_count_the_columns_besides_id_and_time(tmp_path):
    series, labels = _series(n=4)
    _write_long(tmp_path / "long.csv", series, labels)
    named = load_file(tmp_path / "long.csv", id="series_id", time="timestamp", label="label")
    last = load_file(tmp_path / "long.csv", id="series_id", time="timestamp", label="last")
    np.testing.assert_array_equal(named.X, last.X)
    assert named.y.tolist() == last.y.tolist() == labels


def test_a_label_that_changes_within_a_series_is_refused_naming_id_and_rows(tmp_path):
    from frnn.data.keyed import LabelChanges

    series, labels = _series(n=3)
    _write_long(tmp_path / "long.csv", series, labels)
    lines = (tmp_path / "long.csv").read_text().splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0] + ",mid"  # row 5: series c0's 4th step
    (tmp_path / "long.csv").write_text("\n".join(lines))
    with pytest.raises(
        LabelChanges,
        match=r"'label' changes within the series 'c0' \('low' in "
        r"row 2, 'mid' in row 5\)",
    ):
        load_file(tmp_path / "long.csv", id="series_id", time="timestamp", label="label")
    # the default first column: a value column, which no series keeps constant
    with pytest.raises(LabelChanges, match="'v0' changes within the series 'c0'.*label='COLUMN'"):
        load_file(tmp_path / "long.csv", id="series_id", time="timestamp")


def test_two_rows_of_a_series_at_one_time_are_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("id,time,value,label\na,0,1.0,x\na,1,2.0,x\nb,0,3.0,y\na,1,2.5,x\nb,1,4,y\n")
    with pytest.raises(ValueError, match=r"series 'a' has two rows at time 1 \(rows 3 and 5\)"):
        load_file(path, id="id", time="time", label="label")
    path.write_text("id,time,value,label\na,0,1.0,x\na,2020-01-02,2.0,x\n")
    with pytest.raises(ValueError, match=r"row 3: the time '2020-01-02' .* row 2's \('0'\) is a"):
        load_file(path, id="id", time="time", label="label")


def test_ragged_and_missing_values_of_a_long_file_are_named(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("id,value,other,label\na,1,2,x\na,1,x\nb,1,2,y\n")
    with pytest.raises(ValueError, match=r"row 3 has 3 field\(s\), but the header names 4 columns"):
        load_file(path, id="id", label="label")
    for missing in ("?", "", "nan"):
        path.write_text(f"id,value,other,label\na,1,2,x\na,1,{missing},x\nb,1,2,y\nb,3,4,y\n")
        with pytest.raises(ValueError, match=r"row 3, column 3 \('other'\): a missing value"):
            load_file(path, id="id", label="label")
    path.write_text("id,value,other\na,1,2\na,1,2\nb,1,2,\nb,3,4\n")  # trailing: a value
    with pytest.raises(ValueError, match=r"row 4 has 4 field\(s\)"):
        load_file(path, id="id", label="none")
    path.write_text("id,value,label\na,1,x\na,1,x\n,1,y\n")
    with pytest.raises(ValueError, match=r"row 4: the id \(column 'id'\) is missing"):
        load_file(path, id="id", label="label")
    path.write_text("id,value,label\na,1,x\na,oops,x\n")
    with pytest.raises(
        ValueError, match=r"row 3, column 2 \('value'\): expected a number, got 'oops'"
    ):
        load_file(path, id="id", label="label")


def test_a_wide_file_with_an_id_column_drops_it(tmp_path):
    series, labels = _series(n=5, ragged=True)
    lines = ["id,label," + ",".join(f"t{t}" for t in range(8))]
    lines += [
        f"s{i},{y}," + ",".join(map(str, s[:, 0])) + "," * (8 - s.shape[0])  # UCR padding
        for i, (s, y) in enumerate(zip(series, labels, strict=True))
    ]
    (tmp_path / "wide.csv").write_text("\n".join(lines))
    split = load_file(tmp_path / "wide.csv", id="id")  # label first: after the id
    np.testing.assert_array_equal(split.X, _padded(series))
    assert split.y.tolist() == labels
    assert split.ids.tolist() == [f"s{i}" for i in range(5)]
    # time beside one row per id: every series would be one step
    with pytest.raises(ValueError, match="every id is on one row"):
        load_file(tmp_path / "wide.csv", id="id", time="t0")


def test_a_wide_file_with_an_id_repeated_is_refused_naming_it(tmp_path):
    """Before: the repeated id made the file long, read silently as series of one or two
    steps of T channels each (a model that trained, and could not predict a wide file)."""
    series, _ = _series(n=5)
    ids = ["s0", "s1", "s2", "s2", "s4"]  # a duplicate, as data entry makes them
    labels = ["low", "mid", "high", "high", "mid"]  # of one label (others: "label changes")
    lines = ["id,label," + ",".join(f"t{t}" for t in range(7))]
    rows = zip(ids, series, labels, strict=True)
    lines += [f"{i},{y}," + ",".join(map(str, s[:, 0])) for i, s, y in rows]
    (tmp_path / "wide.csv").write_text("\n".join(lines) + "\n")
    message = r"the id 's2' is on rows 4 and 5, but 3 of the 4 ids are on one row: a file of"
    with pytest.raises(ValueError, match=message):
        load_file(tmp_path / "wide.csv", id="id")


def test_a_long_line_with_an_id_reads_as_a_short_one(tmp_path, monkeypatch):
    from frnn.data import textfile

    monkeypatch.setattr(textfile, "_PIECE", 64)  # every line "long": read a piece at a time
    values = np.round(np.random.default_rng(0).standard_normal((3, 40)), 3)
    lines = ["id,label," + ",".join(f"t{t}" for t in range(40)) + ",end"]
    lines += [f"s{i},{i % 2}," + ",".join(map(str, v)) + f",{i}" for i, v in enumerate(values)]
    (tmp_path / "wide.csv").write_text("\n".join(lines))
    front = load_file(tmp_path / "wide.csv", id="id", label="label")  # keys at the front
    np.testing.assert_array_equal(front.X[:, :40, 0], values)
    assert front.X.shape == (3, 41, 1)
    inside = load_file(tmp_path / "wide.csv", id="id", label="t3")  # a key inside the row
    assert inside.X.shape == (3, 41, 1) and inside.y.tolist() == values[:, 3].tolist()


def test_a_pandas_long_frame_reads_as_written(tmp_path):
    pandas = pytest.importorskip("pandas")
    series, labels = _series(n=4, D=2, ragged=True)
    frame = pandas.DataFrame(
        [
            {"case_id": f"k{i}", "time": t, "x": s[t, 0], "y": s[t, 1], "label": labels[i]}
            for i, s in enumerate(series)
            for t in range(s.shape[0])
        ]
    )
    shuffled = frame.sample(frac=1.0, random_state=0)
    shuffled.to_csv(tmp_path / "long.csv")  # an index not from 0: not known as pandas'
    with pytest.raises(ValueError, match="column 1 has no name .* index=False"):
        load_file(tmp_path / "long.csv", id="case_id", time="time", label="label")
    shuffled.reset_index(drop=True).to_csv(tmp_path / "long.csv")  # with its index from 0
    split = load_file(tmp_path / "long.csv", id="case_id", time="time", label="label")
    order = [int(i[1:]) for i in split.ids]
    np.testing.assert_array_equal(split.X, _padded([series[i] for i in order]))
    assert split.y.tolist() == [labels[i] for i in order]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("series_id,timestamp,value,label", "series_id"),
        ("ID,value,label", "ID"),
        ("label,Timestamp,value", "Timestamp"),
        ("case_id,label,t0,t1", "case_id"),
    ],
)
def test_a_header_naming_ids_or_times_is_refused_without_id(tmp_path, header, column):
    path = tmp_path / "data.csv"
    path.write_text(
        header + "\n" + "\n".join(",".join(["1"] * header.count(",") + ["a"]) for _ in range(4))
    )
    with pytest.raises(ValueError, match=f"column '{column}' looks like a .*id="):
        load_file(path, label="label" if "label" in header else "first")


def test_id_none_reads_such_a_file_as_before(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("label,id,t1,t2\n0,1,2,3\n1,4,5,6\n")
    split = load_file(path, label="label", id="none")
    np.testing.assert_array_equal(split.X[:, :, 0], [[1, 2, 3], [4, 5, 6]])
    assert split.ids is None


def test_files_without_key_columns_read_as_before(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("label,t0,t1\n0,1,2\n1,3,4\n")  # a header, no id
    split = load_file(path)
    np.testing.assert_array_equal(split.X[:, :, 0], [[1, 2], [3, 4]])
    assert getattr(split, "ids", None) is None
    path.write_text("target,identity,times\n0,1,2\n1,3,4\n")  # names near, not equal
    assert load_file(path, label="target").X.shape == (2, 2, 1)


def test_id_and_time_are_refused_where_they_do_not_apply(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("id,value,label\na,1,x\na,2,x\n")
    with pytest.raises(ValueError, match="header=False"):
        load_file(path, id="id", header=False)
    with pytest.raises(ValueError, match="no column named 'case'"):
        load_file(path, id="case")
    with pytest.raises(ValueError, match="time='value' orders .* needs id=COLUMN"):
        load_file(path, time="value")
    with pytest.raises(ValueError, match="label='id' names the id or time column"):
        load_file(path, id="id", label="id")
    np.savez(tmp_path / "x.npz", X=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="applies to text files"):
        load_file(tmp_path / "x.npz", id="id")


def test_a_long_file_over_the_memory_cap_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "long.csv"
    rows = 20_000  # one id: a single series of 20,000 steps
    path.write_text("id,value\n" + "".join(f"a,{t}\n" for t in range(rows)))
    assert load_file(path, id="id", label="none").X.shape == (1, rows, 1)
    monkeypatch.setenv("FRNN_MAX_FILE_BYTES", str(400_000))  # the text fits, its rows don't
    with pytest.raises(ValueError, match=r"rows of 1 ids read so far take .* FRNN_MAX_FILE_BYTES"):
        load_file(path, id="id", label="none")
    path.write_text("id,value\n" + "".join(f"id{t},{t}\n" for t in range(rows)))  # many ids
    with pytest.raises(ValueError, match=r"ids read so far take .* over the limit"):
        load_file(path, id="id", label="none")


@pytest.mark.parametrize("batch", [1, 3, 4096])
def test_rows_read_in_batches_of_any_size_read_the_same(tmp_path, monkeypatch, batch):
    """Rows are read in batches (by columns where all have the header's width, else row by
    row): ids new within a batch, series across batches, rows of other widths."""
    from frnn.data import keyed

    monkeypatch.setattr(keyed, "_BATCH", batch)
    series, labels = _series(n=5, D=2, ragged=True)
    order = np.random.default_rng(2).permutation(sum(s.shape[0] for s in series))
    _write_long(tmp_path / "long.csv", series, labels, order=order)
    split = load_file(tmp_path / "long.csv", id="series_id", time="timestamp", label="label")
    expected = [series[int(i[1:])] for i in split.ids]
    np.testing.assert_array_equal(split.X, _padded(expected))
    assert split.y.tolist() == [labels[int(i[1:])] for i in split.ids]
    # one series per row, of different lengths and no padding: row by row
    lines = ["id,label,t0,t1,t2,t3"] + [
        f"s{i},{i % 2}," + ",".join(["1.5"] * (i + 1)) for i in range(4)
    ]
    (tmp_path / "wide.csv").write_text("\n".join(lines))
    wide = load_file(tmp_path / "wide.csv", id="id")
    assert wide.lengths.tolist() == [1, 2, 3, 4] and wide.y.tolist() == [0, 1, 0, 1]
    # a label that changes in a later batch, a bad time in one
    text = (tmp_path / "long.csv").read_text().splitlines()
    last = text[-1].split(",")
    changed = text[:-1] + [",".join([*last[:-1], "other"])]
    (tmp_path / "bad.csv").write_text("\n".join(changed))
    with pytest.raises(
        ValueError, match=f"changes within the series '{last[0]}'.*in row {len(text)}"
    ):
        load_file(tmp_path / "bad.csv", id="series_id", time="timestamp", label="label")
    timed = text[:-1] + [",".join([last[0], "soon", *last[2:]])]
    (tmp_path / "bad.csv").write_text("\n".join(timed))
    with pytest.raises(ValueError, match=f"row {len(text)}: the time 'soon'"):
        load_file(tmp_path / "bad.csv", id="series_id", time="timestamp", label="label")
