"""Entry point of the ``cascade`` command (``[project.scripts] cascade = "cli.main:main"``).

Every subcommand lives in its own module with ``add_parser(subparsers)``, which registers the
subcommand and sets ``handler`` (a function ``args -> exit status``) as its default.

Errors: anything the user got wrong ends as exactly one line on stderr,
``cascade: error: <what and what is allowed>``, and exit status 2, never a traceback or a
usage dump. Failures while writing results (disk full, ...) end the same way with status 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from cli.base import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    HelpFormatter,
    OutputError,
    Parser,
    UsageError,
    one_line,
)


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("cooperative-cascades")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown (not installed)"


def build_parser() -> Parser:
    """The ``cascade`` parser with all its subcommands."""
    from cli import bench, experiment, plot, roles, run, sweep, viz

    parser = Parser(
        prog=PROG,
        description=(
            "Cooperative behaviour cascades: repeated public-goods games on social networks "
            "(Fowler & Christakis 2010)."
        ),
        epilog=f"Run '{PROG} COMMAND --help' for a command's options. "
        "Bad input ends with one 'cascade: error: ...' line and exit status 2.",
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    run.add_parser(subparsers)
    experiment.add_parser(subparsers)
    sweep.add_parser(subparsers)
    plot.add_parser(subparsers)
    roles.add_parser(subparsers)
    viz.add_parser(subparsers)
    bench.add_parser(subparsers)
    parser.set_defaults(handler=None)
    parser.commands = list(subparsers.choices)  # type: ignore[attr-defined]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cascade`` command with ``argv`` (default ``sys.argv[1:]``); return the status."""
    from experiments.cluster import ClusterError
    from sim import ConfigError

    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.handler is None:
            commands = ", ".join(parser.commands)
            raise UsageError(f"choose a command: {commands} (see '{PROG} --help')")
        return int(args.handler(args))
    except (UsageError, ConfigError) as err:
        print(f"{PROG}: error: {one_line(err)}", file=sys.stderr)
        return EXIT_USAGE
    except (OutputError, ClusterError) as err:  # the work failed, not the input
        print(f"{PROG}: error: {one_line(err)}", file=sys.stderr)
        return EXIT_FAILURE
    except SystemExit as exit_:  # --help and --version print and "exit"; return instead
        code = exit_.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_FAILURE)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `cascade run | head -3`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
