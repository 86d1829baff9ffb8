"""Strong and weak ties: which seeding, ties and weaving carry cooperation across silos.

docs/science.md §6: cooperation started by a committed few (a campaign team giving the whole
endowment every round) in a network of professional silos (teams with dense ties inside and a
bridging share of ties between them, mean degree unchanged). For every combination of

- seeding: the campaign at random, at brokers, at connectors, in one team (strong-tie
  strategy) or spread across teams (weak-tie strategy);
- bridging share: 0 (isolated silos) to 1 (random ties);
- contagion: simple (conditional cooperators respond linearly to what their contacts gave) or
  complex (they move only with at least ``threshold`` cooperating contacts; Centola & Macy
  2007, AJS 113:702);
- weaving: the share of agents gaining one new random tie per round ("randomised coffee
  trials");

it measures, over replicate networks, final cooperation among non-campaign agents, the reach
beyond the seeded teams (cooperation in teams holding no campaign member) and the rounds until
half of those unseeded teams' agents cooperate (runs that never get there are censored and
counted), each with a 95% confidence interval, and writes a short reading that makes claims
only where intervals separate.

A second part (``[centola]`` in the parameters; :mod:`experiments.ties_centola`) is Centola's
comparison (Centola & Macy 2007; Centola 2010, Science 329:1194): the same degree on a
clustered ring lattice and on a random regular network, simple against complex contagion, the
campaign seeded as one local cluster (a node and its contacts) or at random. It measures final
cooperation among non-campaign agents and the rounds until half of them cooperate, with the
same intervals and the same rule for claims, and says where the clustered network beats the
random one.

Every cell of one replicate plays on the same network with the same population and the same
random numbers (common random numbers), so differences between cells are paired. Parameters
are in experiments/ties.toml. --json prints one object whose ``results`` are rows
``{seeding, bridging, contagion, weaving, metric, estimate, ci}`` and whose ``centola`` rows
are ``{network, seeding, contagion, metric, estimate, ci}``; --out DIR writes report.md,
results.json, runs.csv, centola_runs.csv and the figures, all or nothing.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from experiments.options import Option, integer_at_least
from experiments.reports import ties as report
from experiments.runtime import Experiment, Runner
from experiments.ties_centola import (
    CentolaSettings,
    centola_settings,
    centola_tasks,
    run_centola,
    summarise_centola,
)
from experiments.ties_common import (
    AXES,
    METRIC_LABEL,
    aggregate,
    campaign_mask,
    compare,
    cooperation_paths,
    first_round_at_half,
)
from sim import Simulation, SimulationConfig
from sim.config import ConfigError
from sim.networks import build_network
from sim.seeds import child_seeds, describe_seed, seed_sequence

PARAMETERS = Path(__file__).with_name("ties.toml")
SECTIONS = ("experiment", "grid", "simulation")
#: the config fields the grid sets (left out of the settings shown)
CELL_FIELDS = ("campaign_placement", "bridging", "contagion", "weaving")


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Settings:
    """The checked parameters: the grid, the first cell's config (every task starts from it),
    replicates, the tail of rounds that counts as "final", workers, and the Centola part."""

    grid: dict[str, list]
    base: dict[str, Any]
    replicates: int
    tail: int
    workers: int
    centola: CentolaSettings | None


def _integer(params: dict[str, Any], key: str, default: int | None = None,
             low: int = 1) -> int:
    """``[experiment] key``: an integer >= ``low`` (one ``ConfigError`` line otherwise)."""
    section = params.get("experiment")
    value = section.get(key, default) if isinstance(section, dict) else None
    if value is None:
        raise ConfigError(f"--params: [experiment] lacks {key} (an integer >= {low})")
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"--params: [experiment] {key} must be an integer >= {low} "
                          f"(got {value!r})")
    return value


def cell_configs(params: dict[str, Any]) -> dict[tuple, SimulationConfig]:
    """The validated config of every grid cell (ConfigError, one line, on a bad value)."""
    base = SimulationConfig.from_dict(dict(params["simulation"]))
    configs = {}
    for seeding, bridging, contagion, weaving in product(*(params["grid"][a] for a in AXES)):
        configs[(seeding, float(bridging), contagion, float(weaving))] = base.replace(
            campaign_placement=seeding, bridging=float(bridging), contagion=contagion,
            weaving=float(weaving))
    return configs


def settings(params: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Check the parameter file, the options and every cell's config before any run."""
    for name in SECTIONS:
        if not isinstance(params[name], dict):
            raise ConfigError(f"--params: [{name}] must be a table")
    grid = params["grid"]
    for axis in AXES:
        values = grid.get(axis)
        if not isinstance(values, list) or not values:
            raise ConfigError(f"--params: [grid] {axis} must be a non-empty list")
        if axis in ("bridging", "weaving") and not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise ConfigError(f"--params: [grid] {axis} must be a list of numbers")
    replicates = options["replicates"] or _integer(params, "replicates")
    tail = _integer(params, "tail", 5)
    base = next(iter(cell_configs(params).values())).to_dict()
    centola = centola_settings(params, options["replicates"], replicates)
    return Settings(grid, base, replicates, tail, int(options["workers"]), centola)


