"""``cascade run``: play one simulation and report it.

Prints a readable summary, or with ``--json`` one JSON object and nothing else; with ``--out DIR``
also writes ``history.parquet``, ``chart.png``, ``config.json`` (and ``agents.parquet`` with
``--agents``), all or nothing (see :mod:`cli.output`).

Order of work, so that bad input never leaves anything behind: parse, validate the config,
check ``--out``, build the simulation (network files are read here), run, and only then write.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cli import options
from cli.base import HelpFormatter, UsageError, integer_at_least
from cli.output import write_chart
from experiments.output import OutputDir, check_out_dir, write_json
from sim import ConfigError, History, Simulation, SimulationConfig
from sim.ensemble import Ensemble, EnsembleHistory
from sim.graph import CSRGraph
from sim.groups import GROUP_STRUCTURES
from sim.history import METRICS
from sim.networks import NETWORKS
from sim.rules import RULES

DESCRIPTION = """\
Play one run of the repeated public-goods game on a network and print a summary.

Every setting of sim.SimulationConfig is an option below (field name with dashes): e.g.
  cascade run --n 2000 --network small-world --rounds 50 --out out/demo
  cascade run --network silos --team-size 25 --bridging 0.05 --rule fermi --json
  cascade run --network edgelist --network-file ties.txt --groups rematch --group-size 4"""


def add_parser(subparsers: argparse._SubParsersAction,
               argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "run",
        help="play one simulation: summary, --json, or --out DIR (Parquet + chart)",
        description=DESCRIPTION,
        epilog=options.registry_epilog()
        + "\n\nBad input ends with one 'cascade: error: ...' line on stderr and exit status 2.",
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    run_group = parser.add_argument_group("run and output")
    run_group.add_argument(
        "--seed",
        type=integer_at_least("--seed", 0),
        default=0,
        metavar="INT",
        help="seed of the run: the network, the population and every decision derive from it "
        "(default: 0)",
    )
    run_group.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (config, seed, per-round series, summary) and nothing else",
    )
    run_group.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="also write history.parquet, chart.png and config.json into DIR, all or nothing "
        "(files of the same names in DIR are replaced)",
    )
    run_group.add_argument(
        "--agents",
        action="store_true",
        help="with --out, also write agents.parquet: every agent's contribution in every round",
    )
    run_group.add_argument(
        "--quiet", action="store_true", help="print nothing on stdout (unless --json)"
    )
    run_group.add_argument(
        "--replicates",
        type=integer_at_least("--replicates", 1),
        default=1,
        metavar="INT",
        help="play this many replicates together (an ensemble: sim.ensemble), replicate r "
        "seeded by child r of --seed; the summary gives their mean and a 95%% interval, "
        "history.parquet one row per replicate and round (default: 1)",
    )
    run_group.add_argument(
        "--networks",
        type=integer_at_least("--networks", 1),
        metavar="INT",
        help="with --replicates R: how many network realisations the replicates share, a "
        "divisor of R (default: R, one network each; fewer is faster)",
    )
    fields = options.add_config_options(parser)
    parser.set_defaults(handler=run, config_fields=fields)
    return parser


# -------------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    # validated here, once: the simulation trusts the validated config
    config = options.config_from_args(args, args.config_fields)  # raises ConfigError
    if args.agents and args.out is None:
        raise UsageError("--agents needs --out DIR (agents.parquet is written there)")
    if args.networks is not None and args.replicates == 1 and args.networks != 1:
        raise UsageError("--networks needs --replicates R with R a multiple of it")
    if args.replicates > 1 and args.agents:
        raise UsageError("--agents is for one run: leave out --replicates")
    if args.out is not None:
        check_out_dir(args.out)
    if args.replicates > 1:
        return run_ensemble(args, config)
    try:
        simulation = Simulation(config, args.seed, record_agents=args.agents)
    except ConfigError as err:  # e.g. a missing or malformed --network-file
        raise UsageError(str(err)) from None
    history = simulation.run()
    network = network_stats(simulation)

    written: list[str] = []
    if args.out is not None:
        with OutputDir(args.out) as staging:
            history.to_frame().to_parquet(staging / "history.parquet", index=False)
            if args.agents:
                history.agent_frame().to_parquet(staging / "agents.parquet", index=False)
            write_chart(staging / "chart.png", history, config, args.seed, network)
            write_json(staging / "config.json", {"config": config.to_dict(), "seed": args.seed})
            written = sorted(p.name for p in staging.iterdir())

    if args.json:
        json.dump(as_json(history, config, args.seed, network), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    elif not args.quiet:
        print(summary_text(history, config, args.seed, network, simulation))
        if args.out is not None:
            print(f"\nwrote {', '.join(written)} to {args.out}/")
    return 0


def run_ensemble(args: argparse.Namespace, config: SimulationConfig) -> int:
    """``--replicates R``: R replicates as one :class:`sim.ensemble.Ensemble`; the summary
    and chart show the replicates' mean per round, the outputs every replicate."""
    try:
        ensemble = Ensemble(config, args.seed, replicates=args.replicates,
                            networks=args.networks)
    except ConfigError as err:
        raise UsageError(str(err)) from None
    played = ensemble.run()
    mean = History(**{m: getattr(played, m).mean(axis=1) for m in METRICS},
                   config=config.to_dict(), seed=args.seed)
    graph = ensemble.graph(0)
    network = network_stats(graph)
    finals = finals_with_intervals(played)
    written: list[str] = []
    if args.out is not None:
        with OutputDir(args.out) as staging:
            played.to_frame().to_parquet(staging / "history.parquet", index=False)
            write_chart(staging / "chart.png", mean, config, args.seed, network)
            write_json(staging / "config.json", {
                "config": config.to_dict(), "seed": args.seed,
                "replicates": ensemble.replicates, "networks": ensemble.networks})
            written = sorted(p.name for p in staging.iterdir())
    if args.json:
        out = as_json(mean, config, args.seed, network)
        out["replicates"] = ensemble.replicates
        out["networks"] = ensemble.networks
        out["final"] = {m: {"mean": _finite(v[0]), "ci": [_finite(v[1]), _finite(v[2])]}
                        for m, v in finals.items()}
        out["per_replicate"] = {m: [[_finite(float(x)) for x in getattr(played, m)[:, r]]
                                    for r in range(ensemble.replicates)] for m in METRICS}
        json.dump(out, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    elif not args.quiet:
        played_text = (f"mean of {ensemble.replicates} replicates (seed {args.seed}, "
                       f"{ensemble.networks} networks)")
        lines = [summary_text(mean, config, args.seed, network, played=played_text), "",
                 "  final round, mean over replicates [95% t interval]:"]
        for metric, (value, lo, hi) in finals.items():
            lines.append(f"  {metric:<26}{value:10.3f}  [{lo:.3f}, {hi:.3f}]")
        print("\n".join(lines))
        if args.out is not None:
            print(f"\nwrote {', '.join(written)} to {args.out}/")
    return 0


def finals_with_intervals(played: EnsembleHistory) -> dict[str, tuple[float, float, float]]:
    """Each metric's final-round mean over replicates with its 95% t interval."""
    from scipy import stats  # here, not at import: SciPy's statistics take a second to load

    out = {}
    for metric in METRICS:
        values = getattr(played, metric)[-1]
        values = values[np.isfinite(values)]
        if len(values) == 0:
            out[metric] = (math.nan, math.nan, math.nan)
            continue
        mean = float(values.mean())
        half = (float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1)
                      / math.sqrt(len(values))) if len(values) > 1 else math.nan)
        out[metric] = (mean, mean - half, mean + half)
    return out


