"""The ``frnn`` command line: argument parsing and output over the library."""

from .main import main

__all__ = ["main"]
