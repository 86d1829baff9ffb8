"""The human-like decision and the sanctioning decision, as Numba kernels.

Each function is one step of a person's decision (docs/science.md section 3), written for one
person with plain numbers so that the engine's rules (:mod:`sim.kernels.rules`), the laboratory
(:mod:`sim.lab.kernels`) and peer punishment (:mod:`sim.policies.kernels`) call the same code.
Random numbers are drawn by the callers (each keeps its own streams) and passed in. Every
kernel has a plain-Python twin in ``tests/reference_behaviour.py``.

A decision, in order:

1. the belief about what co-players give moves towards what they gave last round
   (:func:`updated_belief`; Fischbacher & Gächter 2010, AER 100:541);
2. the person's type turns that belief into what she would give on social grounds
   (:func:`social_target`; Fischbacher, Gächter & Fehr 2001, Economics Letters 71:397);
3. her propensity to cooperate learns from what she earned last round (:func:`stimulus`,
   :func:`reinforce`; aspiration-based reinforcement, Ezaki, Horita, Takezawa & Masuda 2016,
   PLoS Comput Biol 12:e1005034, with the Bush-Mosteller update of Macy & Flache 2002,
   PNAS 99:7229);
4. the two are mixed with the weight ``payoff_weight`` (:func:`intention`);
5. where peers can punish, she closes part of the gap to what she expects the norm to be
   (:func:`anticipate`; Fehr & Gächter 2002, Nature 415:137);
6. decision noise, then the result is clipped to [0, E].
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.rng import uniform

# behavioural types (Fischbacher, Gächter & Fehr 2001)
CONDITIONAL_COOPERATOR = 0
FREE_RIDER = 1
HUMP_SHAPED = 2
OTHER = 3  # the remaining types: unconditional givers of a fixed amount

#: type code -> name, as tables and the app show them
TYPE_NAMES = {
    CONDITIONAL_COOPERATOR: "conditional-cooperator",
    FREE_RIDER: "free-rider",
    HUMP_SHAPED: "hump-shaped",
    OTHER: "other",
}

#: a contribution of at least this share of the endowment counts as cooperating (the action
#: reinforcement learning credits; the project's cooperator threshold, docs/science.md §1)
COOPERATION_THRESHOLD = 0.5

#: the streams of the punishment and reward stages' draws (the engine's streams are 0-7, the
#: laboratory's own 16-20)
STREAM_PUNISH = 18
STREAM_REWARD = 21


@nb.njit(inline="always", cache=True)
def updated_belief(belief, observed, weight):
    """The belief after seeing co-players give ``observed`` on average (NaN: no co-players,
    belief unchanged): ``weight * observed + (1 - weight) * belief`` (F&G 2010)."""
    if observed != observed:
        return belief
    return weight * observed + (1.0 - weight) * belief


@nb.njit(inline="always", cache=True)
def social_target(kind, slope, base, belief, endowment):
    """What a person of this type gives when she expects the others to give ``belief``.

    Conditional cooperators: ``slope * belief`` (slope < 1 on average: FGF 2001); free riders:
    nothing; hump-shaped: ``slope * min(belief, E - belief)``; others: their fixed ``base``.
    """
    if kind == CONDITIONAL_COOPERATOR:
        return slope * belief
    if kind == FREE_RIDER:
        return 0.0
    if kind == HUMP_SHAPED:
        return slope * min(belief, endowment - belief)
    return base


@nb.njit(inline="always", cache=True)
def stimulus(advantage, aspiration, sensitivity):
    """Satisfaction with last round, in [-1, 1]: ``tanh(sensitivity * (advantage -
    aspiration))`` (the stimulus of Ezaki et al. 2016). ``advantage`` is what she earned per
    game minus what her co-players earned on average, in units of the endowment, policy money
    and fines included: her aspiration is set by comparison with them, ``aspiration`` above
    their mean."""
    return np.tanh(sensitivity * (advantage - aspiration))


@nb.njit(inline="always", cache=True)
def reinforce(propensity, s, cooperated):
    """The propensity to cooperate after stimulus ``s`` for last round's action.

    Bush-Mosteller (Macy & Flache 2002; Ezaki et al. 2016): a satisfying outcome (s >= 0)
    moves the propensity towards the action taken, by the share ``s`` of the distance left; an
    unsatisfying one (s < 0) moves it away from that action by the share ``-s``.
    """
    if cooperated:
        if s >= 0.0:
            return propensity + (1.0 - propensity) * s
        return propensity + propensity * s
    if s >= 0.0:
        return propensity - propensity * s
    return propensity - (1.0 - propensity) * s


@nb.njit(inline="always", cache=True)
def intention(social, propensity, payoff_weight, endowment):
    """What she means to give: ``(1 - w) * social + w * propensity * E`` with ``w`` the
    fitted ``payoff_weight`` (0: others' contributions only; 1: own payoffs only)."""
    return (1.0 - payoff_weight) * social + payoff_weight * propensity * endowment


@nb.njit(inline="always", cache=True)
def anticipate(x, belief, pressure, margin):
    """Fear of sanctions: close a share ``pressure`` of the gap between ``x`` and
    ``belief + margin`` (those below the others' mean are punished: Fehr & Gächter 2002)."""
    gap = belief + margin - x
    if gap > 0.0:
        return x + pressure * gap
    return x


@nb.njit(inline="always", cache=True)
def pressure_after(pressure, received, learning, start):
    """Sanction pressure after a round with ``received`` punishment points per game.

    Points raise it towards 1, a share ``1 - exp(-learning * received)`` of the way (punished
    subjects raise their contributions: Fehr & Gächter 2002); a round without points lets it
    relax the share ``1 - exp(-learning)`` of the way back to its starting value ``start``
    (a modelling choice: without it, fear only grows and a long run ends at the ceiling).
    """
    if received > 0.0:
        return pressure + (1.0 - pressure) * (1.0 - np.exp(-learning * received))
    return pressure + (start - pressure) * (1.0 - np.exp(-learning))


@nb.njit(inline="always", cache=True)
def clip(x, endowment):
    """``x`` within [0, E]."""
    return min(max(x, 0.0), endowment)


@nb.njit(inline="always", cache=True)
def learnt_propensity(propensity, earned, peers_earned, last_x, aspiration, sensitivity,
                      endowment):
    """Step 3 for one person: her propensity after earning ``earned`` per game last round
    while her co-players earned ``peers_earned`` on average (NaN: no co-players, nothing is
    learnt), having given ``last_x``."""
    if peers_earned != peers_earned:
        return propensity
    s = stimulus((earned - peers_earned) / endowment, aspiration, sensitivity)
    return reinforce(propensity, s, last_x >= COOPERATION_THRESHOLD * endowment)


@nb.njit(inline="always", cache=True)
def peer_points(x, ids, n, rate, cap, key, t, reward, points):
    """Peer sanctions or rewards in one group: fill ``points[a, b]``.

    Punishment (Fehr & Gächter 2002): member a punishes member b only if b gave less than a
    and less than the mean of b's group-mates; the expected number of points is ``rate``
    times that shortfall. Rewards (``reward`` true; the mirror image, a modelling choice for
    the reward stage of Rand et al. 2009, Science 325:1272): a rewards b only if b gave more
    than a and more than the mean of b's group-mates, ``rate`` points expected per MU of that
    excess. Points are drawn by unbiased stochastic rounding, at most ``cap``. ``ids`` are the
    members' numbers (the counter of the draw for pair (a, b) is ``ids[a] * n + ids[b]``).
    """
    k = len(x)
    total = 0.0
    for a in range(k):
        total += x[a]
    stream = STREAM_REWARD if reward else STREAM_PUNISH
    for a in range(k):
        for b in range(k):
            p = 0.0
            if a != b and (x[b] > x[a] if reward else x[b] < x[a]):
                gap = (total - x[b]) / (k - 1) - x[b]
                if reward:
                    gap = -gap
                if gap > 0.0:
                    u = uniform(key, t, ids[a] * n + ids[b], stream)
                    p = min(np.floor(rate * gap + u), cap)
            points[a, b] = p


@nb.njit(inline="always", cache=True)
def punish_group(x, ids, n, rate, cap, key, t, points):
    """The punishment stage of one group (Fehr & Gächter 2002): :func:`peer_points`."""
    peer_points(x, ids, n, rate, cap, key, t, False, points)


@nb.njit(cache=True)
def first_decisions(kind, slope, base, belief, propensity, payoff_weight, noise, endowment, z,
                    out):
    """Everyone's first contribution: the intention for the initial belief and propensity, plus
    noise ``noise * E * z[i]`` (``z`` standard normal draws), clipped to [0, E]."""
    for i in range(len(out)):
        social = social_target(kind[i], slope[i], base[i], belief[i], endowment)
        x = intention(social, propensity[i], payoff_weight, endowment)
        out[i] = clip(x + noise * endowment * z[i], endowment)


@nb.njit(cache=True)
def anticipate_all(x, belief, pressure, margin, endowment):
    """:func:`anticipate` for everyone, in place, clipped to [0, E]."""
    for i in range(len(x)):
        x[i] = clip(anticipate(x[i], belief[i], pressure[i], margin), endowment)


@nb.njit(cache=True)
def pressure_all(pressure, received, games, learning, start):
    """:func:`pressure_after` for everyone, in place; ``received[i] / games[i]`` are the
    points per game (nothing changes for someone without a game)."""
    for i in range(len(pressure)):
        if games[i] > 0:
            pressure[i] = pressure_after(pressure[i], received[i] / games[i], learning, start)
