"""Drawings for the browser app: a fixed network layout, the network as SVG, charts as PNG.

The layout is computed once per network (spring layout, seeded) and reused every round, so the
drawing does not jump and a round only recolours the nodes. The network and the charts on the
page are inline SVG written here (one ``<circle>`` per person, one ``<path>`` for all ties, one
``<polyline>`` per policy): a round costs the server a few milliseconds and tests can count
what is drawn. The PNG downloads are matplotlib figures (``Figure``, not pyplot, so sessions in
threads do not share state).
"""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.graph import CSRGraph

#: side of the SVG view box; positions are scaled into [MARGIN, VIEW - MARGIN]
VIEW = 1000.0
MARGIN = 20.0
#: colours of network roles (sim.ties.roles): brokers span teams, connectors hold them
ROLE_COLOURS = {"broker": "#d62728", "connector": "#1f77b4", "other": "#c7c7c7"}
#: contribution colour scale: red gives nothing, green gives the whole endowment
CONTRIBUTION_MAP = "RdYlGn"
_LAYOUT_CACHE_SIZE = 16


@dataclass(frozen=True)
class Layout:
    """Node positions in SVG units and the ties as one SVG path, computed once per network."""

    xy: np.ndarray  # (n, 2) float, y grows downwards as in SVG
    ties_path: str
    edges: np.ndarray  # (m, 2) int, each tie once

    @property
    def n(self) -> int:
        return len(self.xy)


_layouts: OrderedDict[tuple[str, int], Layout] = OrderedDict()


