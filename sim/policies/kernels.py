"""Numba kernels of the institutions: rank pay over comparison sets, a budget shared within
sets, peer sanctions and rewards.

All loop over groups given as CSR (``group_ptr``, ``members``), the engine's layout
(:class:`sim.groups.Groups`), so overlapping groups (network neighbourhoods) work as well as
partitions. Each has a plain-Python twin in ``tests/reference_policies.py``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.behaviour.kernels import STREAM_PUNISH, STREAM_REWARD
from sim.kernels.games import group_sums
from sim.kernels.metrics import numpy_sum
from sim.rng import (
    _GOLDEN,
    counter_hash,
    mix64,
    round_hash,
    stream_uniform,
)

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
    largest = 0
    for g in range(len(group_ptr) - 1):
        largest = max(largest, group_ptr[g + 1] - group_ptr[g])
    ranked = np.empty(largest)  # one set's scores, sorted in place (no allocation per set)
    for g in range(len(group_ptr) - 1):
        lo = group_ptr[g]
        hi = group_ptr[g + 1]
        k = hi - lo
        if k == 0:
            continue
        m = winners(top_share, k)
        for q in range(k):
            ranked[q] = score[members[lo + q]]
        sort_first(ranked, k)
        cut = ranked[k - m]  # the m-th best score
        above = 0
        tied = 0
        for q in range(lo, hi):
            value = score[members[q]]
            if value > cut:
                above += 1
            elif value == cut:
                tied += 1
        prize = pot[g] / m
        tied_prize = prize * (m - above) / tied
        for q in range(lo, hi):
            value = score[members[q]]
            if value > cut:
                out[members[q]] += prize
            elif value == cut:
                out[members[q]] += tied_prize


#: sets up to this size are sorted by insertion (Numba's sort costs about 0.5 us a call)
INSERTION_SORT_MAX = 32


@nb.njit(inline="always", cache=True)
def sort_first(values, k):
    """Sort ``values[:k]`` in place: by insertion for a few values, else Numba's sort."""
    if k > INSERTION_SORT_MAX:
        values[:k].sort()
        return
    for q in range(1, k):
        v = values[q]
        j = q
        while j > 0 and values[j - 1] > v:
            values[j] = values[j - 1]
            j -= 1
        values[j] = v


@nb.njit(cache=True)
def share_equally(per_set, group_ptr, members, out):
    """Each set's ``per_set[g]`` MU shared equally among its members: ``out[i]`` (overwritten)
    is the sum over i's sets of ``per_set[g] / size``, added in the sets' member order (empty
    sets pay nothing)."""
    out[:] = 0.0
    for g in range(len(group_ptr) - 1):
        lo = group_ptr[g]
        hi = group_ptr[g + 1]
        if hi > lo:
            each = per_set[g] / (hi - lo)
            for q in range(lo, hi):
                out[members[q]] += each


@nb.njit(cache=True)
def set_pots(set_ptr, total, out):
    """``total`` MU split over the sets in proportion to their sizes, into ``out`` (the same
    money per member slot, so a budget per agent buys the same in every set; nothing if every
    set is empty)."""
    slots = 0.0
    for g in range(len(set_ptr) - 1):
        slots += set_ptr[g + 1] - set_ptr[g]
    for g in range(len(set_ptr) - 1):
        out[g] = total * (set_ptr[g + 1] - set_ptr[g]) / slots if slots > 0 else 0.0


@nb.njit(cache=True)
def competition_round(score, set_ptr, set_members, budget, top_share, pot, prize, payoff):
    """One round of relative-performance pay: ``budget`` MU split over the sets
    (:func:`set_pots`, into ``pot``), each set's pot paid by rank (:func:`rank_pay`, into
    ``prize``) and added to ``payoff``. Returns the MU paid (summed as NumPy sums)."""
    set_pots(set_ptr, budget, pot)
    rank_pay(score, set_ptr, set_members, pot, top_share, prize)
    for i in range(len(payoff)):
        payoff[i] += prize[i]
    return numpy_sum(prize)


@nb.njit(cache=True)
def cooperation_round(x, set_ptr, set_members, budget, match, per_set, reward, payoff):
    """One round of rewards for contribution, into ``reward`` and added to ``payoff``.

    ``match``: each agent gets ``budget`` in proportion to her own contribution ``x``.
    Otherwise the sets get ``budget`` in proportion to their total contribution (``per_set``
    is scratch), shared equally inside (:func:`share_equally`). When nobody gave, the budget
    is split equally (by set size). Returns the MU paid (summed as NumPy sums)."""
    n = len(x)
    if match:
        given = numpy_sum(x)
        for i in range(n):
            reward[i] = budget * x[i] / given if given > 0 else budget / n
    else:
        group_sums(x, set_ptr, set_members, per_set)
        grand = numpy_sum(per_set)
        if grand > 0:
            for g in range(len(per_set)):
                per_set[g] = budget * per_set[g] / grand
        else:
            set_pots(set_ptr, budget, per_set)
        share_equally(per_set, set_ptr, set_members, reward)
    for i in range(n):
        payoff[i] += reward[i]
    return numpy_sum(reward)


