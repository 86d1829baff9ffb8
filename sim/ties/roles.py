"""Network roles (docs/science.md section 6): brokers who bridge teams and connectors in teams.

For every node of any network:

- ``betweenness``: the share of shortest paths through the node (Freeman 1977), by Brandes'
  (2001) algorithm in a Numba kernel, normalised as networkx does; exact up to
  :data:`EXACT_BETWEENNESS_MAX` nodes, above that estimated from :data:`BETWEENNESS_PIVOTS`
  seeded random pivots (Brandes & Pich 2007).
- ``constraint``: Burt's (1992, *Structural Holes*, Harvard UP) network constraint
  c_i = sum_j (p_ij + sum_q p_iq p_qj)^2 with p_ij = 1/k_i for an unweighted tie: high when
  i's contacts are tied to each other, low when i spans structural holes. 1 for a node with
  one contact or none.
- ``clustering``: local clustering coefficient within the node's own team (the share of pairs
  of its team-mates it knows who know each other); ``team_degree``: its ties inside the team.

Scores are averages of percentile ranks (0 lowest, 1 highest, ties sharing their mean rank), so
they are comparable across networks of any size:

- ``broker_score`` = mean(rank of betweenness, rank of -constraint);
- ``connector_score`` = mean(rank of clustering within the team, rank of team degree).

``role`` is ``broker`` for nodes whose broker score is in the top :data:`ROLE_SHARE` of the
network and at least their connector score, ``connector`` for the top share of connector
scores that are not brokers, ``other`` for the rest (and every isolated node).

Teams: the graph's ``team`` labels, or else communities found by the Louvain method (Blondel
et al. 2008, J. Stat. Mech. P10008; ``networkx.community.louvain_communities``, seeded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from sim.graph import CSRGraph
from sim.kernels.centrality import brandes

if TYPE_CHECKING:  # pandas is imported where a table is made: it costs ~0.5 s at start
    import pandas as pd

#: largest network whose betweenness is computed exactly
EXACT_BETWEENNESS_MAX = 2000
#: random pivots for the sampled betweenness of larger networks
BETWEENNESS_PIVOTS = 500
#: share of nodes given each role (top broker scores, top connector scores)
ROLE_SHARE = 0.1
COLUMNS = ("node", "team", "degree", "team_degree", "betweenness", "constraint", "clustering",
           "broker_score", "connector_score", "role")


def detect_teams(graph: CSRGraph, seed: int = 0) -> np.ndarray:
    """Louvain communities as team codes ``0..k-1`` (largest community first)."""
    communities = nx.community.louvain_communities(graph.to_networkx(), seed=seed)
    team = np.empty(graph.n, dtype=np.int32)
    ordered = sorted(communities, key=lambda c: (-len(c), min(c)))
    for code, members in enumerate(ordered):
        team[list(members)] = code
    return team


def burt_constraint(graph: CSRGraph) -> np.ndarray:
    """Burt's (1992) constraint of every node for unweighted ties (``p_ij = 1 / k_i``).

    Nodes with fewer than two contacts get 1 (a lone contact constrains fully; no contact:
    nothing to broker).
    """
    n, indptr, indices = graph.n, graph.indptr, graph.indices
    degree = graph.degree
    out = np.ones(n)
    neighbour_sets = [set(indices[indptr[i] : indptr[i + 1]].tolist()) for i in range(n)]
    for i in range(n):
        k_i = degree[i]
        if k_i < 2:
            continue
        total = 0.0
        mine = neighbour_sets[i]
        for j in mine:
            indirect = sum(1.0 / degree[q] for q in mine & neighbour_sets[j]) / k_i
            total += (1.0 / k_i + indirect) ** 2
        out[i] = total
    return out


def team_clustering(graph: CSRGraph, team: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local clustering within each node's team, and its number of team-mates it knows."""
    n, indptr, indices = graph.n, graph.indptr, graph.indices
    inside = [
        {int(j) for j in indices[indptr[i] : indptr[i + 1]] if team[j] == team[i]}
        for i in range(n)
    ]
    clustering = np.zeros(n)
    team_degree = np.array([len(s) for s in inside], dtype=np.int64)
    for i in range(n):
        k = team_degree[i]
        if k < 2:
            continue
        links = sum(len(inside[j] & inside[i]) for j in inside[i]) / 2
        clustering[i] = links / (k * (k - 1) / 2)
    return clustering, team_degree


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """Ranks scaled to [0, 1] (0 lowest); equal values share their mean rank.

    The ranks are ``scipy.stats.rankdata(values, method="average")``, computed the same way
    (equal values get the mean of the ranks 1..n they span), without importing SciPy.
    """
    values = np.asarray(values)
    n = len(values)
    if n < 2:
        return np.zeros(n)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    dense = np.cumsum(starts)  # 1-based index of each value's run of equal values
    bounds = np.r_[np.flatnonzero(starts), n]
    ranks = np.empty(n)
    ranks[order] = 0.5 * (bounds[dense] + bounds[dense - 1] + 1)
    return (ranks - 1.0) / (n - 1.0)


