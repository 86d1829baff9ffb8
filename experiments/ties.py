"""Strong and weak ties: which seeding, ties and weaving carry cooperation across silos.

SCIENCE.md §6: cooperation started by a committed few (a campaign team giving the whole
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

A second part (``[centola]`` in the parameters) is Centola's comparison (Centola & Macy
2007; Centola 2010, Science 329:1194): the same degree on a clustered ring lattice and on a
random regular network, simple against complex contagion, the campaign seeded as one local
cluster (a node and its contacts) or at random. It measures final cooperation among
non-campaign agents and the rounds until half of them cooperate, with the same intervals and
the same rule for claims, and says where the clustered network beats the random one.

Every cell of one replicate plays on the same network with the same population and the same
random numbers (common random numbers), so differences between cells are paired. Parameters
are in experiments/ties.toml. --json prints one object whose ``results`` are rows
``{seeding, bridging, contagion, weaving, metric, estimate, ci}`` and whose ``centola`` rows
are ``{network, seeding, contagion, metric, estimate, ci}``; --out DIR writes report.md,
results.json, runs.csv, centola_runs.csv and the figures, all or nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

SUMMARY = "strong and weak ties: campaign seeding, bridging, simple vs complex contagion, weaving"
PARAMETERS = Path(__file__).with_name("ties.toml")
SECTIONS = ("experiment", "grid", "simulation")
AXES = ("seeding", "bridging", "contagion", "weaving")
METRICS = ("final_cooperation", "reach", "rounds_to_half", "censored")
METRIC_LABEL = {
    "final_cooperation": "final cooperation (non-campaign agents)",
    "reach": "reach: cooperation in unseeded teams",
    "rounds_to_half": "rounds to 50% cooperation in unseeded teams (median)",
    "censored": "share of runs never reaching 50% in unseeded teams",
}
#: bootstrap resamples for the medians' and shares' intervals
BOOTSTRAP = 2000
#: the Centola part: its axes, its metrics, and the keys its table may hold
CENTOLA_AXES = ("network", "seeding", "contagion")
CENTOLA_METRICS = ("final_cooperation", "rounds_to_half", "censored")
CENTOLA_KEYS = (*CENTOLA_AXES, "replicates", "simulation")
CENTOLA_LABEL = {
    "final_cooperation": "final cooperation",
    "rounds_to_half": "rounds to 50%",
    "censored": "runs never reaching 50%",
}
#: metrics where the smaller estimate is the better outcome
LOWER_IS_BETTER = frozenset({"rounds_to_half", "censored"})
#: spawn-key prefix of the Centola part's replicates (the silo part's keys are (bridging, r))
CENTOLA_STREAM = 2010


# ----------------------------------------------------------------------------- parameters
def load_parameters(path: Path = PARAMETERS) -> dict[str, Any]:
    from cli.base import UsageError
    from experiments import read_parameters

    params = read_parameters(path, SECTIONS)
    for axis in AXES:
        values = params["grid"].get(axis)
        if not isinstance(values, list) or not values:
            raise UsageError(f"--params '{path}': [grid] {axis} must be a non-empty list")
    centola = params.get("centola")
    if centola is not None:
        unknown = sorted(set(centola) - set(CENTOLA_KEYS))
        if unknown:
            raise UsageError(f"--params '{path}': [centola] has unknown key(s) "
                             f"{', '.join(unknown)}; allowed: {', '.join(CENTOLA_KEYS)}")
        for axis in CENTOLA_AXES:
            values = centola.get(axis)
            if not isinstance(values, list) or not values:
                raise UsageError(f"--params '{path}': [centola] {axis} must be a non-empty "
                                 "list")
        replicates = centola.get("replicates", 1)
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
            raise UsageError(f"--params '{path}': [centola] replicates must be an integer "
                             f">= 1 (got {replicates!r})")
        if not isinstance(centola.get("simulation", {}), dict):
            raise UsageError(f"--params '{path}': [centola.simulation] must be a table")
    return params


def cell_configs(params: dict[str, Any]) -> dict[tuple, Any]:
    """The validated config of every grid cell (ConfigError, one line, on a bad value)."""
    from sim import SimulationConfig

    base = SimulationConfig.from_dict(dict(params["simulation"]))
    grid = params["grid"]
    configs = {}
    for seeding, bridging, contagion, weaving in product(*(grid[a] for a in AXES)):
        configs[(seeding, float(bridging), contagion, float(weaving))] = base.replace(
            campaign_placement=seeding, bridging=float(bridging), contagion=contagion,
            weaving=float(weaving))
    return configs


def centola_configs(params: dict[str, Any]) -> dict[tuple, Any]:
    """The validated config of every Centola cell ``(network, seeding, contagion)``: the
    ``[simulation]`` settings with ``[centola.simulation]`` over them (empty without a
    ``[centola]`` table)."""
    from sim import SimulationConfig

    centola = params.get("centola")
    if centola is None:
        return {}
    base = SimulationConfig.from_dict({**params["simulation"], **centola.get("simulation", {})})
    return {cell: base.replace(network=cell[0], campaign_placement=cell[1], contagion=cell[2])
            for cell in product(*(centola[a] for a in CENTOLA_AXES))}


# ---------------------------------------------------------------------------------- runs
def cooperation_paths(sim, masks: list[np.ndarray]) -> list[list[float]]:
    """Run ``sim`` to its last round; per round, the share of each mask's agents cooperating
    (giving at least E/2), NaN for an empty mask."""
    half = 0.5 * sim.config.endowment
    paths: list[list[float]] = [[] for _ in masks]
    for _ in range(sim.config.rounds):
        sim.step()
        cooperating = sim.contribution >= half
        for path, mask in zip(paths, masks, strict=True):
            path.append(float(cooperating[mask].mean()) if mask.any() else math.nan)
    return paths


def campaign_mask(sim) -> np.ndarray:
    """Which agents belong to the simulation's campaign team."""
    from sim.ties import Campaign

    members = next(h for h in sim.hooks if isinstance(h, Campaign)).members
    mask = np.zeros(sim.n, dtype=bool)
    mask[members] = True
    return mask


