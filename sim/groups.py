"""Who plays with whom (docs/science.md section 1): the group structures, registered by name.

A :class:`Groups` holds groups as CSR lists of members plus the inverse map from each agent
to its groups. Fixed structures are built once; re-matched ones are rebuilt every round.
:data:`GROUP_STRUCTURES` is a :class:`~sim.params.Registry`; the settings it reads are declared
here (:data:`PARAMETERS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.graph import CSRGraph
from sim.params import ConfigError, Entry, Param, Registry, Settings


@dataclass(frozen=True)
class Groups:
    """Groups as CSR (``group_ptr``, ``members``) plus the inverse map (``agent_ptr``,
    ``agent_groups``) from each agent to its groups."""

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
        """A partition: consecutive runs of ``group_size`` in ``order`` (last may be smaller)."""
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

    The laboratory's "perfect strangers" protocol (Fehr & Gächter 2002, Nature 415:137). The
    whole schedule is planned when the run starts: random partitions for every round, then a
    simulated-annealing search that swaps two agents within a round, lowering the number of
    repeat meetings (a pair that meets k > 1 times counts k - 1). An agent meets
    ``group_size - 1`` new people per round, so at most ``(n - 1) // (group_size - 1)`` rounds
    can be repeat-free; past that, or if the search budget runs out, the schedule with the
    fewest repeats found is used, and ``repeats`` says how many there are in total.
    """

    MAX_AGENTS = 5000
    TEMPERATURE = 0.4
    PATIENCE = 60_000  # moves without a new best before the search stops

    def __init__(self, n: int, group_size: int, rounds: int, rng: np.random.Generator):
        self.n, self.group_size, self.rng = n, group_size, rng
        self.schedule = [self._random_partition() for _ in range(rounds)]
        self.repeats = self._anneal()
        self._next = 0

    def _random_partition(self) -> list[list[int]]:
        order = self.rng.permutation(self.n).tolist()
        return [order[k : k + self.group_size] for k in range(0, self.n, self.group_size)]

    def _anneal(self, max_moves: int = 400_000) -> int:
        meets: list[dict[int, int]] = [{} for _ in range(self.n)]
        where = []  # where[t][a] = index of a's group in round t
        for groups in self.schedule:
            where.append({a: g for g, grp in enumerate(groups) for a in grp})
            for grp in groups:
                for a in grp:
                    for b in grp:
                        if a != b:
                            meets[a][b] = meets[a].get(b, 0) + 1
        cost = sum(c - 1 for row in meets for c in row.values() if c > 1) // 2
        best_cost, best = cost, [[list(g) for g in groups] for groups in self.schedule]
        rng, rounds = self.rng, len(self.schedule)
        last_gain = 0
        for move in range(max_moves):
            if cost == 0 or rounds == 0 or move - last_gain > self.PATIENCE:
                break
            if move % 32 == 0:
                clashes = [(a, m) for a in range(self.n) for m, c in meets[a].items() if c > 1]
            a, m = clashes[int(rng.integers(len(clashes)))]
            if meets[a].get(m, 0) < 2:
                continue
            together = [t for t in range(rounds) if where[t][a] == where[t][m]]
            t = together[int(rng.integers(len(together)))]
            b = int(rng.integers(self.n))
            groups, pos = self.schedule[t], where[t]
            ga, gb = pos[a], pos[b]
            if ga == gb:
                continue
            rest_a = [m for m in groups[ga] if m != a]
            rest_b = [m for m in groups[gb] if m != b]
            delta = 0
            for m in rest_a:
                delta += (meets[b].get(m, 0) >= 1) - (meets[a][m] >= 2)
            for m in rest_b:
                delta += (meets[a].get(m, 0) >= 1) - (meets[b][m] >= 2)
            if delta > 0 and rng.random() >= np.exp(-delta / self.TEMPERATURE):
                continue
            for m in rest_a:
                _meet(meets, a, m, -1)
                _meet(meets, b, m, +1)
            for m in rest_b:
                _meet(meets, b, m, -1)
                _meet(meets, a, m, +1)
            groups[ga], groups[gb] = rest_a + [b], rest_b + [a]
            pos[a], pos[b] = gb, ga
            cost += delta
            if cost < best_cost:
                best_cost, best = cost, [[list(g) for g in grs] for grs in self.schedule]
                last_gain = move
        self.schedule = best
        return best_cost

    def next_groups(self) -> Groups:
        groups = self.schedule[self._next % len(self.schedule)]
        self._next += 1
        order = np.fromiter((a for grp in groups for a in grp), np.int64, count=self.n)
        return Groups.from_order(order, self.group_size)


