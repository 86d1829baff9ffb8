"""The browser app for policy teams: scenarios side by side, over replicates, in plain words.

Run it with ``cascade viz`` (loopback, port 8765) or ``solara run models/public_goods/app.py``.
It is a Mesa ``SolaraViz`` page over :class:`~models.public_goods.policy_lab.PolicyLab`:

- the sidebar holds Play / Step / Reset with the play speed and the run's state (playing,
  finished), then the settings: those every scenario shares (people, rounds, replicates, seed)
  and each scenario's own (A, B, and up to four: organisation, bridging, policy, punishment,
  return, how people decide, contagion, weaving, campaign). Every slider shows its value. A
  changed setting is marked as pending until **Apply** plays the replicates again;
- the main area draws replicate 1 of each scenario as a network (the same network and people
  when the scenarios share their organisation), charts each scenario's mean contribution and
  welfare over rounds with a 95% band over the replicates, and says under the charts, in one
  sentence, which scenario gives more cooperation and welfare, by how much, and whether the
  intervals separate; the summary, every replicate and every person can be downloaded (CSV,
  settings first), and the charts and networks as PNG (legend and settings included);
- settings that do not fit give one line in the page's words; the last results stay shown.

Mesa 3.5's SolaraViz builds its sidebar and main area from module-level parts (the controller,
the parameter inputs, the step counter, the tabbed grid of components) and offers no argument
to replace them; :func:`install_parts` gives it this app's versions, which draw Mesa's own for
any other model. Mesa's play-timing inputs (render interval, threads) are hidden: the app plays
one round per redraw on one thread.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab
from mesa.visualization import SolaraViz, solara_viz
from mesa.visualization.utils import force_update, update_counter

from models.public_goods.downloads import DownloadButton
from models.public_goods.drawing import (
    LEVEL_COLOURS,
    SCENARIO_COLOURS,
    ChartSpec,
    chart_svg,
    charts_figure,
    contribution_legend,
    network_figure,
    network_svg,
    role_legend,
    system_share_legend,
    to_png,
)
from models.public_goods.policy_lab import (
    COLOUR_CHOICES,
    MU,
    SYSTEM_SHARE,
    TITLE,
    Control,
    PolicyLab,
    changed_labels,
    default_settings,
    organisation_policy_registry,
    organisations_scenarios,
    placement_registry,
    policy_registry,
    rule_registry,
    scenario_controls,
    scenario_defaults,
    scenario_names,
    study_controls,
)
from models.public_goods.scenarios import COMPARED, LABELS, LEVELS, Cancelled

#: milliseconds between rounds while playing, at first
PLAY_MS = 150
CSS = """
/* Mesa's play-timing inputs (play and render interval, threads): this app has its own speed */
.v-navigation-drawer .v-card:first-child > .v-card__text > .v-input { display: none; }
.cascade-main { width: 100%; }
.cascade-networks { display: grid; gap: 12px;
  grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); }
.cascade-network-card { min-width: 0; }
.cascade-network { max-width: 420px; }
.cascade-caption { font-weight: 600; display: flex; align-items: center; gap: 6px; }
.cascade-swatch { display: inline-block; width: 22px; height: 4px; border-radius: 2px; }
.cascade-charts { display: grid; gap: 16px;
  grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); }
.cascade-chart { max-width: 640px; }
.cascade-legend { font-size: 14px; display: flex; flex-wrap: wrap; gap: 4px 18px;
  align-items: center; }
