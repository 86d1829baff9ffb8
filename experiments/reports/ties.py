"""Table, report, run tables and figures of ``cascade experiment ties``
(:mod:`experiments.ties`, :mod:`experiments.ties_centola`): everything drawn from the run and
its per-run records."""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.formatting import interval, number
from experiments.ties_centola import CENTOLA_AXES, CENTOLA_METRICS
from experiments.ties_common import (
    AXES,
    METRIC_LABEL,
    METRICS,
    MIN_DIFFERENCE,
    MIN_DIFFERENCE_ROUNDS,
)


def write(run: dict[str, Any], directory: Path, records: list[dict[str, Any]],
          centola_records: list[dict[str, Any]]) -> None:
    """runs.csv, centola_runs.csv (with a Centola part), the figures and report.md; the run
    tables and centola.png only when the records are at hand."""
    if records:
        pd.DataFrame.from_records(records).to_csv(directory / "runs.csv", index=False)
    if centola_records:
        pd.DataFrame.from_records(centola_records).drop(columns="path").to_csv(
            directory / "centola_runs.csv", index=False)
    figures = write_figures(directory, run, centola_records)
    (directory / "report.md").write_text(report_markdown(run, figures, records),
                                         encoding="utf-8")


def _table_rows(run: dict[str, Any]) -> list[tuple]:
    table = {tuple(r[a] for a in AXES) + (r["metric"],): r for r in run["results"]}
    grid = run["settings"]["grid"]
    rows = []
    for seeding, bridging, contagion, weaving in product(*(grid[a] for a in AXES)):
        cell = (seeding, float(bridging), contagion, float(weaving))
        rows.append(cell + tuple(table[cell + (m,)] for m in METRICS))
    return rows


def _centola_rows(run: dict[str, Any]) -> list[tuple]:
    table = {tuple(r[a] for a in CENTOLA_AXES) + (r["metric"],): r for r in run["centola"]}
    grid = run["settings"]["centola"]["grid"]
    return [cell + tuple(table[cell + (m,)] for m in CENTOLA_METRICS)
            for cell in product(*(grid[a] for a in CENTOLA_AXES))]


def final_degrees(records: list[dict[str, Any]]) -> dict[float, float]:
    """Mean degree at the end of the runs, per weaving rate."""
    out: dict[float, list[float]] = {}
    for rec in records:
        out.setdefault(rec["weaving"], []).append(rec["final_mean_degree"])
    return {w: float(np.mean(v)) for w, v in sorted(out.items())}


def _degrees(records: list[dict[str, Any]]) -> str:
    return ", ".join(f"{w:g}: {d:.1f}" for w, d in final_degrees(records).items())


def _cells(*metrics: dict[str, Any], no_decimals: int | None = None) -> list[str]:
    """Each metric's estimate and interval; the ``no_decimals``-th (rounds to 50%) with no
    decimals."""
    return [f"{number(m['estimate'], 0 if i == no_decimals else 2)} "
            f"{interval(m['ci'], 0 if i == no_decimals else 2)}" for i, m in enumerate(metrics)]


def table_text(run: dict[str, Any], records: list[dict[str, Any]],
               centola_records: list[dict[str, Any]]) -> str:
    s, t = run["settings"], run["timing"]
    lines = [f"Strong and weak ties: {s['replicates']} networks per bridging share, seed "
             f"{s['seed']}, {t['runs']} runs in {t['seconds']:.1f} s", "",
             f"{'seeding':<11} {'bridging':>8} {'contagion':<9} {'weaving':>7}  "
             f"{'final coop.':>20}  {'reach':>20}  {'rounds to 50%':>16}  {'censored':>8}"]
    for seeding, b, c, w, final, reach, rounds, censored in _table_rows(run):
        lines.append(
            f"{seeding:<11} {b:>8g} {c:<9} {w:>7g}  "
            f"{number(final['estimate']):>5} {interval(final['ci']):>14}  "
            f"{number(reach['estimate']):>5} {interval(reach['ci']):>14}  "
            f"{number(rounds['estimate'], 0):>4} {interval(rounds['ci'], 0):>11}  "
            f"{number(censored['estimate']):>8}")
    if records:
        lines += ["", "mean degree at the end, by weaving rate: " + _degrees(records)]
    lines += ["", f"Reading (claims only where 95% intervals separate and estimates differ by "
              f"at least {MIN_DIFFERENCE:g}):"] + run["reading"]
    if run["centola"]:
        lines += ["", "Clustered against random ties (Centola): " + _centola_intro(run), "",
                  f"{'network':<15} {'seeding':<9} {'contagion':<9}  {'final coop.':>20}  "
                  f"{'rounds to 50%':>16}  {'censored':>8}"]
        for network, seeding, c, final, rounds, censored in _centola_rows(run):
            lines.append(f"{network:<15} {seeding:<9} {c:<9}  "
                         f"{number(final['estimate']):>5} {interval(final['ci']):>14}  "
                         f"{number(rounds['estimate'], 0):>4} {interval(rounds['ci'], 0):>11}  "
                         f"{number(censored['estimate']):>8}")
        lines += ["", "Reading, clustered against random ties (same rule; rounds to 50% differ "
                  f"by at least {MIN_DIFFERENCE_ROUNDS:g}):"] + run["centola_reading"]
    return "\n".join(lines)


