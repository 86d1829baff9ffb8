"""Validation against published theory: the engine reproduces three classic results.

Each study runs the engine (or, where the engine cannot express the published model, the engine
plus one small documented piece) and sets the measured figures beside the published ones:

  santos2008     Santos, Santos & Pacheco 2008 (Nature 454:213): fraction of cooperators
                 against eta = r/(z+1), public-goods games on random regular and scale-free
                 networks (N = 1000, z = 4), cost per game and per individual, proportional
                 imitation, synchronous updates; payoffs net of the kept endowment as in the
                 paper (sim.validation.net_payoff), plus the engine's own for comparison.
  ohtsuki2006    Ohtsuki et al. 2006 (Nature 441:502): under death-birth updating and weak
                 selection a single cooperator fixes with probability above 1/N when b/c > k
                 (edges groups, r = 2(b/c)/(1+b/c), E = b + c; sim.analysis.fixation runs
                 each to absorption on random regular graphs, k = 3, 4, 6).
  nowak_may1992  Nowak & May 1992 (Nature 359:826): spatial prisoner's dilemma, imitation of
                 the best on the Moore lattice; for 1.8 < b < 2 cooperators settle around
                 12 ln 2 - 8 = 0.318 (sim.validation.nowak_may).

Parameters (grids, runs, published values with citations): experiments/validation.toml.
--quick runs a small version of every study (seconds; the full one takes minutes). Every run's
seed is split from --seed by study and position: the numbers depend on neither --workers nor
the other studies chosen.

Output: a side-by-side table; --json prints one object whose "results" are rows
{study, condition, x, simulated, published, ci, n, note}; --out DIR writes report.md,
results.json and one PNG per study, all or nothing (experiments/reports/validation.py).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numba
import numpy as np

from experiments.options import Option
from experiments.reports import validation as report
from experiments.runtime import Experiment, Runner
from experiments.runtime import as_json as plain_json
from sim.analysis.fixation import (
    crossing_point,
    fixation_probability,
    regular_threshold,
    wilson_interval,
)
from sim.analysis.stats import bootstrap_ci, finite
from sim.config import ConfigError, SimulationConfig
from sim.networks import build_network
from sim.seeds import child_seed, describe_seed, seed_sequence
from sim.simulation import Simulation
from sim.validation.net_payoff import NetPayoffSimulation
from sim.validation.nowak_may import run_nowak_may

PARAMETERS = Path(__file__).with_name("validation.toml")
STUDIES = ("santos2008", "ohtsuki2006", "nowak_may1992")
#: the spawn-key prefix of each study, so a study's numbers do not depend on which others run
STUDY_KEYS = {name: i for i, name in enumerate(STUDIES)}
#: what each study's table needs once its quick or full overlay is applied; the counts
#: (second string) must be integers >= 1
REQUIRED = {
    "santos2008": ("n degree eta conditions published initial_cooperation update endowment",
                   "runs rounds average"),
    "ohtsuki2006": ("network selection cost degrees offsets", "n graphs runs"),
    "nowak_may1992": ("b initial_defectors published", "side generations average seeds"),
}


# -------------------------------------------------------------------------------- results
@dataclass
class Row:
    """One compared figure: what was simulated at ``x`` and what was published there (a row
    of the --json "results")."""

    study: str
    condition: str
    x: float
    simulated: float
    published: float | None = None
    ci: tuple[float, float] | None = None
    n: int | None = None
    note: str = ""


@dataclass
class StudyResult:
    """A study's rows plus what the report needs to draw it (``plot``, not in --json)."""

    name: str
    rows: list[Row]
    settings: dict[str, Any]
    plot: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- parameters
def overlay(raw: dict[str, Any], quick: bool) -> dict[str, dict[str, Any]]:
    """Each study's settings: its shared table overlaid with ``full`` or ``quick``; checked."""
    out = {}
    for name in STUDIES:
        table = dict(raw[name])
        for size in ("quick", "full"):
            if not isinstance(table.get(size), dict):
                raise ConfigError(f"--params: [{name}] needs a [{name}.{size}] table")
        size = table.pop("quick" if quick else "full")
        table.pop("full" if quick else "quick")
        table.update(size)
        entries, counts = (text.split() for text in REQUIRED[name])
        missing = [key for key in entries + counts if key not in table]
        if missing:
            raise ConfigError(f"--params: [{name}] lacks {', '.join(missing)}")
        for key in counts:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"--params: [{name}] {key} must be an integer >= 1 "
                                  f"(got {value!r})")
        out[name] = table
    if out["ohtsuki2006"]["runs"] < out["ohtsuki2006"]["graphs"]:
        raise ConfigError("--params: [ohtsuki2006] runs must be at least graphs")
    return out


