"""Plain-Python twins of every Numba kernel in ``sim.kernels`` and of the counter-based
generator ``sim.rng`` (no Numba, no vectorisation).

Each twin loops element by element over Python ints and floats, written from the maths in the
kernels' docstrings. Where the kernels' order of floating-point operations is a free choice,
the twins use the same one, so that results are bit-identical (or within an ulp where libm's
``exp``/``log``/``cos`` are involved) and tests can compare with tight tolerances.

Integer arithmetic of the counter-based generator is done on Python ints masked to 64 bits.
The human-like decision's steps are the twins in ``tests/reference_behaviour.py`` (which draws
its random numbers from here; both modules only look each other's names up when called).
"""

from __future__ import annotations

import math

import numpy as np
import reference_behaviour as rb

# ----------------------------------------------------------------------------- random

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
C_COUNTER = 0xD1B54A32D192ED03
C_STREAM = 0x8CB92BA72F3D8DD7
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
TWO_POW_MINUS_53 = 2.0**-53

STREAM_PARTNER = 0
STREAM_ACCEPT = 1
STREAM_MUTATE = 2
STREAM_MUTANT = 3
STREAM_NOISE_A = 4
STREAM_NOISE_B = 5
STREAM_ROUNDING = 6
STREAM_PICK = 7


def u64(value: int) -> int:
    """``value`` reduced modulo 2**64 (what a cast to uint64 does to any integer)."""
    return int(value) & MASK64


def mix64(z: int) -> int:
    """SplitMix64 finaliser on a Python int taken modulo 2**64."""
    z = u64(z)
    z = u64((z ^ (z >> 30)) * M1)
    z = u64((z ^ (z >> 27)) * M2)
    return z ^ (z >> 31)


def uniform(key: int, t: int, c: int, s: int) -> float:
    """A float in [0, 1): three rounds of mix64 over (key, round, counter, stream)."""
    z = mix64(u64(key) + u64(t + 1) * GOLDEN)
    z = mix64(z + u64(c + 1) * C_COUNTER)
    z = mix64(z + u64(s + 1) * C_STREAM)
    return (z >> 11) * TWO_POW_MINUS_53


def normal(key: int, t: int, c: int, s_a: int, s_b: int) -> float:
    """Box–Muller: sqrt(-2 ln(1 - U1)) cos(2 pi U2)."""
    u1 = 1.0 - uniform(key, t, c, s_a)
    u2 = uniform(key, t, c, s_b)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# ------------------------------------------------------------------------------ games


def group_payouts(x, weight, share, group_ptr, members):
    """payout[g] = share_g * sum over members m of weight_m * x_m (no weights: all 1)."""
    if len(weight) == 0:
        weight = np.ones(len(x))
    n_groups = len(group_ptr) - 1
    payout = []
    for g in range(n_groups):
        s = 0.0
        for k in range(int(group_ptr[g]), int(group_ptr[g + 1])):
            m = int(members[k])
            s += float(weight[m]) * float(x[m])
        payout.append(float(share[g]) * s)
    return np.array(payout, dtype=np.float64)


def group_sums(x, group_ptr, members):
    """out[g] = plain sum of the members' contributions."""
    out = []
    for g in range(len(group_ptr) - 1):
        s = 0.0
        for k in range(int(group_ptr[g]), int(group_ptr[g + 1])):
            s += float(x[int(members[k])])
        out.append(s)
    return np.array(out, dtype=np.float64)


def payoffs(x, own_games, endowment, payout, agent_ptr, agent_groups):
    """payoff_i = own_games_i * (E - x_i) + sum over i's groups g of payout_g."""
    out = []
    for i in range(len(x)):
        p = float(own_games[i]) * (float(endowment) - float(x[i]))
        for k in range(int(agent_ptr[i]), int(agent_ptr[i + 1])):
            p += float(payout[int(agent_groups[k])])
        out.append(p)
    return np.array(out, dtype=np.float64)


def observed_mean_one(i, x, raw, group_ptr, agent_ptr, agent_groups):
    """Mean contribution of i's co-players over all its groups (NaN when it has none)."""
    num = 0.0
    den = 0
    for k in range(int(agent_ptr[i]), int(agent_ptr[i + 1])):
        g = int(agent_groups[k])
        num += float(raw[g]) - float(x[i])
        den += int(group_ptr[g + 1]) - int(group_ptr[g]) - 1
    if den == 0:
        return math.nan
    return num / den


