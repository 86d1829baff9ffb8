"""Command-line options generated from :class:`sim.SimulationConfig`.

One option per dataclass field, ``--field-name`` for ``field_name``, in the order and groups of
the class body (its ``# comment`` lines name the groups). The type comes from the annotation
(``int``, ``float``, ``str``, or ``X | None``), the help text from the class docstring's
``Attributes`` section, and the allowed names of registry-backed fields (network, rule, groups,
...) from the registries themselves, so a new field or a new registered network appears here
without touching this module.

Allowed names are *not* enforced with argparse ``choices=`` (whose error is a multi-line usage
dump); ``SimulationConfig.validate()`` checks them and raises a one-line ``ConfigError``.
Values that do not even parse (``--n abc``) are reported with the same wording validate() uses,
e.g. ``--n must be an integer >= 1 (got 'abc')``.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import math
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sim import config as config_module
from sim.config import ConfigError, SimulationConfig


@dataclass(frozen=True)
class Choice:
    """A field whose value must be one of a registry's names."""

    names: list[str]
    summaries: dict[str, str]  # name -> one-line summary ("" if the registry has none)
    title: str  # heading of the listing in the help's epilog


def _registry(registry: dict[str, Any], title: str, sort: bool = False) -> Choice:
    names = sorted(registry) if sort else list(registry)
    return Choice(names, {k: getattr(registry[k], "summary", "") for k in names}, title)


def choices() -> dict[str, Choice]:
    """Allowed values of the choice fields, read from the registries."""
    from sim.groups import GROUP_STRUCTURES
    from sim.networks import NETWORKS
    from sim.policies import POLICIES, RANKINGS, REWARDS, SCOPES
    from sim.rules import RULES
    from sim.ties import CONTAGIONS, PLACEMENTS

    out = {
        "network": _registry(NETWORKS, "networks (--network)"),
        "groups": _registry(GROUP_STRUCTURES, "group structures (--groups)"),
        "rule": _registry(RULES, "update rules (--rule)"),
        "policy": _registry(POLICIES, "policies (--policy; combine with '+')"),
        "campaign_placement": _registry(PLACEMENTS, "campaign placements (--campaign-placement)"),
        "contagion": Choice(list(CONTAGIONS), dict(CONTAGIONS), "contagion (--contagion)"),
    }
    for name, values in (
        ("matching", config_module.MATCHINGS),
        ("cost", config_module.COSTS),
        ("strategies", config_module.STRATEGY_SPACES),
        ("update", config_module.UPDATES),
        ("policy_scope", SCOPES),
        ("competition_rank", RANKINGS),
        ("cooperation_reward", REWARDS),
    ):
        out[name] = Choice(list(values), {v: "" for v in values}, "")
    return out


# ------------------------------------------------------------------ reading the dataclass
def option_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def field_help() -> dict[str, str]:
    """Per-field help from the ``Attributes`` section of ``SimulationConfig``'s docstring.

    An entry may name several fields (``a, b, c: text``) and continue on indented lines.
    """
    doc = inspect.cleandoc(SimulationConfig.__doc__ or "")
    entries: dict[str, str] = {}
    inside = False
    current: list[str] = []
    for line in doc.splitlines():
        if not inside:
            inside = line.startswith("Attributes")
            continue
        if not line.strip():
            if entries:
                break
            continue
        if not line.startswith(" "):  # the next section
            break
        match = re.match(r"^ {1,4}(\w+(?:\s*,\s*\w+)*)\s*:\s*(.*)$", line)
        if match:
            current = [n.strip() for n in match.group(1).split(",")]
            for name in current:
                entries[name] = match.group(2).strip()
        else:
            for name in current:
                entries[name] = f"{entries[name]} {line.strip()}"
    return {name: _plain(text) for name, text in entries.items()}


def _plain(text: str) -> str:
    """Docstring markup to plain help text."""
    text = text.replace("``", "")
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text)
    return " ".join(text.split())