def _mean_ci(values: list[float]) -> tuple[float, tuple[float, float] | None]:
    """Mean over runs and its 95% bootstrap interval (4000 resamples), which stays inside
    [0, 1] for shares."""
    return float(np.mean(values)), bootstrap_ci(values, draws=4000)


# ------------------------------------------------------------------- Santos et al. 2008
def stationary_cooperators(config, seed, average: int, net_payoff: bool) -> tuple[float, int]:
    """Share of cooperators averaged over the last ``average`` of ``config.rounds`` rounds.

    Without mutation all-C and all-D are absorbing: a run that reaches one stops there and
    reports it. Returns (share, rounds played).
    """
    sim = (NetPayoffSimulation if net_payoff else Simulation)(config, seed=seed)
    tail: list[float] = []
    for t in range(config.rounds):
        sim.step()
        share = sim.latest()["cooperators"]
        if share <= 0.0 or share >= 1.0:
            return share, t + 1
        if t >= config.rounds - average:
            tail.append(share)
    return float(np.mean(tail)), config.rounds


def santos_configs(p: dict[str, Any]) -> list[list[SimulationConfig]]:
    """The engine settings of every (condition, eta), validated."""
    z = p["degree"]
    configs = []
    for cond in p["conditions"]:
        try:
            configs.append([SimulationConfig(
                n=p["n"], network=cond["network"], degree=z, groups="neighbourhood",
                cost=cond["cost"], r=eta * (z + 1), strategies="binary",
                initial_cooperation=p["initial_cooperation"], rule="proportional",
                update=p["update"], mutation=0.0, endowment=p["endowment"], rounds=p["rounds"],
            ).validate() for eta in p["eta"]])
        except (ConfigError, KeyError, TypeError) as err:
            raise ConfigError(f"--params: [santos2008] condition {cond.get('name')!r}: "
                              f"{err}") from None
    return configs


def _santos_task(task: tuple) -> float:
    config, seed, average, net = task
    return stationary_cooperators(config, seed, average, net)[0]


def run_santos(p: dict[str, Any], seed: Any, runner: Runner) -> StudyResult:
    """Fraction of cooperators against eta on each network / cost condition."""
    published = {entry["condition"]: entry for entry in p["published"]}
    # runs are seeded by (network kind, eta, run), not by condition: every condition on the
    # same kind of network plays on the same networks from the same starts (common random
    # numbers), so differences between conditions are paired
    kinds = sorted({cond["network"] for cond in p["conditions"]})
    study = STUDY_KEYS["santos2008"]
    tasks = [
        (config, child_seed(seed, study, kinds.index(cond["network"]), ei, r), p["average"],
         cond["payoff"] == "net")
        for cond, configs in zip(p["conditions"], santos_configs(p), strict=True)
        for ei, config in enumerate(configs)
        for r in range(p["runs"])
    ]
    values = iter(runner.map(_santos_task, tasks, "santos2008"))
    rows: list[Row] = []
    curves: list[dict[str, Any]] = []
    for cond in p["conditions"]:
        compare = cond.get("compare", cond["name"])
        pub = published.get(compare)
        means, cis = [], []
        for eta in p["eta"]:
            mean, interval = _mean_ci([next(values) for _ in range(p["runs"])])
            means.append(mean)
            cis.append(interval)
            value = _published_at(pub, eta)
            rows.append(Row(
                "santos2008", cond["name"], eta, mean, value, interval, p["runs"],
                _santos_note(cond, pub if value is not None else None, compare),
            ))
        curves.append({"name": cond["name"], "eta": list(p["eta"]), "mean": means, "ci": cis,
                       "payoff": cond["payoff"]})
    settings = {k: p[k] for k in ("n", "degree", "eta", "runs", "rounds", "average", "update",
                                  "initial_cooperation")}
    return StudyResult("santos2008", rows, settings,
                       {"curves": curves, "published": p["published"]})


def _published_at(entry: dict[str, Any] | None, x: float) -> float | None:
    if entry is None:
        return None
    for xv, yv in zip(entry["eta"], entry["cooperators"], strict=True):
        if abs(xv - x) < 1e-9:
            return float(yv)
    return None


def _santos_note(cond: dict[str, Any], pub: dict[str, Any] | None, compare: str) -> str:
    parts = []
    if cond["payoff"] == "engine":
        parts.append("engine payoffs (each agent keeps E in each of its k+1 games)")
    if pub is not None:
        if compare != cond["name"]:
            parts.append(f"published: '{compare}'")
        if not pub.get("verified", False):
            parts.append("published value approximate (not read off the printed figure)")
    return "; ".join(parts)


