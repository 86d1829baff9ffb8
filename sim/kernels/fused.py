"""Fused kernels for the engine's fast path: fewer passes over memory per round.

The ordinary round (``Simulation.step``) plays the game in two passes (group payouts, then
payoffs) and records the metrics in five more (two means, the cooperators' count, and the
Gini coefficient's own two passes). :func:`payoffs_with_sums` computes the payoffs and, per
fixed block of :data:`BLOCK` agents, every sum the metrics need in one pass, so recording costs
one histogram pass for the Gini coefficient. Payoffs are the same floats as from
``games.payoffs`` (same order of additions); the metrics differ only by the order of summation
(fixed blocks, so the result does not depend on the number of threads). Twin: the ordinary
kernels (``tests/test_fused.py``)."""

from __future__ import annotations

import numba as nb
import numpy as np

#: agents per reduction block; fixed, so block sums do not depend on the thread count
BLOCK = 4096
#: columns of the block-sum array
SUM_X, SUM_PAYOFF, COOPERATORS, PAYOFF_MIN, PAYOFF_MAX = range(5)
N_SUMS = 5


@nb.njit(parallel=True, cache=True)
def payoffs_with_sums(x, own_games, endowment, payout, agent_ptr, agent_groups, threshold, out,
                      sums):
    """``games.payoffs`` plus, per block b of ``BLOCK`` agents, ``sums[b]``: the block's sum of
    contributions, sum of payoffs, number of agents giving at least ``threshold``, and its
    smallest and largest payoff."""
    n = len(x)
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in nb.prange(n_blocks):
        sx = 0.0
        sp = 0.0
        coop = 0
        lo = np.inf
        hi = -np.inf
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            xi = x[i]
            p = own_games[i] * (endowment - xi)
            for k in range(agent_ptr[i], agent_ptr[i + 1]):
                p += payout[agent_groups[k]]
            out[i] = p
            sx += xi
            sp += p
            if xi >= threshold:
                coop += 1
            lo = min(lo, p)
            hi = max(hi, p)
        sums[b, SUM_X] = sx
        sums[b, SUM_PAYOFF] = sp
        sums[b, COOPERATORS] = coop
        sums[b, PAYOFF_MIN] = lo
        sums[b, PAYOFF_MAX] = hi


def block_count(n: int) -> int:
    """Rows of the ``sums`` array :func:`payoffs_with_sums` needs for ``n`` agents."""
    return (n + BLOCK - 1) // BLOCK
