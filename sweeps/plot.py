"""Charts of a sweep's results: a metric against an axis with confidence bands, and heatmaps.

- :func:`summarise` groups runs by an axis (and optionally a second, ``hue``) and gives the
  mean of a metric with a Student-t confidence interval over the runs in each group (the
  replicates, and every value of the axes not shown, which are pooled).
- :func:`line_chart` draws it: one line per ``hue`` value, the interval as a shaded band.
- :func:`heatmap` shows the mean of a metric over two axes.

Axes with many distinct values (sampled axes) are cut into equal-width bins first
(:func:`bin_axis`), each shown at its mid-point.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.analysis.stats import t_quantile

#: an axis with more distinct values than this is binned for charts
MAX_LEVELS = 20
DEFAULT_BINS = 10
#: at most this many lines in one chart
MAX_HUES = 12


class PlotError(ValueError):
    """The chart asked for cannot be drawn from this sweep (one line, for the user)."""


def bin_axis(values: Any, bins: int) -> Any:
    """``values`` (a pandas Series of numbers) replaced by the mid-point of their bin."""
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return values.astype(float)
    edges = np.linspace(low, high, bins + 1)
    index = np.clip(np.searchsorted(edges, values.to_numpy(dtype=float), side="right") - 1,
                    0, bins - 1)
    mids = (edges[:-1] + edges[1:]) / 2.0
    return pd.Series(mids[index], index=values.index, name=values.name)


def prepare_axis(
    frame: Any, name: str, bins: int | None, keep_integers: bool = False
) -> tuple[Any, bool]:
    """The column to group by: the axis itself, or its bins. Returns (column, binned).

    Numeric axes are binned when ``bins`` is given, or when they have more than
    :data:`MAX_LEVELS` values, unless ``keep_integers`` and they are whole numbers (rounds, a
    line chart's integer axis: a line through every value reads well).
    """
    column = frame[name]
    numeric = column.dtype.kind in "iuf"
    if bins is not None and numeric:
        return bin_axis(column, bins), True
    if keep_integers and column.dtype.kind in "iu":
        return column, False
    if numeric and column.nunique() > MAX_LEVELS:
        return bin_axis(column, DEFAULT_BINS), True
    return column, False


def summarise(
    frame: Any,
    x: str,
    metric: str,
    hue: str | None = None,
    level: float = 0.95,
    bins: int | None = None,
) -> Any:
    """Mean of ``metric`` by ``x`` (and ``hue``) with a ``level`` t-interval.

    Returns a DataFrame with columns ``[hue,] x, mean, low, high, runs``; ``low`` and ``high``
    are NaN where a group has one run.
    """
    column = prepare_axis(frame, x, bins, keep_integers=True)[0]
    data = pd.DataFrame({x: column, metric: frame[metric]})
    keys = [x]
    if hue is not None:
        data[hue] = frame[hue]
        keys = [hue, x]
    data = data.dropna(subset=[metric])
    grouped = data.groupby(keys, sort=True)[metric]
    out = grouped.agg(mean="mean", sd="std", runs="count").reset_index()
    half = [
        t_quantile(level, n - 1) * sd / math.sqrt(n) if n > 1 else math.nan
        for sd, n in zip(out["sd"], out["runs"], strict=True)
    ]
    out["low"] = out["mean"] - np.asarray(half)
    out["high"] = out["mean"] + np.asarray(half)
    return out[[*keys, "mean", "low", "high", "runs"]]


def line_chart(
    frame: Any,
    x: str,
    metric: str,
    path: Path,
    *,
    hue: str | None = None,
    level: float = 0.95,
    bins: int | None = None,
    title: str = "",
    note: str = "",
) -> Path:
    """Mean of ``metric`` against ``x`` with a shaded ``level`` confidence band, one line per
    ``hue`` value; written as a PNG to ``path`` (atomically)."""
    table = summarise(frame, x, metric, hue=hue, level=level, bins=bins)
    if table.empty:
        raise PlotError(f"no values of '{metric}' to plot")
    fig, ax = _figure((8, 5))
    groups = [(None, table)] if hue is None else list(table.groupby(hue, sort=True))
    if len(groups) > MAX_HUES:
        raise PlotError(
            f"--hue {hue} has {len(groups)} values; at most {MAX_HUES} lines fit in a chart "
            "(fix some with --where, or choose another axis)"
        )
    categorical = table[x].dtype.kind not in "iuf"
    positions = {v: i for i, v in enumerate(sorted(table[x].unique(), key=str))}
    for i, (value, part) in enumerate(groups):
        color = f"C{i % 10}"
        xs = part[x].map(positions) if categorical else part[x]
        label = None if hue is None else f"{hue} = {_fmt(value)}"
        marker = "o" if len(part) <= 25 else None
        ax.plot(xs, part["mean"], color=color, marker=marker, ms=4, label=label)
        ax.fill_between(xs, part["low"], part["high"], color=color, alpha=0.2, linewidth=0)
    if categorical:
        ax.set_xticks(list(positions.values()), [str(v) for v in positions])
    ax.set_xlabel(x)
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    runs = frame["run_id"].nunique() if "run_id" in frame else len(frame)
    band = f"mean and {level:.0%} t-interval over {runs:,} runs"
    if hue is not None:
        ax.legend(fontsize="small", title=band, title_fontsize="small")
    else:
        ax.text(0.01, 0.99, band, transform=ax.transAxes, va="top", fontsize="small",
                color="0.3")
    _titles(fig, title or f"{metric} against {x}", note)
    return _save(fig, path)


def heatmap(
    frame: Any,
    x: str,
    y: str,
    metric: str,
    path: Path,
    *,
    bins: int | None = None,
    title: str = "",
    note: str = "",
) -> Path:
    """Mean of ``metric`` in each cell of ``x`` by ``y`` (runs pooled), as a PNG at ``path``."""
    data = pd.DataFrame(
        {
            x: prepare_axis(frame, x, bins)[0],
            y: prepare_axis(frame, y, bins)[0],
            metric: frame[metric],
        }
    ).dropna(subset=[metric])
    if data.empty:
        raise PlotError(f"no values of '{metric}' to plot")
    grid = data.pivot_table(index=y, columns=x, values=metric, aggfunc="mean", sort=True)
    counts = data.pivot_table(index=y, columns=x, values=metric, aggfunc="count", sort=True)
    fig, ax = _figure((8, 6))
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto",
                      cmap="viridis", interpolation="nearest")
    ax.set_xticks(range(len(grid.columns)), [_fmt(v) for v in grid.columns],
                  rotation=45 if len(grid.columns) > 8 else 0)
    ax.set_yticks(range(len(grid.index)), [_fmt(v) for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"mean {metric}")
    values = grid.to_numpy(dtype=float)
    if values.size <= 225:
        finite = values[np.isfinite(values)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        for (row, col), value in np.ndenumerate(values):
            if math.isfinite(value):
                ax.text(col, row, f"{value:.3g}", ha="center", va="center", fontsize="x-small",
                        color="black" if value > middle else "white")
    runs_per_cell = int(counts.to_numpy(dtype=float)[np.isfinite(values)].min())
    extra = f"at least {runs_per_cell} runs per cell"
    _titles(fig, title or f"{metric} over {x} and {y}", f"{note}; {extra}" if note else extra)
    return _save(fig, path)


# ------------------------------------------------------------------------------ helpers
def _figure(size: Sequence[float]):
    fig = Figure(figsize=tuple(size), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _titles(fig, title: str, note: str) -> None:
    fig.suptitle(title + (f"\n{note}" if note else ""), fontsize="medium")


def _save(fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=120, format="png")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return str(value)
