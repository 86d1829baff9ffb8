"""The table, report and figures of ``cascade experiment validation`` (experiments/validation.py).

Everything is drawn from the run as --json prints it ({experiment, quick, seed, results,
settings, timing}), except what the figures need beyond it (the published Santos et al. curves,
the Nowak & May lattice, the Ohtsuki et al. runs that did not absorb): the run's private entry
``_plots`` (``{study: plot}``), which --json and results.json leave out.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from experiments.formatting import interval, number


def studies_of(run: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(study, its rows) in the order the studies ran."""
    return [(name, [row for row in run["results"] if row["study"] == name])
            for name in run["settings"]]


def headline(run: dict[str, Any]) -> dict[str, float]:
    """For a sweep: each Santos et al. curve's mean share of cooperators over eta, each Ohtsuki
    et al. crossing b/c* and each Nowak & May share of cooperators."""
    out: dict[str, float] = {}
    santos: dict[str, list[float]] = {}
    for row in run["results"]:
        value = math.nan if row["simulated"] is None else row["simulated"]
        if row["study"] == "santos2008":
            santos.setdefault(row["condition"], []).append(value)
        elif row["study"] == "ohtsuki2006" and "rule b/c = k" in row["condition"]:
            out[f"ohtsuki2006:crossing:k={row['x']:g}"] = value
        elif row["study"] == "nowak_may1992":
            out[f"nowak_may1992:cooperators:b={row['x']:g}"] = value
    for condition, values in santos.items():
        name = re.sub(r"[^a-z0-9]+", "_", condition.lower()).strip("_")
        out[f"santos2008:{name}:mean_cooperators"] = float(np.mean(values))
    return out


# ------------------------------------------------------------------------------ the text
def _cell(row: dict[str, Any]) -> str:
    text = number(row["simulated"], 3)
    ci = row["ci"]
    if ci is not None and all(v is not None for v in ci):
        text += " " + interval(ci, 3)
    return text


def table_text(run: dict[str, Any]) -> str:
    timing = run["timing"]
    lines = [
        f"cascade experiment validation ({'quick' if run['quick'] else 'full'}), seed "
        f"{run['seed']}: {timing['seconds']:.1f} s on {timing['cpus']} CPUs "
        f"(load {timing['load_before'][0]:.2f} before, {timing['load_after'][0]:.2f} after)",
        "",
        f"{'study':<14} {'condition':<52} {'x':>6}  {'simulated [95% CI]':<28} {'published':>9}",
    ]
    for name, rows in studies_of(run):
        for row in rows:
            lines.append(f"{row['study']:<14} {row['condition']:<52} {row['x']:>6.2f}  "
                         f"{_cell(row):<28} {number(row['published'], 3):>9}")
        lines.append(f"{'':<14} ({name}: {timing['study_seconds'][name]:.1f} s)")
    lines.append("")
    lines.append("Published Santos et al. values are approximate (not read off the printed "
                 "figure); see report.md and validation.toml.")
    return "\n".join(lines)


def report_markdown(run: dict[str, Any], plots: dict[str, dict[str, Any]]) -> str:
    timing = run["timing"]
    out = [
        "# Validation against published theory",
        "",
        f"`cascade experiment validation{' --quick' if run['quick'] else ''} --seed "
        f"{run['seed']}`: {timing['seconds']:.1f} s in all on {timing['cpus']} CPUs, "
        f"{timing['numba_threads']} Numba threads; load average (1, 5, 15 min) "
        f"{', '.join(f'{v:.2f}' for v in timing['load_before'])} before and "
        f"{', '.join(f'{v:.2f}' for v in timing['load_after'])} after.",
        "",
        "Every simulated figure below was computed by this run; published figures are data from "
        "`experiments/validation.toml`, with their citations. Intervals are 95%.",
        "",
    ]
    for name, rows in studies_of(run):
        out += SECTION[name](rows, run["settings"][name], plots[name])
        out += ["", f"Time: {timing['study_seconds'][name]:.1f} s.", ""]
    return "\n".join(out)


