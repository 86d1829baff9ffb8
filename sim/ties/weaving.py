"""Weaving new ties and cutting old ones, each round, on the engine's CSR network.

Weaving ("randomised coffee trials", docs/science.md section 6.4): each round every agent, with
probability ``weaving``, gains one tie to a uniformly drawn other agent; a draw that lands on an
existing contact adds nothing. Cutting (Rand, Arbesman & Christakis 2011, PNAS 108:19193):
each round every agent, with probability ``cutting``, cuts its tie to the contact who gave least
this round (see :func:`sim.kernels.weaving.least_giving_contacts`). Both act in the hook's
``end_round`` and take effect from the next round through ``Simulation.set_graph``. Their
settings are declared here: :data:`WEAVING` and :data:`CUTTING`.
"""

from __future__ import annotations

import numpy as np

from sim.graph import CSRGraph
from sim.hooks import Engine, RoundHook
from sim.kernels import weaving as kernels
from sim.params import Param

WEAVING = Param("weaving", 0.0, "share of agents gaining one new random tie each round "
                "(\"randomised coffee trials\")", low=0.0, high=1.0)
CUTTING = Param("cutting", 0.0, "share of agents cutting, each round, their tie to the contact "
                "who gave least (Rand, Arbesman & Christakis 2011)", low=0.0, high=1.0)


def _half_edges(n: int, edges: np.ndarray, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of ``edges`` as CSR lists ``(ptr, dst)``, sorted within each node."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    key = np.sort(src * n + dst)
    src, dst = np.divmod(key, n)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, dst.astype(dtype)


def rewired(graph: CSRGraph, added: np.ndarray, cut: np.ndarray) -> CSRGraph:
    """``graph`` with the undirected ties ``added`` (``(k, 2)``) gained and ``cut`` lost.

    Self-loops and ties already present are ignored; a tie in both lists is cut. Team labels
    are kept. The work is the Numba kernel :func:`sim.kernels.weaving.rewire`.
    """
    n = graph.n
    add_ptr, add_dst = _half_edges(n, added, graph.indices.dtype)
    cut_ptr, cut_dst = _half_edges(n, cut, graph.indices.dtype)
    indptr, indices = kernels.rewire(graph.indptr, graph.indices, add_ptr, add_dst, cut_ptr,
                                     cut_dst)
    return CSRGraph(indptr=indptr, indices=indices, team=graph.team)


def random_new_ties(n: int, share: float, rng: np.random.Generator) -> np.ndarray:
    """Each agent with probability ``share`` draws one partner uniformly among the others."""
    movers = np.flatnonzero(rng.random(n) < share)
    partner = rng.integers(0, max(n - 1, 1), size=len(movers))
    partner += partner >= movers  # skip oneself
    return np.stack([movers, partner], axis=1)


def ties_to_least_givers(graph: CSRGraph, contribution: np.ndarray, share: float,
                         rng: np.random.Generator) -> np.ndarray:
    """Each agent with probability ``share`` names its least-giving contact; ``(k, 2)`` ties."""
    cutters = np.flatnonzero(rng.random(graph.n) < share)
    u = rng.random(len(cutters))
    target = np.empty(len(cutters), dtype=np.int64)
    kernels.least_giving_contacts(graph.indptr, graph.indices, contribution, cutters, u, target)
    keep = target >= 0
    return np.stack([cutters[keep], target[keep]], axis=1)


class TieDynamics(RoundHook):
    """Weaves and cuts ties at the end of every round (see the module docstring)."""

    name = "ties"
    parameters = (WEAVING, CUTTING)

    def __init__(self, weaving: float = 0.0, cutting: float = 0.0):
        self.weaving = float(weaving)
        self.cutting = float(cutting)
        self.rng: np.random.Generator | None = None

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        self.rng = rng

    def end_round(self, sim: Engine) -> None:
        rng, graph = self.rng, sim.graph
        assert rng is not None, "start() was not called"
        empty = np.empty((0, 2), dtype=np.int64)
        added = random_new_ties(sim.n, self.weaving, rng) if self.weaving > 0 else empty
        cut = (ties_to_least_givers(graph, sim.contribution, self.cutting, rng)
               if self.cutting > 0 else empty)
        if len(added) or len(cut):
            sim.set_graph(rewired(graph, added, cut))
