"""The public-goods game over any group structure (docs/science.md section 1).

Groups are CSR lists (``group_ptr``, ``members``) with the inverse map (``agent_ptr``,
``agent_groups``). Agent i puts ``weight[i] * x[i]`` into each of its games (weight 1 for
cost per game, 1/m_i for cost per individual; Santos, Santos & Pacheco 2008) and earns

    payoff_i = own_games[i] * (E - x_i) + sum over groups g of i of share_g * S_g,

with S_g the weighted total of group g and share_g its MPCR r_g/|g|; ``payout[g]`` is
share_g * S_g. For one group this is the
textbook E - x_i + (r/|g|) sum_j x_j.
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(parallel=True, cache=True)
def group_payouts(x, weight, share, group_ptr, members, given, payout, raw):
    """Fill ``payout[g] = share_g * S_g``: what each member of group g gets back from it.

    ``weight`` may be empty, meaning every weight is 1 (cost per game), which saves a pass;
    otherwise ``given`` is scratch space of length n for ``weight * x``. If ``raw`` is not
    empty it also gets each group's plain sum of contributions (what the members see, as
    :func:`group_sums`) from the same pass over the members.
    """
    source = x
    weighted = len(weight) > 0
    if weighted:
        for i in nb.prange(len(x)):
            given[i] = weight[i] * x[i]
        source = given
    sums = len(raw) > 0
    for g in nb.prange(len(group_ptr) - 1):
        s = 0.0
        plain = 0.0
        for k in range(group_ptr[g], group_ptr[g + 1]):
            s += source[members[k]]
            if weighted and sums:
                plain += x[members[k]]
        payout[g] = share[g] * s
        if sums:
            raw[g] = plain if weighted else s


@nb.njit(parallel=True, cache=True)
def group_sums(x, group_ptr, members, out):
    """Fill ``out[g]`` with the plain sum of the members' contributions (what they all see)."""
    for g in nb.prange(len(group_ptr) - 1):
        s = 0.0
        for k in range(group_ptr[g], group_ptr[g + 1]):
            s += x[members[k]]
        out[g] = s


@nb.njit(parallel=True, cache=True)
def payoffs(x, own_games, endowment, payout, agent_ptr, agent_groups, out):
    """Fill ``out[i]`` with agent i's payoff this round (formula in the module docstring)."""
    for i in nb.prange(len(x)):
        p = own_games[i] * (endowment - x[i])
        for k in range(agent_ptr[i], agent_ptr[i + 1]):
            p += payout[agent_groups[k]]
        out[i] = p


@nb.njit(inline="always", cache=True)
def observed_mean_one(i, x, raw, group_ptr, agent_ptr, agent_groups):
    """Mean contribution of agent i's co-players over all its groups; NaN if it has none."""
    num = 0.0
    den = 0
    for k in range(agent_ptr[i], agent_ptr[i + 1]):
        g = agent_groups[k]
        num += raw[g] - x[i]
        den += group_ptr[g + 1] - group_ptr[g] - 1
    if den == 0:
        return np.nan
    return num / den


@nb.njit(parallel=True, cache=True)
def observed_means(x, raw, group_ptr, agent_ptr, agent_groups, out):
    """Fill ``out[i]`` with what agent i saw its co-players give (Fischbacher & Gächter 2010)."""
    for i in nb.prange(len(x)):
        out[i] = observed_mean_one(i, x, raw, group_ptr, agent_ptr, agent_groups)


@nb.njit(parallel=True, cache=True)
def per_game(payoff, own_games, out):
    """Fill ``out[i]`` with agent i's payoff per game she staked in (0 without a game)."""
    for i in nb.prange(len(payoff)):
        out[i] = payoff[i] / own_games[i] if own_games[i] > 0 else 0.0


@nb.njit(inline="always", cache=True)
def peer_mean_one(i, v, group_ptr, members, agent_ptr, agent_groups):
    """Mean of ``v`` over agent i's co-players, each counted once per shared group (as
    :func:`observed_mean_one`), summed member by member; NaN if she has none."""
    num = 0.0
    den = 0
    for k in range(agent_ptr[i], agent_ptr[i + 1]):
        g = agent_groups[k]
        for m in range(group_ptr[g], group_ptr[g + 1]):
            j = members[m]
            if j != i:
                num += v[j]
                den += 1
    if den == 0:
        return np.nan
    return num / den