def network_stats(simulation: Simulation | CSRGraph) -> dict[str, Any]:
    graph = simulation if isinstance(simulation, CSRGraph) else simulation.graph
    degree = graph.degree
    return {
        "n": int(graph.n),
        "edges": int(graph.n_edges),
        "mean_degree": float(degree.mean()) if graph.n else 0.0,
    }


# ------------------------------------------------------------------------------- JSON
def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def as_json(
    history: History, config: SimulationConfig, seed: int, network: dict[str, Any]
) -> dict[str, Any]:
    """The ``--json`` object: config, seed, one list per metric, and the summary."""
    out: dict[str, Any] = {"config": config.to_dict(), "seed": seed}
    for metric in ("mean_contribution", "welfare", "gini", "cooperators"):
        out[metric] = [_finite(float(v)) for v in getattr(history, metric)]
    summary = {
        k: int(v) if k == "rounds" else _finite(float(v)) for k, v in history.summary().items()
    }
    summary.update(network)
    out["summary"] = summary
    return out


# ------------------------------------------------------------------------------- text
SPARK = "▁▂▃▄▅▆▇█"
SPARK_ASCII = "_.-:=+*#"
SPARK_WIDTH = 60


def sparkline(values, low: float, high: float, width: int = SPARK_WIDTH) -> str:
    """One character per round (or per bucket of rounds when there are more than ``width``)."""
    values = [float(v) for v in values]
    if len(values) > width:
        buckets = []
        for b in range(width):
            chunk = values[b * len(values) // width : (b + 1) * len(values) // width]
            buckets.append(sum(chunk) / len(chunk))
        values = buckets
    chars = SPARK
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        chars.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        chars = SPARK_ASCII
    span = (high - low) or 1.0
    out = []
    for v in values:
        if not math.isfinite(v):
            out.append("?")
            continue
        level = round((min(max(v, low), high) - low) / span * (len(chars) - 1))
        out.append(chars[level])
    return "".join(out)


def sample_rounds(rounds: int, count: int = 5) -> list[int]:
    """Round numbers (from 1) spread evenly over the run, first and last included."""
    if rounds <= count:
        return list(range(1, rounds + 1))
    return sorted({1 + round(i * (rounds - 1) / (count - 1)) for i in range(count)})


def _share_text(config: SimulationConfig) -> str:
    mode, value = config.share_mode
    return f"MPCR {value:g}" if mode == "mpcr" else f"r {value:g} (MPCR r/|g|)"


def summary_text(
    history: History,
    config: SimulationConfig,
    seed: int,
    network: dict[str, Any],
    simulation: Simulation | None = None,
    played: str | None = None,
) -> str:
    """The readable summary; ``played`` replaces "seed S" in the first line (an ensemble's
    "mean of R replicates ...")."""
    e = config.endowment
    s = history.summary()
    net_summary = getattr(NETWORKS.get(config.network), "summary", "")
    lines = [
        f"cascade run: {network['n']:,} agents, {config.network} network, {config.rule} rule, "
        f"{history.rounds} rounds, {played or f'seed {seed}'}",
        "",
        f"  network  {config.network}: n {network['n']:,}, edges {network['edges']:,}, "
        f"mean degree {network['mean_degree']:.2f}",
    ]
    if net_summary:
        lines.append(f"           {net_summary}")
    lines += [
        f"  groups   {config.groups}: {GROUP_STRUCTURES[config.groups].summary}",
        f"  rule     {config.rule}: {RULES[config.rule].summary}",
        f"  game     endowment {e:g} MU, {_share_text(config)}, cost {config.cost}, "
        f"{config.strategies} contributions, {config.update} update",
        f"  rounds   {history.rounds}    seed {seed}",
        "",
        f"  {'':<26}{'first':>10}{'final':>10}{'mean':>10}",
    ]

    def row(label: str, metric: str, fmt) -> str:
        cells = [fmt(s[f"{k}_{metric}"]) for k in ("first", "final", "mean")]
        return f"  {label:<26}" + "".join(f"{c:>10}" for c in cells)

    lines += [
        row("mean contribution (MU)", "mean_contribution", lambda v: f"{v:.2f}"),
        row("  as % of endowment", "mean_contribution", lambda v: f"{100 * v / e:.1f}%"),
        row("welfare (mean payoff)", "welfare", lambda v: f"{v:.2f}"),
        row("Gini of payoffs", "gini", lambda v: f"{v:.3f}"),
        row("cooperators (>= E/2)", "cooperators", lambda v: f"{100 * v:.1f}%"),
        "",
    ]
    # the sparkline spans the run's own range, so that the trend shows; flat runs span 0..E
    series = [float(v) for v in history.mean_contribution if math.isfinite(v)]
    low, high = (min(series), max(series)) if series else (0.0, e)
    if high - low < 1e-6 * e:
        low, high = 0.0, e
    per_mark = (
        f", one mark per {history.rounds / SPARK_WIDTH:.3g} rounds"
        if history.rounds > SPARK_WIDTH
        else ""
    )
    lines += [
        f"  mean contribution per round (lowest mark {low:.2f} MU, highest {high:.2f} MU"
        f"{per_mark}):",
        f"  {sparkline(history.mean_contribution, low, high)}",
    ]
    picked = sample_rounds(history.rounds)
    values = [float(history.mean_contribution[t - 1]) for t in picked]
    lines += [
        "  " + f"{'round':<12}" + "".join(f"{t:>8}" for t in picked),
        "  " + f"{'MU':<12}" + "".join(f"{v:>8.2f}" for v in values),
        "  " + f"{'% of E':<12}" + "".join(f"{100 * v / e:>7.0f}%" for v in values),
    ]
    return "\n".join(lines)