def first_round_at_half(path: list[float]) -> int | None:
    """The first round (1-based) at which the share reached 50%; None if it never did."""
    return next((t + 1 for t, share in enumerate(path) if share >= 0.5), None)


def run_network(task: tuple) -> list[dict[str, Any]]:
    """All cells of one (bridging share, replicate): one network, one seed for every cell.

    ``task`` is ``(config dict, bridging, seed, spawn key, cells, tail)`` with ``cells`` a list
    of ``(seeding, contagion, weaving)``. Returns one record per cell.
    """
    from sim import Simulation, SimulationConfig
    from sim.networks import build_network

    config, bridging, seed, key, cells, tail = task
    base = SimulationConfig.from_dict(config).replace(bridging=bridging)
    net_seq, run_seq = np.random.SeedSequence(seed, spawn_key=tuple(key)).spawn(2)
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
            "weaving": weaving, "replicate": int(key[-1]),
            "final_cooperation": float(np.mean(everyone[-tail:])),
            "reach": float(np.mean(outside[-tail:])),
            "rounds_to_half": first_round_at_half(outside),
            "unseeded_agents": int(unseeded.sum()),
            "final_mean_degree": float(sim.graph.degree.mean()),
        })
    return records


def run_centola(task: tuple) -> list[dict[str, Any]]:
    """All Centola cells of one replicate: every network built once (the random ones from
    the replicate's seed), every cell on it with the same run seed.

    ``task`` is ``(config dict, networks, seed, spawn key, cells, tail)`` with ``cells`` a
    list of ``(seeding, contagion)``. Returns one record per (network, cell), with the
    network's mean local clustering and the run's cooperation path.
    """
    from sim import Simulation, SimulationConfig
    from sim.analysis.roles import team_clustering
    from sim.networks import build_network

    config, networks, seed, key, cells, tail = task
    base = SimulationConfig.from_dict(config)
    run_seq, *net_seqs = np.random.SeedSequence(seed, spawn_key=tuple(key)).spawn(
        1 + len(networks))
    records = []
    for network, net_seq in zip(networks, net_seqs, strict=True):
        graph = build_network(base.replace(network=network), np.random.default_rng(net_seq))
        clustering = float(team_clustering(graph, np.zeros(graph.n, dtype=np.int64))[0].mean())
        for seeding, contagion in cells:
            cfg = base.replace(network=network, campaign_placement=seeding,
                               contagion=contagion)
            sim = Simulation(cfg, seed=run_seq, graph=graph)
            (path,) = cooperation_paths(sim, [~campaign_mask(sim)])
            records.append({
                "network": network, "seeding": seeding, "contagion": contagion,
                "replicate": int(key[-1]), "final_cooperation": float(np.mean(path[-tail:])),
                "rounds_to_half": first_round_at_half(path), "clustering": clustering,
                "path": path,
            })
    return records


