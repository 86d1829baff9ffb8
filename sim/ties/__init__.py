"""Campaigns and ties (docs/science.md section 6): committed campaign teams, complex contagion,
weaving.

- :mod:`sim.ties.campaign`: a campaign team of committed cooperators who give E every round,
  placed at brokers, at connectors, at random, in one team, spread across teams or as one
  local cluster (:data:`PLACEMENTS`).
- complex contagion lives in the ``conditional`` rule's kernel
  (:func:`sim.kernels.rules.complex_gate`); :data:`CONTAGIONS` names the two kinds.
- :mod:`sim.ties.weaving`: new random ties and cut ties each round, by a CSR kernel.
- :mod:`sim.ties.roles`: network roles (brokers, connectors) that placements use.

Each declares its settings beside its code; :data:`PARAMETERS` is the ``campaigns and ties``
block of ``SimulationConfig``, and :func:`ties_hooks` turns it into round hooks.
"""

from __future__ import annotations

from sim.hooks import RoundHook
from sim.params import ConfigError, Entry, Param, Registry, Settings
from sim.rules import RULES
from sim.ties.campaign import (
    CAMPAIGN_PLACEMENT,
    CAMPAIGN_SIZE,
    PLACEMENTS,
    Campaign,
    place_campaign,
)
from sim.ties.weaving import CUTTING, WEAVING, TieDynamics, rewired

#: contagion kinds of the ``conditional`` rule (its kernel's threshold gate is on for complex)
CONTAGIONS = Registry("contagion (--contagion)", (
    Entry(name="simple", summary="conditional cooperators respond linearly to what their "
          "contacts gave", source="Fischbacher, Gächter & Fehr 2001"),
    Entry(name="complex", summary="they move only with at least --threshold cooperating "
          "contacts (Centola & Macy 2007)", source="Centola & Macy 2007, AJS 113:702"),
))

CONTAGION = Param("contagion", "simple", "simple (conditional cooperators respond linearly to "
                  "what they saw) or complex (they move only with at least threshold "
                  "cooperating contacts; Centola & Macy 2007)", kind=str, choices=CONTAGIONS)
THRESHOLD = Param("threshold", 2, "cooperating contacts a conditional cooperator needs under "
                  "complex contagion", kind=int, low=1)
#: the ``campaigns and ties`` settings, in the order of the command line
PARAMETERS = (CAMPAIGN_SIZE, CAMPAIGN_PLACEMENT, CONTAGION, THRESHOLD, WEAVING, CUTTING)


def check(config: Settings) -> None:
    """Settings the campaign and the contagion need together (each field is checked alone
    before)."""
    if not config.network_defines_n and config.campaign_size > config.n:
        raise ConfigError(f"{CAMPAIGN_SIZE.option} must be at most n={config.n} "
                          f"(got {config.campaign_size})")
    if config.contagion == "complex" and not RULES[config.rule].uses_beliefs:
        raise ConfigError(
            "--contagion complex needs a human-like --rule (human or conditional; got --rule "
            f"{config.rule})"
        )


def ties_hooks(config: Settings) -> list[RoundHook]:
    """The campaign (if ``campaign_size`` > 0), then tie dynamics (if weaving or cutting)."""
    hooks: list[RoundHook] = []
    if config.campaign_size > 0:
        hooks.append(Campaign(config.campaign_size, config.campaign_placement))
    if config.weaving > 0 or config.cutting > 0:
        hooks.append(TieDynamics(config.weaving, config.cutting))
    return hooks


__all__ = [
    "CONTAGIONS",
    "PARAMETERS",
    "PLACEMENTS",
    "Campaign",
    "TieDynamics",
    "check",
    "place_campaign",
    "rewired",
    "ties_hooks",
]
