"""Peer punishment 1:3 (Fehr & Gächter 2002, Nature 415:137) in the engine's groups."""

from __future__ import annotations

import numpy as np

from sim.behaviour import kernels as bk
from sim.behaviour.parameters import SANCTIONS
from sim.hooks import Engine
from sim.policies.base import Policy
from sim.policies.kernels import punishment_round

#: the laboratory's prices and cap: a point costs the punisher 1 MU and the target 3 MU, at
#: most 10 points from one member to another per group and round (Fehr & Gächter 2002)
POINT_COST = 1.0
POINT_IMPACT = 3.0
MAX_POINTS = 10


class Punishment(Policy):
    """Peer sanctions after every game, as in the laboratory's punishment stage.

    In every group each member may assign points to a group-mate who gave less than she did
    and less than the mean of his group-mates: ``punishment_rate`` points expected per MU of
    that shortfall (stochastic rounding, at most 10), each point costing the punisher 1 MU and
    the target 3 MU (:func:`sim.behaviour.kernels.punish_group`, the laboratory's stage, run
    over the engine's groups). Every rule feels the fines through payoffs (the ``human`` rule
    learns from them). Human-like people (continuous strategies) also anticipate sanctions,
    as the laboratory's subjects do (:func:`sim.behaviour.kernels.anticipate`): each closes a
    share ``pressure`` of the gap between what she decided and her belief plus
    ``punishment_margin * E``; pressure starts at ``punishment_compliance``, grows with the
    points received per game at rate ``punishment_learning`` and relaxes back in rounds
    without points (:func:`sim.behaviour.kernels.pressure_after`).
    """

    name = "punishment"
    summary = ("peers may fine those who give less than their group's average "
               "(1 MU buys a 3 MU fine)")
    source = "Fehr & Gächter 2002, Nature 415:137 (peer punishment 1:3)"
    parameters = SANCTIONS
    stage = 1

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        c = self.config
        self.pressure = np.full(sim.n, float(c.punishment_compliance))
        self.anticipates = sim.rule.uses_beliefs and c.strategies == "continuous"
        self.given = np.zeros(sim.n)
        self.received = np.zeros(sim.n)
        self.fines = np.zeros(sim.n)

    def after_decide(self, sim: Engine) -> None:
        if not self.anticipates:
            return
        e = self.config.endowment
        bk.anticipate_all(sim.contribution, sim.belief, self.pressure,
                          self.config.punishment_margin * e, e)

    def after_play(self, sim: Engine) -> None:
        g = sim.groups
        taken = punishment_round(sim.contribution, g.group_ptr, g.members,
                                 float(self.config.punishment_rate), float(MAX_POINTS), sim.key,
                                 sim.round, POINT_COST, POINT_IMPACT, self.given, self.received,
                                 self.fines, sim.payoff)
        self.ledger.append(-float(taken))
        learning = self.config.punishment_learning
        if self.anticipates and learning > 0.0:
            bk.pressure_all(self.pressure, self.received, sim.groups.games_per_agent, learning,
                            float(self.config.punishment_compliance))
