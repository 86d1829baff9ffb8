"""Drawings for the browser app: a fixed network layout, the network and charts as inline SVG,
and the PNG downloads.

The layout is computed once per network (seeded) and reused every round, so the drawing does
not jump and a round only recolours the people. A network with teams (silos) is laid out team
by team: each team's own ties by a spring layout (Fruchterman & Reingold 1991, Software:
Practice and Experience 21:1129) inside its own cell of a grid, so teams show as teams at any
bridging share and the ties between teams show as the lines between the cells. Other networks
get one spring layout.

The page's network and charts are inline SVG written here (one ``<circle>`` per person, one
``<path>`` for all ties, one band and one line per scenario): a round costs the server a few
milliseconds and tests can count what is drawn. Text and axes use ``currentColor``, so the
charts follow the page's light or dark theme. The PNG downloads are matplotlib figures
(``Figure``, not pyplot, so sessions in threads share no state), each with its legend and the
settings printed under it.
"""

from __future__ import annotations

import hashlib
import io
import math
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.graph import CSRGraph

#: side of the network's SVG view box; positions are scaled into [MARGIN, VIEW - MARGIN]
VIEW = 1000.0
MARGIN = 20.0
#: colours of network roles (sim.ties.roles): brokers span teams, connectors hold them
ROLE_COLOURS = {"broker": "#d62728", "connector": "#1f77b4", "other": "#c7c7c7"}
#: contribution colour scale: red gives nothing, green gives the whole endowment
CONTRIBUTION_MAP = "RdYlGn"
#: scenario colours (Okabe & Ito 2008, colour-blind safe) and dash patterns, A first
#: the share of giving that goes to the system: orange (all to one's organisation), grey (half
#: and half; PuOr's white middle would vanish on the page), purple (all to the system)
SHARE_MAP = ("#b35806", "#a0a0a0", "#542788")
SCENARIO_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
SCENARIO_DASHES = ["", "8 4", "2 3", "8 3 2 3"]
_MPL_DASHES = ["-", "--", ":", "-."]
_LAYOUT_CACHE_SIZE = 16


# ------------------------------------------------------------------------------ layout
@dataclass(frozen=True)
class Layout:
    """Node positions in SVG units (y grows downwards), computed once per network."""

    xy: np.ndarray  # (n, 2)

    @property
    def n(self) -> int:
        return len(self.xy)


_layouts: OrderedDict[tuple[str, int], Layout] = OrderedDict()
_layouts_lock = threading.Lock()  # browser sessions draw from several threads


