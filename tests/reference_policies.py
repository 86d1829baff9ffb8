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
