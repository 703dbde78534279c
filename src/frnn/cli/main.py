"""The ``frnn`` command line: argument parsing and output only; the work is in the library."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from .._validate import Interval, argument_type
from .._version import __version__


def _demo(args: argparse.Namespace) -> int:
    """Initialise a network, run forward and BPTT on a random sequence, print the results."""
    import numpy as np

    from ..engine.model import FullyRecurrentNetwork
    from .numbers import loss_text

    rng = np.random.default_rng(args.seed)
    net = FullyRecurrentNetwork(args.D, args.I, 1, rng=rng)
    x = rng.standard_normal((args.T, args.D))  # (T, D)
    y = 1.0
    loss = net.forward(x, y)
    grads = net.backward()
    print(f"frnn demo: T={args.T} D={args.D} I={args.I} K=1, tanh, bce, seed {args.seed}")
    log2 = loss_text(np.log(2))
    print(f"loss        {loss_text(loss)}   (log 2 = {log2}: the untrained network says 1/2)")
    for name, g in grads.items():
        print(f"|dL/d{name}|    {np.linalg.norm(g):.3e}   shape {g.shape}")
    return 0


_SIZE = argument_type(Interval("int", 1), "size")  # steps, sizes: ≥ 1
_SEED = argument_type(Interval("int", 0), "seed")
_MAX_DRAWN_STEPS = 1000  # the drawing shows 8 of them; longer names shrink the labels


def _graph(args: argparse.Namespace) -> int:
    """Draw the unrolled computational graph to a png, svg or pdf file."""
    from ..viz import graph  # matplotlib loads only for the commands that draw
    from ..viz.figures import image_format, save_figure

    image_format(args.out, "--out")  # an unknown extension fails before any drawing
    steps = args.steps
    if steps > _MAX_DRAWN_STEPS:
        raise ValueError(f"--steps must be at most {_MAX_DRAWN_STEPS}; got {steps}")
    G = graph.build(steps, many_to_many=not args.many_to_one, targets=args.targets)
    ax = graph.draw(G, backward=args.backward)
    print(f"wrote {save_figure(ax.figure, args.out)}")
    return 0


def _plot(args: argparse.Namespace) -> int:
    """Draw one of the pictures of frnn.plots to a png, svg or pdf file."""
    from ..viz import plots
    from ..viz.figures import image_format, save_figure

    out = args.out or f"{args.picture}.png"
    image_format(out, "--out")
    if args.picture == "loss-stability":
        figure = plots.plot_loss_stability()
    else:
        figure = plots.plot_gradient_flow(
            tuple(args.radii), steps=args.steps, hidden=args.hidden, seed=args.seed
        )
    print(f"wrote {save_figure(figure, out)}")
    return 0


def _add_graph_commands(commands) -> None:
    graph = commands.add_parser("graph", help="draw the network unrolled in time")
    graph.add_argument("--steps", type=_SIZE, default="3", help="time steps T (default 3)")
    graph.add_argument(
        "--out", default="graph.png", help="file to write: .png, .svg or .pdf (default graph.png)"
    )
    graph.add_argument("--many-to-one", action="store_true", help="a loss on the last step only")
    graph.add_argument("--targets", action="store_true", help="draw the targets y(t) too")
    graph.add_argument("--backward", action="store_true", help="overlay the BPTT gradients")
    graph.set_defaults(run=_graph)
    plot = commands.add_parser("plot", help="draw a picture of what happens inside")
    plot.add_argument(
        "picture",
        choices=["loss-stability", "gradient-flow"],
        metavar="PICTURE",
        help="loss-stability (the naive and the stable cross-entropy against the logit) or "
        "gradient-flow (the size of the gradient back through time, per spectral radius)",
    )
    plot.add_argument(
        "--out",
        help="file to write: .png, .svg or .pdf (default: PICTURE.png, e.g. gradient-flow.png)",
    )
    plot.add_argument(
        "--steps", type=_SIZE, default="50", help="gradient-flow: sequence length T (default 50)"
    )
    plot.add_argument(
        "--hidden", type=_SIZE, default="16", help="gradient-flow: hidden size I (default 16)"
    )
    plot.add_argument(
        "--seed", type=_SEED, default="0", help="gradient-flow: random seed (default 0)"
    )
    plot.add_argument(
        "--radii",
        nargs="+",
        type=argument_type(Interval("real", 0, closed="neither"), "radius"),
        default=[0.5, 1.0, 1.5],
        help="gradient-flow: spectral radii of R (default 0.5 1.0 1.5)",
    )
    plot.set_defaults(run=_plot)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def format_help(self) -> str:
        # Help lines come from reST docstrings, whose ``literal`` marks are noise in a terminal.
        return super().format_help().replace("``", "")


# Each command's one-line help, and which builder adds its arguments.  Only the command
# being run is built in full (its builder imports numpy, scikit-learn, ...); the others
# are listed by name and help, so ``frnn --help`` starts without importing them.
_HELP = {
    "demo": "forward and backward on a random sequence",
    "graph": "draw the network unrolled in time",
    "plot": "draw a picture of what happens inside",
    "train": "train a classifier or regressor (no options: GunPoint)",
    "evaluate": "score a saved classifier or regressor on labelled data",
    "predict": "a saved classifier's or regressor's predictions on data",
}


def _builders() -> dict:
    from .predict import add_predict_parsers
    from .train import add_train_parser

    return {
        "demo": _add_demo,
        "graph": _add_graph_commands,
        "plot": _add_graph_commands,
        "train": add_train_parser,
        "evaluate": add_predict_parsers,
        "predict": add_predict_parsers,
    }


def _add_demo(commands) -> None:
    demo = commands.add_parser("demo", help=_HELP["demo"])
    demo.add_argument("--T", type=_SIZE, default=20, help="sequence length T (default 20)")
    demo.add_argument("--D", type=_SIZE, default=3, help="input size D (default 3)")
    demo.add_argument("--I", type=_SIZE, default=8, help="hidden size I (default 8)")
    demo.add_argument("--seed", type=_SEED, default="0", help="random seed (default 0)")
    demo.set_defaults(run=_demo)


def build_parser(command: str | None = "all") -> argparse.ArgumentParser:
    """The argument parser; ``command`` names the one subcommand built in full ("all":
    every one, None: none, for the top-level help)."""
    parser = _Parser(
        prog="frnn",
        description="The fully recurrent network (vanilla Elman RNN): train a classifier or "
        "a regressor on built-in or your own time series, or a forecaster on one long series "
        "(frnn train --series), evaluate and predict with it, and draw the network unrolled "
        "in time. `frnn train` with no options trains on GunPoint.",
    )
    parser.add_argument("--version", action="version", version=f"frnn {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    builders = {} if command is None else _builders()
    wanted = {b for name, b in builders.items() if command in ("all", name)}
    for name, text in _HELP.items():
        builder = builders.get(name)
        if builder in wanted:
            if name not in commands.choices:
                builder(commands)  # registers each command it builds
        else:
            commands.add_parser(name, help=text, add_help=False)
    for sub in commands.choices.values():
        if sub.add_help:  # a command built in full takes --debug after it too
            sub.add_argument(
                "--debug",
                action="store_true",
                default=argparse.SUPPRESS,
                help="show tracebacks on errors",
            )
    return parser


def _command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is one), or None."""
    return next((word for word in argv if word in _HELP), None)


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, run, and turn every expected error into one line on stderr."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv))
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning(args, warnings.showwarning)
            return args.run(args)
    except BrokenPipeError:  # before OSError: the reader of stdout has gone (`| head`)
        return _stop_quietly()
    except (ValueError, TypeError, RuntimeError, OSError) as error:
        if args.debug:
            raise
        print(f"frnn {args.command}: error: {_message(error, args)}", file=sys.stderr)
        return 2
    except MemoryError as error:  # frnn's own name the sizes and what to change
        if args.debug:
            raise
        text = _message(error, args) if str(error) else "not enough memory for these sizes"
        print(f"frnn {args.command}: error: {text}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"frnn {args.command}: interrupted", file=sys.stderr)
        return 130


def _stop_quietly() -> int:
    """Stop as command-line tools do when the reader of their output has gone (``frnn
    predict ... | head``): no error message, stdout pointed at /dev/null so that the
    interpreter's last flush does not report the same broken pipe, and the status a shell
    gives a process that a broken pipe stopped, 128 + SIGPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind stdout (captured in tests)
        pass
    return 128 + 13  # SIGPIPE is 13 on every POSIX system


def _show_warning(args: argparse.Namespace, show):
    """``warnings.showwarning`` that prints the warnings about the data (its layout, a class
    leave-one-out cannot see, series far from the training lengths, a label column that
    ``--label auto`` read as values, an option the file does not take) and the one that
    numba's compiled loops cannot run here as one line,
    named as the command's errors are, each once (``predict`` asks the model twice: for
    the labels and for the probabilities); other warnings as Python shows them."""
    shown = set()

    def show_warning(message, category, filename, lineno, file=None, line=None):
        from ..data.layouts import LayoutWarning
        from ..data.lengths import LengthWarning
        from ..engine.fallback import CompiledLoopsWarning
        from ..reservoir.classifier import LeaveOneOutWarning
        from .data import IgnoredWarning, LabelWarning

        data = LayoutWarning | LeaveOneOutWarning | LengthWarning | LabelWarning | IgnoredWarning
        if not issubclass(category, data | CompiledLoopsWarning):
            return show(message, category, filename, lineno, file, line)
        text = f"frnn {args.command}: warning: {_message(message, args)}"
        if text not in shown:
            shown.add(text)
            print(text, file=sys.stderr)

    return show_warning


def _message(error: BaseException | Warning, args: argparse.Namespace) -> str:
    """The error as one line, naming options where the library names its parameters."""
    from .flags import trained_layout, trained_lengths, with_flags

    names = {"label", "header", "id", "time"}  # the readers' keywords: --label, --header, …
    if args.command == "train":
        from .forecast import FORECAST_KEYS
        from .options import all_defaults

        names |= set(all_defaults()) | set(FORECAST_KEYS)
    text = _one_line(error)
    if args.command in ("predict", "evaluate"):  # the model's layout, no --data-format
        text = trained_layout(text)
        data = args.data or getattr(args, "series", None)
        text = trained_lengths(text, data or f"data set {args.dataset}")
    if args.command == "train":  # only the test split can be far from the training lengths
        text = trained_lengths(text, "the test split")
    return with_flags(text, names)


def _one_line(error: BaseException | Warning) -> str:
    """The error as one line, naming the file an OSError is about (its words, without
    the "[Errno 2]" and the quoted file name that ``str`` of an OSError adds)."""
    words = getattr(error, "strerror", None) if isinstance(error, OSError) else None
    text = " ".join(str(words or error).split()) or type(error).__name__
    filename = getattr(error, "filename", None)
    if filename is not None and str(filename) not in text:
        text = f"{filename}: {text}"
    return text
