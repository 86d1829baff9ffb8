"""The fused fast path of :meth:`sim.Simulation.step` (kernels in :mod:`sim.kernels.fused`).

Taken for synchronous updating on fixed groups when the run has no round hooks and the
round's contributions are not supplied from outside; any other run takes the ordinary path.
The decisions are the ordinary kernels'; payoffs and the metrics' sums come from one pass
(:func:`sim.kernels.fused.payoffs_with_sums`); only the cooperators' pass is saved.
Contributions, payoffs and the recorded metrics are the same floats as on the ordinary path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.kernels import fused, games, metrics

if TYPE_CHECKING:
    from sim.simulation import Simulation


def applies(sim: Simulation) -> bool:
    """Whether ``sim``'s next round may take the fused path."""
    c = sim.config
    return (
        c.update == "synchronous"
        and not sim.hooks
        and not sim._matcher.structure.rematched
    )


def step(sim: Simulation) -> None:
    """One round of ``sim``: decide (ordinary kernels), play and record."""
    if sim.round > 0:
        sim._learn()
    g = sim.groups
    games.group_payouts(sim.contribution, sim._payout_weight, sim.share, g.group_ptr, g.members,
                        sim._given, sim.payout)
    e = sim.config.endowment
    sums = np.empty((fused.block_count(sim.n), fused.N_SUMS))
    fused.payoffs_with_sums(sim.contribution, sim.own_games, e, sim.payout, g.agent_ptr,
                            g.agent_groups, 0.5 * e, sim.payoff, sums)
    if sim.rule.uses_beliefs:
        games.group_sums(sim.contribution, g.group_ptr, g.members, sim.raw_total)
    _record(sim, sums)
    sim.round += 1


def _record(sim: Simulation, sums: np.ndarray) -> None:
    """The round's metrics, bit for bit as ``Simulation._record`` records them (runs that take
    the ordinary path, e.g. with Python decisions, are compared with these exactly); only the
    cooperators' count, an exact integer, comes from the block sums."""
    n = sim.n
    bins = 0 if n <= metrics.GINI_EXACT_MAX else metrics.GINI_BINS
    s = sim._series
    s["mean_contribution"].append(float(sim.contribution.mean()))
    s["welfare"].append(float(sim.payoff.mean()))
    s["gini"].append(float(metrics.gini(sim.payoff, bins)))
    s["cooperators"].append(float(sums[:, fused.COOPERATORS].sum()) / n)
    if sim.record_agents:
        sim._agent_rows.append(sim.contribution.astype(np.float32))
