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

The laboratory (with its regressions), the paired runs and each cell of the sensitivity grid
are independent tasks, run side by side with --workers; each has its own seed split from the
master seed, so the results do not depend on the number of workers.

Parameters, their provenance and the targets are in experiments/fowler_christakis.toml
(docs/science.md §2 and §4). Output: a table of simulated against published figures; --json
prints one object; --out DIR writes report.md with its figures, results.json, lab.parquet (the
long table) and network.parquet (the time-ordered interaction network), all or nothing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from experiments.options import Option, integer_at_least
from experiments.reports import fowler_christakis as report
from experiments.runtime import Experiment, Runner, read_parameter_file
from sim.analysis.cascade import CLUSTERS, SPECS, influence
from sim.analysis.causal import causal_cascade
from sim.analysis.stats import mean_ci
from sim.behaviour.parameters import Behaviour
from sim.config import ConfigError
from sim.lab.counterfactual import paired_runs
from sim.lab.design import LabDesign
from sim.lab.lab import TREATMENTS, LabResult, panel, run_lab
from sim.seeds import child_seed, describe_seed, seed_sequence

SUMMARY = "cooperative cascades (Fowler & Christakis 2010) in the Fehr & Gächter laboratory"
PARAMETERS = Path(__file__).with_name("fowler_christakis.toml")
DEGREES = (1, 2, 3)
SECTIONS = ("experiment", "design", "behaviour", "sensitivity")
#: the calibration's targets (experiments/calibration.toml [targets]), shown beside the results
CALIBRATION = Path(__file__).with_name("calibration.toml")


# ----------------------------------------------------------------------------- parameters
def load_parameters(path: Path = PARAMETERS) -> dict[str, Any]:
    """The parameter file; unreadable or lacking a table: one ``--params`` line."""
    return EXPERIMENT.read_parameters(path)


def behaviour_for(params: dict[str, Any]) -> Behaviour:
    """The subjects: the project's calibrated human-like people (sim/behaviour), with any
    departures the ``[behaviour]`` table names."""
    return Behaviour.from_dict(params.get("behaviour", {}))


def calibration_targets() -> dict[str, Any]:
    """The targets of the behaviour's calibration (experiments/calibration.toml)."""
    return read_parameter_file(CALIBRATION, ("targets",))["targets"]


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, checked."""

    pairs: int
    spec: str
    cluster: str
    extra: float
    design: LabDesign
    behaviour: Behaviour
    sensitivity: bool
    #: the sensitivity grid: (slope index, share index, slope, share, the population)
    grid: tuple[tuple[int, int, float, float, Behaviour], ...]
    grid_sessions: int
    grid_pairs: int
    targets: dict[str, Any]
    published: dict[str, Any]


def settings(params: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Check the options and the parameter file; a bad value is one line naming it."""
    exp, table, targets = params["experiment"], params["sensitivity"], calibration_targets()
    spec = options["spec"]
    if spec not in SPECS:
        raise ConfigError(f"--spec must be one of {', '.join(SPECS)} (got {spec!r})")
    if exp.get("cluster") not in CLUSTERS:
        raise ConfigError(f"--params [experiment] cluster must be one of "
                          f"{', '.join(CLUSTERS)} (got {exp.get('cluster')!r})")
    extra = _number(exp.get("extra"), "[experiment] extra", low=0.0, above=True)
    known = {f.name for f in fields(LabDesign)} - {"sessions"}
    unknown = sorted(set(params["design"]) - known)
    if unknown:
        raise ConfigError(f"--params [design]: unknown entry '{unknown[0]}'; allowed: "
                          + ", ".join(sorted(known)))
    sessions = _count(options["sessions"], "--sessions")
    try:
        design = LabDesign(sessions=sessions, **params["design"])
    except ConfigError as err:
        raise ConfigError(f"--params [design]: {err}") from None
    try:
        behaviour = behaviour_for(params)
    except ConfigError as err:
        raise ConfigError(f"--params [behaviour]: {err}") from None
    slopes = _numbers(table.get("slopes"), "[sensitivity] slopes", 0.0, 2.0)
    shares = _numbers(table.get("free_rider_shares"), "[sensitivity] free_rider_shares", 0.0,
                      1.0)
    grid = tuple((a, b, slope, share, behaviour.replace(slope=slope).with_free_riders(share))
                 for a, slope in enumerate(slopes) for b, share in enumerate(shares))
    return Settings(
        _count(options["pairs"], "--pairs"), spec, exp["cluster"], extra,
        design, behaviour, sensitivity=not options.get("no_sensitivity"), grid=grid,
        grid_sessions=_count(table.get("sessions"), "--params [sensitivity] sessions"),
        grid_pairs=_count(table.get("pairs"), "--params [sensitivity] pairs"),
        targets=targets, published=params.get("published", {}),
    )


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1 (got {value!r})")
    return value


