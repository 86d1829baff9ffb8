"""Table, report and figures of ``cascade experiment policies`` (:mod:`experiments.policies`;
its reading is :mod:`experiments.policies_reading`). The runtime loads this module by name,
only to show or write a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.formatting import estimate
from experiments.policies_reading import JSON_KEY, METRIC_LABEL, METRICS, POPULATIONS


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
              "Human-like: the engine's `human` rule with the calibrated behaviour "
              "(sim/behaviour; experiments/calibrate.py): "
              + ", ".join(f"`{k} = {v:g}`" if isinstance(v, float) else f"`{k} = {v}`"
                          for k, v in s["human_like"].items()) + ".", "",
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
