"""``cascade plot SWEEP_DIR``: charts of a sweep's results (line charts with confidence bands,
heatmaps over two axes), written as PNG files; see :mod:`sweeps.plot`."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cli.base import HelpFormatter, OutputError, UsageError
from sweeps.design import RESERVED
from sweeps.plot import PlotError, heatmap, line_chart
from sweeps.store import SweepDirError, load_manifest, load_results, load_rounds

DESCRIPTION = """\
Draw charts of a sweep (a directory written by 'cascade sweep') as PNG files:

  cascade plot out/sweeps/example                       # every axis, and a heatmap of two
  cascade plot out/sweeps/example --x bridging --hue mpcr --metric final_mean_contribution
  cascade plot out/sweeps/example --heatmap bridging mpcr --metric mean_welfare
  cascade plot out/sweeps/example --x round --hue bridging --where mpcr=0.5   # per round

Line charts show the mean over runs with a Student-t confidence band; runs that differ in
axes not shown (nor fixed with --where) are pooled, and the chart says so. An unfinished
sweep is drawn from the runs written so far."""


def add_parser(subparsers: argparse._SubParsersAction,
               argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plot",
        help="draw a sweep's results: line charts with confidence bands, heatmaps",
        description=DESCRIPTION,
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("sweep_dir", type=Path, metavar="SWEEP_DIR", help="a sweep's --out")
    parser.add_argument(
        "--metric",
        action="append",
        metavar="NAME",
        help="metric to plot (repeat for several; default: the model's headline metric)",
    )
    parser.add_argument("--x", metavar="AXIS", help="line chart against AXIS ('round': per "
                        "round, for sweeps with per_round = true)")
    parser.add_argument("--hue", metavar="AXIS", help="with --x: one line per value of AXIS")
    parser.add_argument(
        "--heatmap", nargs=2, metavar=("X", "Y"), help="heatmap of the metric over axes X and Y"
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only runs whose parameter KEY is VALUE (repeatable)",
    )
    parser.add_argument(
        "--ci",
        type=_level,
        default=0.95,
        metavar="LEVEL",
        help="confidence level of the bands, e.g. 0.95 or 95 (default: 0.95)",
    )
    parser.add_argument(
        "--bins",
        type=_bins,
        metavar="N",
        help="cut numeric axes into N equal bins (default: only axes with more than 20 "
        "values, into 10)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write the PNGs (default: SWEEP_DIR/plots)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not list the files written")
    parser.set_defaults(handler=run)
    return parser


def _level(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if 1 < value < 100:
        value /= 100
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"--ci must be a level between 0 and 1 (or a percentage), e.g. 0.95 (got {raw!r})"
        )
    return value


def _bins(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(f"--bins must be an integer >= 2 (got {raw!r})")
    return value


def run(args: argparse.Namespace) -> int:
    try:
        manifest = load_manifest(args.sweep_dir)
        results = load_results(args.sweep_dir)
    except SweepDirError as err:
        raise UsageError(str(err)) from None
    if results.empty:
        raise UsageError(f"'{args.sweep_dir}' has no finished runs yet")
    if args.hue and not args.x:
        raise UsageError("--hue goes with --x AXIS")
    if args.x and args.heatmap:
        raise UsageError("give --x or --heatmap, not both (run the command twice)")

    parameters = list(manifest.get("parameters", []))
    axes = [a["name"] for a in manifest.get("axes", [])]
    metrics = [c for c in results.columns if c not in RESERVED and c not in parameters]
    per_round = args.x == "round"
    frame = results
    if per_round:
        rounds = load_rounds(args.sweep_dir)
        if rounds is None:
            raise UsageError(
                "--x round needs the per-round tables: run the sweep with per_round = true"
            )
        frame = rounds.merge(results[["run_id", *parameters]], on="run_id", how="inner")
        metrics = [c for c in rounds.columns if c not in ("run_id", "round")]
    frame = _filter(frame, args.where, parameters)
    chosen = args.metric or [_default_metric(manifest, metrics, per_round)]
    for metric in chosen:
        if metric not in metrics:
            kind = "per-round metric" if per_round else "metric"
            raise UsageError(f"--metric: unknown {kind} '{metric}'; allowed: {', '.join(metrics)}")
    allowed_axes = axes or parameters
    for option, name in (("--x", None if per_round else args.x), ("--hue", args.hue)):
        if name is not None and name not in parameters:
            raise UsageError(f"{option}: unknown axis '{name}'; allowed: "
                             f"{', '.join(allowed_axes)}{', round' if option == '--x' else ''}")
    for name in args.heatmap or ():
        if name not in parameters:
            raise UsageError(f"--heatmap: unknown axis '{name}'; allowed: {', '.join(axes)}")
    if args.heatmap and args.heatmap[0] == args.heatmap[1]:
        raise UsageError("--heatmap needs two different axes")

    out = args.out or args.sweep_dir / "plots"
    varying = [a for a in axes if frame[a].nunique(dropna=False) > 1]
    name = manifest.get("name") or Path(args.sweep_dir).name
    total = int(manifest.get("runs", len(results)))
    status = "" if len(results) == total else f" (unfinished: {len(results):,} of {total:,} runs)"
    written: list[Path] = []
    try:
        for metric in chosen:
            if args.heatmap:
                x, y = args.heatmap
                note = _note(name, status, args.where, varying, shown=(x, y))
                path = out / f"heatmap-{_slug(metric)}-{_slug(x)}-{_slug(y)}.png"
                written.append(heatmap(frame, x, y, metric, path, bins=args.bins, note=note))
            elif args.x:
                note = _note(name, status, args.where, varying, shown=(args.x, args.hue))
                suffix = f"-by-{_slug(args.hue)}" if args.hue else ""
                path = out / f"line-{_slug(metric)}-vs-{_slug(args.x)}{suffix}.png"
                written.append(line_chart(frame, args.x, metric, path, hue=args.hue,
                                          level=args.ci, bins=args.bins, note=note))
            else:
                written += _defaults(frame, metric, varying or axes, out, args, name, status)
    except PlotError as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise OutputError(f"cannot write the charts into '{out}': {err}") from None
    if not written:
        raise UsageError(f"'{args.sweep_dir}' has no axes to plot against; give --x AXIS")
    if not args.quiet:
        for path in written:
            print(path)
    return 0


def _defaults(frame, metric, axes, out, args, name, status) -> list[Path]:
    """No chart named: the metric against every varying axis, and a heatmap of the first two."""
    written = []
    for axis in axes:
        note = _note(name, status, args.where, axes, shown=(axis,))
        path = out / f"line-{_slug(metric)}-vs-{_slug(axis)}.png"
        written.append(line_chart(frame, axis, metric, path, level=args.ci, bins=args.bins,
                                  note=note))
    if len(axes) >= 2:
        x, y = axes[0], axes[1]
        note = _note(name, status, args.where, axes, shown=(x, y))
        path = out / f"heatmap-{_slug(metric)}-{_slug(x)}-{_slug(y)}.png"
        written.append(heatmap(frame, x, y, metric, path, bins=args.bins, note=note))
    return written


def _default_metric(manifest: dict[str, Any], metrics: list[str], per_round: bool) -> str:
    if per_round:
        return "mean_contribution" if "mean_contribution" in metrics else metrics[0]
    preferred = manifest.get("default_metric")
    if preferred in metrics:
        return preferred
    if not metrics:
        raise UsageError("the sweep's results have no metric columns")
    return metrics[0]


def _filter(frame, where: list[str], parameters: list[str]):
    for item in where:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--where must be KEY=VALUE (got {item!r})")
        if key not in parameters:
            raise UsageError(f"--where: unknown parameter '{key}'; allowed: "
                             f"{', '.join(parameters)}")
        column = frame[key]
        if column.dtype.kind in "iuf":
            try:
                value = float(raw)
            except ValueError:
                raise UsageError(f"--where {key}: '{raw}' is not a number") from None
            mask = np.isclose(column.to_numpy(dtype=float), value, rtol=1e-9, atol=1e-12)
        elif column.dtype.kind == "b":
            value = raw.strip().lower()
            if value not in ("true", "false"):
                raise UsageError(f"--where {key}: give true or false (got {raw!r})")
            mask = column == (value == "true")
        else:
            mask = column.astype(str) == raw
        if not mask.any():
            shown = ", ".join(sorted(map(str, column.dropna().unique()))[:12])
            raise UsageError(f"--where {key}={raw}: no runs have it; values: {shown}")
        frame = frame[mask]
    return frame


def _note(name: str, status: str, where: list[str], varying: list[str], shown) -> str:
    pooled = [a for a in varying if a not in shown and a not in {w.partition("=")[0]
                                                                 for w in where}]
    parts = [f"sweep {name}{status}"]
    if where:
        parts.append("where " + ", ".join(where))
    if pooled:
        parts.append("pooled over " + ", ".join(pooled))
    return "; ".join(parts)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)
