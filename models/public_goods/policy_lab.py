"""The model behind the browser app: scenarios side by side, in plain-language settings.

:class:`PolicyLab` is a ``mesa.Model`` whose keyword arguments are the app's controls: the
study's (number of people, rounds, replicates, seed) and, in ``scenarios``, one mapping per
scenario (kind of organisation, close colleagues, bridging share, policy, peer punishment,
return, how people decide, contagion, weaving, campaign). It translates them into a
:class:`~models.public_goods.scenarios.Study`, plays every replicate of every scenario (or finds
them played already) for the means and 95% bands, and owns one
:class:`~models.public_goods.PublicGoodsModel` per scenario for the replicate drawn as a network
(replicate 1, which ``step()`` plays round by round: its rounds are those of replicate 1 in the
statistics).

Settings that do not fit (typed out of range, or rejected by the engine's validation) never
raise: the lab keeps one line in :attr:`PolicyLab.problem`, in the page's words (the control's
label, never the command line's option), plays nothing, and the page shows the line.

Policies, rules, contagions and campaign placements come from the engine's registries (name
and summary), so new ones appear in the app by themselves; network roles come from
:func:`sim.ties.roles.network_roles`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mesa
import numba
import numpy as np
import pandas as pd

from sim.config import BY_NAME, ConfigError, SimulationConfig
from sim.graph import CSRGraph
from sim.policies import POLICIES
from sim.policies.organisations import ORGANISATION_POLICIES
from sim.rules import RULES
from sim.ties import CONTAGIONS, PLACEMENTS, Campaign
from sim.ties.roles import network_roles

from .drawing import (
    Layout,
    contribution_colours,
    graph_edges,
    graph_fingerprint,
    network_layout,
    role_colours,
    system_share_colours,
    team_regions,
)
from .model import PublicGoodsModel
from .scenarios import LABELS, Results, Scenario, Study, results_for

TITLE = "Cooperation on networks: a policy lab"
#: kinds of organisation: plain name -> engine network name
ORGANISATIONS = {
    "silos": "silos",
    "small world": "small-world",
    "scale-free": "scale-free",
    "random": "erdos-renyi",
}
#: people the browser app draws at most (the layout and the page get slow beyond)
MIN_PEOPLE, MAX_PEOPLE = 10, 2000
MAX_ROUNDS = 1000
MAX_REPLICATES = 100
MAX_SEED = 999_999_999
PUNISHMENT = "punishment"
BASELINE = "baseline"
#: every scenario plays this cost: one endowment per person per round, spread over the
#: person's games (Santos, Santos & Pacheco 2008, Nature 454:213; as `cascade experiment
#: policies` does), so contributions and welfare are in MU per person per round
COST = "per-individual"
#: what MU means, shown wherever money appears
MU = "MU: the game's money units; everyone receives an endowment of {e:g} MU each round"


class LabError(ConfigError):
    """Settings that do not fit, with a message in the page's words."""


# -------------------------------------------------------------------- registries
def policy_registry() -> dict[str, str]:
    """Registered policies (name -> plain-language summary)."""
    return POLICIES.summaries()


def placement_registry() -> dict[str, str]:
    """Campaign placements (name -> summary)."""
    return PLACEMENTS.summaries()


def rule_registry() -> dict[str, str]:
    """Update rules (name -> summary)."""
    return RULES.summaries()


def contagion_registry() -> dict[str, str]:
    return CONTAGIONS.summaries()


def organisation_policy_registry() -> dict[str, str]:
    """Policies between organisations (two-level game; name -> summary)."""
    return ORGANISATION_POLICIES.summaries()


def policy_choices() -> list[str]:
    """Policies a user may pick alone (punishment is its own switch when it is registered)."""
    names = list(policy_registry())
    if not names:
        return [BASELINE]
    return [name for name in names if name != PUNISHMENT or len(names) == 1]


