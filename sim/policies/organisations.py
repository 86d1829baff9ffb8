"""Policies between organisations, in the two-level game (docs/science.md section 8).

They are chosen with their own setting, ``organisation_policy`` (``--organisation-policy``),
beside ``policy``: they need the two-level game, while ``policy`` names institutions that
work in any game. They combine with the peer institutions (``punishment``, ``reward``) but not
with the other budgets (``competition``, ``cooperation``, ``group-contest``), which would spend
the money twice. Each pays out the same money as ``competition`` and ``cooperation``
(``policy_budget`` MU per person per round), so they differ only in what the money rewards.
The organisations are the network's teams, the groups of the two-level game
(``sim.groups``). What an organisation's own pool produced in a round is its multiplier
times what went in, ``output_k = m_L * |k| * L_k`` (L_k: its members' local giving); what a
person's system giving produced is ``m_G * reach_i * g_i`` (reach: the people one MU given
to the system pays, herself included).

- ``league-table``: organisations ranked by output per member; the best
  ``league_top_share`` of them (at least one; ties at the cut all win) share the budget
  equally per member (rank-order tournaments, Lazear & Rosen 1981, J Polit Econ 89:841,
  between teams);
- ``payment-by-results``: each organisation paid per unit of its own output (the budget
  divided in proportion to the outputs), shared equally by its members;
- ``system-reward``: the budget paid to organisations in proportion to what their members'
  system giving produced, shared equally by their members (a reward for work across the
  boundary);
- ``pooled-budgets``: organisations work in partnerships of two (labels 2m and 2m + 1; an
  odd last one alone) that pool their budgets: the budget is divided between partnerships in
  proportion to their joint output (both pools plus what both gave to the system produced),
  and shared equally by all members of the partnership.

When nothing was produced the budget is split by size, so the money paid never depends on
behaviour. Intergroup competition raises giving inside the competing groups in the
laboratory (Puurtinen & Mappes 2009, Proc R Soc B 276:355; Burton-Chellew, Ross-Gillespie &
West 2010, Evol Hum Behav 31:104); making a sub-group salient lowers what goes to the
collective (Wit & Kerr 2002, J Pers Soc Psychol 83:616).
"""

from __future__ import annotations

import numpy as np

from sim.hooks import Engine, RoundHook
from sim.params import ConfigError, Entry, Param, Registry, Settings
from sim.policies.base import POLICY_BUDGET, Institution

LEAGUE_TOP_SHARE = Param("league_top_share", 0.25, "share of organisations the league table "
                         "pays, best output per member first (at least one)", low=0.0, high=1.0)

#: the individual-level policies that spend ``policy_budget`` too
BUDGET_POLICIES = ("competition", "cooperation", "group-contest")


class OrganisationPolicy(Institution):
    """What the four policies share: metadata, a ledger, the organisations' outputs, and
    paying organisations. ``ledger`` holds the MU paid each round (as a policy's)."""

    name = "organisation-policy"
    summary = ""
    source = ""
    parameters: tuple[Param, ...] = (POLICY_BUDGET,)

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        if not getattr(sim, "two_level", False):
            raise ValueError(f"--organisation-policy {self.name} needs the two-level game "
                             "(--mpcr-system)")
        self._reward = np.zeros(sim.n)

    @staticmethod
    def local_output(sim: Engine) -> np.ndarray:
        """Per organisation: what its own pool produced this round, m_L * |k| * L_k."""
        return sim.payout * sim.groups.sizes

    @staticmethod
    def system_output(sim: Engine) -> np.ndarray:
        """Per organisation: what its members' system giving produced, m_G * reach * g."""
        produced = sim.mpcr_system * sim.system_reach * sim.system_given
        return np.bincount(sim.organisation, weights=produced, minlength=sim.groups.n_groups)

    def pay(self, sim: Engine, per_member: np.ndarray, to_system: np.ndarray | float) -> None:
        """Pay every member of organisation k ``per_member[k]`` and record the total. The
        share ``to_system`` (per organisation, or one number) of it is credited to the
        system's account, the rest to the organisation's (what the person's split learns
        from: the money paid for an account's output counts as that account's earnings)."""
        np.take(per_member, sim.organisation, out=self._reward)
        sim.payoff += self._reward
        part = np.take(np.broadcast_to(to_system, per_member.shape), sim.organisation)
        sim.credit_system += part * self._reward
        sim.credit_local += (1.0 - part) * self._reward
        self.ledger.append(float(self._reward.sum()))

    def pay_in_proportion(self, sim: Engine, weights: np.ndarray, to_system: float) -> None:
        """The budget divided between organisations in proportion to ``weights`` (by size if
        they are all 0), shared equally by each organisation's members."""
        sizes = sim.groups.sizes.astype(np.float64)
        budget = self.config.policy_budget * sim.n
        total = weights.sum()
        pots = budget * weights / total if total > 0 else budget * sizes / sizes.sum()
        self.pay(sim, pots / np.maximum(sizes, 1.0), to_system)


