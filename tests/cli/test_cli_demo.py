"""The demo command: it runs, prints the loss and the gradient norms, and rejects bad sizes;
and every command stops quietly when the reader of its output has gone."""

import os
import subprocess
import sys

import pytest

from helpers import run_cli as run


def test_demo_prints_loss_and_gradient_norms():
    result = run("demo", "--T", "5", "--I", "3")
    assert result.returncode == 0, result.stderr
    assert "loss        0.69" in result.stdout
    assert all(f"|dL/d{name}|" in result.stdout for name in "WRV")


def test_demo_rejects_a_zero_size_in_one_line():
    result = run("demo", "--I", "0")
    assert result.returncode == 2
    assert "must be a positive integer" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_reader_that_has_gone_stops_the_command_quietly():
    """``frnn predict ... | head``: the reader closes the pipe before frnn writes.  Before:
    "frnn demo: error: Broken pipe" and status 2; now no message and status 141 (128 +
    SIGPIPE), as command-line tools stop, with no report from the interpreter's last flush."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "frnn", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        process.stdout.close()  # the reader has gone before the first line is written
        stderr = process.stderr.read()
        status = process.wait(timeout=120)
    assert stderr == ""
    assert status == 141