def _centola_intro(run: dict[str, Any]) -> str:
    centola, tail = run["settings"]["centola"], run["settings"]["tail"]
    sim = centola["simulation"]
    clustering = ", ".join(f"{name} {value:.2f}"
                           for name, value in run["centola_clustering"].items())
    return (f"{sim['n']} agents, degree {sim['degree']} on every network (mean local "
            f"clustering: {clustering}), a campaign of {sim['campaign_size']} committed "
            f"cooperators, {sim['rounds']} rounds, {centola['replicates']} networks per network "
            "type (every cell of a replicate with the same population and random numbers); "
            f"complex contagion: threshold {sim['threshold']}. Final cooperation: the share of "
            "non-campaign agents giving at least E/2, mean over the last "
            f"{tail} rounds; rounds to 50%: the first round at which half of them do (median "
            "over networks, runs that never get there counted as never; censored: their share).")


def report_markdown(run: dict[str, Any], figures: list[str],
                    records: list[dict[str, Any]]) -> str:
    s, t = run["settings"], run["timing"]
    sim = s["simulation"]
    lines = [
        "# Strong and weak ties: seeding, bridging, contagion, weaving", "",
        f"{sim['n']} agents in teams of {sim['team_size']} (silos, mean degree {sim['degree']}),"
        f" a campaign of {sim['campaign_size']} committed cooperators, {sim['rounds']} rounds, "
        f"{s['replicates']} networks per bridging share (every cell of a replicate on the same "
        f"network and random numbers), master seed {s['seed']}. Complex contagion: "
        f"threshold {sim['threshold']} cooperating contacts. Final values are means over the "
        f"last {s['tail']} rounds; intervals are 95% (t for means, bootstrap for the median "
        "and the censored share).", "",
        "## Reading", "",
        f"Claims only where the 95% intervals do not overlap and the estimates differ by at "
        f"least {MIN_DIFFERENCE:g}.", "",
        *run["reading"], "",
        "## Figures", "", *[f"![{name}]({name})" for name in figures], "",
        "## Results", "",
        "| seeding | bridging | contagion | weaving | final cooperation | reach | "
        "rounds to 50% (median) | censored |",
        "| --- | ---: | --- | ---: | --- | --- | --- | ---: |",
    ]
    for seeding, b, c, w, final, reach, rounds, censored in _table_rows(run):
        cells = _cells(final, reach, rounds, no_decimals=2)
        lines.append(f"| {seeding} | {b:g} | {c} | {w:g} | {' | '.join(cells)} | "
                     f"{number(censored['estimate'])} |")
    lines.append("")
    if records:
        lines += ["Weaving adds ties: mean degree at the end of the run, by weaving rate: "
                  + _degrees(records) + f" (start: {sim['degree']}).", ""]
    lines += ["Settings: " + ", ".join(f"{k}={v}" for k, v in sim.items()), ""]
    if run["centola"]:
        lines += [
            "## Clustered against random ties (Centola)", "",
            "Centola's comparison (Centola & Macy 2007, AJS 113:702; Centola 2010, Science "
            "329:1194): the same degree on a clustered lattice and on a random network, simple "
            "against complex contagion, the campaign as one local cluster or at random. "
            + _centola_intro(run), "",
            f"Claims only where the 95% intervals do not overlap and the estimates differ by at "
            f"least {MIN_DIFFERENCE:g} (rounds to 50%: {MIN_DIFFERENCE_ROUNDS:g}).", "",
            *run["centola_reading"], "",
            "| network | seeding | contagion | final cooperation | rounds to 50% (median) | "
            "censored |",
            "| --- | --- | --- | --- | --- | ---: |"]
        for network, seeding, c, final, rounds, censored in _centola_rows(run):
            cells = _cells(final, rounds, no_decimals=1)
            lines.append(f"| {network} | {seeding} | {c} | {' | '.join(cells)} | "
                         f"{number(censored['estimate'])} |")
        lines += ["", "Settings of this part: " + ", ".join(
            f"{k}={v}" for k, v in run["settings"]["centola"]["simulation"].items()), ""]
    lines += [f"Time: {t['seconds']:.1f} s for {t['runs']} runs on {t['cpus']} CPUs "
              f"(load before {t['load_before'][0]:.2f}, after {t['load_after'][0]:.2f}).", ""]
    return "\n".join(lines)


