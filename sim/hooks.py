"""Round hooks: where institutions (policies) and network dynamics plug into a round.

A :class:`~sim.simulation.Simulation` plays each round in this order::

    decide      from the second round on, agents update their contributions (rule kernels)
    hook.after_decide(sim)   e.g. committed campaigners give E; a policy sets this round's return
    play        every group plays the public-goods game: ``sim.payoff`` is the game's payoff
    hook.after_play(sim)     e.g. a policy pays rewards or fines into ``sim.payoff``
    record      the round's metrics (welfare and Gini see the adjusted payoffs)
    hook.end_round(sim)      e.g. agents weave new ties; ``sim.set_graph`` rebuilds the groups

so the learning rule in the next round sees what the institutions paid ("institutions applied
each round between payoffs and learning", docs/science.md section 6).

The hooks a config asks for are built by the features that own them (``sim.policies``,
``sim.ties``); :mod:`sim.simulation` lists those builders explicitly. Nothing registers itself
when a module is imported. Each hook gets its own ``numpy.random.Generator`` spawned from the
run's seed in :meth:`RoundHook.start`, so the same seed gives the same run.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.graph import CSRGraph
from sim.groups import Groups
from sim.params import Settings
from sim.rules import Rule


class Engine(Protocol):
    """What a hook sees of its run (a :class:`sim.simulation.Simulation`).

    The arrays hold the round being played: one value per agent (``contribution``, ``payoff``,
    ``belief``, ``weight``) or per group of ``groups`` (``share``, ``payout``).
    """

    config: Settings
    n: int
    round: int
    key: np.uint64
    rule: Rule
    graph: CSRGraph
    groups: Groups
    contribution: np.ndarray
    payoff: np.ndarray
    belief: np.ndarray
    weight: np.ndarray
    share: np.ndarray
    payout: np.ndarray

    def latest(self) -> dict[str, float]: ...

    def set_graph(self, graph: CSRGraph) -> None: ...


class RoundHook:
    """Base class: every method does nothing unless a subclass overrides it."""

    #: a short name shown in errors and reports
    name = "hook"

    def start(self, sim: Engine, rng: np.random.Generator) -> None:
        """Called once when the simulation is built, before the first round."""

    def after_decide(self, sim: Engine) -> None:
        """This round's contributions are set (``sim.contribution``); the game is not played."""

    def after_play(self, sim: Engine) -> None:
        """The game is played: ``sim.payoff`` holds each agent's game payoff for the round."""

    def end_round(self, sim: Engine) -> None:
        """The round is recorded; changes here take effect from the next round."""


__all__ = ["Engine", "RoundHook"]
