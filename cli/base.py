"""Pieces shared by the ``cascade`` subcommands: the parser class, errors, exit statuses."""

from __future__ import annotations

import argparse
import re

PROG = "cascade"

#: exit statuses
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as one line and exit status 2."""


class OutputError(Exception):
    """The run succeeded but its results could not be written: one line and exit status 1."""


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


def integer_at_least(option: str, low: int):
    """An argparse ``type`` for ``option``: an integer >= ``low``, else one line naming it."""

    def parse(raw: str) -> int:
        try:
            value = int(raw.strip(), 10)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"{option} must be an integer >= {low} (got {raw!r})")
        return value

    return parse


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout (registry listings) and gives option names a wider column."""

    def __init__(self, prog: str, **kwargs) -> None:
        kwargs.setdefault("max_help_position", 32)
        super().__init__(prog, **kwargs)
