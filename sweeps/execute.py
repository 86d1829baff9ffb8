"""Running a sweep's runs on Dask and writing each one as it arrives.

The cluster itself (a ``LocalCluster`` on this machine, or a client of an existing scheduler)
comes from :mod:`experiments.cluster`, which experiments share.

- :func:`prepare_workers` installs :class:`WorkerSetup` on every worker, present and future:
  it imports the model and warms it up (loads the compiled kernels) before any run.
- :func:`execute` sends the missing runs in batches (:class:`BatchSizer`), keeps a bounded
  number of batches in flight, and writes every run of a finished batch to the sweep directory
  from this (the client) process, one atomic file per run, as soon as the batch arrives. The
  workers encode each run's file (``sweeps.rows.RowEncoder``); the client writes the bytes.

Each run's seed is a function of the master seed and the run's id alone
(``sweeps.design.run_seed``), so a run gives the same result whichever worker plays it, in
whatever batch, after however many retries: results do not depend on the number of workers.

A worker process that dies mid-batch (killed, out of memory) loses only that batch: the
scheduler hands it to another worker (Dask's ``distributed.scheduler.allowed-failures``, 3 by
default, bounds how often) and the client writes its runs when the retry returns. A run that
*raises* is not retried (the model is deterministic, it would raise again): the sweep stops,
keeps every run written so far and reports the run and the error.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numba
import pyarrow as pa
from distributed import as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from experiments.cluster import ClusterError, total_threads
from experiments.progress import Progress
from sweeps.design import Design, run_seed
from sweeps.models import get_model
from sweeps.rows import RowBuffer, RowEncoder, parquet_bytes
from sweeps.store import SweepDir

#: a batch should take about this long on a worker: long enough that Dask's cost per task
#: (about 4 ms of the client's and scheduler's CPU, measured here, on cores that the workers
#: share on a small machine) is small beside it, short enough that an interruption loses
#: little; the last batches are smaller anyway (see BatchSizer), so no worker idles at the end
TARGET_BATCH_SECONDS = 0.5
#: the largest batch, whatever the runs' speed
MAX_BATCH = 256
#: batches in flight per worker thread: one running, one queued so that no worker waits
IN_FLIGHT_PER_THREAD = 2


#: a run failed, or the cluster could not run the sweep (one line, for the user)
SweepRunError = ClusterError


# ------------------------------------------------------------------------------- workers
class WorkerSetup(WorkerPlugin):
    """A Dask worker plugin: loads the sweep's model in each worker and warms it up.

    Installed with ``client.register_plugin``, it runs on every worker there is and on every
    worker that joins later (adaptive or batch-queue clusters).
    """

    idempotent = True

    def __init__(self, model: str):
        self.model = model

    def setup(self, worker: Any = None) -> None:
        worker_setup(self.model)


def worker_setup(model_name: str) -> dict[str, Any]:
    """Import and warm up ``model_name`` in this process; describe the process."""
    model = get_model(model_name)
    if model.warm_up is not None:
        model.warm_up()
    warm_up_encoding()
    return {
        "pid": os.getpid(),
        "numba_threads": int(numba.config.NUMBA_NUM_THREADS),
        "python": sys.version.split()[0],
    }


def warm_up_encoding() -> None:
    """Import Arrow's Parquet writer and encode a row once (the import alone takes a few tenths
    of a second, which would otherwise land on each worker's first batch)."""
    parquet_bytes(pa.table({"x": [1]}))


def prepare_workers(client: Any, model_name: str) -> dict[str, dict[str, Any]]:
    """Install :class:`WorkerSetup` and return each present worker's description.

    Raises:
        SweepRunError: a worker cannot import the project or the model.
    """
    try:
        client.register_plugin(WorkerSetup(model_name), name=f"cascade-sweep-{model_name}")
        return client.run(worker_setup, model_name)
    except Exception as err:  # noqa: BLE001 - anything a worker raised comes back here
        message = " ".join(str(err).split()) or type(err).__name__
        raise SweepRunError(
            f"the workers cannot load model '{model_name}': {type(err).__name__}: {message} "
            "(install this project, the same version, on every worker)"
        ) from None