def observed_means(x, raw, group_ptr, agent_ptr, agent_groups):
    return np.array(
        [observed_mean_one(i, x, raw, group_ptr, agent_ptr, agent_groups) for i in range(len(x))],
        dtype=np.float64,
    )


def per_game(payoff, own_games):
    """payoff_i / own_games_i: what i earned per game she staked in (0 without a game)."""
    out = []
    for i in range(len(payoff)):
        games_i = float(own_games[i])
        out.append(float(payoff[i]) / games_i if games_i > 0 else 0.0)
    return np.array(out, dtype=np.float64)


def peer_mean_one(i, v, group_ptr, members, agent_ptr, agent_groups):
    """Mean of ``v`` over i's co-players, one term per co-player per shared group, summed
    member by member in group order; NaN when i has no co-player."""
    num = 0.0
    den = 0
    for k in range(int(agent_ptr[i]), int(agent_ptr[i + 1])):
        g = int(agent_groups[k])
        for slot in range(int(group_ptr[g]), int(group_ptr[g + 1])):
            j = int(members[slot])
            if j != i:
                num += float(v[j])
                den += 1
    if den == 0:
        return math.nan
    return num / den


# ------------------------------------------------------------------------------ rules

FERMI = 0
PROPORTIONAL = 1
IMITATE_BEST = 2
DEATH_BIRTH = 3
CONDITIONAL = 4
HUMAN = 5

P_ENDOWMENT = 0
P_BINARY = 1
P_MUTATION = 2
P_TEMPERATURE = 3
P_SELECTION = 4
P_BELIEF_WEIGHT = 5
P_NOISE = 6
P_THRESHOLD = 7
P_PAYOFF_WEIGHT = 8
P_ASPIRATION = 9
P_SENSITIVITY = 10
P_PEER_COMPARISON = 11
N_PARAMS = 12

EXP_LIMIT = 40.0


def fermi_probability(payoff_self, payoff_other, temperature):
    """1 / (1 + exp((P_i - P_j) / K)), exactly 0 above z = 40 and exactly 1 below z = -40."""
    z = (float(payoff_self) - float(payoff_other)) / float(temperature)
    if z > EXP_LIMIT:
        return 0.0
    if z < -EXP_LIMIT:
        return 1.0
    return 1.0 / (1.0 + math.exp(z))


def neighbours(i, indptr, indices):
    return [int(indices[k]) for k in range(int(indptr[i]), int(indptr[i + 1]))]


def random_neighbour(i, c, t, key, indptr, indices):
    """Neighbour number floor(U * degree) of i (U from the partner stream), or -1."""
    nbrs = neighbours(i, indptr, indices)
    if not nbrs:
        return -1
    k = min(int(uniform(key, t, c, STREAM_PARTNER) * len(nbrs)), len(nbrs) - 1)
    return nbrs[k]


def uses_partner(code):
    return code in (FERMI, PROPORTIONAL)


def imitation(code, i, c, t, key, j, x, payoff, indptr, indices, lo, hi, params):
    """Next contribution of i under a payoff-driven rule, before mutation."""
    new_x = float(x[i])
    nbrs = neighbours(i, indptr, indices)

    if code == FERMI:
        # copy the partner with the Fermi probability
        if j >= 0:
            p = fermi_probability(payoff[i], payoff[j], params[P_TEMPERATURE])
            if uniform(key, t, c, STREAM_ACCEPT) < p:
                new_x = float(x[j])

    elif code == PROPORTIONAL:
        # copy the partner with probability (P_j - P_i) / M if P_j > P_i, where M is the span
        # of the payoffs both could possibly get
        if j >= 0:
            span = max(float(hi[i]), float(hi[j])) - min(float(lo[i]), float(lo[j]))
            gain = float(payoff[j]) - float(payoff[i])
            if span > 0.0 and gain > 0.0:
                if uniform(key, t, c, STREAM_ACCEPT) * span < gain:
                    new_x = float(x[j])

    elif code == IMITATE_BEST:
        # the best earner among i and its neighbours, the earliest one on ties, i first
        best_payoff = float(payoff[i])
        for m in nbrs:
            if float(payoff[m]) > best_payoff:
                best_payoff = float(payoff[m])
                new_x = float(x[m])

    elif code == DEATH_BIRTH:
        # roulette wheel over neighbours with fitness max(0, 1 - w + w P)
        if nbrs:
            w = float(params[P_SELECTION])
            fitness = [max(0.0, 1.0 - w + w * float(payoff[m])) for m in nbrs]
            total = 0.0
            for f in fitness:
                total += f
            u = uniform(key, t, c, STREAM_PARTNER)
            if total <= 0.0:
                winner = nbrs[min(int(u * len(nbrs)), len(nbrs) - 1)]
            else:
                target = u * total
                winner = nbrs[-1]
                cumulative = 0.0
                for m, f in zip(nbrs, fitness, strict=True):
                    cumulative += f
                    if target < cumulative:
                        winner = m
                        break
            new_x = float(x[winner])

    else:
        raise ValueError(f"not an imitation rule: {code}")
    return new_x