def betweenness(graph: CSRGraph, seed: int = 0) -> np.ndarray:
    """Normalised betweenness (networkx's convention: divided by (n-1)(n-2), so a node on every
    shortest path scores 1): exact up to EXACT_BETWEENNESS_MAX nodes, else estimated from
    BETWEENNESS_PIVOTS sources drawn with ``seed`` and scaled by n / pivots. The work is the
    Numba kernel :func:`sim.kernels.centrality.brandes`."""
    n = graph.n
    if n <= EXACT_BETWEENNESS_MAX:
        sources = np.arange(n, dtype=np.int64)
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, BETWEENNESS_PIVOTS,
                                                             replace=False)).astype(np.int64)
    raw = brandes(graph.indptr, graph.indices, sources)
    if n <= 2:
        return np.zeros(n)
    return raw * (n / len(sources)) / ((n - 1) * (n - 2))


def network_roles(graph: CSRGraph, team: np.ndarray | None = None, *, seed: int = 0,
                  share: float = ROLE_SHARE) -> pd.DataFrame:
    """Each node's broker and connector scores and its role (see the module docstring).

    Args:
        graph: any network.
        team: team labels per node; default the graph's, else Louvain communities.
        seed: seed of the sampled betweenness and of the community detection.
        share: share of nodes given each role.

    Returns:
        One row per node, columns :data:`COLUMNS`.
    """
    if team is None:
        team = graph.team if graph.team is not None else detect_teams(graph, seed)
    team = np.asarray(team)
    if team.shape != (graph.n,):
        raise ValueError(f"team must hold one label per node ({graph.n}), got {team.shape}")
    degree = graph.degree
    between = betweenness(graph, seed)
    constraint = burt_constraint(graph)
    clustering, team_degree = team_clustering(graph, team)
    broker = 0.5 * (percentile_rank(between) + percentile_rank(-constraint))
    connector = 0.5 * (percentile_rank(clustering) + percentile_rank(team_degree))
    role = np.full(graph.n, "other", dtype=object)
    if graph.n:
        active = degree > 0
        is_broker = active & (broker >= np.quantile(broker, 1.0 - share)) & (broker >= connector)
        is_connector = (active & ~is_broker
                        & (connector >= np.quantile(connector, 1.0 - share)))
        role[is_broker] = "broker"
        role[is_connector] = "connector"
    import pandas as pd

    return pd.DataFrame({
        "node": np.arange(graph.n), "team": team, "degree": degree,
        "team_degree": team_degree, "betweenness": between, "constraint": constraint,
        "clustering": clustering, "broker_score": broker, "connector_score": connector,
        "role": role,
    }, columns=list(COLUMNS))