# ---------------------------------------------------------------------------- the task
def run_batch(
    model_name: str,
    per_round: bool,
    encoder: RowEncoder,
    items: list[tuple[int, dict[str, Any]]],
) -> list[tuple]:
    """Play runs ``items`` (``(run_id, params)``) in this worker; runs on Dask workers.

    Each run's row is encoded here, as the bytes of its Parquet file (and of its per-round
    table), so that the client only has to write them. Returns one tuple per run,
    ``("ok", run_id, row, row_bytes, rounds_bytes_or_None, elapsed_s)``; an exception ends the
    list with ``("error", run_id, message, traceback)`` (later runs of the batch are not
    played).
    """
    numba.set_num_threads(1)  # per thread; the local cluster's env already sets it process-wide
    model = get_model(model_name)
    out: list[tuple] = []
    for group in _same_point(items, model.run_replicates is not None):
        start = time.perf_counter()
        try:
            played = _play(model, per_round, group, encoder.seed)
        except Exception as err:  # noqa: BLE001 - reported to the client with the run's id
            message = " ".join(f"{type(err).__name__}: {err}".split())
            out.append(("error", group[0][0], message, traceback.format_exc()))
            break
        elapsed = (time.perf_counter() - start) / len(group)
        failed = False
        for (run_id, params), (metrics, rounds) in zip(group, played, strict=True):
            try:
                row, data = encoder.encode(run_id, params, dict(metrics), elapsed)
                extra = None if rounds is None else encoder.encode_rounds(run_id, rounds)
            except Exception as err:  # noqa: BLE001 - e.g. a metric named like a parameter
                message = " ".join(f"cannot record the results: {err}".split())
                out.append(("error", run_id, message, traceback.format_exc()))
                failed = True
                break
            out.append(("ok", run_id, row, data, extra, elapsed))
        if failed:
            break
    return out


def _same_point(items: list[tuple[int, dict[str, Any]]],
                together: bool) -> list[list[tuple[int, dict[str, Any]]]]:
    """Consecutive runs with the same parameters (a design point's replicates), grouped when
    the model can play them ``together`` (one ensemble); else one run per group."""
    groups: list[list[tuple[int, dict[str, Any]]]] = []
    for item in items:
        if together and groups and groups[-1][0][1] == item[1]:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _play(model, per_round: bool, group: list[tuple[int, dict[str, Any]]],
          master: int) -> list[tuple[Any, Any]]:
    """(metrics, per-round table or None) of each run of ``group``, each with its own seed."""
    seeds = [run_seed(master, run_id) for run_id, _ in group]
    params = group[0][1]
    if len(group) > 1:
        return model.run_replicates(params, seeds, per_round)
    if per_round:
        assert model.run_rounds is not None
        return [model.run_rounds(params, seeds[0])]
    return [(model.run(params, seeds[0]), None)]


# --------------------------------------------------------------------------- batch sizes
@dataclass
class BatchSizer:
    """How many runs to put in the next task.

    With ``fixed`` set, always that many. Otherwise one run per task until the first results
    say how long a run takes, then as many runs as fill :data:`TARGET_BATCH_SECONDS`, but never
    more than a ``1 / (2 x threads)`` share of the runs still to send: guided self-scheduling
    (Polychronopoulos & Kuck 1987), halved because each thread has a second batch queued
    (:data:`IN_FLIGHT_PER_THREAD`); batches shrink towards the end, so that the workers finish
    together.
    """

    fixed: int | None = None
    runs_timed: int = 0
    seconds: float = 0.0

    def record(self, elapsed: float) -> None:
        self.runs_timed += 1
        self.seconds += elapsed

    def next(self, remaining: int, threads: int) -> int:
        if self.fixed is not None:
            return max(1, min(self.fixed, remaining))
        if self.runs_timed == 0:
            return 1
        mean = self.seconds / self.runs_timed
        by_time = int(TARGET_BATCH_SECONDS / mean) if mean > 0 else MAX_BATCH
        by_share = math.ceil(remaining / (IN_FLIGHT_PER_THREAD * max(threads, 1)))
        return max(1, min(by_time, by_share, MAX_BATCH, remaining))


