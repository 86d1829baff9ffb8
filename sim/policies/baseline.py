"""No institution: the repeated public-goods game as it is."""

from __future__ import annotations

from sim.policies.base import Policy


class Baseline(Policy):
    """No institution: the game's payoffs alone."""

    name = "baseline"
    summary = "no institution: people keep what the game pays"
    source = "the repeated public-goods game (docs/science.md section 1)"
