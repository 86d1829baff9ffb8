"""Cooperation against competition: every policy on several networks (SCIENCE.md §6).

Does a system run on competition between its parts lose to one that rewards cooperation? Every
policy of ``sim.policies`` (and the combination cooperation+punishment) is applied on four
networks (silos, small world, scale-free, random) to two populations:

- the calibrated human-like population: the engine's ``conditional`` rule with the behavioural
  values of experiments/fowler_christakis.toml ([behaviour] and [calibrated.mean]) mapped onto
  the engine's fields (policies.toml says which map and which do not);
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

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SUMMARY = "cooperation against competition: every policy on four networks, two populations"
PARAMETERS = Path(__file__).with_name("policies.toml")
METRICS = ("final_mean_contribution", "welfare", "gini", "multiplier")
METRIC_LABEL = {
    "final_mean_contribution": "final mean contribution (MU)",
    "welfare": "welfare (MU per agent per round)",
    "gini": "Gini of total earnings",
    "multiplier": "causal multiplier",
}
#: whether a larger value of the metric is better
HIGHER_IS_BETTER = {"final_mean_contribution": True, "welfare": True, "gini": False}
POPULATIONS = ("human-like", "payoff-learning")
#: top-level --json key of each population
JSON_KEY = {"human-like": "policies", "payoff-learning": "payoff_learning"}
SECTIONS = ("experiment", "world", "policies", "networks", "human-like", "payoff-learning")
PRINCIPAL = ("competition", "cooperation")


# ----------------------------------------------------------------------------- parameters
def load_parameters(path: Path = PARAMETERS) -> dict[str, Any]:
    from experiments import read_parameters

    return read_parameters(path, SECTIONS)


def human_like_settings(params: dict[str, Any], endowment: float) -> dict[str, Any]:
    """The engine fields of the calibrated human-like population (see policies.toml).

    ``[human-like.map]`` names, for each engine field, the laboratory parameter of
    fowler_christakis.toml ([behaviour] with [calibrated.<calibration>]) it takes its value
    from; the initial belief in MU becomes ``initial_cooperation`` (a share of E).
    """
    from experiments.fowler_christakis import behaviour_for
    from experiments.fowler_christakis import load_parameters as load_lab

    section = params["human-like"]
    lab_path = Path(__file__).resolve().parents[1] / section["source"]
    behaviour = behaviour_for(load_lab(lab_path), section["calibration"]).to_dict()
    values = {"rule": section["rule"], "mutation": float(section["mutation"])}
    for field, lab_name in section["map"].items():
        values[field] = behaviour[lab_name]
    values["initial_cooperation"] = min(max(behaviour["initial_belief"] / endowment, 0.0), 1.0)
    return values


def payoff_learning_settings(params: dict[str, Any]) -> dict[str, Any]:
    return dict(params["payoff-learning"])


@dataclass(frozen=True)
class Cell:
    """One (population, network, policy) cell and its validated engine settings."""

    population: str
    network: str
    policy: str
    config: dict[str, Any]


def build_cells(params: dict[str, Any], networks: list[str], policies: list[str],
                n: int | None = None, rounds: int | None = None) -> list[Cell]:
    """Every cell's config, validated (a bad value raises ``ConfigError`` before any run)."""
    from sim.config import SimulationConfig

    world = dict(params["world"])
    if n is not None:
        world["n"] = n
    if rounds is not None:
        world["rounds"] = rounds
    populations = {
        "human-like": human_like_settings(params, float(world.get("endowment", 20.0))),
        "payoff-learning": payoff_learning_settings(params),
    }
    cells = []
    for population in POPULATIONS:
        for network in networks:
            for policy in policies:
                values = {**world, **params["policies"].get("parameters", {}),
                          **params["networks"][network], **populations[population],
                          "policy": policy}
                config = SimulationConfig.from_dict(values)
                cells.append(Cell(population, network, policy, config.to_dict()))
    return cells


def world_seeds(seed: int, population: int, network: int, replicates: int):
    """The seeds of a (population, network)'s worlds: the same under every policy."""
    root = np.random.SeedSequence(seed, spawn_key=(population, network))
    return [child.spawn(2) for child in root.spawn(replicates)]


