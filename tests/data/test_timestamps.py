"""A long file's time column (frnn.data.timestamps): numbers or ISO 8601 dates, one kind a
file, offsets ordered in UTC. Before, a date in the time column was refused ("is not a
number"), so a database's or a spreadsheet's export had to be converted to numbers first."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from frnn.data.datasets import load_file

START = datetime(2024, 3, 1, 9)


def _write(path, times, rng, n=4, T=6, D=2):
    """A long file of n series of T steps, the step t's time ``times(t)``, its rows shuffled;
    returns the series (n, T, D) in the order of their ids' first rows."""
    X = np.round(rng.standard_normal((n, T, D)), 4)
    rows = [(f"s{i}", times(t), X[i, t], "ab"[i % 2]) for i in range(n) for t in range(T)]
    rows = [rows[k] for k in rng.permutation(len(rows))]
    lines = ["series_id,timestamp,v0,v1,label"]
    lines += [f"{i},{time},{v[0]},{v[1]},{y}" for i, time, v, y in rows]
    path.write_text("\n".join(lines) + "\n")
    firsts = list(dict.fromkeys(i for i, *_ in rows))
    return X[[int(i[1:]) for i in firsts]]


@pytest.mark.parametrize(
    "times",
    [
        lambda t: (START + timedelta(days=t)).date().isoformat(),  # 2024-03-01
        lambda t: (START + timedelta(hours=t)).strftime("%Y-%m-%d %H:%M"),  # a blank, no seconds
        lambda t: (START + timedelta(seconds=t)).isoformat() + "Z",
        lambda t: (START + timedelta(days=t * 40)).isoformat() + "+02:00",  # across months
        lambda t: (START + timedelta(microseconds=t)).isoformat(),  # to the microsecond
        lambda t: f" {(START + timedelta(minutes=t * 7)).isoformat()} ",  # blanks around
    ],
)
def test_iso_dates_order_each_series_rows(tmp_path, times):
    """Every form that spreadsheets, databases and pandas write; the spacing is ignored."""
    X = _write(tmp_path / "long.csv", times, np.random.default_rng(0))
    split = load_file(tmp_path / "long.csv", id="series_id", time="timestamp", label="label")
    np.testing.assert_array_equal(split.X, X)
    assert split.lengths.tolist() == [6] * 4


def test_dates_with_an_offset_are_ordered_in_utc(tmp_path):
    """13:00+02:00 is 11:00 UTC: before 12:00Z, though written later."""
    path = tmp_path / "long.csv"
    path.write_text(
        "id,time,value\n"
        "a,2024-03-01T12:00:00Z,2\n"
        "a,2024-03-01T13:00:00+02:00,1\n"
        "a,2024-03-01T09:30:00-05:00,3\n"  # 14:30 UTC
        "b,2024-03-01T00:00+00:00,4\n"
        "b,2024-02-29T23:00:00-02:00,5\n"  # 2024-03-01T01:00 UTC
    )
    split = load_file(path, id="id", time="time", label="none")
    np.testing.assert_array_equal(split.X[:, :, 0], [[1, 2, 3], [4, 5, 0]])
    path.write_text(path.read_text() + "a,2024-03-01T11:00Z,9\n")  # 13:00+02:00 again
    with pytest.raises(
        ValueError,
        match=r"series 'a' has two rows at time 2024-03-01T11:00Z \(rows 3 and 7\)",
    ):
        load_file(path, id="id", time="time", label="none")


def test_a_date_that_repeats_within_a_series_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "id,time,value\na,2024-03-01,1\nb,2024-03-01,2\na,2024-03-02,3\na,2024-03-01,4\n"
    )
    with pytest.raises(
        ValueError, match=r"series 'a' has two rows at time 2024-03-01 \(rows 2 and 5\)"
    ):
        load_file(path, id="id", time="time", label="none")
    # the same instant in another form: 2024-03-01 is its midnight
    path.write_text("id,time,value\na,2024-03-01,1\na,2024-03-01T00:00:00,3\n")
    with pytest.raises(ValueError, match=r"two rows at time 2024-03-01 \(rows 2 and 3\)"):
        load_file(path, id="id", time="time", label="none")


def test_numbers_that_float64_holds_as_one_time_say_so(tmp_path):
    """Nanoseconds since 1970 (1.7e18) lie beyond 2^53, where float64 steps by 256: rows
    1 ns apart were refused as "two rows at time 1.7e+18", which they are not; the error
    says why now, and what to write instead."""
    path = tmp_path / "long.csv"
    path.write_text("id,time,value\na,1700000000000000071,1\na,1700000000000000108,2\n")
    with pytest.raises(ValueError, match=r"float64, which holds them to steps of 256 .* micro"):
        load_file(path, id="id", time="time", label="none")
    path.write_text("id,time,value\na,17,1\na,17.0,2\n")  # one time: the plain message
    with pytest.raises(ValueError, match=r"a series has one row a time$"):
        load_file(path, id="id", time="time", label="none")


