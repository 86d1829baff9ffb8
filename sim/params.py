"""Parameters and registries: the one shape every pluggable part of the engine is described in.

A :class:`Param` is one setting of a run: its field name, default, type, allowed range or names
and one line of help. A :class:`Registry` holds the named parts a setting chooses from
(networks, group structures, update rules, policies, campaign placements, contagion kinds);
each is an :class:`Entry`: name, one-line summary, source (the paper), the parameters it reads,
and the entry itself (the function or class that does the work).

Every part declares its parameters beside its code, e.g. in ``sim/policies/money.py``::

    COMPETITION_TOP_SHARE = Param(
        "competition_top_share", 0.25, "share of each comparison set that competition pays, "
        "best first (0: winner-take-all)", low=0.0, high=1.0)

    class Competition(Policy):
        name = "competition"
        parameters = (POLICY_BUDGET, POLICY_SCOPE, COMPETITION_TOP_SHARE, COMPETITION_RANK)

:mod:`sim.config` gathers the declared parameters into :class:`~sim.config.SimulationConfig`
under their flat field names, which are also the command line's options
(``--competition-top-share``), the keys of parameter files, sweep columns and the Mesa model's
keywords. The command line's help, the browser app's controls and the docs read the registries
through the same attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class ConfigError(ValueError):
    """A configuration value is out of range or unknown. The message is one line for users."""


class Settings(Protocol):
    """A run's settings read by attribute (a :class:`sim.config.SimulationConfig`).

    The engine's parts read the fields they declared, by name; they never build a config.
    """

    def __getattr__(self, name: str) -> Any: ...


def option(name: str) -> str:
    """The command-line option of a field: ``policy_budget`` -> ``--policy-budget``."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class Param:
    """One setting of a run.

    Attributes:
        name: the field name (``--name-with-dashes`` on the command line).
        default: the value when the setting is not given.
        help: one line of plain text (no trailing period).
        kind: ``int``, ``float`` or ``str``.
        optional: ``None`` is allowed (and means "not given").
        low, high, low_open: the allowed range of a number (``low_open``: strictly above
            ``low``); ``None``: unbounded. Integers have a lower bound only.
        choices: the allowed names: a :class:`Registry` or a sequence of names.
        sort_choices: list the allowed names sorted in error messages.
        check: a check of the value alone, instead of the range and names; raises
            :class:`ConfigError`.
        source: where the default comes from (a paper, a calibration, an assumption).
    """

    name: str
    default: Any
    help: str
    kind: type = float
    optional: bool = False
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: Registry | Sequence[str] | None = field(default=None, repr=False)
    sort_choices: bool = False
    check: Callable[[Any], None] | None = field(default=None, repr=False)
    source: str = field(default="", compare=False)

    @property
    def option(self) -> str:
        return option(self.name)

    @property
    def annotation(self) -> Any:
        """The field's type annotation: ``kind`` or ``kind | None``."""
        return self.kind | None if self.optional else self.kind

    def allowed(self) -> list[str]:
        """The allowed names, in the order error messages list them."""
        names = list(self.choices or ())
        return sorted(names) if self.sort_choices else names

    def validate(self, value: Any) -> None:
        """Raise :class:`ConfigError` (one line naming the option) unless ``value`` is allowed."""
        if value is None and self.optional:
            return
        if self.check is not None:
            self.check(value)
        elif self.choices is not None:
            if value not in self.allowed():
                raise ConfigError(
                    f"unknown {self.option} '{value}'; allowed: {', '.join(self.allowed())}"
                )
        elif self.kind is int:
            check_int(self.name, value, int(self.low if self.low is not None else 0))
        elif self.kind is float:
            check_number(self.name, value, self.low, self.high, self.low_open)


def check_int(name: str, value: Any, low: int) -> None:
    """An ``int`` (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{option(name)} must be an integer >= {low} (got {value!r})")


def check_number(name: str, value: Any, low: float | None, high: float | None,
                 low_open: bool = False) -> None:
    """An int or float (not a bool, not NaN) within ``[low, high]`` (``(low, high]``)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value == value
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        bounds = []
        if low is not None:
            bounds.append(f"> {low:g}" if low_open else f">= {low:g}")
        if high is not None:
            bounds.append(f"<= {high:g}")
        rng = "".join(f" {b}" if i == 0 else f" and {b}" for i, b in enumerate(bounds))
        raise ConfigError(f"{option(name)} must be a number{rng} (got {value!r})")


@dataclass(frozen=True, kw_only=True)
class Entry:
    """A named part of the engine, as every registry holds it.

    Attributes:
        name: the name settings use (``--network NAME``, ``--policy NAME``, ...).
        summary: one plain-language line (command-line help, the browser app).
        source: the paper or idea it comes from.
        parameters: the settings it reads (declared beside its code).
        entry: what does the work: a function or a class.
        check: ``check(settings)`` for checks that need several settings at once when this
            entry is chosen; raises :class:`ConfigError`.
    """

    name: str
    summary: str
    source: str = ""
    parameters: tuple[Param, ...] = ()
    entry: Any = None
    check: Callable[[Settings], None] | None = None


class Registry(dict[str, Any]):
    """Named :class:`Entry` objects in the order the command line lists them.

    Attributes:
        title: the heading of the listing in the command line's help, e.g.
            ``"networks (--network)"``.
    """

    def __init__(self, title: str, entries: Iterable[Entry] = ()):
        super().__init__()
        self.title = title
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> Entry:
        """Add ``entry`` under its name; a name can be registered once."""
        if entry.name in self:
            raise ValueError(f"'{entry.name}' is registered twice in {self.title}")
        self[entry.name] = entry
        return entry

    def summaries(self) -> dict[str, str]:
        """Name -> one-line summary."""
        return {name: entry.summary for name, entry in self.items()}

    def parameters(self) -> tuple[Param, ...]:
        """Every entry's parameters, in order of first mention, each once."""
        return unique_parameters(p for entry in self.values() for p in entry.parameters)

    def describe(self, width: int = 24) -> str:
        """The listing of the command line's help: the title, then one line per entry."""
        lines = [f"{self.title}:"]
        for name, entry in self.items():
            lines.append(f"  {name:<{width}}{entry.summary}".rstrip())
        return "\n".join(lines)


def unique_parameters(params: Iterable[Param]) -> tuple[Param, ...]:
    """``params`` in order, each name once; two different declarations of a name fail."""
    seen: dict[str, Param] = {}
    for param in params:
        known = seen.setdefault(param.name, param)
        if known != param:
            raise ValueError(f"parameter '{param.name}' is declared twice, differently")
    return tuple(seen.values())