def graph_fingerprint(graph: CSRGraph) -> str:
    """A hash of the network's ties, so equal networks share one layout."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.ascontiguousarray(graph.indptr, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(graph.indices, dtype=np.int64).tobytes())
    if graph.team is not None:
        digest.update(np.ascontiguousarray(graph.team, dtype=np.int64).tobytes())
    return digest.hexdigest()


def network_layout(graph: CSRGraph, seed: int) -> Layout:
    """The seeded layout of ``graph`` (team by team when it has teams), cached.

    Computed once per (network, seed) and reused across rounds, resets that rebuild the same
    network, and scenarios that play on the same network.
    """
    key = (graph_fingerprint(graph), int(seed))
    with _layouts_lock:
        cached = _layouts.get(key)
        if cached is not None:
            _layouts.move_to_end(key)
            return cached
    if graph.n == 1:
        raw = np.zeros((1, 2))
    elif graph.team is not None:
        raw = _team_positions(graph, seed)
    else:
        iterations = 50 if graph.n <= 1000 else 30
        pos = nx.spring_layout(graph.to_networkx(), seed=int(seed) % 2**32,
                               iterations=iterations)
        raw = np.array([pos[i] for i in range(graph.n)], dtype=np.float64)
    layout = Layout(xy=_fit(raw))
    with _layouts_lock:
        _layouts[key] = layout
        while len(_layouts) > _LAYOUT_CACHE_SIZE:
            _layouts.popitem(last=False)
    return layout


def _team_positions(graph: CSRGraph, seed: int) -> np.ndarray:
    """Each team in its own cell of a square grid, its members placed by a spring layout of the
    team's own ties (all teams at once: :func:`_spring_batch`)."""
    team = np.asarray(graph.team, dtype=np.int64)
    teams, index = np.unique(team, return_inverse=True)
    sizes = np.bincount(index)
    columns = math.ceil(math.sqrt(len(teams)))
    order = np.argsort(index, kind="stable")
    slot = np.empty(graph.n, dtype=np.int64)  # each member's place in its team
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    slot[order] = np.arange(graph.n) - np.repeat(starts, sizes)
    width = int(sizes.max())
    adjacency = np.zeros((len(teams), width, width), dtype=bool)
    src = np.repeat(np.arange(graph.n), np.diff(graph.indptr))
    dst = np.asarray(graph.indices, dtype=np.int64)
    inside = index[src] == index[dst]
    adjacency[index[src[inside]], slot[src[inside]], slot[dst[inside]]] = True
    present = np.arange(width)[None, :] < sizes[:, None]
    local = _spring_batch(adjacency, present, np.random.default_rng(int(seed) % 2**32))
    cell = np.arange(len(teams))
    centres = np.column_stack([cell % columns, -(cell // columns)]).astype(np.float64)
    return centres[index] + 0.36 * local[index, slot]


def _spring_batch(adjacency: np.ndarray, present: np.ndarray, rng: np.random.Generator,
                  iterations: int = 60) -> np.ndarray:
    """Force-directed layouts of many small graphs at once (Fruchterman & Reingold 1991,
    Software: Practice and Experience 21:1129): every pair repels with k^2/d, every tie
    attracts with d^2/k, and the largest move cools linearly to zero.

    Args:
        adjacency: (graphs, m, m) ties; graphs with fewer than m nodes are padded.
        present: (graphs, m) which slots hold a node.
        rng: draws the starting positions.

    Returns:
        (graphs, m, 2) positions, each graph centred and scaled into the unit disc.
    """
    count, width = present.shape
    pos = rng.uniform(-1.0, 1.0, size=(count, width, 2))
    k = 1.0 / np.sqrt(np.maximum(present.sum(axis=1), 1))[:, None, None]
    pairs = present[:, :, None] & present[:, None, :] & ~np.eye(width, dtype=bool)[None]
    ties = adjacency & pairs
    step = 0.1
    for _ in range(iterations):
        delta = pos[:, :, None, :] - pos[:, None, :, :]
        distance = np.maximum(np.sqrt((delta**2).sum(axis=-1)), 0.01)
        force = np.where(pairs, k**2 / distance**2, 0.0) - np.where(ties, distance / k, 0.0)
        move = (delta * force[..., None]).sum(axis=2)
        length = np.maximum(np.sqrt((move**2).sum(axis=-1, keepdims=True)), 0.01)
        pos += move / length * np.minimum(length, step)
        step -= 0.1 / (iterations + 1)
    pos = np.where(present[..., None], pos, 0.0)
    centre = pos.sum(axis=1, keepdims=True) / np.maximum(present.sum(axis=1), 1)[:, None, None]
    pos = np.where(present[..., None], pos - centre, 0.0)
    reach = np.sqrt((pos**2).sum(axis=-1)).max(axis=1)
    return pos / np.where(reach > 0, reach, 1.0)[:, None, None]


def _fit(raw: np.ndarray) -> np.ndarray:
    """Scale positions into the view box, keeping the aspect ratio, y flipped for SVG."""
    low, high = raw.min(axis=0), raw.max(axis=0)
    span = float(max((high - low).max(), 1e-12))
    unit = (raw - (low + high) / 2) / span + 0.5
    unit[:, 1] = 1.0 - unit[:, 1]
    return MARGIN + unit * (VIEW - 2 * MARGIN)


def graph_edges(graph: CSRGraph) -> np.ndarray:
    """Each tie once, as an (m, 2) int array."""
    src = np.repeat(np.arange(graph.n), np.diff(graph.indptr))
    dst = np.asarray(graph.indices, dtype=np.int64)
    keep = src < dst
    return np.column_stack([src[keep], dst[keep]])


def ties_path(layout: Layout, edges: np.ndarray) -> str:
    """All ties as one SVG path."""
    if len(edges) == 0:
        return ""
    a, b = layout.xy[edges[:, 0]], layout.xy[edges[:, 1]]
    return "".join(
        f"M{x0:.0f} {y0:.0f}L{x1:.0f} {y1:.0f}"
        for (x0, y0), (x1, y1) in zip(a.tolist(), b.tolist(), strict=True)
    )


# ---------------------------------------------------------------------------- colours
_SCALE = colormaps[CONTRIBUTION_MAP](np.linspace(0.0, 1.0, 101))
_SCALE_HEX = np.array(
    ["#" + "".join(f"{round(255 * c):02x}" for c in rgba[:3]) for rgba in _SCALE]
)


def contribution_colours(contribution: np.ndarray, endowment: float) -> np.ndarray:
    """One hex colour per person: red for giving nothing, green for giving everything."""
    share = np.clip(np.asarray(contribution, dtype=np.float64) / endowment, 0.0, 1.0)
    return _SCALE_HEX[np.rint(share * 100).astype(np.int64)]


_SHARE_HEX = np.array(
    ["#" + "".join(f"{round(255 * c):02x}" for c in rgba[:3])
     for rgba in LinearSegmentedColormap.from_list("system_share", SHARE_MAP)(
         np.linspace(0.0, 1.0, 101))]
)
#: the two levels' colours in charts, the ends of the system-share scale
LEVEL_COLOURS = {"local_given": str(_SHARE_HEX[12]), "system_given": str(_SHARE_HEX[88])}


def system_share_colours(share: np.ndarray) -> np.ndarray:
    """One hex colour per person from the share of their giving that goes to the system:
    orange for all to their organisation, purple for all to the system."""
    share = np.clip(np.nan_to_num(np.asarray(share, dtype=np.float64), nan=0.5), 0.0, 1.0)
    return _SHARE_HEX[np.rint(share * 100).astype(np.int64)]


def system_share_legend() -> list[tuple[str, str]]:
    """(colour, label) pairs for the system-share scale."""
    return [(str(_SHARE_HEX[0]), "gives all to their organisation"),
            (str(_SHARE_HEX[50]), "half to the organisation, half to the system"),
            (str(_SHARE_HEX[100]), "gives all to the system")]


def team_regions(layout: Layout, team: np.ndarray, pad: float = 14.0) -> np.ndarray:
    """Each team's box around its members in ``layout``: rows (x0, y0, x1, y1), one per
    team in the order of the team labels."""
    team = np.asarray(team, dtype=np.int64)
    _, index = np.unique(team, return_inverse=True)
    k = int(index.max()) + 1 if len(index) else 0
    boxes = np.empty((k, 4))
    for j in range(k):
        xy = layout.xy[index == j]
        boxes[j] = [*(xy.min(axis=0) - pad), *(xy.max(axis=0) + pad)]
    return np.clip(boxes, 0.0, VIEW)


def role_colours(roles: Sequence[str]) -> np.ndarray:
    """One hex colour per person from its network role (broker, connector, other)."""
    other = ROLE_COLOURS["other"]
    return np.array([ROLE_COLOURS.get(str(r), other) for r in roles])


def contribution_legend(endowment: float = 20.0) -> list[tuple[str, str]]:
    """(colour, label) pairs for the contribution scale."""
    return [(_SCALE_HEX[0], "gives nothing"), (_SCALE_HEX[50], f"gives {endowment / 2:g} MU"),
            (_SCALE_HEX[100], f"gives all {endowment:g} MU")]


def role_legend() -> list[tuple[str, str]]:
    """(colour, label) pairs for network roles."""
    return [(ROLE_COLOURS["broker"], "broker (bridges teams)"),
            (ROLE_COLOURS["connector"], "connector (holds a team together)"),
            (ROLE_COLOURS["other"], "other")]


# ------------------------------------------------------------------------------- SVG
def network_svg(
    layout: Layout,
    colours: Sequence[str],
    edges: np.ndarray,
    *,
    highlighted: np.ndarray | None = None,
    label: str = "",
    regions: np.ndarray | None = None,
) -> str:
    """The network as an inline SVG: ties in the text colour, one circle per person.

    Args:
        layout: positions from :func:`network_layout`.
        colours: one CSS colour per person.
        edges: the ties now (they change when people weave new ties).
        highlighted: people drawn with a ring (e.g. a campaign team).
        label: the SVG's accessible name.
        regions: boxes (x0, y0, x1, y1) drawn as light backgrounds under the people, e.g.
            the organisations of the two-level game.
    """
    n = layout.n
    boxes = "".join(
        f'<rect class="organisation" data-team="{k}" x="{x0:.0f}" y="{y0:.0f}" '
        f'width="{x1 - x0:.0f}" height="{y1 - y0:.0f}" rx="18" fill="currentColor" '
        f'fill-opacity="0.06" stroke="currentColor" stroke-opacity="0.3"/>'
        for k, (x0, y0, x1, y1) in enumerate(np.asarray(regions).tolist())
    ) if regions is not None else ""
    radius = float(np.clip(9.0 * np.sqrt(500.0 / max(n, 1)), 2.5, 14.0))
    ring = np.zeros(n, dtype=bool)
    if highlighted is not None and len(highlighted):
        ring[np.asarray(highlighted, dtype=np.int64)] = True
    circles = []
    for i, ((x, y), colour, r) in enumerate(zip(layout.xy.tolist(), colours, ring, strict=True)):
        stroke = ' stroke="currentColor" stroke-width="4"' if r else ""
        circles.append(
            f'<circle data-node="{i}" cx="{x:.0f}" cy="{y:.0f}" r="{radius:.1f}" '
            f'fill="{colour}"{stroke}/>'
        )
    return (
        f'<svg class="cascade-network-svg" viewBox="0 0 {VIEW:g} {VIEW:g}" role="img" '
        f'aria-label="{_escape(label)}" data-nodes="{n}" style="width:100%;height:auto;'
        f'display:block">{boxes}<path d="{ties_path(layout, edges)}" stroke="currentColor" '
        f'stroke-opacity="0.25" stroke-width="1.5" fill="none"/>'
        f'<g class="people">{"".join(circles)}</g></svg>'
    )


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def nice_step(span: float, target: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``target`` ticks."""
    if span <= 0 or not np.isfinite(span):
        return 1.0
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def value_ticks(low: float, high: float) -> tuple[float, float, list[float]]:
    """An axis from 0 (or below, for negative values) to a round top, and its ticks."""
    low, high = min(0.0, low), max(high, 0.0)
    if high - low < 1e-9:
        high = low + 1.0
    step = nice_step(high - low)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    ticks = list(np.arange(bottom, top + step / 2, step))
    return bottom, top, [float(t) for t in ticks]


def round_ticks(rounds: int) -> list[int]:
    """Whole-number round ticks: 1, then round multiples of a nice step, and the last."""
    if rounds <= 1:
        return [1]
    step = max(1, int(nice_step(rounds - 1, 5)))
    ticks = [1, *range(step, rounds + 1, step)]
    if ticks[-1] != rounds and rounds - ticks[-1] > step / 2:
        ticks.append(rounds)
    return sorted(set(ticks))


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its title, the unit of its values, and its fixed range (None: from data)."""

    metric: str
    title: str
    unit: str
    top: float | None = None


def chart_svg(
    spec: ChartSpec,
    bands: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    drawn: Mapping[str, np.ndarray],
    rounds: int,
    colours: Mapping[str, str] | None = None,
    scenario: str = "",
) -> str:
    """One chart as inline SVG: per scenario a 95% band and its mean line over ``rounds``,
    and the drawn replicate as a thin line up to the round it has reached.

    Args:
        spec: title, unit and range.
        bands: scenario label -> (mean, low, high) per round.
        drawn: scenario label -> the drawn replicate's values so far.
        rounds: rounds on the x axis.
        colours: label -> line colour (default: the scenarios' colours in order).
        scenario: the scenario a chart of one scenario shows (its ``data-scenario``).
    """
    def colour_of(i: int, label: str) -> str:
        if colours is not None and label in colours:
            return colours[label]
        return SCENARIO_COLOURS[i % 4]

    width, height = 480.0, 290.0
    left, right, top, bottom = 58.0, 14.0, 34.0, 46.0
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [a for band in bands.values() for a in band] + list(drawn.values())
    finite = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values]
                            or [np.zeros(1)])
    finite = finite[np.isfinite(finite)]
    high = spec.top if spec.top is not None else (float(finite.max()) if finite.size else 1.0)
    low = float(finite.min()) if finite.size else 0.0
    y_low, y_high, y_ticks = value_ticks(low, high)
    span_rounds = max(rounds - 1, 1)

    def sx(r: float) -> float:
        return left + (r - 1) / span_rounds * plot_w

    def sy(v: float) -> float:
        return top + (1.0 - (v - y_low) / (y_high - y_low)) * plot_h

    parts = [
        f'<text x="{width / 2:.0f}" y="18" text-anchor="middle" font-weight="bold" '
        f'font-size="15">{_escape(spec.title)}</text>',
        f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{_escape(spec.unit)}</text>',
    ]
    for tick in y_ticks:
        y = sy(tick)
        parts.append(
            f'<line x1="{left:.0f}" x2="{left + plot_w:.0f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="{0.45 if tick == 0 else 0.12}"/>'
            f'<text class="tick" x="{left - 6:.0f}" y="{y + 4:.1f}" text-anchor="end">'
            f'{tick:g}</text>')
    for tick in round_ticks(rounds):
        x = sx(tick)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h:.0f}" y2="{top + plot_h + 4:.0f}"'
            f' stroke="currentColor"/><text class="tick" x="{x:.1f}" '
            f'y="{top + plot_h + 18:.0f}" text-anchor="middle">{tick}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6:.0f}" '
                 f'text-anchor="middle">round</text>')
    parts.append(f'<rect x="{left:.0f}" y="{top:.0f}" width="{plot_w:.0f}" '
                 f'height="{plot_h:.0f}" fill="none" stroke="currentColor" '
                 f'stroke-opacity="0.35"/>')
    for i, (label, (mean, lo, hi)) in enumerate(bands.items()):
        colour, dash = colour_of(i, label), SCENARIO_DASHES[i % 4]
        r = np.arange(1, len(mean) + 1)
        upper = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(r, hi, strict=True))
        lower = " ".join(f"{sx(a):.1f},{sy(b):.1f}"
                         for a, b in zip(r[::-1], lo[::-1], strict=True))
        parts.append(f'<polygon data-band="{label}" points="{upper} {lower}" fill="{colour}" '
                     f'fill-opacity="0.22" stroke="none"/>')
        points = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(r, mean, strict=True))
        parts.append(f'<polyline data-mean="{label}" points="{points}" fill="none" '
                     f'stroke="{colour}" stroke-width="2.6" stroke-dasharray="{dash}"/>')
    for i, (label, series) in enumerate(drawn.items()):
        if not len(series):
            continue
        points = " ".join(f"{sx(k + 1):.1f},{sy(v):.1f}" for k, v in enumerate(series.tolist()))
        parts.append(f'<polyline data-drawn="{label}" points="{points}" fill="none" '
                     f'stroke="{colour_of(i, label)}" stroke-width="1" '
                     f'stroke-opacity="0.9"/>')
    reached = max((len(s) for s in drawn.values()), default=0)
    if reached:
        x = sx(reached)
        parts.append(f'<line class="now" x1="{x:.1f}" x2="{x:.1f}" y1="{top:.0f}" '
                     f'y2="{top + plot_h:.0f}" stroke="currentColor" stroke-opacity="0.5" '
                     f'stroke-dasharray="3 3"/>')
    return (
        f'<svg class="cascade-chart-svg" data-metric="{spec.metric}" '
        f'data-scenario="{_escape(scenario)}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" '
        f'aria-label="{_escape(spec.title)} over rounds, in {_escape(spec.unit)}" '
        f'style="width:100%;height:auto;display:block;font:13px sans-serif" '
        f'fill="currentColor">{"".join(parts)}</svg>'
    )