.cascade-dot { display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  border: 1px solid #777; margin-right: 4px; vertical-align: middle; }
.cascade-verdict { font-size: 16px; line-height: 1.5; padding: 12px 16px; border-radius: 6px;
  border-left: 5px solid #0072B2; background: rgba(0, 114, 178, 0.08); }
.cascade-table { border-collapse: collapse; font-size: 14px; margin-top: 8px; }
.cascade-table th, .cascade-table td { padding: 4px 10px; text-align: right;
  border-bottom: 1px solid rgba(127, 127, 127, 0.3); }
.cascade-table th:first-child, .cascade-table td:first-child { text-align: left; }
.cascade-status { font-weight: 600; }
.cascade-status[data-state="finished"] { color: #2e7d32; }
.theme--dark .cascade-status[data-state="finished"] { color: #81c784; }
.cascade-pending { border-left: 4px solid #fb8c00; padding-left: 8px; }
.cascade-pending-note { color: #e65100; font-size: 12px; }
.theme--dark .cascade-pending-note { color: #ffb74d; }
.cascade-apply { position: sticky; top: 0; z-index: 3; padding: 8px; border-radius: 6px;
  background-color: #fff; box-shadow: 0 2px 4px rgba(0, 0, 0, 0.15);
  background-image: linear-gradient(rgba(127, 127, 127, 0.08), rgba(127, 127, 127, 0.08)); }
.theme--dark .cascade-apply { background-color: #1e1e1e; }
.cascade-apply-pending {
  background-image: linear-gradient(rgba(251, 140, 0, 0.18), rgba(251, 140, 0, 0.18)); }
.cascade-slider-row { display: flex; align-items: center; gap: 8px; }
.cascade-slider-row .v-input { flex: 1 1 auto; }
/* the label is printed above the slider; Vuetify's copy names the thumb for screen readers */
.cascade-slider-row .v-input__slot > .v-label { display: none; }
.cascade-value { min-width: 3.5em; text-align: right; font-variant-numeric: tabular-nums;
  font-weight: 600; }
.cascade-section { font-weight: 600; margin-top: 8px; }
.cascade-stale { opacity: 0.45; }
.cascade-hint { font-size: 13px; opacity: 0.8; }
"""


# ----------------------------------------------------------------- session state
# Solara keeps a module-level reactive variable per browser session (per kernel), so two
# sessions never see each other's settings, speed or progress.
#: the settings being edited (they wait for Apply)
draft = solara.reactive(default_settings())
#: the index of the scenario being edited
editing = solara.reactive(0)
#: what the networks' colours show
colour_by = solara.reactive("contribution")
#: milliseconds between rounds while playing
speed = solara.reactive(PLAY_MS)
playing = solara.reactive(False)
#: None, or (runs done, runs in all) while the replicates of applied settings play
busy = solara.reactive(None)
#: the message about settings that did not fit (the last results stay shown)
problem = solara.reactive(None)
#: settings waiting to be played: (serial number, values), or None
request = solara.reactive(None)


def apply(values: dict[str, Any]) -> None:
    """Play the replicates of ``values`` in the background; the page shows the progress."""
    playing.set(False)
    busy.set((0, 1))
    serial = request.value[0] + 1 if request.value else 1
    request.set((serial, dict(values)))


def model_params() -> dict:
    """SolaraViz's ``model_params``: the shared settings as Mesa inputs, and the scenarios."""
    params: dict[str, Any] = {c.name: c.mesa_param() for c in study_controls()}
    params["scenarios"] = default_settings()["scenarios"]
    return params


# --------------------------------------------------------- SolaraViz's parts, replaced
@solara.component
def LabComponentsView(components, model):
    """The main area: the app's views one under the other (Mesa's: tabs of a draggable grid)."""
    if not isinstance(model, PolicyLab):
        return _mesa_part("ComponentsView")(components, model)
    with solara.Column(classes=["cascade-main"], gap="20px"):
        for item in components:
            view = item[0] if isinstance(item, tuple) else item
            LiveView(view, model)


@solara.component
def LiveView(view, model):
    """One view; redrawn every round when it is marked ``live``."""
    if getattr(view, "live", False):
        update_counter.get()
    view(model)


@solara.component
def LabRunControls(model, *, renderer=None, model_parameters=None, play_interval=100,
                   render_interval=1, use_threads=False):
    """Play / Pause, Step, Reset, the play speed and the run's state (Mesa's controller for
    other models)."""
    if isinstance(model.value, PolicyLab):
        return RunControls(model)
    return _mesa_part("ModelController")(
        model, renderer=renderer, model_parameters=model_parameters,
        play_interval=play_interval, render_interval=render_interval, use_threads=use_threads)


@solara.component
def RunControls(model):
    """Play / Pause, Step, Reset, the play speed and the run's state."""
    lab = model.value
    update_counter.get()
    loop_id = solara.use_ref(0)
    is_playing = playing.value
    can_run = lab.problem is None and not lab.finished and busy.value is None

    def play_loop():
        loop_id.current += 1
        mine = loop_id.current
        while playing.value and model.value is lab and loop_id.current == mine:
            time.sleep(speed.value / 1000)
            if not playing.value or model.value is not lab or loop_id.current != mine:
                return
            lab.step()
            force_update()
            if lab.finished:
                playing.set(False)
                return

    solara.lab.use_task(play_loop, dependencies=[is_playing, id(lab)], prefer_threaded=True)

    def step():
        lab.step()
        force_update()

    def reset():
        apply(lab.values or lab.requested)

    with solara.Column(classes=["cascade-run-controls"], gap="8px"):
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            solara.Button("Pause" if is_playing else "Play",
                          icon_name="mdi-pause" if is_playing else "mdi-play", color="primary",
                          on_click=lambda: playing.set(not is_playing),
                          disabled=not (is_playing or can_run))
            solara.Button("Step", icon_name="mdi-skip-next", color="primary", outlined=True,
                          on_click=step, disabled=is_playing or not can_run)
            solara.Button("Reset", icon_name="mdi-restore", outlined=True, on_click=reset,
                          disabled=busy.value is not None)
        LabeledSlider("Play speed", speed.value, 20, 1000, 10, speed.set,
                      f"a round every {speed.value} ms")
        StatusLine(lab, is_playing, lab.round)


@solara.component
def StatusLine(lab: PolicyLab, playing: bool, round_: int):
    """Where the drawn replicate is (at ``round_``): ready, playing, paused or finished."""
    if lab.problem is not None and not lab.runs:
        state, text = "problem", "No run: see the message about the settings."
    elif lab.finished:
        state, text = "finished", (f"Finished: all {lab.rounds} rounds played. "
                                   "Reset to watch again.")
    elif playing:
        state, text = "playing", f"Playing: round {lab.round} of {lab.rounds}"
    elif lab.round == 0:
        state, text = "ready", f"Ready: round 0 of {lab.rounds}. Press Play or Step."
    else:
        state, text = "paused", f"Paused at round {lab.round} of {lab.rounds}"
    solara.HTML(tag="div", unsafe_innerHTML=html.escape(text), classes=["cascade-status"],
                attributes={"data-state": state, "data-round": str(lab.round),
                            "role": "status", "aria-live": "polite"})


@solara.component
def LabSettingsEditor(model, user_params, *, model_parameters=None):
    """The settings (Mesa's parameter inputs for other models)."""
    if isinstance(model.value, PolicyLab):
        return SettingsEditor(model)
    return _mesa_part("ModelCreator")(model, user_params, model_parameters=model_parameters)


@solara.component
def SettingsEditor(model):
    """The settings: shared ones, then each scenario's; changes wait for Apply."""
    lab = model.value
    values = draft.value
    applied = lab.values or lab.requested
    scenarios = values["scenarios"]
    current = min(editing.value, len(scenarios) - 1)
    changes = changed_labels(values, applied)

    def set_study(name: str, value: Any) -> None:
        draft.set({**draft.value, name: value})

    def set_scenario(name: str, value: Any) -> None:
        items = [dict(x) for x in draft.value["scenarios"]]
        items[current][name] = value
        draft.set({**draft.value, "scenarios": items})

    def add_scenario() -> None:
        items = [dict(x) for x in draft.value["scenarios"]]
        items.append(dict(items[current]))
        draft.set({**draft.value, "scenarios": items})
        editing.set(len(items) - 1)

    def remove_scenario() -> None:
        items = [dict(x) for k, x in enumerate(draft.value["scenarios"]) if k != current]
        draft.set({**draft.value, "scenarios": items})
        editing.set(max(0, current - 1))

    ApplyBar(changes, lab)
    solara.Text("Shared by every scenario", classes=["cascade-section"])
    for control in study_controls():
        ControlInput(control, values[control.name], applied.get(control.name),
                     lambda value, name=control.name: set_study(name, value))
    solara.Text("Scenarios", classes=["cascade-section"])

    def organisations_view() -> None:
        values = {**draft.value, "scenarios": organisations_scenarios(scenarios[current])}
        draft.set(values)
        editing.set(0)
        colour_by.set(SYSTEM_SHARE)
        apply(values)

    solara.Button("Organisations view",
                  icon_name="mdi-domain", outlined=True, on_click=organisations_view,
                  classes=["cascade-organisations-button"],
                  disabled=busy.value is not None)
    solara.Text("League table against system reward: the game between organisations (two "
                f"levels) on scenario {LABELS[current]}'s world and seed.",
                classes=["cascade-hint"])
    names, _ = scenario_names({"scenarios": [{**scenario_defaults(), **x} for x in scenarios]})
    theirs = applied.get("scenarios", [])
    labels = list(LABELS[:len(scenarios)])
    pending = {label for k, label in enumerate(labels)
               if k >= len(theirs) or changed_labels({"scenarios": [scenarios[k]]},
                                                     {"scenarios": [theirs[k]]})}
    solara.Text("Edit scenario:", classes=["cascade-hint"])
    solara.ToggleButtonsSingle(
        value=labels[current], on_value=lambda label: editing.set(labels.index(label)),
        children=[solara.Button(f"{label}{' •' if label in pending else ''}", value=label,
                                classes=["cascade-scenario-button"])
                  for label in labels])
    for label in labels:
        solara.Text(names[label], classes=["cascade-hint"])
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
        solara.Button(f"Add scenario {LABELS[len(scenarios)]}" if len(scenarios) < len(LABELS)
                      else "Add scenario", icon_name="mdi-plus", outlined=True,
                      on_click=add_scenario, disabled=len(scenarios) >= len(LABELS))
        solara.Button(f"Remove scenario {labels[current]}", icon_name="mdi-minus",
                      outlined=True, on_click=remove_scenario, disabled=len(scenarios) < 2)
    mine = {**scenario_defaults(), **scenarios[current]}
    before = theirs[current] if current < len(theirs) else {}
    solara.Text(f"Scenario {labels[current]}", classes=["cascade-section"])
    for control in scenario_controls():
        if not control.applies(mine):
            continue
        ControlInput(control, mine[control.name], before.get(control.name),
                     lambda value, name=control.name: set_scenario(name, value),
                     labels[current]).key(f"{labels[current]}-{control.name}")
    if mine.get("organisation") != "silos":
        solara.Text("Team size and bridging share apply to silos only.",
                    classes=["cascade-hint"])


@solara.component
def ApplyBar(changes: list[str], lab: PolicyLab):
    """What is not applied yet, with Apply and Discard; progress while replicates play."""
    classes = ["cascade-apply"] + (["cascade-apply-pending"] if changes else [])
    with solara.Column(classes=classes, gap="6px"):
        if busy.value is not None:
            done, total = busy.value
            solara.ProgressLinear(value=100 * done / max(total, 1))
            solara.Text(f"Playing the replicates: {done} of {total} runs")
        if problem.value:
            with solara.Div(classes=["cascade-problem"]):
                solara.Error(problem.value)
        if changes:
            solara.Text(f"Not applied yet: {_grouped(changes)}", classes=["cascade-pending-note"])
            with solara.Row(gap="8px"):
                solara.Button("Apply", icon_name="mdi-check", color="primary",
                              on_click=lambda: apply(draft.value),
                              classes=["cascade-apply-button"])
                solara.Button("Discard changes", outlined=True,
                              on_click=lambda: draft.set(lab.values or lab.requested))
        elif busy.value is None:
            solara.Text("Every setting is applied.", classes=["cascade-hint"])


def _grouped(changes: list[str]) -> str:
    """"Rounds; Scenario A: Policy, Bridging share" from changed_labels' list."""
    groups: dict[str, list[str]] = {}
    for item in changes:
        head, _, tail = item.partition(" · ")
        groups.setdefault(head if tail else "", []).append(tail or head)
    parts = [", ".join(groups.pop(""))] if "" in groups else []
    parts += [f"{head}: {', '.join(items)}" for head, items in groups.items()]
    return "; ".join(parts)


@solara.component
def ControlInput(control: Control, value: Any, applied: Any, on_value: Callable[[Any], None],
                 scenario: str = ""):
    """One control, its value shown, marked when it differs from the applied setting."""
    pending = applied is not None and str(value).strip() != str(applied).strip()
    with solara.Div(classes=["cascade-control"] + (["cascade-pending"] if pending else []),
                    attributes={"data-control": control.name, "data-scenario": scenario}):
        if control.kind == "select":
            solara.Select(control.label, value=value, values=list(control.choices),
                          on_value=on_value)
        elif control.kind == "checkbox":
            solara.Checkbox(label=control.label, value=bool(value), on_value=on_value)
        elif control.kind == "slider":
            integer = not isinstance(control.step, float)
            cast = int if integer else (lambda x: round(float(x), 6))
            LabeledSlider(control.label, cast(value), control.low, control.high, control.step,
                          lambda x: on_value(cast(x)), control.display(value), pending=pending)
        else:
            TypedField(control.label, str(value), on_value)
        if pending:
            solara.Text(f"changed (applied: {control.display(applied)})",
                        classes=["cascade-pending-note"])


@solara.component
def TypedField(label: str, value: str, on_value: Callable[[str], None]):
    """A typed field whose text counts when it is left or Enter is pressed.

    The text comes with the field's change event itself, so it can never be older than
    what was typed (a value read back from the field after the event can be).
    """
    field = solara.v.TextField(label=label, v_model=value, hide_details=True)
    solara.v.use_event(field, "change", lambda _widget, _event, text: on_value(str(text)))
    return field


@solara.component
def LabeledSlider(label: str, value: float, low: float, high: float, step: float,
                  on_value: Callable[[Any], None], shown: str, pending: bool = False):
    """A slider with its value printed beside it; keys move it as the mouse does."""
    integer = isinstance(step, int) and isinstance(low, int)
    with solara.Div(classes=["cascade-slider"]):
        solara.Text(label, classes=["cascade-slider-label"])
        with solara.Div(classes=["cascade-slider-row"]):
            solara.v.Slider(v_model=value, on_v_model=lambda x: on_value(int(x) if integer
                                                                          else float(x)),
                            min=low, max=high, step=step, hide_details=True, dense=True,
                            thumb_label=False, label=label)
            solara.Text(shown, classes=["cascade-value"])


@solara.component
def LabInformation(model):
    """What the networks and charts show (Mesa's step counter for other models)."""
    if isinstance(model, PolicyLab):
        return Information(model)
    return _mesa_part("ShowSteps")(model)


@solara.component
def Information(model: PolicyLab):
    """What the networks and charts show."""
    update_counter.get()
    if not model.runs:
        return solara.Text("No results: see the message about the settings.")
    replicates = model.study.replicates
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"The networks show <b>replicate 1 of {replicates}</b> of each scenario, round "
        f"{model.round} of {model.rounds}. The charts summarise all {replicates} replicates; "
        f"replicate k of every scenario uses the same seed. "
        f"{html.escape(MU.format(e=model.endowment))}."))


_PARTS = {
    "ComponentsView": LabComponentsView,
    "ModelController": LabRunControls,
    "ModelCreator": LabSettingsEditor,
    "ShowSteps": LabInformation,
}


def install_parts() -> None:
    """Give SolaraViz the app's parts; they draw Mesa's own for any other model."""
    originals = getattr(solara_viz, "_cascade_mesa_parts", None)
    if originals is None:
        originals = {name: getattr(solara_viz, name) for name in _PARTS}
        solara_viz._cascade_mesa_parts = originals
    for name, part in _PARTS.items():
        setattr(solara_viz, name, part)


def _mesa_part(name: str):
    return solara_viz._cascade_mesa_parts[name]


install_parts()


# ----------------------------------------------------------------- main area
def chart_specs(endowment: float) -> list[ChartSpec]:
    return [
        ChartSpec("mean_contribution", "Cooperation: what people give",
                  "MU a person gives per round", top=endowment),
        ChartSpec("welfare", "Welfare: what people earn", "MU a person earns per round"),
    ]


def _swatch(label: str, labels: list[str]) -> str:
    colour = SCENARIO_COLOURS[labels.index(label) % len(SCENARIO_COLOURS)]
    return f'<span class="cascade-swatch" style="background:{colour}"></span>'


def overview_view(model: PolicyLab):
    """The state of play, messages, and replicate 1 of each scenario drawn as a network."""
    progress = busy.value
    with solara.Column(classes=["cascade-overview"], gap="8px"):
        if problem.value:
            with solara.Div(classes=["cascade-problem"]):
                solara.Error(problem.value)
                solara.Text("Fix it in the sidebar, then press Apply. The results below are "
                            "those of the settings applied before.")
        if progress is not None:
            done, total = progress
            solara.ProgressLinear(value=100 * done / max(total, 1))
            solara.Text(f"Playing the replicates of the new settings: {done} of {total} runs")
        if not model.runs:
            return
        StatusLine(model, playing.value, model.round)
        labels = model.labels
        two_level = bool(model.two_level_labels)
        colours = colour_by.value
        if colours == SYSTEM_SHARE and not two_level:
            colours = "contribution"
        with solara.Div(classes=["cascade-networks"] + (["cascade-stale"] if progress else [])):
            for label in labels:
                given = model.runs[label].engine.latest().get("mean_contribution")
                with solara.Div(classes=["cascade-network-card"]):
                    solara.HTML(tag="div", classes=["cascade-caption"], unsafe_innerHTML=(
                        _swatch(label, labels) + html.escape(model.names[label])))
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=network_svg(
                            model.layout(label), model.colours(label, colours),
                            model.edges(label), highlighted=model.campaign_members(label),
                            label=f"network of scenario {label}, round {model.round}",
                            regions=model.regions(label)),
                        classes=["cascade-network"],
                        attributes={"data-scenario": label, "data-round": str(model.round)})
                    solara.Text(
                        f"Round {model.round}: people give {given:.1f} MU on average"
                        if given is not None else "Round 0: nothing played yet",
                        classes=["cascade-hint"])
        legend = _legend(model, colours)
        if two_level:
            legend = [*legend, ("transparent", "shaded boxes: organisations")]
        if any(len(model.campaign_members(label)) for label in labels):
            legend = [*legend, ("transparent", "ringed: campaign team")]
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}, gap="12px"):
            solara.HTML(tag="div", classes=["cascade-legend"], unsafe_innerHTML="".join(
                f'<span><span class="cascade-dot" style="background:{c}"></span>'
                f"{html.escape(text)}</span>" for c, text in legend))
            solara.ToggleButtonsSingle(
                value=colours, on_value=colour_by.set, dense=True,
                children=[solara.Button(f"Colour by {choice}", value=choice, small=True)
                          for choice in COLOUR_CHOICES + ((SYSTEM_SHARE,) if two_level
                                                           else ())])
        same = ("Every scenario plays on the same network with the same people"
                if model.same_network() else
                "The scenarios differ in how people are tied, so each has its own network")
        solara.Text(f"{same}; replicate k of every scenario uses the same seed.",
                    classes=["cascade-hint"])


overview_view.live = True


def _legend(model: PolicyLab, colours: str) -> list[tuple[str, str]]:
    """The networks' colour key."""
    if colours == "role":
        return role_legend()
    if colours == SYSTEM_SHARE and model.two_level_labels:
        legend = system_share_legend()
        if len(model.two_level_labels) < len(model.labels):
            legend.append(("transparent", "one-level scenarios: by contribution"))
        return legend
    return contribution_legend(model.endowment)


def levels_view(model: PolicyLab):
    """The two-level game: per scenario, what people give to their organisation and to the
    system over rounds (mean, 95% band, the drawn replicate), and the comparison sentence."""
    if not model.runs or not model.two_level_labels:
        return
    results = model.results
    labels = model.two_level_labels
    stale = ["cascade-stale"] if busy.value is not None else []
    bands = {label: {m: results.band(label, m) for m in LEVELS} for label in labels}
    top = max(float(band[2].max()) for per in bands.values() for band in per.values())
    with solara.Column(classes=["cascade-levels-view", *stale], gap="10px"):
        solara.Text("Organisations: giving to one's organisation and to the system",
                    classes=["cascade-section"])
        with solara.Div(classes=["cascade-charts"]):
            for label in labels:
                spec = ChartSpec("levels", model.names[label], "MU a person gives per round",
                                 top=max(top, 1e-9))
                drawn = model.drawn_levels(label)
                svg = chart_svg(spec, bands[label], drawn, model.rounds,
                                colours=LEVEL_COLOURS, scenario=label)
                solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["cascade-chart"],
                            attributes={"data-metric": "levels", "data-scenario": label,
                                        "data-round": str(model.round)})
        solara.HTML(tag="div", classes=["cascade-legend"], unsafe_innerHTML=(
            f'<span><span class="cascade-swatch" style="background:'
            f'{LEVEL_COLOURS["local_given"]}"></span>to their organisation (solid)</span>'
            f'<span><span class="cascade-swatch" style="background:'
            f'{LEVEL_COLOURS["system_given"]}"></span>to the system (dashed)</span>'
            f"<span>band: 95% interval of the mean over {results.replicates} replicates; thin "
            "line: replicate 1 (the network above)</span>"))
        solara.HTML(tag="div", classes=["cascade-verdict", "cascade-levels-verdict"],
                    unsafe_innerHTML=html.escape(results.levels_sentence(model.names)),
                    attributes={"role": "note"})


levels_view.live = True


def charts_view(model: PolicyLab):
    """Each scenario's mean and 95% band over rounds, the drawn replicate, the sentence."""
    if not model.runs:
        return
    results = model.results
    labels = model.labels
    specs = chart_specs(model.endowment)
    stale = ["cascade-stale"] if busy.value is not None else []
    with solara.Column(classes=["cascade-charts-view", *stale], gap="10px"):
        with solara.Div(classes=["cascade-charts"]):
            for spec in specs:
                bands = {label: results.band(label, spec.metric) for label in labels}
                svg = chart_svg(spec, bands, model.drawn_series(spec.metric), model.rounds)
                solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["cascade-chart"],
                            attributes={"data-metric": spec.metric,
                                        "data-round": str(model.round)})
        legend = "".join(
            f"<span>{_swatch(label, labels)}{html.escape(model.names[label])}</span>"
            for label in labels)
        solara.HTML(tag="div", classes=["cascade-legend"], unsafe_innerHTML=(
            f"{legend}<span>band: 95% interval of the mean over {results.replicates} "
            "replicates</span><span>thin line: replicate 1 (the network above); dotted "
            "line: its current round</span>"))
        solara.HTML(tag="div", classes=["cascade-verdict"], unsafe_innerHTML=html.escape(
            results.sentence(model.names, ", ".join(model.differs))),
            attributes={"role": "note"})
        solara.HTML(tag="div", unsafe_innerHTML=_estimates_table(model))
        solara.Text(f"{MU.format(e=model.endowment)}. A person's cooperation is what they put "
                    "into the shared pots; welfare is what they take home, the policy's "
                    "payments and fines included.", classes=["cascade-hint"])


charts_view.live = True


def _estimates_table(model: PolicyLab) -> str:
    """Each scenario's run averages with their 95% intervals, as an HTML table."""
    results = model.results
    head = "".join(f"<th>{html.escape(plain.capitalize())} ({html.escape(unit)})</th>"
                   "<th>95% interval</th>" for plain, unit in COMPARED.values())
    rows = []
    for label in model.labels:
        cells = []
        for metric in COMPARED:
            est = results.estimate(label, metric)
            cells.append(f"<td>{est.mean:.2f}</td><td>{est.low:.2f} to {est.high:.2f}</td>")
        rows.append(f"<tr><td>{html.escape(model.names[label])}</td>{''.join(cells)}</tr>")
    return (f'<table class="cascade-table" aria-label="averages over all rounds">'
            f"<thead><tr><th>Scenario (average over all {model.rounds} rounds)</th>{head}"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def downloads_view(model: PolicyLab):
    """The results as files: every CSV starts with the settings, every PNG shows them."""
    if not model.runs:
        return

    def charts_png() -> bytes:
        specs = chart_specs(model.endowment)
        bands = {spec.metric: {label: model.results.band(label, spec.metric)
                               for label in model.labels} for spec in specs}
        drawn = {spec.metric: model.drawn_series(spec.metric) for spec in specs}
        figure = charts_figure(specs, bands, model.names, model.results.replicates,
                               model.rounds, drawn=drawn,
                               sentence=model.results.sentence(model.names,
                                                               ", ".join(model.differs)),
                               settings=model.settings_lines())
        return to_png(figure)

    colours = colour_by.value

    def networks_png() -> bytes:
        panels = {f"{model.names[label]} · round {model.round}": (
            model.layout(label), model.colours(label, colours), model.edges(label),
            model.campaign_members(label)) for label in model.labels}
        legend = _legend(model, colours)
        return to_png(network_figure(panels, legend, settings=model.settings_lines()))

    files = [
        ("Summary (CSV)", "cascade-summary.csv", "text/csv", model.summary_csv),
        ("Every replicate (CSV)", "cascade-replicates.csv", "text/csv", model.replicates_csv),
        ("People now (CSV)", "cascade-people.csv", "text/csv", model.people_csv),
        ("Charts (PNG)", "cascade-charts.png", "image/png", charts_png),
        ("Networks (PNG)", "cascade-networks.png", "image/png", networks_png),
    ]
    with solara.Column(classes=["cascade-downloads"], gap="6px"):
        solara.Text("Downloads (every file carries the settings it comes from)",
                    classes=["cascade-section"])
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            for label, filename, mime, content in files:
                DownloadButton.element(label=label, filename=filename, mime_type=mime,
                                       content=content)


def guide_view(model: PolicyLab):
    """One line per control, and what each policy, rule and campaign placement means."""
    with solara.Details("What the settings mean", expand=False):
        solara.HTML(tag="div", classes=["cascade-guide"], unsafe_innerHTML=_guide_html())


def _guide_html() -> str:
    """The guide: how to use the page, each control, each registered choice."""
    def items(pairs) -> str:
        return "<ul>" + "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>"
                                for name, text in pairs) + "</ul>"

    parts = [
        "<p>Change settings in the sidebar: each change is marked until you press "
        "<b>Apply</b>, which plays every replicate of every scenario again. <b>Play</b> and "
        "<b>Step</b> then play replicate 1 of each scenario round by round on the networks; "
        "<b>Reset</b> starts it again at round 0. Everything works with the keyboard: Tab "
        "moves between controls, the arrow keys move a slider, Enter presses a button.</p>",
        items((c.label, c.explanation) for c in study_controls() + scenario_controls()),
    ]
    for title, registry in (("Policies", policy_registry()),
                            ("Policies between organisations",
                             organisation_policy_registry()),
                            ("How people decide", rule_registry()),
                            ("Campaign placements", placement_registry())):
        if registry:
            parts.append(f"<p><b>{html.escape(title)}</b></p>" + items(registry.items()))
    return "".join(parts)


# ------------------------------------------------------------------------- page
@solara.component
def Page():
    """The app: one :class:`PolicyLab` per browser session, shown through Mesa's SolaraViz."""
    initial = solara.use_memo(lambda: PolicyLab(**draft.value), [])
    model = solara.use_reactive(initial)
    asked = request.value

    def play_replicates() -> None:
        if asked is None:
            return
        values = asked[1]
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            # at most four redraws a second: each redraws the page, which the runs need
            now = time.monotonic()
            if compute.is_current() and (now - shown[0] > 0.25 or done == total):
                shown[0] = now
                busy.set((done, total))

        try:
            lab = PolicyLab(**values, progress=progress,
                            cancelled=lambda: not compute.is_current())
        except Cancelled:
            return
        if not compute.is_current():
            return
        if lab.problem:
            problem.set(lab.problem)
        else:
            problem.set(None)
            if lab.two_level_labels and not model.value.two_level_labels:
                colour_by.set(SYSTEM_SHARE)  # the organisations' view opens on the split
            model.set(lab)
            if draft.value == values:
                draft.set(lab.values)
        busy.set(None)

    compute = solara.lab.use_task(play_replicates, dependencies=[asked], prefer_threaded=True)
    solara.Style(CSS)
    solara.Title(TITLE)
    SolaraViz(
        model,
        components=[(overview_view, 0), (levels_view, 0), (charts_view, 0),
                    (downloads_view, 0),
                    (guide_view, 0)],
        model_params=model_params(),
        name=TITLE,
        play_interval=PLAY_MS,
    )


page = Page
