"""The network as compressed sparse rows (CSR), the engine's only graph type."""

from __future__ import annotations

from dataclasses import dataclass

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
        edges = edges[edges[:, 0] != edges[:, 1]]
        # plain sorts rather than np.unique, whose hashing path is slow for large int arrays
        key = np.sort(
            np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])
        )
        keep = np.ones(len(key), dtype=bool)
        keep[1:] = key[1:] != key[:-1]
        lo, hi = np.divmod(key[keep], n)
        both = np.sort(np.concatenate([lo * n + hi, hi * n + lo]))
        src, dst = np.divmod(both, n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        return cls(indptr=indptr, indices=dst.astype(np.int32), team=team)

    def to_networkx(self):
        """A ``networkx.Graph`` with nodes ``0..n-1`` (and a ``team`` node attribute if known)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        g.add_edges_from(map(tuple, self.edge_array().tolist()))
        if self.team is not None:
            nx.set_node_attributes(g, dict(enumerate(self.team.tolist())), "team")
        return g
