"""The command line as a person reads it (issue 12): --resume with options beside it, errors
naming flags rather than Python parameters, --label / --header on frnn train, help texts
and printed numbers."""

import json

import numpy as np
import pytest

from frnn.cli import config as cli_config
from frnn.cli import rundir
from frnn.cli.main import _HELP, build_parser, main
from helpers import run_cli as frnn

TINY = ["--training", "bptt", "--epochs", "3", "--hidden-size", "3", "--n-ensemble", "1"]
PARITY = ["--dataset", "parity", "--n-train", "16", "--n-test", "8", "--length", "5"]
# Reservoirs, which n_jobs runs side by side (parity's own default is a BPTT stream of
# 40,000 steps: 20-40 s a run)
RESERVOIRS = ["--training", "reservoir", "--n-reservoirs", "3"]


def _unstarted_run(folder, *argv) -> str:
    """A run directory as a kill before the first checkpoint leaves it: config.json only."""
    config = cli_config.new_config(build_parser().parse_args(["train", *argv]))
    folder.mkdir()
    rundir.write_json(folder / "config.json", config)
    return str(folder)


def assert_same_model(a, b) -> None:
    """The same parameters bit for bit, and the same training history but for its timings."""
    from frnn import io

    with np.load(a) as archive_a, np.load(b) as archive_b:
        assert archive_a.files == archive_b.files
        for key in archive_a.files:
            if not key.startswith("__"):
                np.testing.assert_array_equal(archive_a[key], archive_b[key], err_msg=key)
    model_a, model_b = io.load(a), io.load(b)
    assert model_a.get_params() == model_b.get_params()
    history_a, history_b = getattr(model_a, "history_", {}), getattr(model_b, "history_", {})
    assert history_a.keys() == history_b.keys()
    assert all(history_a[k] == history_b[k] for k in history_a if k != "seconds")


# -- 1. --resume with options beside it ---------------------------------------------------


def test_resume_takes_checkpoint_every_and_records_it(tmp_path, monkeypatch):
    from frnn import io

    run = _unstarted_run(tmp_path / "r", *PARITY, *TINY)
    saved = []
    real = io.save_state
    monkeypatch.setattr(io, "save_state", lambda path, state: saved.append(real(path, state)))
    assert main(["train", "--resume", run, "--checkpoint-every", "1", "--quiet"]) == 0
    assert len(saved) == 3 + 1  # after each of the 3 epochs, then at the end (default 10: 1)
    assert rundir.read_json(tmp_path / "r" / "config.json")["checkpoint_every"] == 1


