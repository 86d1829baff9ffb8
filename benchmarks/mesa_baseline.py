"""Plain Mesa 3.5 baseline: repeated public-goods game on a network.

This is the reference implementation that the fast engine is benchmarked
against. It is written the way a Mesa user would write it: one agent per
network node, agents compute their own payoffs in plain Python by walking
their cell's neighbourhood, and the Mesa ``AgentSet`` drives the stages of a
step. No NumPy vectorisation of the game and no Numba.

Model (Santos, Santos & Pacheco 2008, Nature 454:213, "cost per game"):

* Every node ``c`` centres a game whose members are ``c`` and its neighbours.
* An agent plays the ``k + 1`` games centred on itself and on each neighbour.
  In every game it holds the endowment ``E`` and puts in its (continuous)
  contribution ``x_i``; the pot is multiplied by ``r`` and shared among the
  ``k + 1`` members, i.e. each member receives ``mpcr * pot`` with
  ``mpcr = r / (k + 1)``.
* Payoff of ``i`` = sum over its games ``g`` of ``E - x_i + mpcr * sum_{m in g} x_m``.
* Synchronous Fermi update: each agent picks a random neighbour ``j`` and
  adopts ``x_j`` with probability ``1 / (1 + exp((P_i - P_j) / K))``.

A step is split into stages, each run over all agents with ``AgentSet.do``:

1. ``compute_group_total`` - every agent sums the contributions of the game
   centred on itself (itself + neighbours);
2. ``compute_payoff`` - every agent adds up its payoff over the games centred
   on itself and on each neighbour, reading those games' totals;
3. ``decide`` (in random order, ``shuffle_do``) - pick a neighbour and decide
   on the next contribution;
4. ``advance`` - write the new contributions (synchronous update).

Stage 1 is what any sensible implementation does instead of re-summing each
game ``k + 1`` times (once per member); it does not change the result.
"""

from __future__ import annotations

import math
import time

import mesa
import networkx as nx
from mesa.discrete_space import FixedAgent, Network

# math.exp overflows just above 709; beyond this the adoption probability is 0.
_MAX_EXP_ARG = 700.0


class PGGAgent(FixedAgent):
    """A node of the network playing public-goods games with its neighbourhood."""

    def __init__(self, model: BaselinePGGModel, cell, contribution: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.contribution = float(contribution)
        self.next_contribution = self.contribution
        self.group_total = 0.0
        self.payoff = 0.0

    def compute_group_total(self) -> None:
        """Total contribution in the game centred on this agent."""
        total = self.contribution
        for neighbour in self.cell.neighborhood.agents:
            total += neighbour.contribution
        self.group_total = total

    def compute_payoff(self) -> None:
        """Accumulate the payoff over the k+1 games this agent takes part in."""
        model = self.model
        endowment = model.endowment
        mpcr = model.mpcr
        keep = endowment - self.contribution
        # The game centred on itself ...
        payoff = keep + mpcr * self.group_total
        # ... and the game centred on each neighbour.
        for neighbour in self.cell.neighborhood.agents:
            payoff += keep + mpcr * neighbour.group_total
        self.payoff = payoff

    def decide(self) -> None:
        """Fermi rule: imitate a random neighbour with a payoff-dependent probability."""
        other = self.cell.neighborhood.select_random_agent()
        arg = (self.payoff - other.payoff) / self.model.temperature
        prob = 1.0 / (1.0 + math.exp(min(arg, _MAX_EXP_ARG)))
        if self.random.random() < prob:
            self.next_contribution = other.contribution
        else:
            self.next_contribution = self.contribution

    def advance(self) -> None:
        """Apply the decision taken in :meth:`decide` (synchronous update)."""
        self.contribution = self.next_contribution


class BaselinePGGModel(mesa.Model):
    """Repeated public-goods game with neighbourhood groups and Fermi imitation."""

    def __init__(
        self,
        n: int = 1000,
        degree: int = 4,
        mpcr: float = 0.4,
        endowment: float = 20.0,
        temperature: float = 0.5,
        rng=None,
        collect: bool = False,
    ) -> None:
        super().__init__(rng=rng)
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.n = n
        self.degree = degree
        self.mpcr = mpcr
        self.endowment = endowment
        self.temperature = temperature

        graph_seed = int(self.rng.integers(2**31 - 1))
        self.graph = nx.random_regular_graph(degree, n, seed=graph_seed)
        # layout=None: purely topological network (the default runs spring_layout).
        self.grid = Network(self.graph, capacity=1, random=self.random, layout=None)

        nodes = list(self.graph.nodes)
        contributions = self.rng.uniform(0.0, endowment, size=n).tolist()
        PGGAgent.create_agents(
            self,
            n,
            cell=[self.grid[node] for node in nodes],
            contribution=contributions,
        )

        self.datacollector = None
        if collect:
            self.datacollector = mesa.DataCollector(
                model_reporters={"mean_contribution": "mean_contribution"},
                agent_reporters={"contribution": "contribution", "payoff": "payoff"},
            )
            self.datacollector.collect(self)

    @property
    def mean_contribution(self) -> float:
        """Average contribution over all agents."""
        return sum(a.contribution for a in self.agents) / len(self.agents)

    def step(self) -> None:
        """One round: play all games, then a synchronous Fermi update."""
        self.agents.do("compute_group_total")
        self.agents.do("compute_payoff")
        self.agents.shuffle_do("decide")
        self.agents.do("advance")
        if self.datacollector is not None:
            self.datacollector.collect(self)


def agent_rounds_per_second(
    n: int = 10_000, degree: int = 4, rounds: int = 5, seed: int = 0
) -> float:
    """Agent-rounds per second of the Mesa baseline (model construction not timed)."""
    model = BaselinePGGModel(n=n, degree=degree, rng=seed)
    start = time.perf_counter()
    for _ in range(rounds):
        model.step()
    elapsed = time.perf_counter() - start
    return n * rounds / elapsed


if __name__ == "__main__":
    n = 10_000
    rate = agent_rounds_per_second(n=n)
    print(f"Mesa baseline, n={n}: {rate:,.0f} agent-rounds/s")
