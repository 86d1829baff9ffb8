"""The browser app for policy teams: watch cooperation spread, compare two policies.

Run it with ``cascade viz`` (loopback, port 8765) or ``solara run models/public_goods/app.py``.
It is a Mesa ``SolaraViz`` page over :class:`~models.public_goods.policy_lab.PolicyLab`:

- the sidebar holds Mesa's Play / Step / Reset and the plain-language controls (built from the
  engine's registries, so new policies and campaign placements appear by themselves); a change
  takes effect when Reset is pressed;
- the main area draws the network, each person coloured by what they give (or by network role),
  once per policy shown, and charts mean contribution and welfare over rounds with one line per
  policy; the run's data (CSV) and the charts and network (PNG) can be downloaded; a guide
  explains every control in one line, and each policy and campaign placement;
- settings that do not fit show a one-line message instead of a run.

The network and charts are inline SVG over a layout computed once per network (see
:mod:`models.public_goods.drawing`), so a round only recolours the people and redraws two
polylines per policy.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz, solara_viz

from models.public_goods.drawing import (
    charts_figure,
    charts_svg,
    contribution_legend,
    network_figure,
    network_svg,
    role_legend,
    to_png,
)
from models.public_goods.policy_lab import (
    PolicyLab,
    controls,
    default_settings,
    placement_registry,
    policy_registry,
)

TITLE = "Cooperation on networks: a policy lab"

#: grid cells (12 columns, rows of 30 px) for the network, the charts and the guide
GRID = [
    {"i": 0, "x": 0, "y": 0, "w": 7, "h": 19, "moved": False},
    {"i": 1, "x": 7, "y": 0, "w": 5, "h": 17, "moved": False},
    {"i": 2, "x": 7, "y": 17, "w": 5, "h": 14, "moved": False},
]
_mesa_grid = solara_viz.make_initial_grid_layout


def _grid_layout(num_components: int) -> list[dict]:
    """This app's grid; Mesa's default (a 6 x 10 cell each) for any other page.

    Mesa 3.5's SolaraViz takes no layout argument and gives every component the same cell,
    too small for a 500-person network, so the app replaces Mesa's default layout function.
    """
    if num_components == len(GRID):
        return [dict(cell) for cell in GRID]
    return _mesa_grid(num_components)


solara_viz.make_initial_grid_layout = _grid_layout


def model_params() -> dict:
    """SolaraViz's ``model_params``: one input per control, labelled in plain language."""
    return {c.name: c.mesa_param() for c in controls()}


# ----------------------------------------------------------------- main area
def network_view(model: PolicyLab):
    """The network(s) of the current run, or the message about settings that do not fit."""
    with solara.Column(classes=["cascade-network-view"]):
        if model.problem:
            with solara.Div(classes=["cascade-problem"]):
                solara.Error(model.problem)
            solara.Text("Fix the setting in the sidebar, then press Reset.")
            return
        main = model.main
        solara.Markdown(
            f"**Round {model.round}** of {main.config.rounds} · {main.engine.n} people · "
            f"{len(model.layout.edges)} ties"
        )
        with solara.Row(classes=["cascade-networks"], style={"flex-wrap": "wrap"}):
            for policy in model.runs:
                latest = model.runs[policy].engine.latest()
                given = latest.get("mean_contribution")
                caption = f"Policy: {policy}" + (
                    f" · mean contribution {given:.1f}" if given is not None else ""
                )
                with solara.Column(style={"flex": "1 1 240px", "min-width": "200px"}):
                    solara.Text(caption, classes=["cascade-caption"])
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=network_svg(
                            model.layout,
                            model.colours(policy),
                            highlighted=model.campaign_members(policy),
                            label=f"network under {policy}, round {model.round}",
                        ),
                        classes=["cascade-network"],
                        attributes={"data-policy": policy, "data-round": str(model.round)},
                    )
        legend = role_legend() if model.settings.colour_by == "role" else contribution_legend()
        if len(model.campaign_members(next(iter(model.runs)))):
            legend = [*legend, ("#ffffff", "black ring: campaign team")]
        solara.HTML(tag="div", unsafe_innerHTML=_legend_html(legend))


def _legend_html(items: list[tuple[str, str]]) -> str:
    spans = "".join(
        f'<span style="margin-right:14px;white-space:nowrap">'
        f'<span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
        f'background:{colour};border:1px solid #555;margin-right:4px"></span>{label}</span>'
        for colour, label in items
    )
    return f'<div style="font-size:13px">{spans}</div>'


def charts_view(model: PolicyLab):
    """Mean contribution and welfare over rounds (one line per policy), and the downloads."""
    with solara.Column(classes=["cascade-charts-view"]):
        if model.problem:
            solara.Text("No run: see the message beside.")
            return
        endowment = model.main.config.endowment
        solara.HTML(tag="div", unsafe_innerHTML=charts_svg(model.series(), endowment),
                    classes=["cascade-chart"], attributes={"data-round": str(model.round)})
        if model.comparing:
            a, b = model.runs
            solara.Text(f"Same network, same people, same seed: only the policy differs "
                        f"({a} solid, {b} dashed).")
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.FileDownload(model.csv, filename="cascade-run.csv", label="Data (CSV)",
                                mime_type="text/csv")
            solara.FileDownload(lambda: model.people_frame().to_csv(index=False),
                                filename="cascade-people.csv", label="People (CSV)",
                                mime_type="text/csv")
            solara.FileDownload(lambda: to_png(charts_figure(model.series(), endowment)),
                                filename="cascade-charts.png", label="Charts (PNG)",
                                mime_type="image/png")
            solara.FileDownload(
                lambda: to_png(network_figure(
                    model.layout, {p: model.colours(p) for p in model.runs})),
                filename="cascade-network.png", label="Network (PNG)", mime_type="image/png")


# ------------------------------------------------------------------- guide
def guide_view(model: PolicyLab):
    """One line per control, and what each policy and campaign placement means."""
    with solara.Card("What the controls mean", classes=["cascade-guide"]):
        solara.Markdown("Change the settings, then press **Reset** to apply them; "
                        "**Step** plays one round, **▶** plays on.")
        lines = [f"- **{c.label}**: {c.explanation}" for c in controls()]
        solara.Markdown("\n".join(lines))
    policies = policy_registry()
    if policies:
        with solara.Card("Policies"):
            solara.Markdown("\n".join(f"- **{name}**: {summary}"
                                      for name, summary in policies.items()))
    placements = placement_registry()
    if placements:
        with solara.Card("Campaign placements"):
            solara.Markdown("\n".join(f"- **{name}**: {summary}"
                                      for name, summary in placements.items()))


@solara.component
def Page():
    """The app: one :class:`PolicyLab` per browser session, shown through Mesa's SolaraViz."""
    lab = solara.use_memo(lambda: PolicyLab(**default_settings()), [])
    SolaraViz(
        lab,
        components=[(network_view, 0), (charts_view, 0), (guide_view, 0)],
        model_params=model_params(),
        name=TITLE,
        play_interval=50,
    )


page = Page
