"""Who plays with whom (SCIENCE.md §1): the group structures, registered by name.

A :class:`Groups` holds groups as CSR lists of members plus the inverse map from each agent
to its groups. Fixed structures are built once; re-matched ones are rebuilt every round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.config import SimulationConfig
from sim.graph import CSRGraph


@dataclass(frozen=True)
class Groups:
    """Groups as CSR (``group_ptr``, ``members``) and its inverse (``agent_ptr``, ``agent_groups``)."""

    group_ptr: np.ndarray
    members: np.ndarray
    agent_ptr: np.ndarray
    agent_groups: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.group_ptr) - 1

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.group_ptr)

    @property
    def games_per_agent(self) -> np.ndarray:
        return np.diff(self.agent_ptr)

    def members_of(self, g: int) -> np.ndarray:
        return self.members[self.group_ptr[g] : self.group_ptr[g + 1]]

    def groups_of(self, i: int) -> np.ndarray:
        return self.agent_groups[self.agent_ptr[i] : self.agent_ptr[i + 1]]

    @classmethod
    def from_members(cls, n: int, group_ptr: np.ndarray, members: np.ndarray) -> Groups:
        """Build from group lists, deriving each agent's list of groups."""
        group_ptr = np.asarray(group_ptr, dtype=np.int64)
        members = np.asarray(members, dtype=np.int32)
        group_of_slot = np.repeat(np.arange(len(group_ptr) - 1, dtype=np.int32), np.diff(group_ptr))
        order = np.argsort(members, kind="stable")
        agent_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(members, minlength=n), out=agent_ptr[1:])
        return cls(group_ptr, members, agent_ptr, group_of_slot[order])

    @classmethod
    def from_order(cls, order: np.ndarray, group_size: int) -> Groups:
        """A partition: consecutive runs of ``group_size`` in ``order`` (the last may be smaller)."""
        n = len(order)
        group_ptr = np.append(np.arange(0, n, group_size, dtype=np.int64), n)
        members = np.asarray(order, dtype=np.int32)
        agent_groups = np.empty(n, dtype=np.int32)
        agent_groups[members] = np.arange(n, dtype=np.int32) // group_size
        return cls(group_ptr, members, np.arange(n + 1, dtype=np.int64), agent_groups)


def neighbourhood_groups(graph: CSRGraph) -> Groups:
    """One game centred on each node: the node and its neighbours (Santos et al. 2008).

    A node of degree k is in k + 1 games; the inverse map equals the group map.
    """
    n = graph.n
    group_ptr = graph.indptr + np.arange(n + 1, dtype=np.int64)
    members = np.empty(group_ptr[-1], dtype=np.int32)
    centre_slot = group_ptr[:-1]
    members[centre_slot] = np.arange(n, dtype=np.int32)
    is_neighbour = np.ones(len(members), dtype=bool)
    is_neighbour[centre_slot] = False
    members[is_neighbour] = graph.indices
    return Groups(group_ptr, members, group_ptr, members)


def edge_groups(graph: CSRGraph) -> Groups:
    """One two-player game per edge (with binary play, the donation game of Ohtsuki et al. 2006)."""
    edges = graph.edge_array()
    group_ptr = np.arange(0, 2 * len(edges) + 1, 2, dtype=np.int64)
    return Groups.from_members(graph.n, group_ptr, edges.ravel())


class PerfectStrangers:
    """Re-matching in which no two agents meet twice while that is possible.

    The laboratory's "perfect strangers" protocol (Fehr & Gächter 2002). Each round starts from a
    random partition and repairs repeat meetings by local search (swapping agents between groups
    when that lowers the number of repeated pairs). If no repeat-free partition is found within
    the search budget, the one with the fewest repeats is used and ``repeats`` records it.
    """

    def __init__(self, n: int, group_size: int, rng: np.random.Generator):
        self.n = n
        self.group_size = group_size
        self.rng = rng
        self.met: list[set[int]] = [set() for _ in range(n)]
        self.repeats: list[int] = []

    def _clashes(self, a: int, group: list[int]) -> int:
        met = self.met[a]
        return sum(1 for b in group if b != a and b in met)

    def next_groups(self) -> Groups:
        order = self.rng.permutation(self.n)
        s = self.group_size
        groups = [list(order[k : k + s]) for k in range(0, self.n, s)]
        where = {a: g for g, grp in enumerate(groups) for a in grp}
        total = sum(self._clashes(a, grp) for grp in groups for a in grp) // 2
        budget = 200 * self.n
        while total > 0 and budget > 0:
            clashing = [a for grp in groups for a in grp if self._clashes(a, grp) > 0]
            a = clashing[self.rng.integers(len(clashing))]
            ga = where[a]
            b = int(self.rng.integers(self.n))
            gb = where[b]
            budget -= 1
            if ga == gb:
                continue
            rest_a = [m for m in groups[ga] if m != a]
            rest_b = [m for m in groups[gb] if m != b]
            before = self._clashes(a, rest_a) + self._clashes(b, rest_b)
            after = self._clashes(a, rest_b) + self._clashes(b, rest_a)
            if after < before or (after == before and self.rng.random() < 0.2):
                groups[ga] = rest_a + [b]
                groups[gb] = rest_b + [a]
                where[a], where[b] = gb, ga
                total += after - before
        self.repeats.append(total)
        for grp in groups:
            for a in grp:
                self.met[a].update(m for m in grp if m != a)
        return Groups.from_order(np.fromiter((a for grp in groups for a in grp), np.int64), s)


@dataclass(frozen=True)
class GroupStructure:
    """A named group structure. ``rematched`` structures are rebuilt before every round."""

    name: str
    summary: str
    rematched: bool
    build: Callable[[CSRGraph, SimulationConfig, np.random.Generator], Groups]


def _partition(graph: CSRGraph, config: SimulationConfig, rng: np.random.Generator) -> Groups:
    return Groups.from_order(rng.permutation(graph.n), config.group_size)


GROUP_STRUCTURES: dict[str, GroupStructure] = {
    s.name: s
    for s in (
        GroupStructure(
            "neighbourhood",
            "k+1 games per node: its own and each neighbour's (Santos et al. 2008)",
            False,
            lambda graph, config, rng: neighbourhood_groups(graph),
        ),
        GroupStructure(
            "edges",
            "a two-player game on every edge",
            False,
            lambda graph, config, rng: edge_groups(graph),
        ),
        GroupStructure(
            "partition",
            "fixed random groups of --group-size ('partners')",
            False,
            _partition,
        ),
        GroupStructure(
            "rematch",
            "new groups of --group-size every round (--matching random or perfect-strangers)",
            True,
            _partition,
        ),
    )
}


class Matcher:
    """Builds the groups for each round of a run, re-matching when the structure asks for it."""

    def __init__(self, graph: CSRGraph, config: SimulationConfig, rng: np.random.Generator):
        self.structure = GROUP_STRUCTURES[config.groups]
        self.graph = graph
        self.config = config
        self.rng = rng
        self.strangers = (
            PerfectStrangers(graph.n, config.group_size, rng)
            if self.structure.rematched and config.matching == "perfect-strangers"
            else None
        )
        self._fixed: Groups | None = None

    def groups_for_round(self) -> Groups:
        if self.strangers is not None:
            return self.strangers.next_groups()
        if self.structure.rematched:
            return self.structure.build(self.graph, self.config, self.rng)
        if self._fixed is None:
            self._fixed = self.structure.build(self.graph, self.config, self.rng)
        return self._fixed