# ------------------------------------------------------------------ Ohtsuki et al. 2006
def _fixation_task(task: tuple):
    return fixation_probability(*task)


def run_ohtsuki(p: dict[str, Any], seed: Any, runner: Runner) -> StudyResult:
    """Fixation probability of one cooperator against b/c, and where N rho crosses 1."""
    n, w, c, count = p["n"], p["selection"], p["cost"], p["graphs"]
    study = STUDY_KEYS["ohtsuki2006"]
    graphs = {k: [build_network(SimulationConfig(n=n, network=p["network"], degree=k),
                                np.random.default_rng(child_seed(seed, study, k, 0, g)))
                  for g in range(count)]
              for k in p["degrees"]}
    ratios = {k: [k + off for off in p["offsets"]] for k in p["degrees"]}
    # one task per (k, b/c, graph), each run keyed by its index in the counter-based generator
    tasks = [(graph, bc * c, c, w, p["runs"] // count + (g < p["runs"] % count),
              child_seed(seed, study, k, 1 + oi, g).generate_state(1, np.uint64)[0])
             for k in p["degrees"] for oi, bc in enumerate(ratios[k])
             for g, graph in enumerate(graphs[k])]
    estimates = iter(runner.map(_fixation_task, tasks, "ohtsuki2006"))
    rows: list[Row] = []
    panels = []
    for k in p["degrees"]:
        ratio = ratios[k]
        y, se, lo, hi, stuck = [], [], [], [], 0
        for bc in ratio:
            fixed = runs = 0
            for est in (next(estimates) for _ in range(count)):
                fixed += est.fixed
                runs += est.runs
                stuck += est.not_absorbed
            rho = fixed / runs
            ci = wilson_interval(fixed, runs)
            y.append(n * rho)
            se.append(n * math.sqrt(max(rho * (1 - rho), 1.0 / runs) / runs))
            lo.append(n * ci[0])
            hi.append(n * ci[1])
            rows.append(Row(
                "ohtsuki2006", f"k={k}, N={n}: N*rho_C", bc, n * rho, None,
                (n * ci[0], n * ci[1]), runs,
                "N*rho_C > 1 means cooperation is favoured (rho_C > 1/N); 95% Wilson interval",
            ))
        crossing = crossing_point(ratio, np.asarray(y) - 1.0, se, seed=seed)
        threshold = regular_threshold(n, k)
        ci = crossing.ci if finite(crossing.ci).size == 2 else None
        rows.append(Row("ohtsuki2006", f"k={k}, N={n}: crossing b/c* vs the rule b/c = k",
                        float(k), crossing.estimate, float(k), ci, p["runs"] * len(ratio),
                        crossing.method))
        rows.append(Row("ohtsuki2006", f"k={k}, N={n}: crossing b/c* vs (N-2)/(N/k-2)",
                        float(k), crossing.estimate, threshold, ci, p["runs"] * len(ratio),
                        "finite-N weak-selection threshold for k-regular graphs"))
        panels.append({"k": k, "ratio": ratio, "y": y, "lo": lo, "hi": hi,
                       "crossing": crossing.estimate, "crossing_ci": crossing.ci,
                       "finite": threshold, "not_absorbed": stuck})
    settings = {k: p[k] for k in ("n", "network", "selection", "cost", "graphs", "runs",
                                  "degrees", "offsets")}
    return StudyResult("ohtsuki2006", rows, settings,
                       {"panels": panels, "n": n})


# ---------------------------------------------------------------------- Nowak & May 1992
def _nowak_may_task(task: tuple):
    return run_nowak_may(*task)


