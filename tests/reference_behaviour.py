"""Plain-Python twins of the human-like behaviour's Numba kernels (``sim/behaviour/kernels.py``).

Each twin is written from its kernel's docstring, element by element, on Python floats, with
the kernels' order of floating-point operations where that order is a free choice: results
agree bit for bit, or to an ulp where libm's ``exp``/``tanh``/``log``/``cos`` are involved.
Random draws come from the counter-based generator's twin in ``tests/reference.py``.

The array kernels, which fill an output in place, return new lists here instead.
"""

from __future__ import annotations

import math

import reference as ref

# behavioural types (Fischbacher, Gächter & Fehr 2001)
CONDITIONAL_COOPERATOR = 0
FREE_RIDER = 1
HUMP_SHAPED = 2
OTHER = 3

TYPE_NAMES = {
    CONDITIONAL_COOPERATOR: "conditional-cooperator",
    FREE_RIDER: "free-rider",
    HUMP_SHAPED: "hump-shaped",
    OTHER: "other",
}

#: giving at least this share of E counts as cooperating (the action reinforcement credits)
COOPERATION_THRESHOLD = 0.5

#: the punishment and reward stages' streams
STREAM_PUNISH = 18
STREAM_REWARD = 21


def updated_belief(belief, observed, weight) -> float:
    """``weight * observed + (1 - weight) * belief``; a NaN observation leaves the belief."""
    belief, observed, weight = float(belief), float(observed), float(weight)
    if math.isnan(observed):
        return belief
    return weight * observed + (1.0 - weight) * belief


def social_target(kind, slope, base, belief, endowment) -> float:
    """Conditional cooperator: slope * belief; free rider: 0; hump-shaped:
    slope * min(belief, E - belief); other: the fixed ``base``."""
    kind = int(kind)
    slope, belief, endowment = float(slope), float(belief), float(endowment)
    if kind == CONDITIONAL_COOPERATOR:
        return slope * belief
    if kind == FREE_RIDER:
        return 0.0
    if kind == HUMP_SHAPED:
        return slope * min(belief, endowment - belief)
    return float(base)


def stimulus(advantage, aspiration, sensitivity) -> float:
    """tanh(sensitivity * (advantage - aspiration))."""
    return math.tanh(float(sensitivity) * (float(advantage) - float(aspiration)))


def reinforce(propensity, s, cooperated) -> float:
    """Bush-Mosteller: towards the action taken by the share s of the distance left when s >= 0,
    away from it by the share -s when s < 0."""
    p, s = float(propensity), float(s)
    if cooperated:
        if s >= 0.0:
            return p + (1.0 - p) * s  # towards 1 (cooperating)
        return p + p * s  # towards 0 (away from cooperating)
    if s >= 0.0:
        return p - p * s  # towards 0 (defecting)
    return p - (1.0 - p) * s  # towards 1 (away from defecting)


def intention(social, propensity, payoff_weight, endowment) -> float:
    """(1 - w) * social + w * propensity * E."""
    w = float(payoff_weight)
    return (1.0 - w) * float(social) + w * float(propensity) * float(endowment)


def anticipate(x, belief, pressure, margin) -> float:
    """Close the share ``pressure`` of the gap to ``belief + margin`` when x is below it."""
    x = float(x)
    gap = float(belief) + float(margin) - x
    if gap > 0.0:
        return x + float(pressure) * gap
    return x


def pressure_after(pressure, received, learning, start) -> float:
    """After points (received > 0): pressure + (1 - pressure) * (1 - exp(-learning * received));
    after a round without: pressure + (start - pressure) * (1 - exp(-learning)), back towards
    its starting value."""
    p = float(pressure)
    if float(received) > 0.0:
        return p + (1.0 - p) * (1.0 - math.exp(-float(learning) * float(received)))
    return p + (float(start) - p) * (1.0 - math.exp(-float(learning)))


def clip(x, endowment) -> float:
    """x within [0, E]."""
    return min(max(float(x), 0.0), float(endowment))


def learnt_propensity(propensity, earned, peers_earned, last_x, aspiration, sensitivity,
                      endowment) -> float:
    """The propensity after one round: the stimulus of (earned - peers) / E, reinforcing
    cooperation when ``last_x >= E / 2``; NaN peers (no co-players): unchanged."""
    peers = float(peers_earned)
    if math.isnan(peers):
        return float(propensity)
    e = float(endowment)
    s = stimulus((float(earned) - peers) / e, aspiration, sensitivity)
    return reinforce(propensity, s, float(last_x) >= COOPERATION_THRESHOLD * e)


def peer_points(x, ids, n, rate, cap, key, t, reward) -> list[list[float]]:
    """points[a][b] of one group's peer stage.

    Punishment: a punishes b only if b gave less than a and less than the mean of b's
    group-mates, floor(rate * shortfall + U) points. Rewards: a rewards b only if b gave more
    than a and more than the mean of b's group-mates, floor(rate * excess + U) points. At most
    ``cap``; U from the counter ``ids[a] * n + ids[b]`` of the stage's own stream.
    """
    k = len(x)
    x = [float(v) for v in x]
    total = 0.0
    for v in x:
        total += v
    stream = STREAM_REWARD if reward else STREAM_PUNISH
    points = [[0.0] * k for _ in range(k)]
    for a in range(k):
        for b in range(k):
            if a == b:
                continue
            if reward and not x[b] > x[a]:
                continue
            if not reward and not x[b] < x[a]:
                continue
            others = (total - x[b]) / (k - 1)
            gap = -(others - x[b]) if reward else others - x[b]
            if gap > 0.0:
                u = ref.uniform(int(key), int(t), int(ids[a]) * int(n) + int(ids[b]), stream)
                points[a][b] = min(float(math.floor(float(rate) * gap + u)), float(cap))
    return points


def punish_group(x, ids, n, rate, cap, key, t) -> list[list[float]]:
    """The punishment stage: :func:`peer_points` without rewards."""
    return peer_points(x, ids, n, rate, cap, key, t, False)


def first_decisions(kind, slope, base, belief, propensity, payoff_weight, noise, endowment,
                    z) -> list[float]:
    """Everyone's first contribution: the intention plus ``noise * E * z_i``, clipped."""
    e = float(endowment)
    out = []
    for i in range(len(kind)):
        social = social_target(kind[i], slope[i], base[i], belief[i], e)
        x = intention(social, propensity[i], payoff_weight, e)
        out.append(clip(x + float(noise) * e * float(z[i]), e))
    return out


def anticipate_all(x, belief, pressure, margin, endowment) -> list[float]:
    """:func:`anticipate` for everyone, clipped to [0, E]."""
    return [clip(anticipate(x[i], belief[i], pressure[i], margin), endowment)
            for i in range(len(x))]


def pressure_all(pressure, received, games, learning, start) -> list[float]:
    """:func:`pressure_after` for everyone with the points per game ``received / games``;
    unchanged for someone without a game."""
    out = []
    for i in range(len(pressure)):
        if float(games[i]) > 0:
            out.append(pressure_after(pressure[i], float(received[i]) / float(games[i]),
                                      learning, start))
        else:
            out.append(float(pressure[i]))
    return out
