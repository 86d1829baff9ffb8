"""Fowler & Christakis (2010, PNAS 107:5334) in the simulated Fehr & Gächter (2002) laboratory.

Simulates the laboratory (sessions of 24 subjects, six groups of four re-matched every period as
perfect strangers, endowment 20, MPCR 0.4, six periods without and six with punishment in
counterbalanced order) with a human-like population (conditional cooperators, free riders,
hump-shaped and other types in the shares of Fischbacher, Gächter & Fehr 2001), then:

- the observational cascade analysis of Fowler & Christakis: each subject's contribution
  regressed on the mean contribution of her previous group-mates (one degree), of their
  previous group-mates she never met (two degrees) and one step further (three degrees), with
  her own previous contribution and period dummies as controls, errors clustered by session;
- the causal cascade only a simulation can measure: paired runs with common random numbers,
  one subject giving one extra MU in period 1; the extra MU everyone else gives, by temporal
  degree and period, and the total multiplier with a 95% confidence interval;
- a sensitivity table: influence and multiplier against the conditional cooperators' slope and
  the share of free riders.

Parameters, their provenance and the targets are in experiments/fowler_christakis.toml.
Output: a table of simulated against published figures; --json prints one object; --out DIR
writes report.md with its figures, results.json, lab.parquet (the long table) and
network.parquet (the time-ordered interaction network), all or nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

SUMMARY = "cooperative cascades (Fowler & Christakis 2010) in the Fehr & Gächter laboratory"
PARAMETERS = Path(__file__).with_name("fowler_christakis.toml")
TREATMENTS = ("without_punishment", "with_punishment")
TREATMENT_LABEL = {"without_punishment": "without punishment",
                   "with_punishment": "with punishment"}
DEGREES = (1, 2, 3)
SECTIONS = ("experiment", "design", "behaviour", "targets", "sensitivity")


# ----------------------------------------------------------------------------- parameters
def load_parameters(path: Path = PARAMETERS) -> dict[str, Any]:
    from experiments import read_parameters

    return read_parameters(path, SECTIONS)


def behaviour_for(params: dict[str, Any], spec: str):
    """The subjects' parameters: ``[behaviour]`` (literature values and assumptions) with the
    values calibrated for this regression ``spec`` (``[calibrated.<spec>]``): the targets are
    in the units of the spec's coefficients, so each spec has its own calibration."""
    from sim.lab.design import Behaviour

    values = dict(params["behaviour"])
    values.update(params.get("calibrated", {}).get(spec, {}))
    return Behaviour.from_dict(values)


def _seed(seed: int, *path: int) -> np.random.SeedSequence:
    """The seed of one part of the experiment: the master seed with a fixed spawn key."""
    return np.random.SeedSequence(seed, spawn_key=tuple(int(p) for p in path))


def _finite(value: Any) -> Any:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _ci(pair) -> list[Any]:
    return [_finite(pair[0]), _finite(pair[1])]


