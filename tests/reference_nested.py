"""Plain-Python twins of the two-level game's kernels (``sim/kernels/nested.py``) and of the
split decision (``sim/behaviour/split.py``), written from their docstrings element by element,
with the kernels' order of floating-point operations (bit-identical results, or within an ulp
where ``tanh`` is involved). Array kernels that fill an output return new lists here.
"""

from __future__ import annotations

import math

import reference_behaviour as rb

CONTACTS = 0
EVERYONE = 1


def organisation_lists(team):
    """Organisations in increasing label order, members in increasing id order."""
    labels = sorted(set(int(t) for t in team))
    ptr, members = [0], []
    for label in labels:
        members += [i for i, t in enumerate(team) if int(t) == label]
        ptr.append(len(members))
    return ptr, members


def cross_contacts(indptr, indices, team):
    """Each agent's neighbours in another organisation, in row order."""
    ptr, idx = [0], []
    for i in range(len(indptr) - 1):
        for k in range(int(indptr[i]), int(indptr[i + 1])):
            j = int(indices[k])
            if int(team[j]) != int(team[i]):
                idx.append(j)
        ptr.append(len(idx))
    return ptr, idx


def split_given(x, share):
    """(local, system): ``g = s * x`` and ``l = x - g``."""
    system = [float(s) * float(v) for s, v in zip(share, x, strict=True)]
    local = [float(v) - g for v, g in zip(x, system, strict=True)]
    return local, system


def system_sums(g, mode, ptr, idx):
    """S_G(i): everyone's system giving, or one's own plus one's cross-boundary contacts'."""
    n = len(g)
    if mode == EVERYONE:
        total = 0.0
        for i in range(n):
            total += float(g[i])
        return [total] * n
    out = []
    for i in range(n):
        s = float(g[i])
        for k in range(int(ptr[i]), int(ptr[i + 1])):
            s += float(g[int(idx[k])])
        out.append(s)
    return out


def add_system_returns(payoff, mpcr_system, sums):
    """(new payoff, paid): ``paid = m_G * S_G(i)`` added to each payoff."""
    paid = [float(mpcr_system) * float(s) for s in sums]
    return [float(p) + q for p, q in zip(payoff, paid, strict=True)], paid


def two_level_payoffs(x, share, endowment, mpcr_local, mpcr_system, org_ptr, org_members,
                      mode, ptr, idx):
    """The nested game (docs/science.md section 8), agent by agent, for totals ``x`` split by
    ``share``: E - x_i + m_L * (her organisation's local sum) + m_G * S_G(i), in the engine's
    order of operations (the organisation's payout, then the system's). Returns
    (payoff, organisation payouts, S_G, system paid)."""
    local, system = split_given(x, share)
    n = len(x)
    org_of = [0] * n
    payout = []
    for k in range(len(org_ptr) - 1):
        s = 0.0
        for m in range(int(org_ptr[k]), int(org_ptr[k + 1])):
            s += local[int(org_members[m])]
            org_of[int(org_members[m])] = k
        payout.append(float(mpcr_local) * s)
    base = [1.0 * (float(endowment) - float(x[i])) + payout[org_of[i]] for i in range(n)]
    sums = system_sums(system, mode, ptr, idx)
    payoff, paid = add_system_returns(base, mpcr_system, sums)
    return payoff, payout, sums, paid


def system_partners_means(g, sums, mode, ptr):
    n = len(g)
    out = []
    for i in range(n):
        den = n - 1 if mode == EVERYONE else int(ptr[i + 1]) - int(ptr[i])
        out.append((float(sums[i]) - float(g[i])) / den if den > 0 else math.nan)
    return out


def account_nets(local, system, local_payout, organisation, system_paid, credit_local,
                 credit_system):
    """(net local, net system): what each account paid her, policy money credited to it
    included, minus what she put in."""
    net_l = [float(local_payout[int(organisation[i])]) + float(credit_local[i]) - float(local[i])
             for i in range(len(local))]
    net_g = [float(system_paid[i]) + float(credit_system[i]) - float(system[i])
             for i in range(len(local))]
    return net_l, net_g


def split_decision(share, q, belief_local, belief_system, seen_local, seen_system, net_local,
                   net_system, belief_weight, payoff_weight, sensitivity, endowment, local_on,
                   system_on):
    """Next (share, q, belief_local, belief_system): beliefs per level, the social split
    b_G / (b_L + b_G), the split propensity reinforced towards the account that paid more
    net, mixed with ``payoff_weight``; 0 without a system return, 1 without a local one."""
    b_l = rb.updated_belief(belief_local, seen_local, belief_weight)
    b_g = rb.updated_belief(belief_system, seen_system, belief_weight)
    stim = math.tanh(float(sensitivity) * (float(net_system) - float(net_local))
                     / float(endowment))
    new_q = rb.reinforce(q, stim, True)
    if not system_on or (local_on and math.isnan(float(seen_system))):
        return 0.0, new_q, b_l, b_g
    if not local_on or math.isnan(float(seen_local)):
        return 1.0, new_q, b_l, b_g
    both = b_l + b_g
    social = b_g / both if both > 0.0 else float(share)
    s = (1.0 - float(payoff_weight)) * social + float(payoff_weight) * new_q
    return min(max(s, 0.0), 1.0), new_q, b_l, b_g
