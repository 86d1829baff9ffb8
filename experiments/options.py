"""Command-line options: the integer parser every command uses, and an experiment's options.

Light on purpose (argparse only): ``cascade --help`` imports it without loading the engine.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Params = dict[str, Any]


class OptionError(ValueError):
    """A sweep gave an experiment option a value its parser refuses (one line)."""


def integer_at_least(option: str, low: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer >= ``low``, else one line naming ``option``."""

    def parse(raw: str) -> int:
        try:
            value = int(raw.strip(), 10)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"{option} must be an integer >= {low} (got {raw!r})")
        return value

    return parse


@dataclass(frozen=True)
class Option:
    """One experiment-specific command-line option (also a sweep parameter, by its ``dest``).

    ``default`` may be a function of the parameter file (``params -> value``), so that the
    file given with ``--params`` supplies it; ``help`` may contain ``{default}``.
    """

    flag: str
    help: str
    type: Callable[[str], Any] | None = None
    default: Any = None
    metavar: str | None = None
    choices: Sequence[str] | None = None
    flag_only: bool = False  # a switch (store_true)
    append: bool = False  # repeatable: the value is the list of every occurrence

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def default_for(self, params: Params) -> Any:
        return self.default(params) if callable(self.default) else self.default

    def add_to(self, parser: argparse.ArgumentParser, params: Params | None) -> None:
        shown = self.default_for(params) if params is not None else None
        text = self.help.replace("{default}", "none" if shown is None else str(shown))
        if self.flag_only:
            parser.add_argument(self.flag, action="store_true", help=text)
            return
        parser.add_argument(self.flag, type=self.type, default=None, metavar=self.metavar,
                            choices=self.choices, help=text,
                            action="append" if self.append else "store")

    def parse(self, raw: Any) -> Any:
        """A sweep's value for this option: strings go through the option's ``type``."""
        if self.flag_only:
            return bool(raw)
        if isinstance(raw, str) and self.type is not None:
            try:
                return self.type(raw)
            except (argparse.ArgumentTypeError, ValueError) as err:
                raise OptionError(str(err)) from None
        if self.type is not None and isinstance(raw, int | float) and not isinstance(raw, bool):
            try:
                return self.type(str(raw))
            except (argparse.ArgumentTypeError, ValueError) as err:
                raise OptionError(str(err)) from None
        return raw