# ---------------------------------------------------------------------------------- run
def run_experiment(params: dict[str, Any], sessions: int, pairs: int, seed: int,
                   spec: str = "mean", sensitivity: bool = True) -> dict[str, Any]:
    """Run everything; return the results as plain Python data (plus the lab for export)."""
    from sim.analysis.cascade import influence
    from sim.analysis.causal import causal_cascade, mean_ci
    from sim.lab.counterfactual import paired_runs
    from sim.lab.design import LabDesign
    from sim.lab.lab import panel, run_lab

    design = LabDesign(sessions=sessions, **params["design"])
    behaviour = behaviour_for(params, spec)
    exp = params["experiment"]
    timings: dict[str, float] = {}

    start = time.perf_counter()
    lab = run_lab(design, behaviour, seed=_seed(seed, 0))
    timings["laboratory"] = time.perf_counter() - start

    start = time.perf_counter()
    trajectory = {}
    for name in TREATMENTS:
        mean, lo, hi = mean_ci(lab.session_trajectories(name), axis=0)
        trajectory[name] = {"mean": mean.tolist(), "ci": np.stack([lo, hi], 1).tolist()}
    lab_panel = panel(lab)
    fits = influence(lab_panel, DEGREES, spec=spec, cluster=exp["cluster"])
    by_subject = influence(lab_panel, DEGREES, spec=spec, cluster="subject")
    other_spec = "dyadic" if spec == "mean" else "mean"
    alternative = influence(lab_panel, DEGREES, spec=other_spec, cluster=exp["cluster"])
    timings["regressions"] = time.perf_counter() - start

    start = time.perf_counter()
    paired = paired_runs(design, behaviour, seed=_seed(seed, 1), pairs=pairs,
                         extra=float(exp["extra"]), period=0)
    cascade = causal_cascade(paired)
    timings["paired_runs"] = time.perf_counter() - start

    start = time.perf_counter()
    cells = run_sensitivity(params, design, behaviour, seed, spec) if sensitivity else []
    timings["sensitivity"] = time.perf_counter() - start

    run = {
        "settings": {"sessions": sessions, "pairs": pairs, "seed": seed, "spec": spec,
                     "cluster": exp["cluster"], "extra": float(exp["extra"]),
                     "design": design.to_dict(), "behaviour": behaviour.to_dict()},
        "trajectory": trajectory,
        "influence": _influence_json(fits),
        "influence_by_subject": _influence_json(by_subject),
        f"influence_{other_spec}": _influence_json(alternative),
        "multiplier": {"estimate": cascade.estimate, "ci": list(cascade.ci),
                       "pairs": cascade.pairs},
        "multiplier_first_block": {"estimate": cascade.first_block_estimate,
                                   "ci": list(cascade.first_block_ci)},
        "cascade": {
            "degrees": cascade.degrees,
            "periods": list(range(1, design.total_periods + 1)),
            "extra": cascade.by_degree.tolist(),
            "ci": cascade.by_degree_ci.tolist(),
            "unreached_max_change": cascade.unreached_total,
        },
        "fc_arithmetic": {
            name: sum((design.group_size - 1) ** d * fits[name][d].estimate for d in DEGREES)
            for name in TREATMENTS
        },
        "sensitivity": cells,
        "sensitivity_size": {"sessions": int(params["sensitivity"]["sessions"]),
                             "pairs": int(params["sensitivity"]["pairs"])},
        "repeat_meetings": lab.repeat_meetings(),
        "seconds": timings,
    }
    run["targets"] = check_targets(run, params["targets"], params.get("published", {}),
                                   design.endowment)
    run["_lab"] = lab
    return run


def run_sensitivity(params, design, behaviour, seed: int, spec: str) -> list[dict[str, Any]]:
    """Influence and multiplier on a grid of slope offsets and free-rider shares."""
    from sim.analysis.cascade import influence
    from sim.analysis.causal import causal_cascade
    from sim.lab.counterfactual import paired_runs
    from sim.lab.lab import panel, run_lab

    table = params["sensitivity"]
    small = design.replace(sessions=int(table["sessions"]))
    cells = []
    for a, slope in enumerate(table["slopes"]):
        for b, share in enumerate(table["free_rider_shares"]):
            slope = float(slope)
            variant = behaviour.replace(slope=slope).with_free_riders(float(share))
            lab = run_lab(small, variant, seed=_seed(seed, 2, a, b, 0))
            fits = influence(panel(lab), DEGREES, spec=spec, cluster=params["experiment"][
                "cluster"])
            cascade = causal_cascade(paired_runs(design, variant, seed=_seed(seed, 2, a, b, 1),
                                                 pairs=int(table["pairs"])))
            cell = {"slope": slope, "free_riders": float(share)}
            for name in TREATMENTS:
                for d in DEGREES:
                    cell[f"influence_{d}_{name}"] = fits[name][d].estimate
            cell["multiplier"] = cascade.estimate
            cell["multiplier_ci"] = list(cascade.ci)
            cell["decline_ratio"] = float(lab.trajectory(TREATMENTS[0])[-1]
                                          / lab.trajectory(TREATMENTS[0])[0])
            cells.append(cell)
    return cells


def _influence_json(fits) -> dict[str, dict[str, Any]]:
    return {name: {str(d): {"estimate": _finite(fits[name][d].estimate),
                            "ci": _ci(fits[name][d].ci),
                            "se": _finite(fits[name][d].se),
                            "n": fits[name][d].n_obs}
                   for d in DEGREES}
            for name in TREATMENTS}