def run_task(task: tuple) -> list[dict[str, Any]]:
    """One worker task: ``("silos", task)`` for :func:`run_network`, ``("centola", task)``
    for :func:`run_centola` (one pool for both parts)."""
    part, payload = task
    return (run_centola if part == "centola" else run_network)(payload)


def run_experiment(params: dict[str, Any], replicates: int, seed: int, workers: int,
                   centola_replicates: int | None = None) -> dict[str, Any]:
    """Run every cell on ``replicates`` networks per bridging share, and every Centola cell
    (if the parameters have a ``[centola]`` table) on ``centola_replicates`` networks per
    network type (default: ``replicates``); aggregate with CIs."""
    from experiments.validation import _map as map_over_workers

    configs = cell_configs(params)  # validates every cell before any work
    centola_cells = centola_configs(params)
    grid = params["grid"]
    tail = int(params["experiment"].get("tail", 5))
    cells = [(s, c, float(w)) for s, c, w in product(grid["seeding"], grid["contagion"],
                                                     grid["weaving"])]
    base = next(iter(configs.values())).to_dict()
    tasks = [("silos", (base, float(b), seed, (bi, r), cells, tail))
             for bi, b in enumerate(grid["bridging"]) for r in range(replicates)]
    centola_settings = None
    if centola_cells:
        centola = params["centola"]
        if centola_replicates is None:
            centola_replicates = replicates
        centola_base = next(iter(centola_cells.values())).to_dict()
        pairs = list(product(centola["seeding"], centola["contagion"]))
        tasks += [("centola", (centola_base, list(centola["network"]), seed,
                               (CENTOLA_STREAM, r), pairs, tail))
                  for r in range(centola_replicates)]
        centola_settings = {
            "replicates": centola_replicates,
            "grid": {a: list(centola[a]) for a in CENTOLA_AXES},
            "simulation": {k: v for k, v in centola_base.items()
                           if k not in ("network", "campaign_placement", "contagion")}}
    load_before = os.getloadavg()
    started = time.perf_counter()
    batches = map_over_workers(run_task, tasks, workers)
    seconds = time.perf_counter() - started
    records = [rec for (part, _), batch in zip(tasks, batches, strict=True) if part == "silos"
               for rec in batch]
    centola_records = [rec for (part, _), batch in zip(tasks, batches, strict=True)
                       if part == "centola" for rec in batch]
    run = {
        "records": records,
        "results": aggregate(records, grid),
        "centola_records": centola_records,
        "centola": (aggregate(centola_records, centola_settings["grid"], CENTOLA_AXES,
                              ("final_cooperation",)) if centola_settings else []),
        "settings": {"replicates": replicates, "seed": seed, "grid": grid,
                     "simulation": {k: v for k, v in base.items()
                                    if k not in ("campaign_placement", "bridging",
                                                 "contagion", "weaving")},
                     "tail": tail, "centola": centola_settings},
        "timing": {"seconds": seconds, "runs": len(records) + len(centola_records),
                   "silo_runs": len(records), "centola_runs": len(centola_records),
                   "workers": min(workers or os.cpu_count() or 1, len(tasks)),
                   "cpus": os.cpu_count(), "load_before": list(load_before),
                   "load_after": list(os.getloadavg())},
    }
    return run


# ------------------------------------------------------------------------- statistics
def mean_interval(values: list[float]) -> tuple[float | None, list[float | None]]:
    """Mean and 95% t interval (``sim.analysis.causal.mean_ci``), NaNs dropped."""
    from sim.analysis.causal import mean_ci

    arr = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if not len(arr):
        return None, [None, None]
    mean, lo, hi = mean_ci(arr)
    if len(arr) < 2:
        return float(mean), [None, None]
    return float(mean), [float(lo), float(hi)]


