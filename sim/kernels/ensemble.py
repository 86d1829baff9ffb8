"""A whole run of one *pack* of replicates in compiled code (docs/performance.md).

A pack is R replicates of one cell that share a network and its groups: every per-agent array
is (agents, R), so an agent's R values sit side by side and one read of a neighbour brings all
of them. The game's loops (group totals, payoffs, what co-players gave and earned, the round's
metrics) run agent by agent with an inner loop over the replicates that the compiler
vectorises. Decisions are made by the same per-agent code as a run alone
(:func:`sim.kernels.rules.decide_block` and :func:`~sim.kernels.rules.asynchronous_update`),
applied to one replicate's column at a time over blocks of agents, with each replicate's own
key: a replicate's history is the same bits in a pack of any width as played alone.

Each sum below adds the same terms in the same order as the one-run kernels in
:mod:`sim.kernels.games` (members in group order, groups in the agent's order), which is what
keeps the bits equal. The kernels release the GIL, so packs run on Python threads side by side
(:class:`sim.ensemble.Ensemble`) with no barrier between them inside a run.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.kernels.metrics import record_round
from sim.kernels.rules import (
    BLOCK,
    HUMAN,
    RULE_CODES,
    asynchronous_update,
    decide_block,
    uses_beliefs,
)

# _ONE: a run alone is a pack of one replicate. Its inner loops over the replicates have one
# turn each, and the vectorised loop's checks around each turn cost more than the work (group
# totals and payoffs took 50 ns per agent-round at n = 1,000 against 28 ns in registers;
# benchmarks/NOTES.md section 6), so the loops that add over groups (group_totals, payoffs,
# co_player_means) have a branch for one replicate that adds the same terms in the same order.


@nb.njit(inline="always", cache=True)
def group_totals(x, weight, weighted, share, group_ptr, members, out, raw):
    """``out[g, r] = share[g] * sum over members m of weight[m] * x[m, r]`` (weights 1 if not
    ``weighted``; no factor if ``share`` is empty), and, if ``raw`` has rows, the plain sums
    in ``raw`` from the same pass: as ``games.group_payouts``/``group_sums``."""
    reps = x.shape[1]
    scaled = len(share) > 0
    sums = raw.shape[0] > 0
    if reps == 1:  # one run: the same sums in registers (see _ONE)
        for g in range(len(group_ptr) - 1):
            total = 0.0
            plain = 0.0
            for k in range(group_ptr[g], group_ptr[g + 1]):
                m = members[k]
                if weighted:
                    total += weight[m] * x[m, 0]
                    plain += x[m, 0]
                else:
                    total += x[m, 0]
            if sums:
                raw[g, 0] = plain if weighted else total
            out[g, 0] = share[g] * total if scaled else total
        return
    for g in range(len(group_ptr) - 1):
        for r in range(reps):
            out[g, r] = 0.0
        if sums and weighted:
            for r in range(reps):
                raw[g, r] = 0.0
        for k in range(group_ptr[g], group_ptr[g + 1]):
            m = members[k]
            if weighted:
                w = weight[m]
                for r in range(reps):
                    out[g, r] += w * x[m, r]
                if sums:
                    for r in range(reps):
                        raw[g, r] += x[m, r]
            else:
                for r in range(reps):
                    out[g, r] += x[m, r]
        if sums and not weighted:
            for r in range(reps):
                raw[g, r] = out[g, r]
        if scaled:
            s = share[g]
            for r in range(reps):
                out[g, r] = s * out[g, r]


@nb.njit(inline="always", cache=True)
def payoffs(x, own_games, endowment, payout, agent_ptr, agent_groups, out):
    """Each agent's payoff in each replicate, as ``games.payoffs``."""
    reps = x.shape[1]
    if reps == 1:  # see _ONE
        for i in range(x.shape[0]):
            p = own_games[i] * (endowment - x[i, 0])
            for k in range(agent_ptr[i], agent_ptr[i + 1]):
                p += payout[agent_groups[k], 0]
            out[i, 0] = p
        return
    for i in range(x.shape[0]):
        kept = own_games[i]
        for r in range(reps):
            out[i, r] = kept * (endowment - x[i, r])
        for k in range(agent_ptr[i], agent_ptr[i + 1]):
            g = agent_groups[k]
            for r in range(reps):
                out[i, r] += payout[g, r]


@nb.njit(inline="always", cache=True)
def co_player_means(v, totals, group_ptr, agent_ptr, agent_groups, acc, out):
    """Mean of ``v`` over each agent's co-players (NaN without any), from the group totals of
    ``v``: as ``games.observed_means``. ``acc`` is scratch of length R."""
    reps = v.shape[1]
    if reps == 1:  # see _ONE
        for i in range(v.shape[0]):
            den = 0
            num = 0.0
            for k in range(agent_ptr[i], agent_ptr[i + 1]):
                g = agent_groups[k]
                den += group_ptr[g + 1] - group_ptr[g] - 1
                num += totals[g, 0] - v[i, 0]
            out[i, 0] = np.nan if den == 0 else num / den
        return
    for i in range(v.shape[0]):
        den = 0
        for r in range(reps):
            acc[r] = 0.0
        for k in range(agent_ptr[i], agent_ptr[i + 1]):
            g = agent_groups[k]
            den += group_ptr[g + 1] - group_ptr[g] - 1
            for r in range(reps):
                acc[r] += totals[g, r] - v[i, r]
        for r in range(reps):
            out[i, r] = np.nan if den == 0 else acc[r] / den