def check_targets(run: dict[str, Any], targets: dict[str, Any], published: dict[str, Any],
                  endowment: float) -> list[dict[str, Any]]:
    """Each target of the issue: the simulated figure, its CI, the target and whether met."""
    rows = []
    tw = run["trajectory"]["without_punishment"]["mean"]
    tp = run["trajectory"]["with_punishment"]["mean"]
    ratio = tw[-1] / tw[0] if tw[0] > 0 else float("inf")
    rows.append({"name": "without punishment: period 6 / period 1", "simulated": ratio,
                 "ci": None, "published": None,
                 "target": f"< {targets['decline_ratio_max']:g}",
                 "met": ratio < targets["decline_ratio_max"]})
    rows.append({"name": "with punishment: period 6 - period 1 (MU)", "simulated": tp[-1] - tp[0],
                 "ci": None, "published": None, "target": ">= 0", "met": tp[-1] >= tp[0]})
    over = tp[-1] / tw[-1] if tw[-1] > 0 else float("inf")
    rows.append({"name": "period 6: with / without punishment", "simulated": over, "ci": None,
                 "published": None,
                 "target": f">= {targets['punishment_over_no_punishment']:g}",
                 "met": over >= targets["punishment_over_no_punishment"]})
    share = tw[0] / endowment
    lo, hi = targets["period1_share"]
    rows.append({"name": "without punishment: period 1 / endowment (soft)", "simulated": share,
                 "ci": None, "published": None, "target": f"{lo:g} to {hi:g}",
                 "met": lo <= share <= hi})
    wanted = {1: TREATMENTS, 2: TREATMENTS, 3: ("with_punishment",)}
    for d in DEGREES:
        lo, hi = targets[f"influence_{d}"]
        pub = published.get(f"influence_{d}", {})
        for name in TREATMENTS:
            fit = run["influence"][name][str(d)]
            rows.append({
                "name": f"influence, {d} degree{'s' if d > 1 else ''}, {TREATMENT_LABEL[name]}",
                "simulated": fit["estimate"], "ci": fit["ci"],
                "published": pub.get("estimate"), "published_ci": pub.get("ci"),
                "target": f"{lo:g} to {hi:g}" if name in wanted[d] else "(not a target)",
                "met": (fit["estimate"] is not None and lo <= fit["estimate"] <= hi)
                if name in wanted[d] else None,
            })
    lo, hi = targets["multiplier"]
    m = run["multiplier"]
    rows.append({"name": "causal multiplier of 1 extra MU in period 1",
                 "simulated": m["estimate"], "ci": m["ci"],
                 "published": published.get("multiplier", {}).get("estimate"),
                 "target": f"{lo:g} to {hi:g}", "met": lo <= m["estimate"] <= hi})
    return rows


# ------------------------------------------------------------------------- command line
def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cli.base import integer_at_least

    defaults = load_parameters()["experiment"]
    parser.add_argument("--sessions", type=integer_at_least("--sessions", 1),
                        default=defaults["sessions"], metavar="N",
                        help="laboratory sessions of 24 subjects (default %(default)s)")
    parser.add_argument("--pairs", type=integer_at_least("--pairs", 1), default=defaults["pairs"],
                        metavar="N", help="paired counterfactual runs (default %(default)s)")
    parser.add_argument("--seed", type=integer_at_least("--seed", 0), default=defaults["seed"],
                        metavar="N", help="master seed (default %(default)s)")
    parser.add_argument("--spec", choices=("mean", "dyadic"), default=defaults["spec"],
                        help="exposure of the cascade regressions: the contacts' mean, or one "
                        "row per contact (default %(default)s); each has its own calibration")
    parser.add_argument("--no-sensitivity", action="store_true",
                        help="skip the sensitivity table")
    parser.add_argument("--params", type=Path, default=PARAMETERS, metavar="FILE",
                        help="parameter file (default experiments/fowler_christakis.toml)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write the report and data into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")


