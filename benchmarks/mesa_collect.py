"""Collecting every agent's data each round: the array collector against Mesa's, and the engine.

Target: a Mesa user who collects every agent's contribution and payoff each round keeps at
least half the bare engine's speed at n = 10^5. Three variants, same settings and seed:

    engine  the bare engine: ``sim.Simulation(config, seed).step()`` in a loop
    array   ``PublicGoodsModel``, whose ArrayDataCollector copies the engine's arrays per step
    mesa    the same model with Mesa's own ``mesa.DataCollector`` and the same agent reporters
            (one Python attribute read per agent per reporter per step)

Each variant is built once and warmed up (two untimed rounds: the first round has no learning
step, and Numba compiles). Then the variants take turns, ``--repeats`` times, each timing a
block of rounds, so that a change in machine load hits them all alike; the best and the median
block are printed. Building the agent DataFrame at the end is timed apart: it is paid once per
run, not per round.

    python benchmarks/mesa_collect.py [--n 10000 100000] [--rounds 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import mesa
import numba

from models.public_goods import PublicGoodsModel
from sim import Simulation, SimulationConfig

# the Mesa-model case of the benchmark suite (benchmarks/suite.py)
SETTINGS = dict(network="random-regular", degree=4, groups="neighbourhood", rule="fermi",
                update="synchronous")
VARIANTS = ("engine", "array", "mesa")
WARMUP = 2
SEED = 1


def build(variant: str, n: int, rounds: int) -> tuple[Callable[[], None], object | None]:
    """The variant's step function and its collector (None for the bare engine)."""
    if variant == "engine":
        engine = Simulation(SimulationConfig(n=n, rounds=rounds, **SETTINGS), seed=SEED)
        return engine.step, None
    model = PublicGoodsModel(rng=SEED, n=n, rounds=rounds, **SETTINGS)
    if variant == "mesa":
        ours = model.datacollector
        model.datacollector = mesa.DataCollector(
            model_reporters=ours.model_reporters, agent_reporters=dict(ours.agent_reporters)
        )
    return model.step, model.datacollector


def time_block(step: Callable[[], None], rounds: int) -> float:
    """Seconds for ``rounds`` calls of ``step``."""
    start = time.perf_counter()
    for _ in range(rounds):
        step()
    return time.perf_counter() - start


def measure(n: int, rounds: int, mesa_rounds: int, repeats: int) -> dict[str, dict]:
    """Agent-rounds per second of each variant (best and median block) at size ``n``."""
    block = {"engine": rounds, "array": rounds, "mesa": mesa_rounds}
    steps, collectors, times = {}, {}, {v: [] for v in VARIANTS}
    for v in VARIANTS:
        steps[v], collectors[v] = build(v, n, WARMUP + repeats * block[v])
        for _ in range(WARMUP):
            steps[v]()
    for _ in range(repeats):
        for v in VARIANTS:
            times[v].append(time_block(steps[v], block[v]))
    results = {}
    for v in VARIANTS:
        rates = [n * block[v] / t for t in times[v]]
        row = dict(rounds=block[v], best=max(rates), median=statistics.median(rates))
        if collectors[v] is not None:
            start = time.perf_counter()
            frame = collectors[v].get_agent_vars_dataframe()
            row["frame_s"] = time.perf_counter() - start
            row["frame_rows"] = len(frame)
        results[v] = row
    return results


def report(n: int, results: dict[str, dict]) -> None:
    base = results["engine"]
    print(f"\nn = {n:,}")
    print(f"  {'variant':<8} {'rounds':>6} {'best /s':>12} {'median /s':>12} "
          f"{'best/engine':>11} {'median/engine':>13} {'agent frame':>18}")
    for v in VARIANTS:
        r = results[v]
        frame = (f"{r['frame_s']:.2f} s, {r['frame_rows']:,} rows" if "frame_s" in r else "")
        print(f"  {v:<8} {r['rounds']:>6} {r['best']:>12,.0f} {r['median']:>12,.0f} "
              f"{r['best'] / base['best']:>11.3f} {r['median'] / base['median']:>13.3f} "
              f"{frame:>18}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000],
                        help="population sizes (default: 10000 100000)")
    parser.add_argument("--rounds", type=int, default=20,
                        help="timed rounds per block for the engine and the array collector")
    parser.add_argument("--mesa-rounds", type=int, default=None,
                        help="timed rounds per block for Mesa's collector (default: --rounds, "
                             "capped at 5 for n >= 100000, where it is slow)")
    parser.add_argument("--repeats", type=int, default=3, help="blocks per variant, in turns")
    args = parser.parse_args(argv)

    print(f"agent-rounds per second, {SETTINGS}, seed {SEED}")
    print(f"numba threads {numba.get_num_threads()}, cpus {os.cpu_count()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for n in args.n:
        mesa_rounds = args.mesa_rounds or (min(args.rounds, 5) if n >= 100_000 else args.rounds)
        report(n, measure(n, args.rounds, mesa_rounds, args.repeats))
    print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
