"""Validation against published theory: the engine reproduces three classic results.

Each study runs the engine (or, where the engine cannot express the published model, the engine
plus one small documented piece) and sets the measured figures beside the published ones:

  santos2008     Santos, Santos & Pacheco 2008 (Nature 454:213): fraction of cooperators
                 against eta = r/(z+1) in public-goods games on random regular and scale-free
                 networks (N = 1000, z = 4), cost per game and per individual, proportional
                 imitation, synchronous updates. Engine: groups=neighbourhood, strategies=
                 binary, rule=proportional, mutation=0; payoffs net of the kept endowment as in
                 the paper (sim.validation.net_payoff), plus the engine's own payoffs for
                 comparison.
  ohtsuki2006    Ohtsuki et al. 2006 (Nature 441:502): under death-birth updating and weak
                 selection (w = 0.01) a single cooperator fixes with probability above 1/N when
                 b/c > k. Engine mapping: edges groups, binary strategies, r = 2(b/c)/(1+b/c),
                 E = b + c, asynchronous death-birth (sim.analysis.fixation); run to absorption
                 by a dedicated Numba kernel, many runs on random regular graphs (k = 3, 4, 6).
  nowak_may1992  Nowak & May 1992 (Nature 359:826): spatial prisoner's dilemma with self-
                 interaction and imitation of the best on the Moore lattice; for 1.8 < b < 2
                 cooperators settle around 12 ln 2 - 8 = 0.318 (sim.validation.nowak_may).

Parameters (grids, runs, published values with citations) are in experiments/validation.toml.
--quick runs a small version of every study (seconds); the full version takes minutes.

Output: a side-by-side table; --json prints one object whose "results" are rows
{study, condition, x, simulated, published, ci, n, note}; --out DIR writes report.md,
results.json and one PNG per study (simulated curves over the published points, the Nowak & May
lattice), all or nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SUMMARY = (
    "reproduce Santos et al. 2008, Ohtsuki et al. 2006 and Nowak & May 1992 beside the "
    "published figures"
)
PARAMETERS = Path(__file__).with_name("validation.toml")
STUDIES = ("santos2008", "ohtsuki2006", "nowak_may1992")
#: the spawn-key prefix of each study, so a study's numbers do not depend on which others run
STUDY_KEYS = {name: i for i, name in enumerate(STUDIES)}


# -------------------------------------------------------------------------------- results
@dataclass
class Row:
    """One compared figure: what was simulated at ``x`` and what was published there."""

    study: str
    condition: str
    x: float
    simulated: float
    published: float | None = None
    ci: tuple[float, float] | None = None
    n: int | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "condition": self.condition,
            "x": _finite(self.x),
            "simulated": _finite(self.simulated),
            "published": _finite(self.published),
            "ci": None if self.ci is None else [_finite(v) for v in self.ci],
            "n": self.n,
            "note": self.note,
        }


@dataclass
class StudyResult:
    """A study's rows plus what the report needs to draw it."""

    name: str
    rows: list[Row]
    seconds: float
    settings: dict[str, Any]
    plot: dict[str, Any] = field(default_factory=dict)


def _finite(value: Any) -> Any:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# ----------------------------------------------------------------------------- parameters
def load_parameters(quick: bool, path: Path = PARAMETERS) -> dict[str, dict[str, Any]]:
    """Each study's settings: its shared table overlaid with ``full`` or ``quick``."""
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    out = {}
    for name in STUDIES:
        table = dict(raw[name])
        size = table.pop("quick" if quick else "full")
        table.pop("full" if quick else "quick")
        table.update(size)
        out[name] = table
    return out


def _seed(seed: int, *path: int) -> np.random.SeedSequence:
    """The seed of one unit of work: the user's seed with a fixed spawn key per unit."""
    return np.random.SeedSequence(seed, spawn_key=tuple(int(p) for p in path))


def _mean_ci(values: list[float], draws: int = 4000) -> tuple[float, tuple[float, float] | None]:
    """Mean over runs and its 95% bootstrap percentile interval (resampling runs; the
    resampling generator is fixed, so the interval is reproducible). Unlike mean +- 1.96 SE it
    stays inside the range of the data, here shares in [0, 1]."""
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if len(arr) < 2:
        return mean, None
    rng = np.random.default_rng(0)
    means = arr[rng.integers(0, len(arr), size=(draws, len(arr)))].mean(axis=1)
    return mean, (float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)))


