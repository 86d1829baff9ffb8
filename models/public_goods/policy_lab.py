"""The model behind the browser app: plain-language settings, one run or two side by side.

:class:`PolicyLab` is a ``mesa.Model`` whose keyword arguments are the app's controls (kind of
organisation, team size, bridging share, policy, return on contributions, punishment, campaign,
seed, ...). It translates them into a :class:`sim.SimulationConfig` and owns one
:class:`~models.public_goods.PublicGoodsModel` per policy shown: the chosen policy and, when
``compare_with`` names another, a second run on the same network with the same seed, so the two
differ only by the policy ("what if we rewarded cooperation instead of competition?").

Settings that do not fit (typed out of range, or rejected by the engine's validation) never
raise: the lab keeps the one-line message in :attr:`PolicyLab.problem`, plays nothing, and the
page shows the message.

Policies and campaign placements come from the engine's registries (``sim.policies.POLICIES``,
``sim.ties.PLACEMENTS``), read through the same attributes as the command line's help (name,
summary, source), so new ones appear in the app by themselves; network roles come from
:func:`sim.ties.roles.network_roles`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import mesa
import numba
import numpy as np
import pandas as pd

from sim.config import ConfigError
from sim.history import METRICS
from sim.policies import POLICIES
from sim.rules import RULES
from sim.ties import PLACEMENTS, Campaign
from sim.ties.roles import network_roles

from .drawing import Layout, contribution_colours, network_layout, role_colours
from .model import PublicGoodsModel

#: kinds of organisation: plain name -> engine network name
ORGANISATIONS = {
    "silos": "silos",
    "small world": "small-world",
    "scale-free": "scale-free",
    "random": "erdos-renyi",
}
#: no second run
NO_COMPARISON = "nothing"
#: people the browser app draws at most (the layout and the page get slow beyond)
MAX_PEOPLE = 2000
MIN_PEOPLE = 10
MAX_ROUNDS = 1000
PUNISHMENT = "punishment"
BASELINE = "baseline"


# -------------------------------------------------------------------- registries
def policy_registry() -> dict[str, str]:
    """Registered policies (name -> plain-language summary)."""
    return POLICIES.summaries()


def placement_registry() -> dict[str, str]:
    """Campaign placements (name -> summary)."""
    return PLACEMENTS.summaries()


def policy_choices() -> list[str]:
    """Policies a user may pick alone (punishment is its own switch when it is registered)."""
    names = list(policy_registry())
    if not names:
        return [BASELINE]
    return [name for name in names if name != PUNISHMENT or len(names) == 1]


def colour_choices() -> list[str]:
    return ["contribution", "role"]


# --------------------------------------------------------------------- controls
@dataclass(frozen=True)
class Control:
    """One control of the app: its label, one-line explanation and Mesa input spec."""

    name: str
    label: str
    explanation: str
    spec: dict[str, Any] = field(default_factory=dict)

    def mesa_param(self) -> dict[str, Any]:
        """The entry for SolaraViz's ``model_params``."""
        return {"label": self.label, **self.spec}


def controls() -> list[Control]:
    """The app's controls, in page order, built from the registries installed now."""
    policies = policy_registry()
    placements = placement_registry()
    items = [
        Control("organisation", "Kind of organisation",
                "How people are tied: teams with a few bridges (silos), neighbours plus "
                "shortcuts (small world), a few hubs (scale-free), or at random.",
                {"type": "Select", "value": "silos", "values": list(ORGANISATIONS)}),
        Control("people", "Number of people",
                f"How many people the organisation has ({MIN_PEOPLE} to {MAX_PEOPLE}; type "
                "a whole number).",
                {"type": "InputText", "value": "500"}),
        Control("ties", "Close colleagues per person",
                "How many people each person works with directly (their games each round).",
                {"type": "SliderInt", "value": 6, "min": 2, "max": 12, "step": 2}),
        Control("team_size", "Team size",
                "People per team in silos (type a whole number, at most the number of people).",
                {"type": "InputText", "value": "20"}),
        Control("bridging", "Bridging share",
                "Share of each person's ties that reach outside their own team (silos only; "
                "0 closed silos, 1 no silos).",
                {"type": "SliderFloat", "value": 0.1, "min": 0.0, "max": 1.0, "step": 0.05}),
    ]
    if policies:
        choices = policy_choices()
        items.append(Control(
            "policy", "Policy",
            "The incentive scheme everyone works under (see 'Policies' below for each).",
            {"type": "Select", "value": BASELINE if BASELINE in choices else choices[0],
             "values": choices}))
        items.append(Control(
            "compare_with", "Compare with policy",
            "Run the same organisation, same people and same luck under this second policy, "
            "and draw both.",
            {"type": "Select", "value": NO_COMPARISON, "values": [NO_COMPARISON, *choices]}))
        if PUNISHMENT in policies:
            items.append(Control(
                "punishment", "Peer punishment",
                "People may pay to fine colleagues who gave less than their group "
                "(Fehr & Gächter 2002).",
                {"type": "Checkbox", "value": False}))
    items += [
        Control("mpcr", "Return on contributions",
                "What each unit put into a shared pot pays back to every group member (below 1, "
                "giving costs the giver).",
                {"type": "SliderFloat", "value": 0.4, "min": 0.05, "max": 1.0, "step": 0.05}),
        Control("rule", "How people decide",
                "Human-like conditional cooperation, or copying better-paid colleagues "
                "(imitation rules).",
                {"type": "Select", "value": "conditional", "values": list(RULES)}),
    ]
    if placements:
        items.append(Control(
            "campaign_placement", "Campaign team placed at",
            "Where committed campaigners who always give everything sit in the network.",
            {"type": "Select", "value": "random" if "random" in placements
             else next(iter(placements)), "values": list(placements)}))
        items.append(Control(
            "campaign_size", "Campaign team size",
            "How many committed campaigners (0 for none; type a whole number).",
            {"type": "InputText", "value": "0"}))
    items += [
        Control("colour_by", "Colour people by",
                "What the colours in the network show: how much each person gives, or their "
                "network role.",
                {"type": "Select", "value": "contribution", "values": colour_choices()}),
        Control("rounds", "Rounds",
                f"How many rounds Play runs before it stops (1 to {MAX_ROUNDS}).",
                {"type": "InputText", "value": "100"}),
        Control("seed", "Seed",
                "Any whole number: the same seed and settings always give the same run.",
                {"type": "InputText", "value": "1"}),
    ]
    return items


