"""What both parts of ``cascade experiment ties`` share (:mod:`experiments.ties`, the silos,
and :mod:`experiments.ties_centola`, Centola's comparison): what a run measures, the
statistics over replicate networks, and the rule for claims in the written reading.
"""

from __future__ import annotations

import math
from itertools import product
from typing import Any

import numpy as np

from experiments.formatting import number
from sim.analysis.stats import bootstrap_ci, finite, mean_ci
from sim.ties import Campaign

#: the silo part's axes and metrics
AXES = ("seeding", "bridging", "contagion", "weaving")
METRICS = ("final_cooperation", "reach", "rounds_to_half", "censored")
METRIC_LABEL = {
    "final_cooperation": "final cooperation (non-campaign agents)",
    "reach": "reach: cooperation in unseeded teams",
    "rounds_to_half": "rounds to 50% cooperation in unseeded teams (median)",
    "censored": "share of runs never reaching 50% in unseeded teams",
}
#: bootstrap resamples for the medians' and shares' intervals
BOOTSTRAP = 2000
#: metrics where the smaller estimate is the better outcome
LOWER_IS_BETTER = frozenset({"rounds_to_half", "censored"})
#: smallest difference of two estimates the reading mentions (shares of agents)
MIN_DIFFERENCE = 0.05
#: smallest difference of two medians of rounds to 50% the reading mentions
MIN_DIFFERENCE_ROUNDS = 1.0


# ---------------------------------------------------------------------------------- runs
def cooperation_paths(sim, masks: list[np.ndarray]) -> list[list[float]]:
    """Run ``sim`` to its last round; per round, the share of each mask's agents cooperating
    (giving at least E/2), NaN for an empty mask."""
    half = 0.5 * sim.config.endowment
    paths: list[list[float]] = [[] for _ in masks]
    for _ in range(sim.config.rounds):
        sim.step()
        cooperating = sim.contribution >= half
        for path, mask in zip(paths, masks, strict=True):
            path.append(float(cooperating[mask].mean()) if mask.any() else math.nan)
    return paths


def campaign_mask(sim) -> np.ndarray:
    """Which agents belong to the simulation's campaign team."""
    members = next(h for h in sim.hooks if isinstance(h, Campaign)).members
    mask = np.zeros(sim.n, dtype=bool)
    mask[members] = True
    return mask


def first_round_at_half(path: list[float]) -> int | None:
    """The first round (1-based) at which the share reached 50%; None if it never did."""
    return next((t + 1 for t, share in enumerate(path) if share >= 0.5), None)


# ---------------------------------------------------------------------------- statistics
def _float_or_none(value: float) -> float | None:
    """A statistic for the JSON output: None (null) where it is not finite."""
    values = finite([value])
    return float(values[0]) if len(values) else None


def mean_interval(values: list[float | None]) -> tuple[float | None, list[float | None]]:
    """Mean and 95% t interval (:func:`sim.analysis.stats.mean_ci`), missing values left out;
    no interval with fewer than two values."""
    arr = finite(values)
    if not len(arr):
        return None, [None, None]
    mean, lo, hi = mean_ci(arr)
    if len(arr) < 2:
        return float(mean), [None, None]
    return float(mean), [float(lo), float(hi)]


def _bootstrap(values: np.ndarray, statistic) -> list[float | None]:
    """95% percentile bootstrap interval; inf-safe quantiles (censored times are infinite)."""
    ci = bootstrap_ci(values, statistic, draws=BOOTSTRAP, method="inverted_cdf")
    return [None, None] if ci is None else [_float_or_none(ci[0]), _float_or_none(ci[1])]