def run_nowak_may_study(p: dict[str, Any], seed: Any,
                        runner: Runner) -> StudyResult:
    """Share of cooperators in the chaotic regime, averaged over late generations."""
    study = STUDY_KEYS["nowak_may1992"]
    tasks = [(p["side"], float(b), p["generations"], p["initial_defectors"],
              child_seed(seed, study, bi, s))
             for bi, b in enumerate(p["b"]) for s in range(p["seeds"])]
    results = iter(runner.map(_nowak_may_task, tasks, "nowak_may1992"))
    rows, runs = [], []
    for b in p["b"]:
        shares = []
        for s in range(p["seeds"]):
            result = next(results)
            shares.append(result.mean_share(p["average"]))
            if s == 0:
                runs.append({"b": b, "result": result})
        mean, interval = _mean_ci(shares)
        note = (f"{p['side']}x{p['side']} periodic Moore lattice, {p['initial_defectors']:g} "
                f"defectors at the start, mean of generations {p['generations'] - p['average'] + 1}"
                f"-{p['generations']} over {p['seeds']} starts (95% bootstrap interval over "
                "starts)")
        if not p.get("verified", False):
            note += "; published value from secondary sources, not checked in print"
        rows.append(Row("nowak_may1992", "share of cooperators, chaotic regime", float(b), mean,
                        float(p["published"]), interval, p["seeds"], note))
    settings = {k: p[k] for k in ("side", "generations", "average", "seeds", "b",
                                  "initial_defectors")}
    return StudyResult("nowak_may1992", rows, settings,
                       {"runs": runs, "published": p["published"]})


RUNNERS = {"santos2008": run_santos, "ohtsuki2006": run_ohtsuki,
           "nowak_may1992": run_nowak_may_study}


# --------------------------------------------------------------------------- the studies
def run_studies(params: dict[str, dict[str, Any]], quick: bool, seed: Any, runner: Runner,
                studies: list[str] | None = None) -> dict[str, Any]:
    """Run the chosen studies (default: all): {"results": [StudyResult], "meta": {...}}."""
    load_before = os.getloadavg()
    begin = time.perf_counter()
    results, seconds = [], {}
    for name in studies or STUDIES:
        results.append(RUNNERS[name](params[name], seed, runner))
        seconds[name] = time.perf_counter() - begin - sum(seconds.values())
    meta = {
        "quick": quick,
        "seed": describe_seed(seed_sequence(seed)),
        "seconds": time.perf_counter() - begin,
        "study_seconds": seconds,
        "load_before": list(load_before),
        "load_after": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
    }
    return {"results": results, "meta": meta}


def as_json(run: dict[str, Any]) -> dict[str, Any]:
    """The --json document of a :func:`run_studies` result (non-finite numbers become None)."""
    return plain_json({
        "experiment": "validation",
        "quick": run["meta"]["quick"],
        "seed": run["meta"]["seed"],
        "results": [asdict(row) for result in run["results"] for row in result.rows],
        "settings": {r.name: r.settings for r in run["results"]},
        "timing": {k: v for k, v in run["meta"].items() if k not in ("quick", "seed")},
    })


# -------------------------------------------------------------------- the runtime's view
@dataclass(frozen=True)
class Settings:
    quick: bool
    studies: list[str]
    params: dict[str, dict[str, Any]]


def chosen_studies(value: Any) -> list[str]:
    """The studies of ``--study`` (None: all), in their fixed order; unknown ones refused."""
    if value is None:
        return list(STUDIES)
    names = [name.strip() for item in ([value] if isinstance(value, str) else value)
             for name in str(item).split(",") if name.strip()]
    for name in names or [""]:
        if name not in STUDIES:
            raise ConfigError(f"--study '{name}' is unknown; allowed: {', '.join(STUDIES)}")
    return [name for name in STUDIES if name in names]


def settings(params: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Check --study and the parameter file (with every Santos engine setting) up front."""
    studies = chosen_studies(options["study"])
    tables = overlay(params, bool(options["quick"]))
    santos_configs(tables["santos2008"])
    return Settings(bool(options["quick"]), studies, tables)


def run(settings: Settings, seed: Any, runner: Runner) -> dict[str, Any]:
    """Every chosen study on ``runner``: the --json document, plus the figures' data as the
    private entry ``_plots`` (``{study: plot}``, for the report only)."""
    studies = run_studies(settings.params, settings.quick, seed, runner, settings.studies)
    return {**as_json(studies), "_plots": {result.name: result.plot
                                           for result in studies["results"]}}


EXPERIMENT = Experiment(
    name="validation",
    summary="reproduce Santos et al. 2008, Ohtsuki et al. 2006 and Nowak & May 1992 beside "
    "the published figures",
    description=__doc__,
    parameters=PARAMETERS,
    sections=STUDIES,
    seed=0,
    options=(
        Option("--quick", "a small version of every study (seconds instead of minutes)",
               flag_only=True),
        Option("--study", "run only this study (repeatable, or a comma list): "
                   + ", ".join(STUDIES), type=str, metavar="NAME", append=True),
    ),
    settings=settings,
    # the quick studies are seconds of work: starting a cluster would cost more
    workers_default=lambda params, options: 1 if options.get("quick") else 0,
    run=run,
    table=report.table_text,
    write=report.write,
    metrics=report.headline,
)
