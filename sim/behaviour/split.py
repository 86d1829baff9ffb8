"""How a human-like person splits what she gives between her organisation and the system.

docs/science.md section 8. What she gives in total is decided as in the one-level game
(:mod:`sim.behaviour.kernels`: belief, type, payoff learning). The two-level game adds the
share ``s`` of it that goes to the system's pool; the rest goes to her organisation's pool.
Each round, in order:

1. two beliefs move towards what she saw last round (Fischbacher & Gächter 2010, AER
   100:541, applied to each level): what her team-mates gave to their organisation's pool,
   and what her system partners gave to the system's pool;
2. conditional cooperation at each level (Fischbacher, Gächter & Fehr 2001, Economics
   Letters 71:397, matched level by level): on social grounds she splits in proportion to
   those two beliefs, ``b_G / (b_L + b_G)``;
3. a split propensity ``q`` learns which account paid her more, net of what she put in
   (aspiration-free Bush-Mosteller reinforcement, Macy & Flache 2002, PNAS 99:7229: the
   stimulus is ``tanh(split_sensitivity * (net_G - net_L) / E)``; comparing the two
   accounts' earnings is this project's modelling choice);
4. the two are mixed with the same ``payoff_weight`` as her total:
   ``s = (1 - w) * social + w * q``.

An account whose return is 0 is not offered: ``s`` is 0 without a system return and 1
without a local one, so that a game with one level switched off is the one-level game.
Plain-Python twins in ``tests/reference_nested.py``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.behaviour.kernels import reinforce, updated_belief
from sim.params import Param

SYSTEM_SHARE = Param(
    "system_share", 0.5, "two-level game: share of what people give that goes to the system's "
    "pool before any experience (their first split and split propensity)", low=0.0, high=1.0,
    source="assumption: an even split before any experience (no published first-round split "
    "was reached; docs/science.md section 8)")
SPLIT_SENSITIVITY = Param(
    "split_sensitivity", 0.0, "two-level game: how strongly the split learns from the gap "
    "between what the system's and the organisation's pools paid, net, in units of E",
    low=0.0, high=50.0,
    source="calibrated: experiments/calibrate_split.py against direction targets of Blackwell "
    "& McKee 2003 (J Econ Behav Organ 52:115), docs/science.md section 8; only 0 meets both "
    "(learning between the accounts lowers local giving when the global return rises)")
#: the split's settings, in the order of the command line
SPLIT = (SYSTEM_SHARE, SPLIT_SENSITIVITY)


@nb.njit(inline="always", cache=True)
def split_decision(share, q, belief_local, belief_system, seen_local, seen_system, net_local,
                   net_system, belief_weight, payoff_weight, sensitivity, endowment, local_on,
                   system_on):
    """Next (share, q, belief_local, belief_system) of one person (module docstring).

    ``seen_*`` are what her team-mates gave locally and her system partners to the system on
    average last round (NaN: nobody to see; the belief stays); ``net_*`` what each account
    paid her minus what she put in; ``local_on``/``system_on`` whether each account has a
    positive return. An account is not offered to someone it cannot reach: without a system
    partner (``seen_system`` NaN) everything goes to the organisation's pool, without a
    team-mate (``seen_local`` NaN) to the system's (the same as a return of 0).
    """
    b_l = updated_belief(belief_local, seen_local, belief_weight)
    b_g = updated_belief(belief_system, seen_system, belief_weight)
    stim = np.tanh(sensitivity * (net_system - net_local) / endowment)
    new_q = reinforce(q, stim, True)
    if not system_on or (local_on and seen_system != seen_system):
        return 0.0, new_q, b_l, b_g
    if not local_on or seen_local != seen_local:
        return 1.0, new_q, b_l, b_g
    both = b_l + b_g
    social = b_g / both if both > 0.0 else share
    s = (1.0 - payoff_weight) * social + payoff_weight * new_q
    return min(max(s, 0.0), 1.0), new_q, b_l, b_g


@nb.njit(parallel=True, cache=True)
def split_update(share, q, belief_local, belief_system, seen_local, seen_system, net_local,
                 net_system, belief_weight, payoff_weight, sensitivity, endowment, local_on,
                 system_on, new_share, new_q, new_belief_local, new_belief_system):
    """:func:`split_decision` for everyone from the same snapshot, into the ``new_*`` arrays."""
    for i in nb.prange(len(share)):
        s, qq, bl, bg = split_decision(share[i], q[i], belief_local[i], belief_system[i],
                                       seen_local[i], seen_system[i], net_local[i],
                                       net_system[i], belief_weight, payoff_weight,
                                       sensitivity, endowment, local_on, system_on)
        new_share[i] = s
        new_q[i] = qq
        new_belief_local[i] = bl
        new_belief_system[i] = bg