def time_to_half(rounds: list[int | None]) -> tuple[float | None, list[float | None],
                                                     float | None, list[float | None]]:
    """Median rounds to 50% (censored runs count as never, so the median is None when half
    or more are censored), its bootstrap interval, and the censored share with its own."""
    times = np.array([math.inf if r is None else float(r) for r in rounds])
    censored = np.isinf(times).astype(float)
    return (_float_or_none(np.median(times)) if len(times) else None,
            _bootstrap(times, lambda d: np.median(d, axis=1)),
            _float_or_none(censored.mean()) if len(censored) else None,
            _bootstrap(censored, lambda d: d.mean(axis=1)))


def aggregate(records: list[dict[str, Any]], grid: dict[str, list],
              axes: tuple[str, ...] = AXES,
              means: tuple[str, ...] = ("final_cooperation", "reach")) -> list[dict[str, Any]]:
    """One row per (cell, metric): ``{*axes, metric, estimate, ci}``, the cells those of
    ``grid`` over ``axes`` (numbers as floats); the ``means`` metrics, then the rounds to
    50% and the censored share."""
    by_cell: dict[tuple, list[dict[str, Any]]] = {}
    for rec in records:
        by_cell.setdefault(tuple(rec[a] for a in axes), []).append(rec)
    rows = []
    for values in product(*(grid[a] for a in axes)):
        cell = tuple(v if isinstance(v, str) else float(v) for v in values)
        runs = by_cell.get(cell, [])
        label = dict(zip(axes, cell, strict=True))
        for metric in means:
            estimate, ci = mean_interval([r[metric] for r in runs])
            rows.append({**label, "metric": metric, "estimate": estimate, "ci": ci})
        median, median_ci, censored, censored_ci = time_to_half(
            [r["rounds_to_half"] for r in runs])
        rows.append({**label, "metric": "rounds_to_half", "estimate": median, "ci": median_ci})
        rows.append({**label, "metric": "censored", "estimate": censored, "ci": censored_ci})
    return rows


# ------------------------------------------------------------------------ rule for claims
def separated(a: dict[str, Any], b: dict[str, Any]) -> int:
    """+1 if a's interval lies wholly above b's, -1 if below, 0 if they overlap (or lack one)
    or the estimates differ by less than :data:`MIN_DIFFERENCE` (for rounds to 50%,
    :data:`MIN_DIFFERENCE_ROUNDS`)."""
    (alo, ahi), (blo, bhi) = a["ci"], b["ci"]
    smallest = (MIN_DIFFERENCE_ROUNDS if a.get("metric") == "rounds_to_half"
                else MIN_DIFFERENCE)
    if None in (alo, ahi, blo, bhi) or abs(a["estimate"] - b["estimate"]) < smallest:
        return 0
    return 1 if alo > bhi else (-1 if ahi < blo else 0)


def compare(lines: list[str], title: str, pairs: list[tuple], label: str) -> dict[str, int]:
    """Append to ``lines`` who is ahead where intervals separate, or one "no difference"
    line; ``pairs`` are ``(context, row A, row B, name A, name B)``, and for the metrics in
    :data:`LOWER_IS_BETTER` the smaller estimate is ahead. Returns each winner's count."""
    wins: dict[str, list[str]] = {}
    for context, a, b, name_a, name_b in pairs:
        sign = separated(a, b) * (-1 if a.get("metric") in LOWER_IS_BETTER else 1)
        if sign:
            winner, loser = (a, b) if sign > 0 else (b, a)
            key = name_a if sign > 0 else name_b
            digits = 1 if a.get("metric") == "rounds_to_half" else 2
            wins.setdefault(key, []).append(f"{context} ({number(winner['estimate'], digits)} "
                                            f"vs {number(loser['estimate'], digits)})")
    if not wins:
        lines.append(f"- {title}: no difference in {label} where the intervals separate "
                     f"({len(pairs)} comparisons).")
    for name, cases in wins.items():
        shown = "; ".join(cases[:4]) + (f"; and {len(cases) - 4} more" if len(cases) > 4
                                          else "")
        lines.append(f"- {title}: {name} ahead in {len(cases)} of {len(pairs)} cells: "
                     f"{shown}.")
    return {name: len(cases) for name, cases in wins.items()}