def _bootstrap(values: np.ndarray, statistic) -> list[float | None]:
    """95% percentile bootstrap interval (fixed resampling generator: reproducible)."""
    if len(values) < 2:
        return [None, None]
    rng = np.random.default_rng(0)
    draws = statistic(values[rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))])
    lo, hi = np.quantile(draws, [0.025, 0.975], method="inverted_cdf")  # inf-safe
    return [_finite(lo), _finite(hi)]


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def time_to_half(rounds: list[int | None]) -> tuple[float | None, list[float | None],
                                                     float, list[float | None]]:
    """Median rounds to 50% (censored runs count as never, so the median is None when half
    or more are censored), its bootstrap interval, and the censored share with its own."""
    times = np.array([math.inf if r is None else float(r) for r in rounds])
    median = _finite(np.median(times)) if len(times) else None
    censored = np.isinf(times).astype(float)
    return (median, _bootstrap(times, lambda d: np.median(d, axis=1)),
            float(censored.mean()) if len(censored) else math.nan,
            _bootstrap(censored, lambda d: d.mean(axis=1)))


def aggregate(records: list[dict[str, Any]], grid: dict[str, list],
              axes: tuple[str, ...] = AXES,
              means: tuple[str, ...] = ("final_cooperation", "reach")) -> list[dict[str, Any]]:
    """One row per (cell, metric): ``{*axes, metric, estimate, ci}``, the cells those of
    ``grid`` over ``axes`` (numbers as floats); the ``means`` metrics, then the rounds to
    50% and the censored share."""
    by_cell: dict[tuple, list[dict[str, Any]]] = {}
    for rec in records:
        by_cell.setdefault(tuple(rec[a] for a in axes), []).append(rec)
    rows = []
    for values in product(*(grid[a] for a in axes)):
        cell = tuple(v if isinstance(v, str) else float(v) for v in values)
        runs = by_cell.get(cell, [])
        label = dict(zip(axes, cell, strict=True))
        for metric in means:
            estimate, ci = mean_interval([r[metric] for r in runs])
            rows.append({**label, "metric": metric, "estimate": estimate, "ci": ci})
        median, median_ci, censored, censored_ci = time_to_half(
            [r["rounds_to_half"] for r in runs])
        rows.append({**label, "metric": "rounds_to_half", "estimate": median, "ci": median_ci})
        rows.append({**label, "metric": "censored", "estimate": _finite(censored),
                     "ci": censored_ci})
    return rows


# ---------------------------------------------------------------------------- reading
#: smallest difference of two estimates the reading mentions (shares of agents)
MIN_DIFFERENCE = 0.05


#: smallest difference of two medians of rounds to 50% the reading mentions
MIN_DIFFERENCE_ROUNDS = 1.0


def _separated(a: dict[str, Any], b: dict[str, Any]) -> int:
    """+1 if a's interval lies wholly above b's, -1 if below, 0 if they overlap (or lack one)
    or the estimates differ by less than :data:`MIN_DIFFERENCE` (for rounds to 50%,
    :data:`MIN_DIFFERENCE_ROUNDS`)."""
    (alo, ahi), (blo, bhi) = a["ci"], b["ci"]
    smallest = (MIN_DIFFERENCE_ROUNDS if a.get("metric") == "rounds_to_half"
                else MIN_DIFFERENCE)
    if None in (alo, ahi, blo, bhi) or abs(a["estimate"] - b["estimate"]) < smallest:
        return 0
    return 1 if alo > bhi else (-1 if ahi < blo else 0)


def _compare(lines: list[str], title: str, pairs: list[tuple], label: str) -> dict[str, int]:
    """Append to ``lines`` who is ahead where intervals separate, or one "no difference"
    line; ``pairs`` are ``(context, row A, row B, name A, name B)``, and for the metrics in
    :data:`LOWER_IS_BETTER` the smaller estimate is ahead. Returns each winner's count."""
    wins: dict[str, list[str]] = {}
    for context, a, b, name_a, name_b in pairs:
        sign = _separated(a, b) * (-1 if a.get("metric") in LOWER_IS_BETTER else 1)
        if sign:
            winner, loser = (a, b) if sign > 0 else (b, a)
            key = name_a if sign > 0 else name_b
            digits = 1 if a.get("metric") == "rounds_to_half" else 2
            wins.setdefault(key, []).append(f"{context} ({_fmt(winner['estimate'], digits)} "
                                            f"vs {_fmt(loser['estimate'], digits)})")
    if not wins:
        lines.append(f"- {title}: no difference in {label} where the intervals separate "
                     f"({len(pairs)} comparisons).")
    for name, cases in wins.items():
        shown = "; ".join(cases[:4]) + (f"; and {len(cases) - 4} more" if len(cases) > 4
                                          else "")
        lines.append(f"- {title}: {name} ahead in {len(cases)} of {len(pairs)} cells: "
                     f"{shown}.")
    return {name: len(cases) for name, cases in wins.items()}


