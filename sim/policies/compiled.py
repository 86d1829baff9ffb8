"""Runs with policies in compiled code: whole rounds, institutions included, in one call.

A run whose hooks are all policies written as kernels (competition, cooperation, punishment,
growing resources, the envelope) plays its rounds with :func:`play_policy_rounds`: the same
kernels as the round-by-round path (:meth:`sim.simulation.Simulation.step` calling each hook),
in the same order, so the two give the same history bit for bit (tests/test_policies.py).
What it saves is Python between the kernels: a round of 500 people makes one call instead of
about fifteen.

:func:`policy_program` reads the hooks into a :class:`PolicyProgram` (one code and a row of
settings per policy, in the hooks' order); a hook it does not know (a user's own, a Mesa agent,
tie dynamics) leaves the run on the round-by-round path. The hooks stay the record of the run:
their ledgers, pressures, points and remaining budgets are written back after every call.
To compile a new policy, give it a code here, read its settings in :func:`policy_program` and
its round in the kernel's stages; until then it simply runs through Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np

from sim.behaviour import kernels as bk
from sim.kernels import games, metrics
from sim.kernels import rules as rule_kernels
from sim.policies.kernels import (
    competition_round,
    cooperation_round,
    punishment_round,
    returned_total,
)
from sim.policies.money import Competition, Cooperation
from sim.policies.punishment import MAX_POINTS, POINT_COST, POINT_IMPACT, Punishment
from sim.policies.resources import Envelope, GrowingResources

#: policy codes
COMPETITION, COOPERATION, PUNISHMENT, GROWING, ENVELOPE = 1, 2, 3, 4, 5

#: columns of a policy's settings row (each code reads its own)
S_BUDGET, S_SHARE, S_BY_PAYOFF, S_MATCH = 0, 1, 2, 3  # competition, cooperation
S_RATE, S_CAP, S_MARGIN, S_LEARNING, S_COMPLIANCE, S_ANTICIPATES = 0, 1, 2, 3, 4, 5  # punishment
S_GROWTH = 0  # growing resources
S_ENVELOPE_MATCH = 0  # envelope
N_SETTINGS = 6

#: columns of a policy's state row (what carries from round to round)
Z_PARTICIPATION, Z_FACTOR, Z_REMAINING = 0, 1, 2
N_STATE = 3


@dataclass
class PolicyProgram:
    """The compiled form of a run's policies: a code, a settings row and a state row per
    hook (in the hooks' order), and the arrays the kernels share with the hooks."""

    hooks: list[Any]
    codes: np.ndarray
    settings: np.ndarray
    state: np.ndarray
    pressure: np.ndarray
    points_given: np.ndarray
    points_received: np.ndarray
    fines: np.ndarray
    paid: np.ndarray

    def comparison_sets(self, sim: Any) -> tuple[np.ndarray, np.ndarray]:
        """The budget policy's comparison sets now, as CSR (``group_ptr``, ``members``): the
        game groups unless it compares teams (the run's current groups if none)."""
        for hook in self.hooks:
            if type(hook) is Competition or type(hook) is Cooperation:
                sets = hook.sets(sim)
                return sets.group_ptr, sets.members
        return sim.groups.group_ptr, sim.groups.members

    def load(self) -> None:
        """The hooks' current state into :attr:`state` (before a call)."""
        for k, hook in enumerate(self.hooks):
            if isinstance(hook, GrowingResources):
                self.state[k, Z_PARTICIPATION] = hook.participation
                self.state[k, Z_FACTOR] = hook.factor
            elif isinstance(hook, Envelope):
                self.state[k, Z_REMAINING] = hook.remaining

    def save(self, ledger: np.ndarray) -> None:
        """The call's state and ledgers (policies x rounds) back into the hooks."""
        for k, hook in enumerate(self.hooks):
            hook.ledger.extend(ledger[k].tolist())
            if isinstance(hook, GrowingResources):
                hook.participation = float(self.state[k, Z_PARTICIPATION])
                hook.factor = float(self.state[k, Z_FACTOR])
            elif isinstance(hook, Envelope):
                hook.remaining = float(self.state[k, Z_REMAINING])


def policy_program(sim: Any) -> PolicyProgram | None:
    """The run's hooks as a :class:`PolicyProgram` (an empty one without hooks), or None if
    one of them is not a policy written as kernels (the run then goes round by round through
    Python)."""
    hooks = sim.hooks
    n = sim.n
    codes = np.zeros(len(hooks), dtype=np.int64)
    settings = np.zeros((len(hooks), N_SETTINGS))
    state = np.zeros((len(hooks), N_STATE))
    pressure = points_given = points_received = fines = paid = np.zeros(0)
    for k, hook in enumerate(hooks):
        kind = type(hook)  # a subclass may play its round differently: not compiled
        if kind not in (Competition, Cooperation, Punishment, GrowingResources, Envelope):
            return None
        c = hook.config
        if kind is Competition or kind is Cooperation:
            settings[k, S_BUDGET] = c.policy_budget * n
            if kind is Competition:
                codes[k] = COMPETITION
                settings[k, S_SHARE] = float(c.competition_top_share)
                settings[k, S_BY_PAYOFF] = c.competition_rank == "payoff"
                paid = hook._prize
            else:
                codes[k] = COOPERATION
                settings[k, S_MATCH] = c.cooperation_reward == "match"
                paid = hook._reward
        elif kind is Punishment:
            codes[k] = PUNISHMENT
            settings[k, S_RATE] = float(c.punishment_rate)
            settings[k, S_CAP] = float(MAX_POINTS)
            settings[k, S_MARGIN] = c.punishment_margin * c.endowment
            settings[k, S_LEARNING] = c.punishment_learning
            settings[k, S_COMPLIANCE] = float(c.punishment_compliance)
            settings[k, S_ANTICIPATES] = hook.anticipates
            pressure, points_given, points_received = hook.pressure, hook.given, hook.received
            fines = hook.fines
        elif kind is GrowingResources:
            codes[k] = GROWING
            settings[k, S_GROWTH] = c.growth_rate
        else:
            codes[k] = ENVELOPE
            settings[k, S_ENVELOPE_MATCH] = float(c.envelope_match)
    return PolicyProgram(list(hooks), codes, settings, state, pressure, points_given,
                         points_received, fines, paid)


def play_policy_rounds(code, *args):
    """Play rounds of one run with its policies with the kernel of rule ``code`` (see
    ``_compile_rounds`` for the arguments and the return value)."""
    return _ROUNDS[code](*args)


def _compile_rounds(code: int):
    """The policies' whole-round kernel for one rule (``code`` a compile-time constant inside
    it, as in :mod:`sim.kernels.ensemble`)."""

    @nb.njit(cache=True)
    def play(t0, t1, learn_first, asynchronous, uses_beliefs, learns_from_payoff, key, x,
             new_x, payoff, belief, new_belief, propensity, new_propensity, kind, slope, base,
             observed, earned, peers, earned_total, partner, lo, hi, params, indptr, indices,
             weight, payout_weight, own_games, share, group_ptr, members, agent_ptr,
             agent_groups, given, payout, raw_total, seen, endowment, bins, gini_payoffs, sums,
             out, trace_x, trace_payoff, codes, settings, state, ledger, set_ptr, set_members,
             pressure, points_given, points_received, fines, paid):
        """Rounds ``t0 .. t1 - 1`` of one run with its policies, each round as
        :meth:`sim.simulation.Simulation.step` plays it: decide (from the second round on; the
        first round of the call only if ``learn_first``), the policies' ``after_decide``, the game,
        their ``after_play``, the metrics (into ``out[:, t - t0, 0]``; the exact Gini's payoffs
        into ``gini_payoffs``), everyone's contribution and payoff (into ``trace_x`` and
        ``trace_payoff``, unless they have no rows), their ``end_round``. ``codes``,
        ``settings`` and ``state`` are a :class:`PolicyProgram`'s (no policy: the engine's
        round alone); each policy's money moved per round goes into ``ledger``.

        Returns whether the current values ended in the ``new_*`` arrays (the caller swaps names).
        """
        n = len(x)
        n_groups = len(group_ptr) - 1
        games_per_agent = np.diff(agent_ptr)
        boosted = np.empty(n_groups)
        group_scratch = np.empty(n_groups)
        set_scratch = np.empty(len(set_ptr) - 1)
        nothing = np.empty(0)
        swapped = False
        for t in range(t0, t1):
            r = t - t0
            # decide
            if t > 0 and (t > t0 or learn_first):
                if asynchronous:
                    rule_kernels.asynchronous_update(
                        code, t, key, x, payoff, indptr, indices, belief, propensity, kind, slope,
                        base, lo, hi, params, weight, own_games, share, group_ptr, members,
                        agent_ptr, agent_groups, payout, raw_total, earned)
                else:
                    if uses_beliefs:
                        games.observed_means(x, raw_total, group_ptr, agent_ptr, agent_groups,
                                             observed)
                    if learns_from_payoff:
                        games.per_game(payoff, own_games, earned)
                        games.group_sums(earned, group_ptr, members, earned_total)
                        games.observed_means(earned, earned_total, group_ptr, agent_ptr,
                                             agent_groups, peers)
                    for b in range((n + rule_kernels.BLOCK - 1) // rule_kernels.BLOCK):
                        i0 = b * rule_kernels.BLOCK  # the blocks of synchronous_update, in turn
                        i1 = min(n, i0 + rule_kernels.BLOCK)
                        rule_kernels.decide_block(
                            code, i0, i1, t, key, x, payoff, indptr, indices, observed, earned,
                            peers, belief, propensity, kind, slope, base, lo, hi, params,
                            partner[i0:i1], new_x, new_belief, new_propensity)
                    x, new_x = new_x, x
                    if uses_beliefs:
                        belief, new_belief = new_belief, belief
                        propensity, new_propensity = new_propensity, propensity
                    swapped = not swapped
            # the policies' after_decide: sanction fear, this round's return
            round_share = share
            for k in range(len(codes)):
                p = codes[k]
                if p == PUNISHMENT and settings[k, S_ANTICIPATES] != 0.0:
                    bk.anticipate_all(x, belief, pressure, settings[k, S_MARGIN], endowment)
                elif p == GROWING:
                    state[k, Z_FACTOR] = 1.0 + settings[k, S_GROWTH] * state[k, Z_PARTICIPATION]
                    for g in range(n_groups):
                        boosted[g] = round_share[g] * state[k, Z_FACTOR]
                    round_share = boosted
                elif p == ENVELOPE:
                    remaining = state[k, Z_REMAINING]
                    if remaining <= 0.0:
                        ledger[k, r] = 0.0
                        continue
                    games.group_payouts(x, weight, round_share, group_ptr, members, given,
                                        group_scratch, nothing)
                    base_total = returned_total(group_scratch, group_ptr, boosted)
                    rate = settings[k, S_ENVELOPE_MATCH]
                    spend = rate * base_total
                    if spend >= remaining and base_total > 0.0:
                        rate = remaining / base_total
                        spend = remaining
                    state[k, Z_REMAINING] = 0.0 if spend == remaining else remaining - spend
                    ledger[k, r] = spend
                    for g in range(n_groups):
                        boosted[g] = round_share[g] * (1.0 + rate)
                    round_share = boosted
            # play
            games.group_payouts(x, payout_weight, round_share, group_ptr, members, given, payout,
                                raw_total if seen else nothing)
            games.payoffs(x, own_games, endowment, payout, agent_ptr, agent_groups, payoff)
            # the policies' after_play: fines, prizes, rewards
            for k in range(len(codes)):
                p = codes[k]
                if p == PUNISHMENT:
                    ledger[k, r] = -punishment_round(
                        x, group_ptr, members, settings[k, S_RATE], settings[k, S_CAP], key, t,
                        POINT_COST, POINT_IMPACT, points_given, points_received, fines, payoff)
                    if settings[k, S_ANTICIPATES] != 0.0 and settings[k, S_LEARNING] > 0.0:
                        bk.pressure_all(pressure, points_received, games_per_agent,
                                        settings[k, S_LEARNING], settings[k, S_COMPLIANCE])
                elif p == COMPETITION:
                    score = payoff if settings[k, S_BY_PAYOFF] != 0.0 else x
                    ledger[k, r] = competition_round(score, set_ptr, set_members,
                                                     settings[k, S_BUDGET], settings[k, S_SHARE],
                                                     set_scratch, paid, payoff)
                elif p == COOPERATION:
                    ledger[k, r] = cooperation_round(x, set_ptr, set_members, settings[k, S_BUDGET],
                                                     settings[k, S_MATCH] != 0.0, set_scratch, paid,
                                                     payoff)
                elif p == GROWING:
                    total = returned_total(payout, group_ptr, group_scratch)
                    ledger[k, r] = total * (1.0 - 1.0 / state[k, Z_FACTOR])
            # record
            buffer = gini_payoffs[r if bins == 0 else 0]
            metrics.record_round(x.reshape((n, 1)), payoff.reshape((n, 1)), endowment, bins, True,
                                 buffer, sums, out, r)
            if len(trace_x) > 0:
                trace_x[r] = x
                trace_payoff[r] = payoff
            # the policies' end_round: last round's participation
            for k in range(len(codes)):
                if codes[k] == GROWING:
                    state[k, Z_PARTICIPATION] = out[metrics.COOPERATORS, r, 0]
        return swapped


    return play


_ROUNDS = {code: _compile_rounds(code) for code in rule_kernels.RULE_CODES}
