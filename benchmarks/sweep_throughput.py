"""Sweep throughput: the same 200-run sweep on 1 and on 2 local Dask workers.

The sweep: 200 runs (40 points x 5 replicates) of 1,000 agents for 100 rounds (the default
network and rule of ``cascade run``), through ``sweeps.run_sweep`` exactly as ``cascade sweep``
runs it: a LocalCluster of single-thread worker processes, adaptive batches, every run written
as its own Parquet file by the client, then ``results.parquet``.

What is measured, for each worker count (interleaved 1, 2, 1, 2, ... so that a change in the
machine's load hits both alike; the median of ``--repeats`` is reported):

- wall: seconds from the first task sent to the last run written (the sweep proper). Cluster
  start-up and worker warm-up (loading the compiled kernels) are a one-off per sweep, reported
  apart as ``startup``, and so is the end-to-end time of the whole ``run_sweep`` call;
- sim: the runs' own time, summed (each run is timed inside its task, around the model call);
- overhead per run = (wall x workers - sim) / runs: every cost beyond the simulations
  themselves, per run: dispatch, transfer, writing the run files, workers idle at the end;
- speed-up = wall(1 worker) / wall(2 workers).

It also checks that the 1-worker and 2-worker results are identical, and prints the load
average (other processes on a 2-core machine depress the speed-up: re-run when it is quiet).

    python benchmarks/sweep_throughput.py              # 3 repeats, a table
    python benchmarks/sweep_throughput.py --repeats 5 --json
    python benchmarks/sweep_throughput.py --check      # exit 1 below 1.7x or above 20 ms/run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

SWEEP = """\
[sweep]
name = "throughput"
seed = 2024
replicates = 5

[fixed]
n = {n}
rounds = {rounds}