# ------------------------------------------------------------------- Santos et al. 2008
def stationary_cooperators(config, seed, average: int, net_payoff: bool) -> tuple[float, int]:
    """Share of cooperators averaged over the last ``average`` of ``config.rounds`` rounds.

    Without mutation all-C and all-D are absorbing: a run that reaches one stops there and
    reports it. Returns (share, rounds played).
    """
    from sim import Simulation
    from sim.validation.net_payoff import NetPayoffSimulation

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


def run_santos(p: dict[str, Any], seed: int) -> StudyResult:
    """Fraction of cooperators against eta on each network / cost condition."""
    from sim import SimulationConfig

    start = time.perf_counter()
    z = p["degree"]
    published = {entry["condition"]: entry for entry in p["published"]}
    # runs are seeded by (network kind, eta, run), not by condition: every condition on the
    # same kind of network plays on the same networks from the same starts (common random
    # numbers), so differences between conditions are paired
    kinds = sorted({cond["network"] for cond in p["conditions"]})
    tasks = []
    for cond in p["conditions"]:
        for ei, eta in enumerate(p["eta"]):
            config = SimulationConfig(
                n=p["n"], network=cond["network"], degree=z, groups="neighbourhood",
                cost=cond["cost"], r=eta * (z + 1), strategies="binary",
                initial_cooperation=p["initial_cooperation"], rule="proportional",
                update=p["update"], mutation=0.0, endowment=p["endowment"], rounds=p["rounds"],
            ).validate()
            for r in range(p["runs"]):
                key = (seed, STUDY_KEYS["santos2008"], kinds.index(cond["network"]), ei, r)
                tasks.append((config.to_dict(), key, p["average"], cond["payoff"] == "net"))
    values = iter(_map(_santos_task, tasks, p.get("workers", 0)))
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
    return StudyResult("santos2008", rows, time.perf_counter() - start, settings,
                       {"curves": curves, "published": p["published"]})


def _santos_task(task: tuple) -> float:
    from sim import SimulationConfig

    config, key, average, net = task
    seq = _seed(*key)
    return stationary_cooperators(SimulationConfig.from_dict(config), seq, average, net)[0]


def _map(function, tasks: list, workers: int) -> list:
    """``function`` over ``tasks``, each on one Numba thread: in this process when ``workers``
    is 1 (or there is one CPU), else split over ``workers`` worker processes (0: one per CPU).

    The engine's kernels are parallel over agents; for a thousand agents the per-round thread
    hand-offs cost more than they save, badly so when other processes share the CPUs, so
    whole runs are spread over processes instead. Workers are fresh interpreters (``python
    -c``) that read JSON tasks from a temporary file and write JSON results to another, so
    neither fork (unsafe once Numba's threads exist) nor multiprocessing's re-import of the
    caller's main module is involved. Results do not depend on the split: every run has its
    own seed.
    """
    workers = workers or (os.cpu_count() or 1)
    workers = min(workers, len(tasks))
    if workers <= 1:
        with _single_thread():
            return [function(task) for task in tasks]
    import subprocess
    import tempfile

    name = f"{function.__module__}:{function.__qualname__}"
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    procs = []
    for w in range(workers):
        share = tasks[w::workers]  # interleaved, so slow and fast points are spread evenly
        files = [tempfile.TemporaryFile("w+", encoding="utf-8") for _ in range(3)]
        json.dump({"function": name, "tasks": share}, files[0])
        files[0].seek(0)
        proc = subprocess.Popen(
            [sys.executable, "-c", "from experiments.validation import _worker; _worker()"],
            stdin=files[0], stdout=files[1], stderr=files[2], env=env,
        )
        procs.append((proc, files))
    outputs = []
    for proc, files in procs:  # all workers run at once; collect them in order
        proc.wait()
        for handle in files[1:]:
            handle.seek(0)
        out, err = files[1].read(), files[2].read()
        for handle in files:
            handle.close()
        if proc.returncode != 0:
            last = (err.strip().splitlines() or ["no message"])[-1]
            raise RuntimeError(f"a validation worker failed ({proc.returncode}): {last}")
        outputs.append(json.loads(out))
    results: list = [None] * len(tasks)
    for w, values in enumerate(outputs):
        results[w::workers] = values
    return results


