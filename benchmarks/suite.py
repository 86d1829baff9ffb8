"""The benchmark suite behind ``cascade bench`` and ``python benchmarks/suite.py``.

Every engine row runs in a child process of its own, which builds the run, plays two rounds
(compilation is cached, see the ``startup`` row), times batches of ``step()`` calls (best of
three) and reports its peak resident memory (``ru_maxrss``, the only measure that sees NumPy's
and Numba's allocations) minus what the interpreter held before building, per agent. In the
same run it measures the Mesa model (``models/public_goods``) with and without its agent
reporters against the bare engine on the same settings, the plain Mesa baseline
(``benchmarks/mesa_baseline.py``), the NumPy + SciPy sparse baseline
(``benchmarks/numpy_baseline.py``) beside the engine on that baseline's game (binary
strategies, r = 4.5, Fermi K = 0.5) at each size, and how long a fresh process takes from start
to the end of its first round.

It also measures ensembles (:mod:`sim.ensemble`: R replicates on one network, aggregate rate
and peak memory per agent-replicate), the human-like rule beside Fermi and asynchronous beside
synchronous updating (round by round and as one compiled run), and a run of 500 people for 40
rounds end to end.

Rows (``--json`` prints one JSON object per line) have the fields ``model`` (``engine``,
``ensemble``, ``mesa-model``, ``plain-mesa``, ``numpy-scipy`` or ``startup``), ``case``,
``n``, ``degree``, ``replicates`` (ensembles),
``groups``, ``rule``, ``update``, ``rate`` (agent-rounds per second), ``build_s``, ``peak_rss_mb``,
``bytes_per_agent``, ``vs_plain_mesa`` (``rate`` over the plain Mesa baseline's), ``vs_numpy``
(an engine row on the NumPy baseline's game: ``rate`` over that baseline's at the same n),
``threads`` and ``load`` (the 1-minute load average when the row started).
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

FIELDS = ("model", "case", "n", "degree", "groups", "rule", "update", "rate", "build_s",
          "peak_rss_mb", "bytes_per_agent", "vs_plain_mesa", "vs_numpy", "threads", "load",
          "replicates")

#: the headline case: n = 10^6, degree 4, neighbourhood, Fermi, synchronous
HEADLINE = dict(n=1_000_000, degree=4, groups="neighbourhood", rule="fermi", update="synchronous")


def engine_cases(quick: bool) -> list[dict]:
    """The engine matrix: sizes x degree x groups x rule x update (trimmed where slow).

    ``quick``: n = 1000, degree 4, two cases that between them cover both group structures,
    both rules and both updates.
    """
    if quick:
        return [dict(n=1_000, degree=4, groups=groups, rule=rule, update=update)
                for groups, rule, update in (
                    ("neighbourhood", "fermi", "synchronous"),
                    ("partition", "conditional", "asynchronous"))]
    sizes = [1_000, 10_000, 100_000, 1_000_000, 10_000_000]
    degrees = [4, 10]
    cases = []
    for n in sizes:
        for degree in degrees:
            for groups in ("neighbourhood", "partition"):
                for rule in ("fermi", "conditional"):
                    for update in ("synchronous", "asynchronous"):
                        if n >= 10_000_000 and not (
                            groups == "neighbourhood" and rule == "fermi"
                            and update == "synchronous"
                        ):
                            continue  # n = 10^7: the headline case at both degrees only
                        if update == "asynchronous" and n > 1_000_000:
                            continue
                        cases.append(dict(n=n, degree=degree, groups=groups, rule=rule,
                                          update=update))
    return cases


def rounds_for(n: int) -> int:
    """Rounds per timed batch: about 3 million agent-rounds, between 2 and 200."""
    return max(2, min(200, 3_000_000 // n))


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _settings(case: dict) -> dict:
    s = dict(n=case["n"], network="random-regular", degree=case["degree"],
             groups=case["groups"], rule=case["rule"], update=case["update"])
    if case["groups"] == "partition":
        s["group_size"] = case["degree"] + 1  # as many players as a neighbourhood game
    return s


def _time_steps(step, n: int, rounds: int, repeats: int = 3) -> float:
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(rounds):
            step()
        best = max(best, n * rounds / (time.perf_counter() - start))
    return best


def child_engine(case: dict) -> dict:
    """Measure one engine case in this process (called in a fresh child)."""
    import numba

    from sim import Simulation, SimulationConfig

    before = _rss_mb()
    start = time.perf_counter()
    rounds = rounds_for(case["n"])
    settings = _settings(case)
    sim = Simulation(SimulationConfig(rounds=3 * rounds + 2, **settings), seed=1)
    sim.step()
    sim.step()
    build = time.perf_counter() - start
    rate = _time_steps(sim.step, sim.n, rounds)
    peak = _peak_mb()
    return dict(case=f"{case['rule']} {case['update'][:5]} {case['groups'][:5]}", rate=rate,
                build_s=build, peak_rss_mb=peak,
                bytes_per_agent=(peak - before) * 2**20 / sim.n,
                threads=min(sim.threads, numba.get_num_threads()), **case)


def child_mesa_model(n: int) -> list[dict]:
    """The Mesa model's step with and without agent reporters, and the bare engine."""
    import numba

    from models.public_goods import PublicGoodsModel
    from sim import Simulation, SimulationConfig

    case = dict(n=n, degree=4, groups="neighbourhood", rule="fermi", update="synchronous")
    settings = _settings(case)
    rounds = max(3, min(50, 1_000_000 // n))
    rows = []
    engine = Simulation(SimulationConfig(rounds=3 * rounds + 2, **settings), seed=1)
    engine.step()
    engine.step()
    rows.append(dict(model="engine", case="bare engine (Mesa model's settings)",
                     rate=_time_steps(engine.step, n, rounds), **case))
    for collect in (False, True):
        start = time.perf_counter()
        model = PublicGoodsModel(rng=1, collect_agents=collect, rounds=3 * rounds + 2,
                                 **settings)
        model.step()
        model.step()
        build = time.perf_counter() - start
        rows.append(dict(model="mesa-model",
                         case="step, agent reporters " + ("on" if collect else "off"),
                         rate=_time_steps(model.step, n, rounds), build_s=build, **case))
    for r in rows:
        r["threads"] = numba.get_num_threads()
    return rows


def child_startup() -> dict:
    """The first two rounds (n = 1000); the parent times the whole child process."""
    import numba

    from sim import Simulation, SimulationConfig

    sim = Simulation(SimulationConfig(n=1000, network="random-regular", degree=4, rounds=3,
                                      rule="fermi"), seed=1)
    sim.step()
    sim.step()
    return dict(model="startup", case="fresh process to first learning round", n=1000,
                degree=4, threads=numba.get_num_threads())


def child_plain_mesa(n: int) -> dict:
    """The plain Mesa baseline (benchmarks/mesa_baseline.py), in its own fresh process."""
    rate = load_baseline().agent_rounds_per_second(n=n, degree=4, rounds=10, seed=1)
    return dict(model="plain-mesa", case="fermi synch neigh (Mesa, Python)", n=n, degree=4,
                groups="neighbourhood", rule="fermi", update="synchronous", rate=rate)


def numpy_sizes(quick: bool) -> list[int]:
    """Sizes at which the engine is compared with the NumPy + SciPy baseline."""
    return [1_000] if quick else [1_000, 10_000, 100_000, 1_000_000]


def child_numpy(n: int) -> list[dict]:
    """The NumPy + SciPy baseline and the engine on the same game, in one fresh process."""
    import numba

    from sim import Simulation, SimulationConfig

    baseline = load_module("numpy_baseline")
    rounds = max(3, min(50, 3_000_000 // n))
    case = dict(n=n, degree=4, groups="neighbourhood", rule="fermi", update="synchronous")
    numpy_rate = baseline.agent_rounds_per_second(n=n, rounds=rounds, seed=1)
    sim = Simulation(SimulationConfig(n=n, rounds=3 * rounds + 2, **baseline.SETTINGS), seed=1)
    sim.run(2)
    # what a user gets: run(), one compiled call where it can be (best of three)
    rate = _time_steps(lambda: sim.run(rounds), n * rounds, 1)
    how = "one compiled run" if sim.compiled else "round by round"
    return [dict(model="numpy-scipy", case="binary fermi r=4.5 (NumPy+SciPy)", rate=numpy_rate,
                 threads=1, **case),
            dict(model="engine", case=f"binary fermi r=4.5, {how}", rate=rate,
                 vs_numpy=rate / numpy_rate, threads=min(sim.threads, numba.get_num_threads()),
                 **case)]


def ensemble_cases(quick: bool) -> list[dict]:
    """Ensembles measured: (n, replicates) with Fermi and the human-like rule, one network."""
    sizes = [(1_000, 16)] if quick else [(1_000, 256), (1_000_000, 16)]
    return [dict(n=n, replicates=r, rule=rule) for n, r in sizes
            for rule in ("fermi", "human")]


def child_ensemble(case: dict) -> list[dict]:
    """One ensemble (sim.ensemble) of ``replicates`` runs on one network, degree 4, each with
    and without the per-round Gini: aggregate agent-rounds per second over all replicates,
    and the peak memory per agent-replicate."""
    from sim import SimulationConfig
    from sim.ensemble import Ensemble

    n, reps, rule = case["n"], case["replicates"], case["rule"]
    rounds = max(2, min(100, 30_000_000 // (n * reps)))
    config = SimulationConfig(n=n, degree=4, network="random-regular", rule=rule,
                              rounds=2 * rounds + 2)
    Ensemble(config.replace(n=200), seed=0, replicates=2, networks=1).run(2)  # compile
    before = _rss_mb()
    rows = []
    for with_gini in (True, False):
        start = time.perf_counter()
        ensemble = Ensemble(config, seed=1, replicates=reps, networks=1, with_gini=with_gini)
        ensemble.run(1)
        build = time.perf_counter() - start
        start = time.perf_counter()
        ensemble.run(rounds)
        rate = n * reps * rounds / (time.perf_counter() - start)
        peak = _peak_mb()
        rows.append(dict(
            model="ensemble", case=f"{rule} R={reps} {'with' if with_gini else 'no'} Gini",
            n=n, degree=4, groups="neighbourhood", rule=rule, update="synchronous",
            rate=rate, build_s=build, peak_rss_mb=peak,
            bytes_per_agent=(peak - before) * 2**20 / (n * reps), threads=ensemble.threads,
            replicates=reps))
        del ensemble
    return rows


def child_rules(n: int) -> list[dict]:
    """The default human-like rule beside Fermi, one run each at ``n`` (alternating, best of
    three batches), round by round and as one compiled run, and asynchronous beside
    synchronous updating per sweep."""
    import numba

    from sim import Simulation, SimulationConfig

    rounds = max(3, min(100, 2_000_000 // n))
    rows = []
    for rule in ("fermi", "human"):
        for update in ("synchronous", "asynchronous"):
            config = SimulationConfig(n=n, degree=4, network="random-regular", rule=rule,
                                      update=update, rounds=3 * rounds + 2)
            sim = Simulation(config, seed=1)
            sim.step()
            sim.step()
            step_rate = _time_steps(sim.step, n, rounds)
            whole = Simulation(config, seed=1)
            whole.run(2)
            best = 0.0
            for _ in range(3):
                start = time.perf_counter()
                whole.run(rounds)
                best = max(best, n * rounds / (time.perf_counter() - start))
            case = dict(n=n, degree=4, groups="neighbourhood", rule=rule, update=update,
                        threads=min(sim.threads, numba.get_num_threads()))
            rows.append(dict(model="engine", case=f"{rule} {update[:5]} round by round",
                             rate=step_rate, **case))
            rows.append(dict(model="engine", case=f"{rule} {update[:5]} one compiled run"
                             if whole.compiled else f"{rule} {update[:5]} run()",
                             rate=best, **case))
    return rows


def child_small_run(_) -> list[dict]:
    """A run of 500 people for 40 rounds end to end (build, play, history), default settings
    on a small world: the compiled run against the same run played round by round."""
    from sim import Simulation, SimulationConfig
    from sim.hooks import RoundHook

    config = SimulationConfig(n=500, rounds=40, network="small-world")
    Simulation(config, seed=0).run()
    Simulation(config, seed=0, hooks=[RoundHook()]).run()
    times = {"one compiled run": [], "round by round": []}
    for k in range(20):
        for label, hooks in (("one compiled run", None), ("round by round", [RoundHook()])):
            start = time.perf_counter()
            Simulation(config, seed=k, hooks=hooks).run()
            times[label].append(time.perf_counter() - start)
    return [dict(model="engine", case=f"500 x 40 end to end, {label}", n=500, degree=4,
                 groups="neighbourhood", rule="human", update="synchronous",
                 rate=500 * 40 / sorted(t)[len(t) // 2], build_s=sorted(t)[len(t) // 2],
                 threads=1) for label, t in times.items()]


def load_module(name: str):
    """``benchmarks/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_baseline():
    """``benchmarks/mesa_baseline.py`` as a module."""
    spec = importlib.util.spec_from_file_location("mesa_baseline", HERE / "mesa_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _child(kind: str, arg) -> list[dict]:
    """Run ``kind`` in a fresh interpreter and return its rows."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", kind, json.dumps(arg)],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} {arg} failed: {out.stderr.strip()[-400:]}")
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    return rows if isinstance(rows, list) else [rows]


def run_suite(quick: bool = False, progress=None) -> list[dict]:
    """All rows; ``progress(row)`` is called as each one is measured."""
    rows: list[dict] = []

    def add(new: list[dict], model: str | None = None) -> None:
        load = os.getloadavg()[0]
        for r in new:
            if model:
                r.setdefault("model", model)
            r.setdefault("load", load)
            rows.append(r)
            if progress:
                progress(r)

    for _ in range(2):  # the second fresh process finds every kernel in the cache
        start = time.perf_counter()
        row = _child("startup", None)
        row[0]["build_s"] = time.perf_counter() - start  # interpreter start to exit
        add(row)
    for case in engine_cases(quick):
        add(_child("engine", case), "engine")
    for n in numpy_sizes(quick):
        add(_child("numpy", n))
    for n in [1_000] if quick else [1_000, 10_000, 100_000, 1_000_000]:
        add(_child("rules", n))
    add(_child("small-run", None))
    for case in ensemble_cases(quick):
        add(_child("ensemble", case))
    add(_child("mesa-model", 1_000 if quick else 100_000))
    baseline = _child("plain-mesa", 1_000 if quick else 10_000)
    add(baseline)
    rate = baseline[0]["rate"]
    for r in rows:
        for f in FIELDS:
            r.setdefault(f, None)
        r["vs_plain_mesa"] = r["rate"] / rate if r["rate"] else None
    return rows


def summary(rows: list[dict]) -> list[str]:
    """The targets, one line each, from the rows of one run."""
    lines = []
    head = [r for r in rows if r["model"] == "engine" and all(r[k] == v for k, v in
                                                                HEADLINE.items())]
    if head:
        r = head[0]
        lines.append(f"headline (n=10^6, degree 4, neighbourhood, Fermi, synchronous): "
                     f"{r['rate']:.3g} agent-rounds/s = {r['vs_plain_mesa']:,.0f} x plain Mesa "
                     f"(targets: 1e8 and 5,000 x)")
    big = [r for r in rows if r["model"] == "engine" and r["n"] == 10_000_000
           and r["degree"] == 10]
    if big:
        lines.append(f"n=10^7, degree 10: peak {big[0]['peak_rss_mb']:,.0f} MB "
                     f"(target 4,096 MB)")
    bare = [r for r in rows if r["case"].startswith("bare engine")]
    for r in rows:
        if r["model"] == "mesa-model" and bare:
            lines.append(f"Mesa model n={r['n']:,} ({r['case']}): {r['rate'] / bare[0]['rate']:.2f}"
                         f" x the bare engine (target >= 0.5)")
    for r in rows:
        if r["vs_numpy"] is not None:
            lines.append(f"engine vs NumPy+SciPy n={r['n']:,}: {r['vs_numpy']:.2f} x "
                         f"({r['threads']} threads; target >= 3)")
    for r in rows:
        if r["model"] == "ensemble":
            lines.append(f"ensemble n={r['n']:,} {r['case']}: {r['rate']:.3g} agent-rounds/s = "
                         f"{r['vs_plain_mesa']:,.0f} x plain Mesa, {r['bytes_per_agent']:,.0f} B "
                         f"per agent-replicate (targets: 1e8 and 5,000 x)")
    by_case = {(r["n"], r["case"]): r["rate"] for r in rows if r["model"] == "engine"}
    for (n, case), rate in sorted(by_case.items()):
        if case.startswith("human ") and (n, "fermi" + case[5:]) in by_case:
            lines.append(f"human / Fermi per agent-round, n={n:,}, {case[6:]}: "
                         f"{by_case[(n, 'fermi' + case[5:])] / rate:.2f} x the time "
                         f"(target <= 1.5)")
        if " async" in case and (n, case.replace(" async", " synch")) in by_case:
            lines.append(f"asynchronous / synchronous per sweep, n={n:,}, {case}: "
                         f"{by_case[(n, case.replace(' async', ' synch'))] / rate:.2f} x the "
                         f"time (target <= 3)")
    small = {r["case"]: r["build_s"] for r in rows if r["case"].startswith("500 x 40")}
    if len(small) == 2:
        fast, slow = small["500 x 40 end to end, one compiled run"], small[
            "500 x 40 end to end, round by round"]
        lines.append(f"500 people x 40 rounds end to end: {1e3 * fast:.1f} ms compiled, "
                     f"{1e3 * slow:.1f} ms round by round ({slow / fast:.2f} x)")
    starts = [r for r in rows if r["model"] == "startup"]
    if starts:
        lines.append(f"fresh process, start to exit after two rounds: {starts[-1]['build_s']:.2f}"
                     f" s (first process {starts[0]['build_s']:.2f} s; target <= 1 s)")
    return lines


def format_table(rows: list[dict]) -> str:
    """A plain-text table of the rows."""
    head = (f"{'model':<10} {'case':<38} {'n':>10} {'deg':>3} {'agent-rounds/s':>14} "
            f"{'x Mesa':>7} {'x NumPy':>7} {'build s':>7} {'peak MB':>8} {'B/agent':>7} "
            f"{'load':>5}")
    lines = [head]

    def num(v, fmt):
        return format(v, fmt) if v is not None else "-"

    for r in rows:
        lines.append(
            f"{r['model']:<10} {r['case']:<38} {r['n']:>10,} {num(r['degree'], 'd'):>3} "
            f"{num(r['rate'], '.3g'):>14} {num(r['vs_plain_mesa'], ',.0f'):>7} "
            f"{num(r['vs_numpy'], '.2f'):>7} "
            f"{num(r['build_s'], '.2f'):>7} {num(r['peak_rss_mb'], ',.0f'):>8} "
            f"{num(r['bytes_per_agent'], ',.0f'):>7} {num(r['load'], '.2f'):>5}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON row per line")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, arg = args.child[0], json.loads(args.child[1])
        result = {"engine": child_engine, "mesa-model": child_mesa_model,
                  "plain-mesa": child_plain_mesa, "numpy": child_numpy,
                  "ensemble": child_ensemble, "rules": child_rules,
                  "small-run": child_small_run,
                  "startup": lambda _: child_startup()}[kind](arg)
        print(json.dumps(result))
        return 0
    return report(quick=args.quick, as_json=args.json)


def report(quick: bool, as_json: bool) -> int:
    """Run the suite and print the table (or JSON rows) and the targets' summary."""
    import platform

    if as_json:
        for r in run_suite(quick):
            print(json.dumps(r))
        return 0
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {sys.version.split()[0]}; load average at start {os.getloadavg()[0]:.2f}",
          flush=True)
    rows = run_suite(quick)
    print(format_table(rows))
    for line in summary(rows):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
