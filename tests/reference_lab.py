"""Plain-Python twins of the laboratory's Numba kernels (``sim/lab/kernels.py`` and the tabu
search in ``sim/lab/schedule.py``), written from their docstrings, element by element.

Where the kernels' order of floating-point operations is a free choice, the twins use the same
one, so results agree to the last bit (or an ulp where libm's exp/log/cos are involved).
Random draws come from the twin of the counter-based generator in ``tests/reference.py``; the
decision's steps and the punishment stage are the twins in ``tests/reference_behaviour.py``.
"""

from __future__ import annotations

import numpy as np
import reference as ref
import reference_behaviour as rb

STREAM_LAB_NOISE_A = 16
STREAM_LAB_NOISE_B = 17
STREAM_PLAN_PICK = 19
STREAM_PLAN_TENURE = 20
(Q_ENDOWMENT, Q_MPCR, Q_BELIEF_WEIGHT, Q_NOISE, Q_COMPLIANCE, Q_MARGIN, Q_LEARNING,
 Q_PUNISH_RATE, Q_MAX_POINTS, Q_COST, Q_IMPACT, Q_RESTART, Q_PAYOFF_WEIGHT, Q_ASPIRATION,
 Q_SENSITIVITY, Q_PROPENSITY, Q_PEER_COMPARISON) = range(17)
N_Q = 17


def decide(kind, slope, base, belief, propensity, pressure, punish, params, key, t, c) -> float:
    """The intention (social target mixed with the propensity), raised towards belief + margin
    in a punishment period, plus noise of sd noise * E, clipped to [0, E]."""
    e = float(params[Q_ENDOWMENT])
    social = rb.social_target(kind, slope, base, belief, e)
    x = rb.intention(social, propensity, params[Q_PAYOFF_WEIGHT], e)
    if punish:
        x = rb.anticipate(x, belief, pressure, params[Q_MARGIN])
    x += float(params[Q_NOISE]) * e * ref.normal(int(key), t, c, STREAM_LAB_NOISE_A,
                                                 STREAM_LAB_NOISE_B)
    return rb.clip(x, e)


