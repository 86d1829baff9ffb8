"""NumPy + SciPy sparse baseline: the same game as the engine, vectorised, no Numba.

What a researcher who knows NumPy would write in an afternoon: binary strategies (give 0 or E),
cost per game, multiplication factor r = 4.5, one game centred on every node with the node and
its neighbours as players (Santos, Santos & Pacheco 2008), synchronous Fermi imitation with
noise K = 0.5 and a small mutation rate, on a random 4-regular graph.

With ``A`` the adjacency matrix plus the identity (CSR), one round is

* ``S = A @ x``: each game's total;
* ``P = (k + 1) * (E - x) + A @ (r / (k + 1) * S)``: each player's payoff over its k + 1 games;
* every agent draws a random neighbour ``j`` (``indices[indptr[i] + floor(u * k_i)]``) and
  copies ``x_j`` with probability ``1 / (1 + exp((P_i - P_j) / K))``; then mutation.

Random numbers come from NumPy's generator, so runs match the engine in distribution (the
final share of cooperators), not draw for draw.

``python benchmarks/numpy_baseline.py`` prints agent-rounds per second at a few sizes and the
final cooperator shares of this baseline and of the engine at n = 10^4.
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np
import scipy.sparse as sp

#: the baseline game's settings, as the engine names them
SETTINGS = dict(network="random-regular", degree=4, groups="neighbourhood", rule="fermi",
                update="synchronous", strategies="binary", cost="per-game", r=4.5,
                temperature=0.5, mutation=0.01, endowment=20.0, initial_cooperation=0.5)


def regular_graph(n: int, degree: int, rng: np.random.Generator) -> sp.csr_matrix:
    """A random ``degree``-regular graph as a CSR adjacency matrix (configuration model with
    repairs by networkx)."""
    g = nx.random_regular_graph(degree, n, seed=int(rng.integers(2**31)))
    return nx.to_scipy_sparse_array(g, nodelist=range(n), dtype=np.float64, format="csr")


class NumpyGame:
    """The game on an adjacency matrix; ``step()`` plays one round (learn, then play)."""

    def __init__(self, n: int = 1000, degree: int = 4, r: float = 4.5, temperature: float = 0.5,
                 mutation: float = 0.01, endowment: float = 20.0,
                 initial_cooperation: float = 0.5, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        adj = sp.csr_matrix(regular_graph(n, degree, self.rng))
        self.indptr, self.indices = adj.indptr, adj.indices
        self.deg = np.diff(self.indptr)
        self.groups = sp.csr_matrix(adj + sp.identity(n, format="csr"))  # node + neighbours
        self.size = self.deg + 1.0
        self.share = r / self.size
        self.n, self.e, self.k, self.mu = n, endowment, temperature, mutation
        self.x = np.where(self.rng.random(n) < initial_cooperation, endowment, 0.0)
        self.round = 0
        self.payoff = np.zeros(n)

    def play(self) -> None:
        totals = self.groups @ self.x
        self.payoff = self.size * (self.e - self.x) + self.groups @ (self.share * totals)

    def learn(self) -> None:
        n, rng = self.n, self.rng
        pick = (rng.random(n) * self.deg).astype(np.int64)
        j = self.indices[self.indptr[:-1] + pick]
        z = np.clip((self.payoff - self.payoff[j]) / self.k, -700.0, 700.0)
        copy = rng.random(n) < 1.0 / (1.0 + np.exp(z))
        x = np.where(copy, self.x[j], self.x)
        mutant = rng.random(n) < self.mu
        self.x = np.where(mutant, np.where(rng.random(n) < 0.5, self.e, 0.0), x)

    def step(self) -> None:
        if self.round > 0:
            self.learn()
        self.play()
        self.round += 1

    def cooperators(self) -> float:
        return float(np.count_nonzero(self.x >= 0.5 * self.e)) / self.n


def agent_rounds_per_second(n: int, rounds: int = 20, seed: int = 1, repeats: int = 3) -> float:
    """Best of ``repeats`` batches of ``rounds`` rounds (after two warm-up rounds)."""
    game = NumpyGame(n=n, seed=seed)
    game.step()
    game.step()
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(rounds):
            game.step()
        best = max(best, n * rounds / (time.perf_counter() - start))
    return best


def final_cooperators(n: int = 10_000, rounds: int = 300, seed: int = 1) -> float:
    """The share of cooperators after ``rounds`` rounds of the baseline."""
    game = NumpyGame(n=n, seed=seed)
    for _ in range(rounds):
        game.step()
    return game.cooperators()


def engine_cooperators(n: int = 10_000, rounds: int = 300, seed: int = 1) -> float:
    """The same for the engine on :data:`SETTINGS`."""
    from sim import Simulation, SimulationConfig

    sim = Simulation(SimulationConfig(n=n, rounds=rounds, **SETTINGS), seed=seed)
    return float(sim.run().cooperators[-1])


if __name__ == "__main__":
    for size in (1_000, 10_000, 100_000, 1_000_000):
        rate = agent_rounds_per_second(size, rounds=max(3, min(50, 3_000_000 // size)))
        print(f"numpy+scipy n={size:>9,}: {rate:.3g} agent-rounds/s", flush=True)
    for seed in (1, 2, 3):
        print(f"n=10^4, 300 rounds, seed {seed}: cooperators baseline "
              f"{final_cooperators(seed=seed):.3f}, engine {engine_cooperators(seed=seed):.3f}",
              flush=True)