class LeagueTable(OrganisationPolicy):
    """A league table of organisations by output per member; the top ones win the budget."""

    name = "league-table"
    summary = ("organisations ranked by what their own pool produced per member; the top "
               "share wins the budget")
    source = ("rank-order tournaments between teams (Lazear & Rosen 1981, J Polit Econ 89:841); "
              "docs/science.md section 8")
    parameters = (POLICY_BUDGET, LEAGUE_TOP_SHARE)

    def after_play(self, sim: Engine) -> None:
        sizes = sim.groups.sizes.astype(np.float64)
        score = self.local_output(sim) / np.maximum(sizes, 1.0)
        k = len(score)
        winners_wanted = max(1, int(round(self.config.league_top_share * k)))
        cut = np.sort(score)[::-1][winners_wanted - 1]
        winners = score >= cut
        budget = self.config.policy_budget * sim.n
        per_member = np.where(winners, budget / sizes[winners].sum(), 0.0)
        self.pay(sim, per_member, 0.0)


class PaymentByResults(OrganisationPolicy):
    """Each organisation paid per unit of what its own pool produced."""

    name = "payment-by-results"
    summary = "each organisation paid per unit of what its own pool produced"
    source = ("payment by results: a price per unit of each organisation's output "
              "(docs/science.md section 8)")
    parameters = (POLICY_BUDGET,)

    def after_play(self, sim: Engine) -> None:
        self.pay_in_proportion(sim, self.local_output(sim), 0.0)


class SystemReward(OrganisationPolicy):
    """Organisations paid for what their members' giving to the system produced."""

    name = "system-reward"
    summary = ("the budget paid to organisations in proportion to what their giving to the "
               "system's pool produced")
    source = "rewards for work across organisational boundaries (docs/science.md section 8)"
    parameters = (POLICY_BUDGET,)

    def after_play(self, sim: Engine) -> None:
        self.pay_in_proportion(sim, self.system_output(sim), 1.0)


class PooledBudgets(OrganisationPolicy):
    """Partnerships of two organisations pool their budgets and are paid for joint output."""

    name = "pooled-budgets"
    summary = ("organisations in partnerships of two pool their budgets, paid for what the "
               "partnership produced together")
    source = "pooled budgets for integrated care across organisations (docs/science.md section 8)"
    parameters = (POLICY_BUDGET,)

    def after_play(self, sim: Engine) -> None:
        k = sim.groups.n_groups
        partnership = np.arange(k) // 2
        local = np.bincount(partnership, weights=self.local_output(sim))
        system = np.bincount(partnership, weights=self.system_output(sim))
        joint = local + system
        sizes = np.bincount(partnership, weights=sim.groups.sizes.astype(np.float64))
        budget = self.config.policy_budget * sim.n
        total = joint.sum()
        pots = budget * joint / total if total > 0 else budget * sizes / sizes.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            to_system = np.where(joint > 0, system / joint, 0.5)
        self.pay(sim, (pots / np.maximum(sizes, 1.0))[partnership], to_system[partnership])


#: ``--organisation-policy`` name -> entry (``entry`` is the class); ``none``: no policy
ORGANISATION_POLICIES = Registry(
    "policies between organisations (--organisation-policy; two-level game)",
    [Entry(name="none", summary="no policy between organisations",
           source="the two-level game alone")]
    + [Entry(name=cls.name, summary=cls.summary, source=cls.source, parameters=cls.parameters,
             entry=cls) for cls in (LeagueTable, PaymentByResults, SystemReward, PooledBudgets)],
)
ORGANISATION_POLICY = Param("organisation_policy", "none", "a policy between organisations "
                            "(two-level game), spending --policy-budget; combines with "
                            "punishment and reward", kind=str, choices=ORGANISATION_POLICIES)
#: the settings gathered into the config (policy_budget is declared by sim.policies.base)
PARAMETERS = (ORGANISATION_POLICY, LEAGUE_TOP_SHARE)


def check(config: Settings) -> None:
    """The policy between organisations with the other settings (one line each)."""
    name = config.organisation_policy
    if name == "none":
        return
    if config.mpcr_system is None:
        raise ConfigError(f"--organisation-policy {name} needs the two-level game "
                          "(--mpcr-system)")
    for other in config.policy.split("+"):
        if other in BUDGET_POLICIES:
            raise ConfigError(f"--organisation-policy {name} and --policy {other} spend the "
                              "same budget two ways; choose one")


def organisation_hooks(config: Settings) -> list[RoundHook]:
    """The policy between organisations the config names (none for ``none``)."""
    name = config.organisation_policy
    return [] if name == "none" else [ORGANISATION_POLICIES[name].entry(config)]