def _number(value: Any, name: str, low: float = -math.inf, high: float = math.inf,
            above: bool = False) -> float:
    """A number in [low, high] (above ``low`` with ``above``), else one --params line."""
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not low <= value <= high or (above and value == low)):
        span = (f" {'>' if above else '>='} {low:g}" if low > -math.inf else "") + (
            f" and <= {high:g}" if high < math.inf else "")
        raise ConfigError(f"--params {name} must be a number{span} (got {value!r})")
    return float(value)


def _numbers(values: Any, name: str, low: float, high: float) -> list[float]:
    if not isinstance(values, list):
        raise ConfigError(f"--params {name} must be a list of numbers (got {values!r})")
    return [_number(v, name, low, high) for v in values]


# ---------------------------------------------------------------------------------- tasks
@dataclass(frozen=True)
class Laboratory:
    """Task: play the laboratory sessions and fit the cascade regressions (clustered by
    ``cluster`` and by subject, and with the other exposure)."""

    design: LabDesign
    behaviour: Behaviour
    seed: np.random.SeedSequence
    spec: str
    cluster: str

    def __call__(self) -> dict[str, Any]:
        start = time.perf_counter()
        lab = run_lab(self.design, self.behaviour, seed=self.seed)
        played = time.perf_counter()
        lab_panel = panel(lab)
        fits = influence(lab_panel, DEGREES, spec=self.spec, cluster=self.cluster)
        by_subject = influence(lab_panel, DEGREES, spec=self.spec, cluster="subject")
        other = "dyadic" if self.spec == "mean" else "mean"
        alternative = influence(lab_panel, DEGREES, spec=other, cluster=self.cluster)
        k = self.design.group_size
        return {
            "trajectory": trajectories(lab),
            "influence": _influence_json(fits),
            "influence_by_subject": _influence_json(by_subject),
            f"influence_{other}": _influence_json(alternative),
            # Fowler & Christakis' "tripled": each coefficient times the people at its degree
            "fc_arithmetic": {name: sum((k - 1) ** d * fits[name][d].estimate for d in DEGREES)
                              for name in TREATMENTS},
            "repeat_meetings": lab.repeat_meetings(),
            "_lab": lab,  # for the report's tables (private: not in --json)
            "seconds": {"laboratory": played - start,
                        "regressions": time.perf_counter() - played},
        }


@dataclass(frozen=True)
class Cascade:
    """Task: ``pairs`` paired runs, one subject giving ``extra`` MU more in period 1; the
    causal cascade by temporal degree and period, and its multiplier."""

    design: LabDesign
    behaviour: Behaviour
    seed: np.random.SeedSequence
    pairs: int
    extra: float

    def __call__(self) -> dict[str, Any]:
        start = time.perf_counter()
        cascade = causal_cascade(paired_runs(self.design, self.behaviour, seed=self.seed,
                                             pairs=self.pairs, extra=self.extra, period=0))
        return {
            "multiplier": {"estimate": cascade.estimate, "ci": list(cascade.ci),
                           "pairs": cascade.pairs},
            "multiplier_first_block": {"estimate": cascade.first_block_estimate,
                                       "ci": list(cascade.first_block_ci)},
            "cascade": {
                "degrees": cascade.degrees,
                "periods": list(range(1, self.design.total_periods + 1)),
                "extra": cascade.by_degree.tolist(),
                "ci": cascade.by_degree_ci.tolist(),
                "unreached_max_change": cascade.unreached_total,
            },
            "seconds": {"paired_runs": time.perf_counter() - start},
        }


@dataclass(frozen=True)
class Cell:
    """Task: one point of the sensitivity grid (the conditional cooperators' slope and the
    share of free riders changed): a smaller laboratory with its regressions, fewer pairs."""

    slope: float
    share: float
    lab: Laboratory
    paired: Cascade

    def __call__(self) -> dict[str, Any]:
        start = time.perf_counter()
        lab = run_lab(self.lab.design, self.lab.behaviour, seed=self.lab.seed)
        fits = influence(panel(lab), DEGREES, spec=self.lab.spec, cluster=self.lab.cluster)
        multiplier = self.paired()["multiplier"]
        without = lab.trajectory(TREATMENTS[0])
        return {"slope": self.slope, "free_riders": self.share,
                **{f"influence_{d}_{name}": fits[name][d].estimate
                   for name in TREATMENTS for d in DEGREES},
                "multiplier": multiplier["estimate"], "multiplier_ci": multiplier["ci"],
                "decline_ratio": float(without[-1] / without[0]),
                "seconds": time.perf_counter() - start}