def default_settings() -> dict[str, Any]:
    """Every control's default value."""
    return {c.name: c.spec.get("value") for c in controls()}


# ---------------------------------------------------------------------- parsing
def _whole(label: str, raw: Any, low: int, high: int | None) -> int:
    """A typed whole number in [low, high], or a ConfigError naming the control."""
    allowed = f"a whole number from {low} to {high}" if high is not None else (
        f"a whole number of at least {low}")
    if isinstance(raw, bool):
        raise ConfigError(f"{label} must be {allowed} (got {raw!r})")
    if isinstance(raw, int | np.integer):
        value = int(raw)
    else:
        text = str(raw).strip()
        try:
            value = int(text)
        except ValueError:
            raise ConfigError(f"{label} must be {allowed} (got '{text}')") from None
    if value < low or (high is not None and value > high):
        raise ConfigError(f"{label} must be {allowed} (got {value})")
    return value


def _choice(label: str, raw: Any, allowed: list[str]) -> str:
    if raw not in allowed:
        raise ConfigError(f"{label}: unknown choice '{raw}'; allowed: {', '.join(allowed)}")
    return str(raw)


def combine_policies(policy: str, punishment: bool) -> str:
    """The engine's policy name: ``policy`` plus ``punishment`` when switched on."""
    parts = [p for p in (policy, PUNISHMENT if punishment else None) if p and p != BASELINE]
    return "+".join(dict.fromkeys(parts)) or BASELINE


@dataclass(frozen=True)
class LabSettings:
    """Validated app settings: the engine's settings per policy shown, plus display choices."""

    engine: dict[str, Any]
    policies: list[str]
    seed: int
    colour_by: str


def parse_settings(values: dict[str, Any]) -> LabSettings:
    """Turn the controls' values into engine settings; ConfigError names the bad control."""
    labels = {c.name: c.label for c in controls()}
    v = {**default_settings(), **values}
    people = _whole(labels["people"], v["people"], MIN_PEOPLE, MAX_PEOPLE)
    organisation = _choice(labels["organisation"], v["organisation"], list(ORGANISATIONS))
    # team size matters for silos only; elsewhere it need only be a whole number
    team_size = _whole(labels["team_size"], v["team_size"], 1,
                       people if ORGANISATIONS[organisation] == "silos" else None)
    rounds = _whole(labels["rounds"], v["rounds"], 1, MAX_ROUNDS)
    seed = _whole(labels["seed"], v["seed"], 0, 2**63 - 1)
    colour_by = _choice(labels["colour_by"], v["colour_by"], colour_choices())
    engine: dict[str, Any] = {
        "n": people,
        "network": ORGANISATIONS[organisation],
        "degree": _whole(labels["ties"], v["ties"], 1, people - 1),
        "team_size": team_size,
        "bridging": v["bridging"],
        "mpcr": v["mpcr"],
        "rule": v["rule"],
        "rounds": rounds,
    }
    policies = [BASELINE]
    if "policy" in labels:
        choices = policy_choices()
        chosen = _choice(labels["policy"], v["policy"], choices)
        other = _choice(labels["compare_with"], v["compare_with"], [NO_COMPARISON, *choices])
        punish = bool(v.get("punishment", False))
        policies = [combine_policies(chosen, punish)]
        if other != NO_COMPARISON:
            second = combine_policies(other, punish)
            if second not in policies:
                policies.append(second)
    if "campaign_size" in labels:
        engine["campaign_size"] = _whole(labels["campaign_size"], v["campaign_size"], 0, people)
        engine["campaign_placement"] = v["campaign_placement"]
    return LabSettings(engine=engine, policies=policies, seed=seed, colour_by=colour_by)


