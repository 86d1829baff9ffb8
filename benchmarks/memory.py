"""Peak memory per agent, measured, beside the estimate that refuses runs (``sim/memory.py``).

Each case runs in a fresh process: tracemalloc's peak over building the run and playing two
rounds (NumPy's allocations; Numba's own are not traced, but the kernels write into arrays the
run allocated), and the process's peak resident memory (``ru_maxrss``) minus what it held
before building. ``python benchmarks/memory.py [--sizes 10000,100000,300000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys

from child import run_child


def child(n: int, degree: int, groups: str) -> dict:
    import tracemalloc

    from sim import Simulation, SimulationConfig
    from sim.memory import estimate_bytes

    with open("/proc/self/statm") as f:
        before = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    extra = {"group_size": degree + 1} if groups != "neighbourhood" else {}
    config = SimulationConfig(n=n, degree=degree, groups=groups, rule="fermi", rounds=3, **extra)
    tracemalloc.start()
    sim = Simulation(config, seed=1)
    sim.step()
    sim.step()
    traced = tracemalloc.get_traced_memory()[1]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    return dict(n=n, degree=degree, groups=groups, traced_per_agent=traced / n,
                rss_per_agent=rss / n, estimate_per_agent=estimate_bytes(n, degree) / n)


def measure(n: int, degree: int, groups: str) -> dict:
    return run_child(__file__, [n, degree, groups])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*json.loads(args.child))))
        return 0
    print(f"{'n':>10} {'deg':>3} {'groups':<13} {'traced B/agent':>14} {'RSS B/agent':>11} "
          f"{'estimate':>8}")
    for n in (int(s) for s in args.sizes.split(",")):
        for degree in (4, 10):
            for groups in ("neighbourhood", "partition"):
                r = measure(n, degree, groups)
                print(f"{n:>10,} {degree:>3} {groups:<13} {r['traced_per_agent']:>14,.0f} "
                      f"{r['rss_per_agent']:>11,.0f} {r['estimate_per_agent']:>8,.0f}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