@pytest.mark.parametrize(
    ("first", "other", "kinds"),
    [
        ("5", "2024-03-01", "a date without a UTC offset, but row 2's \\('5'\\) is a number"),
        ("2024-03-01", "5", "a number, but row 2's \\('2024-03-01'\\) is a date without"),
        ("2024-03-01T13:00", "2024-03-01T14:00Z", "a date with a UTC offset, but row 2's"),
        ("2024-03-01T13:00+01:00", "2024-03-01T14:00", "a date without a UTC offset, but"),
    ],
)
def test_time_stamps_of_two_kinds_are_refused_naming_both_rows(tmp_path, first, other, kinds):
    """Numbers beside dates, or dates with an offset beside dates without: no order between
    them (a local time's offset is unknown)."""
    path = tmp_path / "long.csv"
    path.write_text(f"id,time,value\na,{first},1\nb,{first},2\nb,{other},3\n")
    with pytest.raises(
        ValueError, match=f"row 4: the time '{other}' \\(column 'time'\\) is {kinds}"
    ):
        load_file(path, id="id", time="time", label="none")


@pytest.mark.parametrize(
    "bad", ["soon", "01/03/2024", "2024-03-01T25:00", "2024-13-01", "nan", "inf", "", "9" * 1001]
)
def test_a_time_that_is_neither_a_number_nor_a_date_is_refused(tmp_path, bad):
    path = tmp_path / "long.csv"
    for first in ("0", "2024-03-01"):  # numbers first, dates first
        path.write_text(f"id,time,value\na,{first},1\na,{bad},2\n")
        with pytest.raises(ValueError, match="row 3: the time .* is neither a number nor an ISO"):
            load_file(path, id="id", time="time", label="none")


@pytest.mark.parametrize("batch", [1, 3, 4096])
def test_dates_read_in_batches_of_any_size_read_the_same(tmp_path, monkeypatch, batch):
    """Dates are read row by row, numbers a batch at once: a date in a later batch of
    numbers, and a number in a later batch of dates, are refused all the same."""
    from frnn.data import keyed

    monkeypatch.setattr(keyed, "_BATCH", batch)
    rng = np.random.default_rng(batch)
    X = _write(tmp_path / "long.csv", lambda t: (START + timedelta(hours=t)).isoformat(), rng)
    split = load_file(tmp_path / "long.csv", id="series_id", time="timestamp", label="label")
    np.testing.assert_array_equal(split.X, X)
    for times, other in ((lambda t: t, "2024-03-01"), (lambda t: f"2024-03-0{t + 1}", "7")):
        _write(tmp_path / "mixed.csv", times, rng)
        lines = (tmp_path / "mixed.csv").read_text().splitlines()
        lines.append(f"s0,{other},1,2,a")
        (tmp_path / "mixed.csv").write_text("\n".join(lines))
        with pytest.raises(ValueError, match=f"row {len(lines)}: the time '{other}'.* but row 2"):
            load_file(tmp_path / "mixed.csv", id="series_id", time="timestamp", label="label")


def test_dates_beyond_the_usual_years_are_ordered_and_named(tmp_path):
    """Year 1 with an offset east of UTC is year 0 in UTC: numpy names it, datetime cannot."""
    path = tmp_path / "long.csv"
    path.write_text(
        "id,time,value\na,9999-12-31T23:00-02:00,2\na,0001-01-01T00:30+02:00,1\n"
        "a,0001-01-01T00:30+02:00,1\n"
    )
    with pytest.raises(ValueError, match=r"two rows at time 0000-12-31T22:30Z \(rows 3 and 4\)"):
        load_file(path, id="id", time="time", label="none")
    path.write_text("\n".join(path.read_text().splitlines()[:-1]))
    np.testing.assert_array_equal(
        load_file(path, id="id", time="time", label="none").X[0], [[1], [2]]
    )


def test_a_repeated_number_is_named_as_written(tmp_path):
    """Before: 'two rows at time 2.02403e+07', for dates written as numbers."""
    path = tmp_path / "long.csv"
    path.write_text("id,time,value\na,20240301,1\na,20240302,2\na,20240301,3\n")
    with pytest.raises(ValueError, match=r"two rows at time 20240301 \(rows 2 and 4\)"):
        load_file(path, id="id", time="time", label="none")
    path.write_text("id,time,value\na,0.1,1\na,0.25,2\na,0.1,3\n")
    with pytest.raises(ValueError, match=r"two rows at time 0.1 \(rows 2 and 4\)"):
        load_file(path, id="id", time="time", label="none")


@pytest.mark.parametrize("bad", ["01/03/2024", "soon"])
def test_a_first_time_that_is_neither_is_refused(tmp_path, bad):
    """The first row's time stamp sets the file's kind: one of neither kind was taken as
    no kind at all, and the dates after it failed with a TypeError."""
    path = tmp_path / "long.csv"
    path.write_text(f"id,time,value\na,{bad},1\na,{bad},2\n")
    with pytest.raises(ValueError, match="row 2: the time .* is neither a number nor an ISO"):
        load_file(path, id="id", time="time", label="none")