# ---------------------------------------------------------------------------------- run
def paired_replicate(config, world_seed, choice_seed, extra: float) -> dict[str, Any]:
    """One world played twice with common random numbers, the second time with one agent
    giving ``extra`` MU more in round 1; the untreated run's metrics and the multiplier."""
    from sim.kernels.metrics import gini
    from sim.policies import Policy
    from sim.simulation import Simulation

    base = Simulation(config, seed=world_seed)
    treated = Simulation(config, seed=world_seed)
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
    others = 0.0
    for _ in range(1, config.rounds):
        base.step()
        treated.step()
        diff = treated.contribution - base.contribution
        others += float(diff.sum() - diff[giver])
        earnings += base.payoff
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


def run_cell(task: tuple[dict[str, Any], list, float]) -> dict[str, Any]:
    """All replicates of one cell (run in a worker process)."""
    from sim.config import SimulationConfig

    values, seeds, extra = task
    config = SimulationConfig(**values).validate()
    runs = [paired_replicate(config, world, choice, extra) for world, choice in seeds]
    out = {key: np.array([r[key] for r in runs]) for key in runs[0] if key != "trajectory"}
    out["trajectory"] = np.stack([r["trajectory"] for r in runs])
    return out


def _single_thread_worker() -> None:
    import numba

    numba.set_num_threads(1)  # one process per core; kernels give the same result either way


def run_cells(tasks: list, workers: int) -> list[dict[str, Any]]:
    """Run the tasks in ``workers`` processes (1: in this process), results in task order."""
    if workers <= 1:
        import numba

        # the runs are small: one thread each is faster than the kernels' parallel loops
        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return [run_cell(task) for task in tasks]
        finally:
            numba.set_num_threads(threads)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_single_thread_worker) as pool:
        return list(pool.map(run_cell, tasks, chunksize=1))


def summarise(values: np.ndarray) -> dict[str, Any]:
    """Mean and 95% t interval over the replicates (non-finite values left out)."""
    from sim.analysis.causal import mean_ci

    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return {"estimate": None, "ci": [None, None], "replicates": 0}
    mean, lo, hi = mean_ci(finite)
    return {"estimate": float(mean), "ci": [float(lo), float(hi)], "replicates": int(len(finite))}


def run_experiment(params: dict[str, Any], replicates: int, seed: int, workers: int,
                   networks: list[str], policies: list[str], n: int | None = None,
                   rounds: int | None = None) -> dict[str, Any]:
    """Run every cell; return the results as plain Python data."""
    from sim.analysis.causal import mean_ci

    started = time.perf_counter()
    cells = build_cells(params, networks, policies, n, rounds)
    extra = float(params["experiment"]["extra"])
    all_networks = list(params["networks"])
    tasks = []
    for cell in cells:
        seeds = world_seeds(seed, POPULATIONS.index(cell.population),
                            all_networks.index(cell.network), replicates)
        tasks.append((cell.config, seeds, extra))
    results = run_cells(tasks, workers)

    run: dict[str, Any] = {JSON_KEY[p]: {} for p in POPULATIONS}
    run["trajectories"] = {p: {} for p in POPULATIONS}
    run["money"] = {p: {} for p in POPULATIONS}
    for cell, result in zip(cells, results, strict=True):
        metrics = {m: summarise(result[m]) for m in METRICS}
        run[JSON_KEY[cell.population]].setdefault(cell.policy, {})[cell.network] = metrics
        mean, lo, hi = mean_ci(result["trajectory"], axis=0)
        run["trajectories"][cell.population].setdefault(cell.policy, {})[cell.network] = {
            "mean": mean.tolist(), "ci": np.stack([lo, hi], 1).tolist()}
        run["money"][cell.population].setdefault(cell.policy, {})[cell.network] = float(
            result["money"].mean())
    world = cells[0].config
    run["settings"] = {
        "seed": seed, "replicates": replicates, "workers": workers, "extra": extra,
        "networks": {name: params["networks"][name] for name in networks},
        "policies": policies,
        "policy_parameters": params["policies"].get("parameters", {}),
        "world": {k: world[k] for k in params["world"]} | {"n": world["n"],
                                                            "rounds": world["rounds"]},
        "human_like": {k: v for k, v in cells[0].config.items()
                       if k in params["human-like"]["map"] or k in ("rule", "mutation",
                                                                     "initial_cooperation")},
        "human_like_unmapped": params["human-like"].get("unmapped", {}),
        "payoff_learning": payoff_learning_settings(params),
    }
    run["ranking"] = ranking(run, networks, policies)
    run["reading"] = reading(run, networks, policies)
    run["seconds"] = {"total": time.perf_counter() - started}
    return run


