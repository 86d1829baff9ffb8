"""Engine rate at 1 and 2 Numba threads and at the engine's own choice, idle and with a busy core.

With another process busy on one of two cores, every parallel loop waits for the thread that
shares its core, and at small n a round is many short parallel loops: two threads collapse.
The engine therefore picks its thread count by the work (``sim.threads.choose_threads``) and
runs on TBB, which steals a set-aside thread's work, where it is installed.
This script measures, for n = 10^3, 10^4, 10^5 (random regular, degree 4, neighbourhood, Fermi,
synchronous): agent-rounds per second at 1 thread, 2 threads and the engine's choice, first
with nothing else started, then with a CPU-burning subprocess running. Every case is a fresh
child process; rates are the best of three batches of about 0.3 s.

``python benchmarks/threads.py [--sizes 1000,10000,100000]``; the 1-minute load average is
printed with each line, since other sessions may share the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from child import run_child

BURN = "while True: pass"


def child(n: int, threads: int | None) -> dict:
    from sim import Simulation, SimulationConfig

    sim = Simulation(SimulationConfig(n=n, degree=4, rule="fermi", rounds=10**6), seed=1)
    if threads is not None:
        sim.threads = threads
    sim.step()
    sim.step()
    rounds = 1
    while True:  # batch size: about 0.3 s
        start = time.perf_counter()
        for _ in range(rounds):
            sim.step()
        if time.perf_counter() - start > 0.1 or rounds > 10**5:
            break
        rounds *= 4
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            sim.step()
        best = max(best, n * rounds / (time.perf_counter() - start))
    return dict(n=n, threads=sim.threads, rate=best)


def measure(n: int, threads: int | None) -> dict:
    return run_child(__file__, [n, threads], timeout=300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*json.loads(args.child))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple, float] = {}
    for busy in (False, True):
        burner = subprocess.Popen([sys.executable, "-c", BURN]) if busy else None
        try:
            if burner:
                time.sleep(0.5)
            for n in sizes:
                for threads in (1, 2, None):
                    r = measure(n, threads)
                    results[busy, n, threads] = r["rate"]
                    label = "auto" if threads is None else str(threads)
                    print(f"{'busy' if busy else 'idle'} n={n:>7,} threads={label:<4} "
                          f"({r['threads']}): {r['rate']:.3g} agent-rounds/s "
                          f"(load {os.getloadavg()[0]:.2f})", flush=True)
        finally:
            if burner:
                burner.kill()
                burner.wait()
    print("auto, busy rate / idle rate:", ", ".join(
        f"n={n:,}: {results[True, n, None] / results[False, n, None]:.2f}" for n in sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
