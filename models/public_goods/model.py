"""The repeated public-goods game on a network, as a Mesa model driven by the Numba engine.

``PublicGoodsModel`` owns a :class:`sim.Simulation` (``model.engine``) and puts one
:class:`~models.public_goods.agents.PublicGoodsAgent` on each node of a
``mesa.discrete_space.Network`` built from the engine's graph. ``model.step()`` plays one round
in the engine and collects data, so ``model.agents``, the ``DataCollector`` and Mesa's
visualisation work as usual while the round itself runs in Numba.

Seeds: for an int ``rng`` the engine gets the same int as its seed, so
``PublicGoodsModel(rng=S, **settings)`` and ``Simulation(SimulationConfig(**settings), seed=S)``
play identical rounds. For any other ``rng`` (None, a ``numpy.random.Generator``, a
``SeedSequence``, ...) the engine's seed is one integer drawn from ``model.rng`` after Mesa has
set it up; it is kept in ``model.engine_seed`` so the bare engine can replay the run.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from sim import ConfigError, History, Simulation, SimulationConfig
from sim.history import METRICS

from .agents import PublicGoodsAgent
from .collector import ArrayDataCollector

# the DataCollector's agent reporters: column -> engine array (and agent property) name
AGENT_REPORTERS = {"contribution": "contribution", "payoff": "payoff"}


def last_round(model: PublicGoodsModel, metric: str) -> float:
    """The engine's recorded ``metric`` for the round just played (NaN before the first)."""
    return model.engine.latest().get(metric, float("nan"))


class PublicGoodsModel(mesa.Model):
    """Repeated public-goods games on a network; agents learn by a registered update rule.

    Args:
        rng: Mesa's ``rng`` (int, ``numpy.random.Generator``, ``SeedSequence`` or None); see
            the module docstring for how the engine's seed follows from it.
        config: a :class:`sim.SimulationConfig` to start from; ``settings`` override its fields.
        agent_class: the agent class, :class:`PublicGoodsAgent` or a subclass. If it overrides
            ``decide``, contributions after the first round come from ``decide()`` in Python
            (synchronously, so ``update`` must be ``"synchronous"``) instead of the Numba rule.
        record_agents: let the engine keep every agent's contribution in every round
            (``model.history().contributions``).
        collect_agents: give the ``DataCollector`` its agent reporters (``contribution`` and
            ``payoff`` per agent per step). They copy the engine's two arrays each step (an
            :class:`~models.public_goods.collector.ArrayDataCollector`), 16 bytes per agent
            per step; turn off for long runs at large ``n`` to save memory.
        **settings: any :class:`sim.SimulationConfig` field (``n``, ``network``, ``degree``,
            ``groups``, ``rule``, ``mpcr``, ``r``, ``endowment``, ``rounds``, ...).

    Attributes:
        engine: the :class:`sim.Simulation` that plays the rounds.
        engine_seed: the int seed the engine was built with.
        config: the validated settings (``engine.config``).
        grid: the ``mesa.discrete_space.Network`` of cells, one per node.
        datacollector: an :class:`~models.public_goods.collector.ArrayDataCollector` (a
            ``mesa.DataCollector`` giving the same DataFrames) with model reporters
            ``mean_contribution``, ``welfare``, ``gini`` and ``cooperators`` (the engine's
            metrics for the round just played, one row per step: row k is round k + 1) and, if
            ``collect_agents``, agent reporters ``contribution`` and ``payoff``.
        python_decisions: whether the agents' own ``decide`` drives the updates.

    Raises:
        sim.ConfigError: an unknown setting, a value out of range, or Python decisions with
            asynchronous updating.
    """

    def __init__(
        self,
        *,
        rng: Any = None,
        config: SimulationConfig | None = None,
        agent_class: type[PublicGoodsAgent] = PublicGoodsAgent,
        record_agents: bool = False,
        collect_agents: bool = True,
        **settings: Any,
    ) -> None:
        super().__init__(rng=rng)
        config = _make_config(config, settings)
        if not (isinstance(agent_class, type) and issubclass(agent_class, PublicGoodsAgent)):
            raise TypeError(f"agent_class must be a PublicGoodsAgent subclass, not {agent_class!r}")
        self.python_decisions = agent_class.decide is not PublicGoodsAgent.decide
        if self.python_decisions and config.update != "synchronous":
            raise ConfigError(
                f"{agent_class.__name__} decides in Python, which is synchronous only; "
                f"use update='synchronous' (got {config.update!r})"
            )

        if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
            self.engine_seed = int(rng)
        else:
            self.engine_seed = int(self.rng.integers(2**63))
        self.engine = Simulation(config, seed=self.engine_seed, record_agents=record_agents)
        self.config = self.engine.config

        graph = self.engine.graph.to_networkx()
        self.grid = Network(graph, capacity=1, random=self.random, layout=None)
        self._by_node: list[PublicGoodsAgent] = [
            agent_class(self, self.grid[node]) for node in range(self.engine.n)
        ]

        # reads the engine's arrays, not one agent at a time: same frames as mesa.DataCollector
        self.datacollector = ArrayDataCollector(
            model_reporters={m: partial(last_round, metric=m) for m in METRICS},
            agent_reporters=dict(AGENT_REPORTERS) if collect_agents else None,
            source="engine",
            agent_ids=[agent.unique_id for agent in self._by_node],
        )
        self.running = True

    def agent_at(self, node: int) -> PublicGoodsAgent:
        """The agent on network node ``node`` (its index in the engine's arrays)."""
        return self._by_node[node]

    def step(self) -> None:
        """Play one round in the engine (its first round on the first step), then collect."""
        engine = self.engine
        if self.python_decisions and engine.round > 0:
            engine.step(next_contributions=self._decisions())
        else:
            engine.step()
        self.datacollector.collect(self)
        self.running = engine.round < self.config.rounds

    def history(self) -> History:
        """The engine's :class:`sim.History` of the rounds played so far."""
        return self.engine.history()

    def _decisions(self) -> np.ndarray:
        """Every agent's ``decide()``, asked before any is applied (synchronous updating)."""
        values = np.fromiter((a.decide() for a in self._by_node), np.float64, self.engine.n)
        endowment = self.config.endowment
        bad = np.flatnonzero(~((values >= 0.0) & (values <= endowment)))
        if bad.size:
            node = int(bad[0])
            raise ValueError(
                f"agent at node {node} decided {values[node]!r}; "
                f"contributions must be in [0, {endowment:g}]"
            )
        return values


def _make_config(config: SimulationConfig | None, settings: dict[str, Any]) -> SimulationConfig:
    """Validate ``settings`` (SimulationConfig field names) on top of ``config``."""
    known = SimulationConfig.field_names()
    for key in settings:
        if key not in known:
            hint = " (Mesa models take rng=, not seed=)" if key == "seed" else ""
            raise ConfigError(f"unknown setting '{key}'{hint}; allowed: {', '.join(sorted(known))}")
    if config is None:
        return SimulationConfig(**settings).validate()
    if not isinstance(config, SimulationConfig):
        raise TypeError(f"config must be a SimulationConfig, not {config!r}")
    return config.replace(**settings)
