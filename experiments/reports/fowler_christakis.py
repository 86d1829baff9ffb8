"""Table, report and figures of ``cascade experiment fowler-christakis``
(:mod:`experiments.fowler_christakis`), drawn from its ``--json`` object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.formatting import interval, number
from sim.behaviour.parameters import BEHAVIOUR_PARAMETERS

#: each behaviour parameter's source
SOURCES = {p.name: p.source for p in BEHAVIOUR_PARAMETERS}

TREATMENT_LABEL = {"without_punishment": "without punishment",
                   "with_punishment": "with punishment"}
TREATMENTS = tuple(TREATMENT_LABEL)
COLOURS = ("tab:red", "tab:blue")


def _met(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def _degrees(run: dict[str, Any]) -> list[str]:
    """The degrees of the regressions, as the JSON's keys ("1", "2", "3")."""
    return sorted(run["influence"][TREATMENTS[0]], key=int)


def _seconds(run: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.1f} s" for k, v in run["seconds"].items())


def write(run: dict[str, Any], directory: Path) -> None:
    """report.md and its figures (trajectories, influence, cascade) into ``directory``."""
    write_figures(directory, run)
    (directory / "report.md").write_text(report_markdown(run), encoding="utf-8")


# -------------------------------------------------------------------------------- table
def table_text(run: dict[str, Any]) -> str:
    """The simulated figures beside the published ones and the targets."""
    s = run["settings"]
    lines = [
        f"Fowler & Christakis 2010 in the simulated Fehr & Gächter 2002 laboratory: "
        f"{s['sessions']} sessions x 24 subjects, {s['pairs']} paired runs, seed {s['seed']}",
        "",
        "mean contribution per period (MU):",
    ]
    for name in TREATMENTS:
        values = " ".join(f"{number(v):>5}" for v in run["trajectory"][name])
        lines.append(f"  {TREATMENT_LABEL[name]:<20} {values}")
    lines += ["", f"{'figure':<52} {'simulated':>9} {'95% CI':>18} {'published':>10} "
              f"{'target':>14} {'met':>4}"]
    for row in run["targets"]:
        lines.append(f"{row['name']:<52} {number(row['simulated'], 3):>9} "
                     f"{interval(row['ci'], 3):>18} {number(row.get('published')):>10} "
                     f"{row['target']:>14} {_met(row['met']):>4}")
    met = [r["met"] for r in run["targets"] if r["met"] is not None]
    lines.append(f"\ntargets met: {sum(met)} of {len(met)} (regressions: {s['spec']} exposure, "
                 f"errors clustered by {s['cluster']}); repeat meetings within blocks: "
                 f"{run['repeat_meetings']}")
    fc = run["fc_arithmetic"]
    lines.append("F&C's arithmetic (3 b1 + 9 b2 + 27 b3) on these coefficients: "
                 + ", ".join(f"{TREATMENT_LABEL[k]} {number(v)}" for k, v in fc.items()))
    m1 = run["multiplier_first_block"]
    lines.append(f"causal multiplier within the first treatment block: "
                 f"{number(m1['estimate'], 3)} {interval(m1['ci'], 3)}")
    lines.append("time: " + _seconds(run))
    return "\n".join(lines)


# ------------------------------------------------------------------------------- report
def report_markdown(run: dict[str, Any]) -> str:
    s = run["settings"]
    lines = [
        "# Cooperative cascades in the simulated Fehr & Gächter laboratory",
        "",
        f"{s['sessions']} sessions of 24 subjects (groups of 4 re-matched every period as "
        "perfect strangers, endowment 20, MPCR 0.4, 6 periods without and 6 with punishment, "
        f"order counterbalanced); {s['pairs']} paired counterfactual runs; master seed "
        f"{s['seed']}. Repeat meetings within treatment blocks: {run['repeat_meetings']}.",
        "",
        "## Simulated against published figures",
        "",
        "| figure | simulated | 95% CI | published | target | met |",
        "| --- | ---: | --- | ---: | --- | --- |",
    ]
    for row in run["targets"]:
        published = number(row.get("published"))
        if row.get("published_ci"):
            published += " " + interval(row["published_ci"])
        lines.append(f"| {row['name']} | {number(row['simulated'], 3)} | "
                     f"{interval(row['ci'], 3)} | {published} | {row['target']} | "
                     f"{_met(row['met'])} |")
    lines += [
        "",
        "Published values: Fowler & Christakis 2010 (PNAS 107:5334) as summarised in "
        "docs/science.md §4 (approximate); trajectory targets after Fehr & Gächter 2002 "
        "(Nature 415:137).",
        "",
        "## Contribution trajectories",
        "",
        "![trajectories](trajectories.png)",
        "",
    ]
    periods = len(run["trajectory"][TREATMENTS[0]])
    lines += ["| period | " + " | ".join(str(p) for p in range(1, periods + 1)) + " |",
              "| --- |" + " ---: |" * periods]
    for name in TREATMENTS:
        lines.append(f"| {TREATMENT_LABEL[name]} | "
                     + " | ".join(number(v) for v in run["trajectory"][name]) + " |")
    lines += _influence_section(run)
    lines += _cascade_section(run)
    lines += _sensitivity_section(run)
    lines += ["## Parameters", "",
              "The project's one calibrated human-like behaviour (sim/behaviour; fitted by "
              "experiments/calibrate.py to experiments/calibration.toml, per-contact "
              "exposure), with any departures named in `[behaviour]` of "
              "experiments/fowler_christakis.toml.", "",
              "| parameter | value | source |", "| --- | ---: | --- |"]
    for name, value in s["behaviour"].items():
        lines.append(f"| {name} | {value:g} | {SOURCES.get(name, '')} |")
    lines += ["", f"Time: {_seconds(run)}.", ""]
    return "\n".join(lines)