# ----------------------------------------------------------------------- interpretation
def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
    """+1 if a's CI lies wholly above b's, -1 if wholly below, 0 if they overlap."""
    if a["estimate"] is None or b["estimate"] is None:
        return 0
    if a["ci"][0] > b["ci"][1]:
        return 1
    if a["ci"][1] < b["ci"][0]:
        return -1
    return 0


def ranking(run: dict[str, Any], networks: list[str], policies: list[str]) -> dict[str, Any]:
    """Per population and metric: each policy's rank on each network (1 best; equal
    estimates share a rank) and its mean rank, best first."""
    from scipy.stats import rankdata

    out: dict[str, Any] = {}
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        out[population] = {}
        for metric, higher in HIGHER_IS_BETTER.items():
            ranks = {p: {} for p in policies}
            for network in networks:
                values = [table[p][network][metric]["estimate"] for p in policies]
                keys = np.array([(-v if higher else v) if v is not None else math.inf
                                 for v in values])
                # equal estimates (to 9 significant digits) share the better rank
                places = rankdata(np.array([float(f"{k:.9g}") for k in keys]), method="min")
                for policy, place in zip(policies, places, strict=True):
                    ranks[policy][network] = int(place)
            rows = [{"policy": p, "ranks": ranks[p],
                     "mean_rank": float(np.mean(list(ranks[p].values())))} for p in policies]
            out[population][metric] = sorted(rows, key=lambda row: row["mean_rank"])
    return out


def _list(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def _tally(multipliers: dict[str, list], networks: int, bound: float, above: bool) -> str:
    """"policy (k of N)" for each policy whose multiplier CI lies wholly above (or below)
    ``bound`` on k of its N networks."""
    found = []
    for policy, cells in multipliers.items():
        k = sum(1 for m in cells if (m["ci"][0] > bound if above else m["ci"][1] < bound))
        if k:
            found.append(f"{policy} ({k} of {networks})")
    return _list(found)


def reading(run: dict[str, Any], networks: list[str], policies: list[str]) -> list[str]:
    """The written reading: sentences generated from the numbers. A policy is said to beat
    another only where their 95% confidence intervals do not overlap."""
    lines: list[str] = []
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        money = run["money"][population]
        head = f"{population.capitalize()} population:"
        if all(p in policies for p in PRINCIPAL):
            paid = {p: [money[p][w] for w in networks] for p in PRINCIPAL}
            equal = all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
                        for a, b in zip(paid["competition"], paid["cooperation"], strict=True))
            lines.append(
                f"{head} competition paid {np.mean(paid['competition']):.3f} and cooperation "
                f"{np.mean(paid['cooperation']):.3f} MU per agent per round on average "
                f"({'the same on every network' if equal else 'NOT the same'}), so a "
                "difference between them comes from the incentive's shape.")
            trajectories = run["trajectories"][population]
            if all(np.array_equal(trajectories["competition"][w]["mean"],
                                  trajectories["cooperation"][w]["mean"]) for w in networks):
                lines.append(
                    f"{head} contributions are identical, round by round, under competition "
                    "and cooperation (and the same worlds): these agents' rule reads what "
                    "others gave, not what anyone earned, so money that does not change what "
                    "others give does not change what they give; the policies differ only in "
                    "who gets the money.")
            for metric, higher in HIGHER_IS_BETTER.items():
                better, worse, same = [], [], []
                for network in networks:
                    sign = compare(table["cooperation"][network][metric],
                                   table["competition"][network][metric])
                    if sign == 0:
                        same.append(network)
                    elif (sign > 0) == higher:
                        better.append(network)
                    else:
                        worse.append(network)
                lines.append(
                    f"{head} on {METRIC_LABEL[metric]}, cooperation does better than "
                    f"competition on {_list(better)}; worse on {_list(worse)}; the 95% CIs "
                    f"overlap on {_list(same)}.")
        for a, b in (("punishment", "baseline"), ("growing-resources", "envelope"),
                     ("cooperation+punishment", "cooperation")):
            if a not in policies or b not in policies:
                continue
            above = [w for w in networks
                     if compare(table[a][w]["final_mean_contribution"],
                                table[b][w]["final_mean_contribution"]) > 0]
            below = [w for w in networks
                     if compare(table[a][w]["final_mean_contribution"],
                                table[b][w]["final_mean_contribution"]) < 0]
            lines.append(f"{head} final contributions under {a} are above {b} on "
                         f"{_list(above)} and below it on {_list(below)} (elsewhere the CIs "
                         "overlap).")
        for network in networks:
            ordered = sorted(policies, key=lambda p: -(
                table[p][network]["final_mean_contribution"]["estimate"] or -math.inf))
            top, second = ordered[0], ordered[1] if len(ordered) > 1 else None
            clear = second is not None and compare(
                table[top][network]["final_mean_contribution"],
                table[second][network]["final_mean_contribution"]) > 0
            lines.append(
                f"{head} on {network} the highest final contribution is under {top} "
                f"({table[top][network]['final_mean_contribution']['estimate']:.2f} MU)"
                + (f", clearly above the runner-up {second}." if clear else
                   (f"; its CI overlaps the runner-up {second}'s." if second else ".")))
        multipliers = {p: [table[p][w]["multiplier"] for w in networks
                           if table[p][w]["multiplier"]["estimate"] is not None]
                       for p in policies}
        half = [(m["ci"][1] - m["ci"][0]) / 2 for cells in multipliers.values() for m in cells]
        lines.append(
            f"{head} the causal multiplier of one extra MU (others' extra MU per MU given) "
            f"has its 95% CI above 1 for {_tally(multipliers, len(networks), 1.0, True)}; "
            f"above 0 for {_tally(multipliers, len(networks), 0.0, True)}; below 0 for "
            f"{_tally(multipliers, len(networks), 0.0, False)}"
            + (f"; median CI half-width {float(np.median(half)):.2f}." if half else "."))
    return lines


