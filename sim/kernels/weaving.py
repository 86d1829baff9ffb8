"""Kernels for network dynamics: rewiring the CSR structure in place of a graph rebuild.

``rewire`` merges each node's sorted neighbour list with the ties it gains and drops the ties
it cuts, in two parallel passes over the nodes (count, then write), so a round of weaving costs
O(n + m) array work and no Python objects per edge. ``least_giving_contacts`` picks, for each
agent that cuts a tie, the contact who gave least (Rand, Arbesman & Christakis 2011, PNAS
108:19193: people cut ties to defectors).
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(inline="always", cache=True)
def _merge(i, indptr, indices, add_ptr, add_dst, cut_ptr, cut_dst, out, start, write):
    """Node i's new neighbours: (old ∪ added) minus cut, minus i itself, sorted and distinct.

    Writes them to ``out[start:]`` when ``write``; returns how many there are.
    """
    a, a_end = indptr[i], indptr[i + 1]
    b, b_end = add_ptr[i], add_ptr[i + 1]
    c, c_end = cut_ptr[i], cut_ptr[i + 1]
    count = 0
    last = -1
    while a < a_end or b < b_end:
        if b >= b_end or (a < a_end and indices[a] <= add_dst[b]):
            v = indices[a]
            a += 1
        else:
            v = add_dst[b]
            b += 1
        if v == last or v == i:
            continue
        last = v
        while c < c_end and cut_dst[c] < v:
            c += 1
        if c < c_end and cut_dst[c] == v:
            continue
        if write:
            out[start + count] = v
        count += 1
    return count


@nb.njit(parallel=True, cache=True)
def rewire(indptr, indices, add_ptr, add_dst, cut_ptr, cut_dst):
    """The new CSR ``(indptr, indices)`` after adding and cutting ties.

    ``add_ptr``/``add_dst`` and ``cut_ptr``/``cut_dst`` are CSR lists (per node, sorted
    ascending; repeats allowed) of the neighbours each node gains and loses; the caller lists
    every undirected tie from both ends, so the result stays symmetric. A tie both added and
    cut is cut.
    """
    n = len(indptr) - 1
    degree = np.empty(n, dtype=np.int64)
    dummy = np.empty(0, dtype=indices.dtype)
    for i in nb.prange(n):
        degree[i] = _merge(i, indptr, indices, add_ptr, add_dst, cut_ptr, cut_dst, dummy, 0,
                           False)
    new_indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        new_indptr[i + 1] = new_indptr[i] + degree[i]
    new_indices = np.empty(new_indptr[n], dtype=indices.dtype)
    for i in nb.prange(n):
        _merge(i, indptr, indices, add_ptr, add_dst, cut_ptr, cut_dst, new_indices,
               new_indptr[i], True)
    return new_indptr, new_indices


@nb.njit(parallel=True, cache=True)
def least_giving_contacts(indptr, indices, x, agents, u, out):
    """``out[a]``: the contact of ``agents[a]`` who gave least this round, or -1.

    Equal lowest givers are chosen between by ``u[a]`` in [0, 1) (the k-th of them, k =
    floor(u * count)). An agent cuts nothing (-1) when it has fewer than two contacts (it
    would be left alone) or when all its contacts gave the same (no one gave least).
    """
    for a in nb.prange(len(agents)):
        i = agents[a]
        lo, hi = indptr[i], indptr[i + 1]
        out[a] = -1
        if hi - lo < 2:
            continue
        least = x[indices[lo]]
        most = least
        for k in range(lo + 1, hi):
            v = x[indices[k]]
            least = min(least, v)
            most = max(most, v)
        if least == most:
            continue
        count = 0
        for k in range(lo, hi):
            if x[indices[k]] == least:
                count += 1
        pick = min(int(u[a] * count), count - 1)
        for k in range(lo, hi):
            if x[indices[k]] == least:
                if pick == 0:
                    out[a] = indices[k]
                    break
                pick -= 1
