"""The network as compressed sparse rows (CSR), the engine's only graph type."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numba as nb
import numpy as np


@dataclass(frozen=True)
class CSRGraph:
    """An undirected simple graph stored as CSR.

    Node ``i``'s neighbours are ``indices[indptr[i]:indptr[i + 1]]``, sorted ascending.
    Every undirected edge appears twice (once from each end); there are no self-loops and no
    duplicate edges.

    Attributes:
        indptr: int64 array of length ``n + 1``.
        indices: int32 array of length ``2 * n_edges``.
        team: optional int32 array of length ``n`` giving each node's team (silo) label, or
            ``None`` when the network has no team structure.
    """

    indptr: np.ndarray
    indices: np.ndarray
    team: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        return len(self.indices) // 2

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def edge_array(self) -> np.ndarray:
        """Each undirected edge once, as an ``(m, 2)`` int64 array with ``u < v``."""
        src = np.repeat(np.arange(self.n, dtype=np.int64), self.degree)
        dst = self.indices.astype(np.int64)
        keep = src < dst
        return np.stack([src[keep], dst[keep]], axis=1)

    @classmethod
    def from_edges(cls, n: int, edges: np.ndarray, team: np.ndarray | None = None) -> CSRGraph:
        """Build from an ``(m, 2)`` array of undirected edges.

        Self-loops are dropped and duplicate edges (in either direction) merged.
        """
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        loops = edges[:, 0] == edges[:, 1]
        if loops.any():
            edges = edges[~loops]
        del loops
        # one int64 key per undirected edge, sorted: plain sorts rather than np.unique, whose
        # hashing path is slow for large int arrays; no (2m, 2) temporaries, so that building
        # 10^7 nodes of degree 10 stays within a few GB
        key = np.minimum(edges[:, 0], edges[:, 1]) * n
        key += np.maximum(edges[:, 0], edges[:, 1])
        key.sort()
        keep = np.ones(len(key), dtype=bool)
        keep[1:] = key[1:] != key[:-1]
        key = key[keep]
        del keep
        lo, hi = np.divmod(key, n)
        del key
        lo, hi = lo.astype(np.int32), hi.astype(np.int32)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(lo, minlength=n) + np.bincount(hi, minlength=n), out=indptr[1:])
        indices = np.empty(indptr[-1], dtype=np.int32)
        _fill_sorted_rows(lo, hi, indptr, indices)
        return cls(indptr=indptr, indices=indices, team=team)

    def to_networkx(self):
        """A ``networkx.Graph`` with nodes ``0..n-1`` (and a ``team`` node attribute if known)."""
        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        g.add_edges_from(map(tuple, self.edge_array().tolist()))
        if self.team is not None:
            nx.set_node_attributes(g, dict(enumerate(self.team.tolist())), "team")
        return g


@nb.njit(cache=True)
def _fill_sorted_rows(lo, hi, indptr, indices):
    """CSR rows from edges ``lo < hi`` sorted by (lo, hi), each row ascending: node i's smaller
    neighbours come from the edges (lo, i), in ascending lo, its larger ones from (i, hi)."""
    cursor = indptr[:-1].copy()
    for e in range(len(lo)):
        indices[cursor[hi[e]]] = lo[e]
        cursor[hi[e]] += 1
    for e in range(len(lo)):
        indices[cursor[lo[e]]] = hi[e]
        cursor[lo[e]] += 1
