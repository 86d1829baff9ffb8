"""Campaign teams: committed cooperators placed somewhere in the network (SCIENCE.md §6).

A campaign member gives the whole endowment E every round, whatever it saw ("leaders who
trigger emotional engagement"). Where the team sits is the strategy under test; each placement
is registered by name in :data:`PLACEMENTS`:

- ``random``: uniformly random agents;
- ``brokers``: the highest broker scores (betweenness, low constraint; see
  :func:`sim.analysis.roles.network_roles`);
- ``connectors``: the highest connector scores (clustering and degree within the team);
- ``one-team``: the strong-tie strategy, all in one randomly chosen team (filling the next
  teams in random order if it is smaller than the campaign);
- ``spread``: the weak-tie strategy, one per team across randomly ordered teams (round robin
  if there are fewer teams than members).
- ``cluster``: one random node and its nearest contacts, breadth first, a local cluster
  (Centola & Macy 2007, AJS 113:702): on a lattice a contiguous patch, on a random network a
  star of contacts who mostly do not know each other.

Teams are the graph's ``team`` labels, or communities found by Louvain (seed 0) when it has
none. Roles are computed once per graph object with a fixed seed, so a placement depends only
on the network and the run's seed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.graph import CSRGraph
from sim.hooks import RoundHook

if TYPE_CHECKING:
    import pandas as pd

    from sim.simulation import Simulation

Choose = Callable[[CSRGraph, int, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Placement:
    """A named campaign placement: ``choose(graph, size, rng)`` returns the members."""

    name: str
    summary: str
    choose: Choose


PLACEMENTS: dict[str, Placement] = {}


def register_placement(name: str, summary: str) -> Callable[[Choose], Choose]:
    def wrap(choose: Choose) -> Choose:
        PLACEMENTS[name] = Placement(name, summary, choose)
        return choose

    return wrap


_ROLES: dict[int, tuple[weakref.ref, pd.DataFrame]] = {}


def roles_of(graph: CSRGraph) -> pd.DataFrame:
    """:func:`~sim.analysis.roles.network_roles` of ``graph`` (seed 0), cached per object."""
    from sim.analysis.roles import network_roles

    entry = _ROLES.get(id(graph))
    if entry is not None and entry[0]() is graph:
        return entry[1]
    for key in [k for k, (ref, _) in _ROLES.items() if ref() is None]:
        del _ROLES[key]
    frame = network_roles(graph, seed=0)
    _ROLES[id(graph)] = (weakref.ref(graph), frame)
    return frame


def _top(score: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """The ``size`` highest scores, equal scores in random order."""
    order = np.lexsort((rng.random(len(score)), -score))
    return np.sort(order[:size])


@register_placement("random", "uniformly random agents")
def _random(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(graph.n, size=size, replace=False))


@register_placement("brokers", "highest broker scores (betweenness, low constraint)")
def _brokers(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    return _top(roles_of(graph)["broker_score"].to_numpy(), size, rng)


@register_placement("connectors", "highest connector scores (clustering and degree in the team)")
def _connectors(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    return _top(roles_of(graph)["connector_score"].to_numpy(), size, rng)


def teams_of(graph: CSRGraph) -> np.ndarray:
    """Each node's team: the graph's labels, or the detected communities of its roles."""
    if graph.team is not None:
        return np.asarray(graph.team)
    return roles_of(graph)["team"].to_numpy()


def _members_by_team(graph: CSRGraph, rng: np.random.Generator) -> list[np.ndarray]:
    """Each team's members in random order, the teams in random order."""
    team = teams_of(graph)
    labels = rng.permutation(np.unique(team))
    return [rng.permutation(np.flatnonzero(team == label)) for label in labels]


@register_placement("one-team", "strong-tie strategy: concentrated in one team")
def _one_team(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(np.concatenate(_members_by_team(graph, rng))[:size])


@register_placement("spread", "weak-tie strategy: one per team across teams")
def _spread(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    teams = _members_by_team(graph, rng)
    longest = max(len(t) for t in teams)
    padded = np.full((len(teams), longest), -1, dtype=np.int64)
    for k, members in enumerate(teams):
        padded[k, : len(members)] = members
    round_robin = padded.T.ravel()  # first member of every team, then the second, ...
    return np.sort(round_robin[round_robin >= 0][:size])


@register_placement("cluster", "one node and its nearest contacts, a local cluster "
                    "(Centola & Macy 2007)")
def _cluster(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random node, then its contacts, then theirs (breadth first), so a campaign of
    degree + 1 is one node and its whole neighbourhood (Centola & Macy 2007, AJS 113:702).
    A layer that does not fit whole is filled greedily by ties into the cluster so far (most
    first, equal counts at random); when a component runs out, a new random node starts."""
    in_cluster = np.zeros(graph.n, dtype=bool)
    members: list[int] = []
    layer: list[int] = []
    while len(members) < size:
        if not layer:
            layer = [int(rng.choice(np.flatnonzero(~in_cluster)))]
        added = []
        while layer and len(members) < size:
            ties = np.array([in_cluster[graph.neighbours(j)].sum() for j in layer])
            best = np.flatnonzero(ties == ties.max())
            pick = layer.pop(int(best[rng.integers(len(best))]))
            in_cluster[pick] = True
            members.append(pick)
            added.append(pick)
        reached = {int(j) for i in added for j in graph.neighbours(i)}
        layer = sorted(j for j in reached if not in_cluster[j])
    return np.sort(np.array(members, dtype=np.int64))


def place_campaign(graph: CSRGraph, size: int, placement: str,
                   rng: np.random.Generator) -> np.ndarray:
    """The campaign members (sorted node ids) for ``placement``."""
    if size > graph.n:
        from sim.config import ConfigError

        raise ConfigError(f"--campaign-size must be at most n={graph.n} (got {size})")
    return PLACEMENTS[placement].choose(graph, size, rng).astype(np.int64)


class Campaign(RoundHook):
    """Committed cooperators: they give E every round, from the first on.

    Attributes:
        members: the campaign's agents (set in ``start``).
    """

    name = "campaign"

    def __init__(self, size: int, placement: str = "random"):
        self.size = int(size)
        self.placement = placement
        self.members = np.empty(0, dtype=np.int64)

    def start(self, sim: Simulation, rng: np.random.Generator) -> None:
        self.members = place_campaign(sim.graph, self.size, self.placement, rng)

    def after_decide(self, sim: Simulation) -> None:
        sim.contribution[self.members] = sim.config.endowment