COLOUR_CHOICES = ("contribution", "role")
#: the colouring offered once a scenario plays the two-level game
SYSTEM_SHARE = "system share"
#: who shares the system's pool: plain name -> engine name
SYSTEM_POOLS = {"contacts in other organisations": "contacts", "everyone": "everyone"}
#: the organisations view's comparison: scenario A's and B's policy between organisations
ORGANISATIONS_PAIR = ("league-table", "system-reward")
#: the system's return the organisations view starts from when it was off
ORGANISATIONS_SYSTEM_RETURN = 0.4


def plays_two_levels(scenario: Mapping[str, Any]) -> bool:
    """Whether a scenario's values turn the two-level game on (a system return above 0)."""
    try:
        return float(scenario.get("mpcr_system", 0.0)) > 0.0
    except (TypeError, ValueError):
        return True  # a typed value that is not a number: checked (and refused) when parsed


# --------------------------------------------------------------------- controls
@dataclass(frozen=True)
class Control:
    """One control of the app.

    Attributes:
        name: the keyword of :class:`PolicyLab` (or of a scenario's mapping).
        label: what the page calls it.
        explanation: one line for the guide and the control's hint.
        kind: ``select``, ``slider``, ``number`` (a typed whole number) or ``checkbox``.
        default: the value before the user changes it.
        scope: ``study`` (shared by the scenarios) or ``scenario``.
        choices: for ``select``.
        low, high, step: for ``slider`` and ``number`` (``high`` None: no upper limit here).
        field: the engine setting it decides, if one (to put engine messages in page words).
        short: how a scenario's value is named in a sentence (``{}`` is the value).
        only_for: the kinds of organisation it applies to (empty: all).
        levels: True: only in the two-level game; False: only in the one-level game; None:
            in both.
    """

    name: str
    label: str
    explanation: str
    kind: str
    default: Any
    scope: str = "scenario"
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None
    field: str | None = None
    short: str = "{}"
    only_for: tuple[str, ...] = ()
    levels: bool | None = None

    def display(self, value: Any) -> str:
        """The value as the page prints it beside the control."""
        if self.kind == "checkbox":
            return "on" if value else "off"
        if self.kind == "slider" and isinstance(self.step, float):
            digits = max(0, -int(np.floor(np.log10(self.step))))
            return f"{float(value):.{digits}f}"
        return str(value)

    def named(self, value: Any) -> str:
        """The value in a scenario's name (e.g. "bridging 0.10")."""
        if self.kind == "checkbox":
            return self.short.format("with" if value else "without")
        return self.short.format(self.display(value))

    def applies(self, scenario: Mapping[str, Any]) -> bool:
        """Whether the control matters for a scenario with these values."""
        if self.levels is not None and plays_two_levels(scenario) != self.levels:
            return False
        return not self.only_for or scenario.get("organisation") in self.only_for

    def mesa_param(self) -> dict[str, Any]:
        """The entry for SolaraViz's ``model_params`` (Mesa's input types)."""
        spec: dict[str, Any] = {"label": self.label, "value": self.default}
        if self.kind == "select":
            spec.update(type="Select", values=list(self.choices))
        elif self.kind == "slider":
            kind = "SliderFloat" if isinstance(self.step, float) else "SliderInt"
            spec.update(type=kind, min=self.low, max=self.high, step=self.step)
        elif self.kind == "checkbox":
            spec.update(type="Checkbox")
        else:
            spec.update(type="InputText", value=str(self.default))
        return spec


def _default(name: str) -> Any:
    return BY_NAME[name].default


def study_controls() -> list[Control]:
    """The settings every scenario shares: the world's size, the rounds, the replicates."""
    return [
        Control("people", "Number of people",
                f"How many people the organisation has ({MIN_PEOPLE} to {MAX_PEOPLE}).",
                "number", 500, "study", low=MIN_PEOPLE, high=MAX_PEOPLE, field="n"),
        Control("rounds", "Rounds",
                f"Rounds each replicate plays, and Play shows (1 to {MAX_ROUNDS}).",
                "number", 100, "study", low=1, high=MAX_ROUNDS, field="rounds"),
        Control("replicates", "Replicates",
                f"Independent worlds played per scenario for the mean and its 95% band (1 to "
                f"{MAX_REPLICATES}; 20 or more to tell a difference from luck).",
                "number", 20, "study", low=1, high=MAX_REPLICATES),
        Control("seed", "Seed",
                f"Any whole number from 0 to {MAX_SEED:,}: the same seed and settings always "
                "give the same results; replicate k of every scenario shares one seed.",
                "number", 1, "study", low=0, high=MAX_SEED),
    ]


