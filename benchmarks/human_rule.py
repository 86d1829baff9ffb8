"""The default ``human`` rule against the ``conditional`` rule it extends, side by side.

The ``human`` rule adds learning from one's own payoff against the co-players' (sim/behaviour):
each round one more pass over the groups (the co-players' payoffs per game) and a ``tanh``
per person. Both rules are timed in the same run, alternating, on the same random 4-regular
graph; the figure is agent-rounds per second after two warm-up rounds, best of ``--repeats``.

    python benchmarks/human_rule.py [--n 1000000] [--rounds 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import SimulationConfig  # noqa: E402
from sim.simulation import Simulation  # noqa: E402

RULES = ("conditional", "human")


def rate(rule: str, n: int, rounds: int) -> float:
    """Agent-rounds per second of ``rounds`` rounds after two warm-up rounds."""
    sim = Simulation(SimulationConfig(n=n, network="random-regular", degree=4, rule=rule,
                                      rounds=rounds + 2), seed=1)
    sim.step()
    sim.step()
    start = time.perf_counter()
    for _ in range(rounds):
        sim.step()
    return n * rounds / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    best = {rule: 0.0 for rule in RULES}
    for _ in range(args.repeats):
        for rule in RULES:
            best[rule] = max(best[rule], rate(rule, args.n, args.rounds))
    for rule in RULES:
        print(f"{rule:12s} {best[rule]:.3g} agent-rounds/s (n = {args.n:,}, best of "
              f"{args.repeats})")
    print(f"human / conditional: {best['human'] / best['conditional']:.2f} "
          "(target: at least 0.67, i.e. within 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