# ------------------------------------------------------------------------------ PNGs
def to_png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _footer(figure: Figure, lines: Sequence[str], width: int = 150) -> None:
    """The settings under the figure, wrapped."""
    wrapped = [piece for line in lines for piece in textwrap.wrap(line, width) or [""]]
    figure.text(0.01, -0.02, "\n".join(wrapped), ha="left", va="top", fontsize=7.5,
                color="#333", family="sans-serif")


def charts_figure(
    specs: Sequence[ChartSpec],
    bands: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]],
    names: Mapping[str, str],
    replicates: int,
    rounds: int,
    *,
    drawn: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    sentence: str = "",
    settings: Sequence[str] = (),
) -> Figure:
    """The charts as a figure: per chart, each scenario's mean with its 95% band, the drawn
    replicate, a legend, the comparison sentence and the settings.

    Args:
        specs: the charts, in order.
        bands: metric -> scenario label -> (mean, low, high).
        names: scenario label -> its name in the legend.
        replicates: how many replicates the bands summarise.
        rounds: rounds on the x axis.
        drawn: metric -> scenario label -> the drawn replicate so far.
        sentence: the comparison, printed above the charts.
        settings: lines printed under the charts.
    """
    figure = Figure(figsize=(5.2 * len(specs), 4.6))
    axes = np.atleast_1d(figure.subplots(1, len(specs)))
    for ax, spec in zip(axes, specs, strict=True):
        top = 0.0
        for i, (label, (mean, lo, hi)) in enumerate(bands[spec.metric].items()):
            r = np.arange(1, len(mean) + 1)
            colour = SCENARIO_COLOURS[i % 4]
            ax.fill_between(r, lo, hi, color=colour, alpha=0.22, linewidth=0)
            ax.plot(r, mean, _MPL_DASHES[i % 4], color=colour, linewidth=2)
            top = max(top, float(np.nanmax(hi)) if len(hi) else 0.0)
            series = (drawn or {}).get(spec.metric, {}).get(label)
            if series is not None and len(series):
                ax.plot(np.arange(1, len(series) + 1), series, color=colour, linewidth=0.8)
        low = min(0.0, min((float(np.nanmin(b[1])) for b in bands[spec.metric].values()
                            if len(b[1])), default=0.0))
        bottom, top_tick, ticks = value_ticks(low, spec.top if spec.top is not None else top)
        ax.set_ylim(bottom, top_tick)
        ax.set_yticks(ticks)
        ax.set_xlim(1, max(rounds, 2))
        ax.set_xticks(round_ticks(rounds))
        ax.set_title(spec.title, fontsize=12)
        ax.set_xlabel("round")
        ax.set_ylabel(spec.unit)
        ax.grid(alpha=0.3)
    handles = [Line2D([], [], color=SCENARIO_COLOURS[i % 4], linestyle=_MPL_DASHES[i % 4],
                      linewidth=2, label=names.get(label, label))
               for i, label in enumerate(bands[specs[0].metric])]
    handles.append(Patch(color="#888", alpha=0.3,
                         label=f"95% interval of the mean over {replicates} replicates"))
    if drawn:
        handles.append(Line2D([], [], color="#555", linewidth=0.8,
                              label="thin line: replicate 1, drawn as the network"))
    figure.legend(handles=handles, loc="lower center", ncol=min(len(handles), 3),
                  bbox_to_anchor=(0.5, -0.02), fontsize=9, frameon=False)
    if sentence:
        figure.suptitle("\n".join(textwrap.wrap(sentence, 130)), fontsize=9, y=0.995,
                        ha="center", va="top")
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    _footer(figure, settings)
    return figure