def reading(results: list[dict[str, Any]], grid: dict[str, list]) -> list[str]:
    """Short findings from the numbers: claims only where 95% intervals do not overlap and
    the estimates differ by at least :data:`MIN_DIFFERENCE`."""
    table = {(r["seeding"], r["bridging"], r["contagion"], r["weaving"], r["metric"]): r
             for r in results}
    bridging = sorted(float(b) for b in grid["bridging"])
    weaving = sorted(float(w) for w in grid["weaving"])
    lines: list[str] = []

    def compare(title, pairs, metric="reach"):
        _compare(lines, title, pairs, METRIC_LABEL[metric])

    w0 = weaving[0]
    random_b = bridging[-1]
    for contagion, w in product(grid["contagion"], weaving):
        pairs = []
        for seeding in grid["seeding"]:
            for b in bridging[:-1]:
                if b <= 0.0:
                    continue
                a = table[(seeding, b, contagion, w, "reach")]
                r = table[(seeding, random_b, contagion, w, "reach")]
                pairs.append((f"{seeding}, bridging {b:g}", a, r, "clustered silos",
                              f"random ties (bridging {random_b:g})"))
        compare(f"{contagion} contagion, clustered vs random ties (weaving {w:g})", pairs)
    if bridging[0] == 0.0 and len(bridging) > 1:
        for contagion in grid["contagion"]:
            pairs = []
            for seeding in grid["seeding"]:
                zero = table[(seeding, 0.0, contagion, w0, "reach")]
                for b in bridging[1:]:
                    pairs.append((f"{seeding}, bridging {b:g}",
                                  table[(seeding, b, contagion, w0, "reach")], zero,
                                  "bridges", "isolated silos"))
            compare(f"{contagion} contagion, bridges vs isolated silos (weaving {w0:g})", pairs)
    if {"one-team", "spread"} <= set(grid["seeding"]):
        for contagion in grid["contagion"]:
            pairs = [(f"bridging {b:g}", table[("one-team", b, contagion, w0, "reach")],
                      table[("spread", b, contagion, w0, "reach")],
                      "one team (strong ties)", "spread (weak ties)") for b in bridging]
            compare(f"{contagion} contagion, seeding one team vs spread", pairs)
    if {"brokers", "connectors"} <= set(grid["seeding"]):
        for contagion in grid["contagion"]:
            pairs = [(f"bridging {b:g}", table[("brokers", b, contagion, w0, "reach")],
                      table[("connectors", b, contagion, w0, "reach")], "brokers",
                      "connectors") for b in bridging]
            compare(f"{contagion} contagion, seeding brokers vs connectors", pairs)
    if len(weaving) > 1:
        for contagion in grid["contagion"]:
            pairs = [(f"{s}, bridging {b:g}",
                      table[(s, b, contagion, weaving[-1], "final_cooperation")],
                      table[(s, b, contagion, w0, "final_cooperation")],
                      f"weaving {weaving[-1]:g}", f"weaving {w0:g}")
                     for s in grid["seeding"] for b in bridging]
            compare(f"{contagion} contagion, weaving {weaving[-1]:g} vs {w0:g}", pairs,
                    metric="final_cooperation")
    return lines


def network_clustering(records: list[dict[str, Any]]) -> dict[str, float]:
    """Mean local clustering of each Centola network over its replicates."""
    out: dict[str, list[float]] = {}
    for rec in records:
        out.setdefault(rec["network"], []).append(rec["clustering"])
    return {name: float(np.mean(values)) for name, values in out.items()}


#: clustering gap above which two networks count as "clustered" against "random"
CLUSTERED_GAP = 0.1


