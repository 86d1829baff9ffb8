"""``cascade sweep CONFIG.toml``: run a parameter sweep on Dask (see ``sweeps`` and docs/sweeps.md).

Order of work, so that bad input never starts a run nor leaves anything behind: parse the
options, read and check the sweep file and every point of its design, check ``--out``, and only
then start (or connect to) the cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from cli.base import EXIT_FAILURE, PROG, HelpFormatter, UsageError, integer_at_least, one_line

DESCRIPTION = """\
Run a parameter sweep: every run of the design in CONFIG.toml (fixed parameters, axes to vary,
replicates, one master seed), on a Dask cluster, each finished run written at once as
OUT/runs/run-NNNNNN.parquet and, at the end, all of them as OUT/results.parquet.

  cascade sweep experiments/sweep_example.toml --out out/sweeps/example
  cascade sweep big.toml --out out/sweeps/big --resume            # finish an interrupted sweep
  cascade sweep big.toml --scheduler tcp://10.0.0.5:8786          # on an existing cluster

Run i's seed is SeedSequence(seed, spawn_key=(i,)), fixed before dispatch: the results are the
same whatever the number of workers. The file's format is in docs/sweeps.md."""

EPILOG = """\
Exit status: 0 done; 2 bad input (a malformed CONFIG.toml or option: one 'cascade: error:' line
naming the key, and nothing started or written); 1 a run or the cluster failed (the runs written
so far stay: fix the cause and add --resume); 130 interrupted (likewise)."""


