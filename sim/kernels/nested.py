"""The two-level (nested) public-goods game: an organisation's pool and the system's pool.

docs/science.md section 8. Each person i belongs to one organisation (the network's team
labels) and splits what she gives, ``x_i = l_i + g_i``, between her organisation's pool
(``l_i``) and the system's pool (``g_i``). With m_L and m_G the two marginal per-capita
returns, her payoff is

    payoff_i = E - l_i - g_i + m_L * sum_{j in org(i)} l_j + m_G * S_G(i),

the nested game of Blackwell & McKee 2003 (J Econ Behav Organ 52:115) and Fellner & Lünser
2014 (J Econ Behav Organ 108:364). The system's sum ``S_G(i)`` is either the whole
population's system giving (one pool for everyone, as the laboratory's global account) or
what i and her contacts in *other* organisations gave to it (``contacts``: a public good on
a network, Bramoullé & Kranton 2007, J Econ Theory 135:478, restricted to ties that cross an
organisation's boundary). The organisation's part is played by :mod:`sim.kernels.games`
over the organisations as groups, so that with ``g = 0`` the game is the one-level game bit
for bit; this module adds the system's part.

Pure functions on arrays; plain-Python twins in ``tests/reference_nested.py``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

#: how the system's pool is shared
CONTACTS = 0
EVERYONE = 1


def organisation_lists(team: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The organisations as CSR lists ``(ptr, members)``: organisation k holds the agents
    whose label is the k-th smallest, in increasing id order (a stable sort)."""
    labels = np.unique(team, return_inverse=True)[1].astype(np.int64)
    order = np.argsort(labels, kind="stable")
    ptr = np.zeros(labels.max() + 2 if len(labels) else 1, dtype=np.int64)
    np.cumsum(np.bincount(labels), out=ptr[1:])
    return ptr, order


def cross_contacts(indptr: np.ndarray, indices: np.ndarray,
                   team: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each agent's contacts in other organisations, as CSR ``(ptr, idx)`` in the order of the
    network's rows."""
    n = len(indptr) - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    keep = team[rows] != team[indices]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=n), out=ptr[1:])
    return ptr, indices[keep].astype(np.int64)


@nb.njit(parallel=True, cache=True)
def split_given(x, share, local, system):
    """``system[i] = share[i] * x[i]`` and ``local[i] = x[i] - system[i]`` (so that a share of
    0 leaves ``local`` equal to ``x`` exactly)."""
    for i in nb.prange(len(x)):
        g = share[i] * x[i]
        system[i] = g
        local[i] = x[i] - g


@nb.njit(parallel=True, cache=True)
def system_sums(g, mode, ptr, idx, out):
    """Fill ``out[i]`` with S_G(i): everyone's system giving (``mode`` EVERYONE), or i's own plus
    her contacts' in other organisations (CONTACTS; ``ptr``/``idx`` from
    :func:`cross_contacts`)."""
    n = len(g)
    if mode == EVERYONE:
        total = 0.0
        for i in range(n):
            total += g[i]
        for i in nb.prange(n):
            out[i] = total
        return
    for i in nb.prange(n):
        s = g[i]
        for k in range(ptr[i], ptr[i + 1]):
            s += g[idx[k]]
        out[i] = s


@nb.njit(parallel=True, cache=True)
def add_system_returns(payoff, mpcr_system, sums, paid):
    """``paid[i] = m_G * S_G(i)``, added to ``payoff[i]`` (the system's part of the payoff)."""
    for i in nb.prange(len(payoff)):
        p = mpcr_system * sums[i]
        paid[i] = p
        payoff[i] += p


@nb.njit(parallel=True, cache=True)
def system_partners_means(g, sums, mode, ptr, out):
    """Fill ``out[i]`` with what i's system partners gave to the system on average (everyone
    else, or her contacts in other organisations); NaN if she has none."""
    n = len(g)
    for i in nb.prange(n):
        if mode == EVERYONE:
            den = n - 1
        else:
            den = ptr[i + 1] - ptr[i]
        out[i] = (sums[i] - g[i]) / den if den > 0 else np.nan


@nb.njit(parallel=True, cache=True)
def account_nets(local, system, local_payout, agent_groups, system_paid, credit_local,
                 credit_system, net_local, net_system):
    """What each account earned person i last round, net of what she put in: her
    organisation's payout plus the policy money paid for local output (``credit_local``)
    minus ``local[i]``; ``system_paid[i]`` plus the money paid for system output
    (``credit_system``) minus ``system[i]`` (``agent_groups[i]`` is her organisation: one
    group per agent)."""
    for i in nb.prange(len(local)):
        net_local[i] = local_payout[agent_groups[i]] + credit_local[i] - local[i]
        net_system[i] = system_paid[i] + credit_system[i] - system[i]
