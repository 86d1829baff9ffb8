"""Campaign teams: committed cooperators placed somewhere in the network (docs/science.md
section 6).

A campaign member gives the whole endowment E every round, whatever it saw ("leaders who
trigger emotional engagement"). Where the team sits is the strategy under test; each placement
is registered by name in :data:`PLACEMENTS`:

- ``random``: uniformly random agents;
- ``brokers``: the highest broker scores (betweenness, low constraint; see
  :func:`sim.ties.roles.network_roles`);
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

The campaign's settings are declared here: :data:`CAMPAIGN_SIZE` and :data:`CAMPAIGN_PLACEMENT`
(one of :data:`PLACEMENTS`, a :class:`~sim.params.Registry` of :class:`Placement` entries).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.graph import CSRGraph
from sim.hooks import Engine, RoundHook
from sim.params import ConfigError, Entry, Param, Registry
from sim.ties.roles import network_roles

if TYPE_CHECKING:  # pandas is imported where a table is made: it costs ~0.5 s at start
    import pandas as pd

Choose = Callable[[CSRGraph, int, np.random.Generator], np.ndarray]


@dataclass(frozen=True, kw_only=True)
class Placement(Entry):
    """A named campaign placement: ``entry`` (also ``choose``) is ``choose(graph, size, rng)``,
    which returns the members."""

    @property
    def choose(self) -> Choose:
        return self.entry


#: placement name -> placement, in the order the command line lists them
PLACEMENTS = Registry("campaign placements (--campaign-placement)")

CAMPAIGN_SIZE = Param("campaign_size", 0, "committed cooperators who give E every round (a "
                      "campaign team; 0: none)", kind=int, low=0)
CAMPAIGN_PLACEMENT = Param("campaign_placement", "random", "where the campaign sits: random, "
                           "brokers, connectors, one-team (strong-tie strategy: concentrated in "
                           "one team), spread (weak-tie strategy: one per team across teams) or "
                           "cluster (one node and its nearest contacts, a local cluster)",
                           kind=str, choices=PLACEMENTS)


def register_placement(name: str, summary: str, source: str = "") -> Callable[[Choose], Choose]:
    """Decorator adding a ``choose(graph, size, rng)`` function to :data:`PLACEMENTS`."""

    def wrap(choose: Choose) -> Choose:
        PLACEMENTS.add(Placement(name=name, summary=summary, source=source, entry=choose))
        return choose

    return wrap


_ROLES: dict[int, tuple[weakref.ref, pd.DataFrame]] = {}


def roles_of(graph: CSRGraph) -> pd.DataFrame:
    """:func:`~sim.ties.roles.network_roles` of ``graph`` (seed 0), cached per object."""
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


@register_placement("random", "uniformly random agents", "the control: no strategy")
def _random(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(graph.n, size=size, replace=False))


@register_placement("brokers", "highest broker scores (betweenness, low constraint)",
                    "brokers span structural holes (Burt 1992, Structural Holes)")
def _brokers(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    return _top(roles_of(graph)["broker_score"].to_numpy(), size, rng)


@register_placement("connectors", "highest connector scores (clustering and degree in the team)",
                    "connectors embedded in cohesive teams (docs/science.md section 6.3)")
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


@register_placement("one-team", "strong-tie strategy: concentrated in one team",
                    "strong ties inside tight circles (Granovetter 1973, AJS 78:1360)")
def _one_team(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(np.concatenate(_members_by_team(graph, rng))[:size])


@register_placement("spread", "weak-tie strategy: one per team across teams",
                    "weak ties that bridge circles (Granovetter 1973, AJS 78:1360)")
def _spread(graph: CSRGraph, size: int, rng: np.random.Generator) -> np.ndarray:
    teams = _members_by_team(graph, rng)
    longest = max(len(t) for t in teams)
    padded = np.full((len(teams), longest), -1, dtype=np.int64)
    for k, members in enumerate(teams):
        padded[k, : len(members)] = members
    round_robin = padded.T.ravel()  # first member of every team, then the second, ...
    return np.sort(round_robin[round_robin >= 0][:size])


@register_placement("cluster", "one node and its nearest contacts, a local cluster "
                    "(Centola & Macy 2007)", "Centola & Macy 2007, AJS 113:702")
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
        raise ConfigError(f"--campaign-size must be at most n={graph.n} (got {size})")
    return PLACEMENTS[placement].choose(graph, size, rng).astype(np.int64)


class Campaign(RoundHook):
    """Committed cooperators: they give E every round, from the first on.

    Attributes:
        members: the campaign's agents (set in ``start``).
    """

    name = "campaign"
    parameters = (CAMPAIGN_SIZE, CAMPAIGN_PLACEMENT)

    def __init__(self, size: int, placement: str = "random"):
        self.size = int(size)
        self.placement = placement
        self.members = np.empty(0, dtype=np.int64)

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        self.members = place_campaign(sim.graph, self.size, self.placement, rng)

    def after_decide(self, sim: Engine) -> None:
        sim.contribution[self.members] = sim.config.endowment