def test_resume_takes_n_jobs_and_gives_the_same_model(tmp_path):
    fresh = ["train", *PARITY, *RESERVOIRS, "--quiet", "--out", str(tmp_path / "a")]
    assert main(fresh) == 0
    run = _unstarted_run(tmp_path / "b", *PARITY, *RESERVOIRS)
    assert main(["train", "--resume", run, "--n-jobs", "2", "--quiet"]) == 0
    assert rundir.read_json(tmp_path / "b" / "config.json")["estimator"]["n_jobs"] == 2
    with np.load(tmp_path / "a" / "model.npz") as a, np.load(tmp_path / "b" / "model.npz") as b:
        assert sorted(a) == sorted(b)
        assert all(np.array_equal(a[k], b[k]) for k in a if k != "__meta__")  # meta: n_jobs


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--hidden-size", "4"], "--hidden-size"),
        (["--seed", "3"], "--seed"),
        (["--clip", "none"], "--clip"),
        (["--length", "6"], "--length"),
        (["--label", "last"], "--label"),
        (["--out", "elsewhere"], "--out"),
    ],
)
def test_resume_refuses_settings_naming_the_flag(tmp_path, option, named):
    run = _unstarted_run(tmp_path / "r", *PARITY, *TINY)
    done = frnn("train", "--resume", run, *option, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert f"drop {named} (only --checkpoint-every, --n-jobs may change" in done.stderr


@pytest.mark.parametrize("value", ["abc", "1.5"])
def test_resume_refuses_a_bad_n_jobs_before_recording_it(tmp_path, value):
    """Before: the value was written into config.json, then refused, and every later
    plain --resume failed on it."""
    run = _unstarted_run(tmp_path / "r", *PARITY, *RESERVOIRS)
    before = (tmp_path / "r" / "config.json").read_bytes()
    done = frnn("train", "--resume", run, "--n-jobs", value, cwd=tmp_path)
    assert done.returncode == 2 and "--n-jobs must be an integer" in done.stderr, done.stderr
    assert (tmp_path / "r" / "config.json").read_bytes() == before
    assert main(["train", "--resume", run, "--quiet"]) == 0


def test_resume_takes_n_jobs_of_a_regression_run(tmp_path):
    """The regressor's reservoirs run side by side too (it had no n_jobs: refused)."""
    run = _unstarted_run(tmp_path / "r", "--dataset", "adding", "--n-train", "16")
    assert main(["train", "--resume", run, "--n-jobs", "2", "--quiet"]) == 0
    assert rundir.read_json(tmp_path / "r" / "config.json")["estimator"]["n_jobs"] == 2


# -- 2. errors name the flag, not the Python parameter -------------------------------------

FLAG_ERRORS = [
    (["--hidden-size", "0"], "--hidden-size must be a positive integer or none; got 0"),
    (["--training", "ridge"], "--training must be one of ['reservoir', 'bptt']; got 'ridge'"),
    (["--seed", "2.5"], "--seed: expected an integer in [0, 2**32) or none, got '2.5'"),
    (["--clip", "-1"], "--clip must be a positive number or none; got -1.0"),
    (["--dataset", "parity", "--n-train", "0"], "option --n-train of data set 'parity' must be"),
    (["--length", "5"], "--length: not an option of data set 'gunpoint' (its options: none)"),
    (
        [*PARITY, *TINY, "--validation-fraction", "0.99"],
        "--validation-fraction 0.99 leaves no validation or no training series",
    ),
    (
        [*PARITY, "--training", "reservoir", "--hidden-size", "10000000"],
        "--hidden-size 10000000 and --n-reservoirs 48 need about",
    ),
    (
        [*PARITY, "--hidden-size", "10000000"],  # a memory task: BPTT from a stream
        "--hidden-size 10000000 and --n-ensemble 5 need about",
    ),
    (["--train", "x.ts", "--label", "last"], "--label last applies to text files"),
]


@pytest.mark.parametrize(("args", "message"), FLAG_ERRORS, ids=[m for _, m in FLAG_ERRORS])
def test_errors_name_the_flag_not_the_parameter(tmp_path, args, message):
    (tmp_path / "x.ts").write_text("@problemName x\n@data\n1,2,3:a\n3,2,1:b\n")
    done = frnn("train", *args, "--quiet", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert message in done.stderr
    for name in ("hidden_size", "validation_fraction", "n_reservoirs", "n_train", "label="):
        assert name not in done.stderr
    runs = tmp_path / "runs"
    assert not runs.exists() or not any(runs.iterdir())  # no run left behind by a refusal


def test_with_flags_leaves_other_words_alone():
    from frnn.cli.flags import with_flags

    names = {"training", "epochs", "n_ensemble", "frame_size"}
    text = "after 3 epochs of training, frame_size_ was 2 and resume_state (n_ensemble) lost"
    assert with_flags(text, names) == text.replace("(n_ensemble)", "(--n-ensemble)")
    assert with_flags("epochs=2.5 and training='bptt'", names) == "--epochs 2.5 and --training bptt"
    path = "/data/frame_size.csv: no such file; C:\\frame_size\\x.csv"
    assert with_flags(path, names) == path


def test_with_flags_writes_none_as_typed_only_where_the_library_means_python_none():
    """Before: every word None became none, the user's text (a field, a path) too."""
    from frnn.cli.flags import with_flags

    names = {"clip", "random_state"}
    assert with_flags("clip must be a positive number or None; got -1.0", names) == (
        "--clip must be a positive number or none; got -1.0"
    )
    assert with_flags("random_state must be None, an integer; got None", names) == (
        "--seed must be none, an integer; got none"
    )
    field = "d.csv: row 3, column 2: expected a number, got 'None'"
    assert with_flags(field, names) == field
    path = "/data/None/None.csv: no such file; no column named None"
    assert with_flags(path, names) == path


def test_with_flags_names_the_readers_header_as_header_takes_it():
    """Before: "read without a header row (header=False)" read "(--header False)", a word
    --header refuses (it takes auto, yes or no)."""
    from frnn.cli.flags import with_flags

    text = "read without a header row (header=False); header=True reads it; header=None"
    assert with_flags(text, {"header"}) == (
        "read without a header row (--header no); --header yes reads it; --header auto"
    )


# -- 3. --label and --header on frnn train --------------------------------------------------


def _layouts(tmp_path) -> None:
    """The same labelled series three ways: label first, label last, a named column."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 24)
    X = (rng.standard_normal((24, 10)) + y[:, None]).tolist()

    def write(name, rows, header=None):
        lines = [header] if header else []
        lines += [",".join(row) for row in rows]
        (tmp_path / name).write_text("\n".join(lines) + "\n")

    text = [[repr(float(v)) for v in x] for x in X]
    write("first.csv", ([str(c), *x] for c, x in zip(y, text, strict=True)))
    write("last.csv", ([*x, str(c)] for c, x in zip(y, text, strict=True)))
    names = ",".join([*(f"t{i}" for i in range(4)), "class", *(f"t{i}" for i in range(4, 10))])
    write("named.csv", ([*x[:4], str(c), *x[4:]] for c, x in zip(y, text, strict=True)), names)


@pytest.mark.slow
@pytest.mark.parametrize("training", [["--n-reservoirs", "2"], TINY], ids=["reservoir", "bptt"])
def test_label_last_or_named_trains_the_same_model_as_label_first(tmp_path, monkeypatch, training):
    monkeypatch.chdir(tmp_path)
    _layouts(tmp_path)
    runs = {
        "first": ["--train", "first.csv"],
        "last": ["--train", "last.csv", "--label", "last"],
        "named": ["--train", "named.csv", "--label", "class", "--header", "yes"],
    }
    for name, args in runs.items():
        out = str(tmp_path / name)
        assert main(["train", *args, *training, "--quiet", "--out", out]) == 0
    for name in ("last", "named"):
        assert_same_model(tmp_path / "first" / "model.npz", tmp_path / name / "model.npz")
    config = json.loads((tmp_path / "named" / "config.json").read_text())
    assert config["data"]["label"] == "class" and config["data"]["header"] == "yes"
    again = cli_config.new_config(
        build_parser().parse_args(["train", "--config", str(tmp_path / "named" / "config.json")])
    )
    assert again["data"]["label"] == "class"  # --config repeats how the file was read


def test_config_with_new_files_keeps_its_label_and_header_unless_given(tmp_path, monkeypatch):
    """Before: --config c.json --train new.csv dropped the config's --label and --header,
    and new.csv was read as label first, header detected."""
    monkeypatch.chdir(tmp_path)
    _layouts(tmp_path)
    base = _new_config("--train", "named.csv", "--label", "class", "--header", "yes")
    (tmp_path / "c.json").write_text(json.dumps(base))
    (tmp_path / "new.csv").write_bytes((tmp_path / "named.csv").read_bytes())
    config = tmp_path / "c.json"
    same = _new_config("--config", config, "--train", "new.csv")
    assert (same["data"]["label"], same["data"]["header"]) == ("class", "yes")
    assert same["data"]["train"] == str(tmp_path / "new.csv")
    other = _new_config("--config", config, "--train", "first.csv", "--label", "first")
    assert (other["data"]["label"], other["data"]["header"]) == ("first", "yes")
    built_in = _new_config("--config", config, "--dataset", "parity")
    assert "label" not in built_in["data"] and "header" not in built_in["data"]


def _new_config(*argv) -> dict:
    return cli_config.new_config(build_parser().parse_args(["train", *map(str, argv)]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train", "first.csv", "--label", "none"], "--label none: training needs the labels"),
        (["--dataset", "parity", "--label", "last"], "--label: for --train/--test files"),
        (["--train", "first.csv", "--label", "class"], "--label class names a header column, but"),
        (["--train", "named.csv", "--label", "klass"], "no column named 'klass'; the header na"),
    ],
)
def test_train_label_errors_are_one_line(tmp_path, args, message):
    _layouts(tmp_path)
    done = frnn("train", *args, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert message in done.stderr and not (tmp_path / "runs").exists()


# -- 4. help texts and what is printed ----------------------------------------------------


@pytest.mark.parametrize("command", [None, *_HELP])
def test_no_rest_markup_in_any_help(tmp_path, command):
    args = ["--help"] if command is None else [command, "--help"]
    done = frnn(*args, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip()
    assert "``" not in done.stdout


def test_seed_help_says_integer_or_none(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    seed = help_text.split("--seed INT", 1)[1].split("--taps", 1)[0]
    assert "RandomState" not in seed and "an integer, or none for a fresh random seed" in seed


def test_class_weight_help_offers_only_what_the_command_line_takes(capsys):
    """The docstring's "dict {label: weight}" was the help, which no value on the command
    line gives ('{"0": 2}', '0=2' are refused)."""
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    weight = help_text.split("--class-weight VALUE", 2)[2].split("--neighbour-weight", 1)[0]
    assert weight.strip().startswith("none, or balanced: each series' weight in the loss"), weight


def test_plot_has_a_default_out(tmp_path):
    done = frnn("plot", "loss-stability", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote loss-stability.png"
    assert (tmp_path / "loss-stability.png").stat().st_size > 0


def test_predict_out_says_what_it_wrote(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _layouts(tmp_path)
    assert main(["train", "--train", "first.csv", "--n-reservoirs", "2", "--quiet", "--out",
                 str(tmp_path / "r")]) == 0  # fmt: skip
    done = frnn("predict", "--model", "r", "--data", "last.csv", "--label", "last", "--out",
                "p.csv", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0 and done.stdout == "wrote p.csv\n", done.stderr
    assert (tmp_path / "p.csv").read_text().startswith("row,prediction,p_0,p_1\n")


def test_losses_print_in_one_format(tmp_path, capsys):
    from frnn.cli.numbers import loss_text

    assert [loss_text(v) for v in (3.874e-05, 0.0006502, 0.000431, 0.693147)] == [
        "0.000039",
        "0.000650",
        "0.000431",
        "0.693147",
    ]
    main(["train", *PARITY, "--steps", "400", "--out", str(tmp_path / "r")])  # a short stream
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    table = capsys.readouterr().out
    assert loss_text(metrics["train"]["loss"], 10) in table
    assert loss_text(metrics["test"]["loss"], 10) in table
