"""The causal cascade: what one extra MU does, measured with paired runs.

Given paired runs (:mod:`sim.lab.counterfactual`), every difference between the two runs is
caused by the gift. This module sorts the differences by *temporal degree* — the wave of the
cascade that first reached a subject: the number of hops of the shortest time-respecting path
of group meetings from the giver that reached her earliest (meeting the giver: 1; meeting
someone who had met her: 2; ...), fixed from then on — and by period, and sums them
into the multiplier: the extra MU given by everyone else over the rest of the session per MU of
the gift (Fowler & Christakis 2010: "tripled").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.stats import mean_ci

__all__ = ["UNREACHED", "CausalCascade", "causal_cascade", "temporal_degree"]

UNREACHED = -1


def temporal_degree(schedule: np.ndarray, group_size: int, source: np.ndarray,
                    start: int) -> np.ndarray:
    """(S, P, n) int: each subject's temporal degree from ``source`` when deciding in period t.

    The source has degree 0 from period ``start`` on. A subject not yet reached who shares a
    group in period p with reached subjects gets the smallest of their degrees plus one, from
    period p + 1 on, and keeps it (the wave that first reached her). Subjects no path has
    reached yet are ``UNREACHED`` (-1); they cannot have been affected.

    Args:
        schedule: (S, P, n) subjects by slot (slot // group_size is the group).
        group_size: the group size.
        source: (S,) the giver in each session.
        start: the period index of the gift.
    """
    s, p, n = schedule.shape
    big = np.iinfo(np.int64).max // 2
    dist = np.full((s, n), big, np.int64)
    dist[np.arange(s), source] = 0
    out = np.full((s, p, n), UNREACHED, np.int64)
    rows = np.arange(s)[:, None]
    for t in range(start, p):
        out[:, t] = np.where(dist < big, dist, UNREACHED)
        # distances as of this period, by slot, then the best of each group
        by_slot = dist[rows, schedule[:, t]].reshape(s, n // group_size, group_size)
        best = by_slot.min(axis=2, keepdims=True)
        reach = np.where(best < big, best + 1, big)
        new = np.where(by_slot < big, by_slot, reach).reshape(s, n)
        dist[rows, schedule[:, t]] = new
    return out


@dataclass
class CausalCascade:
    """The causal effect of a gift, by temporal degree and period.

    Attributes:
        degrees: labels of ``by_degree``'s rows: "giver" (her own later changes), "1", "2",
            "3", ..., and the last "k+" for degree k and beyond.
        by_degree: (len(degrees), P) mean extra MU per MU of the gift, over pairs, by degree
            and period (period index from 0).
        by_degree_ci: (len(degrees), P, 2) 95% confidence intervals of those means.
        multiplier: per pair, the others' total extra MU after the gift per MU of the gift.
        estimate, ci: the mean multiplier and its 95% confidence interval (t over pairs).
        first_block: per pair, the same total restricted to the gift's treatment block.
        unreached_total: the largest absolute change of any subject no path had reached
            (must be exactly 0: a sanity check of causality).
    """

    degrees: list[str]
    by_degree: np.ndarray
    by_degree_ci: np.ndarray
    multiplier: np.ndarray
    estimate: float
    ci: tuple[float, float]
    first_block: np.ndarray
    first_block_estimate: float
    first_block_ci: tuple[float, float]
    unreached_total: float
    pairs: int
    start: int

    def as_json(self) -> dict[str, Any]:
        return {"estimate": self.estimate, "ci": list(self.ci), "pairs": self.pairs}


def causal_cascade(paired, max_degree: int = 3, level: float = 0.95) -> CausalCascade:
    """Sort the paired runs' differences by temporal degree and period; sum the multiplier.

    Pairs whose giver could not give anything more (already at the endowment) are left out.
    """
    design = paired.baseline.design
    diff = paired.difference
    keep = paired.extra > 0
    if not keep.any():
        raise ValueError("no pair has a positive gift: nothing to measure")
    diff = diff[keep] / paired.extra[keep, None, None]
    schedule = paired.baseline.sessions.schedule[keep]
    giver = paired.giver[keep]
    s, p, n = diff.shape
    start = paired.period
    degree = temporal_degree(schedule, design.group_size, giver, start)
    others = np.ones((s, n), bool)
    others[np.arange(s), giver] = False
    after = np.zeros(p, bool)
    after[start + 1 :] = True
    # the gift itself is in the giver's own row at `start`; her later changes are feedback
    own = diff[np.arange(s), :, giver] * after
    labels = ["giver"] + [str(d) for d in range(1, max_degree)] + [f"{max_degree}+"]
    per_pair = np.zeros((s, len(labels), p))
    per_pair[:, 0] = own
    for d in range(1, max_degree + 1):
        if d < max_degree:
            mask = degree == d
        else:
            mask = degree >= max_degree
        per_pair[:, d] = (diff * mask * others[:, None, :]).sum(axis=2) * after
    unreached = np.abs(diff * (degree == UNREACHED)).max() if s else 0.0
    mean, lo, hi = mean_ci(per_pair, level)
    totals = (diff * others[:, None, :]).sum(axis=2) * after  # (S, P)
    multiplier = totals.sum(axis=1)
    block = np.zeros(p, bool)
    per = design.periods
    first = (start // per) * per
    block[first : first + per] = True
    first_block = (totals * block).sum(axis=1)
    m_mean, m_lo, m_hi = mean_ci(multiplier, level)
    f_mean, f_lo, f_hi = mean_ci(first_block, level)
    return CausalCascade(
        degrees=labels,
        by_degree=mean,
        by_degree_ci=np.stack([lo, hi], axis=-1),
        multiplier=multiplier,
        estimate=float(m_mean),
        ci=(float(m_lo), float(m_hi)),
        first_block=first_block,
        first_block_estimate=float(f_mean),
        first_block_ci=(float(f_lo), float(f_hi)),
        unreached_total=float(unreached),
        pairs=int(s),
        start=start,
    )
