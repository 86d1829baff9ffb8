"""What every policy shares: metadata, a ledger of the money it moved, and comparison sets.

A policy is an institution applied each round between payoffs and learning (docs/science.md
section 6): a :class:`~sim.hooks.RoundHook` that changes this round's return (``after_decide``)
or pays rewards, prizes and fines into ``sim.payoff`` (``after_play``), so the learning rule of
the next round sees what the institution paid.

The two settings several policies share are declared here: :data:`POLICY_BUDGET` and
:data:`POLICY_SCOPE`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sim.groups import Groups
from sim.hooks import Engine, RoundHook
from sim.params import Param, Settings
from sim.policies.kernels import set_pots

SCOPES = ("groups", "teams")
#: networks whose nodes carry team labels (file networks may)
TEAM_NETWORKS = ("silos", "edgelist", "graphml")

POLICY_BUDGET = Param("policy_budget", 1.0, "MU per agent per round that competition and "
                      "cooperation pay out (the same money, so they differ only in the "
                      "incentive's shape)", low=0.0)
POLICY_SCOPE = Param("policy_scope", "groups", "who is compared or rewarded together: groups "
                     "(the game groups: network neighbourhoods or the partition) or teams (the "
                     "network's teams, silos)", kind=str, choices=SCOPES)


class Institution(RoundHook):
    """What every institution shares: its settings and a ledger of the money it moved.

    Attributes:
        config: the run's settings.
        ledger: per round, the MU the institution added to (positive) or took from (negative)
            the agents' payoffs in total: what it cost or raised.
    """

    def __init__(self, config: Settings):
        self.config = config
        self.ledger: list[float] = []

    @property
    def total(self) -> float:
        """MU moved over all rounds so far (see :attr:`ledger`)."""
        return float(sum(self.ledger))


class Policy(Institution):
    """Base class of the registered policies (:data:`sim.policies.POLICIES`).

    A policy is one class in a module of ``sim/policies/``; the package finds it there (see
    :mod:`sim.policies`). It declares, beside its code:

    Class attributes:
        name: the name configs use (``--policy NAME``).
        summary: one plain-language line (shown to policy teams in the browser app).
        source: the paper or idea it comes from.
        parameters: the settings it reads (:class:`~sim.params.Param`: field name, default,
            range, one line of help); they become fields of ``SimulationConfig`` and options of
            ``cascade run``.
        stage: order within a combination; punishment's fines come before the budget's prizes,
            so a competition ranks payoffs net of fines.
        excludes: policies it makes no sense with -> the reason given to the user.

    Attributes:
        ledger: per round, the MU the policy added to (positive) or took from (negative) the
            agents' payoffs in total: what the institution cost or raised.
    """

    name: ClassVar[str] = "policy"
    summary: ClassVar[str] = ""
    source: ClassVar[str] = ""
    parameters: ClassVar[tuple[Param, ...]] = ()
    stage: ClassVar[int] = 0
    excludes: ClassVar[dict[str, str]] = {}



class ComparisonSets:
    """The sets within which a budget is shared: this round's game groups, or the teams.

    ``groups``: the groups the agents play in (network neighbourhoods, or the partition);
    ``teams``: the network's team labels (``silos``; a file network with a ``team``
    attribute). Team sets are cached per graph, so rewiring the network rebuilds them.
    """

    def __init__(self, scope: str):
        self.scope = scope
        self._graph = None
        self._teams: Groups | None = None

    def __call__(self, sim: Engine) -> Groups:
        if self.scope == "groups":
            return sim.groups
        if sim.graph is not self._graph:
            team = sim.graph.team
            if team is None:
                raise ValueError("--policy-scope teams needs a network with teams (silos)")
            labels = np.unique(team, return_inverse=True)[1]
            order = np.argsort(labels, kind="stable")
            ptr = np.zeros(labels.max() + 2, dtype=np.int64)
            np.cumsum(np.bincount(labels), out=ptr[1:])
            self._teams = Groups.from_members(sim.n, ptr, order)
            self._graph = sim.graph
        return self._teams


def pots(sets: Groups, total: float) -> np.ndarray:
    """``total`` MU split over the sets in proportion to their sizes (the same money per member
    slot, so a budget per agent buys the same in every set)."""
    out = np.empty(sets.n_groups)
    set_pots(sets.group_ptr, float(total), out)
    return out