def perform(task: Laboratory | Cascade | Cell) -> dict[str, Any]:
    """What a worker runs: one task."""
    return task()


def trajectories(lab: LabResult) -> dict[str, Any]:
    """Mean contribution per treatment period over sessions, with its 95% t interval."""
    summary = {name: mean_ci(lab.session_trajectories(name), axis=0) for name in TREATMENTS}
    return {**{name: mean.tolist() for name, (mean, _, _) in summary.items()},
            "ci": {name: np.stack([lo, hi], 1).tolist()
                   for name, (_, lo, hi) in summary.items()}}


def _influence_json(fits) -> dict[str, dict[str, Any]]:
    """Estimates, intervals and rows; NaN (no estimate) becomes null in the JSON."""
    return {name: {str(d): {"estimate": float(f.estimate), "ci": [float(v) for v in f.ci],
                            "se": float(f.se), "n": f.n_obs}
                   for d, f in fits[name].items()}
            for name in TREATMENTS}


# ---------------------------------------------------------------------------------- run
def run(settings: Settings, seed: Any, runner: Runner) -> dict[str, Any]:
    """The laboratory, the paired runs and the sensitivity grid, side by side on the runner.

    Seeds: the laboratory ``child_seed(seed, 0)``, the paired runs ``child_seed(seed, 1)``,
    grid cell (a, b) ``child_seed(seed, 2, a, b, 0)`` for its laboratory and ``(..., 1)`` for
    its paired runs.
    """
    s = settings
    tasks: list[Laboratory | Cascade | Cell] = [
        Laboratory(s.design, s.behaviour, child_seed(seed, 0), s.spec, s.cluster),
        Cascade(s.design, s.behaviour, child_seed(seed, 1), s.pairs, s.extra),
    ]
    if s.sensitivity:
        small = s.design.replace(sessions=s.grid_sessions)
        tasks += [Cell(slope, share,
                       Laboratory(small, variant, child_seed(seed, 2, a, b, 0), s.spec,
                                  s.cluster),
                       Cascade(s.design, variant, child_seed(seed, 2, a, b, 1), s.grid_pairs,
                               s.extra))
                  for a, b, slope, share, variant in s.grid]
    lab, causal, *cells = runner.map(perform, tasks, label=EXPERIMENT.name)
    seconds = {**lab.pop("seconds"), **causal.pop("seconds"),
               "sensitivity": sum(cell.pop("seconds") for cell in cells)}
    out = {
        "settings": {"sessions": s.design.sessions, "pairs": s.pairs,
                     "seed": describe_seed(seed_sequence(seed)), "spec": s.spec,
                     "cluster": s.cluster, "extra": s.extra, "design": s.design.to_dict(),
                     "behaviour": s.behaviour.to_dict()},
        "trajectory": lab.pop("trajectory"),
        **lab,
        **causal,
        "sensitivity": cells,
        "sensitivity_size": {"sessions": s.grid_sessions, "pairs": s.grid_pairs},
        "seconds": seconds,
    }
    out["targets"] = check_targets(out, s.targets, s.published, s.design.endowment)
    return out


