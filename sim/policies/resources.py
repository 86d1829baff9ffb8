"""Resources that grow with use against a fixed resource envelope that is spent down.

docs/science.md section 6 (social-movement organising): a public good whose return rises with
participation against a fixed budget. Both change this round's return (the MPCR of every
group) after the agents have decided and before the game is played.
"""

from __future__ import annotations

import numpy as np

from sim.hooks import Engine
from sim.kernels import games
from sim.params import Param
from sim.policies.base import Policy
from sim.policies.kernels import returned_total

GROWTH_RATE = Param("growth_rate", 1.0, "growing-resources: the MPCR is multiplied by 1 + "
                    "growth_rate times last round's share of agents who gave at least half the "
                    "endowment", low=0.0)
ENVELOPE_BUDGET = Param("envelope_budget", 20.0, "envelope: MU per agent for the whole run, "
                        "spent on matching", low=0.0)
ENVELOPE_MATCH = Param("envelope_match", 1.0, "envelope: MU added to the return per MU returned "
                       "while it lasts", low=0.0)


class ReturnPolicy(Policy):
    """A policy that multiplies this round's return by a factor, then restores it."""

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        self._base: np.ndarray | None = None
        self._boosted: np.ndarray | None = None
        self._payout = np.empty(0)
        self._scratch = np.empty(0)
        self._given = np.empty(sim.n)

    def returns_total(self, sim: Engine) -> float:
        """What the groups return to their members in total at the current share and
        contributions: the sum over groups of (MPCR times the pot) times the group's size."""
        g = sim.groups
        if len(self._payout) != g.n_groups:
            self._payout = np.empty(g.n_groups)
        games.group_payouts(sim.contribution, sim.weight, sim.share, g.group_ptr, g.members,
                            self._given, self._payout, np.empty(0))
        return float(returned_total(self._payout, g.group_ptr, self._payout_scratch(g)))

    def _payout_scratch(self, g) -> np.ndarray:
        if len(self._scratch) != g.n_groups:
            self._scratch = np.empty(g.n_groups)
        return self._scratch

    def boost(self, sim: Engine, factor: float) -> None:
        self._base = sim.share
        self._boosted = sim.share * factor
        sim.share = self._boosted

    def end_round(self, sim: Engine) -> None:
        # restore the engine's share unless the groups (and their shares) were rebuilt since
        if self._boosted is not None and sim.share is self._boosted:
            sim.share = self._base
        self._base = self._boosted = None


class GrowingResources(ReturnPolicy):
    """The return rises with last round's participation.

    In round t every group's MPCR is multiplied by ``1 + growth_rate * p``, where ``p`` is the
    share of agents who gave at least half the endowment in round t - 1 (0 in the first round).
    The extra return is new money created by participation (counted in the ledger).
    """

    name = "growing-resources"
    summary = "the more people took part last round, the more every contribution returns"
    source = ("resources that grow with use (social-movement organising; docs/science.md "
              "section 6)")
    parameters = (GROWTH_RATE,)
    excludes = {"envelope": "are the two alternative resource regimes; choose one"}

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        super().start(sim, rng)
        self.participation = 0.0
        self.factor = 1.0

    def after_decide(self, sim: Engine) -> None:
        self.factor = 1.0 + self.config.growth_rate * self.participation
        self.boost(sim, self.factor)

    def after_play(self, sim: Engine) -> None:
        g = sim.groups
        total = float(returned_total(sim.payout, g.group_ptr, self._payout_scratch(g)))
        self.ledger.append(total * (1.0 - 1.0 / self.factor))

    def end_round(self, sim: Engine) -> None:
        super().end_round(sim)
        self.participation = sim.latest()["cooperators"]


class Envelope(ReturnPolicy):
    """A fixed budget spent down on matching contributions until it is gone.

    The envelope holds ``envelope_budget`` MU per agent for the whole run. Each round it
    matches what the groups return at ``envelope_match`` MU per MU (every MPCR multiplied by
    ``1 + envelope_match``) while it can pay for that; in the round it runs short it matches
    at the rate its remainder pays for exactly, and from then on the return is the plain one.
    """

    name = "envelope"
    summary = "a fixed pot matches contributions until it is spent, then stops"
    source = "a fixed resource envelope spent down (docs/science.md section 6)"
    parameters = (ENVELOPE_BUDGET, ENVELOPE_MATCH)
    excludes = {"growing-resources": "are the two alternative resource regimes; choose one"}

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        super().start(sim, rng)
        self.remaining = float(self.config.envelope_budget) * sim.n

    def after_decide(self, sim: Engine) -> None:
        if self.remaining <= 0.0:
            self.ledger.append(0.0)
            return
        base_total = self.returns_total(sim)
        rate = float(self.config.envelope_match)
        spend = rate * base_total
        if spend >= self.remaining and base_total > 0.0:
            rate = self.remaining / base_total
            spend = self.remaining
        self.remaining = 0.0 if spend == self.remaining else self.remaining - spend
        self.ledger.append(spend)
        self.boost(sim, 1.0 + rate)
