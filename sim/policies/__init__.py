"""Policies: institutions applied each round between payoffs and learning (SCIENCE.md §6).

The seed documents' main question: does a system run on competition between its parts lose to
one that rewards cooperation? Each policy is a small :class:`~sim.policies.base.Policy` class
(a :class:`~sim.hooks.RoundHook`) registered by name in :data:`POLICIES`; a config names one
with ``policy="competition"`` or several joined with "+" (``"cooperation+punishment"``).
Their parameters are config fields (the ``# institutions (policies)`` block of
:class:`~sim.config.SimulationConfig`), so ``cascade run --policy competition`` and
``PublicGoodsModel(policy="competition")`` get them for free.

``competition`` and ``cooperation`` inject the same money (``policy_budget`` per agent per
round), so a difference between them comes from the incentive's shape, not its size.
"""

from __future__ import annotations

from sim.config import (
    ConfigError,
    SimulationConfig,
    _check_choice,
    _check_float,
)
from sim.hooks import RoundHook, register_hook_builder
from sim.policies.base import SCOPES, Policy
from sim.policies.money import RANKINGS, REWARDS, Competition, Cooperation
from sim.policies.punishment import Punishment
from sim.policies.resources import Envelope, GrowingResources


class Baseline(Policy):
    """No institution: the game's payoffs alone."""

    name = "baseline"
    summary = "no institution: people keep what the game pays"
    source = "the repeated public-goods game (SCIENCE.md §1)"


#: policy name -> class, in the order the command line lists them
POLICIES: dict[str, type[Policy]] = {
    cls.name: cls
    for cls in (Baseline, Competition, Cooperation, Punishment, GrowingResources, Envelope)
}

#: pairs that make no sense together, with the reason given to the user
INCOMPATIBLE: dict[frozenset[str], str] = {
    frozenset({"competition", "cooperation"}): "spend the same budget two ways; choose one",
    frozenset({"growing-resources", "envelope"}): "are the two alternative resource "
    "regimes; choose one",
}

#: how a combination is written
JOIN = "+"


def policy_names(policy: str) -> list[str]:
    """The policies a ``policy`` setting names, in the order they act each round
    (fines before prizes). ``"baseline"`` names none."""
    names = [POLICIES[name] for name in policy.split(JOIN) if name != "baseline"]
    return [cls.name for cls in sorted(names, key=lambda cls: cls.stage)]


def check_policy_config(cfg: SimulationConfig) -> None:
    """The ``# institutions (policies)`` block of the config; raises :class:`ConfigError`."""
    if not isinstance(cfg.policy, str):
        raise ConfigError(f"--policy must be a policy name (got {cfg.policy!r})")
    names = cfg.policy.split(JOIN)
    for name in names:
        if name not in POLICIES:
            raise ConfigError(
                f"unknown --policy '{name}'; allowed: {', '.join(POLICIES)} (combine with "
                f"'{JOIN}', e.g. cooperation{JOIN}punishment)"
            )
    if len(set(names)) < len(names):
        raise ConfigError(f"--policy '{cfg.policy}' names a policy twice")
    if len(names) > 1 and "baseline" in names:
        raise ConfigError(f"--policy baseline means no institution and combines with nothing "
                          f"(got '{cfg.policy}')")
    for pair, reason in INCOMPATIBLE.items():
        if pair <= set(names):
            a, b = sorted(pair)
            raise ConfigError(f"--policy '{cfg.policy}' makes no sense: {a} and {b} {reason}")
    _check_float(cfg, "policy_budget", 0.0, None)
    _check_choice(cfg, "policy_scope", list(SCOPES))
    if cfg.policy_scope == "teams" and cfg.network not in ("silos", "edgelist", "graphml"):
        raise ConfigError(f"--policy-scope teams needs a network with teams (silos); got "
                          f"--network {cfg.network}")
    _check_float(cfg, "competition_top_share", 0.0, 1.0)
    _check_choice(cfg, "competition_rank", list(RANKINGS))
    _check_choice(cfg, "cooperation_reward", list(REWARDS))
    _check_float(cfg, "punishment_rate", 0.0, None)
    _check_float(cfg, "punishment_compliance", 0.0, 1.0)
    _check_float(cfg, "punishment_margin", 0.0, None)
    _check_float(cfg, "punishment_learning", 0.0, None)
    _check_float(cfg, "growth_rate", 0.0, None)
    _check_float(cfg, "envelope_budget", 0.0, None)
    _check_float(cfg, "envelope_match", 0.0, None)


@register_hook_builder
def policy_hooks(config: SimulationConfig) -> list[RoundHook]:
    """One hook per policy the config names (none for ``baseline``)."""
    return [POLICIES[name](config) for name in policy_names(config.policy)]


__all__ = [
    "INCOMPATIBLE",
    "POLICIES",
    "RANKINGS",
    "REWARDS",
    "SCOPES",
    "Baseline",
    "Competition",
    "Cooperation",
    "Envelope",
    "GrowingResources",
    "Policy",
    "Punishment",
    "check_policy_config",
    "policy_names",
]