def network_figure(
    panels: Mapping[str, tuple[Layout, Sequence[str], np.ndarray, np.ndarray]],
    legend: Sequence[tuple[str, str]],
    *,
    settings: Sequence[str] = (),
) -> Figure:
    """The networks as a figure, one panel per scenario, with the colour key and settings.

    Args:
        panels: panel title -> (layout, colours, ties, campaign members).
        legend: (colour, label) pairs of the colour key.
        settings: lines printed under the networks.
    """
    items = list(panels.items())
    figure = Figure(figsize=(4.6 * len(items), 5.2))
    axes = np.atleast_1d(figure.subplots(1, len(items)))
    for ax, (title, (layout, colours, edges, ringed)) in zip(axes, items, strict=True):
        segments = layout.xy[edges] if len(edges) else np.empty((0, 2, 2))
        size = float(np.clip(30.0 * 500.0 / max(layout.n, 1), 4.0, 80.0))
        ax.add_collection(LineCollection(segments, colors="#777", alpha=0.3, linewidths=0.5))
        ax.scatter(layout.xy[:, 0], layout.xy[:, 1], s=size, c=list(colours), linewidths=0)
        if len(ringed):
            ax.scatter(layout.xy[ringed, 0], layout.xy[ringed, 1], s=size * 2.2,
                       facecolors="none", edgecolors="black", linewidths=1.2)
        ax.set_xlim(0, VIEW)
        ax.set_ylim(VIEW, 0)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(title, fontsize=11)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=colour,
                      markeredgecolor="#555", label=label) for colour, label in legend]
    figure.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4),
                  bbox_to_anchor=(0.5, -0.01), fontsize=9, frameon=False)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    _footer(figure, settings)
    return figure