def _worker() -> None:
    """Entry point of a worker process: JSON {function, tasks} on stdin, results on stdout."""
    import importlib

    request = json.load(sys.stdin)
    module, _, qualname = request["function"].partition(":")
    function = getattr(importlib.import_module(module), qualname)
    tasks = [tuple(_tupled(t)) for t in request["tasks"]]
    json.dump([function(task) for task in tasks], sys.stdout)


def _tupled(task: list) -> list:
    return [tuple(v) if isinstance(v, list) else v for v in task]


class _single_thread:
    """Context manager: one Numba thread inside, the previous count restored after."""

    def __enter__(self):
        import numba

        self.previous = numba.get_num_threads()
        numba.set_num_threads(1)

    def __exit__(self, *exc):
        import numba

        numba.set_num_threads(self.previous)
        return False


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
def run_ohtsuki(p: dict[str, Any], seed: int) -> StudyResult:
    """Fixation probability of one cooperator against b/c, and where N rho crosses 1."""
    from sim import SimulationConfig
    from sim.analysis.fixation import (
        crossing_point,
        fixation_probability,
        regular_threshold,
        wilson_interval,
    )
    from sim.networks import build_network

    start = time.perf_counter()
    n, w, c = p["n"], p["selection"], p["cost"]
    key_study = STUDY_KEYS["ohtsuki2006"]
    rows: list[Row] = []
    panels = []
    for k in p["degrees"]:
        graphs = [
            build_network(
                SimulationConfig(n=n, network=p["network"], degree=k),
                np.random.default_rng(_seed(seed, key_study, k, 0, g)),
            )
            for g in range(p["graphs"])
        ]
        ratio = [k + off for off in p["offsets"]]
        y, se, lo, hi, events, stuck = [], [], [], [], [], 0
        for oi, bc in enumerate(ratio):
            fixed = runs = 0
            weighted_events = 0.0
            for g, graph in enumerate(graphs):
                share = p["runs"] // len(graphs) + (g < p["runs"] % len(graphs))
                key = _seed(seed, key_study, k, 1 + oi, g).generate_state(1, np.uint64)[0]
                est = fixation_probability(graph, bc * c, c, w, share, key)
                fixed += est.fixed
                runs += est.runs
                stuck += est.not_absorbed
                weighted_events += est.mean_events * est.runs
            rho = fixed / runs
            ci = wilson_interval(fixed, runs)
            y.append(n * rho)
            se.append(n * math.sqrt(max(rho * (1 - rho), 1.0 / runs) / runs))
            lo.append(n * ci[0])
            hi.append(n * ci[1])
            events.append(weighted_events / runs)
            rows.append(Row(
                "ohtsuki2006", f"k={k}, N={n}: N*rho_C", bc, n * rho, None,
                (n * ci[0], n * ci[1]), runs,
                "N*rho_C > 1 means cooperation is favoured (rho_C > 1/N); 95% Wilson interval",
            ))
        crossing = crossing_point(ratio, np.asarray(y) - 1.0, se, seed=seed)
        finite = regular_threshold(n, k)
        ci = None if not all(math.isfinite(v) for v in crossing.ci) else crossing.ci
        rows.append(Row("ohtsuki2006", f"k={k}, N={n}: crossing b/c* vs the rule b/c = k",
                        k, crossing.estimate, float(k), ci, p["runs"] * len(ratio),
                        crossing.method))
        rows.append(Row("ohtsuki2006", f"k={k}, N={n}: crossing b/c* vs (N-2)/(N/k-2)",
                        k, crossing.estimate, finite, ci, p["runs"] * len(ratio),
                        "finite-N weak-selection threshold for k-regular graphs"))
        panels.append({"k": k, "ratio": ratio, "y": y, "lo": lo, "hi": hi,
                       "crossing": crossing.estimate, "crossing_ci": crossing.ci,
                       "finite": finite, "events": events, "not_absorbed": stuck})
    settings = {k: p[k] for k in ("n", "network", "selection", "cost", "graphs", "runs",
                                  "degrees", "offsets")}
    return StudyResult("ohtsuki2006", rows, time.perf_counter() - start, settings,
                       {"panels": panels, "n": n})


