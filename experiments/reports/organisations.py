"""Table, report and figures of ``cascade experiment organisations``
(:mod:`experiments.organisations`; its reading is :mod:`experiments.organisations_reading`).
The runtime loads this module by name, only to show or write a finished run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.formatting import estimate
from experiments.organisations_reading import BASELINE

COLUMNS = (("local", "local MU", 2), ("system", "system MU", 2),
           ("system_share", "system share", 3), ("welfare", "welfare", 2),
           ("gini_between", "Gini between", 3), ("gini_within", "Gini within", 3))


def _rows(run: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(policy, structure, ratio, metrics)
            for policy, by_structure in run["cells"].items()
            for structure, by_ratio in by_structure.items()
            for ratio, metrics in by_ratio.items()]


def table_text(run: dict[str, Any]) -> str:
    """What the terminal shows: every cell with its 95% intervals, then the reading."""
    s = run["settings"]
    world = s["world"]
    lines = [f"Organisations: {len(s['policies'])} policies x {len(s['structures'])} structures "
             f"x {len(s['ratios'])} ratios (m_G / m_L, m_L = {world.get('mpcr_local', 0.3)}), "
             f"{s['replicates']} worlds each (n={world.get('n')}, team size "
             f"{world.get('team_size')}, {world.get('rounds')} rounds); mean [95% CI]", ""]
    head = f"{'policy':<26}{'structure':<14}{'ratio':>6}"
    head += "".join(f"{label:>22}" for _, label, _ in COLUMNS)
    lines.append(head)
    for policy, structure, ratio, m in _rows(run):
        row = f"{policy:<26}{structure:<14}{ratio:>6}"
        row += "".join(f"{estimate(m[key], digits):>22}" for key, _, digits in COLUMNS)
        lines.append(row)
    lines += ["", "Reading (paired differences from 'none', claimed where the 95% CI excludes "
              "0):"]
    lines += [f"- {line}" for line in run["reading"]]
    return "\n".join(lines)


def report_markdown(run: dict[str, Any]) -> str:
    lines = ["# Organisations that compete or cooperate", "",
             "The two-level game (docs/science.md section 8): mean [95% CI] over worlds.", "",
             "| policy | structure | ratio | " + " | ".join(label for _, label, _ in COLUMNS)
             + " |", "|" + "---|" * (3 + len(COLUMNS))]
    for policy, structure, ratio, m in _rows(run):
        lines.append(f"| {policy} | {structure} | {ratio} | "
                     + " | ".join(estimate(m[key], digits) for key, _, digits in COLUMNS)
                     + " |")
    lines += ["", "## Differences from no policy (paired)", "",
              "| policy | structure | ratio | local | system | welfare |",
              "|---|---|---|---|---|---|"]
    for policy, by_structure in run["differences"].items():
        for structure, by_ratio in by_structure.items():
            for ratio, d in by_ratio.items():
                lines.append(f"| {policy} | {structure} | {ratio} | {estimate(d['local'])} | "
                             f"{estimate(d['system'])} | {estimate(d['welfare'])} |")
    lines += ["", "## Reading", ""] + [f"- {line}" for line in run["reading"]]
    lines += ["", "![system share](system_share.png)", "", "![welfare](welfare_difference.png)",
              ""]
    return "\n".join(lines)


def write_figures(directory: Path, run: dict[str, Any]) -> None:
    """system_share.png: the share of giving that goes to the system against the ratio, one
    panel per structure, one line per policy; welfare_difference.png: each policy's paired
    welfare difference from no policy against the ratio."""
    structures = list(run["settings"]["structures"])
    policies = list(run["cells"])
    for name, source, metric, ylabel in (
        ("system_share.png", run["cells"], "system_share", "share of giving to the system"),
        ("welfare_difference.png", run["differences"], "welfare",
         "welfare minus no policy (MU per round)"),
    ):
        fig = Figure(figsize=(3.2 * len(structures), 3.2))
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(structures), squeeze=False)[0]
        for ax, structure in zip(axes, structures, strict=True):
            for policy in policies:
                if policy not in source:
                    continue
                by_ratio = source[policy][structure]
                ratios = [float(r) for r in by_ratio]
                est = np.array([by_ratio[r][metric]["estimate"] for r in by_ratio])
                lo = np.array([by_ratio[r][metric]["ci"][0] for r in by_ratio])
                hi = np.array([by_ratio[r][metric]["ci"][1] for r in by_ratio])
                ax.errorbar(ratios, est, yerr=[est - lo, hi - est], marker="o", capsize=2,
                            label=policy, ls="--" if policy == BASELINE else "-")
            ax.set_title(structure, fontsize=9)
            ax.set_xlabel("m_G / m_L")
            if metric == "welfare":
                ax.axhline(0.0, color="grey", lw=0.8)
        axes[0].set_ylabel(ylabel, fontsize=8)
        axes[-1].legend(fontsize=6)
        fig.tight_layout()
        fig.savefig(directory / name, dpi=110)


def write(run: dict[str, Any], directory: Path) -> None:
    """report.md and its two figures (the runtime writes results.json itself)."""
    write_figures(directory, run)
    (directory / "report.md").write_text(report_markdown(run), encoding="utf-8")