def write(run: dict[str, Any], directory: Path) -> None:
    """report.md and one PNG per study that ran."""
    plots = run["_plots"]
    for name, _ in studies_of(run):
        FIGURES[name](directory / f"{name}.png", plots[name])
    (directory / "report.md").write_text(report_markdown(run, plots), encoding="utf-8")


def _rows_table(rows: list[dict[str, Any]], x_name: str) -> list[str]:
    out = [f"| condition | {x_name} | simulated [95% CI] | published | n | note |",
           "| --- | ---: | --- | ---: | ---: | --- |"]
    for r in rows:
        out.append(f"| {r['condition']} | {r['x']:g} | {_cell(r)} | "
                   f"{number(r['published'], 3)} | {'-' if r['n'] is None else r['n']} | "
                   f"{r['note']} |")
    return out


def _section_santos(rows: list, s: dict[str, Any], plot: dict[str, Any]) -> list[str]:
    return [
        "## Santos, Santos & Pacheco 2008 (Nature 454:213-216), Fig. 1",
        "",
        "Public-goods games on networks: every node centres a game with its neighbours; a node "
        "of degree k plays k+1 games. Fraction of cooperators against eta = r/(z+1).",
        "",
        f"Engine settings: n = {s['n']}, z = {s['degree']}, random-regular and scale-free "
        "(Barabasi-Albert, m = z/2) networks, groups = neighbourhood, cost per game or per "
        "individual, r = eta (z+1), strategies = binary (endowment 1), rule = proportional "
        f"(copy a random neighbour with prob. max(0, P_j - P_i)/M), update = {s['update']}, "
        f"mutation = 0, half cooperators at the start. Each point: {s['runs']} runs, each on a "
        f"new network and start; a run plays up to {s['rounds']} rounds and is averaged over "
        f"its last {s['average']} (runs that reach all-C or all-D stop there). Intervals: 95% "
        "bootstrap over runs. Runs are seeded by network kind, eta and run number, so all "
        "conditions on one kind of network share networks and starts.",
        "",
        "Payoffs: Santos et al. count only what the games change (a cooperator pays c per game, "
        "or c in all). The engine also pays every agent the endowment it keeps in each of its "
        "games, own_games x E. That is a constant for everyone under cost per individual and on "
        "regular graphs, which imitation ignores, but under cost per game on a scale-free graph "
        "it is a bonus (k_i+1)E that grows with degree. The 'net' conditions remove it "
        "(`sim.validation.net_payoff`); the '(engine payoffs)' condition keeps it, to show the "
        "difference.",
        "",
        "**The published values are approximate and were not read off the printed figure** "
        "(the copies available when this was written held only the abstract): check them "
        "against Fig. 1 before citing this comparison. Differences from the paper's protocol: "
        "fewer runs per point and shorter runs than a paper of this kind uses, and the update "
        "is assumed synchronous.",
        "",
        "![Santos et al. 2008](santos2008.png)",
        "",
        *_rows_table(rows, "eta"),
    ]