def graph_fingerprint(graph: CSRGraph) -> str:
    """A hash of the network's ties, so equal networks share one layout."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.ascontiguousarray(graph.indptr, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(graph.indices, dtype=np.int64).tobytes())
    return digest.hexdigest()


def network_layout(graph: CSRGraph, seed: int) -> Layout:
    """The seeded spring layout (Fruchterman & Reingold 1991) of ``graph``, cached.

    Computed once per (network, seed) and reused across rounds, resets that rebuild the same
    network, and the two runs of a side-by-side comparison.
    """
    key = (graph_fingerprint(graph), int(seed))
    cached = _layouts.get(key)
    if cached is not None:
        _layouts.move_to_end(key)
        return cached
    g = graph.to_networkx()
    n = graph.n
    if n == 1:
        raw = np.zeros((1, 2))
    else:
        iterations = 50 if n <= 1000 else 30
        start = _team_start(graph, seed)
        pos = nx.spring_layout(g, seed=int(seed) % 2**32, iterations=iterations, pos=start)
        raw = np.array([pos[i] for i in range(n)], dtype=np.float64)
    xy = _fit(raw)
    src = np.repeat(np.arange(n), np.diff(graph.indptr))
    dst = np.asarray(graph.indices, dtype=np.int64)
    keep = src < dst
    edges = np.column_stack([src[keep], dst[keep]])
    layout = Layout(xy=xy, ties_path=_ties_path(xy, edges), edges=edges)
    _layouts[key] = layout
    while len(_layouts) > _LAYOUT_CACHE_SIZE:
        _layouts.popitem(last=False)
    return layout


def _team_start(graph: CSRGraph, seed: int) -> dict[int, tuple[float, float]] | None:
    """Starting positions that put each team (silo) in its own patch, or None without teams.

    Team centres lie on a sunflower spiral; members start scattered around their centre, so
    the spring layout begins from visible silos instead of a random cloud.
    """
    if graph.team is None:
        return None
    team = np.asarray(graph.team, dtype=np.int64)
    k = int(team.max()) + 1
    angle = np.arange(k) * np.pi * (3.0 - np.sqrt(5.0))
    radius = np.sqrt((np.arange(k) + 0.5) / k)
    centres = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    rng = np.random.default_rng(int(seed) % 2**32)
    spread = 0.6 / np.sqrt(k)
    xy = centres[team] + rng.normal(0.0, spread / 2, size=(graph.n, 2))
    return {i: (float(x), float(y)) for i, (x, y) in enumerate(xy.tolist())}


def _fit(raw: np.ndarray) -> np.ndarray:
    """Scale positions into the view box, y flipped (SVG's y grows downwards)."""
    low, high = raw.min(axis=0), raw.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    unit = (raw - low) / span
    unit[:, 1] = 1.0 - unit[:, 1]
    return MARGIN + unit * (VIEW - 2 * MARGIN)


def _ties_path(xy: np.ndarray, edges: np.ndarray) -> str:
    if len(edges) == 0:
        return ""
    a, b = xy[edges[:, 0]], xy[edges[:, 1]]
    return "".join(
        f"M{x0:.1f} {y0:.1f}L{x1:.1f} {y1:.1f}"
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


def role_colours(roles: Sequence[str]) -> np.ndarray:
    """One hex colour per person from its network role (broker, connector, other)."""
    other = ROLE_COLOURS["other"]
    return np.array([ROLE_COLOURS.get(str(r), other) for r in roles])


def contribution_legend() -> list[tuple[str, str]]:
    """(colour, label) pairs for the contribution scale."""
    return [(_SCALE_HEX[0], "gives nothing"), (_SCALE_HEX[50], "gives half"),
            (_SCALE_HEX[100], "gives everything")]


def role_legend() -> list[tuple[str, str]]:
    """(colour, label) pairs for network roles."""
    return [(ROLE_COLOURS["broker"], "broker (bridges teams)"),
            (ROLE_COLOURS["connector"], "connector (holds a team together)"),
            (ROLE_COLOURS["other"], "other")]


# ------------------------------------------------------------------------------- SVG
def network_svg(
    layout: Layout,
    colours: Sequence[str],
    *,
    highlighted: np.ndarray | None = None,
    label: str = "",
) -> str:
    """The network as an inline SVG: ties in grey, one circle per person in its colour.

    Args:
        layout: positions and ties from :func:`network_layout`.
        colours: one CSS colour per person.
        highlighted: people drawn with a black ring (e.g. a campaign team).
        label: the SVG's accessible name.
    """
    n = layout.n
    radius = float(np.clip(9.0 * np.sqrt(500.0 / max(n, 1)), 2.5, 14.0))
    ring = np.zeros(n, dtype=bool)
    if highlighted is not None and len(highlighted):
        ring[np.asarray(highlighted, dtype=np.int64)] = True
    circles = []
    for i, ((x, y), colour, r) in enumerate(zip(layout.xy.tolist(), colours, ring, strict=True)):
        stroke = ' stroke="#000" stroke-width="3"' if r else ""
        circles.append(
            f'<circle data-node="{i}" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
            f'fill="{colour}"{stroke}/>'
        )
    title = _escape(label)
    return (
        f'<svg class="cascade-network-svg" viewBox="0 0 {VIEW:g} {VIEW:g}" role="img" '
        f'aria-label="{title}" data-nodes="{n}" style="width:100%;max-width:640px;'
        f'height:auto;display:block">'
        f'<path d="{layout.ties_path}" stroke="#888" stroke-opacity="0.35" stroke-width="1.2" '
        f'fill="none"/><g class="people">{"".join(circles)}</g></svg>'
    )


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# ------------------------------------------------------------------------------ PNGs
def to_png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


#: the charted metrics and their plain-language axis titles
CHARTED = {
    "mean_contribution": "Mean contribution (MU per round)",
    "welfare": "Welfare (mean payoff per person)",
}


def charts_figure(series: Mapping[str, pd.DataFrame], endowment: float) -> Figure:
    """Mean contribution and welfare over rounds, one line per policy, on shared charts.

    Args:
        series: policy label -> a frame with ``round`` and the :data:`CHARTED` columns.
        endowment: the endowment E, the top of the contribution axis.
    """
    figure = Figure(figsize=(9.0, 3.4))
    axes = figure.subplots(1, 2)
    styles = ["-", "--", ":", "-."]
    for (label, frame), style in zip(series.items(), styles * 4, strict=False):
        for ax, metric in zip(axes, CHARTED, strict=True):
            marker = "o" if len(frame) <= 30 else None
            ax.plot(frame["round"], frame[metric], style, marker=marker, markersize=3,
                    linewidth=2, label=label)
    for ax, (metric, title) in zip(axes, CHARTED.items(), strict=True):
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("round")
        ax.grid(alpha=0.3)
        if metric == "mean_contribution":
            ax.set_ylim(0, endowment)
    if any(len(frame) for frame in series.values()):
        axes[0].legend(fontsize=9, loc="best")
    else:
        for ax in axes:
            ax.text(0.5, 0.5, "press Step or Play", ha="center", va="center",
                    transform=ax.transAxes, color="#777")
    figure.tight_layout()
    return figure


#: line colours of the policies on a chart, in order
LINE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
_DASHES = ["", "7 4", "2 3", "7 3 2 3"]


def charts_svg(series: Mapping[str, pd.DataFrame], endowment: float) -> str:
    """Mean contribution and welfare over rounds as one inline SVG, one line per policy.

    The same charts as :func:`charts_figure` (the PNG download), drawn as SVG because the
    page redraws them every round and matplotlib takes a large part of a round's budget.
    """
    width, height, gap = 360.0, 170.0, 14.0
    panels = []
    for k, (metric, title) in enumerate(CHARTED.items()):
        values = [np.asarray(f[metric], dtype=np.float64) for f in series.values()]
        rounds = max((len(v) for v in values), default=0)
        if metric == "mean_contribution":
            low, high = 0.0, float(endowment)
        else:
            finite = np.concatenate([v for v in values if len(v)] or [np.zeros(1)])
            low, high = _nice_range(float(finite.min()), float(finite.max()))
        panels.append(_panel(k * (height + gap), width, height, title, values,
                             max(rounds, 2), low, high))
    legend = "".join(
        f'<g transform="translate({10 + 180 * i},{2 * height + gap + 18})">'
        f'<line x1="0" y1="0" x2="26" y2="0" stroke="{LINE_COLOURS[i % 4]}" stroke-width="2.5"'
        f' stroke-dasharray="{_DASHES[i % 4]}"/><text x="32" y="4">{_escape(label)}</text></g>'
        for i, label in enumerate(series)
    )
    total_w, total_h = width, 2 * height + gap + 28
    return (
        f'<svg class="cascade-chart-svg" viewBox="0 0 {total_w:g} {total_h:g}" '
        f'role="img" aria-label="mean contribution and welfare over rounds" '
        f'style="width:100%;max-width:520px;height:auto;display:block;font:11px sans-serif">'
        f'{"".join(panels)}{legend}</svg>'
    )


def _nice_range(low: float, high: float) -> tuple[float, float]:
    """An axis range with some room around [low, high]."""
    if not np.isfinite(low) or not np.isfinite(high):
        return 0.0, 1.0
    if high - low < 1e-9:
        pad = max(abs(high) * 0.05, 1.0)
        return low - pad, high + pad
    pad = 0.08 * (high - low)
    return low - pad, high + pad


def _panel(y0: float, width: float, height: float, title: str, values: list[np.ndarray],
           rounds: int, low: float, high: float) -> str:
    """One chart, ``y0`` from the top of the SVG: frame, ticks, one polyline per policy."""
    x0, left, top, bottom = 0.0, 44.0, y0 + 20.0, 30.0
    plot_w, plot_h = width - left - 8.0, height - 20.0 - bottom

    def sx(r: float) -> float:
        return x0 + left + (r - 1) / (rounds - 1) * plot_w

    def sy(v: float) -> float:
        return top + (1.0 - (v - low) / (high - low)) * plot_h

    parts = [f'<text x="{x0 + width / 2:.1f}" y="{y0 + 12:.1f}" text-anchor="middle" '
             f'font-weight="bold">{_escape(title)}</text>',
             f'<rect x="{x0 + left:.1f}" y="{top:.1f}" width="{plot_w:.1f}" '
             f'height="{plot_h:.1f}" fill="none" stroke="#999"/>']
    for tick in np.linspace(low, high, 5):
        y = sy(tick)
        parts.append(f'<line x1="{x0 + left:.1f}" x2="{x0 + left + plot_w:.1f}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="#eee"/><text x="{x0 + left - 4:.1f}" '
                     f'y="{y + 4:.1f}" text-anchor="end">{tick:.3g}</text>')
    for tick in sorted({1, *np.linspace(1, rounds, 5).round().astype(int).tolist()}):
        parts.append(f'<text x="{sx(tick):.1f}" y="{top + plot_h + 14:.1f}" '
                     f'text-anchor="middle">{tick}</text>')
    parts.append(f'<text x="{x0 + left + plot_w / 2:.1f}" y="{top + plot_h + 27:.1f}" '
                 f'text-anchor="middle" fill="#555">round</text>')
    for i, v in enumerate(values):
        if not len(v):
            continue
        points = " ".join(f"{sx(r + 1):.1f},{sy(y):.1f}" for r, y in enumerate(v.tolist()))
        colour, dash = LINE_COLOURS[i % 4], _DASHES[i % 4]
        parts.append(f'<polyline data-line="{i}" points="{points}" fill="none" '
                     f'stroke="{colour}" stroke-width="2.2" stroke-dasharray="{dash}"/>')
        if len(v) <= 30:
            parts.extend(f'<circle cx="{sx(r + 1):.1f}" cy="{sy(y):.1f}" r="2.2" '
                         f'fill="{colour}"/>' for r, y in enumerate(v.tolist()))
    if not any(len(v) for v in values):
        parts.append(f'<text x="{x0 + left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" '
                     f'text-anchor="middle" fill="#777">press Step or Play</text>')
    return "".join(parts)


def network_figure(
    layout: Layout, colours_by_panel: Mapping[str, Sequence[str]]
) -> Figure:
    """The network(s) as a matplotlib figure (for the PNG download), one panel per policy."""
    panels = list(colours_by_panel.items())
    figure = Figure(figsize=(5.0 * len(panels), 5.0))
    axes = np.atleast_1d(figure.subplots(1, len(panels)))
    segments = layout.xy[layout.edges] if len(layout.edges) else np.empty((0, 2, 2))
    size = float(np.clip(30.0 * 500.0 / max(layout.n, 1), 4.0, 80.0))
    for ax, (title, colours) in zip(axes, panels, strict=True):
        ax.add_collection(LineCollection(segments, colors="#888", alpha=0.35, linewidths=0.6))
        ax.scatter(layout.xy[:, 0], layout.xy[:, 1], s=size, c=list(colours), linewidths=0)
        ax.set_xlim(0, VIEW)
        ax.set_ylim(VIEW, 0)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(title, fontsize=11)
    figure.tight_layout()
    return figure
