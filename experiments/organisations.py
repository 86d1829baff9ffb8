"""Organisations that compete or cooperate: the team and the system as two public goods.

docs/science.md section 8. People in organisations (teams) split what they give between
their organisation's pool (return ``mpcr_local`` to every team-mate) and the system's pool
(return ``mpcr_system``, shared with their contacts in other organisations, or by everyone),
in the engine's two-level game with the calibrated human-like people and their split
(sim/behaviour/split.py). Policies between organisations (league table, payment by results,
system reward, pooled budgets; sim/policies/organisations.py) and the individual-level ones
pay the same budget per person per round. The grid of organisations.toml crosses

- policies: ``none`` or a policy label; labels join with "+" a policy between organisations
  and any ``--policy`` institutions (``league-table+punishment``);
- structures: silos with a bridging share from 0 (isolated) to 1 (random ties), and
  organisation graphs whose ties between organisations follow a small-world (Watts &
  Strogatz 1998, Nature 393:440) or scale-free (Barabási & Albert 1999, Science 286:509)
  graph of organisations;
- ratios of the system's to the local return (``mpcr_system = ratio * mpcr_local``).

World r of a structure is the same network and population under every policy and ratio
(common random numbers), so each policy's difference from ``none`` is paired. Per cell, over
``--replicates`` worlds, each with a 95% t interval: ``local`` and ``system`` (mean MU given
per person per round to each pool), ``system_share`` (system / total giving), ``welfare``
(mean payoff per person per round, net of the budget the policies paid in; fines
included), ``gini_between`` (Gini of the
organisations' mean earnings over the run) and ``gini_within`` (mean over organisations of
the Gini of their members' earnings over the run); and, for each policy, the paired
difference from ``none`` in local, system and welfare. The reading says where competition
between organisations raises effort inside them and lowers it across them, and where the net
welfare changes sign, claiming only where a paired interval excludes 0.

--json prints ``cells.<policy>.<structure>.<ratio>.<metric>`` = ``{"estimate", "ci"}``,
``differences.<policy>.<structure>.<ratio>.<metric>`` the same for the paired differences,
``reading`` (sentences), ``settings`` and ``seconds``. --out DIR writes report.md,
results.json and figures. A sweep model by its name (``model = "organisations"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from experiments.options import Option, integer_at_least
from experiments.organisations_reading import BASELINE, reading
from experiments.runtime import Experiment
from sim.analysis.stats import mean_ci
from sim.config import ConfigError, SimulationConfig
from sim.graph import CSRGraph
from sim.kernels.metrics import gini
from sim.policies.organisations import BUDGET_POLICIES, ORGANISATION_POLICIES
from sim.seeds import child_seed, child_seeds
from sim.simulation import Simulation

PARAMETERS = Path(__file__).with_name("organisations.toml")
SECTIONS = ("experiment", "world", "grid", "structures")
METRICS = ("local", "system", "system_share", "welfare", "gini_between", "gini_within")
DIFFERENCES = ("local", "system", "welfare")
#: the hooks whose payments are the policy budget
BUDGET_NAMES = (*BUDGET_POLICIES, *(name for name in ORGANISATION_POLICIES if name != "none"))
ORGANISATION_GRAPHS = ("silos", "small-world", "scale-free")


# ------------------------------------------------------------------------- the structures
def organisation_graph(kind: str, n: int, team_size: int, degree: int, bridging: float,
                       rng: np.random.Generator) -> CSRGraph:
    """Organisations of ``team_size`` consecutive ids; a share ``1 - bridging`` of the mean
    ``degree`` is random ties inside one's organisation, the rest ties to members of other
    organisations, placed on the edges of a graph of organisations: a Watts-Strogatz
    small world (4 neighbours, rewiring 0.1) or a Barabási-Albert scale-free graph (2 ties
    per new organisation), each cross tie on a uniformly drawn edge between uniformly drawn
    members. (``silos`` is the engine's own builder; this covers the other two.)"""
    team = (np.arange(n) // team_size).astype(np.int64)
    k = int(team.max()) + 1
    seed = int(rng.integers(2**31))
    if kind == "small-world":
        orgs = nx.watts_strogatz_graph(k, min(4, k - 1 - (k - 1) % 2), 0.1, seed=seed)
    elif kind == "scale-free":
        orgs = nx.barabasi_albert_graph(k, min(2, k - 1), seed=seed)
    else:
        raise ConfigError(f"unknown organisation graph '{kind}'; allowed: "
                          f"{', '.join(ORGANISATION_GRAPHS[1:])}")
    org_edges = np.array(list(orgs.edges()), dtype=np.int64).reshape(-1, 2)
    inside_ties = int(round(n * degree * (1.0 - bridging) / 2))
    across_ties = int(round(n * degree * bridging / 2))
    a = rng.integers(0, n, inside_ties)
    offset = rng.integers(0, team_size, inside_ties)
    start = team[a] * team_size
    size = np.minimum(team_size, n - start)
    b = start + offset % size
    pick = org_edges[rng.integers(0, len(org_edges), across_ties)] if len(org_edges) else \
        np.zeros((0, 2), np.int64)
    u = _member(pick[:, 0], team_size, n, rng)
    v = _member(pick[:, 1], team_size, n, rng)
    edges = np.concatenate([np.stack([a, b], 1), np.stack([u, v], 1)])
    return CSRGraph.from_edges(n, edges, team=team.astype(np.int32))


def _member(org: np.ndarray, team_size: int, n: int, rng: np.random.Generator) -> np.ndarray:
    start = org * team_size
    size = np.minimum(team_size, n - start)
    return start + (rng.random(len(org)) * size).astype(np.int64)


# ------------------------------------------------------------------------------ settings
@dataclass(frozen=True)
class Settings:
    world: dict[str, Any]
    policies: list[str]
    structures: dict[str, dict[str, Any]]
    ratios: list[float]
    replicates: int
    configs: dict[tuple[str, str, float], SimulationConfig]


def policy_fields(label: str) -> dict[str, str]:
    """``organisation_policy`` and ``policy`` of a policy label (``none``, ``league-table``,
    ``league-table+punishment``, ``cooperation``...)."""
    if label == BASELINE:
        return {"organisation_policy": "none", "policy": "baseline"}
    names = label.split("+")
    between = [name for name in names if name in ORGANISATION_POLICIES and name != "none"]
    if len(between) > 1:
        raise ConfigError(f"policy '{label}' names two policies between organisations")
    rest = [name for name in names if name not in between]
    return {"organisation_policy": between[0] if between else "none",
            "policy": "+".join(rest) if rest else "baseline"}


def _structure(label: str, spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict) or spec.get("graph", "silos") not in ORGANISATION_GRAPHS:
        raise ConfigError(f"[structures] {label} must be a table with graph = one of "
                          f"{', '.join(ORGANISATION_GRAPHS)} and a bridging share")
    bridging = spec.get("bridging")
    if not isinstance(bridging, int | float) or not 0.0 <= bridging <= 1.0:
        raise ConfigError(f"[structures] {label}: bridging must be a number in [0, 1] "
                          f"(got {bridging!r})")
    return {"graph": spec.get("graph", "silos"), "bridging": float(bridging)}


def settings(params: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Check everything before any task runs (a bad value is one ConfigError line)."""
    world = dict(params["world"])
    grid = params["grid"]
    policies = list(grid.get("policies", []))
    ratios = [float(r) for r in grid.get("ratios", [])]
    if BASELINE not in policies:
        raise ConfigError(f"[grid] policies must include '{BASELINE}' (the comparison)")
    if not ratios or any(r < 0 for r in ratios):
        raise ConfigError(f"[grid] ratios must be numbers >= 0 (got {grid.get('ratios')!r})")
    if options.get("policies"):
        policies = _subset(options["policies"], policies, "--policies")
    structures = {label: _structure(label, spec) for label, spec in params["structures"].items()}
    if not structures:
        raise ConfigError("[structures] must name at least one structure")
    local = float(world.get("mpcr_local", 0.3))
    configs = {}
    for label, structure, ratio in product(policies, structures, ratios):
        fields = {**world, **policy_fields(label), "network": "silos",
                  "bridging": structures[structure]["bridging"], "mpcr_local": local,
                  "mpcr_system": ratio * local}
        configs[label, structure, ratio] = SimulationConfig.from_dict(fields)
    return Settings(world, policies, structures, ratios, options["replicates"], configs)


def _subset(raw: str, allowed: list[str], option: str) -> list[str]:
    chosen = [p for p in raw.split(",") if p]
    for name in chosen:
        if name not in allowed:
            raise ConfigError(f"unknown {option} '{name}'; allowed: {', '.join(allowed)}")
    return chosen if BASELINE in chosen else [BASELINE, *chosen]


# --------------------------------------------------------------------------------- tasks
def cells(settings: Settings, seed) -> list[tuple]:
    """One task per (structure, world): it plays every policy and ratio on that world. World
    r of structure k has seed ``child_seed(seed, k, r)``."""
    tasks = []
    for k, structure in enumerate(settings.structures):
        configs = {(p, ratio): settings.configs[p, structure, ratio]
                   for p in settings.policies for ratio in settings.ratios}
        for r, world_seed in enumerate(child_seeds(seed, settings.replicates, k)):
            tasks.append((structure, r, settings.structures[structure], configs, world_seed))
    return tasks


def measure(sim: Simulation, earned: np.ndarray) -> dict[str, float]:
    """One run's metrics (the module docstring); ``earned``: each person's total earnings.
    Welfare is net of the budget the policies paid in (a transfer from outside the game, the
    same for every budget policy), so that it measures what the game produced; fines stay in
    (they destroy money)."""
    levels = sim.levels()
    local, system = float(levels["local"].mean()), float(levels["system"].mean())
    org = sim.organisation
    k = sim.groups.n_groups
    counts = np.bincount(org, minlength=k).astype(np.float64)
    org_mean = np.bincount(org, weights=earned, minlength=k) / np.maximum(counts, 1.0)
    within = [float(gini(earned[org == g], 0)) for g in range(k) if counts[g] > 1]
    return {"local": local, "system": system,
            "system_share": system / (local + system) if local + system > 0 else 0.0,
            "welfare": float(sim.history().welfare.mean()) - budget_paid(sim),
            "gini_between": float(gini(org_mean, 0)),
            "gini_within": float(np.mean(within)) if within else 0.0}


def budget_paid(sim: Simulation) -> float:
    """MU per person per round paid by the budget policies (those that spend
    ``policy_budget``)."""
    paid = sum(h.total for h in sim.hooks if h.name in BUDGET_NAMES)
    return paid / (sim.n * max(sim.round, 1))


def run_cell(task: tuple) -> dict[tuple[str, float], dict[str, float]]:
    """One world under every policy and ratio (runs on a worker)."""
    structure, _, spec, configs, world_seed = task
    out = {}
    graph = None
    if spec["graph"] != "silos":
        any_config = next(iter(configs.values()))
        graph = organisation_graph(spec["graph"], any_config.n, any_config.team_size,
                                   any_config.degree, spec["bridging"],
                                   np.random.default_rng(child_seed(world_seed, 1)))
    for key, config in configs.items():
        sim = Simulation(config, seed=child_seed(world_seed, 0), graph=graph)
        earned = np.zeros(sim.n)
        for _ in range(config.rounds):
            sim.step()
            earned += sim.payoff
        out[key] = measure(sim, earned)
    return out


def _summary(values: list[float]) -> dict[str, Any]:
    mean, lo, hi = mean_ci(np.asarray(values, dtype=np.float64))
    return {"estimate": float(mean), "ci": [float(lo), float(hi)]}


def summarise(settings: Settings, tasks: list, results: list) -> dict[str, Any]:
    """The results as plain data, with the reading."""
    run: dict[str, Any] = {"cells": {}, "differences": {}}
    for policy, structure, ratio in settings.configs:
        worlds = [res[policy, ratio] for (s, *_), res in zip(tasks, results, strict=True)
                  if s == structure]
        base = [res[BASELINE, ratio] for (s, *_), res in zip(tasks, results, strict=True)
                if s == structure]
        r = f"{ratio:g}"
        cell = run["cells"].setdefault(policy, {}).setdefault(structure, {})
        cell[r] = {m: _summary([w[m] for w in worlds]) for m in METRICS}
        if policy != BASELINE:
            diff = run["differences"].setdefault(policy, {}).setdefault(structure, {})
            diff[r] = {m: _summary([w[m] - b[m] for w, b in zip(worlds, base, strict=True)])
                       for m in DIFFERENCES}
    run["reading"] = reading(run)
    run["settings"] = {"replicates": settings.replicates, "policies": settings.policies,
                       "structures": settings.structures, "ratios": settings.ratios,
                       "world": settings.world}
    return run


def headline(run: dict[str, Any]) -> dict[str, float]:
    """Per policy, structure and ratio: the system share and welfare (sweep columns)."""
    out = {}
    for policy, by_structure in run["cells"].items():
        for structure, by_ratio in by_structure.items():
            for ratio, metrics in by_ratio.items():
                for m in ("system_share", "welfare"):
                    out[f"{policy}.{structure}.{ratio}.{m}"] = metrics[m]["estimate"]
    return out


EXPERIMENT = Experiment(
    name="organisations",
    summary="policies between organisations in the two-level game: effort inside, effort "
    "across, welfare",
    description=__doc__,
    parameters=PARAMETERS,
    sections=SECTIONS,
    seed="experiment.seed",
    options=(
        Option("--replicates", "worlds per structure (default {default})",
               type=integer_at_least("--replicates", 1), metavar="N",
               default=lambda params: params["experiment"]["replicates"]),
        Option("--policies", "comma-separated subset of the grid's policies (none is always "
               "kept)", metavar="LIST", default=lambda params: None),
    ),
    settings=settings,
    cells=cells,
    run_cell=run_cell,
    summarise=summarise,
    table="experiments.reports.organisations:table_text",
    write="experiments.reports.organisations:write",
    metrics=headline,
)