# ------------------------------------------------------------------------ model
class PolicyLab(mesa.Model):
    """The browser app's model: one or two public-goods runs on the same network and seed.

    Args:
        **values: the app's controls by name (see :func:`controls`); typed fields may be
            strings. Missing ones take their defaults.

    Attributes:
        problem: a one-line message when the settings do not fit (nothing is played), else None.
        runs: policy name -> its :class:`PublicGoodsModel` (one, or two when comparing).
        settings: the validated :class:`LabSettings` (None when there is a problem).
        layout: the network's fixed drawing positions.
    """

    def __init__(self, **values: Any) -> None:
        self.problem: str | None = None
        self.runs: dict[str, PublicGoodsModel] = {}
        self.settings: LabSettings | None = None
        try:
            settings = parse_settings(values)
        except ConfigError as err:
            super().__init__()
            self._fail(err)
            return
        super().__init__(rng=settings.seed)
        try:
            for policy in settings.policies:
                self.runs[policy] = PublicGoodsModel(
                    rng=settings.seed, collect_agents=False, **settings.engine, policy=policy
                )
        except ConfigError as err:
            self.runs = {}
            self._fail(err)
            return
        self.settings = settings
        first = self.main
        self.layout: Layout = network_layout(first.engine.graph, settings.seed)
        self._roles: np.ndarray | None = None
        self.running = True

    def _fail(self, err: ConfigError) -> None:
        self.problem = f"Settings not applied: {' '.join(str(err).split())}"
        self.running = False

    # -------------------------------------------------------------- playing
    @property
    def main(self) -> PublicGoodsModel:
        """The run under the chosen policy."""
        return next(iter(self.runs.values()))

    @property
    def round(self) -> int:
        """Rounds played so far."""
        return self.main.engine.round if self.runs else 0

    @property
    def comparing(self) -> bool:
        return len(self.runs) > 1

    def step(self) -> None:
        """Play one round in every run (nothing when the settings had a problem).

        Kernels run on one Numba thread here (in this calling thread only): at the app's sizes
        (n <= 2000) starting parallel regions costs far more than it saves, especially on a
        busy machine. Results do not depend on the thread count.
        """
        previous = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            for run in self.runs.values():
                if run.running:
                    run.step()
        finally:
            numba.set_num_threads(previous)
        self.running = any(run.running for run in self.runs.values())

    # ------------------------------------------------------------- results
    def frame(self) -> pd.DataFrame:
        """Per-round metrics of every run: ``policy``, ``round`` and the engine's metrics."""
        frames = []
        for policy, run in self.runs.items():
            f = run.history().to_frame()
            f.insert(0, "policy", policy)
            frames.append(f)
        if not frames:
            return pd.DataFrame(columns=["policy", "round", *METRICS])
        return pd.concat(frames, ignore_index=True)

    def series(self) -> dict[str, pd.DataFrame]:
        """Policy -> its per-round frame (for charts)."""
        return {policy: run.history().to_frame() for policy, run in self.runs.items()}

    def csv(self) -> str:
        """The current run's data as CSV: settings as comment lines, then one row per round."""
        out = io.StringIO()
        if self.settings is not None:
            out.write(f"# seed={self.settings.seed}\n")
            for key, value in self.settings.engine.items():
                out.write(f"# {key}={value}\n")
        self.frame().to_csv(out, index=False)
        return out.getvalue()

    def people_frame(self) -> pd.DataFrame:
        """One row per person and policy: contribution and payoff this round, team, role."""
        frames = []
        for policy, run in self.runs.items():
            engine = run.engine
            data = {"policy": policy, "person": np.arange(engine.n),
                    "contribution": engine.contribution, "payoff": engine.payoff}
            if engine.graph.team is not None:
                data["team"] = engine.graph.team
            data["role"] = self.roles()
            frames.append(pd.DataFrame(data))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # ------------------------------------------------------------- drawing
    def roles(self) -> np.ndarray:
        """Each person's network role (broker, connector, other), computed once."""
        if self._roles is None:
            frame = network_roles(self.main.engine.graph)
            self._roles = frame["role"].astype(str).to_numpy()
        return self._roles

    def colours(self, policy: str) -> np.ndarray:
        """Node colours for ``policy``'s run under the chosen colouring."""
        if self.settings is not None and self.settings.colour_by == "role":
            return role_colours(self.roles())
        engine = self.runs[policy].engine
        return contribution_colours(engine.contribution, engine.config.endowment)

    def campaign_members(self, policy: str) -> np.ndarray:
        """The campaign team's people in ``policy``'s run (empty without a campaign)."""
        members = [np.asarray(h.members) for h in self.runs[policy].engine.hooks
                   if isinstance(h, Campaign)]
        return np.concatenate(members) if members else np.empty(0, dtype=np.int64)