# ------------------------------------------------------------------------- command line
def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cli.base import integer_at_least

    defaults = load_parameters()
    exp = defaults["experiment"]
    parser.add_argument("--replicates", type=integer_at_least("--replicates", 1),
                        default=exp["replicates"], metavar="N",
                        help="worlds per (population, network, policy) (default %(default)s)")
    parser.add_argument("--seed", type=integer_at_least("--seed", 0), default=exp["seed"],
                        metavar="N", help="master seed (default %(default)s)")
    parser.add_argument("--workers", type=integer_at_least("--workers", 1),
                        default=os.cpu_count() or 1, metavar="N",
                        help="worker processes (default: one per core, "
                        "%(default)s here); the results do not depend on it")
    parser.add_argument("--n", type=integer_at_least("--n", 1), default=None, metavar="N",
                        help=f"agents per world (default {defaults['world']['n']})")
    parser.add_argument("--rounds", type=integer_at_least("--rounds", 1), default=None, metavar="N",
                        help=f"rounds per run (default {defaults['world']['rounds']})")
    parser.add_argument("--networks", default=None, metavar="A,B",
                        help="comma-separated subset of the networks (default: all of "
                        + ", ".join(defaults["networks"]) + ")")
    parser.add_argument("--policies", default=None, metavar="A,B",
                        help="comma-separated subset of the policies (default: all of "
                        + ", ".join(defaults["policies"]["names"]) + ")")
    parser.add_argument("--params", type=Path, default=PARAMETERS, metavar="FILE",
                        help="parameter file (default experiments/policies.toml)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write report.md, results.json and the figures into DIR")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")


def _subset(raw: str | None, allowed: list[str], option: str) -> list[str]:
    from cli.base import UsageError

    if raw is None:
        return list(allowed)
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if not names:
        raise UsageError(f"{option} needs at least one name; allowed: {', '.join(allowed)}")
    if len(set(names)) < len(names):
        raise UsageError(f"{option} names something twice (got {raw!r})")
    return names


def main(args: argparse.Namespace) -> int:
    from cli.base import UsageError
    from cli.output import OutputDir, check_out_dir, write_json

    params = load_parameters(args.params)
    networks = _subset(args.networks, list(params["networks"]), "--networks")
    unknown = [w for w in networks if w not in params["networks"]]
    if unknown:
        raise UsageError(f"unknown --networks '{unknown[0]}'; allowed: "
                         + ", ".join(params["networks"]))
    policies = _subset(args.policies, list(params["policies"]["names"]), "--policies")
    try:  # every config is validated (ConfigError: one line, exit 2) before any run
        build_cells(params, networks, policies, args.n, args.rounds)
    except (KeyError, TypeError) as err:
        raise UsageError(f"--params '{args.params}': missing or bad entry {err}") from None
    if args.out is not None:
        check_out_dir(args.out)
    run = run_experiment(params, args.replicates, args.seed, args.workers, networks, policies,
                         args.n, args.rounds)
    if args.out is not None:
        with OutputDir(args.out) as staging:
            write_json(staging / "results.json", as_json(run))
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
    return json.loads(json.dumps(run, allow_nan=True), parse_constant=lambda _: None)