def _meet(meets: list[dict[int, int]], a: int, b: int, change: int) -> None:
    """Add ``change`` to how often a and b meet (both directions)."""
    for x, y in ((a, b), (b, a)):
        c = meets[x].get(y, 0) + change
        if c:
            meets[x][y] = c
        else:
            del meets[x][y]


@dataclass(frozen=True, kw_only=True)
class GroupStructure(Entry):
    """A named group structure: ``entry`` (also ``build``) is ``build(graph, config, rng)``.

    ``rematched`` structures are rebuilt before every round; ``follows_network`` ones are
    rebuilt when the network changes.
    """

    rematched: bool = False
    follows_network: bool = False

    @property
    def build(self) -> Callable[[CSRGraph, Settings, np.random.Generator], Groups]:
        return self.entry


def _partition(graph: CSRGraph, config: Settings, rng: np.random.Generator) -> Groups:
    return Groups.from_order(rng.permutation(graph.n), config.group_size)


#: group structure name -> structure, in the order the command line lists them
GROUP_STRUCTURES = Registry("group structures (--groups)")

MATCHINGS = ("random", "perfect-strangers")
GROUPS = Param("groups", "neighbourhood", "who plays with whom", kind=str,
               choices=GROUP_STRUCTURES)
GROUP_SIZE = Param("group_size", 4, "group size for partition and rematch", kind=int, low=1)
MATCHING = Param("matching", "random", "random or perfect-strangers re-matching for rematch",
                 kind=str, choices=MATCHINGS)
#: the group settings, in the order of the command line
PARAMETERS = (GROUPS, GROUP_SIZE, MATCHING)

for _structure in (
    GroupStructure(
        name="neighbourhood",
        summary="k+1 games per node: its own and each neighbour's (Santos et al. 2008)",
        source="Santos, Santos & Pacheco 2008, Nature 454:213",
        entry=lambda graph, config, rng: neighbourhood_groups(graph),
        follows_network=True,
    ),
    GroupStructure(
        name="edges",
        summary="a two-player game on every edge",
        source="Ohtsuki, Hauert, Lieberman & Nowak 2006, Nature 441:502",
        entry=lambda graph, config, rng: edge_groups(graph),
        follows_network=True,
    ),
    GroupStructure(
        name="partition",
        summary="fixed random groups of --group-size ('partners')",
        source="Fehr & Gächter 2002, Nature 415:137 (partners)",
        parameters=(GROUP_SIZE,),
        entry=_partition,
    ),
    GroupStructure(
        name="rematch",
        summary="new groups of --group-size every round (--matching random or "
        "perfect-strangers)",
        source="Fehr & Gächter 2002, Nature 415:137 (strangers)",
        parameters=(GROUP_SIZE, MATCHING),
        entry=_partition,
        rematched=True,
    ),
):
    GROUP_STRUCTURES.add(_structure)


def check_group_size(group_size: int, n: int) -> None:
    """Groups for ``partition`` and ``rematch`` cannot be larger than the population."""
    if group_size > n:
        raise ConfigError(f"--group-size must be between 1 and n={n} (got {group_size})")


def check(config: Settings) -> None:
    """Settings the group structure needs together (each field is checked alone before)."""
    if config.groups in ("partition", "rematch") and not config.network_defines_n:
        check_group_size(config.group_size, config.n)
    limit = PerfectStrangers.MAX_AGENTS
    if config.groups == "rematch" and config.matching == "perfect-strangers" and config.n > limit:
        raise ConfigError(
            f"--matching perfect-strangers is a laboratory protocol for n <= {limit} "
            f"(got n={config.n}); use --matching random"
        )


class Matcher:
    """Builds the groups for each round of a run, re-matching when the structure asks for it."""

    def __init__(self, graph: CSRGraph, config: Settings, rng: np.random.Generator):
        self.structure = GROUP_STRUCTURES[config.groups]
        self.graph = graph
        self.config = config
        self.rng = rng
        self.strangers = (
            PerfectStrangers(graph.n, config.group_size, config.rounds, rng)
            if self.structure.rematched and config.matching == "perfect-strangers"
            else None
        )
        self._fixed: Groups | None = None

    def set_graph(self, graph: CSRGraph) -> None:
        """Use ``graph`` from now on; groups that follow the network are rebuilt next time."""
        self.graph = graph
        if self.structure.follows_network:
            self._fixed = None

    def groups_for_round(self) -> Groups:
        if self.strangers is not None:
            return self.strangers.next_groups()
        if self.structure.rematched:
            return self.structure.build(self.graph, self.config, self.rng)
        if self._fixed is None:
            self._fixed = self.structure.build(self.graph, self.config, self.rng)
        return self._fixed
