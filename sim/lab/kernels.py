"""Numba kernels of the laboratory: many sessions of the Fehr & Gächter (2002) design at once.

A session is ``n`` subjects re-matched every period into groups of ``k`` by a planned schedule
(``schedule[s, p, slot]`` is the subject in ``slot``; slot // k is the group). Each period:

1. every subject decides her contribution with the project's one human-like decision
   (:mod:`sim.behaviour.kernels`): her type's response to her belief about the others, mixed
   with the propensity she has learnt from her own earnings, pulled up towards the expected
   norm by fear of sanctions in the punishment treatment, plus decision noise, clipped to [0, E];
2. an optional perturbation adds ``extra`` MU to one subject's contribution (the causal runs);
3. in punishment periods, the punishment stage (:func:`sim.behaviour.kernels.punish_group`,
   Fehr & Gächter 2002);
4. payoffs; then beliefs move towards what the group-mates gave (Fischbacher & Gächter 2010),
   propensities learn from the payoff (Ezaki et al. 2016), and the sanction pressure grows with
   the points received.

Randomness comes from the engine's counter-based generator keyed by (session key, period,
counter, stream), so two runs with the same key draw the same numbers (common random numbers),
and the result does not depend on the thread count. The kernel has a plain-Python twin in
``tests/reference_lab.py``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.behaviour import kernels as bk
from sim.rng import normal

# Streams of the lab's draws. The engine uses 0-7; the lab starts at 16 so the two never share
# (18 is the punishment stage's, sim.behaviour.kernels.STREAM_PUNISH).
STREAM_LAB_NOISE_A = 16
STREAM_LAB_NOISE_B = 17
STREAM_PLAN_PICK = 19
STREAM_PLAN_TENURE = 20

# indices into the parameter vector
Q_ENDOWMENT = 0
Q_MPCR = 1
Q_BELIEF_WEIGHT = 2
Q_NOISE = 3
Q_COMPLIANCE = 4
Q_MARGIN = 5
Q_LEARNING = 6
Q_PUNISH_RATE = 7
Q_MAX_POINTS = 8
Q_COST = 9
Q_IMPACT = 10
Q_RESTART = 11
Q_PAYOFF_WEIGHT = 12
Q_ASPIRATION = 13
Q_SENSITIVITY = 14
Q_PROPENSITY = 15  # first propensity to cooperate
Q_PEER_COMPARISON = 16
N_Q = 17


@nb.njit(inline="always", cache=True)
def decide(kind, slope, base, belief, propensity, pressure, punish, params, key, t, c):
    """A subject's contribution this period (before any perturbation): her intention
    (:func:`sim.behaviour.kernels.intention`), in a punishment period raised in anticipation
    of sanctions (:func:`sim.behaviour.kernels.anticipate`), plus noise of sd ``noise * E``,
    clipped to [0, E]."""
    e = params[Q_ENDOWMENT]
    social = bk.social_target(kind, slope, base, belief, e)
    x = bk.intention(social, propensity, params[Q_PAYOFF_WEIGHT], e)
    if punish:
        x = bk.anticipate(x, belief, pressure, params[Q_MARGIN])
    x += params[Q_NOISE] * e * normal(key, t, c, STREAM_LAB_NOISE_A, STREAM_LAB_NOISE_B)
    return bk.clip(x, e)


@nb.njit(parallel=True, cache=True)
def simulate_sessions(schedule, punish, block_start, kind, slope, base, belief0, keys, params,
                      seed_agent, extra, extra_period, contribution, belief_out, given,
                      received, payoff, points):
    """Play every session (in parallel over sessions; each is sequential over periods).

    Args:
        schedule: (S, P, n) int, the subject in each slot; slot // k is the group.
        punish: (S, P) int8, 1 in punishment periods.
        block_start: (S, P) int8, 1 in the first period of a treatment block.
        kind, slope, base, belief0: (S, n) behavioural traits and period-1 beliefs.
        keys: (S,) uint64 run keys of the counter-based generator.
        params: the parameter vector (``Q_*``).
        seed_agent, extra, extra_period: (S,) who gives ``extra`` MU more in which period
            (index); ``extra`` 0 means no perturbation.
    Outputs (filled): contribution, belief_out (belief when deciding), given and received
    punishment points, payoff, all (S, P, n); points (S, P, n, k): points from each subject to
    the member in each slot of her group.
    """
    n_sessions, n_periods, n = schedule.shape
    k = points.shape[3]
    e = params[Q_ENDOWMENT]
    w = params[Q_BELIEF_WEIGHT]
    for s in nb.prange(n_sessions):
        key = keys[s]
        belief = belief0[s].copy()
        propensity = np.full(n, params[Q_PROPENSITY])
        pressure = np.full(n, params[Q_COMPLIANCE])
        x = np.empty(n)
        back = np.empty(n)  # what each subject gets back from her group's account
        gx = np.empty(k)
        ids = np.empty(k, dtype=np.int64)
        pts = np.zeros((k, k))
        for t in range(n_periods):
            if t > 0 and block_start[s, t]:
                r = params[Q_RESTART]
                for i in range(n):
                    belief[i] = (1.0 - r) * belief[i] + r * belief0[s, i]
                    propensity[i] = (1.0 - r) * propensity[i] + r * params[Q_PROPENSITY]
                    pressure[i] = params[Q_COMPLIANCE]
            pun = punish[s, t] != 0
            for i in range(n):
                x[i] = decide(kind[s, i], slope[s, i], base[s, i], belief[i], propensity[i],
                              pressure[i], pun, params, key, t, i)
                belief_out[s, t, i] = belief[i]
                given[s, t, i] = 0.0
                received[s, t, i] = 0.0
            if extra[s] != 0.0 and t == extra_period[s]:
                a = seed_agent[s]
                x[a] = min(max(x[a] + extra[s], 0.0), e)
            for g in range(n // k):
                total = 0.0
                for q in range(k):
                    ids[q] = schedule[s, t, g * k + q]
                    gx[q] = x[ids[q]]
                    total += gx[q]
                if pun:
                    bk.punish_group(gx, ids, n, params[Q_PUNISH_RATE], params[Q_MAX_POINTS],
                                    key, t, pts)
                for q in range(k):
                    i = ids[q]
                    back[i] = params[Q_MPCR] * total
                    for q2 in range(k):
                        p = pts[q, q2] if pun else 0.0
                        points[s, t, i, q2] = p
                        given[s, t, i] += p
                        received[s, t, ids[q2]] += p
                    # belief: towards the mean of what the group-mates gave (F&G 2010)
                    belief[i] = bk.updated_belief(belief[i], (total - gx[q]) / (k - 1), w)
            for i in range(n):
                contribution[s, t, i] = x[i]
                payoff[s, t, i] = (e - x[i] + back[i] - params[Q_COST] * given[s, t, i]
                                   - params[Q_IMPACT] * received[s, t, i])
            # what she earned against her group-mates teaches her propensity (Ezaki et al. 2016)
            for g in range(n // k):
                total = 0.0
                for q in range(k):
                    total += payoff[s, t, schedule[s, t, g * k + q]]
                for q in range(k):
                    i = schedule[s, t, g * k + q]
                    peers = params[Q_PEER_COMPARISON] * (total - payoff[s, t, i]) / (k - 1)
                    propensity[i] = bk.learnt_propensity(
                        propensity[i], payoff[s, t, i], peers, x[i], params[Q_ASPIRATION],
                        params[Q_SENSITIVITY], e)
            for i in range(n):
                if pun:
                    # sanction pressure grows with the points received (F&G 2002)
                    pressure[i] = bk.pressure_after(pressure[i], received[s, t, i],
                                                    params[Q_LEARNING], params[Q_COMPLIANCE])