def uses_beliefs(code):
    """The human-like rules: beliefs, types and slopes."""
    return code in (CONDITIONAL, HUMAN)


def human_like(code, i, c, t, key, obs_i, x, earned, peers_i, belief, propensity, kind, slope,
               base, params):
    """Next (contribution, belief, propensity) of a human-like agent, before any mutation.

    The belief moves towards ``obs_i``; the type's social target for it; under ``human`` the
    propensity learns from ``earned[i]`` against ``peers_i`` (last action ``x[i]``) and is mixed
    in with weight ``payoff_weight``, under ``conditional`` it is left as it was; plus noise,
    clipped to [0, E], rounded to 0 or E (probability target / E) with binary strategies.
    """
    endowment = float(params[P_ENDOWMENT])
    new_belief = rb.updated_belief(belief[i], obs_i, params[P_BELIEF_WEIGHT])
    social = rb.social_target(kind[i], slope[i], base[i], new_belief, endowment)
    if code == HUMAN:
        new_p = rb.learnt_propensity(propensity[i], earned[i],
                                     float(params[P_PEER_COMPARISON]) * peers_i, x[i],
                                     params[P_ASPIRATION], params[P_SENSITIVITY], endowment)
        target = rb.intention(social, new_p, params[P_PAYOFF_WEIGHT], endowment)
    else:
        new_p = float(propensity[i])
        target = social
    target += float(params[P_NOISE]) * endowment * normal(key, t, c, STREAM_NOISE_A,
                                                          STREAM_NOISE_B)
    target = rb.clip(target, endowment)
    if float(params[P_BINARY]) != 0.0:
        target = endowment if uniform(key, t, c, STREAM_ROUNDING) * endowment < target else 0.0
    return target, new_belief, new_p


def complex_gate(i, target, x, indptr, indices, kind, params):
    """Complex contagion: a conditional cooperator or hump-shaped giver keeps ``target`` only
    with at least ``threshold`` contacts who gave >= E/2 last round, else gives 0."""
    threshold = float(params[P_THRESHOLD])
    if threshold <= 0.0 or int(kind[i]) not in (rb.CONDITIONAL_COOPERATOR, rb.HUMP_SHAPED):
        return target
    half = 0.5 * float(params[P_ENDOWMENT])
    count = sum(1 for j in neighbours(i, indptr, indices) if float(x[j]) >= half)
    return target if count >= threshold else 0.0


def mutate(value, c, t, key, params):
    """With probability ``mutation``, a uniform random strategy instead of ``value``."""
    mutation = float(params[P_MUTATION])
    if mutation > 0.0 and uniform(key, t, c, STREAM_MUTATE) < mutation:
        u = uniform(key, t, c, STREAM_MUTANT)
        endowment = float(params[P_ENDOWMENT])
        if float(params[P_BINARY]) != 0.0:
            return endowment if u < 0.5 else 0.0
        return u * endowment
    return float(value)


