"""The demo command: it runs, prints the loss and the gradient norms, and rejects bad sizes."""

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
