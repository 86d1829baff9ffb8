"""Campaigns and ties (SCIENCE.md §6): committed campaign teams, complex contagion, weaving.

- :mod:`sim.ties.campaign`: a campaign team of committed cooperators who give E every round,
  placed at brokers, at connectors, at random, in one team, spread across teams or as one
  local cluster (:data:`PLACEMENTS`).
- complex contagion lives in the ``conditional`` rule's kernel
  (:func:`sim.kernels.rules.complex_gate`); :data:`CONTAGIONS` names the two kinds.
- :mod:`sim.ties.weaving`: new random ties and cut ties each round, by a CSR kernel.

Importing this package registers the hook builder that turns the config's ``# campaigns and
ties`` block into round hooks.
"""

from __future__ import annotations

from sim.config import SimulationConfig
from sim.hooks import RoundHook, register_hook_builder
from sim.ties.campaign import PLACEMENTS, Campaign, place_campaign
from sim.ties.weaving import TieDynamics, rewired

#: contagion kinds: name -> one-line summary
CONTAGIONS = {
    "simple": "conditional cooperators respond linearly to what their contacts gave",
    "complex": "they move only with at least --threshold cooperating contacts "
    "(Centola & Macy 2007)",
}


@register_hook_builder
def ties_hooks(config: SimulationConfig) -> list[RoundHook]:
    """The campaign (if ``campaign_size`` > 0), then tie dynamics (if weaving or cutting)."""
    hooks: list[RoundHook] = []
    if config.campaign_size > 0:
        hooks.append(Campaign(config.campaign_size, config.campaign_placement))
    if config.weaving > 0 or config.cutting > 0:
        hooks.append(TieDynamics(config.weaving, config.cutting))
    return hooks


__all__ = ["CONTAGIONS", "PLACEMENTS", "Campaign", "TieDynamics", "place_campaign", "rewired"]