def simulate_sessions(schedule, punish, block_start, kind, slope, base, belief0, keys, params,
                      seed_agent, extra, extra_period, k):
    """Returns contribution, belief, given, received, payoff (S, P, n) and points (S, P, n, k).

    Each period: decisions (with each subject's belief and propensity), the optional extra
    MU, the punishment stage, payoffs and belief updates; then every propensity learns from
    the subject's payoff against her group-mates' mean, and in punishment periods the
    sanction pressure grows with the points received (relaxing towards ``compliance`` in a
    period without). At the start of a new block beliefs and
    propensities move the share ``restart`` back to their first values and pressure restarts.
    """
    n_sessions, n_periods, n = schedule.shape
    e = float(params[Q_ENDOWMENT])
    w = float(params[Q_BELIEF_WEIGHT])
    p0 = float(params[Q_PROPENSITY])
    shape = (n_sessions, n_periods, n)
    out = {name: np.zeros(shape) for name in ("contribution", "belief", "given", "received",
                                              "payoff")}
    points = np.zeros((n_sessions, n_periods, n, k))
    for s in range(n_sessions):
        key = int(keys[s])
        belief = [float(v) for v in belief0[s]]
        propensity = [p0] * n
        pressure = [float(params[Q_COMPLIANCE])] * n
        for t in range(n_periods):
            if t > 0 and block_start[s][t]:
                r = float(params[Q_RESTART])
                belief = [(1.0 - r) * belief[i] + r * float(belief0[s][i]) for i in range(n)]
                propensity = [(1.0 - r) * propensity[i] + r * p0 for i in range(n)]
                pressure = [float(params[Q_COMPLIANCE])] * n
            pun = punish[s][t] != 0
            x = []
            for i in range(n):
                out["belief"][s, t, i] = belief[i]
                x.append(decide(kind[s][i], slope[s][i], base[s][i], belief[i], propensity[i],
                                pressure[i], pun, params, key, t, i))
            if extra[s] != 0.0 and t == extra_period[s]:
                a = int(seed_agent[s])
                x[a] = min(max(x[a] + float(extra[s]), 0.0), e)
            back = [0.0] * n
            given = [0.0] * n
            received = [0.0] * n
            groups = [[int(schedule[s][t][g * k + q]) for q in range(k)] for g in range(n // k)]
            for ids in groups:
                gx = [x[i] for i in ids]
                total = 0.0
                for v in gx:
                    total += v
                pts = (rb.punish_group(gx, ids, n, params[Q_PUNISH_RATE], params[Q_MAX_POINTS],
                                       key, t) if pun else [[0.0] * k] * k)
                for q, i in enumerate(ids):
                    back[i] = float(params[Q_MPCR]) * total
                    for q2 in range(k):
                        points[s, t, i, q2] = pts[q][q2]
                        given[i] += pts[q][q2]
                        received[ids[q2]] += pts[q][q2]
                    belief[i] = rb.updated_belief(belief[i], (total - gx[q]) / (k - 1), w)
            payoff = [0.0] * n
            for i in range(n):
                payoff[i] = (e - x[i] + back[i] - float(params[Q_COST]) * given[i]
                             - float(params[Q_IMPACT]) * received[i])
                out["contribution"][s, t, i] = x[i]
                out["given"][s, t, i] = given[i]
                out["received"][s, t, i] = received[i]
                out["payoff"][s, t, i] = payoff[i]
            # the propensity learns from her payoff against her group-mates' mean
            for ids in groups:
                total = 0.0
                for i in ids:
                    total += payoff[i]
                for i in ids:
                    peers = float(params[Q_PEER_COMPARISON]) * (total - payoff[i]) / (k - 1)
                    propensity[i] = rb.learnt_propensity(
                        propensity[i], payoff[i], peers, x[i], params[Q_ASPIRATION],
                        params[Q_SENSITIVITY], e)
            if pun:
                pressure = [rb.pressure_after(pressure[i], received[i], params[Q_LEARNING],
                                              params[Q_COMPLIANCE]) for i in range(n)]
    return out, points


def tabu_search(start, k, key, max_iters, tenure_min, tenure_span):
    """The tabu search of ``sim.lab.schedule.tabu_search``, step for step."""
    start = np.asarray(start)
    rounds, n = start.shape
    sched = [[int(v) for v in row] for row in start]
    met = [[0] * n for _ in range(n)]
    for r in range(rounds):
        for g in range(n // k):
            grp = sched[r][g * k : (g + 1) * k]
            for a in grp:
                for b in grp:
                    if a != b:
                        met[a][b] += 1
    cost = sum(met[i][j] - 1 for i in range(n) for j in range(i + 1, n) if met[i][j] > 1)
    best = [row[:] for row in sched]
    best_cost = cost
    tabu_until: dict[tuple[int, int, int], int] = {}
    for it in range(max_iters):
        if best_cost == 0:
            break
        move = None
        move_delta = 1 << 30
        ties = 0
        for r in range(rounds):
            for s1 in range(n):
                g1 = s1 // k
                a = sched[r][s1]
                if not any(m != a and met[a][m] >= 2 for m in sched[r][g1 * k : g1 * k + k]):
                    continue
                for s2 in range(n):
                    g2 = s2 // k
                    if g2 == g1:
                        continue
                    b = sched[r][s2]
                    delta = 0
                    for q in range(k):
                        m = sched[r][g1 * k + q]
                        if m != a:
                            delta += (met[b][m] >= 1) - (met[a][m] >= 2)
                        m = sched[r][g2 * k + q]
                        if m != b:
                            delta += (met[a][m] >= 1) - (met[b][m] >= 2)
                    if tabu_until.get((r, a, b), 0) > it and cost + delta >= best_cost:
                        continue
                    if delta < move_delta:
                        move_delta, move, ties = delta, (r, s1, s2), 1
                    elif delta == move_delta:
                        ties += 1
                        if ref.uniform(int(key), it, ties, STREAM_PLAN_PICK) * ties < 1.0:
                            move = (r, s1, s2)
        if move is None:
            continue
        r, s1, s2 = move
        g1, g2 = s1 // k, s2 // k
        a, b = sched[r][s1], sched[r][s2]
        for q in range(k):
            m = sched[r][g1 * k + q]
            if m != a:
                met[a][m] -= 1
                met[m][a] -= 1
                met[b][m] += 1
                met[m][b] += 1
            m = sched[r][g2 * k + q]
            if m != b:
                met[b][m] -= 1
                met[m][b] -= 1
                met[a][m] += 1
                met[m][a] += 1
        sched[r][s1], sched[r][s2] = b, a
        cost += move_delta
        tenure = tenure_min + int(ref.uniform(int(key), it, 0, STREAM_PLAN_TENURE) * tenure_span)
        tabu_until[(r, a, b)] = it + tenure
        tabu_until[(r, b, a)] = it + tenure
        if cost < best_cost:
            best_cost = cost
            best = [row[:] for row in sched]
    return np.array(best), best_cost