@nb.njit(cache=True)
def punishment_round(x, group_ptr, members, rate, cap, key, t, point_cost, point_impact,
                     given, received, fines, payoff):
    """One round of peer punishment's money: :func:`sanctions` in every group (points into
    ``given`` and ``received``), then each agent pays ``point_cost`` per point she assigned
    and ``point_impact`` per point she got (``fines``), out of ``payoff``. Returns the MU
    taken (summed as NumPy sums)."""
    sanctions(x, group_ptr, members, len(x), rate, cap, key, t, given, received)
    for i in range(len(x)):
        fines[i] = point_cost * given[i] + point_impact * received[i]
        payoff[i] -= fines[i]
    return numpy_sum(fines)


@nb.njit(cache=True)
def returned_total(payout, group_ptr, scratch):
    """What the groups return to their members in total: the sum over groups of the payout
    per member times the group's size (summed as NumPy sums; ``scratch`` per group)."""
    for g in range(len(payout)):
        scratch[g] = payout[g] * (group_ptr[g + 1] - group_ptr[g])
    return numpy_sum(scratch)


@nb.njit(inline="always", cache=True)
def group_key(key, g):
    """The counter-based generator's key for group ``g``: pairs meeting in several overlapping
    groups draw independently in each."""
    return mix64(np.uint64(key) + np.uint64(g + 1) * _GOLDEN)


@nb.njit(cache=True)
def sanctions(x, group_ptr, members, n, rate, cap, key, t, given, received):
    """Peer punishment in every group (Fehr & Gächter 2002, Nature 415:137): :func:`peer_stage`
    with the punishment stage."""
    peer_stage(x, group_ptr, members, n, rate, cap, key, t, False, given, received)


@nb.njit(cache=True)
def rewards(x, group_ptr, members, n, rate, cap, key, t, given, received):
    """Peer rewards in every group (the reward stage of Rand et al. 2009, Science 325:1272):
    :func:`peer_stage` with the reward stage."""
    peer_stage(x, group_ptr, members, n, rate, cap, key, t, True, given, received)


@nb.njit(cache=True)
def peer_stage(x, group_ptr, members, n, rate, cap, key, t, reward, given, received):
    """A peer stage in every group, with the group's own key.

    Each group runs :func:`sim.behaviour.kernels.peer_points` (punishment: a member punishes
    a group-mate who gave less than she did and less than the mean of his group-mates, ``rate``
    points expected per MU of that shortfall, at most ``cap``; rewards: the mirror image).
    ``given[i]`` / ``received[i]`` are overwritten with the points agent i assigned / got,
    summed over her groups.

    The same draws and points as calling ``peer_points`` group by group, found faster: the
    members who can be targets (below their group-mates' mean; above it for rewards) are
    sorted by what they gave, so each member's targets are a prefix of that list and only
    pairs that draw are visited. Points are whole numbers, so their sums are exact in any
    order.
    """
    given[:] = 0.0
    received[:] = 0.0
    n_groups = len(group_ptr) - 1
    largest = 0
    for g in range(n_groups):
        largest = max(largest, group_ptr[g + 1] - group_ptr[g])
    side = np.empty(largest)  # what a member gave, negated for rewards: targets sit lower
    excess = np.empty(largest)  # the shortfall (punishment) or excess (rewards) of a target
    targets = np.empty(largest, dtype=np.int64)  # positions, then (sorted) agents
    target_side = np.empty(largest)
    target_excess = np.empty(largest)
    stream = STREAM_REWARD if reward else STREAM_PUNISH
    for g in range(n_groups):
        lo = group_ptr[g]
        k = group_ptr[g + 1] - lo
        if k < 2:
            continue
        total = 0.0
        for q in range(k):
            total += x[members[lo + q]]
        m = 0
        for q in range(k):
            xq = x[members[lo + q]]
            gap = (total - xq) / (k - 1) - xq
            if reward:
                gap = -gap
                side[q] = -xq
            else:
                side[q] = xq
            excess[q] = gap
            if gap > 0.0:
                targets[m] = q
                m += 1
        if m == 0:
            continue
        sort_by(targets, m, side)
        for q in range(m):
            b = targets[q]
            target_side[q] = side[b]
            target_excess[q] = excess[b]
            targets[q] = members[lo + b]
        h_round = round_hash(group_key(key, g), t)
        for a in range(k):
            ia = members[lo + a]
            first = ia * n
            side_a = side[a]
            assigned = 0.0
            for q in range(m):
                if target_side[q] >= side_a:
                    break
                ib = targets[q]
                u = stream_uniform(counter_hash(h_round, first + ib), stream)
                p = min(np.floor(rate * target_excess[q] + u), cap)
                assigned += p
                received[ib] += p
            given[ia] += assigned


@nb.njit(cache=True)
def sort_by(order, m, key):
    """Sort ``order[:m]`` (positions into ``key``) by ``key``, ascending: by insertion for a
    few, else NumPy's argsort."""
    if m > INSERTION_SORT_MAX:
        keys = np.empty(m)
        for q in range(m):
            keys[q] = key[order[q]]
        order[:m] = order[:m][np.argsort(keys)]
        return
    for q in range(1, m):
        v = order[q]
        kv = key[v]
        j = q
        while j > 0 and key[order[j - 1]] > kv:
            order[j] = order[j - 1]
            j -= 1
        order[j] = v
