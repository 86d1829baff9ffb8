"""Round hooks: where institutions (policies) and network dynamics plug into a round.

A :class:`Simulation` plays each round in this order::

    decide      from the second round on, agents update their contributions (rule kernels)
    hook.after_decide(sim)   e.g. committed campaigners give E; a policy sets this round's return
    play        every group plays the public-goods game: ``sim.payoff`` is the game's payoff
    hook.after_play(sim)     e.g. a policy pays rewards or fines into ``sim.payoff``
    record      the round's metrics (welfare and Gini see the adjusted payoffs)
    hook.end_round(sim)      e.g. agents weave new ties; ``sim.set_graph`` rebuilds the groups

so the learning rule in the next round sees what the institutions paid (SCIENCE.md §6:
"institutions applied each round between payoffs and learning").

Hooks are built from the config by the builders in :data:`HOOK_BUILDERS`, in registration
order; a module that provides hooks registers its builder with :func:`register_hook_builder`
when it is imported (``sim/__init__.py`` imports them all). Each hook gets its own
``numpy.random.Generator`` spawned from the run's seed in :meth:`RoundHook.start`, so the same
seed gives the same run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.config import SimulationConfig

if TYPE_CHECKING:
    from sim.simulation import Simulation


class RoundHook:
    """Base class: every method does nothing unless a subclass overrides it."""

    #: a short name shown in errors and reports
    name = "hook"

    def start(self, sim: Simulation, rng: np.random.Generator) -> None:
        """Called once when the simulation is built, before the first round."""

    def after_decide(self, sim: Simulation) -> None:
        """This round's contributions are set (``sim.contribution``); the game is not played."""

    def after_play(self, sim: Simulation) -> None:
        """The game is played: ``sim.payoff`` holds each agent's game payoff for the round."""

    def end_round(self, sim: Simulation) -> None:
        """The round is recorded; changes here take effect from the next round."""


HookBuilder = Callable[[SimulationConfig], list[RoundHook]]

#: builders called by :func:`build_hooks`, in registration order
HOOK_BUILDERS: list[HookBuilder] = []


def register_hook_builder(builder: HookBuilder) -> HookBuilder:
    """Decorator: ``builder(config)`` returns the hooks the config asks for (maybe none)."""
    HOOK_BUILDERS.append(builder)
    return builder


def build_hooks(config: SimulationConfig) -> list[RoundHook]:
    """All hooks the config asks for, from every registered builder."""
    hooks: list[RoundHook] = []
    for builder in HOOK_BUILDERS:
        hooks.extend(builder(config))
    return hooks
