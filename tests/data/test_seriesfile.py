"""One long series in a text file (frnn.data.seriesfile): header and time column found,
delimiters as the other readers split them, missing values NaN, bad files named."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.data.seriesfile import read_series_file


def _read(tmp_path, name: str, text: str, **options):
    path = tmp_path / name
    path.write_text(text)
    return read_series_file(str(path), **options)


def test_one_column_without_header(tmp_path):
    found = _read(tmp_path, "s.csv", "1\n2.5\n3\n")
    np.testing.assert_array_equal(found.values, [[1.0], [2.5], [3.0]])
    assert (found.names, found.header, found.time, found.step()) == (
        ["column 1"],
        False,
        None,
        None,
    )
    assert found.rows.tolist() == [1, 2, 3]


def test_a_date_column_is_found_and_its_step(tmp_path):
    text = "time,load,temp\n2024-03-01T00:00,1,5\n2024-03-01T01:00,2,\n2024-03-01T02:00,3,7\n"
    found = _read(tmp_path, "s.csv", text)
    assert (found.names, found.columns, found.time) == (["load", "temp"], [2, 3], "time")
    assert found.time_kind == "local" and found.step() == 3_600_000_000  # an hour in µs
    assert np.isnan(found.values[1, 1]) and found.values[2, 1] == 7.0
    assert found.rows.tolist() == [2, 3, 4]


def test_a_numeric_time_column_by_its_name_or_none(tmp_path):
    text = "time\tload\n0\t1\n2\t2\n4\t3\n"
    found = _read(tmp_path, "s.tsv", text)
    assert found.time == "time" and found.step() == 2.0
    kept = _read(tmp_path, "s.tsv", text, time="none")
    assert kept.names == ["time", "load"] and kept.time is None


def test_a_spreadsheets_semicolons_and_decimal_commas(tmp_path):
    found = _read(tmp_path, "s.csv", "date;load\n2024-03-01;1,5\n2024-03-02;2,5\n")
    np.testing.assert_array_equal(found.values[:, 0], [1.5, 2.5])
    assert found.time == "date" and found.step() == 86_400_000_000


def test_pandas_index_column_is_dropped(tmp_path):
    found = _read(tmp_path, "s.csv", ",load\n0,1.5\n1,2.5\n")
    assert found.names == ["load"] and found.values[:, 0].tolist() == [1.5, 2.5]


def test_irregular_times_have_no_step(tmp_path):
    found = _read(tmp_path, "s.csv", "time,v\n0,1\n1,2\n3,3\n")
    assert found.time == "time" and found.step() is None


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("x,load\n1,2\n1,2,3\n", {}, "row 3 has 3 fields, but the header has 2"),
        ("1,a\n", {}, "row 1, column 2: expected a number, got 'a'"),
        ("time,v\n1,1\n1,2\n", {}, "row 3's time '1' is not after row 2's"),
        ("time,v\n1,1\n,2\n", {}, "row 3: the time (column 'time') is missing"),
        ("time,v\n1,1\nnoon,2\n", {}, "neither a number nor an ISO 8601 date"),
        ("v\n1\n", {"time": "when"}, "no column named 'when'"),
        ("1,2\n", {"time": "when"}, "has no header row"),
        ("time\n1\n2\n", {}, "only a time column"),
        ("time,v\n", {}, "no rows of values"),
        ("Date;v\n01/01/2024;1\n02/01/2024;2\n", {}, "'01/01/2024' (column 'Date') is neither"),
        ("when,v\n01/01/2024,1\n", {}, "got '01/01/2024' (a date or a time of day?"),
        ("Date;Time;v\n2024-01-01;00:00;1\n", {}, "('Time'): expected a number, got '00:00' (a"),
    ],
)
def test_bad_files_are_named(tmp_path, text, options, message):
    with pytest.raises(ValueError, match="s.csv") as raised:
        _read(tmp_path, "s.csv", text, **options)
    assert message in str(raised.value)


def test_a_txt_file_of_semicolons_says_how_it_is_split(tmp_path):
    """A .txt file is split at whitespace: a row of semicolons is one field (as a well-known
    household power file is written), said in the message."""
    with pytest.raises(ValueError, match="a .txt file is split at whitespace: name it .csv"):
        _read(tmp_path, "power.txt", "Date;Voltage\n2024-01-01;230.1\n")


def test_missing_whole_steps_are_found(tmp_path):
    """skips(): the usual step and where whole steps are missing; None for regular stamps
    and for stamps irregular otherwise (an interval no multiple of the usual one)."""
    lines = [f"2024-03-01T{h:02d}:00,{h}" for h in range(12) if h not in (4, 8, 9)]
    found = _read(tmp_path, "gap.csv", "time,v\n" + "\n".join(lines) + "\n")
    usual, at = found.skips()
    assert usual == 3_600_000_000 and at.tolist() == [3, 6]  # after 03:00 and 07:00
    assert found.step() is None
    numbers = _read(tmp_path, "n.csv", "time,v\n0,1\n1,1\n2,1\n5,1\n6,1\n")
    assert numbers.skips()[0] == 1 and numbers.skips()[1].tolist() == [2]
    assert _read(tmp_path, "r.csv", "time,v\n0,1\n1,1\n2,1\n").skips() is None
    assert _read(tmp_path, "i.csv", "time,v\n0,1\n1,1\n2,1\n3.5,1\n").skips() is None
    assert _read(tmp_path, "x.csv", "v\n1\n2\n3\n").skips() is None


def test_columns_chosen_are_read_alone(tmp_path):
    """columns=: by name or number, in the order given; the others not read (text there
    is no error); a callable sees the labels and the header."""
    text = "time,load,note,temp\n0,1.5,a,3\n1,2.5,b,4\n"
    found = _read(tmp_path, "s.csv", text, columns=["temp", "2"])
    assert found.names == ["temp", "load"] and found.columns == [4, 2]
    assert found.values.tolist() == [[3.0, 1.5], [4.0, 2.5]]
    seen = []
    chosen = _read(
        tmp_path,
        "s.csv",
        text,
        columns=lambda labels, header: seen.append((labels, header)) or ["load"],
    )
    assert seen == [(["time", "load", "note", "temp"], True)] and chosen.names == ["load"]
    assert _read(tmp_path, "b.csv", "1,x,3\n2,y,4\n", columns=[3, 1]).names == [
        "column 3",
        "column 1",
    ]
    for columns, message in (
        (["wind"], "no column 'wind'; the file's columns of values are load, note, temp"),
        (["time"], "'time' is the time column"),
        (["load", "2"], "the column 'load' is chosen twice"),
        (["note"], "row 2, column 3 ('note'): expected a number, got 'a'"),
    ):
        with pytest.raises(ValueError, match="s.csv") as raised:
            _read(tmp_path, "s.csv", text, columns=columns)
        assert message in str(raised.value)


def test_a_column_beyond_a_headerless_file_says_how_many_it_has(tmp_path):
    """Before: "the file's columns of values are column 1, column 2, column 3", names the
    file does not have; now their count and the numbers to pass (the time column aside)."""
    for text, said in (
        (
            "1,0.5,0.6\n2,0.6,0.7\n",
            "the file has 3 columns (1..3) and no header row: name "
            "a column of values by its number, 1..3",
        ),
        (
            "2024-01-01,0.5,0.6\n2024-01-02,0.6,0.7\n",
            "the file has 3 columns (1..3, column "
            "1 the time column) and no header row: name a column of values by its number, 2, 3",
        ),
    ):
        with pytest.raises(ValueError, match="s.csv") as raised:
            _read(tmp_path, "s.csv", text, columns=["7"])
        assert str(raised.value).endswith(f"s.csv: no column '7'; {said}")


def test_dates_among_the_values_beside_another_named_time_column_say_so(tmp_path):
    """Before: "(a date or a time of day? a time column is one column of numbers or of ISO
    8601 dates ...: write it so, ...)", of a column of ISO 8601 dates: the time column the
    user meant, where time= named another."""
    text = "when,step,load\n2024-01-01T00:00,1,0.5\n2024-01-01T01:00,2,0.6\n"
    with pytest.raises(ValueError, match=r"s.csv") as raised:
        _read(tmp_path, "s.csv", text, time="step")
    assert str(raised.value).endswith(
        "row 2, column 1 ('when'): expected a number, got '2024-01-01T00:00' (dates: the time "
        "column? time='step' names another)"
    )
    assert _read(tmp_path, "s.csv", text).time == "when"  # found by itself


def test_a_blank_line_among_the_rows_is_a_missing_step(tmp_path):
    """A spreadsheet's empty cell in a one-column series is a blank line: a step whose value
    is missing, not a step less (which would shift every later value by one)."""
    found = _read(tmp_path, "s.csv", "value\n1\n2\n\n4\n\n\n7\n\n")
    np.testing.assert_array_equal(found.values[:, 0], [1, 2, np.nan, 4, np.nan, np.nan, 7])
    assert found.rows.tolist() == [2, 3, 4, 5, 6, 7, 8]  # the blank lines' own numbers
    two = _read(tmp_path, "t.csv", "1,5\n\n3,7\n")  # a row of missing values
    np.testing.assert_array_equal(two.values, [[1, 5], [np.nan, np.nan], [3, 7]])


def test_blank_lines_with_time_stamps_or_in_a_quoted_field_are_no_steps(tmp_path):
    stamped = _read(tmp_path, "s.csv", "time,load\n0,1\n\n1,2\n2,3\n")
    np.testing.assert_array_equal(stamped.values[:, 0], [1, 2, 3])
    quoted = _read(tmp_path, "q.csv", 'a,note\n1,"x\n\ny"\n2,z\n', columns=["a"])
    np.testing.assert_array_equal(quoted.values[:, 0], [1, 2])
    assert quoted.rows.tolist() == [2, 5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("load,city\n1,n0\n", r"row 2, column 2 \('city'\): expected a number, got 'n0' "
         r"\(a column of text\? .*--inputs\)"),
        ('load\n1\n"1,234.5"\n', r"row 3, column 1 \('load'\): .*thousands separator ','\? "
         r"Write the number without it, as 1234.5"),
        ("1\nabc\n", r"row 2, column 1: expected a number, got 'abc' \(a column of text"),
    ],
)  # fmt: skip
def test_a_field_that_is_no_number_is_named_with_a_hint(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        _read(tmp_path, "s.csv", text)


def _business_days(tmp_path, end: str, drop=()):
    days = np.arange(np.datetime64("2024-01-01"), np.datetime64(end))
    days = days[np.is_busday(days)]
    days = days[~np.isin(days, np.array(drop, dtype="datetime64[D]"))]
    text = "date,price\n" + "".join(f"{d},{i % 7}\n" for i, d in enumerate(days))
    return _read(tmp_path, "b.csv", text)


def test_a_calendar_of_business_days_is_found_with_its_next_intervals(tmp_path):
    day = 86_400_000_000
    found = _business_days(tmp_path, "2024-12-31", drop=["2024-07-04"])  # ends on a Monday
    assert found.calendar() == (5, [day, day, day, day, 3 * day])
    late = _business_days(tmp_path, "2024-12-31", drop=["2024-12-25"])  # the phase shifted
    assert late.calendar() == (5, None)  # a period, but the last rows' is not sure


def test_no_calendar_for_a_step_missing_once_or_regular_stamps(tmp_path):
    hours = "time,load\n" + "".join(f"{t},{t % 5}\n" for t in range(200) if t != 50)
    assert _read(tmp_path, "h.csv", hours).calendar() is None
    regular = "time,load\n" + "".join(f"{t},{t % 5}\n" for t in range(200))
    assert _read(tmp_path, "r.csv", regular).calendar() is None


def test_no_calendar_for_steps_missing_here_and_there(tmp_path):
    kept = [t for t in range(300) if t not in (40, 41, 97, 150, 151, 152, 260)]
    text = "time,load\n" + "".join(f"{t},{t % 5}\n" for t in kept)
    assert _read(tmp_path, "h.csv", text).calendar() is None