# ---------------------------------------------------------------------- Nowak & May 1992
def run_nowak_may_study(p: dict[str, Any], seed: int) -> StudyResult:
    """Share of cooperators in the chaotic regime, averaged over late generations."""
    from sim.validation.nowak_may import run_nowak_may

    start = time.perf_counter()
    rows, runs = [], []
    with _single_thread():
        results = {
            (bi, s): run_nowak_may(p["side"], float(b), p["generations"], p["initial_defectors"],
                                   seed=_seed(seed, STUDY_KEYS["nowak_may1992"], bi, s))
            for bi, b in enumerate(p["b"])
            for s in range(p["seeds"])
        }
    for bi, b in enumerate(p["b"]):
        shares = []
        for s in range(p["seeds"]):
            result = results[bi, s]
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
    return StudyResult("nowak_may1992", rows, time.perf_counter() - start, settings,
                       {"runs": runs, "published": p["published"]})


RUNNERS = {
    "santos2008": run_santos,
    "ohtsuki2006": run_ohtsuki,
    "nowak_may1992": run_nowak_may_study,
}


def run_validation(quick: bool, seed: int, studies: list[str] | None = None,
                   path: Path = PARAMETERS) -> dict[str, Any]:
    """Run the chosen studies; returns {"results": [StudyResult], "meta": {...}}."""
    import numba

    params = load_parameters(quick, path)
    load_before = os.getloadavg()
    start = time.perf_counter()
    results = [RUNNERS[name](params[name], seed) for name in (studies or list(STUDIES))]
    meta = {
        "quick": quick,
        "seed": seed,
        "seconds": time.perf_counter() - start,
        "study_seconds": {r.name: r.seconds for r in results},
        "load_before": list(load_before),
        "load_after": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
    }
    return {"results": results, "meta": meta, "params": params}


# ------------------------------------------------------------------------------ the CLI
def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cli.base import integer_at_least

    parser.add_argument("--quick", action="store_true",
                        help="a small version of every study (seconds instead of minutes)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object ('results' rows, timings) and nothing else")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write report.md, results.json and the figures into DIR, all or "
                        "nothing")
    parser.add_argument("--seed", type=integer_at_least("--seed", 0), default=0, metavar="INT",
                        help="master seed; every run's seed derives from it (default: 0)")
    parser.add_argument("--study", action="append", metavar="NAME",
                        help=f"run only this study (repeatable): {', '.join(STUDIES)}")


def main(args: argparse.Namespace) -> int:
    from cli.base import UsageError
    from cli.output import OutputDir, check_out_dir, write_json

    studies = args.study or list(STUDIES)
    for name in studies:
        if name not in STUDIES:
            raise UsageError(f"--study '{name}' is unknown; allowed: {', '.join(STUDIES)}")
    studies = [name for name in STUDIES if name in studies]
    if args.out is not None:
        check_out_dir(args.out)
    run = run_validation(args.quick, args.seed, studies)
    document = as_json(run)
    if args.out is not None:
        with OutputDir(args.out) as staging:
            write_json(staging / "results.json", document)
            write_figures(staging, run)
            (staging / "report.md").write_text(report_markdown(run), encoding="utf-8")
    if args.json:
        json.dump(document, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(table_text(run))
        if args.out is not None:
            print(f"\nwrote report.md, results.json and figures to {args.out}/")
    return 0


def as_json(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "experiment": "validation",
        "quick": run["meta"]["quick"],
        "seed": run["meta"]["seed"],
        "results": [row.as_json() for result in run["results"] for row in result.rows],
        "settings": {r.name: r.settings for r in run["results"]},
        "timing": {k: v for k, v in run["meta"].items() if k not in ("quick", "seed")},
    }


# ------------------------------------------------------------------------------ the text
def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{digits}f}"


def _cell(row: Row) -> str:
    text = _fmt(row.simulated)
    if row.ci is not None and all(math.isfinite(v) for v in row.ci):
        text += f" [{_fmt(row.ci[0])}, {_fmt(row.ci[1])}]"
    return text


def table_text(run: dict[str, Any]) -> str:
    meta = run["meta"]
    lines = [
        f"cascade experiment validation ({'quick' if meta['quick'] else 'full'}), seed "
        f"{meta['seed']}: {meta['seconds']:.1f} s on {meta['cpus']} CPUs "
        f"(load {meta['load_before'][0]:.2f} before, {meta['load_after'][0]:.2f} after)",
        "",
        f"{'study':<14} {'condition':<52} {'x':>6}  {'simulated [95% CI]':<28} {'published':>9}",
    ]
    for result in run["results"]:
        for row in result.rows:
            lines.append(f"{row.study:<14} {row.condition:<52} {row.x:>6.2f}  {_cell(row):<28} "
                         f"{_fmt(row.published):>9}")
        lines.append(f"{'':<14} ({result.name}: {result.seconds:.1f} s)")
    lines.append("")
    lines.append("Published Santos et al. values are approximate (not read off the printed "
                 "figure); see report.md and validation.toml.")
    return "\n".join(lines)


