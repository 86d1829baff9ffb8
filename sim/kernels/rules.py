"""Update rules (docs/science.md sections 3 and 5) as one per-agent decision plus two drivers.

``decide`` returns agent i's next contribution (and belief) from the current state. The
synchronous driver makes that decision for every agent at once from the same snapshot; the
asynchronous (random-sequential) driver picks n agents at random, one after another, and keeps
payoffs current after each change. The drivers make ``decide``'s calls themselves, with each
agent's numbers read from the arrays (see :func:`param_tuple`); ``decide`` is the same decision
in one call, which the tests hold against the Python twin. Rule codes are fixed integers; names
live in :mod:`sim.rules`.

Parameter vector ``params`` (float64): see the ``P_*`` indices below.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.behaviour import kernels as bk
from sim.kernels.games import observed_mean_one, peer_mean_one
from sim.rng import (
    STREAM_ACCEPT,
    STREAM_MUTANT,
    STREAM_MUTATE,
    STREAM_NOISE_A,
    STREAM_NOISE_B,
    STREAM_PARTNER,
    STREAM_PICK,
    STREAM_ROUNDING,
    normal,
    uniform,
)

# rule codes
FERMI = 0
PROPORTIONAL = 1
IMITATE_BEST = 2
DEATH_BIRTH = 3
CONDITIONAL = 4
HUMAN = 5
RULE_CODES = (FERMI, PROPORTIONAL, IMITATE_BEST, DEATH_BIRTH, CONDITIONAL, HUMAN)

# indices into the parameter vector
P_ENDOWMENT = 0
P_BINARY = 1
P_MUTATION = 2
P_TEMPERATURE = 3
P_SELECTION = 4
P_BELIEF_WEIGHT = 5
P_NOISE = 6
P_THRESHOLD = 7  # complex contagion: cooperating contacts needed before moving (0: simple)
P_PAYOFF_WEIGHT = 8
P_ASPIRATION = 9
P_SENSITIVITY = 10
P_PEER_COMPARISON = 11
N_PARAMS = 12

# |z| beyond which the Fermi probability is taken as exactly 0 or 1 (1/(1+e^40) < 2^-53,
# below the resolution of the uniform draws it is compared with)
_EXP_LIMIT = 40.0


@nb.njit(inline="always", cache=True)
def fermi_probability(payoff_self, payoff_other, temperature):
    """Probability of copying: 1 / (1 + exp((P_i - P_j) / K)) (Szabó & Tőke 1998)."""
    z = (payoff_self - payoff_other) / temperature
    if z > _EXP_LIMIT:
        return 0.0
    if z < -_EXP_LIMIT:
        return 1.0
    return 1.0 / (1.0 + np.exp(z))


@nb.njit(inline="always", cache=True)
def random_neighbour(i, c, t, key, indptr, indices):
    """A uniformly drawn neighbour of i, or -1 if i has none."""
    d = indptr[i + 1] - indptr[i]
    if d == 0:
        return -1
    k = int(uniform(key, t, c, STREAM_PARTNER) * d)
    if k >= d:
        k = d - 1
    return indices[indptr[i] + k]


@nb.njit(inline="always", cache=True)
def uses_partner(code):
    """Whether the rule looks at one random neighbour (drawn before deciding)."""
    return code == FERMI or code == PROPORTIONAL


@nb.njit(inline="always", cache=True)
def param_tuple(params):
    """The parameter vector as a tuple of numbers, for the functions called once per agent.

    Numba inlines such a function with reference counting of every array it is given: an
    atomic increment and decrement per array and agent, which is about 30 ns per agent-round,
    a third of a Fermi decision (benchmarks/NOTES.md section 6). A tuple is plain numbers.
    """
    return (params[0], params[1], params[2], params[3], params[4], params[5], params[6],
            params[7], params[8], params[9], params[10], params[11])


@nb.njit(inline="always", cache=True)
def pair_imitation(code, c, t, key, x_i, x_j, payoff_i, payoff_j, span, temperature):
    """Next contribution (before mutation) of an agent who gave ``x_i`` and earned ``payoff_i``
    after looking at one random neighbour who gave ``x_j`` and earned ``payoff_j``.

    Fermi: copy with probability 1 / (1 + exp((P_i - P_j) / K)) (Szabó & Tőke 1998).
    Proportional: copy with probability max(0, P_j - P_i) / ``span`` (Santos, Santos & Pacheco
    2008), ``span`` the range of payoffs both could get.
    """
    if code == FERMI:
        if uniform(key, t, c, STREAM_ACCEPT) < fermi_probability(payoff_i, payoff_j,
                                                                 temperature):
            return x_j
    elif code == PROPORTIONAL:
        if span > 0.0 and payoff_j > payoff_i:
            if uniform(key, t, c, STREAM_ACCEPT) * span < payoff_j - payoff_i:
                return x_j
    return x_i


@nb.njit(inline="always", cache=True)
def pair_span(code, i, j, lo, hi):
    """The range of payoffs agents i and j could both get (the proportional rule's M; 0 for
    the other rules, which do not read it)."""
    if code == PROPORTIONAL:
        return max(hi[i], hi[j]) - min(lo[i], lo[j])
    return 0.0


@nb.njit(inline="always", cache=True)
def partner_imitation(code, i, j, c, t, key, x, payoff, lo, hi, temperature):
    """:func:`pair_imitation` of agent i who looked at neighbour ``j`` (-1: none, so she keeps
    what she gave), her and his numbers read from the arrays."""
    if j < 0:
        return x[i]
    return pair_imitation(code, c, t, key, x[i], x[j], payoff[i], payoff[j],
                          pair_span(code, i, j, lo, hi), temperature)


@nb.njit(cache=True)
def neighbourhood_imitation(code, i, c, t, key, x, payoff, indptr, indices, selection):
    """Next contribution (before mutation) under a rule that reads every neighbour.

    Imitate-best (Nowak & May 1992): the best earner among i and its neighbours, the first
    on ties. Death-birth (Ohtsuki et al. 2006): neighbours compete for the slot with fitness
    ``1 - w + w * P``, ``w`` the ``selection`` strength. A function of its own, called, not
    inlined (see :func:`param_tuple`).
    """
    new_x = x[i]
    if code == IMITATE_BEST:
        best = payoff[i]
        for k in range(indptr[i], indptr[i + 1]):
            m = indices[k]
            if payoff[m] > best:
                best = payoff[m]
                new_x = x[m]
    elif code == DEATH_BIRTH:
        degree = indptr[i + 1] - indptr[i]
        if degree > 0:
            w = selection
            total = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                total += max(0.0, 1.0 - w + w * payoff[indices[k]])
            u = uniform(key, t, c, STREAM_PARTNER)
            if total <= 0.0:
                new_x = x[indices[indptr[i] + min(int(u * degree), degree - 1)]]
            else:
                target = u * total
                acc = 0.0
                new_x = x[indices[indptr[i + 1] - 1]]
                for k in range(indptr[i], indptr[i + 1]):
                    acc += max(0.0, 1.0 - w + w * payoff[indices[k]])
                    if target < acc:
                        new_x = x[indices[k]]
                        break
    return new_x


@nb.njit(inline="always", cache=True)
def imitation(code, i, c, t, key, j, x, payoff, indptr, indices, lo, hi, params):
    """Next contribution of agent i under a payoff-driven rule (before mutation).

    ``c`` is the draw counter (i, or the pick index); ``j`` the random neighbour drawn for
    rules that use one (-1 if none).
    """
    if uses_partner(code):
        return partner_imitation(code, i, j, c, t, key, x, payoff, lo, hi,
                                 params[P_TEMPERATURE])
    return neighbourhood_imitation(code, i, c, t, key, x, payoff, indptr, indices,
                                   params[P_SELECTION])


@nb.njit(inline="always", cache=True)
def human_choice(code, c, t, key, obs_i, x_i, earned_i, peers_i, belief_i, propensity_i,
                 kind_i, slope_i, base_i, params):
    """Next (contribution, belief, propensity) of a human-like person (sim/behaviour/kernels.py),
    from her own numbers.

    The belief moves towards what co-players gave last round (``obs_i``, NaN if she had none);
    under the ``human`` rule her propensity also learns from last round's payoff per game
    (``earned_i``) against ``peer_comparison`` times her co-players' mean (``peers_i``);
    the two are mixed by ``payoff_weight`` (the ``conditional`` rule: others' giving only);
    normal noise; clipped to [0, E]; rounded to 0 or E with binary strategies. ``params``:
    the parameter vector or :func:`param_tuple` of it.
    """
    endowment = params[P_ENDOWMENT]
    new_belief = bk.updated_belief(belief_i, obs_i, params[P_BELIEF_WEIGHT])
    social = bk.social_target(kind_i, slope_i, base_i, new_belief, endowment)
    if code == HUMAN:
        new_p = bk.learnt_propensity(propensity_i, earned_i,
                                     params[P_PEER_COMPARISON] * peers_i, x_i,
                                     params[P_ASPIRATION], params[P_SENSITIVITY], endowment)
        target = bk.intention(social, new_p, params[P_PAYOFF_WEIGHT], endowment)
    else:
        new_p = propensity_i
        target = social
    target += params[P_NOISE] * endowment * normal(key, t, c, STREAM_NOISE_A, STREAM_NOISE_B)
    target = bk.clip(target, endowment)
    if params[P_BINARY] != 0.0:
        target = endowment if uniform(key, t, c, STREAM_ROUNDING) * endowment < target else 0.0
    return target, new_belief, new_p


@nb.njit(inline="always", cache=True)
def human_like(code, i, c, t, key, obs_i, x, earned, peers_i, belief, propensity, kind, slope,
               base, params):
    """:func:`human_choice` for agent i, her numbers read from the arrays."""
    return human_choice(code, c, t, key, obs_i, x[i], earned[i], peers_i, belief[i],
                        propensity[i], kind[i], slope[i], base[i], params)


@nb.njit(cache=True)
def complex_gate(i, target, x, indptr, indices, kind, params):
    """Complex contagion (Centola & Macy 2007, AJS 113:702): a human-like conditional cooperator
    (or hump-shaped giver) moves towards its belief only if at least ``params[P_THRESHOLD]`` of its
    network contacts cooperated (gave at least E/2) last round; otherwise it gives nothing.
    A threshold of 0 is simple contagion: ``target`` unchanged. Called, not inlined (see
    :func:`param_tuple`); the drivers call it only when the threshold is above 0."""
    threshold = params[P_THRESHOLD]
    if threshold <= 0.0:
        return target
    kd = kind[i]
    if kd != bk.CONDITIONAL_COOPERATOR and kd != bk.HUMP_SHAPED:
        return target
    half = 0.5 * params[P_ENDOWMENT]
    count = 0
    for k in range(indptr[i], indptr[i + 1]):
        if x[indices[k]] >= half:
            count += 1
    return target if count >= threshold else 0.0


@nb.njit(inline="always", cache=True)
def mutate(value, c, t, key, params):
    """With probability ``mutation``, explore a uniformly random strategy instead. ``params``:
    the parameter vector or :func:`param_tuple` of it."""
    mutation = params[P_MUTATION]
    if mutation > 0.0 and uniform(key, t, c, STREAM_MUTATE) < mutation:
        u = uniform(key, t, c, STREAM_MUTANT)
        if params[P_BINARY] != 0.0:
            return params[P_ENDOWMENT] if u < 0.5 else 0.0
        return u * params[P_ENDOWMENT]
    return value


@nb.njit(inline="always", cache=True)
def uses_beliefs(code):
    """Whether the rule is human-like (beliefs, types; sim/behaviour/kernels.py)."""
    return code == CONDITIONAL or code == HUMAN


@nb.njit(inline="always", cache=True)
def decide(code, i, c, t, key, j, x, payoff, indptr, indices, obs_i, earned, peers_i, belief,
           propensity, kind, slope, base, lo, hi, params):
    """Agent i's next (contribution, belief, propensity) under rule ``code``.

    Mutation applies to every rule but ``human`` (whose exploration is its decision noise).
    Both drivers (:func:`decide_block`, :func:`asynchronous_update`) make the same calls in
    the same order, reading the numbers themselves to keep arrays out of their per-agent calls
    (see :func:`param_tuple`); this is the same decision for one agent, in one call.
    """
    if uses_beliefs(code):
        new_x, new_belief, new_p = human_like(code, i, c, t, key, obs_i, x, earned, peers_i,
                                              belief, propensity, kind, slope, base, params)
        if params[P_THRESHOLD] > 0.0:
            new_x = complex_gate(i, new_x, x, indptr, indices, kind, params)
        if code == HUMAN:
            return new_x, new_belief, new_p
    else:
        new_x = imitation(code, i, c, t, key, j, x, payoff, indptr, indices, lo, hi, params)
        new_belief = belief[i]
        new_p = propensity[i]
    return mutate(new_x, c, t, key, params), new_belief, new_p


#: agents per block of the synchronous drivers: partners are drawn for a block, then its
#: decisions made, so a block's partner reads stay independent and in cache
BLOCK = 256


@nb.njit(inline="always", cache=True)
def decide_block(code, i0, i1, t, key, x, payoff, indptr, indices, obs, earned, peers, belief,
                 propensity, kind, slope, base, lo, hi, params, partner, new_x, new_belief,
                 new_propensity):
    """Synchronous decisions of agents ``i0 .. i1 - 1`` from the snapshot (``x``, ``payoff``,
    ``obs``, ...): new values go to ``new_x``, ``new_belief`` and ``new_propensity``. Agent i's
    decision is :func:`decide`'s, with draw counter i.

    For rules that look at one random neighbour the block's partners are drawn first into
    ``partner`` (length >= i1 - i0), so the second pass's reads of their payoffs are independent
    of each other. The per-agent calls get plain numbers, read here (:func:`param_tuple`).
    Shared by the per-round parallel driver and the whole-run kernel
    (:mod:`sim.kernels.ensemble`), which calls it on one replicate's column at a time.
    """
    ps = param_tuple(params)
    if uses_beliefs(code):
        for i in range(i0, i1):
            # the numbers are read here: human_like, given the arrays, took 236 ns against
            # 121 ns (reference counts; see param_tuple)
            nx_, nb_, np_ = human_choice(code, i, t, key, obs[i], x[i], earned[i], peers[i],
                                         belief[i], propensity[i], kind[i], slope[i], base[i],
                                         ps)
            if ps[P_THRESHOLD] > 0.0:
                nx_ = complex_gate(i, nx_, x, indptr, indices, kind, params)
            new_x[i] = nx_ if code == HUMAN else mutate(nx_, i, t, key, ps)
            new_belief[i] = nb_
            new_propensity[i] = np_
        return
    if uses_partner(code):
        for i in range(i0, i1):
            partner[i - i0] = random_neighbour(i, i, t, key, indptr, indices)
        for i in range(i0, i1):
            nx_ = partner_imitation(code, i, partner[i - i0], i, t, key, x, payoff, lo, hi,
                                    ps[P_TEMPERATURE])
            new_x[i] = mutate(nx_, i, t, key, ps)
        return
    for i in range(i0, i1):
        nx_ = neighbourhood_imitation(code, i, i, t, key, x, payoff, indptr, indices,
                                      ps[P_SELECTION])
        new_x[i] = mutate(nx_, i, t, key, ps)


def _compile_synchronous(code: int):
    """The per-round synchronous driver for one rule, parallel over blocks of agents; ``code``
    is a compile-time constant inside it, so the other rules' branches are dropped."""

    @nb.njit(parallel=True, cache=True)
    def update(t, key, x, payoff, indptr, indices, obs, earned, peers, belief, propensity, kind,
               slope, base, lo, hi, params, partner, new_x, new_belief, new_propensity):
        n = len(x)
        for b in nb.prange((n + BLOCK - 1) // BLOCK):
            i0 = b * BLOCK
            i1 = min(n, i0 + BLOCK)
            decide_block(code, i0, i1, t, key, x, payoff, indptr, indices, obs, earned, peers,
                         belief, propensity, kind, slope, base, lo, hi, params,
                         partner[i0:i1], new_x, new_belief, new_propensity)

    return update


_SYNCHRONOUS = {
    code: _compile_synchronous(code)
    for code in RULE_CODES
}


def synchronous_update(code, t, key, x, payoff, indptr, indices, obs, earned, peers, belief,
                       propensity, kind, slope, base, lo, hi, params, partner, new_x,
                       new_belief, new_propensity):
    """Every agent decides from the same snapshot; results go to ``new_x`` and ``new_belief``.

    For rules that look at one random neighbour, partners are drawn in a first pass into the
    scratch array ``partner`` so that the second pass's reads of their payoffs are independent
    of each other. ``obs`` is what each agent saw her co-players give, ``earned`` her payoff
    per game and ``peers`` her co-players' mean of it (read by the human-like rules only).
    Beliefs and propensities are written only by the human-like rules
    (``new_belief`` and ``new_propensity`` are left untouched otherwise). Each rule has its own
    compiled driver (see ``_compile_synchronous``).
    """
    _SYNCHRONOUS[code](t, key, x, payoff, indptr, indices, obs, earned, peers, belief,
                       propensity, kind, slope, base, lo, hi, params, partner, new_x, new_belief,
                       new_propensity)


@nb.njit(cache=True)
def asynchronous_update(code, t, key, x, payoff, indptr, indices, belief, propensity, kind,
                        slope, base, lo, hi, params, weight, own_games, share, group_ptr, members,
                        agent_ptr, agent_groups, payout, raw, earned):
    """Random-sequential updating: n picks with replacement, payoffs kept current after each.

    ``x``, ``belief``, ``propensity``, ``payoff``, ``payout`` and ``raw`` are updated in place;
    ``earned`` is scratch space of length n (payoffs per game, for the ``human`` rule).
    """
    n = len(x)
    learns = code == HUMAN
    ps = param_tuple(params)
    for c in range(n):
        i = int(uniform(key, t, c, STREAM_PICK) * n)
        if i >= n:
            i = n - 1
        obs_i = np.nan
        peers_i = np.nan
        if uses_beliefs(code):
            obs_i = observed_mean_one(i, x, raw, group_ptr, agent_ptr, agent_groups)
        if learns:
            # payoffs are current: what each co-player earns per game now
            for k in range(agent_ptr[i], agent_ptr[i + 1]):
                g = agent_groups[k]
                for m in range(group_ptr[g], group_ptr[g + 1]):
                    a = members[m]
                    earned[a] = payoff[a] / own_games[a] if own_games[a] > 0 else 0.0
            earned[i] = payoff[i] / own_games[i] if own_games[i] > 0 else 0.0
            peers_i = peer_mean_one(i, earned, group_ptr, members, agent_ptr, agent_groups)
        if uses_beliefs(code):
            nx_, nb_, np_ = human_choice(code, c, t, key, obs_i, x[i], earned[i], peers_i,
                                         belief[i], propensity[i], kind[i], slope[i], base[i],
                                         ps)
            if ps[P_THRESHOLD] > 0.0:
                nx_ = complex_gate(i, nx_, x, indptr, indices, kind, params)
            belief[i] = nb_
            propensity[i] = np_
        elif uses_partner(code):
            j = random_neighbour(i, c, t, key, indptr, indices)
            nx_ = partner_imitation(code, i, j, c, t, key, x, payoff, lo, hi,
                                    ps[P_TEMPERATURE])
        else:
            nx_ = neighbourhood_imitation(code, i, c, t, key, x, payoff, indptr, indices,
                                          ps[P_SELECTION])
        if code != HUMAN:
            nx_ = mutate(nx_, c, t, key, ps)
        delta = nx_ - x[i]
        if delta != 0.0:
            x[i] = nx_
            payoff[i] -= own_games[i] * delta
            for k in range(agent_ptr[i], agent_ptr[i + 1]):
                g = agent_groups[k]
                d_payout = share[g] * weight[i] * delta
                payout[g] += d_payout
                raw[g] += delta
                for m in range(group_ptr[g], group_ptr[g + 1]):
                    payoff[members[m]] += d_payout
