"""One call that runs a sweep file end to end: :func:`run_sweep` (behind ``cascade sweep``).

Order of work, so that bad input never starts a run nor leaves anything behind: read and check
the file, expand and check every point of the design, check (or create) the output directory,
connect to the cluster, warm the workers up, compute the missing runs, write
``results.parquet``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.cluster import available_cores, local_cluster, remote_client
from experiments.progress import Progress
from sweeps.design import Design, expand
from sweeps.execute import Outcome, execute, prepare_workers
from sweeps.spec import load
from sweeps.store import RESULTS_FILE, SweepDir

DEFAULT_DASHBOARD = "127.0.0.1:8787"


@dataclass
class SweepReport:
    """What :func:`run_sweep` did.

    Attributes:
        design: the expanded design.
        out: the sweep directory.
        outcome: the runs computed now, with timings (None if nothing was left to compute).
        results: ``results.parquet`` (None if the sweep did not finish).
        startup_s: seconds to connect to (or start) the cluster and warm up its workers.
        dashboard: the Dask dashboard's address, if there is one.
        workers: the workers' descriptions (pid, Numba threads, Python version) by address.
    """

    design: Design
    out: Path
    outcome: Outcome | None
    results: Path | None
    startup_s: float = 0.0
    dashboard: str | None = None
    workers: dict[str, dict[str, Any]] | None = None


def default_out(config: str | os.PathLike) -> Path:
    return Path("out") / "sweeps" / Path(config).stem


def plan(config: str | os.PathLike) -> tuple[Design, str]:
    """Read, check and expand the sweep file; return the design and the file's text.

    Raises:
        SweepConfigError: anything wrong in the file or in any point of its design.
    """
    spec = load(config)
    return expand(spec), Path(config).read_text(encoding="utf-8")


def run_sweep(
    config: str | os.PathLike,
    out: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    batch: int | None = None,
    dashboard: str | None = DEFAULT_DASHBOARD,
    progress: bool = True,
    echo: Callable[[str], None] | None = print,
) -> SweepReport:
    """Run the sweep file ``config`` into ``out`` and return a :class:`SweepReport`.

    Args:
        config: the sweep's TOML file.
        out: the sweep directory (default ``out/sweeps/<file name>``).
        resume: finish the sweep already in ``out`` (only missing runs are computed).
        workers: worker processes of the local cluster (default: the cores available).
        scheduler: address of an existing Dask scheduler (``tcp://host:8786``) or its scheduler
            file, instead of a local cluster.
        client: an existing ``distributed.Client`` (e.g. on a dask-jobqueue cluster), instead
            of either.
        batch: runs per Dask task (default: adaptive, see ``sweeps.execute.BatchSizer``).
        dashboard: the local cluster's dashboard address (None: no dashboard).
        progress: show a progress bar (or progress lines) on stderr.
        echo: where informational lines go (None: nowhere).

    Raises:
        SweepConfigError: the file is malformed (nothing was started or written).
        SweepDirError: ``out`` cannot take this sweep (nothing was started or written).
        SweepRunError: a run failed, or the cluster could not run the sweep (the runs
            written so far stay; ``resume=True`` finishes the sweep).
        KeyboardInterrupt: interrupted (the runs written so far stay).
    """
    say = echo or (lambda _line: None)
    design, text = plan(config)
    out = Path(out) if out is not None else default_out(config)
    store = SweepDir(out, design)
    done = store.check(resume=resume)  # None: a new sweep, created once the cluster is up
    report = SweepReport(design=design, out=out, outcome=None, results=None)
    label = design.spec.name or Path(config).stem
    say(f"sweep {label}: {design.describe()}; model {design.model.name}; design {design.hash}")
    if done is not None and len(done) == design.size:
        say(f"all {design.size:,} runs are already in {out}/")
        if not (out / RESULTS_FILE).is_file():
            report.results = store.consolidate()
        else:
            report.results = out / RESULTS_FILE
        return report
    if done:
        say(f"resuming: {len(done):,} runs already in {out}/, {design.size - len(done):,} to go")

    started = time.perf_counter()
    with _connect(client, scheduler, workers, dashboard) as active:
        local = client is None and scheduler is None
        if not (local and dashboard is None):
            report.dashboard = getattr(active, "dashboard_link", None)
        if report.dashboard:
            say(f"Dask dashboard: {report.dashboard}")
        report.workers = prepare_workers(active, design.model.name)
        report.startup_s = time.perf_counter() - started
        if done is None:
            store.create(text)
            done = set()
        say(
            f"{len(report.workers)} worker(s) ready in {report.startup_s:.1f} s; "
            f"writing to {out}/"
        )
        bar = Progress(design.size, len(done), enabled=progress, label="sweep")
        try:
            report.outcome = execute(design, store, active, done, batch=batch, progress=bar)
        finally:
            bar.close()
    report.results = store.consolidate(fresh=report.outcome.rows)
    return report


@contextlib.contextmanager
def _connect(client: Any, scheduler: str | None, workers: int | None, dashboard: str | None):
    if client is not None:
        yield client
    elif scheduler is not None:
        with remote_client(scheduler) as remote:
            yield remote
    else:
        with local_cluster(workers or available_cores(), dashboard=dashboard) as local:
            yield local
