"""``CSRGraph.from_edges`` (lean CSR construction) against a plain sort-based twin."""

from __future__ import annotations

import numpy as np

from sim.graph import CSRGraph


def twin_from_edges(n, edges):
    """Obviously-correct CSR: distinct undirected edges, both directions, rows ascending."""
    pairs = {(min(a, b), max(a, b)) for a, b in np.asarray(edges).reshape(-1, 2).tolist() if a != b}
    rows = [[] for _ in range(n)]
    for a, b in pairs:
        rows[a].append(b)
        rows[b].append(a)
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return indptr, np.array([v for r in rows for v in sorted(r)], dtype=np.int32)


def test_from_edges_matches_twin_on_random_multigraphs():
    rng = np.random.default_rng(0)
    for _ in range(300):
        n = int(rng.integers(1, 40))
        edges = rng.integers(0, n, (int(rng.integers(0, 120)), 2))  # loops and repeats too
        g = CSRGraph.from_edges(n, edges)
        indptr, indices = twin_from_edges(n, edges)
        np.testing.assert_array_equal(g.indptr, indptr)
        np.testing.assert_array_equal(g.indices, indices)
        assert g.indices.dtype == np.int32 and g.indptr.dtype == np.int64


def test_from_edges_edge_cases():
    g = CSRGraph.from_edges(3, np.empty((0, 2), dtype=np.int64))
    assert g.indptr.tolist() == [0, 0, 0, 0] and len(g.indices) == 0
    g = CSRGraph.from_edges(2, [[0, 0], [1, 0], [0, 1]])
    assert g.indptr.tolist() == [0, 1, 2] and g.indices.tolist() == [1, 0]