# ---------------------------------------------------------------------------------- runs
def silo_tasks(settings: Settings, seed: Any) -> list[tuple]:
    """One task per (bridging share, replicate): its network is built from
    ``child_seeds(seed, 2, bridging index, replicate)[0]``, every cell on it plays with the
    second seed."""
    grid = settings.grid
    cells = [(s, c, float(w)) for s, c, w in product(grid["seeding"], grid["contagion"],
                                                     grid["weaving"])]
    return [(settings.base, float(b), child_seeds(seed, 2, bi, r), r, cells, settings.tail)
            for bi, b in enumerate(grid["bridging"]) for r in range(settings.replicates)]


def run_network(task: tuple) -> list[dict[str, Any]]:
    """All cells of one (bridging share, replicate): one network, one seed for every cell.

    ``task`` is ``(config dict, bridging, (network seed, run seed), replicate, cells, tail)``
    with ``cells`` a list of ``(seeding, contagion, weaving)``. Returns one record per cell.
    """
    config, bridging, (net_seq, run_seq), replicate, cells, tail = task
    base = SimulationConfig.from_dict(config).replace(bridging=bridging)
    graph = build_network(base, np.random.default_rng(net_seq))
    team = graph.team
    records = []
    for seeding, contagion, weaving in cells:
        cfg = base.replace(campaign_placement=seeding, contagion=contagion, weaving=weaving)
        sim = Simulation(cfg, seed=run_seq, graph=graph)
        campaign = campaign_mask(sim)
        unseeded = ~np.isin(team, np.unique(team[campaign]))
        everyone, outside = cooperation_paths(sim, [~campaign, unseeded])
        records.append({
            "seeding": seeding, "bridging": bridging, "contagion": contagion,
            "weaving": weaving, "replicate": replicate,
            "final_cooperation": float(np.mean(everyone[-tail:])),
            "reach": float(np.mean(outside[-tail:])),
            "rounds_to_half": first_round_at_half(outside),
            "unseeded_agents": int(unseeded.sum()),
            "final_mean_degree": float(sim.graph.degree.mean()),
        })
    return records


def run_task(task: tuple) -> list[dict[str, Any]]:
    """One worker task: ``("silos", task)`` for :func:`run_network`, ``("centola", task)``
    for :func:`experiments.ties_centola.run_centola` (one map for both parts)."""
    part, payload = task
    return (run_centola if part == "centola" else run_network)(payload)


def run(settings: Settings, seed: Any, runner: Runner) -> dict[str, Any]:
    """Every cell on ``replicates`` networks per bridging share, and every Centola cell (if
    the parameters have a ``[centola]`` table) on its replicates; aggregated with CIs and
    read."""
    silos = [("silos", task) for task in silo_tasks(settings, seed)]
    centola = ([("centola", task) for task in centola_tasks(settings.centola, seed,
                                                            settings.tail)]
               if settings.centola else [])
    load_before = os.getloadavg()
    started = time.perf_counter()
    batches = runner.map(run_task, silos + centola, label="ties")
    seconds = time.perf_counter() - started
    records = [rec for batch in batches[:len(silos)] for rec in batch]
    centola_records = [rec for batch in batches[len(silos):] for rec in batch]
    results = aggregate(records, settings.grid)
    out = {
        "experiment": "ties",
        "results": results,
        "reading": reading(results, settings.grid),
        **summarise_centola(settings.centola, centola_records),
        "settings": {"replicates": settings.replicates,
                     "seed": describe_seed(seed_sequence(seed)), "grid": settings.grid,
                     "simulation": {k: v for k, v in settings.base.items()
                                    if k not in CELL_FIELDS},
                     "tail": settings.tail,
                     "centola": settings.centola.describe() if settings.centola else None},
        "timing": {"seconds": seconds, "runs": len(records) + len(centola_records),
                   "silo_runs": len(records), "centola_runs": len(centola_records),
                   "workers": min(settings.workers, len(silos) + len(centola)),
                   "cpus": os.cpu_count(), "load_before": list(load_before),
                   "load_after": list(os.getloadavg())},
    }
    out["_records"], out["_centola_records"] = records, centola_records
    return out