# ----------------------------------------------------------------------------- the loop
@dataclass
class Outcome:
    """What :func:`execute` did.

    Attributes:
        total: runs in the design.
        done_before: runs that were already written when it started.
        computed: runs computed and written by this call.
        wall_s: seconds from the first dispatch to the last run written.
        sim_s: the runs' own time inside their tasks, summed (``elapsed_s`` of each row).
        threads: worker threads at the start.
        tasks: Dask tasks sent.
        client_cpu_s: CPU seconds this (the client) process used meanwhile: receiving results,
            writing run files, and, with a local cluster, the scheduler, which runs here.
        rows: this call's rows, kept for ``results.parquet``.
    """

    total: int
    done_before: int
    computed: int = 0
    wall_s: float = 0.0
    sim_s: float = 0.0
    threads: int = 0
    tasks: int = 0
    client_cpu_s: float = 0.0
    rows: RowBuffer = field(default_factory=RowBuffer, repr=False)

    @property
    def overhead_per_run_s(self) -> float:
        """(wall time x worker threads - simulation time) / runs: what each run costs beyond
        its own computation (dispatch, transfer, writing, idle workers at the end)."""
        if not self.computed:
            return 0.0
        return (self.wall_s * self.threads - self.sim_s) / self.computed


def execute(
    design: Design,
    store: SweepDir,
    client: Any,
    done: set[int],
    *,
    batch: int | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Compute every run of ``design`` not in ``done`` on ``client`` and write it to ``store``.

    Raises:
        SweepRunError: a run raised, or the cluster gave up on a task (e.g. it killed more
            workers than ``allowed-failures``). Runs written before stay written.
        KeyboardInterrupt: passed on after cancelling what is in flight.
    """
    pending = deque(i for i in range(design.size) if i not in done)
    outcome = Outcome(total=design.size, done_before=len(done))
    if not pending:
        return outcome
    sizer = BatchSizer(fixed=batch)
    threads = total_threads(client)
    outcome.threads = threads
    threads_checked = time.monotonic()
    token = uuid.uuid4().hex[:8]
    in_flight: dict[Any, list[int]] = {}
    # results are fetched by the client's event loop as tasks finish, not one by one here
    finished = as_completed(with_results=True, raise_errors=False)
    model_name, per_round, encoder = design.model.name, design.spec.per_round, store.encoder

    def submit_more() -> None:
        nonlocal threads, threads_checked
        if time.monotonic() - threads_checked > 10.0:  # clusters grow and shrink
            threads, threads_checked = total_threads(client), time.monotonic()
        window = IN_FLIGHT_PER_THREAD * max(threads, 1)
        while pending and len(in_flight) < window:
            size = sizer.next(len(pending), threads)
            ids = [pending.popleft() for _ in range(size)]
            items = [(i, design.params(i)) for i in ids]
            future = client.submit(
                run_batch,
                model_name,
                per_round,
                encoder,
                items,
                key=f"cascade-sweep-{design.hash}-{token}-{ids[0]}",
                pure=False,
                retries=0,
            )
            in_flight[future] = ids
            finished.add(future)
            outcome.tasks += 1

    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        submit_more()
        for future, records in finished:
            ids = in_flight.pop(future)
            if future.status != "finished":
                error = records[1] if isinstance(records, tuple) else records
                message = " ".join(str(error).split()) or type(error).__name__
                raise SweepRunError(
                    f"the cluster could not run runs {ids[0]}..{ids[-1]}: "
                    f"{type(error).__name__}: {message}"
                )
            future.release()
            for record in records:
                if record[0] == "error":
                    _, run_id, message, _tb = record
                    point, replicate = design.point_of(run_id)
                    raise SweepRunError(
                        f"run {run_id} (point {point}, replicate {replicate}) failed: {message}"
                    )
                _, run_id, row, data, extra, elapsed = record
                try:
                    store.write_encoded(run_id, data, extra)
                except OSError as err:
                    raise SweepRunError(
                        f"cannot write run {run_id} into {store.path}/: {err}"
                    ) from None
                outcome.rows.add(run_id, row)
                outcome.computed += 1
                outcome.sim_s += elapsed
                sizer.record(elapsed)
                if progress is not None:
                    progress.update(1)
            submit_more()
    finally:
        outcome.wall_s = time.perf_counter() - start
        outcome.client_cpu_s = time.process_time() - cpu_start
        if in_flight:
            with contextlib.suppress(Exception):
                client.cancel(list(in_flight), force=True)
    return outcome