def write_figures(directory: Path, run: dict[str, Any],
                  centola_records: list[dict[str, Any]]) -> list[str]:
    """reach.png and final_cooperation.png: the metric against the bridging share, one panel
    per (contagion, weaving), one line per seeding strategy with its 95% interval; and
    centola.png when the Centola part's records are at hand."""
    grid = run["settings"]["grid"]
    table = {tuple(r[a] for a in AXES) + (r["metric"],): r for r in run["results"]}
    bridging = [float(b) for b in grid["bridging"]]
    names = []
    for metric in ("reach", "final_cooperation"):
        rows, cols = len(grid["contagion"]), len(grid["weaving"])
        fig = Figure(figsize=(3.6 * cols, 3.0 * rows), layout="constrained")
        FigureCanvasAgg(fig)
        axes = np.atleast_2d(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False))
        xs = np.arange(len(bridging))
        for i, contagion in enumerate(grid["contagion"]):
            for j, weaving in enumerate(grid["weaving"]):
                ax = axes[i, j]
                for k, seeding in enumerate(grid["seeding"]):
                    cells = [table[(seeding, b, contagion, float(weaving), metric)]
                             for b in bridging]
                    est = np.array([c["estimate"] for c in cells], dtype=float)
                    lo = np.array([c["ci"][0] for c in cells], dtype=float)
                    hi = np.array([c["ci"][1] for c in cells], dtype=float)
                    offset = (k - (len(grid["seeding"]) - 1) / 2) * 0.06
                    ax.errorbar(xs + offset, est, yerr=[est - lo, hi - est], marker="o",
                                ms=3, capsize=2, label=seeding)
                ax.set_title(f"{contagion} contagion, weaving {float(weaving):g}", fontsize=9)
                ax.set_xticks(xs, [f"{b:g}" for b in bridging])
                ax.set_ylim(0, 1)
                ax.grid(alpha=0.3)
                if i == rows - 1:
                    ax.set_xlabel("bridging share")
                if j == 0:
                    ax.set_ylabel(METRIC_LABEL[metric].split(":")[0])
        axes[0, 0].legend(fontsize=7)
        name = f"{metric}.png"
        fig.savefig(directory / name, dpi=110)
        names.append(name)
    if centola_records:
        names.append(write_centola_figure(directory, run, centola_records))
    return names


def write_centola_figure(directory: Path, run: dict[str, Any],
                         centola_records: list[dict[str, Any]]) -> str:
    """centola.png: the mean share of non-campaign agents cooperating, round by round, one
    panel per contagion, one line per (network, seeding) (Centola 2010's adoption curves)."""
    grid = run["settings"]["centola"]["grid"]
    paths: dict[tuple, list[list[float]]] = {}
    for rec in centola_records:
        paths.setdefault((rec["network"], rec["seeding"], rec["contagion"]), []).append(
            rec["path"])
    fig = Figure(figsize=(4.2 * len(grid["contagion"]), 3.2), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(1, len(grid["contagion"]), sharey=True, squeeze=False)[0])
    styles = ["-", "--", ":", "-."]
    for ax, contagion in zip(axes, grid["contagion"], strict=True):
        for i, network in enumerate(grid["network"]):
            for j, seeding in enumerate(grid["seeding"]):
                mean = np.nanmean(np.array(paths[(network, seeding, contagion)]), axis=0)
                ax.plot(np.arange(1, len(mean) + 1), mean, color=f"C{i}",
                        linestyle=styles[j % len(styles)], label=f"{network}, {seeding}")
        ax.axhline(0.5, color="grey", lw=0.6)
        ax.set_title(f"{contagion} contagion", fontsize=9)
        ax.set_xlabel("round")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("cooperating (non-campaign)")
    axes[0].legend(fontsize=7)
    fig.savefig(directory / "centola.png", dpi=110)
    return "centola.png"