def centola_reading(results: list[dict[str, Any]], grid: dict[str, list],
                    clustering: dict[str, float]) -> list[str]:
    """Where the more clustered network beats the less clustered one of the same degree, per
    contagion and seeding; where a local cluster of campaigners beats other seedings; and
    whether Centola's finding (Centola 2010: behaviour spread farther and faster on the
    clustered lattice) and Centola & Macy's (2007: simple contagion needs no clustering)
    hold here. Claims only where 95% intervals separate (:func:`_separated`)."""
    table = {tuple(r[a] for a in CENTOLA_AXES) + (r["metric"],): r for r in results}
    networks = sorted(grid["network"], key=lambda name: -clustering[name])
    label = "final cooperation, rounds to 50% or runs never reaching it"
    lines: list[str] = []
    outcome: dict[str, tuple[int, int]] = {}
    for contagion in grid["contagion"]:
        ahead = behind = 0
        for i, a in enumerate(networks):
            for b in networks[i + 1:]:
                name_a, name_b = (f"{n} (clustering {clustering[n]:.2f})" for n in (a, b))
                pairs = [(f"{seeding} seeding, {CENTOLA_LABEL[m]}",
                          table[(a, seeding, contagion, m)], table[(b, seeding, contagion, m)],
                          name_a, name_b)
                         for seeding in grid["seeding"] for m in CENTOLA_METRICS]
                wins = _compare(lines, f"{contagion} contagion, {a} vs {b}", pairs, label)
                ahead += wins.get(name_a, 0)
                behind += wins.get(name_b, 0)
        outcome[contagion] = (ahead, behind)
    if "cluster" in grid["seeding"]:
        for network, contagion in product(networks, grid["contagion"]):
            for other in (s for s in grid["seeding"] if s != "cluster"):
                pairs = [(CENTOLA_LABEL[m], table[(network, "cluster", contagion, m)],
                          table[(network, other, contagion, m)], "cluster seeding",
                          f"{other} seeding") for m in CENTOLA_METRICS]
                _compare(lines, f"{network}, {contagion} contagion, cluster vs {other} "
                         "seeding", pairs, label)
    if len(networks) < 2 or clustering[networks[0]] - clustering[networks[-1]] < CLUSTERED_GAP:
        return lines
    verdicts = {}
    for contagion, (ahead, behind) in outcome.items():
        if ahead and not behind:
            verdicts[contagion] = (f"the clustered network is ahead in {ahead} comparisons "
                                   "and never behind")
        elif behind and not ahead:
            verdicts[contagion] = (f"the random network is ahead in {behind} comparisons and "
                                   "never behind")
        elif ahead:
            verdicts[contagion] = (f"mixed: the clustered network is ahead in {ahead} "
                                   f"comparisons, the random one in {behind}")
        else:
            verdicts[contagion] = "no difference between the networks where intervals separate"
        lines.append(f"- In sum, {contagion} contagion: {verdicts[contagion]}.")
    if "complex" in outcome:
        ahead, behind = outcome["complex"]
        finals = [table[(networks[0], s, "complex", "final_cooperation")]["estimate"]
                  for s in grid["seeding"]]
        censored = [table[(networks[0], s, "complex", "censored")]["estimate"]
                    for s in grid["seeding"]]
        stalls = all(c is not None and c >= 0.5 for c in censored)
        size = (f"; but it stays small: at most {max(f for f in finals if f is not None):.2f} "
                f"cooperating on {networks[0]}, where most runs never reach 50%"
                if stalls and any(f is not None for f in finals) else "")
        lines.append("- Centola (2010), behaviour that needs reinforcement spreads farther or "
                     "faster on the clustered network: "
                     + (f"reproduced here under complex contagion{size}." if ahead and not behind
                        else f"not reproduced here under complex contagion "
                        f"({verdicts['complex']}){size}."))
    if "simple" in outcome:
        ahead, _ = outcome["simple"]
        lines.append("- Centola & Macy (2007), simple contagion needs no clustering: "
                     + ("consistent here (the clustered network is never ahead under simple "
                        "contagion)." if not ahead else "not so here: the clustered network "
                        "is ahead under simple contagion too."))
    return lines


# ------------------------------------------------------------------------- command line
def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cli.base import integer_at_least

    parser.add_argument("--replicates", type=integer_at_least("--replicates", 1), metavar="N",
                        help="networks per bridging share, and per network in the Centola "
                        "part (default: [experiment] replicates of the parameter file, 10, "
                        "and [centola] replicates)")
    parser.add_argument("--seed", type=integer_at_least("--seed", 0), metavar="INT",
                        help="master seed; every network's and run's seed derives from it "
                        "(default: [experiment] seed, 2007)")
    parser.add_argument("--workers", type=integer_at_least("--workers", 0), metavar="N",
                        help="worker processes (0: one per CPU; default: [experiment] workers); "
                        "results do not depend on it")
    parser.add_argument("--params", type=Path, default=PARAMETERS, metavar="FILE",
                        help="parameter file (default experiments/ties.toml)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write report.md, results.json, runs.csv and figures into DIR, "
                        "all or nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")


