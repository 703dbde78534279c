"""The ``frnn`` command's entry point: Ctrl-C at any moment, start-up included, is one line.

Outside :mod:`frnn.cli` on purpose: importing that package imports the parser's modules,
and an interrupt during those imports must be caught too.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Run ``frnn`` with ``sys.argv``; returns the exit code (130 after Ctrl-C)."""
    try:
        from .cli.main import main as run

        return run()
    except KeyboardInterrupt:
        print("frnn: interrupted", file=sys.stderr)
        return 130
