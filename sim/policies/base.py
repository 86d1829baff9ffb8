"""What every policy shares: metadata, a ledger of the money it moved, and comparison sets.

A policy is an institution applied each round between payoffs and learning (SCIENCE.md §6): a
:class:`~sim.hooks.RoundHook` that changes this round's return (``after_decide``) or pays
rewards, prizes and fines into ``sim.payoff`` (``after_play``), so the learning rule of the next
round sees what the institution paid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.config import SimulationConfig
from sim.groups import Groups
from sim.hooks import RoundHook

if TYPE_CHECKING:
    from sim.simulation import Simulation

SCOPES = ("groups", "teams")


class Policy(RoundHook):
    """Base class of the registered policies (:data:`sim.policies.POLICIES`).

    Class attributes:
        name: the name configs use (``--policy NAME``).
        summary: one plain-language line (shown to policy teams in the browser app).
        source: the paper or idea it comes from.
        parameters: the config fields it reads (documented in ``SimulationConfig``).
        stage: order within a combination; punishment's fines come before the budget's prizes,
            so a competition ranks payoffs net of fines.

    Attributes:
        ledger: per round, the MU the policy added to (positive) or took from (negative) the
            agents' payoffs in total: what the institution cost or raised.
    """

    name: ClassVar[str] = "policy"
    summary: ClassVar[str] = ""
    source: ClassVar[str] = ""
    parameters: ClassVar[tuple[str, ...]] = ()
    stage: ClassVar[int] = 0

    def __init__(self, config: SimulationConfig):
        self.config = config
        self.ledger: list[float] = []

    @property
    def total(self) -> float:
        """MU moved over all rounds so far (see :attr:`ledger`)."""
        return float(sum(self.ledger))


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

    def __call__(self, sim: Simulation) -> Groups:
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
    sizes = sets.sizes.astype(np.float64)
    slots = sizes.sum()
    return total * sizes / slots if slots > 0 else np.zeros(len(sizes))
