"""What one run with each policy costs: every policy of the policies experiment on its small
world (500 people, 40 rounds, both populations), ``run()`` end to end and one ``step()``,
medians over seeds, one thread.

    python benchmarks/policy_runs.py
    cd /tmp/before && PYTHONPATH=/tmp/before python /work/main/benchmarks/policy_runs.py

The second form times another checkout (e.g. ``git worktree add /tmp/before HEAD~3``) with
this script, for a side-by-side comparison in one sitting (benchmarks/NOTES.md section 7).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numba

from experiments import policies as experiment
from sim.simulation import Simulation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=7, help="runs per policy (default 7)")
    parser.add_argument("--network", default="small-world", help="a network of policies.toml")
    args = parser.parse_args()
    numba.set_num_threads(1)
    params = experiment.EXPERIMENT.read_parameters()
    for cell in experiment.build_cells(params, [args.network], params["policies"]["names"]):
        Simulation(cell.config, seed=0).run()  # compiled, caches loaded
        whole, step = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            Simulation(cell.config, seed=seed).run()
            whole.append(time.perf_counter() - start)
            sim = Simulation(cell.config, seed=seed)
            sim.step()
            start = time.perf_counter()
            for _ in range(20):
                sim.step()
            step.append((time.perf_counter() - start) / 20)
        print(f"{cell.population:<16} {cell.policy:<24} run() "
              f"{1e3 * statistics.median(whole):6.2f} ms   step "
              f"{1e6 * statistics.median(step):5.0f} us", flush=True)


if __name__ == "__main__":
    main()
