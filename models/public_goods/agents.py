"""Agents of the public-goods model: views onto the engine's arrays, one per network node.

A :class:`PublicGoodsAgent` holds no state of its own. Its ``contribution``, ``payoff``,
``belief`` and ``kind`` read the engine's arrays at the agent's node every time, so they are
always those of the round just played, whatever the engine does with its buffers.

To write an update rule in Python, subclass :class:`PublicGoodsAgent` and override
:meth:`PublicGoodsAgent.decide`; :class:`PythonFermiAgent` is a worked example that reproduces
the engine's Numba Fermi rule draw for draw.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
from mesa.discrete_space import Cell, FixedAgent

from sim import rng as kr
from sim.behaviour.kernels import TYPE_NAMES
from sim.config import SimulationConfig
from sim.kernels.rules import random_neighbour as _random_neighbour_kernel
from sim.simulation import Simulation


class EngineModel(Protocol):
    """What an agent uses of its model (a
    :class:`~models.public_goods.model.PublicGoodsModel`)."""

    engine: Simulation

    def agent_at(self, node: int) -> PublicGoodsAgent: ...


class PublicGoodsAgent(FixedAgent):
    """A player fixed to one node of the network.

    Attributes:
        node: the agent's index in the engine's arrays (equal to its cell's coordinate).

    Subclassing: override :meth:`decide` to return the agent's next contribution. The model
    then calls ``decide()`` on every agent before each round after the first and applies all
    the answers at once (synchronous updating), instead of running the engine's Numba rule.
    A subclass's ``__init__`` must accept ``(model, cell)`` and call ``super().__init__``.
    """

    model: EngineModel

    def __init__(self, model: EngineModel, cell: Cell) -> None:
        """Create the agent and place it in ``cell``.

        Args:
            model: the model that owns the engine.
            cell: the network cell (node) the agent lives in; its coordinate is the node index.
        """
        super().__init__(model)
        self.node: int = int(cell.coordinate)
        self.cell = cell

    # ----------------------------------------------------------- engine views
    @property
    def engine(self) -> Simulation:
        """The model's engine (a :class:`sim.Simulation`)."""
        return self.model.engine

    @property
    def config(self) -> SimulationConfig:
        """The run's settings (``self.model.engine.config``)."""
        return self.model.engine.config

    @property
    def contribution(self) -> float:
        """What the agent gave in the round just played (before the first step: will give)."""
        return float(self.model.engine.contribution[self.node])

    @contribution.setter
    def contribution(self, value: float) -> None:
        endowment = self.model.engine.config.endowment
        value = float(value)
        if not 0.0 <= value <= endowment:
            raise ValueError(f"contribution must be in [0, {endowment:g}] (got {value!r})")
        # Read the array through the engine every time: it swaps buffers each round.
        self.model.engine.contribution[self.node] = value

    @property
    def payoff(self) -> float:
        """What the agent earned in the round just played (0 before the first step)."""
        return float(self.model.engine.payoff[self.node])

    @property
    def belief(self) -> float:
        """The agent's belief about what its co-players give (used by the ``conditional`` rule)."""
        return float(self.model.engine.belief[self.node])

    @property
    def kind(self) -> str | None:
        """Behavioural type name (e.g. ``"free-rider"``) under a human-like rule (``human``,
        ``conditional``), else None."""
        engine = self.model.engine
        if not engine.rule.uses_beliefs:
            return None
        return TYPE_NAMES[int(engine.kind[self.node])]

    @property
    def neighbours(self) -> list[PublicGoodsAgent]:
        """The agents on adjacent nodes, in ascending node order (the engine's CSR order)."""
        agent_at = self.model.agent_at
        return [agent_at(int(j)) for j in self.model.engine.graph.neighbours(self.node)]

    # --------------------------------------------- randomness shared with kernels
    def draw(self, stream: int) -> float:
        """The kernels' uniform draw in [0, 1) for this agent, this update and ``stream``.

        Streams are the constants of :mod:`sim.rng` (``STREAM_ACCEPT``,
        ``STREAM_MUTATE``, ...). Called from :meth:`decide` this is exactly the number the
        synchronous Numba kernel would draw for the same purpose: the update before round
        t + 1 uses the round counter t, the number of rounds already played, which is
        ``engine.round`` while the model collects decisions.
        """
        engine = self.model.engine
        # typed as uint64: a Python int key >= 2**63 cannot go through an int64 specialisation
        return float(kr.uniform(np.uint64(engine.key), engine.round, self.node, stream))

    def random_neighbour(self) -> PublicGoodsAgent | None:
        """The random neighbour the synchronous kernels draw for this update (None if isolated).

        Uses ``sim.kernels.rules.random_neighbour`` with the agent's node as draw counter and
        the stream ``STREAM_PARTNER``, so do not use that stream for anything else.
        """
        engine = self.model.engine
        graph = engine.graph
        j = _random_neighbour_kernel(
            self.node, self.node, engine.round, np.uint64(engine.key), graph.indptr, graph.indices
        )
        return None if j < 0 else self.model.agent_at(int(j))

    # ------------------------------------------------------------------ rule
    def decide(self) -> float:
        """Return the next contribution, in [0, endowment]. Override to write a rule in Python.

        Decisions are synchronous: the model asks every agent, then applies all answers at once,
        so ``decide`` sees the round just played and must return its answer rather than set
        ``self.contribution``. Beliefs are not updated on this path. The model calls ``decide``
        only when the agent class overrides it; otherwise the engine's Numba rule runs and this
        base version (keep the current contribution) is never used.
        """
        return self.contribution


# |z| beyond which the Fermi probability is exactly 0 or 1, as in sim.kernels.rules
_FERMI_CUTOFF = 40.0


class PythonFermiAgent(PublicGoodsAgent):
    """The Fermi rule with mutation, in plain Python (Szabó & Tőke 1998).

    Copy a random neighbour j's contribution with probability 1 / (1 + exp((P_i - P_j) / K));
    then, with probability ``mutation``, explore a random contribution instead. It uses the
    kernels' random numbers (:meth:`draw`, :meth:`random_neighbour`), so with ``rule="fermi"``
    a model of these agents gives exactly the engine's trajectory. Python decisions are
    synchronous: use ``update="synchronous"``.
    """

    def decide(self) -> float:
        config = self.config
        endowment = config.endowment
        new = self.contribution
        other = self.random_neighbour()
        if other is not None:
            z = (self.payoff - other.payoff) / config.temperature
            if z > _FERMI_CUTOFF:
                p = 0.0
            elif z < -_FERMI_CUTOFF:
                p = 1.0
            else:
                p = 1.0 / (1.0 + math.exp(z))
            if self.draw(kr.STREAM_ACCEPT) < p:
                new = other.contribution
        if config.mutation > 0.0 and self.draw(kr.STREAM_MUTATE) < config.mutation:
            u = self.draw(kr.STREAM_MUTANT)
            if config.strategies == "binary":
                new = endowment if u < 0.5 else 0.0
            else:
                new = u * endowment
        return new
