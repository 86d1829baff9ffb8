"""Cooperation against competition: every policy on several networks (docs/science.md §6).

Does a system run on competition between its parts lose to one that rewards cooperation? The
policies named in ``[policies] names`` of policies.toml (by default every policy of
``sim.policies`` and the combination cooperation+punishment) are applied on four
networks (silos, small world, scale-free, random) to two populations:

- the calibrated human-like population: the engine's default ``human`` rule, people who
  respond to what others give and learn from what they earn (sim/behaviour, calibrated by
  experiments/calibrate.py);
- payoff-learning agents: the ``fermi`` imitation rule.

Competition and cooperation pay the same budget per agent per round (the report checks the
money actually paid), so a difference between them comes from the incentive's shape. Each
(population, network, policy) cell plays ``--replicates`` independent worlds; world r of a
population and network is the same world under every policy (common random numbers). Each
world is played twice with the same seed: once as it is, once with one randomly chosen agent
giving ``extra`` MU more in round 1; the causal multiplier is the extra MU everyone else gave
over the run per extra MU given. Seeds are spawned from the master seed before dispatch, so
the results do not depend on the number of worker processes.

Metrics per cell, each a mean over the replicates with a 95% t confidence interval:
``final_mean_contribution`` (MU, last round), ``welfare`` (mean payoff per agent per round,
institutions' payments and fines included), ``gini`` (of the agents' total earnings over the
run) and ``multiplier`` (the causal cascade multiplier).

--json prints one object: ``policies.<policy>.<network>.<metric>`` = ``{"estimate": x, "ci":
[lo, hi]}`` for the human-like population, ``payoff_learning.<policy>.<network>.<metric>`` the
same for the payoff-learning agents; ``trajectories.<population>.<policy>.<network>`` the mean
contribution per round with its CI; ``money.<population>.<policy>.<network>`` the MU the
policy moved per agent per round (positive paid, negative fines); ``ranking``, ``reading``
(the written reading, generated from the numbers), ``settings`` and ``seconds``. --out DIR
writes report.md, results.json and the figures, all or nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from experiments.options import Option, integer_at_least
from experiments.policies_reading import JSON_KEY, METRICS, POPULATIONS, ranking, reading
from experiments.runtime import Experiment
from sim.analysis.stats import finite, mean_ci
from sim.behaviour.parameters import HUMAN_LIKE, SANCTIONS
from sim.config import ConfigError, SimulationConfig
from sim.graph import CSRGraph
from sim.kernels.metrics import gini
from sim.policies import Policy
from sim.rules import RULE
from sim.seeds import child_seeds, seed_sequence
from sim.simulation import Simulation, build_network, run_seeds

PARAMETERS = Path(__file__).with_name("policies.toml")
SECTIONS = ("experiment", "world", "policies", "networks", "human-like", "payoff-learning")


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Cell:
    """One (population, network, policy) cell and its validated engine settings."""

    population: str
    network: str
    policy: str
    config: SimulationConfig


@dataclass(frozen=True)
class Settings:
    params: dict[str, Any]
    networks: list[str]
    policies: list[str]
    replicates: int
    seed: Any
    workers: int
    cells: list[Cell]


def build_cells(params: dict[str, Any], networks: list[str], policies: list[str],
                n: int | None = None, rounds: int | None = None) -> list[Cell]:
    """Every cell's config, validated (a bad value raises ``ConfigError`` before any run)."""
    world = dict(params["world"])
    if n is not None:
        world["n"] = n
    if rounds is not None:
        world["rounds"] = rounds
    populations = {
        "human-like": dict(params["human-like"]),
        "payoff-learning": dict(params["payoff-learning"]),
    }
    cells = []
    for population in POPULATIONS:
        for network in networks:
            for policy in policies:
                values = {**world, **params["policies"].get("parameters", {}),
                          **params["networks"][network], **populations[population],
                          "policy": policy}
                cells.append(Cell(population, network, policy,
                                  SimulationConfig.from_dict(values)))
    return cells


def _subset(raw: str | None, allowed: list[str], option: str) -> list[str]:
    if raw is None:
        return list(allowed)
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if not names:
        raise ConfigError(f"{option} needs at least one name; allowed: {', '.join(allowed)}")
    if len(set(names)) < len(names):
        raise ConfigError(f"{option} names something twice (got {raw!r})")
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ConfigError(f"unknown {option} '{unknown[0]}'; allowed: " + ", ".join(allowed))
    return names


