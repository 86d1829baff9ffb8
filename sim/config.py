"""The run configuration: one flat dataclass gathered from the settings each part declares.

``SimulationConfig(n=1000, network="silos")`` and ``cascade run --n 1000 --network silos`` mean
the same thing (underscores become dashes on the command line); the same names are the keys of
parameter files, sweep columns and the Mesa model's keywords.

The fields are not written out here. Every part of the engine declares the settings it reads
beside its code, as :class:`~sim.params.Param` objects: the networks (:mod:`sim.networks`), the
group structures (:mod:`sim.groups`), the starting population (:mod:`sim.population`), the
update rules (:mod:`sim.rules`), each policy class (:mod:`sim.policies`) and the campaigns and
ties (:mod:`sim.ties`); only the game's own settings (cost, rounds, endowment, return) are
declared here. :data:`SECTIONS` lays them out in the order of ``cascade run --help``, and
:class:`SimulationConfig` is the dataclass with one field per declared setting.

``validate()`` checks every field, then the checks that need several fields at once (each
declared by the part that needs it), and raises :class:`~sim.params.ConfigError` with one line
naming the option and what is allowed. A validated config remembers it until a field changes,
so the engine (:class:`~sim.simulation.Simulation`) trusts it and checks nothing again.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim import groups, networks, policies, population, rules, ties
from sim.behaviour.parameters import HUMAN_LIKE
from sim.behaviour.split import SPLIT
from sim.params import ConfigError, Param, Settings, unique_parameters
from sim.policies import organisations

# --------------------------------------------------------------------- the game itself
COSTS = ("per-game", "per-individual")
COST = Param("cost", "per-game", "per-game or per-individual (Santos, Santos & Pacheco 2008)",
             kind=str, choices=COSTS)
ROUNDS = Param("rounds", 50, "rounds to play", kind=int, low=1)
ENDOWMENT = Param("endowment", 20.0, "endowment E per round (per game under per-game cost)",
                  low=0.0, low_open=True)
MPCR = Param("mpcr", None, "marginal per-capita return r/|g|, the same in every group; give "
             "this or --r", optional=True, low=0.0, high=1.0, low_open=True)
R = Param("r", None, "multiplication factor r; each group's MPCR is then r/|g|; give this or "
          "--mpcr", optional=True, low=0.0, low_open=True)
MPCR_LOCAL = Param("mpcr_local", None, "two-level game: return of each organisation's pool "
                   "to every team-mate (default 0.4 once --mpcr-system is given; 0: that "
                   "level off)", optional=True, low=0.0, high=1.0)
MPCR_SYSTEM = Param("mpcr_system", None, "two-level game: return of the system's pool, shared "
                    "across organisations; giving it plays the two-level game (0: that level "
                    "off)", optional=True, low=0.0, high=1.0,
                    source="nested public goods (Blackwell & McKee 2003, J Econ Behav Organ "
                    "52:115; docs/science.md section 8)")
SYSTEM_POOLS = ("contacts", "everyone")
SYSTEM_POOL = Param("system_pool", "contacts", "two-level game: the system's pool is shared with "
                    "one's contacts in other organisations, or one pool for everyone", kind=str,
                    choices=SYSTEM_POOLS)
#: the two-level game's settings (docs/science.md section 8)
LEVELS = (MPCR_LOCAL, MPCR_SYSTEM, SYSTEM_POOL)
#: the game's own settings
GAME = (COST, ROUNDS, ENDOWMENT, MPCR, R, *LEVELS)
#: the MPCR when neither ``mpcr`` nor ``r`` is given (Fehr & Gächter 2002)
DEFAULT_MPCR = 0.4
#: policies that change the one-level game's return, which the two-level game does not use
_ONE_LEVEL_POLICIES = ("growing-resources", "envelope")


def _check_game(config: Settings) -> None:
    if config.mpcr is not None and config.r is not None:
        raise ConfigError("give either --mpcr or --r, not both")
    _check_levels(config)


def _check_levels(config: Settings) -> None:
    """The two-level game's options, alone and with the others (one line each)."""
    names = config.policy.split(policies.JOIN)
    if config.mpcr_system is None:
        if config.mpcr_local is not None:
            raise ConfigError("--mpcr-local needs --mpcr-system (the two-level game); for one "
                              "level use --mpcr")
        if config.system_pool != SYSTEM_POOL.default:
            raise ConfigError("--system-pool needs --mpcr-system (the two-level game)")
        return
    if config.mpcr is not None or config.r is not None:
        raise ConfigError("the two-level game sets its returns with --mpcr-local and "
                          "--mpcr-system; drop --mpcr and --r")
    if config.mpcr_system == 0.0 and config.mpcr_local == 0.0:
        raise ConfigError("--mpcr-local and --mpcr-system cannot both be 0 (no pool left)")
    if config.network not in policies.TEAM_NETWORKS:
        raise ConfigError(f"the two-level game needs organisations: a network with teams "
                          f"(silos, or a file with a 'team' attribute); got --network "
                          f"{config.network}")
    if config.groups != groups.GROUPS.default:
        raise ConfigError(f"the two-level game plays in organisations (the network's teams); "
                          f"--groups {config.groups} does not apply")
    if config.update != "synchronous":
        raise ConfigError("the two-level game updates synchronously; --update "
                          f"{config.update} is not available with --mpcr-system")
    if not rules.RULES[config.rule].uses_beliefs:
        raise ConfigError(f"the two-level game's split is human-like: --rule {config.rule} is "
                          "not available with --mpcr-system (use human or conditional)")
    if config.weaving > 0 or config.cutting > 0:
        raise ConfigError("--weaving and --cutting rewire the network, which the two-level "
                          "game's organisations do not follow; set them to 0")
    for name in names:
        if name in _ONE_LEVEL_POLICIES:
            raise ConfigError(f"--policy {name} changes the one-level game's return; it is not "
                              "available with --mpcr-system")