def main(args: argparse.Namespace) -> int:
    from cli.output import OutputDir, check_out_dir, write_json

    params = load_parameters(args.params)
    exp = params["experiment"]
    replicates = args.replicates if args.replicates is not None else int(exp["replicates"])
    seed = args.seed if args.seed is not None else int(exp["seed"])
    workers = args.workers if args.workers is not None else int(exp.get("workers", 0))
    cell_configs(params)  # one-line ConfigError before any work
    centola_configs(params)
    if args.out is not None:
        check_out_dir(args.out)
    centola_replicates = (args.replicates if args.replicates is not None
                          else int(params.get("centola", {}).get("replicates", replicates)))
    run = run_experiment(params, replicates, seed, workers, centola_replicates)
    run["reading"] = reading(run["results"], params["grid"])
    run["centola_clustering"] = network_clustering(run["centola_records"])
    run["centola_reading"] = (centola_reading(run["centola"], run["settings"]["centola"]["grid"],
                                              run["centola_clustering"])
                              if run["settings"]["centola"] else [])
    document = as_json(run)
    if args.out is not None:
        with OutputDir(args.out) as staging:
            write_json(staging / "results.json", document)
            _records_frame(run["records"]).to_csv(staging / "runs.csv", index=False)
            if run["centola_records"]:
                _records_frame(run["centola_records"]).drop(columns="path").to_csv(
                    staging / "centola_runs.csv", index=False)
            figures = write_figures(staging, run)
            (staging / "report.md").write_text(report_markdown(run, figures), encoding="utf-8")
    if args.json:
        json.dump(document, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(table_text(run))
        if args.out is not None:
            print(f"\nwrote report.md, results.json, runs.csv and figures to {args.out}/")
    return 0


def as_json(run: dict[str, Any]) -> dict[str, Any]:
    return {"experiment": "ties", "results": run["results"], "reading": run["reading"],
            "centola": run["centola"], "centola_reading": run["centola_reading"],
            "centola_clustering": run["centola_clustering"],
            "settings": run["settings"], "timing": run["timing"]}


def _records_frame(records: list[dict[str, Any]]):
    import pandas as pd

    return pd.DataFrame.from_records(records)


# ------------------------------------------------------------------------------ output
def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _fmt_ci(ci: list[float | None], digits: int = 2) -> str:
    if ci is None or all(v is None for v in ci):
        return "-"
    return f"[{_fmt(ci[0], digits)}, {_fmt(ci[1], digits)}]"


def _table_rows(run: dict[str, Any]) -> list[tuple]:
    table = {tuple(r[a] for a in AXES) + (r["metric"],): r for r in run["results"]}
    grid = run["settings"]["grid"]
    rows = []
    for seeding, bridging, contagion, weaving in product(*(grid[a] for a in AXES)):
        cell = (seeding, float(bridging), contagion, float(weaving))
        rows.append(cell + tuple(table[cell + (m,)] for m in METRICS))
    return rows


def final_degrees(records: list[dict[str, Any]]) -> dict[float, float]:
    """Mean degree at the end of the runs, per weaving rate."""
    out: dict[float, list[float]] = {}
    for rec in records:
        out.setdefault(rec["weaving"], []).append(rec["final_mean_degree"])
    return {w: float(np.mean(v)) for w, v in sorted(out.items())}


def table_text(run: dict[str, Any]) -> str:
    s, t = run["settings"], run["timing"]
    lines = [f"Strong and weak ties: {s['replicates']} networks per bridging share, seed "
             f"{s['seed']}, {t['runs']} runs in {t['seconds']:.1f} s", "",
             f"{'seeding':<11} {'bridging':>8} {'contagion':<9} {'weaving':>7}  "
             f"{'final coop.':>20}  {'reach':>20}  {'rounds to 50%':>16}  {'censored':>8}"]
    for seeding, b, c, w, final, reach, rounds, censored in _table_rows(run):
        lines.append(
            f"{seeding:<11} {b:>8g} {c:<9} {w:>7g}  "
            f"{_fmt(final['estimate']):>5} {_fmt_ci(final['ci']):>14}  "
            f"{_fmt(reach['estimate']):>5} {_fmt_ci(reach['ci']):>14}  "
            f"{_fmt(rounds['estimate'], 0):>4} {_fmt_ci(rounds['ci'], 0):>11}  "
            f"{_fmt(censored['estimate']):>8}")
    lines += ["", "mean degree at the end, by weaving rate: " + ", ".join(
        f"{w:g}: {d:.1f}" for w, d in final_degrees(run["records"]).items())]
    lines += ["", f"Reading (claims only where 95% intervals separate and estimates differ by "
              f"at least {MIN_DIFFERENCE:g}):"] + run["reading"]
    if run["centola"]:
        lines += ["", "Clustered against random ties (Centola): " + _centola_intro(run), "",
                  f"{'network':<15} {'seeding':<9} {'contagion':<9}  {'final coop.':>20}  "
                  f"{'rounds to 50%':>16}  {'censored':>8}"]
        for network, seeding, c, final, rounds, censored in _centola_rows(run):
            lines.append(f"{network:<15} {seeding:<9} {c:<9}  "
                         f"{_fmt(final['estimate']):>5} {_fmt_ci(final['ci']):>14}  "
                         f"{_fmt(rounds['estimate'], 0):>4} {_fmt_ci(rounds['ci'], 0):>11}  "
                         f"{_fmt(censored['estimate']):>8}")
        lines += ["", "Reading, clustered against random ties (same rule; rounds to 50% differ "
                  f"by at least {MIN_DIFFERENCE_ROUNDS:g}):"] + run["centola_reading"]
    return "\n".join(lines)


def _centola_rows(run: dict[str, Any]) -> list[tuple]:
    table = {tuple(r[a] for a in CENTOLA_AXES) + (r["metric"],): r for r in run["centola"]}
    grid = run["settings"]["centola"]["grid"]
    return [cell + tuple(table[cell + (m,)] for m in CENTOLA_METRICS)
            for cell in product(*(grid[a] for a in CENTOLA_AXES))]


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


def report_markdown(run: dict[str, Any], figures: list[str]) -> str:
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
        lines.append(
            f"| {seeding} | {b:g} | {c} | {w:g} | {_fmt(final['estimate'])} "
            f"{_fmt_ci(final['ci'])} | {_fmt(reach['estimate'])} {_fmt_ci(reach['ci'])} | "
            f"{_fmt(rounds['estimate'], 0)} {_fmt_ci(rounds['ci'], 0)} | "
            f"{_fmt(censored['estimate'])} |")
    lines += ["", "Weaving adds ties: mean degree at the end of the run, by weaving rate: "
              + ", ".join(f"{w:g}: {d:.1f}" for w, d in final_degrees(run["records"]).items())
              + f" (start: {sim['degree']}).", "",
              "Settings: " + ", ".join(f"{k}={v}" for k, v in sim.items()), ""]
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
            lines.append(f"| {network} | {seeding} | {c} | {_fmt(final['estimate'])} "
                         f"{_fmt_ci(final['ci'])} | {_fmt(rounds['estimate'], 0)} "
                         f"{_fmt_ci(rounds['ci'], 0)} | {_fmt(censored['estimate'])} |")
        lines += ["", "Settings of this part: " + ", ".join(
            f"{k}={v}" for k, v in run["settings"]["centola"]["simulation"].items()), ""]
    lines += [f"Time: {t['seconds']:.1f} s for {t['runs']} runs on {t['cpus']} CPUs "
              f"(load before {t['load_before'][0]:.2f}, after {t['load_after'][0]:.2f}).", ""]
    return "\n".join(lines)


def write_figures(directory: Path, run: dict[str, Any]) -> list[str]:
    """reach.png and final_cooperation.png: the metric against the bridging share, one panel
    per (contagion, weaving), one line per seeding strategy with its 95% interval."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

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
    if run["centola_records"]:
        names.append(write_centola_figure(directory, run))
    return names


def write_centola_figure(directory: Path, run: dict[str, Any]) -> str:
    """centola.png: the mean share of non-campaign agents cooperating, round by round, one
    panel per contagion, one line per (network, seeding) (Centola 2010's adoption curves)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    grid = run["settings"]["centola"]["grid"]
    paths: dict[tuple, list[list[float]]] = {}
    for rec in run["centola_records"]:
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