# ---------------------------------------------------------------------------- reading
def reading(results: list[dict[str, Any]], grid: dict[str, list]) -> list[str]:
    """Short findings from the numbers: claims only where 95% intervals do not overlap and
    the estimates differ by at least :data:`experiments.ties_common.MIN_DIFFERENCE`."""
    table = {(r["seeding"], r["bridging"], r["contagion"], r["weaving"], r["metric"]): r
             for r in results}
    bridging = sorted(float(b) for b in grid["bridging"])
    weaving = sorted(float(w) for w in grid["weaving"])
    lines: list[str] = []

    def reach(seeding, b, contagion, w):
        return table[(seeding, b, contagion, w, "reach")]

    w0 = weaving[0]
    random_b = bridging[-1]
    for contagion, w in product(grid["contagion"], weaving):
        pairs = [(f"{seeding}, bridging {b:g}", reach(seeding, b, contagion, w),
                  reach(seeding, random_b, contagion, w), "clustered silos",
                  f"random ties (bridging {random_b:g})")
                 for seeding in grid["seeding"] for b in bridging[:-1] if b > 0.0]
        compare(lines, f"{contagion} contagion, clustered vs random ties (weaving {w:g})",
                pairs, METRIC_LABEL["reach"])
    if bridging[0] == 0.0 and len(bridging) > 1:
        for contagion in grid["contagion"]:
            pairs = [(f"{seeding}, bridging {b:g}", reach(seeding, b, contagion, w0),
                      reach(seeding, 0.0, contagion, w0), "bridges", "isolated silos")
                     for seeding in grid["seeding"] for b in bridging[1:]]
            compare(lines, f"{contagion} contagion, bridges vs isolated silos (weaving "
                    f"{w0:g})", pairs, METRIC_LABEL["reach"])
    for a, b, title, name_a, name_b in (
            ("one-team", "spread", "one team vs spread", "one team (strong ties)",
             "spread (weak ties)"),
            ("brokers", "connectors", "brokers vs connectors", "brokers", "connectors")):
        if {a, b} <= set(grid["seeding"]):
            for contagion in grid["contagion"]:
                pairs = [(f"bridging {x:g}", reach(a, x, contagion, w0),
                          reach(b, x, contagion, w0), name_a, name_b) for x in bridging]
                compare(lines, f"{contagion} contagion, seeding {title}", pairs,
                        METRIC_LABEL["reach"])
    if len(weaving) > 1:
        for contagion in grid["contagion"]:
            pairs = [(f"{s}, bridging {b:g}",
                      table[(s, b, contagion, weaving[-1], "final_cooperation")],
                      table[(s, b, contagion, w0, "final_cooperation")],
                      f"weaving {weaving[-1]:g}", f"weaving {w0:g}")
                     for s in grid["seeding"] for b in bridging]
            compare(lines, f"{contagion} contagion, weaving {weaving[-1]:g} vs {w0:g}", pairs,
                    METRIC_LABEL["final_cooperation"])
    return lines


def headline(run: dict[str, Any]) -> dict[str, float]:
    """For a sweep: mean final cooperation and reach over every cell, reach averaged over
    the other axes for each value of each axis (``reach:bridging=0.05``), and the Centola
    part's final cooperation per network and contagion, averaged over seedings."""
    def mean(rows, metric, **where):
        values = [r["estimate"] for r in rows if r["metric"] == metric
                  and r["estimate"] is not None and all(r[k] == v for k, v in where.items())]
        return float(np.mean(values)) if values else math.nan

    results = run["results"]
    out = {metric: mean(results, metric) for metric in ("final_cooperation", "reach")}
    for axis in AXES:
        for value in run["settings"]["grid"][axis]:
            cell = value if isinstance(value, str) else float(value)
            name = value if isinstance(value, str) else f"{float(value):g}"
            out[f"reach:{axis}={name}"] = mean(results, "reach", **{axis: cell})
    if run["settings"]["centola"]:
        grid = run["settings"]["centola"]["grid"]
        for network, contagion in product(grid["network"], grid["contagion"]):
            out[f"centola:final_cooperation:{network}:{contagion}"] = mean(
                run["centola"], "final_cooperation", network=network, contagion=contagion)
    return out


def table(run: dict[str, Any]) -> str:
    return report.table_text(run, run["_records"], run["_centola_records"])


def write(run: dict[str, Any], directory: Path) -> None:
    report.write(run, directory, run["_records"], run["_centola_records"])


EXPERIMENT = Experiment(
    name="ties",
    summary="strong and weak ties: campaign seeding, bridging, simple vs complex contagion, "
    "weaving",
    description=__doc__,
    parameters=PARAMETERS,
    sections=SECTIONS,
    seed="experiment.seed",
    options=(
        Option("--replicates", "networks per bridging share, and per network type in the "
               "Centola part (default: [experiment] replicates of the parameter file, and "
               "[centola] replicates)", type=integer_at_least("--replicates", 1),
               metavar="N"),
    ),
    settings=settings,
    run=run,
    table=table,
    write=write,
    metrics=headline,
    workers_default=lambda params, options: _integer(params, "workers", 0, low=0),
)