[axes]
mpcr = [0.3, 0.4, 0.5, 0.6, 0.7]
initial_cooperation = {{ start = 0.2, stop = 0.9, step = 0.1 }}
"""
TARGET_SPEEDUP = 1.7
TARGET_OVERHEAD_S = 0.020


def measure(config: Path, out: Path, workers: int) -> dict:
    from sweeps import run_sweep

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    report = run_sweep(config, out, workers=workers, dashboard=None, progress=False, echo=None)
    end_to_end = time.perf_counter() - start
    outcome = report.outcome
    return {
        "workers": workers,
        "runs": outcome.computed,
        "tasks": outcome.tasks,
        "wall_s": outcome.wall_s,
        "sim_s": outcome.sim_s,
        "overhead_per_run_ms": 1000 * outcome.overhead_per_run_s,
        "client_cpu_s": outcome.client_cpu_s,
        "startup_s": report.startup_s,
        "end_to_end_s": end_to_end,
        "runs_per_s": outcome.computed / outcome.wall_s,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="sweeps per worker count")
    parser.add_argument("--n", type=int, default=1000, help="agents per run (default 1000)")
    parser.add_argument("--rounds", type=int, default=100, help="rounds per run (default 100)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 unless speed-up >= {TARGET_SPEEDUP} and overhead < "
                        f"{1000 * TARGET_OVERHEAD_S:g} ms per run")
    args = parser.parse_args(argv)

    import pandas as pd

    from sweeps import load_results

    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        root = Path(tmp)
        config = root / "throughput.toml"
        config.write_text(SWEEP.format(n=args.n, rounds=args.rounds))
        results = {}
        for repeat in range(args.repeats):
            for workers in (1, 2):
                out = root / f"w{workers}-r{repeat}"
                row = measure(config, out, workers)
                row["repeat"] = repeat
                rows.append(row)
                results[workers] = load_results(out).drop(columns=["elapsed_s"])
                if not args.json:
                    print(
                        f"  repeat {repeat} workers {workers}: wall {row['wall_s']:.2f} s, "
                        f"sim {row['sim_s']:.2f} s, overhead {row['overhead_per_run_ms']:.2f} "
                        f"ms/run, {row['tasks']} tasks, client CPU {row['client_cpu_s']:.2f} s, "
                        f"start-up {row['startup_s']:.2f} s, "
                        f"load {row['load_before']:.2f}",
                        file=sys.stderr,
                    )
        identical = results[1].equals(results[2])

    def med(workers: int, key: str) -> float:
        return statistics.median(r[key] for r in rows if r["workers"] == workers)

    runs = rows[0]["runs"]
    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "runs": runs,
        "n": args.n,
        "rounds": args.rounds,
        "repeats": args.repeats,
        "wall_1_s": med(1, "wall_s"),
        "wall_2_s": med(2, "wall_s"),
        "speedup": med(1, "wall_s") / med(2, "wall_s"),
        "overhead_1_ms": med(1, "overhead_per_run_ms"),
        "overhead_2_ms": med(2, "overhead_per_run_ms"),
        # the 2-worker overhead against the 1-worker simulation time (runs slowed by sharing
        # the cores count as overhead here)
        "overhead_2_vs_sim_1_ms": 1000 * (2 * med(2, "wall_s") - med(1, "sim_s")) / runs,
        "sim_per_run_ms": 1000 * med(1, "sim_s") / runs,
        "client_cpu_1_s": med(1, "client_cpu_s"),
        "client_cpu_2_s": med(2, "client_cpu_s"),
        "startup_1_s": med(1, "startup_s"),
        "startup_2_s": med(2, "startup_s"),
        "end_to_end_1_s": med(1, "end_to_end_s"),
        "end_to_end_2_s": med(2, "end_to_end_s"),
        "identical_results": identical,
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "measurements": rows,
    }
    ok = (summary["speedup"] >= TARGET_SPEEDUP
          and max(summary["overhead_1_ms"], summary["overhead_2_ms"]) < 1000 * TARGET_OVERHEAD_S
          and identical)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(render(summary, ok))
    _ = pd  # imported above so that its import time is not in the first measurement
    return 0 if ok or not args.check else 1


def render(s: dict, ok: bool) -> str:
    lines = [
        f"sweep throughput: {s['runs']} runs of n={s['n']:,} for {s['rounds']} rounds "
        f"({s['machine']}); median of {s['repeats']}",
        "",
        f"  {'':<28}{'1 worker':>12}{'2 workers':>12}",
        f"  {'sweep wall time (s)':<28}{s['wall_1_s']:>12.2f}{s['wall_2_s']:>12.2f}",
        f"  {'runs per second':<28}{s['runs'] / s['wall_1_s']:>12.1f}"
        f"{s['runs'] / s['wall_2_s']:>12.1f}",
        f"  {'overhead per run (ms)':<28}{s['overhead_1_ms']:>12.2f}{s['overhead_2_ms']:>12.2f}",
        f"  {'client CPU in sweep (s)':<28}{s['client_cpu_1_s']:>12.2f}"
        f"{s['client_cpu_2_s']:>12.2f}",
        f"  {'start-up + warm-up (s)':<28}{s['startup_1_s']:>12.2f}{s['startup_2_s']:>12.2f}",
        f"  {'end to end (s)':<28}{s['end_to_end_1_s']:>12.2f}{s['end_to_end_2_s']:>12.2f}",
        "",
        f"  speed-up 2 vs 1 workers: {s['speedup']:.2f}x (target >= {TARGET_SPEEDUP}x)",
        f"  simulation per run: {s['sim_per_run_ms']:.1f} ms; overhead of 2 workers against "
        f"1-worker simulation time: {s['overhead_2_vs_sim_1_ms']:.2f} ms per run",
        f"  results identical with 1 and 2 workers: {s['identical_results']}",
        f"  load average now: {', '.join(map(str, s['load_average']))}",
        f"  {'targets met' if ok else 'TARGETS MISSED (is the machine busy? see load)'}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
