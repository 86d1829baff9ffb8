"""Policies: institutions applied each round between payoffs and learning (docs/science.md
section 6).

The project's main question: does a system run on competition between its parts lose to
one that rewards cooperation? Each policy is a small :class:`~sim.policies.base.Policy` class
(a :class:`~sim.hooks.RoundHook`) in a module of this package, declaring its name, summary,
source, parameters and stage beside its code. :data:`POLICIES` is built from the package's
modules when it is imported (sorted by module name, then in order of definition), so a new
policy is one new file here: its parameters become ``SimulationConfig`` fields and
``cascade run`` options, and it appears in the browser app, without touching anything else.

A config names one policy with ``policy="competition"`` or several joined with "+"
(``"cooperation+punishment"``). ``competition`` and ``cooperation`` inject the same money
(``policy_budget`` per agent per round), so a difference between them comes from the
incentive's shape, not its size.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from sim.hooks import RoundHook
from sim.params import ConfigError, Entry, Param, Registry, Settings
from sim.policies.base import POLICY_SCOPE, TEAM_NETWORKS, Policy

#: how a combination is written
JOIN = "+"


def policy_classes(package: str = __name__, paths: Any = __path__) -> list[type[Policy]]:
    """The policy classes defined in the modules of ``package``: sorted by module name, then
    in order of definition. A class counts when it defines its own ``name``."""
    found: list[type[Policy]] = []
    for info in sorted(pkgutil.iter_modules(paths), key=lambda m: m.name):
        module = importlib.import_module(f"{package}.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Policy) and value is not Policy
                    and value.__module__ == module.__name__ and "name" in vars(value)):
                found.append(value)
    return found


#: policy name -> entry (``entry`` is the class), in the order the command line lists them
POLICIES = Registry(
    "policies (--policy; combine with '+')",
    (Entry(name=cls.name, summary=cls.summary, source=cls.source, parameters=cls.parameters,
           entry=cls) for cls in policy_classes()),
)

#: pairs that make no sense together, with the reason given to the user
INCOMPATIBLE: dict[frozenset[str], str] = {
    frozenset({entry.name, other}): reason
    for entry in POLICIES.values()
    for other, reason in entry.entry.excludes.items()
}


def _check_policy(value: Any) -> None:
    """A policy name or a combination of compatible ones joined with '+'."""
    if not isinstance(value, str):
        raise ConfigError(f"--policy must be a policy name (got {value!r})")
    names = value.split(JOIN)
    for name in names:
        if name not in POLICIES:
            raise ConfigError(
                f"unknown --policy '{name}'; allowed: {', '.join(POLICIES)} (combine with "
                f"'{JOIN}', e.g. cooperation{JOIN}punishment)"
            )
    if len(set(names)) < len(names):
        raise ConfigError(f"--policy '{value}' names a policy twice")
    if len(names) > 1 and "baseline" in names:
        raise ConfigError(f"--policy baseline means no institution and combines with nothing "
                          f"(got '{value}')")
    for pair, reason in INCOMPATIBLE.items():
        if pair <= set(names):
            a, b = sorted(pair)
            raise ConfigError(f"--policy '{value}' makes no sense: {a} and {b} {reason}")


POLICY = Param("policy", "baseline", "institutions applied each round between payoffs and "
               "learning; combine with '+', e.g. cooperation+punishment", kind=str,
               choices=POLICIES, check=_check_policy)
#: the ``institutions (policies)`` settings: the choice, then every policy's parameters
PARAMETERS = (POLICY, *POLICIES.parameters())


def check(config: Settings) -> None:
    """Settings the policies need together (each field is checked alone before)."""
    if config.policy_scope == "teams" and config.network not in TEAM_NETWORKS:
        raise ConfigError(f"{POLICY_SCOPE.option} teams needs a network with teams (silos); "
                          f"got --network {config.network}")


def policy_names(policy: str) -> list[str]:
    """The policies a ``policy`` setting names, in the order they act each round
    (fines before prizes). ``"baseline"`` names none."""
    classes = [POLICIES[name].entry for name in policy.split(JOIN) if name != "baseline"]
    return [cls.name for cls in sorted(classes, key=lambda cls: cls.stage)]


def policy_hooks(config: Settings) -> list[RoundHook]:
    """One hook per policy the config names (none for ``baseline``)."""
    return [POLICIES[name].entry(config) for name in policy_names(config.policy)]


__all__ = [
    "INCOMPATIBLE",
    "JOIN",
    "PARAMETERS",
    "POLICIES",
    "POLICY",
    "Policy",
    "check",
    "policy_classes",
    "policy_hooks",
    "policy_names",
]