def report_markdown(run: dict[str, Any]) -> str:
    meta, params = run["meta"], run["params"]
    out = [
        "# Validation against published theory",
        "",
        f"`cascade experiment validation{' --quick' if meta['quick'] else ''} --seed "
        f"{meta['seed']}`: {meta['seconds']:.1f} s in all on {meta['cpus']} CPUs, "
        f"{meta['numba_threads']} Numba threads; load average (1, 5, 15 min) "
        f"{', '.join(f'{v:.2f}' for v in meta['load_before'])} before and "
        f"{', '.join(f'{v:.2f}' for v in meta['load_after'])} after.",
        "",
        "Every simulated figure below was computed by this run; published figures are data from "
        "`experiments/validation.toml`, with their citations. Intervals are 95%.",
        "",
    ]
    for result in run["results"]:
        out += SECTION[result.name](result, params[result.name])
        out += ["", f"Time: {result.seconds:.1f} s.", ""]
    return "\n".join(out)


def _rows_table(rows: list[Row], x_name: str) -> list[str]:
    out = [f"| condition | {x_name} | simulated [95% CI] | published | n | note |",
           "| --- | ---: | --- | ---: | ---: | --- |"]
    for r in rows:
        out.append(f"| {r.condition} | {r.x:g} | {_cell(r)} | {_fmt(r.published)} | "
                   f"{r.n if r.n is not None else '-'} | {r.note} |")
    return out


def _section_santos(result: StudyResult, p: dict[str, Any]) -> list[str]:
    s = result.settings
    return [
        "## Santos, Santos & Pacheco 2008 (Nature 454:213-216), Fig. 1",
        "",
        "Public-goods games on networks: every node centres a game with its neighbours; a node "
        "of degree k plays k+1 games. Fraction of cooperators against eta = r/(z+1).",
        "",
        f"Engine settings: n = {s['n']}, z = {s['degree']}, random-regular and scale-free "
        "(Barabasi-Albert, m = z/2) networks, groups = neighbourhood, cost per game or per "
        "individual, r = eta (z+1), strategies = binary (endowment 1), rule = proportional "
        f"(copy a random neighbour with prob. max(0, P_j - P_i)/M), update = {s['update']}, "
        f"mutation = 0, half cooperators at the start. Each point: {s['runs']} runs, each on a "
        f"new network and start; a run plays up to {s['rounds']} rounds and is averaged over "
        f"its last {s['average']} (runs that reach all-C or all-D stop there). Intervals: 95% "
        "bootstrap over runs. Runs are seeded by network kind, eta and run number, so all "
        "conditions on one kind of network share networks and starts.",
        "",
        "Payoffs: Santos et al. count only what the games change (a cooperator pays c per game, "
        "or c in all). The engine also pays every agent the endowment it keeps in each of its "
        "games, own_games x E. That is a constant for everyone under cost per individual and on "
        "regular graphs, which imitation ignores, but under cost per game on a scale-free graph "
        "it is a bonus (k_i+1)E that grows with degree. The 'net' conditions remove it "
        "(`sim.validation.net_payoff`); the '(engine payoffs)' condition keeps it, to show the "
        "difference.",
        "",
        "**The published values are approximate and were not read off the printed figure** "
        "(the copies available when this was written held only the abstract): check them "
        "against Fig. 1 before citing this comparison. Differences from the paper's protocol: "
        "fewer runs per point and shorter runs than a paper of this kind uses, and the update "
        "is assumed synchronous.",
        "",
        "![Santos et al. 2008](santos2008.png)",
        "",
        *_rows_table(result.rows, "eta"),
    ]


