"""Engine speed against a plain Mesa implementation of the same model, in one run.

Prints agent-rounds per second (agents x rounds / wall seconds of ``step()`` calls, network
construction and Numba compilation excluded) for the engine on several settings and for the
idiomatic Mesa baseline (``benchmarks/mesa_baseline.py``), and the ratio between them.

    python benchmarks/engine_speed.py            # the table in benchmarks/README.md
    python benchmarks/engine_speed.py --quick    # small sizes, a few seconds
    python benchmarks/engine_speed.py --json     # one JSON row per measurement
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

import numba

from sim import Simulation, SimulationConfig

HERE = Path(__file__).resolve().parent


def load_baseline():
    spec = importlib.util.spec_from_file_location("mesa_baseline", HERE / "mesa_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def engine_rate(rounds: int, repeats: int = 3, **settings) -> tuple[float, float]:
    """Best-of-``repeats`` agent-rounds/s of ``rounds`` steps, and the build time in seconds."""
    start = time.perf_counter()
    sim = Simulation(SimulationConfig(rounds=rounds + 2, **settings), seed=1)
    sim.step()  # the first round; compiles (or loads cached) kernels
    sim.step()  # first learning step
    build = time.perf_counter() - start
    best = 0.0
    for _ in range(repeats):
        begin = time.perf_counter()
        for _ in range(rounds):
            sim.step()
        best = max(best, sim.n * rounds / (time.perf_counter() - begin))
    return best, build


CASES = [
    # (label, settings)
    ("fermi sync", dict(rule="fermi", groups="neighbourhood", update="synchronous")),
    ("conditional sync", dict(rule="conditional", groups="neighbourhood", update="synchronous")),
    ("fermi async", dict(rule="fermi", groups="neighbourhood", update="asynchronous")),
    ("fermi partition", dict(rule="fermi", groups="partition", update="synchronous")),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    args = parser.parse_args(argv)

    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    rows = []
    for n in sizes:
        for label, settings in CASES:
            if settings["update"] == "asynchronous" and n > 100_000:
                continue
            rounds = 20 if n <= 100_000 else 10
            rate, build = engine_rate(rounds, n=n, network="random-regular", degree=4, **settings)
            rows.append(dict(model="engine", case=label, n=n, degree=4, rate=rate, build_s=build))

    baseline = load_baseline()
    base_n = 2_000 if args.quick else 10_000
    base_rate = baseline.agent_rounds_per_second(n=base_n, degree=4, rounds=5, seed=1)
    rows.append(dict(model="plain-mesa", case="fermi sync", n=base_n, degree=4, rate=base_rate,
                     build_s=float("nan")))

    headline = next(r for r in rows if r["case"] == "fermi sync" and r["n"] == sizes[-1])
    for r in rows:
        r["vs_plain_mesa"] = r["rate"] / base_rate
    if args.json:
        for r in rows:
            print(json.dumps(r))
        return 0
    print(f"machine: {platform.processor() or platform.machine()}, numba threads: "
          f"{numba.get_num_threads()}, python {sys.version.split()[0]}")
    print(f"{'model':<11} {'case':<17} {'n':>9} {'agent-rounds/s':>15} {'x plain Mesa':>13}")
    for r in rows:
        print(f"{r['model']:<11} {r['case']:<17} {r['n']:>9,} {r['rate']:>15.3g} "
              f"{r['vs_plain_mesa']:>13,.0f}")
    print(f"headline: engine fermi sync n={headline['n']:,}: {headline['rate']:.3g} agent-rounds/s "
          f"= {headline['vs_plain_mesa']:,.0f} x plain Mesa (n={base_n:,}) in the same run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
