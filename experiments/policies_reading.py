"""The reading of ``cascade experiment policies``: each policy's rank and the sentences
generated from the numbers (a policy is said to beat another only where the 95% confidence
intervals do not overlap). Plain text, so the experiment's workers need no plotting library."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: the two populations, and the --json key of each one's table
POPULATIONS = ("human-like", "payoff-learning")
JSON_KEY = {"human-like": "policies", "payoff-learning": "payoff_learning"}
METRIC_LABEL = {
    "final_mean_contribution": "final mean contribution (MU)",
    "welfare": "welfare (MU per agent per round)",
    "gini": "Gini of total earnings",
    "multiplier": "causal multiplier",
}
METRICS = tuple(METRIC_LABEL)
#: whether a larger value of the metric is better (the ranking's order)
HIGHER_IS_BETTER = {"final_mean_contribution": True, "welfare": True, "gini": False}
#: the two policies that pay the same budget in different shapes
PRINCIPAL = ("competition", "cooperation")


def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
    """+1 if a's CI lies wholly above b's, -1 if wholly below, 0 if they overlap."""
    if a["estimate"] is None or b["estimate"] is None:
        return 0
    if a["ci"][0] > b["ci"][1]:
        return 1
    if a["ci"][1] < b["ci"][0]:
        return -1
    return 0


def ranking(run: dict[str, Any], networks: list[str], policies: list[str]) -> dict[str, Any]:
    """Per population and metric: each policy's rank on each network (1 best; equal
    estimates share a rank) and its mean rank, best first."""
    out: dict[str, Any] = {}
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        out[population] = {}
        for metric, higher in HIGHER_IS_BETTER.items():
            ranks = {p: {} for p in policies}
            for network in networks:
                values = [table[p][network][metric]["estimate"] for p in policies]
                keys = np.array([(-v if higher else v) if v is not None else math.inf
                                 for v in values])
                # equal estimates (to 9 significant digits) share the better rank
                rounded = [float(f"{k:.9g}") for k in keys]
                places = [1 + sum(other < key for other in rounded) for key in rounded]
                for policy, place in zip(policies, places, strict=True):
                    ranks[policy][network] = int(place)
            rows = [{"policy": p, "ranks": ranks[p],
                     "mean_rank": float(np.mean(list(ranks[p].values())))} for p in policies]
            out[population][metric] = sorted(rows, key=lambda row: row["mean_rank"])
    return out


def _list(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def _tally(multipliers: dict[str, list], networks: int, bound: float, above: bool) -> str:
    """"policy (k of N)" for each policy whose multiplier CI lies wholly above (or below)
    ``bound`` on k of its N networks."""
    found = []
    for policy, cells in multipliers.items():
        k = sum(1 for m in cells if (m["ci"][0] > bound if above else m["ci"][1] < bound))
        if k:
            found.append(f"{policy} ({k} of {networks})")
    return _list(found)


def reading(run: dict[str, Any], networks: list[str], policies: list[str]) -> list[str]:
    """The written reading: sentences generated from the numbers. A policy is said to beat
    another only where their 95% confidence intervals do not overlap."""
    lines: list[str] = []
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        money = run["money"][population]
        head = f"{population.capitalize()} population:"
        if all(p in policies for p in PRINCIPAL):
            paid = {p: [money[p][w] for w in networks] for p in PRINCIPAL}
            equal = all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
                        for a, b in zip(paid["competition"], paid["cooperation"], strict=True))
            lines.append(
                f"{head} competition paid {np.mean(paid['competition']):.3f} and cooperation "
                f"{np.mean(paid['cooperation']):.3f} MU per agent per round on average "
                f"({'the same on every network' if equal else 'NOT the same'}), so a "
                "difference between them comes from the incentive's shape.")
            trajectories = run["trajectories"][population]
            if all(np.array_equal(trajectories["competition"][w]["mean"],
                                  trajectories["cooperation"][w]["mean"]) for w in networks):
                lines.append(
                    f"{head} contributions are identical, round by round, under competition "
                    "and cooperation (and the same worlds): these agents' rule reads what "
                    "others gave, not what anyone earned, so money that does not change what "
                    "others give does not change what they give; the policies differ only in "
                    "who gets the money.")
            for metric, higher in HIGHER_IS_BETTER.items():
                better, worse, same = [], [], []
                for network in networks:
                    sign = compare(table["cooperation"][network][metric],
                                   table["competition"][network][metric])
                    if sign == 0:
                        same.append(network)
                    elif (sign > 0) == higher:
                        better.append(network)
                    else:
                        worse.append(network)
                lines.append(
                    f"{head} on {METRIC_LABEL[metric]}, cooperation does better than "
                    f"competition on {_list(better)}; worse on {_list(worse)}; the 95% CIs "
                    f"overlap on {_list(same)}.")
        if "punishment" in policies:
            endowment = run["settings"]["world"].get("endowment", 20.0)
            peaks = {w: max(run["trajectories"][population]["punishment"][w]["mean"])
                     / endowment for w in networks}
            lines.append(
                f"{head} under punishment the highest round's mean contribution is "
                + ", ".join(f"{100 * v:.0f}% of the endowment on {w}" for w, v in peaks.items())
                + (" (at or near the ceiling)." if max(peaks.values()) >= 0.9 else "."))
        for a, b in (("punishment", "baseline"), ("growing-resources", "envelope"),
                     ("cooperation+punishment", "cooperation")):
            if a not in policies or b not in policies:
                continue
            above = [w for w in networks
                     if compare(table[a][w]["final_mean_contribution"],
                                table[b][w]["final_mean_contribution"]) > 0]
            below = [w for w in networks
                     if compare(table[a][w]["final_mean_contribution"],
                                table[b][w]["final_mean_contribution"]) < 0]
            lines.append(f"{head} final contributions under {a} are above {b} on "
                         f"{_list(above)} and below it on {_list(below)} (elsewhere the CIs "
                         "overlap).")
        for network in networks:
            ordered = sorted(policies, key=lambda p: -(
                table[p][network]["final_mean_contribution"]["estimate"] or -math.inf))
            top, second = ordered[0], ordered[1] if len(ordered) > 1 else None
            clear = second is not None and compare(
                table[top][network]["final_mean_contribution"],
                table[second][network]["final_mean_contribution"]) > 0
            lines.append(
                f"{head} on {network} the highest final contribution is under {top} "
                f"({table[top][network]['final_mean_contribution']['estimate']:.2f} MU)"
                + (f", clearly above the runner-up {second}." if clear else
                   (f"; its CI overlaps the runner-up {second}'s." if second else ".")))
        multipliers = {p: [table[p][w]["multiplier"] for w in networks
                           if table[p][w]["multiplier"]["estimate"] is not None]
                       for p in policies}
        half = [(m["ci"][1] - m["ci"][0]) / 2 for cells in multipliers.values() for m in cells]
        lines.append(
            f"{head} the causal multiplier of one extra MU (others' extra MU per MU given) "
            f"has its 95% CI above 1 for {_tally(multipliers, len(networks), 1.0, True)}; "
            f"above 0 for {_tally(multipliers, len(networks), 0.0, True)}; below 0 for "
            f"{_tally(multipliers, len(networks), 0.0, False)}"
            + (f"; median CI half-width {float(np.median(half)):.2f}." if half else "."))
    return lines