def add_parser(subparsers: argparse._SubParsersAction,
               argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep from a TOML file on Dask (resumable, reproducible)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("config", type=Path, metavar="CONFIG.toml", help="the sweep file")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="the sweep directory (default: out/sweeps/<CONFIG name>); it must be new or "
        "empty, or hold this same sweep with --resume",
    )
    parser.add_argument(
        "--workers",
        type=integer_at_least("--workers", 1),
        metavar="N",
        help="worker processes of the local cluster, one thread each (default: the cores "
        "available)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="use the Dask scheduler at ADDRESS (tcp://host:8786, or a scheduler file) "
        "instead of starting a local cluster",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="finish the sweep already in --out: only the missing runs are computed",
    )
    parser.add_argument(
        "--batch",
        type=integer_at_least("--batch", 1),
        metavar="N",
        help="runs per Dask task (default: adaptive, about 0.5 s of work per task)",
    )
    parser.add_argument(
        "--dashboard",
        metavar="HOST:PORT",
        help="address of the local cluster's Dask dashboard (default: 127.0.0.1:8787, or a "
        "free port if that one is taken; 'none' for no dashboard)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check CONFIG.toml and print the design; run nothing, write nothing",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print nothing but errors (no progress bar)"
    )
    parser.set_defaults(handler=run)
    return parser


def _dashboard(raw: str) -> str | None:
    """``HOST:PORT`` (port 0: any free port), ``:PORT`` (on 127.0.0.1), or ``none``."""
    text = raw.strip()
    if text.lower() == "none":
        return None
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(
            f"--dashboard must be HOST:PORT (e.g. 127.0.0.1:8787; port 0 for any free port) "
            f"or none (got {raw!r})"
        )
    return f"{host or '127.0.0.1'}:{int(port)}"


def run(args: argparse.Namespace) -> int:
    from sweeps.runner import DEFAULT_DASHBOARD, default_out, plan

    if args.scheduler is not None and args.workers is not None:
        raise UsageError(
            "--workers is for the local cluster; with --scheduler the cluster's own workers run "
            "the sweep (start more with 'dask worker')"
        )
    if args.scheduler is not None and args.dashboard is not None:
        raise UsageError("--dashboard is for the local cluster; the scheduler has its own")
    dashboard = _dashboard(args.dashboard or DEFAULT_DASHBOARD)

    design, _text = plan(args.config)  # SweepConfigError (a ConfigError): exit 2
    out = args.out if args.out is not None else default_out(args.config)
    if args.dry_run:
        print(dry_run_text(design, out))
        return 0
    return _run_sweep(args, out, dashboard)


def _run_sweep(args: argparse.Namespace, out: Path, dashboard: str | None) -> int:
    from sweeps.execute import SweepRunError
    from sweeps.runner import run_sweep
    from sweeps.store import SweepDirError, count_done

    echo = None if args.quiet else _echo
    try:
        with _sigterm_as_interrupt():
            report = run_sweep(
                args.config,
                out,
                resume=args.resume,
                workers=args.workers,
                scheduler=args.scheduler,
                batch=args.batch,
                dashboard=dashboard,
                progress=not args.quiet,
                echo=echo,
            )
    except SweepDirError as err:
        raise UsageError(str(err)) from None
    except SweepRunError as err:
        done, total = count_done(out)
        print(f"{PROG}: error: {one_line(err)}", file=sys.stderr)
        print(f"{PROG} sweep: {_resume_hint(args, out, done, total)}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        done, total = count_done(out)
        print(f"{PROG} sweep: interrupted; {_resume_hint(args, out, done, total)}",
              file=sys.stderr)
        return 130
    if echo is not None:
        print(finish_text(report))
    return 0


def _echo(line: str) -> None:
    print(line, flush=True)


def _resume_hint(args: argparse.Namespace, out: Path, done: int, total: int) -> str:
    command = f"{PROG} sweep {args.config} --out {out} --resume"
    if args.scheduler:
        command += f" --scheduler {args.scheduler}"
    if not total:  # stopped before the sweep directory was created
        return f"no run was started and nothing was written to {out}/"
    return f"{done:,} of {total:,} runs are in {out}/; '{command}' finishes the sweep"


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """A batch system's SIGTERM (e.g. SLURM at the time limit) stops the sweep as Ctrl-C does:
    runs written so far stay, and --resume finishes it."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def dry_run_text(design, out: Path) -> str:
    spec = design.spec
    lines = [
        f"{spec.source}: {design.describe()}",
        f"  model      {design.model.name}: {design.model.summary}",
        f"  seed       {spec.seed} (run i: SeedSequence({spec.seed}, spawn_key=(i,)))",
        f"  design     {design.hash}",
        f"  out        {out}/",
    ]
    if spec.fixed:
        fixed = ", ".join(f"{k}={v!r}" for k, v in spec.fixed.items())
        lines.append(f"  fixed      {fixed}")
    for axis in spec.axes:
        if axis.kind == "grid":
            values = ", ".join(repr(v) for v in axis.values[:12])
            more = f", ... ({len(axis.values)} values)" if len(axis.values) > 12 else ""
            lines.append(f"  axis       {axis.name}: {values}{more}")
        else:
            kind = ("log-uniform" if axis.log else "uniform") + (", integer" if axis.integer
                                                                  else "")
            lines.append(
                f"  axis       {axis.name}: {kind} in [{axis.low:g}, {axis.high:g}], "
                f"{spec.samples} {spec.sampling} samples"
            )
    lines.append("nothing was run (--dry-run)")
    return "\n".join(lines)


def finish_text(report) -> str:
    outcome = report.outcome
    lines = []
    if outcome is not None and outcome.computed:
        rate = outcome.computed / outcome.wall_s if outcome.wall_s > 0 else float("inf")
        lines.append(
            f"done: {outcome.computed:,} runs in {outcome.wall_s:.1f} s on "
            f"{outcome.threads} worker thread(s) ({rate:.3g} runs/s, {outcome.tasks:,} tasks); "
            f"simulation {outcome.sim_s:.1f} s in all, overhead "
            f"{1000 * outcome.overhead_per_run_s:.1f} ms per run"
        )
    if report.results is not None:
        extra = ", rounds.parquet" if report.design.spec.per_round else ""
        lines.append(
            f"results: {report.results} ({report.design.size:,} runs{extra}); "
            f"plot with '{PROG} plot {report.out}'"
        )
    return "\n".join(lines)
