"""Numba kernels of the institutions: rank pay over comparison sets and peer sanctions.

Both loop over groups given as CSR (``group_ptr``, ``members``), the engine's layout
(:class:`sim.groups.Groups`), so overlapping groups (network neighbourhoods) work as well as
partitions. Each has a plain-Python twin in ``tests/reference_policies.py``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.kernels.random import _GOLDEN, mix64
from sim.lab.kernels import punish_group

#: tolerance when turning a share of a set into a number of winners (0.3 * 10 is 3.0000000000000004)
CEIL_SLACK = 1e-9


@nb.njit(cache=True)
def winners(top_share, k):
    """How many of ``k`` members are paid: ``ceil(top_share * k)``, at least one (0: the best
    alone, winner-take-all)."""
    m = int(np.ceil(top_share * k - CEIL_SLACK))
    return min(max(m, 1), k)


@nb.njit(cache=True)
def rank_pay(score, group_ptr, members, pot, top_share, out):
    """Relative-performance pay: each set's ``pot[g]`` goes to its best ``winners`` by ``score``.

    Each of the top ``m`` places is worth ``pot[g] / m``. Members strictly above the m-th best
    score take one place each; members tied with it share the places left equally, so every
    pot is paid out exactly whatever the ties (Lazear & Rosen 1981 rank-order tournaments).
    ``out`` (per agent) is overwritten with the sum of an agent's prizes over its sets.
    """
    out[:] = 0.0
    for g in range(len(group_ptr) - 1):
        lo = group_ptr[g]
        hi = group_ptr[g + 1]
        k = hi - lo
        if k == 0:
            continue
        m = winners(top_share, k)
        values = np.empty(k)
        for q in range(k):
            values[q] = score[members[lo + q]]
        cut = np.sort(values)[k - m]  # the m-th best score
        above = 0
        tied = 0
        for q in range(k):
            if values[q] > cut:
                above += 1
            elif values[q] == cut:
                tied += 1
        prize = pot[g] / m
        tied_prize = prize * (m - above) / tied
        for q in range(k):
            if values[q] > cut:
                out[members[lo + q]] += prize
            elif values[q] == cut:
                out[members[lo + q]] += tied_prize


@nb.njit(inline="always", cache=True)
def group_key(key, g):
    """The counter-based generator's key for group ``g``: pairs meeting in several overlapping
    groups draw independently in each."""
    return mix64(np.uint64(key) + np.uint64(g + 1) * _GOLDEN)


@nb.njit(cache=True)
def sanctions(x, group_ptr, members, n, params, key, t, given, received):
    """Peer punishment in every group (Fehr & Gächter 2002, Nature 415:137).

    Each group runs the laboratory's punishment stage (:func:`sim.lab.kernels.punish_group`:
    a member punishes a group-mate who gave less than she did and less than the mean of his
    group-mates, with points rising with that shortfall, at most ``max_points``), with the
    group's own key. ``given[i]`` / ``received[i]`` are overwritten with the points agent i
    assigned / got, summed over her groups.
    """
    given[:] = 0.0
    received[:] = 0.0
    n_groups = len(group_ptr) - 1
    largest = 0
    for g in range(n_groups):
        largest = max(largest, group_ptr[g + 1] - group_ptr[g])
    points = np.zeros((largest, largest))
    gx = np.empty(largest)
    ids = np.empty(largest, dtype=np.int64)
    for g in range(n_groups):
        lo = group_ptr[g]
        k = group_ptr[g + 1] - lo
        if k < 2:
            continue
        for q in range(k):
            ids[q] = members[lo + q]
            gx[q] = x[ids[q]]
        punish_group(gx[:k], ids[:k], n, params, group_key(key, g), t, points)
        for a in range(k):
            for b in range(k):
                p = points[a, b]
                if p != 0.0:
                    given[ids[a]] += p
                    received[ids[b]] += p