def settings(params: dict[str, Any], options: dict[str, Any]) -> Settings:
    """Check the options, ``[experiment]`` and every cell's config (one line on the first bad
    value)."""
    extra = params["experiment"].get("extra")
    if isinstance(extra, bool) or not isinstance(extra, int | float) or not extra > 0:
        raise ConfigError(f"--params: [experiment] extra must be a number > 0 (got {extra!r})")
    if not isinstance(options["replicates"], int) or options["replicates"] < 1:
        raise ConfigError("--params: [experiment] replicates must be an integer >= 1 "
                          f"(got {options['replicates']!r})")
    networks = _subset(options["networks"], list(params["networks"]), "--networks")
    policies = _subset(options["policies"], list(params["policies"]["names"]), "--policies")
    try:
        cells = build_cells(params, networks, policies, options["n"], options["rounds"])
    except (KeyError, TypeError) as err:
        raise ConfigError(f"--params: missing or bad entry {err}") from None
    return Settings(params, networks, policies, options["replicates"], options["seed"],
                    options["workers"], cells)


# ---------------------------------------------------------------------------------- run
#: worlds per task: a task plays every policy on a few worlds of one (population, network)
WORLDS_PER_TASK = 5


def cells(settings: Settings, seed) -> list[tuple]:
    """The tasks: each (population, network)'s worlds in chunks of :data:`WORLDS_PER_TASK`, a
    task playing every policy on its chunk (each world's network is then built once, not once
    per policy and run).

    World r of a (population, network) has the seeds ``child_seeds(seed, 2, p, w, r)``
    (the world, then the choice of the giver): the same world under every policy.
    """
    extra = float(settings.params["experiment"]["extra"])
    all_networks = list(settings.params["networks"])
    policies_of: dict[tuple[str, str], list[Cell]] = {}
    for cell in settings.cells:  # within a pair, cells differ only in their policy
        policies_of.setdefault((cell.population, cell.network), []).append(cell)
    tasks = []
    for (population, network), pair_cells in policies_of.items():
        path = (POPULATIONS.index(population), all_networks.index(network))
        seeds = [child_seeds(seed, 2, *path, r) for r in range(settings.replicates)]
        for start in range(0, len(seeds), WORLDS_PER_TASK):
            tasks.append((pair_cells, seeds[start:start + WORLDS_PER_TASK], extra))
    return tasks


def paired_replicate(config, world_seed, choice_seed, extra: float,
                     graph: CSRGraph | None = None) -> dict[str, Any]:
    """One world played twice with common random numbers, the second time with one agent
    giving ``extra`` MU more in round 1; the untreated run's metrics and the multiplier.
    ``graph``: the world's network if already built (:func:`sim.simulation.build_network`
    from the world's seed), else it is built here."""
    base = Simulation(config, seed=world_seed, graph=graph)
    treated = Simulation(config, seed=world_seed, graph=base.graph)
    e = config.endowment
    first = base.contribution.copy()
    eligible = np.flatnonzero(e - first >= extra)
    if len(eligible) == 0:
        eligible = np.arange(base.n)
    giver = int(np.random.default_rng(choice_seed).choice(eligible))
    gift = first.copy()
    gift[giver] = min(first[giver] + extra, e)
    base.step()
    treated.step(next_contributions=gift)
    # what the giver actually gave more after the institutions acted (e.g. sanction fear)
    given_more = float(treated.contribution[giver] - base.contribution[giver])
    earnings = base.payoff.copy()
    base_given, base_earned = base.trace()  # the other rounds, compiled where the run allows
    treated_given, _ = treated.trace()
    others = 0.0
    for t in range(config.rounds - 1):
        diff = treated_given[t] - base_given[t]
        others += float(diff.sum() - diff[giver])
        earnings += base_earned[t]
    history = base.history()
    per_agent_round = base.n * config.rounds
    return {
        "trajectory": history.mean_contribution,
        "final_mean_contribution": float(history.mean_contribution[-1]),
        "welfare": float(history.welfare.mean()),
        "gini": float(gini(earnings, 0)),
        "multiplier": others / given_more if given_more > 1e-9 else math.nan,
        "money": sum(hook.total for hook in base.hooks if isinstance(hook, Policy))
        / per_agent_round,
    }


def run_cell(task: tuple[list[Cell], list, float]) -> list[dict[str, np.ndarray]]:
    """Every policy on a task's worlds (run on a worker): one result per cell, each metric an
    array over the worlds. Each world's network is built once for all its runs."""
    task_cells, seeds, extra = task
    runs: list[list[dict[str, Any]]] = [[] for _ in task_cells]
    for world, choice in seeds:
        graph = build_network(task_cells[0].config, run_seeds(seed_sequence(world))[0])
        for cell, cell_runs in zip(task_cells, runs, strict=True):
            cell_runs.append(paired_replicate(cell.config, world, choice, extra, graph))
    return [_arrays(cell_runs) for cell_runs in runs]


