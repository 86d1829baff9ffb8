"""The human-like behaviour's settings, each with its range, help and source.

These are the fields of :class:`sim.SimulationConfig` that the ``human`` and ``conditional``
rules and peer punishment read, and the fields of :class:`Behaviour`, the same settings as one
object for the laboratory (:mod:`sim.lab`). One name, one default, one range everywhere.

Defaults marked "calibrated" are the fit of ``experiments/calibrate.py`` to the targets in
``experiments/calibration.toml`` (its ``[calibrated]`` table holds the same values;
``tests/test_behaviour.py`` checks they agree); "literature" values carry over from a paper;
"assumption" values are modelling choices, not fitted.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sim.params import ConfigError, Param

_CAL = "calibrated: experiments/calibrate.py (targets in experiments/calibration.toml)"

SHARE_CONDITIONAL = Param(
    "share_conditional", 0.5, "share of conditional cooperators", low=0.0, high=1.0,
    source="literature: about 50% conditional cooperators (Fischbacher, Gächter & Fehr 2001, "
    "Economics Letters 71:397)")
SHARE_FREE_RIDER = Param(
    "share_free_rider", 0.3, "share of free riders", low=0.0, high=1.0,
    source="literature: about 30% free riders (Fischbacher, Gächter & Fehr 2001)")
SHARE_HUMP = Param(
    "share_hump", 0.14, "share of hump-shaped givers; the rest (1 minus the three shares) give "
    "a fixed amount of their own", low=0.0, high=1.0,
    source="literature: about 14% hump-shaped contributors (Fischbacher, Gächter & Fehr 2001)")
SLOPE = Param(
    "slope", 0.973, "conditional cooperators' mean response to what they expect others to give",
    low=0.0, high=2.0,
    source=f"{_CAL}; below 1 (Fischbacher & Gächter 2010, AER 100:541)")
SLOPE_SD = Param(
    "slope_sd", 0.2, "spread (sd) of that response between people", low=0.0, high=2.0,
    source="assumption")
BELIEF_WEIGHT = Param(
    "belief_weight", 0.283, "weight of last round's observed mean in the belief update",
    low=0.0, high=1.0,
    source=f"{_CAL}; beliefs follow what others gave last round (Fischbacher & Gächter 2010)")
BELIEF_SD = Param(
    "belief_sd", 0.2, "spread (sd) of first-round beliefs, as a share of E", low=0.0, high=1.0,
    source="assumption")
NOISE = Param(
    "noise", 0.1, "standard deviation of decision noise, as a share of E", low=0.0, high=1.0,
    source="assumption")
PAYOFF_WEIGHT = Param(
    "payoff_weight", 0.699, "weight of the propensity learnt from own earnings against the "
    "response to others' giving (0: others only, 1: own payoffs only)", low=0.0, high=1.0,
    source=f"{_CAL}; the mix of social preferences and payoff-based reinforcement (Cotla & "
    "Petrie; Burton-Chellew, Nax & West 2015, Proc R Soc B 282:20142678)")
ASPIRATION = Param(
    "aspiration", 0.238, "how much more than the reference (peer_comparison times their "
    "co-players' average), per game and as a share of E, people must earn to be satisfied "
    "(more reinforces what they did, less discourages it)", low=-1.0, high=3.0,
    source=f"{_CAL}; aspiration learning (Ezaki, Horita, Takezawa & Masuda 2016, PLoS Comput "
    "Biol 12:e1005034), with the aspiration set by comparison with co-players (a modelling "
    "choice)")
PEER_COMPARISON = Param(
    "peer_comparison", 0.501, "how much of the reference payoff is the co-players' mean (1: "
    "satisfied by earning more than them; 0: by a fixed level of earnings, the aspiration)",
    low=0.0, high=1.0,
    source=f"{_CAL}; 0 is the fixed aspiration of Ezaki et al. 2016, 1 a comparison with "
    "co-players (a modelling choice)")
SENSITIVITY = Param(
    "sensitivity", 10.939, "how strongly satisfaction responds to the payoff's distance from the "
    "aspiration (beta of Ezaki et al. 2016)", low=0.0, high=50.0, source=_CAL)
INITIAL_COOPERATION = Param(
    "initial_cooperation", 0.5, "mean first-round contribution (payoff-learning rules) or "
    "belief and propensity (human-like rules), as a share of E", low=0.0, high=1.0,
    source="assumption: period-1 contributions near half the endowment (Fehr & Gächter 2002)")

PUNISHMENT_RATE = Param(
    "punishment_rate", 0.2, "expected punishment points per MU a group-mate gave below the "
    "others' mean, per punisher; a point costs the punisher 1 MU and the target 3 MU",
    low=0.0, high=10.0,
    source="assumption: punishment rises with that shortfall (Fehr & Gächter 2002, Fig. 3); "
    "not fitted")
PUNISHMENT_COMPLIANCE = Param(
    "punishment_compliance", 0.312, "share of the gap to the expected norm that human-like "
    "people close in fear of sanctions before any is felt", low=0.0, high=1.0, source=_CAL)
PUNISHMENT_MARGIN = Param(
    "punishment_margin", 0.231, "how far above what they expect others to give sanction-wary "
    "people aim, as a share of E", low=0.0, high=1.0, source=_CAL)
PUNISHMENT_LEARNING = Param(
    "punishment_learning", 0.217, "how fast that fear grows per punishment point received per "
    "game (and relaxes in rounds without one)",
    low=0.0, high=10.0, source=_CAL)
RESTART = Param(
    "restart", 0.695, "laboratory only: share of the belief that returns to its first value when "
    "a new block of periods starts", low=0.0, high=1.0,
    source=f"{_CAL}; the restart effect (Andreoni 1988, J Public Econ 37:291)")

#: the human-like behaviour's settings, in the order of the command line
HUMAN_LIKE = (SHARE_CONDITIONAL, SHARE_FREE_RIDER, SHARE_HUMP, SLOPE, SLOPE_SD, BELIEF_WEIGHT,
              BELIEF_SD, NOISE, PAYOFF_WEIGHT, ASPIRATION, PEER_COMPARISON, SENSITIVITY)
#: how human-like people punish and respond to punishment (read by peer punishment)
SANCTIONS = (PUNISHMENT_RATE, PUNISHMENT_COMPLIANCE, PUNISHMENT_MARGIN, PUNISHMENT_LEARNING)
#: every field of :class:`Behaviour`
BEHAVIOUR_PARAMETERS = (*HUMAN_LIKE, INITIAL_COOPERATION, *SANCTIONS, RESTART)
#: the calibrated settings (the free parameters of experiments/calibrate.py)
CALIBRATED = tuple(p for p in BEHAVIOUR_PARAMETERS if p.source.startswith("calibrated"))


def check_shares(values: Any) -> None:
    """The three type shares may not add up to more than 1."""
    total = values.share_conditional + values.share_free_rider + values.share_hump
    if total > 1.0 + 1e-9:
        raise ConfigError(
            "--share-conditional + --share-free-rider + --share-hump must be at most 1 "
            f"(got {total:g})"
        )


class _Behaviour:
    """Methods of :class:`Behaviour` (its fields are the parameters above)."""

    def __post_init__(self) -> None:
        for param in BEHAVIOUR_PARAMETERS:
            param.validate(getattr(self, param.name))
        check_shares(self)

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

    def config_values(self) -> dict[str, Any]:
        """The settings a :class:`sim.SimulationConfig` shares with this behaviour (every
        field but the laboratory's ``restart``)."""
        return {k: v for k, v in self.to_dict().items() if k != RESTART.name}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Behaviour:
        """Defaults overridden by ``values``; an unknown key is one line naming it."""
        known = {p.name for p in BEHAVIOUR_PARAMETERS}
        for key in values:
            if key not in known:
                raise ConfigError(f"unknown behaviour parameter '{key}'; allowed: "
                                  f"{', '.join(sorted(known))}")
        return cls(**values)

    @classmethod
    def from_config(cls, config: Any) -> Behaviour:
        """The behaviour of a run's settings (a :class:`sim.SimulationConfig`)."""
        return cls(**{p.name: getattr(config, p.name) for p in BEHAVIOUR_PARAMETERS
                      if p is not RESTART})


#: the human-like people's parameters as one validated, frozen object (the laboratory's subjects)
Behaviour = dataclasses.make_dataclass(
    "Behaviour",
    [(p.name, p.annotation, dataclasses.field(default=p.default)) for p in BEHAVIOUR_PARAMETERS],
    bases=(_Behaviour,),
    frozen=True,
    module=__name__,
)
Behaviour.__doc__ = "The human-like people's parameters (one field per setting above; see " \
    "each ``Param``'s ``source``)."