@nb.njit(inline="always", cache=True)
def per_game(payoff, own_games, out):
    """Payoff per game staked in (0 without a game): as ``games.per_game``."""
    reps = payoff.shape[1]
    for i in range(payoff.shape[0]):
        games = own_games[i]
        for r in range(reps):
            out[i, r] = payoff[i, r] / games if games > 0 else 0.0


def _compile_pack(code: int):
    """The whole-run kernel for one rule; ``code`` is a compile-time constant inside it, so the
    other rules' branches are dropped (about 1.8x faster for Fermi than a runtime code).

    It captures nothing but ``code``: a closure that captures another compiled function is
    not found in Numba's cache by a new process and is compiled again every time (a decision
    loop of its own, 1.5x faster for Fermi packs, cost 6 s at every start that way)."""

    @nb.njit(nogil=True, cache=True)
    def play(asynchronous, t0, t1, keys, x, new_x, payoff, belief, new_belief, propensity,
             new_propensity, kind, slope, base, lo, hi, params, weight, weighted, own_games,
             share, group_ptr, members, agent_ptr, agent_groups, indptr, indices, payout, raw,
             earned, earned_total, peers, obs, partner, acc, endowment, bins, with_gini, buffer,
             sums, out, agents_out):
        """Play rounds ``t0 .. t1 - 1`` of a pack of replicates, recording each round's metrics in
        ``out[:, t - t0, :]`` (and every agent's contribution in ``agents_out[t - t0]`` if it has
        rows). ``buffer`` is (rounds, R, agents) where the exact Gini is wanted: round t's
        payoffs are left in ``buffer[t - t0]`` for :func:`sim.kernels.metrics.finish_exact_gini`
        (see :func:`~sim.kernels.metrics.record_round`); otherwise (1, R, agents) of scratch.
        The steps and their order are those of :meth:`sim.simulation.Simulation.step`.

        Returns whether the current state ended in the ``new_*`` buffers (an odd number of
        synchronous swaps): the caller swaps its names to match.
        """
        n, reps = x.shape
        beliefs = uses_beliefs(code)
        learns = code == HUMAN
        no_share = np.empty(0)
        no_sums = np.empty((0, reps))
        swapped = False
        for t in range(t0, t1):
            if t > 0 and asynchronous:
                for r in range(reps):
                    asynchronous_update(code, t, keys[r], x[:, r], payoff[:, r], indptr, indices,
                                        belief[:, r], propensity[:, r], kind[:, r], slope[:, r],
                                        base[:, r], lo, hi, params, weight, own_games, share,
                                        group_ptr, members, agent_ptr, agent_groups, payout[:, r],
                                        raw[:, r], earned[:, r])
            elif t > 0:
                if beliefs:
                    co_player_means(x, raw, group_ptr, agent_ptr, agent_groups, acc, obs)
                if learns:
                    per_game(payoff, own_games, earned)
                    group_totals(earned, weight, False, no_share, group_ptr, members, earned_total,
                                 no_sums)
                    co_player_means(earned, earned_total, group_ptr, agent_ptr, agent_groups, acc,
                                    peers)
                for i0 in range(0, n, BLOCK):
                    i1 = min(n, i0 + BLOCK)
                    for r in range(reps):
                        decide_block(code, i0, i1, t, keys[r], x[:, r], payoff[:, r], indptr,
                                     indices, obs[:, r], earned[:, r], peers[:, r],
                                     belief[:, r], propensity[:, r], kind[:, r], slope[:, r],
                                     base[:, r], lo, hi, params, partner, new_x[:, r],
                                     new_belief[:, r], new_propensity[:, r])
                x, new_x = new_x, x
                if beliefs:
                    belief, new_belief = new_belief, belief
                    propensity, new_propensity = new_propensity, propensity
                swapped = not swapped
            # the game
            # what everyone sees their co-players give, summed in the payouts' pass
            group_totals(x, weight, weighted, share, group_ptr, members, payout,
                         raw if beliefs or asynchronous else no_sums)
            payoffs(x, own_games, endowment, payout, agent_ptr, agent_groups, payoff)
            record_round(x, payoff, endowment, bins, with_gini,
                         buffer[min(t - t0, buffer.shape[0] - 1)], sums, out, t - t0)
            if agents_out.shape[0] > 0:
                for i in range(n):
                    for r in range(reps):
                        agents_out[t - t0, i, r] = x[i, r]
        return swapped

    return play


_PACKS = {code: _compile_pack(code) for code in RULE_CODES}


def play_pack(code, *args):
    """Play a pack's rounds with the whole-run kernel of rule ``code`` (see ``_compile_pack``
    for the arguments and the return value)."""
    return _PACKS[code](*args)
