"""Competition between groups: pairs of groups contest a prize by what they gave together."""

from __future__ import annotations

import numpy as np

from sim.hooks import Engine
from sim.policies.base import POLICY_BUDGET, Policy


class GroupContest(Policy):
    """Between-group competition: each round the game groups are paired (group 2m against
    group 2m + 1, in the order of the round's groups; an unpaired last group plays alone and
    always wins), and in each pair the group whose members gave more in total wins a pot of
    ``policy_budget`` MU per member of the pair, shared equally by the winners (a tie shares
    it between both groups). The same budget as competition and cooperation, so the three
    compare at equal cost. Intergroup contests of this kind raise contributions inside the
    groups in the laboratory (Puurtinen & Mappes 2009, Proc R Soc B 276:355; Burton-Chellew,
    Ross-Gillespie & West 2010, Evol Hum Behav 31:104; Reuben & Tyran 2010, Eur J Polit Econ
    26:25).
    """

    name = "group-contest"
    summary = "pairs of teams or neighbourhoods compete: the one that gave more wins a prize"
    source = ("intergroup competition (Puurtinen & Mappes 2009; Burton-Chellew, "
              "Ross-Gillespie & West 2010; Reuben & Tyran 2010)")
    parameters = (POLICY_BUDGET,)
    stage = 2
    excludes = {"competition": "spend the same budget two ways; choose one",
                "cooperation": "spend the same budget two ways; choose one"}

    def after_play(self, sim: Engine) -> None:
        g = sim.groups
        sizes = g.sizes.astype(np.float64)
        slot_group = np.repeat(np.arange(g.n_groups), g.sizes)
        totals = np.bincount(slot_group, weights=sim.contribution[g.members],
                             minlength=g.n_groups)
        rival = np.arange(g.n_groups) ^ 1
        alone = rival >= g.n_groups
        rival[alone] = np.flatnonzero(alone)
        pair_size = np.where(alone, sizes, sizes + sizes[rival])
        pot = self.config.policy_budget * pair_size
        wins = np.where(totals > totals[rival], 1.0, np.where(totals == totals[rival], 0.5, 0.0))
        wins[alone] = 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            per_member = np.where(sizes > 0, pot * wins / np.maximum(sizes, 1), 0.0)
        prize = np.bincount(g.members, weights=per_member[slot_group], minlength=sim.n)
        sim.payoff += prize
        self.ledger.append(float(prize.sum()))