def main(args: argparse.Namespace) -> int:
    from cli.base import UsageError
    from cli.output import OutputDir, check_out_dir, write_json

    params = load_parameters(args.params)
    from sim.lab.design import LabDesign

    try:  # ConfigError before any work
        LabDesign(sessions=args.sessions, **params["design"])
        behaviour_for(params, args.spec)
    except TypeError as err:  # an unknown key in [design]
        raise UsageError(f"--params '{args.params}': {err}") from None
    if args.out is not None:
        check_out_dir(args.out)
    started = time.perf_counter()
    run = run_experiment(params, args.sessions, args.pairs, args.seed, args.spec,
                         sensitivity=not args.no_sensitivity)
    run["seconds"]["total"] = time.perf_counter() - started
    if args.out is not None:
        with OutputDir(args.out) as staging:
            write_json(staging / "results.json", as_json(run))
            run["_lab"].to_frame().to_parquet(staging / "lab.parquet", index=False)
            run["_lab"].network_frame().to_parquet(staging / "network.parquet", index=False)
            write_figures(staging, run)
            (staging / "report.md").write_text(report_markdown(run), encoding="utf-8")
    if args.json:
        print(json.dumps(as_json(run), allow_nan=False))
    else:
        print(table_text(run))
        if args.out is not None:
            print(f"\nreport written to {args.out}/report.md")
    sys.stdout.flush()
    return 0


def as_json(run: dict[str, Any]) -> dict[str, Any]:
    """The run as one JSON-ready object (``trajectory``, ``influence``, ``multiplier``, ...)."""
    out = {k: v for k, v in run.items() if not k.startswith("_")}
    out["trajectory"] = {
        "without_punishment": run["trajectory"]["without_punishment"]["mean"],
        "with_punishment": run["trajectory"]["with_punishment"]["mean"],
        "ci": {name: run["trajectory"][name]["ci"] for name in TREATMENTS},
    }
    return json.loads(json.dumps(out, default=_json_default, allow_nan=True),
                      parse_constant=lambda _: None)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ------------------------------------------------------------------------------ output
def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}"


def _fmt_ci(ci: Any, digits: int = 3) -> str:
    if not ci:
        return "-"
    return f"[{_fmt(ci[0], digits)}, {_fmt(ci[1], digits)}]"