def _section_ohtsuki(rows: list, s: dict[str, Any], plot: dict[str, Any]) -> list[str]:
    stuck = sum(panel["not_absorbed"] for panel in plot["panels"])
    return [
        "## Ohtsuki, Hauert, Lieberman & Nowak 2006 (Nature 441:502-505), rule b/c > k, Fig. 2",
        "",
        "Death-birth updating on a graph: a random agent dies and its neighbours compete for the "
        "site in proportion to fitness 1 - w + w P, P the donation-game payoff summed over ties "
        "(a cooperator pays c per tie, each neighbour of a cooperator gets b). One cooperator is "
        "placed at random among defectors; cooperation is favoured if it fixes with probability "
        "rho_C > 1/N, i.e. N rho_C > 1, which the paper shows happens when b/c > k.",
        "",
        "Engine mapping (`sim.analysis.fixation`): edges groups with binary strategies are the "
        "donation game with b = rE/2, c = E(1 - r/2) (so r = 2(b/c)/(1+b/c), E = b + c) plus the "
        "constant kE everyone keeps, and the engine's asynchronous death-birth rule with "
        "mutation 0 is this process; on a k-regular graph the constant only rescales selection "
        "(engine selection w/(1 - wkE)). The tests check the dedicated kernel against the "
        "engine's own rule and against the exact Markov chain on small graphs.",
        "",
        f"Method: N = {s['n']}, {s['network']} graphs, w = {s['selection']}, c = {s['cost']}; "
        f"for each b/c, {s['runs']:,} independent runs to absorption spread over {s['graphs']} "
        "random graphs (a new graph set per k), each run keyed by its index in the "
        "counter-based generator. N rho_C with 95% Wilson intervals; the crossing b/c* is the "
        "root of a weighted least-squares quadratic through N rho_C - 1, with a 95% "
        f"parametric-bootstrap interval. Runs that did not absorb: {stuck}.",
        "",
        "Two published thresholds: Ohtsuki et al.'s b/c = k (the large-N rule the paper states "
        "and its Fig. 2 tests) and the exact weak-selection threshold (N-2)/(N/k-2) for N "
        "nodes (Taylor, Day & Wild 2007; Chen 2013). With N = 100 the finite-N value is the "
        "sharper test.",
        "",
        "![Ohtsuki et al. 2006](ohtsuki2006.png)",
        "",
        *_rows_table(rows, "b/c or k"),
    ]


def _section_nowak_may(rows: list, s: dict[str, Any], plot: dict[str, Any]) -> list[str]:
    return [
        "## Nowak & May 1992 (Nature 359:826-829)",
        "",
        "Prisoner's dilemma with R = 1, T = b, S = P = 0 against the 8 Moore neighbours and "
        "oneself; every generation, all at once, each site takes the strategy of the best "
        "scorer among itself and its neighbours. For 1.8 < b < 2 the pattern never settles and "
        "the share of cooperators fluctuates around 12 ln 2 - 8 = 0.318.",
        "",
        "Engine mapping (`sim.validation.nowak_may`): the engine's periodic square-lattice "
        "(degree 8) and its imitate-best kernel; the payoffs come from a small kernel because "
        "the engine's public-goods games cannot express this matrix (an all-or-nothing "
        "two-player public-goods game is always a donation game, S < 0) nor self-interaction. "
        "Deviation: the lattice wraps around (Nowak & May also used fixed boundaries).",
        "",
        f"Method: {s['side']}x{s['side']} lattice, {s['initial_defectors']:g} defectors at "
        f"random at the start, {s['generations']} generations, share of cooperators averaged "
        f"over the last {s['average']}, {s['seeds']} random starts.",
        "",
        "![Nowak & May 1992](nowak_may1992.png)",
        "",
        "Colours as in Nowak & May: blue C after C, red D after D, yellow C after D, green D "
        "after C.",
        "",
        *_rows_table(rows, "b"),
    ]


SECTION = {"santos2008": _section_santos, "ohtsuki2006": _section_ohtsuki,
           "nowak_may1992": _section_nowak_may}


# ---------------------------------------------------------------------------- the figures
def _figure(width: float, height: float, ncols: int = 1):
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes


