"""Entry point of the ``cascade`` command (``[project.scripts] cascade = "cli.main:main"``).

Every subcommand lives in its own module with ``add_parser(subparsers, argv)``, which registers the
subcommand and sets ``handler`` (a function ``args -> exit status``) as its default. Only the
module of the command being run is imported (the others would load Dask, Matplotlib and SciPy
for nothing); ``cascade --help`` and unknown commands import them all.

Errors: anything the user got wrong ends as exactly one line on stderr,
``cascade: error: <what and what is allowed>``, and exit status 2, never a traceback or a
usage dump. Failures while writing results (disk full, ...) end the same way with status 1.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from cli.base import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    ClusterError,
    HelpFormatter,
    OutputError,
    Parser,
    UsageError,
    one_line,
)


def _version() -> str:
    try:
        return version("cooperative-cascades")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown (not installed)"


#: command -> the module that defines it, in the order ``cascade --help`` lists them
COMMANDS = {
    "run": "cli.run",
    "experiment": "cli.experiment",
    "sweep": "cli.sweep",
    "plot": "cli.plot",
    "roles": "cli.roles",
    "viz": "cli.viz",
    "bench": "cli.bench",
}


def _command(argv: Sequence[str] | None) -> str | None:
    """The command ``argv`` runs (its first word, if that names a command), else None."""
    words = [word for word in (argv or ()) if not word.startswith("-")]
    return words[0] if words and words[0] in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The ``cascade`` parser with its subcommands: all of them, or, when ``argv`` names a
    command, that one in full and the others by name only."""
    chosen = _command(argv)
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
    for name, module in COMMANDS.items():
        if chosen is None or name == chosen:
            importlib.import_module(module).add_parser(subparsers, argv or ())
        else:  # not run now: its name only, so that the list of commands stays whole
            subparsers.add_parser(name)
    parser.set_defaults(handler=None)
    parser.commands = list(subparsers.choices)  # type: ignore[attr-defined]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cascade`` command with ``argv`` (default ``sys.argv[1:]``); return the status."""
    from sim import ConfigError

    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(argv)
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