def _arrays(runs: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    out = {key: np.array([r[key] for r in runs]) for key in runs[0] if key != "trajectory"}
    out["trajectory"] = np.stack([r["trajectory"] for r in runs])
    return out


def cell_results(settings: Settings, tasks: list, results: list) -> list[dict[str, Any]]:
    """Each cell's results in ``settings.cells`` order, its worlds' chunks joined in order."""
    joined: dict[tuple[str, str, str], list[dict[str, np.ndarray]]] = {}
    for (task_cells, _, _), result in zip(tasks, results, strict=True):
        for cell, part in zip(task_cells, result, strict=True):
            joined.setdefault((cell.population, cell.network, cell.policy), []).append(part)
    out = []
    for cell in settings.cells:
        parts = joined[(cell.population, cell.network, cell.policy)]
        out.append({key: np.concatenate([part[key] for part in parts]) for key in parts[0]})
    return out


def summary(values: np.ndarray) -> dict[str, Any]:
    """Mean and 95% t interval over the replicates (non-finite values left out)."""
    kept = finite(values)
    if len(kept) == 0:
        return {"estimate": None, "ci": [None, None], "replicates": 0}
    mean, lo, hi = mean_ci(kept)
    return {"estimate": float(mean), "ci": [float(lo), float(hi)], "replicates": int(len(kept))}


def summarise(settings: Settings, tasks: list, results: list) -> dict[str, Any]:
    """The cells' results as plain data (the --json output)."""
    params, networks, policies = settings.params, settings.networks, settings.policies
    run: dict[str, Any] = {JSON_KEY[p]: {} for p in POPULATIONS}
    run["trajectories"] = {p: {} for p in POPULATIONS}
    run["money"] = {p: {} for p in POPULATIONS}
    for cell, result in zip(settings.cells, cell_results(settings, tasks, results), strict=True):
        metrics = {m: summary(result[m]) for m in METRICS}
        run[JSON_KEY[cell.population]].setdefault(cell.policy, {})[cell.network] = metrics
        mean, lo, hi = mean_ci(result["trajectory"], axis=0)
        run["trajectories"][cell.population].setdefault(cell.policy, {})[cell.network] = {
            "mean": mean.tolist(), "ci": np.stack([lo, hi], 1).tolist()}
        run["money"][cell.population].setdefault(cell.policy, {})[cell.network] = float(
            result["money"].mean())
    world = settings.cells[0].config.to_dict()
    run["settings"] = {
        "seed": settings.seed, "replicates": settings.replicates,
        "workers": settings.workers, "extra": float(params["experiment"]["extra"]),
        "networks": {name: params["networks"][name] for name in networks},
        "policies": policies,
        "policy_parameters": params["policies"].get("parameters", {}),
        "world": {k: world[k] for k in params["world"]} | {"n": world["n"],
                                                            "rounds": world["rounds"]},
        "human_like": {p.name: world[p.name] for p in (RULE, *HUMAN_LIKE, *SANCTIONS)},
        "payoff_learning": dict(params["payoff-learning"]),
    }
    run["ranking"] = ranking(run, networks, policies)
    run["reading"] = reading(run, networks, policies)
    return run


def headline(run: dict[str, Any]) -> dict[str, float]:
    """For a sweep: each population's and policy's metrics, averaged over the networks."""
    out = {}
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        for policy, by_network in table.items():
            for metric in METRICS:
                values = [m[metric]["estimate"] for m in by_network.values()
                          if m[metric]["estimate"] is not None]
                out[f"{population}:{policy}:{metric}"] = (float(np.mean(values)) if values
                                                          else math.nan)
    return out


EXPERIMENT = Experiment(
    name="policies",
    summary="cooperation against competition: every policy on four networks, two populations",
    description=__doc__,
    parameters=PARAMETERS,
    sections=SECTIONS,
    seed="experiment.seed",
    options=(
        Option("--replicates", "worlds per (population, network, policy) (default {default})",
               type=integer_at_least("--replicates", 1), metavar="N",
               default=lambda params: params["experiment"].get("replicates")),
        Option("--n", "agents per world (default {default}, [world] n)",
               type=integer_at_least("--n", 1), metavar="N",
               default=lambda params: params["world"]["n"]),
        Option("--rounds", "rounds per run (default {default}, [world] rounds)",
               type=integer_at_least("--rounds", 1), metavar="N",
               default=lambda params: params["world"]["rounds"]),
        Option("--networks", "comma-separated subset of the networks (default: all)",
               metavar="A,B"),
        Option("--policies", "comma-separated subset of the policies (default: all)",
               metavar="A,B"),
    ),
    settings=settings,
    cells=cells,
    run_cell=run_cell,
    summarise=summarise,
    # by name: loaded only to show or write a finished run (the workers need no plotting)
    table="experiments.reports.policies:table_text",
    write="experiments.reports.policies:write",
    metrics=headline,
)