def _influence_section(run: dict[str, Any]) -> list[str]:
    s = run["settings"]
    lines = [
        "",
        "## Influence by degree (observational, as in Fowler & Christakis)",
        "",
        f"Linear models of a subject's contribution on the {s['spec']} contribution of her "
        "contacts at one, two and three degrees (two and three: people she never met in that "
        "treatment), controlling for her own previous contribution and period; errors "
        f"clustered by {s['cluster']} (t intervals, sessions - 1 degrees of freedom).",
        "",
        "![influence](influence.png)",
        "",
        "| treatment | degree | estimate | 95% CI (by session) | 95% CI (by subject) | "
        "rows |",
        "| --- | --- | ---: | --- | --- | ---: |",
    ]
    for name in TREATMENTS:
        for d in _degrees(run):
            f = run["influence"][name][d]
            g = run["influence_by_subject"][name][d]
            lines.append(f"| {TREATMENT_LABEL[name]} | {d} | {number(f['estimate'], 3)} | "
                         f"{interval(f['ci'], 3)} | {interval(g['ci'], 3)} | {f['n']} |")
    other = "dyadic" if s["spec"] == "mean" else "mean"
    lines += ["", f"The same regressions with {other} exposure "
              + ("(one row per subject, period and contact: the effect of one contact's MU):"
                 if other == "dyadic" else "(the contacts' mean):"), "",
              "| treatment | degree | estimate | 95% CI |", "| --- | --- | ---: | --- |"]
    for name in TREATMENTS:
        for d in _degrees(run):
            f = run[f"influence_{other}"][name][d]
            lines.append(f"| {TREATMENT_LABEL[name]} | {d} | {number(f['estimate'], 3)} | "
                         f"{interval(f['ci'], 3)} |")
    fc = run["fc_arithmetic"]
    lines += [
        "",
        "Fowler & Christakis turn their coefficients into \"tripled\" by multiplying each "
        "degree's coefficient by the number of people at that degree (3, 9, 27). On these "
        "coefficients that arithmetic gives "
        + ", ".join(f"{number(v)} ({TREATMENT_LABEL[k]})" for k, v in fc.items())
        + "; the causal measurement below is what the simulated world actually does. That "
        "arithmetic needs per-contact coefficients: with mean exposure a coefficient is per MU "
        "of the contacts' mean, and one extra MU from one of three group-mates moves that mean "
        "by a third, so the same arithmetic on mean coefficients overstates by 3, 9 and 27.",
        "",
    ]
    return lines


def _cascade_section(run: dict[str, Any]) -> list[str]:
    s = run["settings"]
    lines = [
        "## The causal cascade",
        "",
        f"{run['multiplier']['pairs']} worlds each played twice with common random numbers; in "
        f"the second run one subject gives {s['extra']:g} MU more in period 1. Extra MU given "
        "per MU of the gift, by the degree at which the cascade first reached a subject and by "
        "period (the giver's own row is feedback to her):",
        "",
        "![cascade](cascade.png)",
        "",
    ]
    casc = run["cascade"]
    periods = casc["periods"]
    lines.append("| degree | " + " | ".join(str(p) for p in periods) + " | total |")
    lines.append("| --- |" + " ---: |" * (len(periods) + 1))
    for label, row in zip(casc["degrees"], casc["extra"], strict=True):
        lines.append(f"| {label} | " + " | ".join(number(v, 3) for v in row)
                     + f" | {number(sum(row), 3)} |")
    m, m1 = run["multiplier"], run["multiplier_first_block"]
    lines += [
        "",
        f"**Multiplier** (others' extra MU over the rest of the session per MU given): "
        f"{number(m['estimate'], 3)}, 95% CI {interval(m['ci'], 3)}; within the first "
        f"treatment block only: {number(m1['estimate'], 3)}, {interval(m1['ci'], 3)}. "
        f"Subjects no path had reached changed by at most {casc['unreached_max_change']:g} MU "
        "(causality check).",
        "",
    ]
    return lines


