"""The run configuration: one flat dataclass whose field names are the command line's options.

``SimulationConfig(n=1000, network="silos")`` and ``cascade run --n 1000 --network silos`` mean
the same thing (underscores become dashes on the command line). ``validate()`` checks every
field and raises :class:`ConfigError` with one line naming the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


class ConfigError(ValueError):
    """A configuration value is out of range or unknown. The message is one line for users."""


@dataclass
class SimulationConfig:
    """Everything that defines a run except the seed.

    Attributes (grouped as on ``cascade run --help``):
        n: number of agents.
        network: network builder name (see ``sim.networks.NETWORKS``).
        network_file: path for ``edgelist`` / ``graphml`` networks.
        degree: degree (regular networks) or mean degree (random ones).
        rewire: Watts–Strogatz rewiring probability.
        team_size: agents per team for ``silos``.
        bridging: share of ties that leave the team for ``silos`` (0 isolated silos, 1 random).
        groups: who plays with whom: ``neighbourhood``, ``edges``, ``partition``, ``rematch``.
        group_size: group size for ``partition`` and ``rematch``.
        matching: ``random`` or ``perfect-strangers`` re-matching for ``rematch``.
        cost: ``per-game`` or ``per-individual`` (Santos, Santos & Pacheco 2008).
        rounds: rounds to play.
        endowment: endowment E per round (per game under ``per-game`` cost).
        mpcr: marginal per-capita return r/|g|, the same in every group. Give this or ``r``.
        r: multiplication factor r; each group's MPCR is then r/|g|. Give this or ``mpcr``.
        strategies: ``continuous`` contributions in [0, E] or ``binary`` (0 or E).
        initial_cooperation: mean initial contribution as a share of E.
        rule: update rule name (see ``sim.rules.RULES``).
        update: ``synchronous`` or ``asynchronous`` (random-sequential).
        temperature: Fermi noise K.
        selection: selection intensity w for death–birth (fitness 1 - w + w * payoff).
        mutation: per-update probability of exploring a random strategy instead.
        share_conditional, share_free_rider, share_hump: shares of behavioural types for the
            ``conditional`` rule (Fischbacher, Gächter & Fehr 2001); the rest are noisy
            unconditional givers.
        slope: conditional cooperators' mean response to belief (slope < 1: Fischbacher &
            Gächter 2010).
        belief_weight: weight of last round's observed mean in the belief update.
        noise: standard deviation of decision noise, as a share of E.
        policy: institutions applied each round between payoffs and learning (see
            ``sim.policies.POLICIES``); combine with "+", e.g. ``cooperation+punishment``.
        policy_budget: MU per agent per round that ``competition`` and ``cooperation`` pay out
            (the same money, so they differ only in the incentive's shape).
        policy_scope: who is compared or rewarded together: ``groups`` (the game groups:
            network neighbourhoods or the partition) or ``teams`` (the network's teams, silos).
        competition_top_share: share of each comparison set that ``competition`` pays, best
            first (0: winner-take-all).
        competition_rank: ``competition`` ranks by this round's ``payoff`` (relative
            performance) or by ``contribution`` (a contribution tournament).
        cooperation_reward: ``group`` (the budget to groups in proportion to their total
            contribution, shared equally inside) or ``match`` (in proportion to one's own).
        punishment_rate: expected punishment points per MU a group-mate gave below the
            others' mean, per punisher; a point costs the punisher 1 MU and the target 3 MU
            (Fehr & Gächter 2002).
        punishment_compliance: share of the gap to belief + margin that human-like agents
            close in fear of sanctions (calibrated in the simulated laboratory).
        punishment_margin: MU above their belief that sanction-wary human-like agents aim at.
        punishment_learning: how fast that compliance grows per point received.
        growth_rate: ``growing-resources``: the MPCR is multiplied by 1 + growth_rate times
            last round's share of agents who gave at least half the endowment.
        envelope_budget: ``envelope``: MU per agent for the whole run, spent on matching.
        envelope_match: ``envelope``: MU added to the return per MU returned while it lasts.
        campaign_size: committed cooperators who give E every round (a campaign team; 0: none).
        campaign_placement: where the campaign sits (see ``sim.ties.PLACEMENTS``): ``random``,
            ``brokers``, ``connectors``, ``one-team`` (strong-tie strategy: concentrated in one
            team), ``spread`` (weak-tie strategy: one per team across teams) or ``cluster``
            (one node and its nearest contacts, a local cluster).
        contagion: ``simple`` (conditional cooperators respond linearly to what they saw) or
            ``complex`` (they move only with at least ``threshold`` cooperating contacts;
            Centola & Macy 2007).
        threshold: cooperating contacts a conditional cooperator needs under complex contagion.
        weaving: share of agents gaining one new random tie each round ("randomised coffee
            trials").
        cutting: share of agents cutting, each round, their tie to the contact who gave least
            (Rand, Arbesman & Christakis 2011).
    """

    # population and network
    n: int = 1000
    network: str = "random-regular"
    network_file: str | None = None
    degree: int = 4
    rewire: float = 0.1
    team_size: int = 20
    bridging: float = 0.1
    # games
    groups: str = "neighbourhood"
    group_size: int = 4
    matching: str = "random"
    cost: str = "per-game"
    rounds: int = 50
    endowment: float = 20.0
    mpcr: float | None = None
    r: float | None = None
    strategies: str = "continuous"
    initial_cooperation: float = 0.5
    # learning
    rule: str = "conditional"
    update: str = "synchronous"
    temperature: float = 0.5
    selection: float = 0.1
    mutation: float = 0.01
    # human-like behaviour (conditional rule)
    share_conditional: float = 0.5
    share_free_rider: float = 0.3
    share_hump: float = 0.14
    slope: float = 0.8
    belief_weight: float = 0.6
    noise: float = 0.05
    # institutions (policies)
    policy: str = "baseline"
    policy_budget: float = 1.0
    policy_scope: str = "groups"
    competition_top_share: float = 0.25
    competition_rank: str = "payoff"
    cooperation_reward: str = "group"
    punishment_rate: float = 0.2
    punishment_compliance: float = 0.708
    punishment_margin: float = 10.0
    punishment_learning: float = 0.0
    growth_rate: float = 1.0
    envelope_budget: float = 20.0
    envelope_match: float = 1.0
    # campaigns and ties
    campaign_size: int = 0
    campaign_placement: str = "random"
    contagion: str = "simple"
    threshold: int = 2
    weaving: float = 0.0
    cutting: float = 0.0

    # ------------------------------------------------------------------ helpers
    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SimulationConfig:
        """Build from a mapping, rejecting unknown keys with a one-line error."""
        known = set(cls.field_names())
        for key in values:
            if key not in known:
                raise ConfigError(
                    f"unknown setting '{key}'; allowed: {', '.join(sorted(known))}"
                )
        return cls(**values).validate()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> SimulationConfig:
        return dataclasses.replace(self, **changes).validate()

    @property
    def network_defines_n(self) -> bool:
        """File networks set the number of agents themselves; ``n`` is then ignored."""
        return self.network in ("edgelist", "graphml")

    @property
    def share_mode(self) -> tuple[str, float]:
        """``("mpcr", value)`` or ``("r", value)``; default MPCR 0.4 (Fehr & Gächter 2002)."""
        if self.r is not None:
            return "r", float(self.r)
        return "mpcr", 0.4 if self.mpcr is None else float(self.mpcr)

    # --------------------------------------------------------------- validation
    def validate(self) -> SimulationConfig:
        """Check every field; return self or raise :class:`ConfigError`."""
        from sim.groups import GROUP_STRUCTURES  # late imports: registries import this module
        from sim.networks import NETWORKS
        from sim.policies import check_policy_config
        from sim.rules import RULES

        _check_int(self, "n", low=1)
        _check_choice(self, "network", sorted(NETWORKS))
        _check_int(self, "degree", low=0)
        _check_float(self, "rewire", 0.0, 1.0)
        _check_int(self, "team_size", low=1)
        _check_float(self, "bridging", 0.0, 1.0)
        _check_choice(self, "groups", list(GROUP_STRUCTURES))
        _check_int(self, "group_size", low=1)
        _check_choice(self, "matching", list(MATCHINGS))
        _check_choice(self, "cost", list(COSTS))
        _check_int(self, "rounds", low=1)
        _check_float(self, "endowment", 0.0, None, low_open=True)
        if self.mpcr is not None and self.r is not None:
            raise ConfigError("give either --mpcr or --r, not both")
        if self.mpcr is not None:
            _check_float(self, "mpcr", 0.0, 1.0, low_open=True)
        if self.r is not None:
            _check_float(self, "r", 0.0, None, low_open=True)
        _check_choice(self, "strategies", list(STRATEGY_SPACES))
        _check_float(self, "initial_cooperation", 0.0, 1.0)
        _check_choice(self, "rule", sorted(RULES))
        _check_choice(self, "update", list(UPDATES))
        _check_float(self, "temperature", 0.0, None, low_open=True)
        _check_float(self, "selection", 0.0, 1.0)
        _check_float(self, "mutation", 0.0, 1.0)
        for name in ("share_conditional", "share_free_rider", "share_hump"):
            _check_float(self, name, 0.0, 1.0)
        total = self.share_conditional + self.share_free_rider + self.share_hump
        if total > 1.0 + 1e-9:
            raise ConfigError(
                "--share-conditional + --share-free-rider + --share-hump must be at most 1 "
                f"(got {total:g})"
            )
        _check_float(self, "slope", 0.0, 2.0)
        _check_float(self, "belief_weight", 0.0, 1.0)
        _check_float(self, "noise", 0.0, 1.0)
        if self.groups in ("partition", "rematch") and not self.network_defines_n:
            check_group_size(self.group_size, self.n)
        if self.groups == "rematch" and self.matching == "perfect-strangers" and self.n > 5000:
            raise ConfigError(
                f"--matching perfect-strangers is a laboratory protocol for n <= 5000 "
                f"(got n={self.n}); use --matching random"
            )
        NETWORKS[self.network].check(self)
        check_policy_config(self)
        _check_ties(self)
        return self


MATCHINGS = ("random", "perfect-strangers")
COSTS = ("per-game", "per-individual")
STRATEGY_SPACES = ("continuous", "binary")
UPDATES = ("synchronous", "asynchronous")


def check_group_size(group_size: int, n: int) -> None:
    """Groups for ``partition`` and ``rematch`` cannot be larger than the population."""
    if group_size > n:
        raise ConfigError(f"--group-size must be between 1 and n={n} (got {group_size})")


def _check_ties(cfg: SimulationConfig) -> None:
    """The ``# campaigns and ties`` block (sim/ties/)."""
    from sim.ties import CONTAGIONS, PLACEMENTS  # late import: sim.ties imports this module

    _check_int(cfg, "campaign_size", low=0)
    if not cfg.network_defines_n and cfg.campaign_size > cfg.n:
        raise ConfigError(f"--campaign-size must be at most n={cfg.n} (got {cfg.campaign_size})")
    _check_choice(cfg, "campaign_placement", list(PLACEMENTS))
    _check_choice(cfg, "contagion", list(CONTAGIONS))
    _check_int(cfg, "threshold", low=1)
    if cfg.contagion == "complex" and cfg.rule != "conditional":
        raise ConfigError(
            f"--contagion complex needs --rule conditional (got --rule {cfg.rule})"
        )
    _check_float(cfg, "weaving", 0.0, 1.0)
    _check_float(cfg, "cutting", 0.0, 1.0)


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_int(cfg: SimulationConfig, name: str, low: int) -> None:
    value = getattr(cfg, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{_option(name)} must be an integer >= {low} (got {value!r})")


def _check_float(
    cfg: SimulationConfig,
    name: str,
    low: float,
    high: float | None,
    low_open: bool = False,
) -> None:
    value = getattr(cfg, name)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value == value
    if ok:
        ok = (value > low if low_open else value >= low) and (high is None or value <= high)
    if not ok:
        lo = f"> {low:g}" if low_open else f">= {low:g}"
        rng = lo if high is None else f"{lo} and <= {high:g}"
        raise ConfigError(f"{_option(name)} must be a number {rng} (got {value!r})")


def _check_choice(cfg: SimulationConfig, name: str, allowed: list[str]) -> None:
    value = getattr(cfg, name)
    if value not in allowed:
        raise ConfigError(f"unknown {_option(name)} '{value}'; allowed: {', '.join(allowed)}")