def decide(code, i, c, t, key, j, x, payoff, indptr, indices, obs_i, earned, peers_i, belief,
           propensity, kind, slope, base, lo, hi, params):
    """Agent i's next (contribution, belief, propensity); every rule but ``human`` mutates."""
    if uses_beliefs(code):
        new_x, new_belief, new_p = human_like(code, i, c, t, key, obs_i, x, earned, peers_i,
                                              belief, propensity, kind, slope, base, params)
        new_x = complex_gate(i, new_x, x, indptr, indices, kind, params)
        if code == HUMAN:
            return new_x, new_belief, new_p
    else:
        new_x = imitation(code, i, c, t, key, j, x, payoff, indptr, indices, lo, hi, params)
        new_belief = float(belief[i])
        new_p = float(propensity[i])
    return mutate(new_x, c, t, key, params), new_belief, new_p


def peer_means(earned, group_ptr, members, agent_ptr, agent_groups):
    """What the synchronous update reads as ``peers``: each agent's co-players' mean of
    ``earned``, taken as the observed mean of ``earned`` (group sums less her own share)."""
    raw = group_sums(earned, group_ptr, members)
    return observed_means(earned, raw, group_ptr, agent_ptr, agent_groups)


def synchronous_update(code, t, key, x, payoff, indptr, indices, obs, earned, peers, belief,
                       propensity, kind, slope, base, lo, hi, params):
    """Every agent decides from the same snapshot; partner of i drawn with counter i.

    Returns ``(new_x, new_belief, new_propensity, partner)``; ``partner`` is None for rules
    without one; ``new_belief`` and ``new_propensity`` equal ``belief`` and ``propensity`` for
    rules that are not human-like.
    """
    n = len(x)
    partner = None
    if uses_partner(code):
        partner = [random_neighbour(i, i, t, key, indptr, indices) for i in range(n)]
    new_x, new_belief, new_p = [], [], []
    for i in range(n):
        j = partner[i] if partner is not None else -1
        a, b, p = decide(code, i, i, t, key, j, x, payoff, indptr, indices, obs[i], earned,
                         peers[i], belief, propensity, kind, slope, base, lo, hi, params)
        new_x.append(a)
        new_belief.append(b)
        new_p.append(p)
    return (
        np.array(new_x, dtype=np.float64),
        np.array(new_belief, dtype=np.float64),
        np.array(new_p, dtype=np.float64),
        None if partner is None else np.array(partner, dtype=np.int64),
    )


def asynchronous_update(code, t, key, x, payoff, indptr, indices, belief, propensity, kind,
                        slope, base, lo, hi, params, weight, own_games, share, group_ptr,
                        members, agent_ptr, agent_groups, payout, raw):
    """n random-sequential picks; after each change the payoffs, payouts and group sums are
    brought up to date incrementally. Under ``human`` the picked agent learns from the
    current payoffs per game: her own and her co-players' mean (:func:`peer_mean_one`).

    Works on copies and returns ``(x, belief, propensity, payoff, payout, raw, picks)`` as new
    arrays; ``picks`` lists the agent picked at each step.
    """
    x = [float(v) for v in x]
    belief = [float(v) for v in belief]
    propensity = [float(v) for v in propensity]
    payoff = [float(v) for v in payoff]
    payout = [float(v) for v in payout]
    raw = [float(v) for v in raw]
    n = len(x)
    earned = [0.0] * n
    picks = []
    for c in range(n):
        i = min(int(uniform(key, t, c, STREAM_PICK) * n), n - 1)
        picks.append(i)
        obs_i = math.nan
        peers_i = math.nan
        if uses_beliefs(code):
            obs_i = observed_mean_one(i, x, raw, group_ptr, agent_ptr, agent_groups)
        if code == HUMAN:
            # what i and each of her co-players earn per game now
            around = {i}
            for k in range(int(agent_ptr[i]), int(agent_ptr[i + 1])):
                g = int(agent_groups[k])
                around.update(int(m) for m in members[int(group_ptr[g]):int(group_ptr[g + 1])])
            for a in around:
                games_a = float(own_games[a])
                earned[a] = payoff[a] / games_a if games_a > 0 else 0.0
            peers_i = peer_mean_one(i, earned, group_ptr, members, agent_ptr, agent_groups)
        j = random_neighbour(i, c, t, key, indptr, indices) if uses_partner(code) else -1
        new_x, new_belief, new_p = decide(code, i, c, t, key, j, x, payoff, indptr, indices,
                                          obs_i, earned, peers_i, belief, propensity, kind,
                                          slope, base, lo, hi, params)
        belief[i] = new_belief
        propensity[i] = new_p
        delta = new_x - x[i]
        if delta != 0.0:
            x[i] = new_x
            # i keeps delta less in each of its own_games games ...
            payoff[i] -= float(own_games[i]) * delta
            # ... and every member of each of i's groups (i included) gets its share back
            for k in range(int(agent_ptr[i]), int(agent_ptr[i + 1])):
                g = int(agent_groups[k])
                change = float(share[g]) * float(weight[i]) * delta
                payout[g] += change
                raw[g] += delta
                for slot in range(int(group_ptr[g]), int(group_ptr[g + 1])):
                    payoff[int(members[slot])] += change
    return (
        np.array(x, dtype=np.float64),
        np.array(belief, dtype=np.float64),
        np.array(propensity, dtype=np.float64),
        np.array(payoff, dtype=np.float64),
        np.array(payout, dtype=np.float64),
        np.array(raw, dtype=np.float64),
        picks,
    )


