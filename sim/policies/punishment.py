"""Peer punishment 1:3 (Fehr & Gächter 2002, Nature 415:137) in the engine's groups."""

from __future__ import annotations

import numpy as np

from sim.hooks import Engine
from sim.lab import kernels as lab_kernels
from sim.lab.design import LabDesign
from sim.params import Param
from sim.policies.base import Policy
from sim.policies.kernels import sanctions

#: the laboratory's prices and cap: a point costs the punisher 1 MU and the target 3 MU, at
#: most 10 points from one member to another per group and round (Fehr & Gächter 2002)
LAB = LabDesign()

PUNISHMENT_RATE = Param("punishment_rate", 0.2, "expected punishment points per MU a "
                        "group-mate gave below the others' mean, per punisher; a point costs "
                        "the punisher 1 MU and the target 3 MU (Fehr & Gächter 2002)", low=0.0)
PUNISHMENT_COMPLIANCE = Param("punishment_compliance", 0.708, "share of the gap to belief + "
                              "margin that human-like agents close in fear of sanctions "
                              "(calibrated in the simulated laboratory)", low=0.0, high=1.0)
PUNISHMENT_MARGIN = Param("punishment_margin", 10.0, "MU above their belief that sanction-wary "
                          "human-like agents aim at", low=0.0)
PUNISHMENT_LEARNING = Param("punishment_learning", 0.0, "how fast that compliance grows per "
                            "point received", low=0.0)


class Punishment(Policy):
    """Peer sanctions after every game, as in the laboratory's punishment stage.

    In every group each member may assign points to a group-mate who gave less than she did
    and less than the mean of his group-mates: ``punishment_rate`` points expected per MU of
    that shortfall (stochastic rounding, at most 10), each point costing the punisher 1 MU and
    the target 3 MU (:func:`sim.lab.kernels.punish_group`, the laboratory's stage, run over the
    engine's groups). Payoff-learning rules feel the fines through payoffs. Human-like agents
    (the ``conditional`` rule, continuous strategies) also anticipate sanctions, as the
    laboratory's subjects do: each closes a share ``pressure`` of the gap between what she
    decided and her belief plus ``punishment_margin``; pressure starts at
    ``punishment_compliance`` and grows with the points received at rate
    ``punishment_learning`` (the laboratory's calibrated response, sim/lab/kernels.py).
    """

    name = "punishment"
    summary = ("peers may fine those who give less than their group's average "
               "(1 MU buys a 3 MU fine)")
    source = "Fehr & Gächter 2002, Nature 415:137 (peer punishment 1:3)"
    parameters = (PUNISHMENT_RATE, PUNISHMENT_COMPLIANCE, PUNISHMENT_MARGIN,
                  PUNISHMENT_LEARNING)
    stage = 1

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        c = self.config
        self.params = np.zeros(lab_kernels.N_Q)
        self.params[lab_kernels.Q_PUNISH_RATE] = c.punishment_rate
        self.params[lab_kernels.Q_MAX_POINTS] = LAB.max_points
        self.pressure = np.full(sim.n, float(c.punishment_compliance))
        self.anticipates = sim.rule.uses_beliefs and c.strategies == "continuous"
        self.given = np.zeros(sim.n)
        self.received = np.zeros(sim.n)

    def after_decide(self, sim: Engine) -> None:
        if not self.anticipates:
            return
        x = sim.contribution
        gap = sim.belief + self.config.punishment_margin - x
        raised = np.where(gap > 0.0, x + self.pressure * gap, x)
        np.clip(raised, 0.0, self.config.endowment, out=x)

    def after_play(self, sim: Engine) -> None:
        g = sim.groups
        sanctions(sim.contribution, g.group_ptr, g.members, sim.n, self.params, sim.key,
                  sim.round, self.given, self.received)
        fines = LAB.punishment_cost * self.given + LAB.punishment_impact * self.received
        sim.payoff -= fines
        self.ledger.append(-float(fines.sum()))
        learning = self.config.punishment_learning
        if self.anticipates and learning > 0.0:
            self.pressure += (1.0 - self.pressure) * (1.0 - np.exp(-learning * self.received))