def _met(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def table_text(run: dict[str, Any]) -> str:
    """The simulated figures beside the published ones and the issue's targets."""
    s = run["settings"]
    lines = [
        f"Fowler & Christakis 2010 in the simulated Fehr & Gächter 2002 laboratory: "
        f"{s['sessions']} sessions x 24 subjects, {s['pairs']} paired runs, seed {s['seed']}",
        "",
        "mean contribution per period (MU):",
    ]
    for name in TREATMENTS:
        values = " ".join(f"{v:5.2f}" for v in run["trajectory"][name]["mean"])
        lines.append(f"  {TREATMENT_LABEL[name]:<20} {values}")
    lines += ["", f"{'figure':<52} {'simulated':>9} {'95% CI':>18} {'published':>10} "
              f"{'target':>14} {'met':>4}"]
    for row in run["targets"]:
        pub = _fmt(row.get("published"), 2) if row.get("published") is not None else "-"
        lines.append(f"{row['name']:<52} {_fmt(row['simulated']):>9} "
                     f"{_fmt_ci(row['ci']):>18} {pub:>10} {row['target']:>14} "
                     f"{_met(row['met']):>4}")
    met = [r["met"] for r in run["targets"] if r["met"] is not None]
    lines.append(f"\ntargets met: {sum(met)} of {len(met)} (regressions: {s['spec']} exposure, "
                 f"errors clustered by {s['cluster']}); repeat meetings within blocks: "
                 f"{run['repeat_meetings']}")
    fc = run["fc_arithmetic"]
    lines.append("F&C's arithmetic (3 b1 + 9 b2 + 27 b3) on these coefficients: "
                 + ", ".join(f"{TREATMENT_LABEL[k]} {v:.2f}" for k, v in fc.items()))
    m1 = run["multiplier_first_block"]
    lines.append(f"causal multiplier within the first treatment block: {m1['estimate']:.3f} "
                 f"{_fmt_ci(m1['ci'])}")
    secs = run["seconds"]
    lines.append("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in secs.items()))
    return "\n".join(lines)


def report_markdown(run: dict[str, Any]) -> str:
    s = run["settings"]
    beh = s["behaviour"]
    from sim.lab.design import PROVENANCE

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
        pub = row.get("published")
        pub_text = "-" if pub is None else f"{pub:.2f}"
        if row.get("published_ci"):
            pub_text += " " + _fmt_ci(row["published_ci"], 2)
        lines.append(f"| {row['name']} | {_fmt(row['simulated'])} | {_fmt_ci(row['ci'])} | "
                     f"{pub_text} | {row['target']} | {_met(row['met'])} |")
    lines += [
        "",
        "Published values: Fowler & Christakis 2010 (PNAS 107:5334) as summarised in "
        "SCIENCE.md §4 (approximate); trajectory targets from the issue (Fehr & Gächter 2002).",
        "",
        "## Contribution trajectories",
        "",
        "![trajectories](trajectories.png)",
        "",
        "| period | " + " | ".join(str(p) for p in range(1, 7)) + " |",
        "| --- |" + " ---: |" * 6,
    ]
    for name in TREATMENTS:
        mean = run["trajectory"][name]["mean"]
        lines.append(f"| {TREATMENT_LABEL[name]} | " + " | ".join(f"{v:.2f}" for v in mean)
                     + " |")
    lines += [
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
        for d in DEGREES:
            f = run["influence"][name][str(d)]
            g = run["influence_by_subject"][name][str(d)]
            lines.append(f"| {TREATMENT_LABEL[name]} | {d} | {_fmt(f['estimate'])} | "
                         f"{_fmt_ci(f['ci'])} | {_fmt_ci(g['ci'])} | {f['n']} |")
    other = "dyadic" if s["spec"] == "mean" else "mean"
    lines += ["", f"The same regressions with {other} exposure "
              + ("(one row per subject, period and contact: the effect of one contact's MU):"
                 if other == "dyadic" else "(the contacts' mean):"), "",
              "| treatment | degree | estimate | 95% CI |", "| --- | --- | ---: | --- |"]
    for name in TREATMENTS:
        for d in DEGREES:
            f = run[f"influence_{other}"][name][str(d)]
            lines.append(f"| {TREATMENT_LABEL[name]} | {d} | {_fmt(f['estimate'])} | "
                         f"{_fmt_ci(f['ci'])} |")
    fc = run["fc_arithmetic"]
    lines += [
        "",
        "Fowler & Christakis turn their coefficients into \"tripled\" by multiplying each "
        "degree's coefficient by the number of people at that degree (3, 9, 27). On these "
        "coefficients that arithmetic gives "
        + ", ".join(f"{v:.2f} ({TREATMENT_LABEL[k]})" for k, v in fc.items())
        + "; the causal measurement below is what the simulated world actually does. That "
        "arithmetic needs per-contact coefficients: with mean exposure a coefficient is per MU "
        "of the contacts' mean, and one extra MU from one of three group-mates moves that mean "
        "by a third, so the same arithmetic on mean coefficients overstates by 3, 9 and 27.",
        "",
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
        lines.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in row)
                     + f" | {sum(row):.3f} |")
    m, m1 = run["multiplier"], run["multiplier_first_block"]
    lines += [
        "",
        f"**Multiplier** (others' extra MU over the rest of the session per MU given): "
        f"{m['estimate']:.3f}, 95% CI {_fmt_ci(m['ci'])}; within the first treatment block "
        f"only: {m1['estimate']:.3f}, {_fmt_ci(m1['ci'])}. Subjects no path had reached "
        f"changed by at most {casc['unreached_max_change']:g} MU (causality check).",
        "",
    ]
    if run["sensitivity"]:
        lines += [
            "## Sensitivity",
            "",
            f"Influence ({s['spec']} exposure: one degree, and two degrees with punishment) "
            "and the causal multiplier against the conditional cooperators' mean slope and the "
            f"share of free riders (the other types keep their ratios; "
            f"{run['sensitivity_size']['sessions']} sessions and "
            f"{run['sensitivity_size']['pairs']} paired runs per cell).",
            "",
            "| slope | free riders | infl. 1 (without) | infl. 1 (with) | infl. 2 (with) | "
            "multiplier | 95% CI | P6/P1 without |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        for c in run["sensitivity"]:
            lines.append(
                f"| {c['slope']:.2f} | {c['free_riders']:.2f} | "
                f"{c['influence_1_without_punishment']:.3f} | "
                f"{c['influence_1_with_punishment']:.3f} | "
                f"{c['influence_2_with_punishment']:.3f} | {c['multiplier']:.3f} | "
                f"{_fmt_ci(c['multiplier_ci'])} | {c['decline_ratio']:.2f} |")
        lines.append("")
    lines += ["## Parameters", "",
              f"Calibrated values: `[calibrated.{s['spec']}]` of "
              "experiments/fowler_christakis.toml (the influence targets are in the units of the "
              "regression's exposure, so each exposure has its own calibration).", "",
              "| parameter | value | source |", "| --- | ---: | --- |"]
    for name, value in beh.items():
        lines.append(f"| {name} | {value:g} | {PROVENANCE.get(name, '')} |")
    secs = run["seconds"]
    lines += ["", "Time: " + ", ".join(f"{k} {v:.1f} s" for k, v in secs.items()) + ".", ""]
    return "\n".join(lines)


def write_figures(directory: Path, run: dict[str, Any]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def figure(width: float, height: float, ncols: int = 1):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        return fig, fig.subplots(1, ncols)

    periods = np.arange(1, 7)
    fig, ax = figure(6.5, 4.0)
    for name, colour in zip(TREATMENTS, ("tab:red", "tab:blue"), strict=True):
        t = run["trajectory"][name]
        ci = np.asarray(t["ci"])
        ax.plot(periods, t["mean"], marker="o", color=colour, label=TREATMENT_LABEL[name])
        ax.fill_between(periods, ci[:, 0], ci[:, 1], color=colour, alpha=0.15)
    ax.set_ylim(0, 20)
    ax.set_xlabel("period of the treatment")
    ax.set_ylabel("mean contribution (MU)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.savefig(directory / "trajectories.png", dpi=120)

    fig, ax = figure(6.5, 4.0)
    width = 0.35
    for k, (name, colour) in enumerate(zip(TREATMENTS, ("tab:red", "tab:blue"), strict=True)):
        est = np.array([run["influence"][name][str(d)]["estimate"] for d in DEGREES],
                       dtype=float)  # None (no estimate) becomes NaN
        ci = np.array([run["influence"][name][str(d)]["ci"] for d in DEGREES], dtype=float)
        xs = np.arange(len(DEGREES)) + (k - 0.5) * width
        ax.bar(xs, est, width, color=colour, alpha=0.7, label=TREATMENT_LABEL[name])
        ax.errorbar(xs, est, yerr=[np.subtract(est, ci[:, 0]), ci[:, 1] - est], fmt="none",
                    color="black", capsize=3)
    published = [0.19, 0.07, 0.06]
    ax.scatter(np.arange(len(DEGREES)), published, marker="D", color="black", zorder=3,
               label="Fowler & Christakis 2010")
    ax.set_xticks(np.arange(len(DEGREES)), [f"{d} degree{'s' if d > 1 else ''}"
                                            for d in DEGREES])
    ax.set_ylabel("MU given per MU of the contacts' mean")
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend()
    fig.savefig(directory / "influence.png", dpi=120)

    fig, ax = figure(7.5, 4.0)
    casc = run["cascade"]
    extra = np.asarray(casc["extra"])
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
    top = max(float(bottom_pos.max()), 1e-9) * 1.08
    ax.set_ylim(min(float(bottom_neg.min()) * 1.08, 0.0), top)
    ax.axvline(6.5, color="grey", ls="--", lw=0.8)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("period of the session")
    ax.set_ylabel("extra MU per MU given in period 1")
    ax.set_title(f"multiplier {run['multiplier']['estimate']:.2f} "
                 f"{_fmt_ci(run['multiplier']['ci'], 2)}")
    ax.legend(fontsize=8)
    fig.savefig(directory / "cascade.png", dpi=120)
