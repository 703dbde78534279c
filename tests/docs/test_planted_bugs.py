"""benchmarks/planted_bugs.py loses no work: it refuses, in one line, to plant a bug in a file
with uncommitted changes, and puts each file's exact bytes back after its tests, after an
error, on Ctrl-C (SIGINT) and on SIGTERM (it restored files with ``git checkout``, which
discarded any uncommitted edit).  Run on a scratch copy (a git repository in tmp_path
holding the script, the file bug 0 edits and a stand-in pytest), never on the real tree."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "planted_bugs.py"
TARGET = "src/frnn/engine/protocol.py"  # the file bug 0 edits
OLD = "        if array.shape != shape or array.dtype != dtype:"
# the file's bytes: CRLF, no newline at the end, a non-ASCII character
CONTENT = b"# protocol \xc2\xb1\r\n" + OLD.encode() + b"\r\n            raise ValueError\r\n# end"
# The stand-in for .venv/bin/pytest: copies the planted file aside, then does as
# $PLANTED_MODE says: "fail" (a failed test), "pass", or "sleep" (until it is stopped).
STAND_IN = """#!/bin/sh
cp src/frnn/engine/protocol.py seen.txt
case "$PLANTED_MODE" in
  fail) echo "FAILED tests/io/test_io.py::test_x - AssertionError"; exit 1 ;;
  sleep) exec sleep 60 ;;
  *) echo "1 passed"; exit 0 ;;
esac
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch repository: the script, the file bug 0 edits (committed), a stand-in pytest."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "benchmarks").mkdir()
    shutil.copy(SCRIPT, tmp_path / "benchmarks" / "planted_bugs.py")
    (tmp_path / TARGET).parent.mkdir(parents=True)
    (tmp_path / TARGET).write_bytes(CONTENT)
    pytest_path = tmp_path / ".venv" / "bin" / "pytest"
    pytest_path.parent.mkdir(parents=True)
    pytest_path.write_text(STAND_IN)
    pytest_path.chmod(0o755)
    (tmp_path / ".gitignore").write_text(".venv/\nseen.txt\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "scratch")
    return tmp_path


def _start(repo: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PLANTED_MODE": mode}
    return subprocess.Popen(
        [sys.executable, "benchmarks/planted_bugs.py", "0"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_file_with_uncommitted_changes_is_refused_and_left_as_it_is(repo):
    edited = CONTENT + b"\r\n# work in progress"
    (repo / TARGET).write_bytes(edited)
    out, err = _start(repo, "fail").communicate(timeout=60)
    assert err.startswith("planted_bugs: src/frnn/engine/protocol.py has uncommitted changes")
    assert len(err.splitlines()) == 1 and out == ""
    assert (repo / TARGET).read_bytes() == edited
    assert not (repo / "seen.txt").exists()  # no test was run, nothing planted


@pytest.mark.parametrize("mode", ["fail", "pass"])
def test_the_bug_is_planted_then_the_exact_bytes_are_put_back(repo, mode):
    done = _start(repo, mode)
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert f'"caught": {"true" if mode == "fail" else "false"}' in out
    seen = (repo / "seen.txt").read_bytes()  # the file as the tests saw it: planted
    assert seen != CONTENT and b'(name != "V" and array.shape != shape)' in seen
    assert (repo / TARGET).read_bytes() == CONTENT


def test_an_error_while_planted_puts_the_bytes_back(repo):
    stand_in = repo / ".venv" / "bin" / "pytest"
    stand_in.chmod(0o644)  # not executable: running the tests raises PermissionError
    done = _start(repo, "fail")
    _, err = done.communicate(timeout=60)
    assert done.returncode != 0 and "PermissionError" in err
    assert (repo / TARGET).read_bytes() == CONTENT


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_run_puts_the_bytes_back(repo, sig):
    done = _start(repo, "sleep")
    deadline = time.monotonic() + 60
    while not (repo / "seen.txt").exists():  # the tests are running on the planted file
        assert time.monotonic() < deadline and done.poll() is None, done.communicate()
        time.sleep(0.05)
    assert (repo / TARGET).read_bytes() != CONTENT
    done.send_signal(sig)
    _, err = done.communicate(timeout=60)
    assert done.returncode != 0 and "KeyboardInterrupt" in err
    assert (repo / TARGET).read_bytes() == CONTENT


def test_every_planted_line_is_in_its_file_once_and_its_tests_exist():
    """Each bug's line is in its file exactly once, and the tests it runs exist: code that
    moves a planted line (a refactor) would otherwise leave the script stopping at that bug,
    unnoticed until someone runs it (three lines had moved: the PPV comparison, the text
    readers' last line, the labels' int64)."""
    spec = importlib.util.spec_from_file_location("planted_bugs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # definitions only: main runs under __main__
    root = SCRIPT.parents[1]
    stale = [
        (i, path, (root / path).read_text(encoding="utf-8").count(old))
        for i, (_, path, old, _, _) in enumerate(module.BUGS)
    ]
    assert [entry for entry in stale if entry[2] != 1] == []
    missing = {test for *_, tests in module.BUGS for test in tests if not (root / test).is_file()}
    assert missing == set()
