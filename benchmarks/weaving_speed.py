"""Speed of dynamic ties: weaving by the CSR kernel against a static network and a networkx
rebuild per round, in one run.

Prints rounds per second of ``Simulation.step()`` (network construction and Numba compilation
excluded; best of ``--repeats`` batches) on a silo network with the conditional rule and
neighbourhood groups:

- static: no tie dynamics;
- weaving 0%, 10%, 30%: the ``TieDynamics`` hook (CSR kernel ``sim.kernels.weaving.rewire``,
  then ``Simulation.set_graph``, which rebuilds the neighbourhood groups);
- networkx 10%, 30%: the same new ties added to a ``networkx.Graph`` each round and the CSR
  graph rebuilt from it (what a per-round networkx rebuild costs);

and the ratio of each to the static network, plus where the kernel path's time goes.

    python benchmarks/weaving_speed.py              # n = 10,000
    python benchmarks/weaving_speed.py --n 100000
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np

from sim import Simulation, SimulationConfig
from sim.hooks import RoundHook
from sim.networks import from_networkx
from sim.ties.weaving import TieDynamics, random_new_ties, rewired


class NetworkxWeaving(RoundHook):
    """The baseline: each round, add the new ties to a networkx graph and rebuild the CSR."""

    name = "networkx-weaving"

    def __init__(self, share: float):
        self.share = share

    def start(self, sim, rng):
        self.rng = rng
        self.graph = sim.graph.to_networkx()

    def end_round(self, sim):
        self.graph.add_edges_from(random_new_ties(sim.n, self.share, self.rng).tolist())
        csr = from_networkx(self.graph)
        sim.set_graph(type(csr)(csr.indptr, csr.indices, team=sim.graph.team))


def rounds_per_second(config: SimulationConfig, rounds: int,
                      hooks: list[RoundHook] | None = None) -> float:
    """Rounds per second of one batch of ``rounds`` steps (after two warm-up rounds)."""
    sim = Simulation(config, seed=1, hooks=hooks)
    sim.step()
    sim.step()  # compile / warm up
    begin = time.perf_counter()
    for _ in range(rounds):
        sim.step()
    return rounds / (time.perf_counter() - begin)


class Idle(TieDynamics):
    """The tie-dynamics hook present but with nothing to do (weaving 0%)."""

    def __init__(self):
        super().__init__(0.0, 0.0)


def breakdown(config: SimulationConfig, share: float, rounds: int) -> dict[str, float]:
    """Seconds per round in the kernel path: rewiring alone, and the set_graph rebuild."""
    sim = Simulation(config, seed=1)
    rng = np.random.default_rng(0)
    sim.step()
    kernel = rebuild = 0.0
    for _ in range(rounds):
        added = random_new_ties(sim.n, share, rng)
        t0 = time.perf_counter()
        graph = rewired(sim.graph, added, np.empty((0, 2), dtype=np.int64))
        t1 = time.perf_counter()
        sim.set_graph(graph)
        t2 = time.perf_counter()
        kernel += t1 - t0
        rebuild += t2 - t1
    return {"rewire": kernel / rounds, "set_graph": rebuild / rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--degree", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1,
                        help="Numba threads (default 1: steadier on a shared machine)")
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    base = SimulationConfig(n=args.n, network="silos", degree=args.degree, team_size=20,
                            bridging=0.1, rounds=args.rounds + 2)
    print(f"n={args.n:,}, silos degree {args.degree}, conditional rule, neighbourhood groups, "
          f"{args.rounds} rounds, best of {args.repeats}, {args.threads} Numba thread(s); "
          f"load average "
          f"{os.getloadavg()[0]:.2f} at start")
    cases = [("static", base, None), ("weaving 0% (kernel, idle hook)", base, Idle)]
    cases += [(f"weaving {share:.0%} (kernel)", base.replace(weaving=share), None)
              for share in (0.1, 0.3)]
    cases += [(f"weaving {share:.0%} (networkx rebuild)", base,
               lambda share=share: NetworkxWeaving(share)) for share in (0.1, 0.3)]
    best = {label: 0.0 for label, _, _ in cases}
    for _ in range(args.repeats):  # interleaved, so a burst of load hits every case alike
        for label, cfg, hook in cases:
            rate = rounds_per_second(cfg, args.rounds, [hook()] if hook else None)
            best[label] = max(best[label], rate)
    rows = list(best.items())
    static = rows[0][1]
    print(f"{'case':<32} {'rounds/s':>10} {'x static':>9}")
    for label, rate in rows:
        print(f"{label:<32} {rate:>10.1f} {rate / static:>9.2f}")
    by_label = dict(rows)
    for share in (0.1, 0.3):
        ratio = by_label[f"weaving {share:.0%} (kernel)"] / by_label[
            f"weaving {share:.0%} (networkx rebuild)"]
        print(f"kernel / networkx rebuild at {share:.0%}: {ratio:.1f}x")
    parts = breakdown(base, 0.1, args.rounds)
    print(f"kernel path at 10%, per round: rewire {parts['rewire'] * 1e3:.2f} ms, "
          f"set_graph (groups rebuild) {parts['set_graph'] * 1e3:.2f} ms; "
          f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