def scenario_controls() -> list[Control]:
    """The settings a scenario may change, built from the registries installed now."""
    policies = policy_registry()
    rules = rule_registry()
    placements = placement_registry()
    contagions = contagion_registry()
    items = [
        Control("organisation", "Kind of organisation",
                "How people are tied: teams with a few bridges (silos), neighbours plus "
                "shortcuts (small world), a few hubs (scale-free), or at random.",
                "select", "silos", choices=tuple(ORGANISATIONS), field="network"),
        Control("ties", "Close colleagues per person",
                "How many people each person works with directly (and plays with each round).",
                "slider", 6, low=2, high=12, step=2, field="degree",
                short="{} close colleagues"),
        Control("team_size", "Team size",
                "People per team (silos only; at most the number of people).",
                "number", 20, low=2, high=None, field="team_size", short="teams of {}",
                only_for=("silos",)),
        Control("bridging", "Bridging share",
                "Share of each person's ties that reach outside their own team (silos only; 0 "
                "closed silos, 1 no silos).",
                "slider", 0.1, low=0.0, high=1.0, step=0.05, field="bridging",
                short="bridging {}", only_for=("silos",)),
    ]
    if policies:
        choices = policy_choices()
        items.append(Control(
            "policy", "Policy",
            "The incentive scheme everyone works under (see 'Policies' in the guide).",
            "select", BASELINE if BASELINE in choices else choices[0], choices=tuple(choices),
            field="policy"))
        if PUNISHMENT in policies:
            items.append(Control(
                "punishment", "Peer punishment",
                "People may pay to fine colleagues who gave less than their group "
                "(Fehr & Gächter 2002).", "checkbox", False, field="policy",
                short="{} punishment"))
    items += [
        Control("mpcr", "Return on contributions",
                "What each MU put into a shared pot pays back to every member of that game "
                "(below 1, giving costs the giver).",
                "slider", 0.4, low=0.05, high=1.0, step=0.05, field="mpcr", short="return {}",
                levels=False),
        Control("mpcr_system", "Return of the system's pool",
                "Organisations (the teams of silos): above 0, people split what they give "
                "between their organisation's pool and the system's pool, shared across "
                "organisations; each MU in it pays this back to everyone who shares it. 0: "
                "one pool per game, as above.",
                "slider", 0.0, low=0.0, high=1.0, step=0.05, field="mpcr_system",
                short="system return {}"),
        Control("mpcr_local", "Return of the organisation's pool",
                "What each MU put into one's organisation's pool pays back to every member "
                "of the organisation (0: that level off).",
                "slider", _default("mpcr_local") or 0.4, low=0.0, high=1.0, step=0.05,
                field="mpcr_local", short="organisation return {}", levels=True),
        Control("system_pool", "Who shares the system's pool",
                "One's contacts in other organisations, or everyone in the system.",
                "select", next(k for k, v in SYSTEM_POOLS.items()
                               if v == _default("system_pool")),
                choices=tuple(SYSTEM_POOLS), field="system_pool", short="system pool: {}",
                levels=True),
        Control("rule", "How people decide",
                "Calibrated human-like people, or people who copy better-paid colleagues "
                "(see 'How people decide' in the guide).",
                "select", _default("rule"), choices=tuple(rules), field="rule"),
    ]
    organisation_policies = organisation_policy_registry()
    if organisation_policies:
        items.append(Control(
            "organisation_policy", "Policy between organisations",
            "How the policy budget is paid between organisations (see 'Policies between "
            "organisations' in the guide); not with a policy that spends the budget itself.",
            "select", "none" if "none" in organisation_policies
            else next(iter(organisation_policies)), choices=tuple(organisation_policies),
            field="organisation_policy", levels=True))
    if contagions:
        items.append(Control(
            "contagion", "Spread of behaviour",
            "Simple: people respond to what their contacts give; complex: only once enough "
            "contacts cooperate (Centola & Macy 2007; for the human-like ways of deciding).",
            "select", _default("contagion"), choices=tuple(contagions), field="contagion",
            short="{} contagion"))
    items.append(Control(
        "weaving", "New ties each round",
        "Share of people who make one new tie to someone at random each round "
        "('randomised coffee trials').",
        "slider", 0.0, low=0.0, high=0.2, step=0.01, field="weaving", short="weaving {}"))
    if placements:
        items.append(Control(
            "campaign_size", "Campaign team size",
            "How many committed campaigners always give everything (0 for none).",
            "number", 0, low=0, high=None, field="campaign_size", short="campaign of {}"))
        items.append(Control(
            "campaign_placement", "Campaign team placed at",
            "Where the campaigners sit in the network (see 'Campaign placements').",
            "select", "random" if "random" in placements else next(iter(placements)),
            choices=tuple(placements), field="campaign_placement", short="campaign at {}"))
    return items