def field_groups() -> dict[str, str]:
    """Field name -> group title, from the ``# comment`` lines in the class body."""
    try:
        source = inspect.getsource(SimulationConfig)
    except (OSError, TypeError):
        return {}
    groups: dict[str, str] = {}
    title = ""
    for line in source.splitlines():
        comment = re.match(r"^ {4}# (\w.*)$", line)
        if comment and not set(comment.group(1)) <= set("-"):
            title = comment.group(1).strip()
            continue
        annotated = re.match(r"^ {4}(\w+)\s*:", line)
        if annotated and title:
            groups[annotated.group(1)] = title
    return groups


def _base_type(annotation: Any) -> tuple[type, bool]:
    """``int`` -> (int, False); ``float | None`` -> (float, True)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
        raise TypeError(f"unsupported config annotation {annotation!r}")
    return annotation, False


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


#: help texts that read better on the command line than the docstring's (which may describe
#: several fields at once or name other fields without their dashes)
HELP_OVERRIDES = {
    "mpcr": "marginal per-capita return r/|g|, the same in every group; give this or --r",
    "r": "multiplication factor r; each group's MPCR is then r/|g|; give this or --mpcr",
    "share_conditional": "share of conditional cooperators for the conditional rule "
    "(Fischbacher, Gächter & Fehr 2001)",
    "share_free_rider": "share of free riders for the conditional rule",
    "share_hump": "share of hump-shaped givers for the conditional rule; the rest of the "
    "population (1 minus the three shares) are noisy unconditional givers",
}


def _help_for(field: dataclasses.Field, text: str, choice: Choice | None, note: str | None) -> str:
    text = HELP_OVERRIDES.get(field.name) or text or field.name.replace("_", " ")
    if choice is not None:
        text = re.sub(r"\s*\(see [^)]*\)", "", text)

        def named(name: str) -> bool:
            return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None

        if not all(named(name) for name in choice.names):
            text = text.rstrip(". ") + "; one of: " + ", ".join(choice.names)
    default = note if note is not None else _format_default(field.default)
    text = f"{text.rstrip(' .')} (default: {default})"
    return text.replace("%", "%%")  # argparse %-formats help strings


def _metavar(field: str, kind: type, choice: Choice | None) -> str:
    if choice is not None:
        return "NAME"
    if field.endswith("_file"):
        return "PATH"
    return {int: "INT", float: "NUM"}.get(kind, "TEXT")


def add_config_options(parser: argparse.ArgumentParser) -> list[str]:
    """Add one option per config field to ``parser``; return the field names.

    Options default to ``argparse.SUPPRESS``: only the options the user gave appear in the
    namespace, and :func:`config_from_args` leaves the rest to the dataclass defaults.
    """
    hints = typing.get_type_hints(SimulationConfig)
    helps = field_help()
    titles = field_groups()
    allowed = choices()
    notes = _default_notes()
    sections: dict[str, argparse._ArgumentGroup] = {}
    names = []
    for field in dataclasses.fields(SimulationConfig):
        kind, _optional = _base_type(hints[field.name])
        title = titles.get(field.name, "simulation settings")
        if title not in sections:
            sections[title] = parser.add_argument_group(title)
        choice = allowed.get(field.name)
        sections[title].add_argument(
            option_name(field.name),
            dest=field.name,
            type=converter(field.name, kind),
            default=argparse.SUPPRESS,
            metavar=_metavar(field.name, kind, choice),
            help=_help_for(field, helps.get(field.name, ""), choice, notes.get(field.name)),
        )
        names.append(field.name)
    return names


def registry_epilog(width: int = 24) -> str:
    """A listing of the registries' names with their summaries, for the help's epilog."""
    blocks = []
    for choice in choices().values():
        if not choice.title:
            continue
        lines = [f"{choice.title}:"]
        for name in choice.names:
            summary = choice.summaries.get(name, "")
            lines.append(f"  {name:<{width}}{summary}".rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


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
