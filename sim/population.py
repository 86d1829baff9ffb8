"""Who the agents are at the start: first contributions and, for human-like rules, types."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour import kernels as bk
from sim.behaviour.parameters import INITIAL_COOPERATION
from sim.params import Param, Settings

STRATEGY_SPACES = ("continuous", "binary")
STRATEGIES = Param("strategies", "continuous", "continuous contributions in [0, E] or binary "
                   "(0 or E)", kind=str, choices=STRATEGY_SPACES)
#: the settings of the starting population, in the order of the command line
PARAMETERS = (STRATEGIES, INITIAL_COOPERATION)


@dataclass
class Population:
    """Initial per-agent arrays.

    Attributes:
        contribution: first-round contributions in [0, E].
        kind: behavioural type codes (:data:`sim.behaviour.kernels.TYPE_NAMES`).
        slope: each conditional cooperator's response to her belief.
        base: what a giver of type "other" gives every round.
        belief: initial belief about others' contributions (MU).
        propensity: initial propensity to cooperate, learnt from earnings (``human`` rule).
    """

    contribution: np.ndarray
    kind: np.ndarray
    slope: np.ndarray
    base: np.ndarray
    belief: np.ndarray
    propensity: np.ndarray


def draw_types(shares: Settings, n: int, rng: np.random.Generator) -> np.ndarray:
    """Behavioural types in the configured shares (Fischbacher, Gächter & Fehr 2001: about
    50% conditional cooperators, 30% free riders, 14% hump-shaped, the rest other)."""
    p = np.array([shares.share_conditional, shares.share_free_rider, shares.share_hump, 0.0])
    p[3] = max(0.0, 1.0 - p[:3].sum())
    codes = np.array([bk.CONDITIONAL_COOPERATOR, bk.FREE_RIDER, bk.HUMP_SHAPED, bk.OTHER],
                     dtype=np.int8)
    return rng.choice(codes, size=n, p=p / p.sum())


def draw_traits(behaviour: Settings, n: int, endowment: float, rng: np.random.Generator):
    """Types, slopes, fixed amounts and first beliefs of ``n`` human-like people.

    Slopes are normal around ``slope`` (sd ``slope_sd``, at least 0); "other" types give a
    uniform fixed amount in [0, E]; first beliefs are normal around ``initial_cooperation * E``
    (sd ``belief_sd * E``), clipped to [0, E]. The same draws serve the engine and the
    laboratory (:mod:`sim.lab.lab`).
    """
    kind = draw_types(behaviour, n, rng)
    slope = np.maximum(rng.normal(behaviour.slope, behaviour.slope_sd, n), 0.0)
    base = rng.uniform(0.0, endowment, n)
    mean = behaviour.initial_cooperation * endowment
    belief = np.clip(rng.normal(mean, behaviour.belief_sd * endowment, n), 0.0, endowment)
    return kind, slope, base, belief


def initial_contributions(config: Settings, n: int, rng: np.random.Generator) -> np.ndarray:
    """First-round contributions with mean ``initial_cooperation * E`` (payoff-learning rules).

    Continuous strategies are Beta(2m, 2(1-m)) * E, which is uniform on [0, E] for m = 1/2;
    binary strategies give E with probability m and 0 otherwise.
    """
    m, e = config.initial_cooperation, config.endowment
    if config.strategies == "binary":
        return np.where(rng.random(n) < m, e, 0.0)
    if m <= 0.0 or m >= 1.0:
        return np.full(n, m * e)
    return rng.beta(2.0 * m, 2.0 * (1.0 - m), size=n) * e


def initial_population(config: Settings, n: int, rng: np.random.Generator,
                       rule) -> Population:
    """Draw the starting population for ``rule`` (a :class:`sim.rules.Rule`).

    Human-like people (rules with ``uses_beliefs``: ``human`` and ``conditional``) give in the
    first round what they decide for their first belief and propensity
    (:func:`sim.behaviour.kernels.first_decisions`; with the ``conditional`` rule, the belief
    alone), rounded to 0 or E with binary strategies. Everyone else starts from
    :func:`initial_contributions`.
    """
    e = config.endowment
    propensity = np.full(n, float(config.initial_cooperation))
    if not rule.uses_beliefs:
        contribution = initial_contributions(config, n, rng)
        zeros = np.zeros(n)
        return Population(contribution, np.zeros(n, np.int8), zeros, contribution.copy(),
                          np.full(n, config.initial_cooperation * e), propensity)
    kind, slope, base, belief = draw_traits(config, n, e, rng)
    weight = config.payoff_weight if rule.learns_from_payoff else 0.0
    contribution = np.empty(n)
    bk.first_decisions(kind, slope, base, belief, propensity, weight, config.noise, e,
                       rng.standard_normal(n), contribution)
    if config.strategies == "binary":
        contribution = np.where(rng.random(n) * e < contribution, e, 0.0)
    return Population(contribution, kind, slope, base, belief, propensity)