def check_targets(run: dict[str, Any], targets: dict[str, Any], published: dict[str, Any],
                  endowment: float) -> list[dict[str, Any]]:
    """Each figure of ``[targets]``: the simulated value, its CI, the published value, the
    target and whether it is met (None where the figure is shown but not a target)."""

    def row(name: str, simulated: Any, target: str, met: bool | None, ci: Any = None,
            published: Any = None, **more: Any) -> dict[str, Any]:
        return {"name": name, "simulated": simulated, "ci": ci, "published": published,
                **more, "target": target, "met": met}

    tw, tp = run["trajectory"]["without_punishment"], run["trajectory"]["with_punishment"]
    ratio = tw[-1] / tw[0] if tw[0] > 0 else math.inf
    peak = max(tp) / endowment
    most, ceiling = targets["decline_ratio_max"], targets["punishment_peak_max"]
    lo, hi = targets["period1_share"]
    rows = [
        row("without punishment: period 1 / endowment", tw[0] / endowment, f"{lo:g} to {hi:g}",
            lo <= tw[0] / endowment <= hi),
        row("without punishment: period 6 / period 1", ratio, f"<= {most:g}", ratio <= most),
        row("with punishment: period 6 - period 1 (MU)", tp[-1] - tp[0], "> 0",
            tp[-1] > tp[0]),
        row("with punishment: highest period / endowment", peak, f"<= {ceiling:g}",
            peak <= ceiling),
    ]
    # Fowler & Christakis report three degrees for the punishment treatment only
    wanted = {1: TREATMENTS, 2: TREATMENTS, 3: ("with_punishment",)}
    b = {}
    for d in DEGREES:
        lo, hi = targets[f"influence_{d}"]
        pub = published.get(f"influence_{d}", {})
        for name in TREATMENTS:
            fit = run["influence"][name][str(d)]
            b[d, name] = fit["estimate"]
            target = name in wanted[d]
            rows.append(row(
                f"influence, {d} degree{'s' if d > 1 else ''}, {report.TREATMENT_LABEL[name]}",
                fit["estimate"], f"{lo:g} to {hi:g}" if target else "(not a target)",
                # a NaN estimate (no fit) meets nothing
                bool(lo <= fit["estimate"] <= hi) if target else None, fit["ci"],
                pub.get("estimate"), published_ci=pub.get("ci")))
    # the paper's arithmetic: b1 and b2 averaged over the treatments, b3 with punishment
    arithmetic = (3 * (b[1, TREATMENTS[0]] + b[1, TREATMENTS[1]]) / 2
                  + 9 * (b[2, TREATMENTS[0]] + b[2, TREATMENTS[1]]) / 2
                  + 27 * b[3, "with_punishment"])
    lo, hi = targets["arithmetic"]
    rows.append(row("3 b1 + 9 b2 + 27 b3 (the regressions' arithmetic)", arithmetic,
                    f"{lo:g} to {hi:g}", bool(lo <= arithmetic <= hi),
                    published=published.get("multiplier", {}).get("estimate")))
    m = run["multiplier"]
    rows.append(row("causal multiplier of 1 extra MU in period 1 (paired runs)", m["estimate"],
                    "(beside the arithmetic)", None, m["ci"],
                    published.get("multiplier", {}).get("estimate")))
    return rows


# ------------------------------------------------------------------------------ outputs
def write(run: dict[str, Any], directory: Path) -> None:
    """``--out``: the long table and the network (parquet), the report and its figures."""
    lab = run["_lab"]
    lab.to_frame().to_parquet(directory / "lab.parquet", index=False)
    lab.network_frame().to_parquet(directory / "network.parquet", index=False)
    report.write(run, directory)


def metrics(run: dict[str, Any]) -> dict[str, Any]:
    """For a sweep: the influence per degree and treatment, the multipliers, the targets met."""
    return {**{f"influence_{d}_{name}": run["influence"][name][str(d)]["estimate"]
               for name in TREATMENTS for d in DEGREES},
            "multiplier": run["multiplier"]["estimate"],
            "multiplier_first_block": run["multiplier_first_block"]["estimate"],
            "targets_met": sum(1 for row in run["targets"] if row["met"])}


EXPERIMENT = Experiment(
    name="fowler-christakis",
    summary=SUMMARY,
    description=__doc__,
    parameters=PARAMETERS,
    sections=SECTIONS,
    seed="experiment.seed",
    # a few large tasks whose kernels run their sessions in parallel: one worker by default
    workers_default=lambda params, options: 1,
    kernel_threads=True,
    options=(
        Option("--sessions", "laboratory sessions of 24 subjects (default {default})",
               type=integer_at_least("--sessions", 1), metavar="N",
               default=lambda params: params["experiment"].get("sessions")),
        Option("--pairs", "paired counterfactual runs (default {default})",
               type=integer_at_least("--pairs", 1), metavar="N",
               default=lambda params: params["experiment"].get("pairs")),
        Option("--spec", "exposure of the cascade regressions: the contacts' mean, or one row "
               "per contact (default {default}); each has its own calibration",
               choices=SPECS, default=lambda params: params["experiment"].get("spec")),
        Option("--no-sensitivity", "skip the sensitivity table", flag_only=True),
    ),
    settings=settings,
    run=run,
    table=report.table_text,
    write=write,
    metrics=metrics,
)
