"""Betweenness centrality by Brandes' algorithm (2001, J. Math. Sociol. 25:163) on CSR graphs.

For each source s: a breadth-first search counts shortest paths ``sigma`` and records the order
nodes were reached; walking that order backwards accumulates each node's dependency
``delta[v] = sum over successors w of sigma[v] / sigma[w] * (1 + delta[w])`` (successors: the
contacts w with ``dist[w] == dist[v] + 1``). Sources are split into a fixed number of chunks,
each with its own accumulator, summed in chunk order afterwards, so the result does not depend
on the thread count.
"""

from __future__ import annotations

import numba as nb
import numpy as np

#: accumulators (source chunks); fixed, so sums are added in the same order at any thread count
CHUNKS = 16


@nb.njit(cache=True)
def _dependencies(s, indptr, indices, dist, sigma, delta, order, out):
    """Add source s's dependencies to ``out`` (scratch arrays of length n are reused)."""
    n = len(indptr) - 1
    for v in range(n):
        dist[v] = -1
        sigma[v] = 0.0
        delta[v] = 0.0
    dist[s] = 0
    sigma[s] = 1.0
    order[0] = s
    head, tail = 0, 1
    while head < tail:
        v = order[head]
        head += 1
        for k in range(indptr[v], indptr[v + 1]):
            w = indices[k]
            if dist[w] < 0:
                dist[w] = dist[v] + 1
                order[tail] = w
                tail += 1
            if dist[w] == dist[v] + 1:
                sigma[w] += sigma[v]
    for idx in range(tail - 1, 0, -1):
        w = order[idx]
        for k in range(indptr[w], indptr[w + 1]):
            v = indices[k]
            if dist[v] == dist[w] - 1:
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
        out[w] += delta[w]


@nb.njit(parallel=True, cache=True)
def brandes(indptr, indices, sources):
    """Raw betweenness: the sum over ``sources`` of every node's dependency (each unordered
    pair counted from both ends when every node is a source)."""
    n = len(indptr) - 1
    acc = np.zeros((CHUNKS, n))
    for c in nb.prange(CHUNKS):
        dist = np.empty(n, dtype=np.int64)
        sigma = np.empty(n)
        delta = np.empty(n)
        order = np.empty(n, dtype=np.int64)
        for k in range(c, len(sources), CHUNKS):
            _dependencies(sources[k], indptr, indices, dist, sigma, delta, order, acc[c])
    out = np.zeros(n)
    for c in range(CHUNKS):
        out += acc[c]
    return out
