"""Wall time of ``cascade experiment policies`` with 1 and with 2 worker processes.

Runs the experiment's default design (experiments/policies.toml: 7 policies x 4 networks x 2
populations x 30 replicates, each replicate a pair of runs) through
``experiments.policies.EXPERIMENT.play``, as the command does, once per worker count
(interleaved 2, 1, 2, 1, ... for ``--repeats``), and prints the wall times, the speed-up
wall(1) / wall(2), whether the results are identical, and the load average before and after
(other processes on a 2-core machine depress the speed-up: re-run when it is quiet). The
target is the default run within 5 minutes on this 2-core machine.

    python benchmarks/policies_experiment.py                 # the default design
    python benchmarks/policies_experiment.py --replicates 10 --repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.policies import EXPERIMENT  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    params = EXPERIMENT.read_parameters()
    replicates = args.replicates or params["experiment"]["replicates"]
    networks = list(params["networks"])
    policies = list(params["policies"]["names"])
    load_before = os.getloadavg()
    walls: dict[int, list[float]] = {1: [], 2: []}
    results = {}
    for _ in range(args.repeats):
        for workers in (2, 1):
            start = time.perf_counter()
            run = EXPERIMENT.play(params, replicates=replicates, workers=workers)
            walls[workers].append(time.perf_counter() - start)
            results[workers] = {k: run[k] for k in ("policies", "payoff_learning")}
    load_after = os.getloadavg()
    wall = {w: statistics.median(v) for w, v in walls.items()}
    out = {
        "cells": 2 * len(networks) * len(policies),
        "replicates": replicates,
        "runs": 2 * len(networks) * len(policies) * replicates * 2,
        "wall_s": wall,
        "speed_up": wall[1] / wall[2],
        "identical": results[1] == results[2],
        "load_before": load_before,
        "load_after": load_after,
        "cpu_count": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"policies experiment: {out['cells']} cells x {replicates} replicates "
              f"({out['runs']} runs of the engine)")
        for w in (1, 2):
            print(f"  {w} worker(s): {wall[w]:7.1f} s")
        print(f"  speed-up: {out['speed_up']:.2f}x; results identical: {out['identical']}")
        print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
              f"({out['cpu_count']} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