# ------------------------------------------------------------------------------ output
def _fmt(value: Any, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _cell_text(metric: dict[str, Any], digits: int = 2) -> str:
    lo, hi = metric["ci"]
    return f"{_fmt(metric['estimate'], digits)} [{_fmt(lo, digits)}, {_fmt(hi, digits)}]"


def _networks_policies(run: dict[str, Any]) -> tuple[list[str], list[str]]:
    return list(run["settings"]["networks"]), list(run["settings"]["policies"])


def table_text(run: dict[str, Any]) -> str:
    s = run["settings"]
    networks, policies = _networks_policies(run)
    lines = [f"Policies: {len(policies)} policies x {len(networks)} networks x 2 populations, "
             f"{s['replicates']} replicates each (n={s['world']['n']}, "
             f"{s['world']['rounds']} rounds), seed {s['seed']}", ""]
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        lines.append(f"{population} population (mean and 95% CI over replicates):")
        lines.append(f"  {'policy':<24}{'network':<13}{'final contribution':>24}"
                     f"{'welfare':>24}{'gini':>22}{'multiplier':>26}")
        for policy in policies:
            for network in networks:
                m = table[policy][network]
                lines.append(f"  {policy:<24}{network:<13}"
                             f"{_cell_text(m['final_mean_contribution']):>24}"
                             f"{_cell_text(m['welfare']):>24}{_cell_text(m['gini'], 3):>22}"
                             f"{_cell_text(m['multiplier']):>26}")
        lines.append("")
        lines.append("  ranking by final contribution (mean rank over networks):")
        for row in run["ranking"][population]["final_mean_contribution"]:
            lines.append(f"    {row['policy']:<24}{row['mean_rank']:.2f}")
        lines.append("")
    lines.append("Reading:")
    lines += [f"- {line}" for line in run["reading"]]
    lines.append(f"\ntime: {run['seconds']['total']:.1f} s with {s['workers']} worker(s)")
    return "\n".join(lines)


def report_markdown(run: dict[str, Any]) -> str:
    s = run["settings"]
    networks, policies = _networks_policies(run)
    lines = [
        "# Cooperation against competition: policies on networks",
        "",
        f"{len(policies)} policies on {len(networks)} networks, two populations, "
        f"{s['replicates']} replicates per cell (n = {s['world']['n']} agents, "
        f"{s['world']['rounds']} rounds, neighbourhood games, MPCR {s['world'].get('mpcr')}); "
        f"master seed {s['seed']}. Every figure is a mean over replicates with its 95% t "
        "confidence interval. Policy parameters: "
        + ", ".join(f"`{k} = {v}`" for k, v in s["policy_parameters"].items()) + ".",
        "",
        "## Reading",
        "",
        "Generated from the numbers below; one policy is said to beat another only where their "
        "95% confidence intervals do not overlap.",
        "",
    ]
    lines += [f"- {line}" for line in run["reading"]]
    lines += ["", "## Mean contribution over time", "", "![trajectories](trajectories.png)", "",
              "## Metrics", "", "![metrics](metrics.png)", ""]
    for population in POPULATIONS:
        table = run[JSON_KEY[population]]
        lines += [f"### {population.capitalize()} population", "",
                  "| policy | network | final contribution (MU) | welfare (MU/agent/round) | "
                  "Gini | multiplier | MU moved per agent per round |",
                  "| --- | --- | --- | --- | --- | --- | ---: |"]
        for policy in policies:
            for network in networks:
                m = table[policy][network]
                lines.append(
                    f"| {policy} | {network} | {_cell_text(m['final_mean_contribution'])} | "
                    f"{_cell_text(m['welfare'])} | {_cell_text(m['gini'], 3)} | "
                    f"{_cell_text(m['multiplier'])} | "
                    f"{run['money'][population][policy][network]:.3f} |")
        lines += ["", "Ranking by estimate (1 = best; by final contribution, welfare, and Gini "
                  "where lower is better; equal estimates share a rank; see the CIs above for "
                  "which differences are clear), per network and mean rank:", "",
                  "| metric | policy | " + " | ".join(networks) + " | mean rank |",
                  "| --- | --- |" + " ---: |" * (len(networks) + 1)]
        for metric in HIGHER_IS_BETTER:
            for row in run["ranking"][population][metric]:
                lines.append(f"| {metric} | {row['policy']} | "
                             + " | ".join(str(row["ranks"][w]) for w in networks)
                             + f" | {row['mean_rank']:.2f} |")
        lines.append("")
    lines += ["## Populations", "",
              "Human-like: the engine's `conditional` rule with these values from "
              "experiments/fowler_christakis.toml ([behaviour], [calibrated.mean]): "
              + ", ".join(f"`{k} = {v:g}`" if isinstance(v, float) else f"`{k} = {v}`"
                          for k, v in s["human_like"].items()) + ". Not mapped (no engine "
              "equivalent): " + "; ".join(f"`{k}`: {v}" for k, v in
                                          s["human_like_unmapped"].items()) + ".", "",
              "Payoff-learning: " + ", ".join(f"`{k} = {v}`" for k, v in
                                              s["payoff_learning"].items()) + ".", "",
              "Networks: " + "; ".join(f"{k}: " + ", ".join(f"`{a} = {b}`" for a, b in
                                                            v.items())
                                       for k, v in s["networks"].items()) + ".", "",
              "The causal multiplier: each world is played twice with the same seed (common "
              f"random numbers); in the second run one random agent gives {s['extra']:g} MU "
              "more in round 1. Multiplier = the extra MU everyone else gave over the run per "
              "extra MU the giver actually gave (under punishment, sanction-wary human-like "
              "givers already give more, so the gift is what is left after that).", "",
              f"Time: {run['seconds']['total']:.1f} s with {s['workers']} worker process(es).",
              ""]
    return "\n".join(lines)


def write_figures(directory: Path, run: dict[str, Any]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    networks, policies = _networks_policies(run)
    colours = {p: f"C{i}" for i, p in enumerate(policies)}

    fig = Figure(figsize=(3.2 * len(networks), 5.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_2d(fig.subplots(len(POPULATIONS), len(networks), sharey=True,
                                      squeeze=False))
    for row, population in enumerate(POPULATIONS):
        for col, network in enumerate(networks):
            ax = axes[row, col]
            for policy in policies:
                t = run["trajectories"][population][policy][network]
                mean = np.asarray(t["mean"])
                ci = np.asarray(t["ci"], dtype=float)
                rounds = np.arange(1, len(mean) + 1)
                ax.plot(rounds, mean, color=colours[policy], label=policy, lw=1.4)
                ax.fill_between(rounds, ci[:, 0], ci[:, 1], color=colours[policy], alpha=0.15)
            ax.set_title(f"{population}: {network}", fontsize=9)
            ax.grid(alpha=0.3)
            if row == len(POPULATIONS) - 1:
                ax.set_xlabel("round")
            if col == 0:
                ax.set_ylabel("mean contribution (MU)")
    axes[0, 0].legend(fontsize=7)
    fig.savefig(directory / "trajectories.png", dpi=110)

    fig = Figure(figsize=(3.4 * len(METRICS), 5.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(POPULATIONS), len(METRICS), squeeze=False)
    width = 0.8 / max(len(policies), 1)
    for row, population in enumerate(POPULATIONS):
        table = run[JSON_KEY[population]]
        for col, metric in enumerate(METRICS):
            ax = axes[row, col]
            for k, policy in enumerate(policies):
                est = np.array([table[policy][w][metric]["estimate"] for w in networks],
                               dtype=float)
                ci = np.array([table[policy][w][metric]["ci"] for w in networks], dtype=float)
                xs = np.arange(len(networks)) + (k - (len(policies) - 1) / 2) * width
                ax.errorbar(xs, est, yerr=[est - ci[:, 0], ci[:, 1] - est], fmt="o", ms=3,
                            color=colours[policy], label=policy, capsize=2)
            ax.set_xticks(np.arange(len(networks)), networks, fontsize=7)
            ax.set_title(f"{population}: {METRIC_LABEL[metric]}", fontsize=8)
            ax.grid(alpha=0.3)
            if metric == "multiplier":
                ax.axhline(0, color="grey", lw=0.8)
    axes[0, 0].legend(fontsize=6)
    fig.savefig(directory / "metrics.png", dpi=110)
