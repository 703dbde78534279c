"""The ``frnn`` command line: argument parsing and output only; the work is in the library."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .network import FullyRecurrentNetwork


def _demo(args: argparse.Namespace) -> int:
    """Initialise a network, run forward and BPTT on a random sequence, print the results."""
    rng = np.random.default_rng(args.seed)
    net = FullyRecurrentNetwork(args.D, args.I, 1, rng=rng)
    x = rng.standard_normal((args.T, args.D))  # (T, D)
    y = 1.0
    loss = net.forward(x, y)
    grads = net.backward()
    print(f"frnn demo: T={args.T} D={args.D} I={args.I} K=1, tanh, bce, seed {args.seed}")
    print(f"loss        {loss:.6f}   (log 2 = {np.log(2):.6f}: the untrained network says 1/2)")
    for name, g in grads.items():
        print(f"|dL/d{name}|    {np.linalg.norm(g):.3e}   shape {g.shape}")
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per command."""
    parser = argparse.ArgumentParser(prog="frnn", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="forward and backward on a random sequence")
    demo.add_argument("--T", type=_positive_int, default=20, help="sequence length")
    demo.add_argument("--D", type=_positive_int, default=3, help="input size")
    demo.add_argument("--I", type=_positive_int, default=8, help="hidden size")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, run, and turn every expected error into one line on stderr."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError, RuntimeError, OSError) as error:
        if args.debug:
            raise
        print(f"frnn {args.command}: error: {error}", file=sys.stderr)
        return 2