def _sensitivity_section(run: dict[str, Any]) -> list[str]:
    if not run["sensitivity"]:
        return []
    s, size = run["settings"], run["sensitivity_size"]
    lines = [
        "## Sensitivity",
        "",
        f"Influence ({s['spec']} exposure: one degree, and two degrees with punishment) "
        "and the causal multiplier against the conditional cooperators' mean slope and the "
        f"share of free riders (the other types keep their ratios; {size['sessions']} sessions "
        f"and {size['pairs']} paired runs per cell).",
        "",
        "| slope | free riders | infl. 1 (without) | infl. 1 (with) | infl. 2 (with) | "
        "multiplier | 95% CI | P6/P1 without |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for c in run["sensitivity"]:
        lines.append(
            f"| {number(c['slope'])} | {number(c['free_riders'])} | "
            f"{number(c['influence_1_without_punishment'], 3)} | "
            f"{number(c['influence_1_with_punishment'], 3)} | "
            f"{number(c['influence_2_with_punishment'], 3)} | {number(c['multiplier'], 3)} | "
            f"{interval(c['multiplier_ci'], 3)} | {number(c['decline_ratio'])} |")
    lines.append("")
    return lines


# ------------------------------------------------------------------------------ figures
def _figure(width: float, height: float) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, 1)


def _float(value: Any) -> float:
    """None (no estimate) becomes NaN, which matplotlib leaves out."""
    return np.nan if value is None else float(value)


def write_figures(directory: Path, run: dict[str, Any]) -> None:
    """trajectories.png, influence.png and cascade.png."""
    fig, ax = _figure(6.5, 4.0)
    for name, colour in zip(TREATMENTS, COLOURS, strict=True):
        mean = np.array([_float(v) for v in run["trajectory"][name]])
        ci = np.array([[_float(v) for v in pair] for pair in run["trajectory"]["ci"][name]])
        periods = np.arange(1, len(mean) + 1)
        ax.plot(periods, mean, marker="o", color=colour, label=TREATMENT_LABEL[name])
        ax.fill_between(periods, ci[:, 0], ci[:, 1], color=colour, alpha=0.15)
    ax.set_ylim(0, run["settings"]["design"]["endowment"])
    ax.set_xlabel("period of the treatment")
    ax.set_ylabel("mean contribution (MU)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.savefig(directory / "trajectories.png", dpi=120)

    fig, ax = _figure(6.5, 4.0)
    degrees = _degrees(run)
    width = 0.35
    for k, (name, colour) in enumerate(zip(TREATMENTS, COLOURS, strict=True)):
        fits = [run["influence"][name][d] for d in degrees]
        est = np.array([_float(f["estimate"]) for f in fits])
        ci = np.array([[_float(v) for v in f["ci"]] for f in fits])
        xs = np.arange(len(degrees)) + (k - 0.5) * width
        ax.bar(xs, est, width, color=colour, alpha=0.7, label=TREATMENT_LABEL[name])
        ax.errorbar(xs, est, yerr=[est - ci[:, 0], ci[:, 1] - est], fmt="none",
                    color="black", capsize=3)
    published = [_published(run, d) for d in degrees]
    ax.scatter(np.arange(len(degrees)), published, marker="D", color="black", zorder=3,
               label="Fowler & Christakis 2010")
    ax.set_xticks(np.arange(len(degrees)), [f"{d} degree{'s' if d != '1' else ''}"
                                            for d in degrees])
    ax.set_ylabel("MU given per MU of the contacts' mean" if run["settings"]["spec"] == "mean"
                  else "MU given per MU of one contact")
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend()
    fig.savefig(directory / "influence.png", dpi=120)

    fig, ax = _figure(7.5, 4.0)
    casc = run["cascade"]
    extra = np.array([[_float(v) for v in row] for row in casc["extra"]])
    x = np.asarray(casc["periods"])
    bottom_pos = np.zeros(len(x))
    bottom_neg = np.zeros(len(x))
    for label, row in zip(casc["degrees"], extra, strict=True):
        pos, neg = np.maximum(row, 0), np.minimum(row, 0)
        ax.bar(x, pos, bottom=bottom_pos, label=f"degree {label}" if label != "giver"
               else "the giver herself")
        ax.bar(x, neg, bottom=bottom_neg, color=ax.patches[-1].get_facecolor())
        bottom_pos += pos
        bottom_neg += neg
    top = max(float(np.nanmax(bottom_pos, initial=0.0)), 1e-9) * 1.08
    ax.set_ylim(min(float(np.nanmin(bottom_neg, initial=0.0)) * 1.08, 0.0), top)
    ax.axvline(len(x) / 2 + 0.5, color="grey", ls="--", lw=0.8)  # the second block starts
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("period of the session")
    ax.set_ylabel("extra MU per MU given in period 1")
    ax.set_title(f"multiplier {number(run['multiplier']['estimate'])} "
                 f"{interval(run['multiplier']['ci'])}")
    ax.legend(fontsize=8)
    fig.savefig(directory / "cascade.png", dpi=120)


def _published(run: dict[str, Any], degree: str) -> float:
    """The published influence at ``degree`` (from the target rows), NaN if none."""
    prefix = f"influence, {degree} degree"
    for row in run["targets"]:
        if row["name"].startswith(prefix) and row.get("published") is not None:
            return float(row["published"])
    return np.nan