@dataclass(frozen=True)
class Section:
    """A block of settings, as ``cascade run --help`` groups them.

    Attributes:
        title: the block's heading.
        parameters: its settings, in order.
        checks: ``check(config)`` functions for settings needed together; they run after every
            field has been checked alone.
    """

    title: str
    parameters: tuple[Param, ...]
    checks: tuple[Callable[[Settings], None], ...] = ()


#: every setting, block by block, in the order of the command line
SECTIONS: tuple[Section, ...] = (
    Section("population and network", networks.PARAMETERS, (networks.check,)),
    Section("games", groups.PARAMETERS + GAME + population.PARAMETERS,
            (groups.check, _check_game)),
    Section("learning", rules.LEARNING),
    Section("human-like behaviour (human and conditional rules)", HUMAN_LIKE + SPLIT,
            (rules.check,)),
    Section("institutions (policies)", policies.PARAMETERS + organisations.PARAMETERS,
            (policies.check, organisations.check)),
    Section("campaigns and ties", ties.PARAMETERS, (ties.check,)),
)
#: every setting, in field order
PARAMETERS: tuple[Param, ...] = unique_parameters(
    param for section in SECTIONS for param in section.parameters
)
#: field name -> its declaration
BY_NAME: dict[str, Param] = {param.name: param for param in PARAMETERS}
#: settings whose file defines the number of agents (``n`` is then ignored)
FILE_NETWORKS = ("edgelist", "graphml")


class _Settings:
    """The behaviour of :class:`SimulationConfig`; its fields are gathered below."""

    _valid: bool = False

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in BY_NAME:  # a changed field: validate() checks again
            object.__setattr__(self, "_valid", False)

    # ------------------------------------------------------------------ helpers
    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SimulationConfig:
        """Build from a mapping, rejecting unknown keys with a one-line error; validated."""
        known = set(cls.field_names())
        for key in values:
            if key not in known:
                raise ConfigError(
                    f"unknown setting '{key}'; allowed: {', '.join(sorted(known))}"
                )
        return cls(**values).validate()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> SimulationConfig:
        """A validated copy with ``changes``."""
        if not changes:  # validated first, so the next copy of this config is not checked again
            return copy.copy(self.validate())
        return dataclasses.replace(self, **changes).validate()

    @property
    def network_defines_n(self) -> bool:
        """File networks set the number of agents themselves; ``n`` is then ignored."""
        return self.network in FILE_NETWORKS

    @property
    def two_level(self) -> bool:
        """Whether the run plays the two-level game (``mpcr_system`` given)."""
        return self.mpcr_system is not None

    @property
    def share_mode(self) -> tuple[str, float]:
        """``("mpcr", value)`` or ``("r", value)``; default MPCR 0.4 (Fehr & Gächter 2002).
        In the two-level game, the organisations' pools return ``mpcr_local``."""
        if self.mpcr_system is not None:
            return "mpcr", DEFAULT_MPCR if self.mpcr_local is None else float(self.mpcr_local)
        if self.r is not None:
            return "r", float(self.r)
        return "mpcr", DEFAULT_MPCR if self.mpcr is None else float(self.mpcr)

    # --------------------------------------------------------------- validation
    @property
    def validated(self) -> bool:
        """Whether :meth:`validate` passed and no field has changed since."""
        return self._valid

    def validate(self) -> SimulationConfig:
        """Check every field, then the settings needed together; return self or raise
        :class:`ConfigError`. Nothing is checked again until a field changes."""
        if self._valid:
            return self
        for param in PARAMETERS:
            param.validate(getattr(self, param.name))
        for section in SECTIONS:
            for check in section.checks:
                check(self)
        object.__setattr__(self, "_valid", True)
        return self


def _docstring() -> str:
    lines = [
        "Everything that defines a run except the seed.",
        "",
        "One field per setting declared by the engine's parts (see :mod:`sim.config`).",
        "",
        "Attributes (grouped as on ``cascade run --help``):",
    ]
    for section in SECTIONS:
        lines.append(f"    # {section.title}")
        lines += [f"    {param.name}: {param.help}." for param in section.parameters]
    return "\n".join(lines)


#: the run configuration (a dataclass; see the module docstring)
SimulationConfig = dataclasses.make_dataclass(
    "SimulationConfig",
    [(p.name, p.annotation, dataclasses.field(default=p.default)) for p in PARAMETERS],
    bases=(_Settings,),
    module=__name__,
)
SimulationConfig.__doc__ = _docstring()

__all__ = ["PARAMETERS", "SECTIONS", "ConfigError", "Section", "SimulationConfig"]
