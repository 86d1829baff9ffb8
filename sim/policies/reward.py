"""Peer rewards (the reward stage of Rand, Dreber, Ellingsen, Fudenberg & Nowak 2009, Science
325:1272) in the engine's groups."""

from __future__ import annotations

import numpy as np

from sim.hooks import Engine
from sim.params import Param
from sim.policies.base import Policy
from sim.policies.kernels import rewards
from sim.policies.punishment import MAX_POINTS, POINT_COST, POINT_IMPACT

REWARD_RATE = Param(
    "reward_rate", 0.2, "expected reward points per MU a group-mate gave above the others' "
    "mean, per member who gave less; a point costs the giver 1 MU and gives the receiver 3 MU",
    low=0.0, high=10.0,
    source="assumption: the mirror image of punishment_rate, at the same prices")


class Reward(Policy):
    """Peer rewards after every game: the mirror image of peer punishment.

    In every group each member may give points to a group-mate who gave more than she did and
    more than the mean of his group-mates: ``reward_rate`` points expected per MU of that
    excess (stochastic rounding, at most 10), each point costing the giver 1 MU and giving the
    receiver 3 MU (:func:`sim.policies.kernels.rewards`). The prices are those of the
    punishment stage (Fehr & Gächter 2002), an assumption: the people feel the rewards through
    their payoffs (the ``human`` rule learns from them); nobody anticipates them.
    """

    name = "reward"
    summary = "peers may reward those who give more than their group's average (1 MU buys 3 MU)"
    source = "Rand, Dreber, Ellingsen, Fudenberg & Nowak 2009, Science 325:1272 (peer reward)"
    parameters = (REWARD_RATE,)
    stage = 1

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        self.given = np.zeros(sim.n)
        self.received = np.zeros(sim.n)

    def after_play(self, sim: Engine) -> None:
        g = sim.groups
        rewards(sim.contribution, g.group_ptr, g.members, sim.n,
                float(self.config.reward_rate), float(MAX_POINTS), sim.key, sim.round,
                self.given, self.received)
        change = POINT_IMPACT * self.received - POINT_COST * self.given
        sim.payoff += change
        self.ledger.append(float(change.sum()))
