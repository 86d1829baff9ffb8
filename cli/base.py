"""Pieces shared by the ``cascade`` subcommands: the parser class, errors, exit statuses."""

from __future__ import annotations

import argparse
import re

# light modules (no engine import): the subcommands and experiments raise these
from experiments.errors import ClusterError as ClusterError
from experiments.errors import OutputError as OutputError
from experiments.errors import UsageError as UsageError
from experiments.options import integer_at_least as integer_at_least

PROG = "cascade"

#: exit statuses
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def one_line(message: object) -> str:
    """Collapse a message to one line (argparse and library messages can contain newlines)."""
    return " ".join(str(message).split())


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors raise :class:`UsageError` instead of printing usage.

    Subparsers are created with the parent's class, so they inherit this behaviour.
    """

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(_tidy_argparse_message(message))


def _tidy_argparse_message(message: str) -> str:
    """Drop argparse's ``argument --n:`` prefix where the message already names the option.

    ``argument --n: --n must be ...`` -> ``--n must be ...``; ``argument --n: x`` -> ``--n: x``.
    """
    message = one_line(message)
    match = re.match(r"argument ([^:]+): (.*)$", message)
    if not match:
        return message
    names, rest = match.groups()
    choice = re.match(r"invalid choice: '([^']*)' \(choose from (.*)\)$", rest)
    if names == "COMMAND" and choice:
        return f"unknown command '{choice.group(1)}'; allowed: {choice.group(2)}"
    option = names.split("/")[-1]
    if rest.startswith(option + " "):
        return rest
    return f"{option}: {rest}"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout (registry listings) and gives option names a wider column."""

    def __init__(self, prog: str, **kwargs) -> None:
        kwargs.setdefault("max_help_position", 32)
        super().__init__(prog, **kwargs)