def _section_ohtsuki(result: StudyResult, p: dict[str, Any]) -> list[str]:
    s = result.settings
    panels = result.plot["panels"]
    stuck = sum(panel["not_absorbed"] for panel in panels)
    return [
        "## Ohtsuki, Hauert, Lieberman & Nowak 2006 (Nature 441:502-505), rule b/c > k, Fig. 2",
        "",
        "Death-birth updating on a graph: a random agent dies and its neighbours compete for the "
        "site in proportion to fitness 1 - w + w P, P the donation-game payoff summed over ties "
        "(a cooperator pays c per tie, each neighbour of a cooperator gets b). One cooperator is "
        "placed at random among defectors; cooperation is favoured if it fixes with probability "
        "rho_C > 1/N, i.e. N rho_C > 1, which the paper shows happens when b/c > k.",
        "",
        "Engine mapping (`sim.analysis.fixation`): edges groups with binary strategies are the "
        "donation game with b = rE/2, c = E(1 - r/2) (so r = 2(b/c)/(1+b/c), E = b + c) plus the "
        "constant kE everyone keeps, and the engine's asynchronous death-birth rule with "
        "mutation 0 is this process; on a k-regular graph the constant only rescales selection "
        "(engine selection w/(1 - wkE)). The tests check the dedicated kernel against the "
        "engine's own rule and against the exact Markov chain on small graphs.",
        "",
        f"Method: N = {s['n']}, {s['network']} graphs, w = {s['selection']}, c = {s['cost']}; "
        f"for each b/c, {s['runs']:,} independent runs to absorption spread over {s['graphs']} "
        "random graphs (a new graph set per k), each run keyed by its index in the "
        "counter-based generator. N rho_C with 95% Wilson intervals; the crossing b/c* is the "
        "root of a weighted least-squares quadratic through N rho_C - 1, with a 95% "
        f"parametric-bootstrap interval. Runs that did not absorb: {stuck}.",
        "",
        "Two published thresholds: Ohtsuki et al.'s b/c = k (the large-N rule the paper states "
        "and its Fig. 2 tests) and the exact weak-selection threshold (N-2)/(N/k-2) for N "
        "nodes (Taylor, Day & Wild 2007; Chen 2013). With N = 100 the finite-N value is the "
        "sharper test.",
        "",
        "![Ohtsuki et al. 2006](ohtsuki2006.png)",
        "",
        *_rows_table(result.rows, "b/c or k"),
    ]


def _section_nowak_may(result: StudyResult, p: dict[str, Any]) -> list[str]:
    s = result.settings
    return [
        "## Nowak & May 1992 (Nature 359:826-829)",
        "",
        "Prisoner's dilemma with R = 1, T = b, S = P = 0 against the 8 Moore neighbours and "
        "oneself; every generation, all at once, each site takes the strategy of the best "
        "scorer among itself and its neighbours. For 1.8 < b < 2 the pattern never settles and "
        "the share of cooperators fluctuates around 12 ln 2 - 8 = 0.318.",
        "",
        "Engine mapping (`sim.validation.nowak_may`): the engine's periodic square-lattice "
        "(degree 8) and its imitate-best kernel; the payoffs come from a small kernel because "
        "the engine's public-goods games cannot express this matrix (an all-or-nothing "
        "two-player public-goods game is always a donation game, S < 0) nor self-interaction. "
        "Deviation: the lattice wraps around (Nowak & May also used fixed boundaries).",
        "",
        f"Method: {s['side']}x{s['side']} lattice, {s['initial_defectors']:g} defectors at "
        f"random at the start, {s['generations']} generations, share of cooperators averaged "
        f"over the last {s['average']}, {s['seeds']} random starts.",
        "",
        "![Nowak & May 1992](nowak_may1992.png)",
        "",
        "Colours as in Nowak & May: blue C after C, red D after D, yellow C after D, green D "
        "after C.",
        "",
        *_rows_table(result.rows, "b"),
    ]


SECTION = {"santos2008": _section_santos, "ohtsuki2006": _section_ohtsuki,
           "nowak_may1992": _section_nowak_may}


# ---------------------------------------------------------------------------- the figures
def write_figures(directory: Path, run: dict[str, Any]) -> list[Path]:
    """One PNG per study that ran."""
    written = []
    for result in run["results"]:
        path = directory / f"{result.name}.png"
        FIGURES[result.name](path, result)
        written.append(path)
    return written


def _figure(width: float, height: float, ncols: int = 1):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, axes


