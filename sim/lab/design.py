"""The laboratory design and the human-like population, as two validated dataclasses.

:class:`LabDesign` is the Fehr & Gächter (2002, Nature 415:137) protocol; :class:`Behaviour`
holds the parameters of the subjects' decisions, each documented in :data:`PROVENANCE` with
where its value comes from. Both validate like :class:`sim.SimulationConfig`: a bad value raises
:class:`sim.params.ConfigError` with one line naming the option and what is allowed.
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


#: Where each behavioural parameter's value comes from. "literature" values carry over from the
#: papers; "calibrated" ones were fitted (experiments/calibrate_fowler_christakis.py) because no
#: paper fixes them; "assumption" ones are modelling choices, not fitted.
PROVENANCE: dict[str, str] = {
    "share_conditional": "literature: about 50% conditional cooperators (Fischbacher, Gächter "
    "& Fehr 2001, Economics Letters 71:397)",
    "share_free_rider": "literature: about 30% free riders (FGF 2001)",
    "share_hump": "literature: about 14% hump-shaped contributors (FGF 2001); the remaining "
    "~6% are 'other' types, modelled as unconditional givers of a fixed random amount",
    "slope": "calibrated: mean slope of conditional cooperators' contribution on belief; FGF "
    "2001 and Fischbacher & Gächter 2010 (AER 100:541) find it below 1 (selfish bias) but do "
    "not fix it for this model",
    "slope_sd": "assumption: heterogeneity of the slope between conditional cooperators",
    "belief_weight": "calibrated: weight of the group-mates' last mean in the belief update; "
    "Fischbacher & Gächter 2010 find beliefs follow what others gave last period",
    "initial_belief": "calibrated: mean period-1 belief in MU, set so period-1 contributions "
    "are near half the endowment (Fehr & Gächter 2002; docs/science.md section 2, approx.)",
    "initial_belief_sd": "assumption: spread of period-1 beliefs between subjects (MU)",
    "noise": "assumption: sd of decision noise as a share of the endowment",
    "compliance": "calibrated: share of the gap to the expected norm a subject closes in the "
    "first punishment period, before any punishment (anticipated sanctions)",
    "margin": "calibrated: MU above the expected mean that a sanction-wary subject aims at "
    "(punishment falls on those below the others' mean: Fehr & Gächter 2002)",
    "learning": "calibrated: how fast sanction pressure grows per point received (punished "
    "subjects raise their contributions: Fehr & Gächter 2000, 2002)",
    "punish_rate": "assumption: expected points per MU a group-mate gives below the others' "
    "mean, by each member who gave more (punishment rises with that shortfall: Fehr & "
    "Gächter 2002, Fig. 3); not fitted to the punishment data",
    "restart": "calibrated: share of the belief that returns to its period-1 value when a new "
    "treatment block starts (the restart effect, Andreoni 1988)",
}


@dataclass(frozen=True)
class Behaviour:
    """Parameters of the human-like subjects (see :data:`PROVENANCE` for each value's source).

    A subject's type is drawn from the shares; a conditional cooperator gives ``slope_i``
    times her belief (``slope_i`` normal around ``slope``), a hump-shaped one
    ``slope_i * min(belief, E - belief)``, a free rider nothing, an 'other' a fixed random amount
    in [0, E]. Beliefs start near ``initial_belief`` and move each period a share
    ``belief_weight`` of the way to the group-mates' mean. In punishment periods a subject
    closes a share ``pressure`` of the gap between that and ``belief + margin``; pressure starts
    at ``compliance`` and grows with the points received at rate ``learning``. Every decision
    has normal noise of sd ``noise * E``.

    The defaults are the values calibrated for the mean-exposure cascade regressions,
    ``[calibrated.mean]`` in experiments/fowler_christakis.toml.
    """

    share_conditional: float = 0.50
    share_free_rider: float = 0.30
    share_hump: float = 0.14
    slope: float = 0.974
    slope_sd: float = 0.2
    belief_weight: float = 0.466
    initial_belief: float = 10.444
    initial_belief_sd: float = 4.0
    noise: float = 0.1
    compliance: float = 0.708
    margin: float = 10.0
    learning: float = 0.0
    punish_rate: float = 0.2
    restart: float = 0.43

    def __post_init__(self) -> None:
        for name in ("share_conditional", "share_free_rider", "share_hump", "belief_weight",
                     "noise", "compliance", "restart"):
            _number(self, name, 0.0, 1.0)
        total = self.share_conditional + self.share_free_rider + self.share_hump
        if total > 1.0 + 1e-9:
            raise ConfigError(
                "--share-conditional + --share-free-rider + --share-hump must be at most 1 "
                f"(got {total:g})"
            )
        _number(self, "slope", 0.0, 2.0)
        for name in ("slope_sd", "initial_belief", "initial_belief_sd", "margin", "learning",
                     "punish_rate"):
            _number(self, name, 0.0, None)

    @property
    def share_other(self) -> float:
        return max(0.0, 1.0 - self.share_conditional - self.share_free_rider - self.share_hump)

    def with_free_riders(self, share: float) -> Behaviour:
        """The same population with ``share`` free riders; the other types keep their ratios."""
        rest_old = 1.0 - self.share_free_rider
        scale = (1.0 - share) / rest_old if rest_old > 0 else 0.0
        return self.replace(
            share_free_rider=share,
            share_conditional=self.share_conditional * scale,
            share_hump=self.share_hump * scale,
        )

    def replace(self, **changes: Any) -> Behaviour:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def calibrated(cls, params: dict[str, Any], spec: str) -> Behaviour:
        """The subjects of a parameter file (``experiments/fowler_christakis.toml``):
        ``[behaviour]`` (literature values and assumptions) with the values calibrated for the
        regression ``spec`` (``[calibrated.<spec>]``): the targets are in the units of the
        spec's coefficients, so each spec has its own calibration."""
        values = dict(params["behaviour"])
        values.update(params.get("calibrated", {}).get(spec, {}))
        return cls.from_dict(values)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Behaviour:
        known = {f.name for f in dataclasses.fields(cls)}
        for key in values:
            if key not in known:
                raise ConfigError(f"unknown behaviour parameter '{key}'; allowed: "
                                  f"{', '.join(sorted(known))}")
        return cls(**values)


def _int(obj: Any, name: str, low: int) -> None:
    check_int(name, getattr(obj, name), low)


def _number(obj: Any, name: str, low: float, high: float | None, low_open: bool = False) -> None:
    check_number(name, getattr(obj, name), low, high, low_open)
