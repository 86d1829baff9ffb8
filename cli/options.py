"""Command-line options generated from the settings the engine's parts declare.

One option per :class:`sim.SimulationConfig` field, ``--field-name`` for ``field_name``, in the
order and blocks of :data:`sim.config.SECTIONS`. Type, default, one-line help and allowed names
come from each field's :class:`~sim.params.Param`, declared beside the code that reads it, and
the listing of every registry's names and summaries in the help's epilog from the registries
themselves (:class:`~sim.params.Registry`), so a new setting or a new registered network or
policy appears here without touching this module.

Allowed names are *not* enforced with argparse ``choices=`` (whose error is a multi-line usage
dump); ``SimulationConfig.validate()`` checks them and raises a one-line ``ConfigError``.
Values that do not even parse (``--n abc``) are reported with the same wording validate() uses,
e.g. ``--n must be an integer >= 1 (got 'abc')``.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sim.config import SECTIONS, ConfigError, SimulationConfig
from sim.params import Param, Registry, option


@dataclass(frozen=True)
class Choice:
    """A field whose value must be one of a set of names."""

    names: list[str]
    summaries: dict[str, str]  # name -> one-line summary ("" if the names have none)
    title: str  # heading of the listing in the help's epilog ("": not listed)


def _choice(param: Param) -> Choice:
    names = list(param.choices or ())
    if isinstance(param.choices, Registry):
        return Choice(names, param.choices.summaries(), param.choices.title)
    return Choice(names, {name: "" for name in names}, "")


def choices() -> dict[str, Choice]:
    """Allowed values of the choice fields (field name -> :class:`Choice`), in field order."""
    return {p.name: _choice(p) for section in SECTIONS for p in section.parameters
            if p.choices is not None}


# ------------------------------------------------------------------ reading the settings
def option_name(field: str) -> str:
    return option(field)


def field_help() -> dict[str, str]:
    """Per-field one-line help, as each field's declaration gives it."""
    return {p.name: p.help for section in SECTIONS for p in section.parameters}


def field_groups() -> dict[str, str]:
    """Field name -> the title of its block."""
    return {p.name: section.title for section in SECTIONS for p in section.parameters}


# ------------------------------------------------------------------------- conversion
def _value_message(field: str, raw: str, what: str) -> str:
    """The message validate() gives for ``raw`` in ``field`` (so wording and bounds match)."""
    try:
        SimulationConfig(**{field: raw}).validate()
    except ConfigError as err:
        message = str(err)
        if message.startswith(option_name(field)):
            return message
    except Exception:  # noqa: BLE001 - fall back to the generic wording below
        pass
    return f"{option_name(field)} must be {what} (got {raw!r})"


def converter(field: str, kind: type) -> Callable[[str], Any]:
    """An argparse ``type=`` function for a field of type ``kind``."""

    def to_int(raw: str) -> int:
        try:
            return int(raw.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(_value_message(field, raw, "an integer")) from None

    def to_float(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(_value_message(field, raw, "a finite number"))
        return value

    def to_str(raw: str) -> str:
        return raw

    convert = {int: to_int, float: to_float, str: to_str}.get(kind)
    if convert is None:
        raise TypeError(f"unsupported config field type {kind!r} for {field}")
    convert.__name__ = kind.__name__  # argparse names the type in some messages
    return convert


# ---------------------------------------------------------------------------- options
def _format_default(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _default_notes() -> dict[str, str]:
    mode, value = SimulationConfig().share_mode
    notes = {"r": "none"}
    if mode == "mpcr":
        notes["mpcr"] = f"{value:g} unless --r is given"
    return notes


def _help_for(param: Param, choice: Choice | None, note: str | None) -> str:
    text = param.help or param.name.replace("_", " ")
    if choice is not None:

        def named(name: str) -> bool:
            return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None

        if not all(named(name) for name in choice.names):
            text = text.rstrip(". ") + "; one of: " + ", ".join(choice.names)
    default = note if note is not None else _format_default(param.default)
    text = f"{text.rstrip(' .')} (default: {default})"
    return text.replace("%", "%%")  # argparse %-formats help strings


def _metavar(field: str, kind: type, choice: Choice | None) -> str:
    if choice is not None:
        return "NAME"
    if field.endswith("_file"):
        return "PATH"
    return {int: "INT", float: "NUM"}.get(kind, "TEXT")


def add_config_options(parser: argparse.ArgumentParser) -> list[str]:
    """Add one option per config field to ``parser``, block by block; return the field names.

    Options default to ``argparse.SUPPRESS``: only the options the user gave appear in the
    namespace, and :func:`config_from_args` leaves the rest to the dataclass defaults.
    """
    allowed = choices()
    notes = _default_notes()
    names = []
    for section in SECTIONS:
        group = parser.add_argument_group(section.title)
        for param in section.parameters:
            choice = allowed.get(param.name)
            group.add_argument(
                param.option,
                dest=param.name,
                type=converter(param.name, param.kind),
                default=argparse.SUPPRESS,
                metavar=_metavar(param.name, param.kind, choice),
                help=_help_for(param, choice, notes.get(param.name)),
            )
            names.append(param.name)
    return names


def registry_epilog() -> str:
    """A listing of the registries' names with their summaries, for the help's epilog."""
    registries = [p.choices for section in SECTIONS for p in section.parameters
                  if isinstance(p.choices, Registry)]
    return "\n\n".join(registry.describe() for registry in registries)


def config_from_args(args: argparse.Namespace, fields: Iterable[str] | None = None):
    """The validated :class:`SimulationConfig` for the options given in ``args``.

    Raises:
        ConfigError: a value is out of range or unknown (one line naming the option).
    """
    fields = list(fields) if fields is not None else SimulationConfig.field_names()
    given = {name: getattr(args, name) for name in fields if hasattr(args, name)}
    if given.get("mpcr") is not None and given.get("r") is not None:
        raise ConfigError("give either --mpcr or --r, not both")
    return SimulationConfig(**given).validate()
