"""Plain-Python twins of the policies' Numba kernels (``sim/policies/kernels.py``).

Written from the kernels' docstrings, element by element; the sanction stage of one group is
the behaviour twin's peer stage (``tests/reference_behaviour.py``), run with each group's own
key.
"""

from __future__ import annotations

import math

import reference as ref
import reference_behaviour as rb


def winners(top_share: float, k: int) -> int:
    m = math.ceil(top_share * k - 1e-9)
    return min(max(m, 1), k)


def rank_pay(score, group_ptr, members, pot, top_share) -> list[float]:
    """Per agent: the prizes won over all sets."""
    n = len(score)
    out = [0.0] * n
    for g in range(len(group_ptr) - 1):
        ids = [int(i) for i in members[group_ptr[g] : group_ptr[g + 1]]]
        k = len(ids)
        if k == 0:
            continue
        m = winners(float(top_share), k)
        values = [float(score[i]) for i in ids]
        cut = sorted(values, reverse=True)[m - 1]
        above = sum(v > cut for v in values)
        tied = sum(v == cut for v in values)
        prize = float(pot[g]) / m
        for i, v in zip(ids, values, strict=True):
            if v > cut:
                out[i] += prize
            elif v == cut:
                out[i] += prize * (m - above) / tied
    return out


def share_equally(per_set, group_ptr, members, n) -> list[float]:
    """Per agent: the sum over her sets of the set's money divided by its size."""
    out = [0.0] * n
    for g in range(len(group_ptr) - 1):
        ids = [int(i) for i in members[group_ptr[g] : group_ptr[g + 1]]]
        for i in ids:
            out[i] += float(per_set[g]) / len(ids)
    return out


def set_pots(group_ptr, total: float) -> list[float]:
    """``total`` split over the sets in proportion to their sizes."""
    sizes = [int(group_ptr[g + 1] - group_ptr[g]) for g in range(len(group_ptr) - 1)]
    slots = sum(sizes)
    return [total * size / slots if slots > 0 else 0.0 for size in sizes]


def competition_round(score, group_ptr, members, budget, top_share, payoff):
    """(new payoffs, MU paid): the sets' pots paid by rank and added to the payoffs."""
    prize = rank_pay(score, group_ptr, members, set_pots(group_ptr, budget), top_share)
    return [p + q for p, q in zip(payoff, prize, strict=True)], math.fsum(prize)


def cooperation_round(x, group_ptr, members, budget, match, payoff):
    """(new payoffs, MU paid): rewards for contribution added to the payoffs."""
    n = len(x)
    if match:
        given = math.fsum(x)
        reward = [budget * v / given if given > 0 else budget / n for v in x]
    else:
        totals = [sum(float(x[i]) for i in members[group_ptr[g] : group_ptr[g + 1]])
                  for g in range(len(group_ptr) - 1)]
        grand = math.fsum(totals)
        per_set = ([budget * v / grand for v in totals] if grand > 0
                   else set_pots(group_ptr, budget))
        reward = share_equally(per_set, group_ptr, members, n)
    return [p + q for p, q in zip(payoff, reward, strict=True)], math.fsum(reward)


def punishment_round(x, group_ptr, members, rate, cap, key, t, cost, impact, payoff):
    """(new payoffs, MU taken): each pays ``cost`` per point assigned, ``impact`` per point
    received."""
    given, received = sanctions(x, group_ptr, members, len(x), rate, cap, key, t)
    fines = [cost * g + impact * r for g, r in zip(given, received, strict=True)]
    return [p - f for p, f in zip(payoff, fines, strict=True)], math.fsum(fines)


def group_key(key: int, g: int) -> int:
    return ref.mix64(ref.u64(key) + ref.u64(g + 1) * ref.GOLDEN)


def peer_stage(x, group_ptr, members, n, rate, cap, key, t, reward):
    """(given, received): points each agent assigned and got in every group's peer stage
    (punishment, or rewards with ``reward``), with the group's own key, summed over her groups
    (groups of fewer than two members are skipped)."""
    given = [0.0] * n
    received = [0.0] * n
    for g in range(len(group_ptr) - 1):
        ids = [int(i) for i in members[group_ptr[g] : group_ptr[g + 1]]]
        if len(ids) < 2:
            continue
        gx = [float(x[i]) for i in ids]
        points = rb.peer_points(gx, ids, n, rate, cap, group_key(int(key), g), t, reward)
        for a, i in enumerate(ids):
            for b, j in enumerate(ids):
                given[i] += points[a][b]
                received[j] += points[a][b]
    return given, received


def sanctions(x, group_ptr, members, n, rate, cap, key, t) -> tuple[list[float], list[float]]:
    """Peer punishment in every group."""
    return peer_stage(x, group_ptr, members, n, rate, cap, key, t, False)


def rewards(x, group_ptr, members, n, rate, cap, key, t) -> tuple[list[float], list[float]]:
    """Peer rewards in every group."""
    return peer_stage(x, group_ptr, members, n, rate, cap, key, t, True)
