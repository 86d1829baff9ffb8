"""Plain-Python twins of the tie kernels (``sim.kernels.weaving``), written from their
docstrings with sets and lists. The complex-contagion gate's twin is ``reference.complex_gate``
(it is part of the conditional rule's decision)."""

from __future__ import annotations

import numpy as np


def rewire(indptr, indices, added, cut):
    """New ``(indptr, indices)``: each node's (old ∪ added) minus cut minus itself, sorted.

    ``added`` and ``cut`` are lists of undirected ties ``(u, v)``.
    """
    n = len(indptr) - 1
    nbrs = [set(int(v) for v in indices[indptr[i] : indptr[i + 1]]) for i in range(n)]
    for u, v in added:
        nbrs[int(u)].add(int(v))
        nbrs[int(v)].add(int(u))
    for u, v in cut:
        nbrs[int(u)].discard(int(v))
        nbrs[int(v)].discard(int(u))
    rows = [sorted(s - {i}) for i, s in enumerate(nbrs)]
    new_indptr = [0]
    for row in rows:
        new_indptr.append(new_indptr[-1] + len(row))
    return (np.array(new_indptr, dtype=np.int64),
            np.array([v for row in rows for v in row], dtype=np.int64))


def least_giving_contacts(indptr, indices, x, agents, u):
    """For each agent: the floor(u * count)-th of its lowest-giving contacts, or -1 when it
    has fewer than two contacts or all of them gave the same."""
    out = []
    for a, i in enumerate(agents):
        contacts = [int(j) for j in indices[indptr[i] : indptr[i + 1]]]
        gifts = [float(x[j]) for j in contacts]
        if len(contacts) < 2 or min(gifts) == max(gifts):
            out.append(-1)
            continue
        lowest = [j for j, g in zip(contacts, gifts, strict=True) if g == min(gifts)]
        out.append(lowest[min(int(u[a] * len(lowest)), len(lowest) - 1)])
    return np.array(out, dtype=np.int64)


def brandes(indptr, indices, sources):
    """Raw betweenness: for each source a BFS with predecessor lists, then dependencies
    accumulated in reverse BFS order (Brandes 2001)."""
    n = len(indptr) - 1
    out = [0.0] * n
    for s in sources:
        s = int(s)
        dist = {s: 0}
        sigma = [0.0] * n
        sigma[s] = 1.0
        preds = [[] for _ in range(n)]
        order, queue = [], [s]
        while queue:
            v = queue.pop(0)
            order.append(v)
            for w in (int(u) for u in indices[indptr[v] : indptr[v + 1]]):
                if w not in dist:
                    dist[w] = dist[v] + 1
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        delta = [0.0] * n
        for w in reversed(order):
            for v in preds[w]:
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
            if w != s:
                out[w] += delta[w]
    return np.array(out)