def _figure_santos(path: Path, plot: dict[str, Any]) -> None:
    fig, (ax,) = _figure(11.5, 5.5)
    colours = ["tab:blue", "tab:cyan", "tab:red", "tab:orange", "tab:gray"]
    published = {e["condition"]: e for e in plot["published"]}
    for colour, curve in zip(colours, plot["curves"], strict=False):
        eta = np.asarray(curve["eta"])
        mean = np.asarray(curve["mean"])
        err = np.array([[m - c[0], c[1] - m] if c else [0.0, 0.0]
                        for m, c in zip(mean, curve["ci"], strict=True)]).T
        style = ":" if curve["payoff"] == "engine" else "-"
        ax.errorbar(eta, mean, yerr=err, color=colour, ls=style, marker="o", ms=4, capsize=2,
                    label=f"simulated: {curve['name']}")
        pub = published.get(curve["name"])
        if pub is not None:
            ax.plot(pub["eta"], pub["cooperators"], color=colour, ls="--", marker="s", ms=6,
                    mfc="none", alpha=0.8, label=f"published (approx.): {curve['name']}")
    ax.axvline(1.0, color="black", lw=0.6, alpha=0.5)
    ax.set_xlabel("eta = r / (z + 1)")
    ax.set_ylabel("fraction of cooperators")
    ax.set_ylim(-0.03, 1.03)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Santos, Santos & Pacheco 2008, Fig. 1: simulated (solid) over published "
                 "(dashed, approximate)", fontsize=9)
    fig.savefig(path, dpi=120)


def _figure_ohtsuki(path: Path, plot: dict[str, Any]) -> None:
    panels = plot["panels"]
    fig, axes = _figure(4.2 * len(panels), 4.2, ncols=len(panels))
    for ax, panel in zip(axes, panels, strict=True):
        x = np.asarray(panel["ratio"])
        y = np.asarray(panel["y"])
        err = np.vstack([y - np.asarray(panel["lo"]), np.asarray(panel["hi"]) - y])
        ax.errorbar(x, y, yerr=err, marker="o", ms=4, capsize=2, color="tab:blue",
                    label="simulated N rho_C")
        ax.axhline(1.0, color="black", lw=0.8, label="neutral (rho_C = 1/N)")
        ax.axvline(panel["k"], color="tab:red", lw=1.2, label="published rule b/c = k")
        ax.axvline(panel["finite"], color="tab:red", ls="--", lw=1.0,
                   label="(N-2)/(N/k-2)")
        lo, hi = panel["crossing_ci"]
        if math.isfinite(lo) and math.isfinite(hi):
            ax.axvspan(lo, hi, color="tab:green", alpha=0.25, label="simulated crossing, 95%")
        ax.set_title(f"k = {panel['k']}, N = {plot['n']}", fontsize=10)
        ax.set_xlabel("b / c")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("N x fixation probability of one cooperator")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Ohtsuki et al. 2006: death-birth, weak selection; cooperation favoured above "
                 "the black line", fontsize=10)
    fig.savefig(path, dpi=120)


def _figure_nowak_may(path: Path, plot: dict[str, Any]) -> None:
    first = plot["runs"][0]
    res, b = first["result"], first["b"]
    fig, (left, right) = _figure(11, 5, ncols=2)
    # 0 D after D (red), 1 C after D (yellow), 2 D after C (green), 3 C after C (blue)
    code = res.state + 2 * res.previous
    cmap = ListedColormap(["tab:red", "gold", "tab:green", "tab:blue"])
    left.imshow(code, cmap=cmap, vmin=-0.5, vmax=3.5, interpolation="nearest")
    left.set_xticks([])
    left.set_yticks([])
    left.set_title(f"lattice after {len(res.cooperators) - 1} generations, b = {b:g}",
                   fontsize=10)
    gens = np.arange(len(res.cooperators))
    right.plot(gens, res.cooperators, color="tab:blue", lw=1, label="simulated share of C")
    right.axhline(plot["published"], color="tab:red", ls="--",
                  label="Nowak & May: 12 ln 2 - 8 = 0.318")
    right.set_xlabel("generation")
    right.set_ylabel("share of cooperators")
    right.set_ylim(0, 1)
    right.grid(alpha=0.3)
    right.legend(fontsize=8)
    fig.suptitle("Nowak & May 1992: blue C after C, red D after D, yellow C after D, green D "
                 "after C", fontsize=10)
    fig.savefig(path, dpi=120)


FIGURES = {"santos2008": _figure_santos, "ohtsuki2006": _figure_ohtsuki,
           "nowak_may1992": _figure_nowak_may}
