"""Reading, ranking, table, report and figures of ``cascade experiment policies``
(:mod:`experiments.policies`): everything generated from the numbers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.formatting import estimate

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



def write(run: dict[str, Any], directory: Path) -> None:
    """report.md and its two figures."""
    write_figures(directory, run)
    (directory / "report.md").write_text(report_markdown(run), encoding="utf-8")


def _networks_policies(run: dict[str, Any]) -> tuple[list[str], list[str]]:
    return list(run["settings"]["networks"]), list(run["settings"]["policies"])


def table_text(run: dict[str, Any]) -> str:
    s = run["settings"]
    networks, policies = _networks_policies(run)
    lines = [f"Policies: {len(policies)} policies x {len(networks)} networks x 2 populations, "
             f"{s['replicates']} replicates each (n={s['world']['n']}, "
             f"{s['world']['rounds']} rounds), seed {s['seed']}", ""]
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        lines.append(f"{population} population (mean and 95% CI over replicates):")
        lines.append(f"  {'policy':<24}{'network':<13}{'final contribution':>24}"
                     f"{'welfare':>24}{'gini':>22}{'multiplier':>26}")
        for policy in policies:
            for network in networks:
                m = table[policy][network]
                lines.append(f"  {policy:<24}{network:<13}"
                             f"{estimate(m['final_mean_contribution']):>24}"
                             f"{estimate(m['welfare']):>24}{estimate(m['gini'], 3):>22}"
                             f"{estimate(m['multiplier']):>26}")
        lines.append("")
        lines.append("  ranking by final contribution (mean rank over networks):")
        for row in run["ranking"][population]["final_mean_contribution"]:
            lines.append(f"    {row['policy']:<24}{row['mean_rank']:.2f}")
        lines.append("")
    lines.append("Reading:")
    lines += [f"- {line}" for line in run["reading"]]
    lines.append(f"\ntime: {run['seconds']['total']:.1f} s with {s['workers']} worker(s)")
    return "\n".join(lines)


def report_markdown(run: dict[str, Any]) -> str:
    s = run["settings"]
    networks, policies = _networks_policies(run)
    lines = [
        "# Cooperation against competition: policies on networks",
        "",
        f"{len(policies)} policies on {len(networks)} networks, two populations, "
        f"{s['replicates']} replicates per cell (n = {s['world']['n']} agents, "
        f"{s['world']['rounds']} rounds, neighbourhood games, MPCR {s['world'].get('mpcr')}); "
        f"master seed {s['seed']}. Every figure is a mean over replicates with its 95% t "
        "confidence interval. Policy parameters: "
        + ", ".join(f"`{k} = {v}`" for k, v in s["policy_parameters"].items()) + ".",
        "",
        "## Reading",
        "",
        "Generated from the numbers below; one policy is said to beat another only where their "
        "95% confidence intervals do not overlap.",
        "",
    ]
    lines += [f"- {line}" for line in run["reading"]]
    lines += ["", "## Mean contribution over time", "", "![trajectories](trajectories.png)", "",
              "## Metrics", "", "![metrics](metrics.png)", ""]
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        lines += [f"### {population.capitalize()} population", "",
                  "| policy | network | final contribution (MU) | welfare (MU/agent/round) | "
                  "Gini | multiplier | MU moved per agent per round |",
                  "| --- | --- | --- | --- | --- | --- | ---: |"]
        for policy in policies:
            for network in networks:
                m = table[policy][network]
                lines.append(
                    f"| {policy} | {network} | {estimate(m['final_mean_contribution'])} | "
                    f"{estimate(m['welfare'])} | {estimate(m['gini'], 3)} | "
                    f"{estimate(m['multiplier'])} | "
                    f"{run['money'][population][policy][network]:.3f} |")
        lines += ["", "Ranking by estimate (1 = best; by final contribution, welfare, and Gini "
                  "where lower is better; equal estimates share a rank; see the CIs above for "
                  "which differences are clear), per network and mean rank:", "",
                  "| metric | policy | " + " | ".join(networks) + " | mean rank |",
                  "| --- | --- |" + " ---: |" * (len(networks) + 1)]
        for metric in run["ranking"][population]:
            for row in run["ranking"][population][metric]:
                lines.append(f"| {metric} | {row['policy']} | "
                             + " | ".join(str(row["ranks"][w]) for w in networks)
                             + f" | {row['mean_rank']:.2f} |")
        lines.append("")
    lines += ["## Populations", "",
              "Human-like: the engine's `conditional` rule with these values from "
              "experiments/fowler_christakis.toml ([behaviour], [calibrated.mean]): "
              + ", ".join(f"`{k} = {v:g}`" if isinstance(v, float) else f"`{k} = {v}`"
                          for k, v in s["human_like"].items()) + ". Not mapped (no engine "
              "equivalent): " + "; ".join(f"`{k}`: {v}" for k, v in
                                          s["human_like_unmapped"].items()) + ".", "",
              "Payoff-learning: " + ", ".join(f"`{k} = {v}`" for k, v in
                                              s["payoff_learning"].items()) + ".", "",
              "Networks: " + "; ".join(f"{k}: " + ", ".join(f"`{a} = {b}`" for a, b in
                                                            v.items())
                                       for k, v in s["networks"].items()) + ".", "",
              "The causal multiplier: each world is played twice with the same seed (common "
              f"random numbers); in the second run one random agent gives {s['extra']:g} MU "
              "more in round 1. Multiplier = the extra MU everyone else gave over the run per "
              "extra MU the giver actually gave (under punishment, sanction-wary human-like "
              "givers already give more, so the gift is what is left after that).", "",
              f"Time: {run['seconds']['total']:.1f} s with {s['workers']} worker process(es).",
              ""]
    return "\n".join(lines)


def write_figures(directory: Path, run: dict[str, Any]) -> None:
    networks, policies = _networks_policies(run)
    colours = {p: f"C{i}" for i, p in enumerate(policies)}

    fig = Figure(figsize=(3.2 * len(networks), 5.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_2d(fig.subplots(len(POPULATIONS), len(networks), sharey=True,
                                      squeeze=False))
    for row, population in enumerate(POPULATIONS):
        for col, network in enumerate(networks):
            ax = axes[row, col]
            for policy in policies:
                t = run["trajectories"][population][policy][network]
                mean = np.asarray(t["mean"])
                ci = np.asarray(t["ci"], dtype=float)
                rounds = np.arange(1, len(mean) + 1)
                ax.plot(rounds, mean, color=colours[policy], label=policy, lw=1.4)
                ax.fill_between(rounds, ci[:, 0], ci[:, 1], color=colours[policy], alpha=0.15)
            ax.set_title(f"{population}: {network}", fontsize=9)
            ax.grid(alpha=0.3)
            if row == len(POPULATIONS) - 1:
                ax.set_xlabel("round")
            if col == 0:
                ax.set_ylabel("mean contribution (MU)")
    axes[0, 0].legend(fontsize=7)
    fig.savefig(directory / "trajectories.png", dpi=110)

    fig = Figure(figsize=(3.4 * len(METRICS), 5.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(POPULATIONS), len(METRICS), squeeze=False)
    width = 0.8 / max(len(policies), 1)
    for row, population in enumerate(POPULATIONS):
        table = run[JSON_KEY[population]]
        for col, metric in enumerate(METRICS):
            ax = axes[row, col]
            for k, policy in enumerate(policies):
                est = np.array([table[policy][w][metric]["estimate"] for w in networks],
                               dtype=float)
                ci = np.array([table[policy][w][metric]["ci"] for w in networks], dtype=float)
                xs = np.arange(len(networks)) + (k - (len(policies) - 1) / 2) * width
                ax.errorbar(xs, est, yerr=[est - ci[:, 0], ci[:, 1] - est], fmt="o", ms=3,
                            color=colours[policy], label=policy, capsize=2)
            ax.set_xticks(np.arange(len(networks)), networks, fontsize=7)
            ax.set_title(f"{population}: {METRIC_LABEL[metric]}", fontsize=8)
            ax.grid(alpha=0.3)
            if metric == "multiplier":
                ax.axhline(0, color="grey", lw=0.8)
    axes[0, 0].legend(fontsize=6)
    fig.savefig(directory / "metrics.png", dpi=110)
