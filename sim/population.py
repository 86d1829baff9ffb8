"""Who the agents are at the start: initial contributions and behavioural types."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.kernels import rules as k
from sim.params import Param, Settings

STRATEGY_SPACES = ("continuous", "binary")
STRATEGIES = Param("strategies", "continuous", "continuous contributions in [0, E] or binary "
                   "(0 or E)", kind=str, choices=STRATEGY_SPACES)
INITIAL_COOPERATION = Param("initial_cooperation", 0.5, "mean initial contribution as a share "
                            "of E", low=0.0, high=1.0)
#: the settings of the starting population, in the order of the command line
PARAMETERS = (STRATEGIES, INITIAL_COOPERATION)


@dataclass
class Population:
    """Initial per-agent arrays.

    Attributes:
        contribution: first-round contributions in [0, E].
        kind: behavioural type codes (``sim.kernels.rules.CONDITIONAL_COOPERATOR`` etc.).
        base: what an unconditional giver gives every round.
        belief: initial belief about others' contributions.
    """

    contribution: np.ndarray
    kind: np.ndarray
    base: np.ndarray
    belief: np.ndarray


TYPE_NAMES = {
    k.CONDITIONAL_COOPERATOR: "conditional-cooperator",
    k.FREE_RIDER: "free-rider",
    k.HUMP_SHAPED: "hump-shaped",
    k.UNCONDITIONAL: "unconditional",
}


def draw_types(config: Settings, n: int, rng: np.random.Generator) -> np.ndarray:
    """Behavioural types in the configured shares (Fischbacher, Gächter & Fehr 2001: about
    50% conditional cooperators, 30% free riders, 14% hump-shaped, the rest other)."""
    shares = [config.share_conditional, config.share_free_rider, config.share_hump]
    shares.append(max(0.0, 1.0 - sum(shares)))
    p = np.asarray(shares) / sum(shares)
    codes = [k.CONDITIONAL_COOPERATOR, k.FREE_RIDER, k.HUMP_SHAPED, k.UNCONDITIONAL]
    return rng.choice(np.asarray(codes, dtype=np.int8), size=n, p=p)


def initial_contributions(config: Settings, n: int, rng: np.random.Generator) -> np.ndarray:
    """First-round contributions with mean ``initial_cooperation * E``.

    Continuous strategies are Beta(2m, 2(1-m)) * E, which is uniform on [0, E] for m = 1/2;
    binary strategies give E with probability m and 0 otherwise.
    """
    m, e = config.initial_cooperation, config.endowment
    if config.strategies == "binary":
        return np.where(rng.random(n) < m, e, 0.0)
    if m <= 0.0 or m >= 1.0:
        return np.full(n, m * e)
    return rng.beta(2.0 * m, 2.0 * (1.0 - m), size=n) * e


def initial_population(config: Settings, n: int, rng: np.random.Generator) -> Population:
    """Draw the starting population. Types matter only for the ``conditional`` rule; there,
    free riders give nothing from the first round on."""
    contribution = initial_contributions(config, n, rng)
    if config.rule == "conditional":
        kind = draw_types(config, n, rng)
        contribution[kind == k.FREE_RIDER] = 0.0
    else:
        kind = np.zeros(n, dtype=np.int8)
    base = contribution.copy()
    belief = np.full(n, config.initial_cooperation * config.endowment)
    return Population(contribution, kind, base, belief)
