"""The laboratory design as a validated dataclass.

:class:`LabDesign` is the Fehr & Gächter (2002, Nature 415:137) protocol. The subjects are the
project's human-like people (:class:`sim.behaviour.parameters.Behaviour`). It validates like
:class:`sim.SimulationConfig`: a bad value raises :class:`sim.params.ConfigError` with one line
naming the option and what is allowed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sim.params import ConfigError, check_int, check_number

ORDERS = ("counterbalanced", "punishment-first", "punishment-last")


@dataclass(frozen=True)
class LabDesign:
    """The Fehr & Gächter (2002) laboratory protocol.

    Attributes:
        sessions: number of sessions (10 in the original: 240 subjects).
        session_size: subjects per session (24).
        group_size: group size (4); groups are re-matched every period as perfect strangers.
        periods: periods per treatment (6 without and 6 with punishment).
        endowment: MU per subject per period (20).
        mpcr: what each MU in the group account returns to every member (0.4).
        punishment_cost: cost of one punishment point to the punisher (1 MU).
        punishment_impact: cost of one point to the punished (3 MU).
        max_points: most points one subject can assign to another per period (10).
        order: ``counterbalanced`` (sessions alternate: even-numbered sessions start without
            punishment, odd ones with), ``punishment-first`` or ``punishment-last``.
    """

    sessions: int = 10
    session_size: int = 24
    group_size: int = 4
    periods: int = 6
    endowment: float = 20.0
    mpcr: float = 0.4
    punishment_cost: float = 1.0
    punishment_impact: float = 3.0
    max_points: int = 10
    order: str = "counterbalanced"

    def __post_init__(self) -> None:
        _int(self, "sessions", 1)
        _int(self, "session_size", 2)
        _int(self, "group_size", 2)
        _int(self, "periods", 1)
        _int(self, "max_points", 0)
        if self.session_size % self.group_size:
            raise ConfigError(
                f"--session-size must be a multiple of --group-size {self.group_size} "
                f"(got {self.session_size})"
            )
        _number(self, "endowment", 0.0, None, low_open=True)
        _number(self, "mpcr", 0.0, 1.0, low_open=True)
        _number(self, "punishment_cost", 0.0, None)
        _number(self, "punishment_impact", 0.0, None)
        if self.order not in ORDERS:
            raise ConfigError(f"unknown --order '{self.order}'; allowed: {', '.join(ORDERS)}")

    @property
    def total_periods(self) -> int:
        return 2 * self.periods

    def punishment_first(self, session: int) -> bool:
        """Whether session number ``session`` (from 0) plays the punishment block first."""
        if self.order == "counterbalanced":
            return session % 2 == 1
        return self.order == "punishment-first"

    def replace(self, **changes: Any) -> LabDesign:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _int(obj: Any, name: str, low: int) -> None:
    check_int(name, getattr(obj, name), low)


def _number(obj: Any, name: str, low: float, high: float | None, low_open: bool = False) -> None:
    check_number(name, getattr(obj, name), low, high, low_open)