def controls() -> list[Control]:
    """Every control: the study's, then a scenario's."""
    return study_controls() + scenario_controls()


def study_defaults() -> dict[str, Any]:
    return {c.name: c.default for c in study_controls()}


def scenario_defaults() -> dict[str, Any]:
    return {c.name: c.default for c in scenario_controls()}


def default_scenarios() -> list[dict[str, Any]]:
    """The two scenarios the page opens with: competition against cooperation."""
    base = scenario_defaults()
    choices = policy_choices()
    pair = [p for p in ("competition", "cooperation") if p in choices]
    if len(pair) < 2:
        pair = (choices * 2)[:2]
    return [{**base, "policy": policy} for policy in pair] if "policy" in base else [base, base]


def organisations_scenarios(scenario: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The organisations view's comparison: league table against system reward, both in the
    two-level game on the same world (``scenario``'s, in silos, without other policy or new
    ties), so that replicate k of both plays the same people with the same seed."""
    base = {**scenario_defaults(), **(scenario or {})}
    base.update(organisation="silos", weaving=0.0)
    if "policy" in base:
        base["policy"] = BASELINE if BASELINE in policy_choices() else base["policy"]
    base.pop("punishment", None)
    if "punishment" in scenario_defaults():
        base["punishment"] = False
    if not plays_two_levels(base):
        base["mpcr_system"] = ORGANISATIONS_SYSTEM_RETURN
    pair = [p for p in ORGANISATIONS_PAIR if p in organisation_policy_registry()]
    return [{**base, "organisation_policy": p} for p in pair] or [base]


def default_settings() -> dict[str, Any]:
    """Every control's default value, with the opening scenarios."""
    return {**study_defaults(), "scenarios": default_scenarios()}


# ---------------------------------------------------------------------- parsing
def _whole(label: str, raw: Any, low: int, high: int | None) -> int:
    """A typed whole number in [low, high], or a LabError naming the control."""
    allowed = (f"a whole number from {low:,} to {high:,}" if high is not None
               else f"a whole number of at least {low:,}")
    if isinstance(raw, bool):
        raise LabError(f"{label} must be {allowed} (got {raw!r})")
    if isinstance(raw, int | np.integer):
        value = int(raw)
    elif isinstance(raw, float) and float(raw).is_integer():
        value = int(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("_", "")
        try:
            value = int(text)
        except ValueError:
            raise LabError(f"{label} must be {allowed} (got '{str(raw).strip()}')") from None
    if value < low or (high is not None and value > high):
        raise LabError(f"{label} must be {allowed} (got {value:,})")
    return value


def _number(label: str, raw: Any, low: float, high: float) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise LabError(f"{label} must be a number from {low:g} to {high:g} (got '{raw}')") from None
    if not low <= value <= high:
        raise LabError(f"{label} must be a number from {low:g} to {high:g} (got {value:g})")
    return value


def _choice(label: str, raw: Any, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise LabError(f"{label}: '{raw}' is not one of the choices ({', '.join(allowed)})")
    return str(raw)


def combine_policies(policy: str, punishment: bool) -> str:
    """The engine's policy name: ``policy`` plus ``punishment`` when switched on."""
    parts = [p for p in (policy, PUNISHMENT if punishment else None) if p and p != BASELINE]
    return "+".join(dict.fromkeys(parts)) or BASELINE


def in_page_words(message: str) -> str:
    """An engine message with each command-line option replaced by the control's label, in
    quotes."""
    labels: dict[str, str] = {}
    for control in controls():
        if control.field and control.field not in labels:
            labels[control.field] = control.label
    labels.setdefault("n", "Number of people")

    def option(match: re.Match) -> str:
        name = match.group(1).replace("-", "_")
        return f'"{labels[name]}"' if name in labels else match.group(0)

    text = re.sub(r"--([a-z][a-z-]*)", option, " ".join(message.split()))
    return re.sub(r"\bn=(\d+)", r"the number of people (\1)", text)


@dataclass(frozen=True)
class Parsed:
    """Validated settings: the study, and the normalised values the page compares with."""

    study: Study
    values: dict[str, Any]


def parse_settings(values: Mapping[str, Any]) -> Parsed:
    """Turn the controls' values into a study; LabError names the scenario and the control."""
    by_name = {c.name: c for c in controls()}
    v = {**study_defaults(), **{k: x for k, x in values.items() if k != "scenarios"}}
    unknown = sorted(set(v) - set(study_defaults()))
    if unknown:
        raise LabError(f"unknown setting '{unknown[0]}'")
    study: dict[str, Any] = {}
    for c in study_controls():
        study[c.name] = _whole(c.label, v[c.name], int(c.low), int(c.high))
    raw_scenarios = values.get("scenarios")
    if raw_scenarios is None:
        raw_scenarios = default_scenarios()
    if not 1 <= len(raw_scenarios) <= len(LABELS):
        raise LabError(f"from 1 to {len(LABELS)} scenarios (got {len(raw_scenarios)})")
    scenarios, normalised = [], []
    for label, raw in zip(LABELS, raw_scenarios, strict=False):
        try:
            settings, engine = _parse_scenario(raw, study, by_name)
            config = SimulationConfig.from_dict(engine)
        except LabError as err:
            raise LabError(f"Scenario {label}: {err}") from None
        except ConfigError as err:
            raise LabError(f"Scenario {label}: {in_page_words(str(err))}") from None
        scenarios.append(Scenario(label, config))
        normalised.append(settings)
    parsed_study = Study(tuple(scenarios), study["replicates"], study["seed"])
    return Parsed(parsed_study, {**study, "scenarios": normalised})


def _parse_scenario(raw: Mapping[str, Any], study: dict[str, Any],
                    by_name: dict[str, Control]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A scenario's normalised values and its engine settings (page-word errors)."""
    defaults = scenario_defaults()
    unknown = sorted(set(raw) - set(defaults))
    if unknown:
        raise LabError(f"unknown setting '{unknown[0]}'")
    v = {**defaults, **raw}
    people = study["people"]
    s: dict[str, Any] = {}
    for name, control in by_name.items():
        if control.scope != "scenario":
            continue
        raw_value = v[name]
        if not control.applies(v):  # e.g. team size away from silos: kept, not checked
            s[name] = raw_value
            continue
        if control.kind == "select":
            s[name] = _choice(control.label, raw_value, control.choices)
        elif control.kind == "checkbox":
            s[name] = bool(raw_value)
        elif control.kind == "slider" and isinstance(control.step, float):
            s[name] = round(_number(control.label, raw_value, control.low, control.high), 6)
        else:
            high = control.high
            if name in ("team_size", "campaign_size"):
                high = people
            s[name] = _whole(control.label, raw_value, int(control.low), high)
    network = ORGANISATIONS[s["organisation"]]
    ties_label = by_name["ties"].label
    if s["ties"] >= people:
        raise LabError(f"{ties_label} must be fewer than the number of people ({people}); "
                       f"got {s['ties']}")
    if network == "silos":
        inside = s["ties"] * (1.0 - s["bridging"])
        if inside > s["team_size"] - 1 + 1e-9:
            raise LabError(
                f"{by_name['team_size'].label} {s['team_size']} is too small: with "
                f"{s['ties']} close colleagues per person and bridging share "
                f"{s['bridging']:.2f}, about {inside:.1f} of each person's colleagues are in "
                "their own team, so a team needs more members than that; raise Team size or "
                f"Bridging share, or lower {ties_label}")
    engine: dict[str, Any] = {
        "n": people,
        "rounds": study["rounds"],
        "cost": COST,
        "network": network,
        "degree": s["ties"],
        "rule": s["rule"],
        "weaving": s["weaving"],
    }
    if plays_two_levels(s):
        engine.update(mpcr_system=s["mpcr_system"], mpcr_local=s["mpcr_local"],
                      system_pool=SYSTEM_POOLS[s["system_pool"]])
        if "organisation_policy" in s:
            engine["organisation_policy"] = s["organisation_policy"]
    else:
        engine["mpcr"] = s["mpcr"]
    if network == "silos":
        engine.update(team_size=s["team_size"], bridging=s["bridging"])
    if "policy" in s:
        engine["policy"] = combine_policies(s["policy"], s.get("punishment", False))
    if "contagion" in s:
        engine["contagion"] = s["contagion"]
    if "campaign_size" in s:
        engine.update(campaign_size=s["campaign_size"],
                      campaign_placement=s["campaign_placement"])
    return s, engine


def scenario_names(values: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Each scenario's name for sentences ("B (cooperation)") and the labels of the
    controls that differ between the scenarios."""
    scenarios = values["scenarios"]
    items = [c for c in scenario_controls()
             if len({repr(s[c.name]) for s in scenarios if c.applies(s)}) > 1
             or (len({c.applies(s) for s in scenarios}) > 1)]
    names = {}
    for label, s in zip(LABELS, scenarios, strict=False):
        parts = [c.named(s[c.name]) for c in items if c.applies(s)]
        names[label] = f"{label} ({', '.join(parts)})" if parts else label
    return names, [c.label for c in items]


# ------------------------------------------------------------------------ model
class PolicyLab(mesa.Model):
    """The browser app's model: scenarios over replicates, one replicate drawn per scenario.

    Args:
        scenarios: one mapping of scenario controls per scenario (at most four; missing
            controls take their defaults; None: competition against cooperation).
        progress: called with (runs done, runs in all) while the replicates play.
        cancelled: asked before each replicate; True stops with ``Cancelled``.
        **values: the study's controls (people, rounds, replicates, seed); typed fields may
            be strings.

    Attributes:
        problem: one line in the page's words when the settings do not fit (nothing is
            played), else None.
        values: the normalised settings (None when there is a problem).
        study, results: the :class:`Study` and its :class:`Results` (every replicate).
        names: scenario label -> its name in sentences, e.g. "B (cooperation)".
        differs: the labels of the controls that differ between the scenarios.
        runs: scenario label -> the :class:`PublicGoodsModel` of replicate 1, played by
            :meth:`step`.
    """

    def __init__(self, scenarios: list[Mapping[str, Any]] | None = None, *,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, **values: Any) -> None:
        self.problem: str | None = None
        self.values: dict[str, Any] | None = None
        self.runs: dict[str, PublicGoodsModel] = {}
        self.names: dict[str, str] = {}
        self.differs: list[str] = []
        self._roles: dict[str, np.ndarray] = {}
        self._layouts: dict[str, Layout] = {}
        self._start_graphs: dict[str, CSRGraph] = {}
        self.requested: dict[str, Any] = {
            **study_defaults(), **values,
            "scenarios": [dict(x) for x in (scenarios or default_scenarios())]}
        try:
            parsed = parse_settings({**values, "scenarios": scenarios})
        except ConfigError as err:
            super().__init__()
            self._fail(err)
            return
        super().__init__(rng=parsed.study.seed)
        self.study: Study = parsed.study
        self.results: Results = results_for(parsed.study, progress, cancelled)
        seed = self.study.replicate_seed(0)
        for scenario in self.study.scenarios:
            run = PublicGoodsModel(rng=seed, config=scenario.config, collect_agents=False)
            self.runs[scenario.label] = run
            self._start_graphs[scenario.label] = run.engine.graph
            self._layouts[scenario.label] = network_layout(run.engine.graph, self.study.seed)
        self.values = parsed.values
        self.names, self.differs = scenario_names(parsed.values)
        self.running = True

    def _fail(self, err: ConfigError) -> None:
        self.problem = f"Settings not applied: {' '.join(str(err).split())}"
        self.running = False

    # -------------------------------------------------------------- playing
    @property
    def labels(self) -> list[str]:
        return list(self.runs)

    @property
    def round(self) -> int:
        """Rounds the drawn replicate has played so far."""
        return next(iter(self.runs.values())).engine.round if self.runs else 0

    @property
    def rounds(self) -> int:
        return self.values["rounds"] if self.values else 0

    @property
    def finished(self) -> bool:
        return bool(self.runs) and self.round >= self.rounds

    @property
    def endowment(self) -> float:
        return float(self.study.scenarios[0].config.endowment) if self.runs else 20.0

    def step(self) -> None:
        """Play one round of the drawn replicate in every scenario (nothing after the last
        round, or when the settings had a problem).

        Kernels run on one Numba thread here (in this calling thread only): at the app's sizes
        starting parallel regions costs more than it saves. Results do not depend on it.
        """
        if self.finished or not self.runs:
            self.running = False
            return
        previous = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            for run in self.runs.values():
                run.step()
        finally:
            numba.set_num_threads(previous)
        self.running = not self.finished

    # ------------------------------------------------------------- results
    def drawn_frame(self) -> pd.DataFrame:
        """Per-round metrics of the drawn replicate so far: ``scenario``, ``round``, metrics."""
        frames = []
        for label, run in self.runs.items():
            f = run.history().to_frame()
            f.insert(0, "scenario", label)
            frames.append(f)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def drawn_series(self, metric: str) -> dict[str, np.ndarray]:
        """Scenario label -> the drawn replicate's ``metric`` over the rounds played so far."""
        return {label: np.asarray(getattr(run.history(), metric))
                for label, run in self.runs.items()}

    def settings_lines(self) -> list[str]:
        """The applied settings, one line each, for the header of every download."""
        if self.values is None:
            return []
        study = study_controls()
        lines = [TITLE,
                 "; ".join(f"{c.label}: {c.display(self.values[c.name])}" for c in study),
                 MU.format(e=self.endowment)]
        for label, s in zip(self.labels, self.values["scenarios"], strict=True):
            shown = [f"{c.label}: {c.display(s[c.name])}" for c in scenario_controls()
                     if c.applies(s)]
            lines.append(f"Scenario {label}: " + "; ".join(shown))
        lines.append(f"Replicate 1 (drawn as the network) seed: {self.study.replicate_seed(0)}; "
                     "replicate k of every scenario shares one seed")
        return lines

    def _csv(self, frame: pd.DataFrame) -> str:
        header = "".join(f"# {line}\n" for line in self.settings_lines())
        return header + frame.to_csv(index=False)

    def summary_csv(self) -> str:
        """Per scenario and round: means and 95% bands over replicates (settings first)."""
        return self._csv(self.results.summary_frame() if self.runs else pd.DataFrame())

    def replicates_csv(self) -> str:
        """Every replicate's every round (settings first)."""
        return self._csv(self.results.replicate_frame() if self.runs else pd.DataFrame())

    def people_csv(self) -> str:
        """One row per person and scenario in the drawn replicate now (settings first)."""
        return self._csv(self.people_frame())

    def people_frame(self) -> pd.DataFrame:
        """Contribution and payoff this round, team and network role of every person."""
        frames = []
        for label, run in self.runs.items():
            engine = run.engine
            data: dict[str, Any] = {"scenario": label, "round": engine.round,
                                    "person": np.arange(engine.n),
                                    "contribution": engine.contribution,
                                    "payoff": engine.payoff}
            if engine.graph.team is not None:
                data["team"] = engine.graph.team
            if engine.two_level:
                data.update(to_organisation=engine.local_given, to_system=engine.system_given,
                            system_share=engine.system_share)
            data["role"] = self.roles(label)
            data["campaign"] = np.isin(np.arange(engine.n), self.campaign_members(label))
            frames.append(pd.DataFrame(data))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # ------------------------------------------------------------- drawing
    def graph(self, label: str) -> CSRGraph:
        return self.runs[label].engine.graph

    def layout(self, label: str) -> Layout:
        """The scenario's drawing positions, fixed at the start (shared by scenarios on the
        same network; woven ties do not move anyone)."""
        return self._layouts[label]

    def edges(self, label: str) -> np.ndarray:
        """The scenario's ties now (new ones appear when people weave ties)."""
        return graph_edges(self.graph(label))

    def same_network(self) -> bool:
        """Whether every scenario's drawn replicate plays on the same network."""
        prints = {graph_fingerprint(self.graph(label)) for label in self.runs}
        return len(prints) == 1

    def roles(self, label: str) -> np.ndarray:
        """Each person's network role (broker, connector, other) on the network as it was at
        the start, computed once per network."""
        graph = self._start_graphs[label]
        key = graph_fingerprint(graph)
        if key not in self._roles:
            self._roles[key] = network_roles(graph)["role"].astype(str).to_numpy()
        return self._roles[key]

    def colours(self, label: str, colour_by: str = "contribution") -> np.ndarray:
        """Node colours for a scenario's drawn replicate (by system share only in the
        two-level game; a one-level scenario is then coloured by contribution)."""
        if colour_by == "role":
            return role_colours(self.roles(label))
        engine = self.runs[label].engine
        if colour_by == SYSTEM_SHARE and engine.two_level:
            return system_share_colours(engine.system_share)
        return contribution_colours(engine.contribution, engine.config.endowment)

    # ------------------------------------------------------------ organisations
    def two_level(self, label: str) -> bool:
        """Whether a scenario plays the two-level game (organisations and the system)."""
        return bool(self.runs[label].engine.two_level)

    @property
    def two_level_labels(self) -> list[str]:
        """The scenarios that play the two-level game, in order."""
        return [label for label in self.runs if self.two_level(label)]

    def drawn_levels(self, label: str) -> dict[str, np.ndarray]:
        """The drawn replicate's giving to the organisation (``local_given``) and to the
        system (``system_given``) over the rounds played so far, MU per person."""
        levels = self.runs[label].engine.levels()
        return {"local_given": levels["local"], "system_given": levels["system"]}

    def regions(self, label: str) -> np.ndarray | None:
        """Each organisation's box in the drawing, (x0, y0, x1, y1) per team, in the
        two-level game (None otherwise)."""
        engine = self.runs[label].engine
        if not engine.two_level or engine.graph.team is None:
            return None
        return team_regions(self.layout(label), engine.graph.team)

    def campaign_members(self, label: str) -> np.ndarray:
        """The campaign team's people in a scenario (empty without a campaign)."""
        members = [np.asarray(h.members) for h in self.runs[label].engine.hooks
                   if isinstance(h, Campaign)]
        return np.concatenate(members) if members else np.empty(0, dtype=np.int64)


def changed_labels(draft: Mapping[str, Any], applied: Mapping[str, Any] | None) -> list[str]:
    """Page labels of the settings in ``draft`` that differ from ``applied``."""
    if applied is None:
        return ["settings"]
    draft, applied = {**study_defaults(), **draft}, {**study_defaults(), **applied}
    out = [c.label for c in study_controls()
           if str(draft.get(c.name)).strip() != str(applied.get(c.name)).strip()]
    base = scenario_defaults()
    mine = [{**base, **x} for x in draft.get("scenarios", [])]
    theirs = [{**base, **x} for x in applied.get("scenarios", [])]
    for k, label in enumerate(LABELS[:max(len(mine), len(theirs))]):
        if k >= len(mine):
            out.append(f"Scenario {label} removed")
            continue
        if k >= len(theirs):
            out.append(f"Scenario {label} added")
            continue
        out += [f"Scenario {label} · {c.label}" for c in scenario_controls()
                if c.applies(mine[k]) and str(mine[k][c.name]).strip()
                != str(theirs[k][c.name]).strip()]
    return out