def _figure_santos(path: Path, result: StudyResult) -> None:
    fig, (ax,) = _figure(11.5, 5.5)
    colours = ["tab:blue", "tab:cyan", "tab:red", "tab:orange", "tab:gray"]
    published = {e["condition"]: e for e in result.plot["published"]}
    for colour, curve in zip(colours, result.plot["curves"], strict=False):
        eta = np.asarray(curve["eta"])
        mean = np.asarray(curve["mean"])
        err = np.array([[m - c[0], c[1] - m] if c else [0.0, 0.0]
                        for m, c in zip(mean, curve["ci"], strict=True)]).T
        style = ":" if curve["payoff"] == "engine" else "-"
        ax.errorbar(eta, mean, yerr=err, color=colour, ls=style, marker="o", ms=4, capsize=2,
                    label=f"simulated: {curve['name']}")
        pub = published.get(curve["name"])
        if pub is not None:
            ax.plot(pub["eta"], pub["cooperators"], color=colour, ls="--", marker="s", ms=6,
                    mfc="none", alpha=0.8, label=f"published (approx.): {curve['name']}")
    ax.axvline(1.0, color="black", lw=0.6, alpha=0.5)
    ax.set_xlabel("eta = r / (z + 1)")
    ax.set_ylabel("fraction of cooperators")
    ax.set_ylim(-0.03, 1.03)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Santos, Santos & Pacheco 2008, Fig. 1: simulated (solid) over published "
                 "(dashed, approximate)", fontsize=9)
    fig.savefig(path, dpi=120)


def _figure_ohtsuki(path: Path, result: StudyResult) -> None:
    panels = result.plot["panels"]
    fig, axes = _figure(4.2 * len(panels), 4.2, ncols=len(panels))
    for ax, panel in zip(axes, panels, strict=True):
        x = np.asarray(panel["ratio"])
        y = np.asarray(panel["y"])
        err = np.vstack([y - np.asarray(panel["lo"]), np.asarray(panel["hi"]) - y])
        ax.errorbar(x, y, yerr=err, marker="o", ms=4, capsize=2, color="tab:blue",
                    label="simulated N rho_C")
        ax.axhline(1.0, color="black", lw=0.8, label="neutral (rho_C = 1/N)")
        ax.axvline(panel["k"], color="tab:red", lw=1.2, label="published rule b/c = k")
        ax.axvline(panel["finite"], color="tab:red", ls="--", lw=1.0,
                   label="(N-2)/(N/k-2)")
        lo, hi = panel["crossing_ci"]
        if math.isfinite(lo) and math.isfinite(hi):
            ax.axvspan(lo, hi, color="tab:green", alpha=0.25, label="simulated crossing, 95%")
        ax.set_title(f"k = {panel['k']}, N = {result.plot['n']}", fontsize=10)
        ax.set_xlabel("b / c")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("N x fixation probability of one cooperator")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Ohtsuki et al. 2006: death-birth, weak selection; cooperation favoured above "
                 "the black line", fontsize=10)
    fig.savefig(path, dpi=120)


def _figure_nowak_may(path: Path, result: StudyResult) -> None:
    from matplotlib.colors import ListedColormap

    first = result.plot["runs"][0]
    res, b = first["result"], first["b"]
    fig, (left, right) = _figure(11, 5, ncols=2)
    # 0 D after D (red), 1 C after D (yellow), 2 D after C (green), 3 C after C (blue)
    code = res.state + 2 * res.previous
    cmap = ListedColormap(["tab:red", "gold", "tab:green", "tab:blue"])
    left.imshow(code, cmap=cmap, vmin=-0.5, vmax=3.5, interpolation="nearest")
    left.set_xticks([])
    left.set_yticks([])
    left.set_title(f"lattice after {len(res.cooperators) - 1} generations, b = {b:g}",
                   fontsize=10)
    gens = np.arange(len(res.cooperators))
    right.plot(gens, res.cooperators, color="tab:blue", lw=1, label="simulated share of C")
    right.axhline(result.plot["published"], color="tab:red", ls="--",
                  label="Nowak & May: 12 ln 2 - 8 = 0.318")
    right.set_xlabel("generation")
    right.set_ylabel("share of cooperators")
    right.set_ylim(0, 1)
    right.grid(alpha=0.3)
    right.legend(fontsize=8)
    fig.suptitle("Nowak & May 1992: blue C after C, red D after D, yellow C after D, green D "
                 "after C", fontsize=10)
    fig.savefig(path, dpi=120)


FIGURES = {"santos2008": _figure_santos, "ohtsuki2006": _figure_ohtsuki,
           "nowak_may1992": _figure_nowak_may}
