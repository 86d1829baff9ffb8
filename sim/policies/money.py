"""Competition against cooperation: the same budget, paid by rank or to the group.

Both policies inject ``policy_budget`` MU per agent per round, so the total paid is the same
and any difference between them comes from the incentive's shape, not its size (docs/science.md
section 6: the NHS reforms as a public-goods game structured on competition).
"""

from __future__ import annotations

import numpy as np

from sim.hooks import Engine
from sim.params import Param
from sim.policies.base import POLICY_BUDGET, POLICY_SCOPE, ComparisonSets, Policy
from sim.policies.kernels import competition_round, cooperation_round

RANKINGS = ("payoff", "contribution")
REWARDS = ("group", "match")

COMPETITION_TOP_SHARE = Param("competition_top_share", 0.25, "share of each comparison set "
                              "that competition pays, best first (0: winner-take-all)",
                              low=0.0, high=1.0)
COMPETITION_RANK = Param("competition_rank", "payoff", "competition ranks by this round's "
                         "payoff (relative performance) or by contribution (a contribution "
                         "tournament)", kind=str, choices=RANKINGS)
COOPERATION_REWARD = Param("cooperation_reward", "group", "group (the budget to groups in "
                           "proportion to their total contribution, shared equally inside) or "
                           "match (in proportion to one's own)", kind=str, choices=REWARDS)


class Competition(Policy):
    """Relative-performance pay: within each comparison set a pot is paid by rank.

    The budget (``policy_budget`` per agent per round) is split over the comparison sets in
    proportion to their sizes; in each set the best ``competition_top_share`` of the members
    by this round's payoff (net of any fines) share the pot equally; 0 means winner-take-all.
    With ``competition_rank contribution`` the ranking is by contribution instead (a
    contribution tournament).
    """

    name = "competition"
    summary = ("a fixed budget paid by rank within each team or neighbourhood "
               "(winner-take-all or top share)")
    source = ("rank-order tournaments (Lazear & Rosen 1981, J. Polit. Econ. 89:841); "
              "zero-sum budgets allocated by rank (docs/science.md section 6)")
    parameters = (POLICY_BUDGET, POLICY_SCOPE, COMPETITION_TOP_SHARE, COMPETITION_RANK)
    stage = 2
    excludes = {"cooperation": "spend the same budget two ways; choose one"}

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        self.sets = ComparisonSets(self.config.policy_scope)
        self._prize = np.zeros(sim.n)

    def after_play(self, sim: Engine) -> None:
        sets = self.sets(sim)
        score = sim.payoff if self.config.competition_rank == "payoff" else sim.contribution
        paid = competition_round(score, sets.group_ptr, sets.members,
                                 self.config.policy_budget * sim.n,
                                 float(self.config.competition_top_share),
                                 np.empty(sets.n_groups), self._prize, sim.payoff)
        self.ledger.append(float(paid))


class Cooperation(Policy):
    """Rewards for joint contribution: the same budget paid to groups for what they gave.

    ``cooperation_reward group``: the budget is split over the comparison sets in proportion
    to each set's total contribution this round, and each set's share equally among its
    members (a team bonus). ``match``: each agent gets the budget in proportion to her own
    contribution (every MU given is matched at the same rate). When nobody gave anything the
    budget is split equally, so the money paid never depends on behaviour.
    """

    name = "cooperation"
    summary = ("the same budget paid to each team or neighbourhood in proportion to what it "
               "gave together")
    source = ("group incentives and matched contributions (docs/science.md section 6: shared "
              "pools, rewards for joint contribution)")
    parameters = (POLICY_BUDGET, POLICY_SCOPE, COOPERATION_REWARD)
    stage = 2
    excludes = {"competition": "spend the same budget two ways; choose one"}

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        self.sets = ComparisonSets(self.config.policy_scope)
        self._reward = np.zeros(sim.n)

    def after_play(self, sim: Engine) -> None:
        sets = self.sets(sim)
        paid = cooperation_round(sim.contribution, sets.group_ptr, sets.members,
                                 self.config.policy_budget * sim.n,
                                 self.config.cooperation_reward == "match",
                                 np.empty(sets.n_groups), self._reward, sim.payoff)
        self.ledger.append(float(paid))