# ---------------------------------------------------------------------------- metrics


def gini(values, bins=0):
    """Gini coefficient: exact (``bins == 0``: sorted ranks) or over ``bins`` equal-width bins
    between min and max, each bin's values given their mean rank."""
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return 0.0
    total = 0.0
    for v in values:
        total += v
    lo, hi = min(values), max(values)
    if total <= 0.0 or hi == lo:
        return 0.0
    acc = 0.0
    if bins == 0:
        for rank, v in enumerate(sorted(values), start=1):
            acc += rank * v
    else:
        counts = [0] * bins
        sums = [0.0] * bins
        scale = bins / (hi - lo)
        for v in values:
            b = min(int((v - lo) * scale), bins - 1)
            counts[b] += 1
            sums[b] += v
        before = 0
        for b in range(bins):
            acc += sums[b] * (before + (counts[b] + 1) / 2.0)
            before += counts[b]
    return 2.0 * acc / (n * total) - (n + 1.0) / n


def gini_pairwise(values):
    """G = sum_i sum_j |v_i - v_j| / (2 n^2 mean), straight from the definition (O(n^2))."""
    values = [float(v) for v in values]
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0.0:
        return 0.0
    diff = 0.0
    for a in values:
        for b in values:
            diff += abs(a - b)
    return diff / (2.0 * n * total)


# ------------------------------------------------------------------------ game set-up


def game_weights(agent_ptr, sizes, cost, share_mode):
    """(weight, own_games, share) from the definitions (docs/science.md section 1).

    ``cost`` is ``per-game`` (each game costs x_i) or ``per-individual`` (x_i is split evenly
    over the agent's games); ``share_mode`` is ``("mpcr", value)`` or ``("r", value)``, the
    latter giving group g the MPCR r / |g|.
    """
    n = len(agent_ptr) - 1
    weight, own_games = [], []
    for i in range(n):
        games_i = int(agent_ptr[i + 1]) - int(agent_ptr[i])
        if cost == "per-individual":
            weight.append(1.0 / games_i if games_i else 0.0)
            own_games.append(1.0)
        else:
            weight.append(1.0)
            own_games.append(float(games_i))
    mode, value = share_mode
    share = [value if mode == "mpcr" else value / int(size) for size in sizes]
    return (np.array(weight, dtype=np.float64), np.array(own_games, dtype=np.float64),
            np.array(share, dtype=np.float64))


def payoff_bounds(weight, own_games, share, endowment, group_ptr, members, agent_ptr,
                  agent_groups):
    """Lowest and highest payoff each agent can get: the payoff is linear in every
    contribution, so the extremes have everyone at 0 or E; the others' gifts only add."""
    e = float(endowment)
    low, high = [], []
    for i in range(len(weight)):
        keep_all = float(own_games[i]) * e
        own_return = 0.0
        others = 0.0
        for k in range(int(agent_ptr[i]), int(agent_ptr[i + 1])):
            g = int(agent_groups[k])
            own_return += float(share[g]) * float(weight[i]) * e
            for slot in range(int(group_ptr[g]), int(group_ptr[g + 1])):
                m = int(members[slot])
                if m != i:
                    others += float(share[g]) * float(weight[m]) * e
        low.append(min(keep_all, own_return))
        high.append(max(keep_all, own_return) + others)
    return np.array(low, dtype=np.float64), np.array(high, dtype=np.float64)
