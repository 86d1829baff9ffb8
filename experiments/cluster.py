"""Dask clusters for every parallel job of the project: experiments and sweeps alike.

- :func:`local_cluster` starts a ``LocalCluster`` on this machine: one process per worker, one
  thread each, ``NUMBA_NUM_THREADS=1`` (and one BLAS thread) in the workers' environment, every
  server (scheduler, workers, dashboard) bound to 127.0.0.1.
- :func:`remote_client` connects to a scheduler started elsewhere (``dask scheduler`` and
  ``dask worker``, or dask-jobqueue on a cluster).

Either way a worker that dies mid-task loses only that task: the scheduler hands it to another
worker (Dask's ``distributed.scheduler.allowed-failures``, 3 by default, bounds how often).
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from typing import Any

import dask
from distributed import Client, LocalCluster

from experiments.errors import ClusterError

#: environment of local worker processes: one thread for Numba and for any BLAS
WORKER_ENV = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
#: Dask settings of the local cluster, for throughput on a small machine: no statistical
#: profiler in the workers (it samples every task's stack 100 times a second; the dashboard's
#: Profile page stays empty), and slower housekeeping ticks. Together they cut the cluster's
#: own CPU use from about 10% of a core to under 2% (measured with two idle workers).
LOCAL_DASK_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}



def available_cores() -> int:
    """The cores this process may use (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def local_cluster(
    workers: int,
    dashboard: str | None = "127.0.0.1:8787",
) -> Iterator[Any]:
    """A ``distributed.Client`` on a new ``LocalCluster`` of ``workers`` single-thread processes.

    Args:
        workers: number of worker processes.
        dashboard: ``host:port`` of the dashboard (port 0: any free port), or None for none.
    """
    # without a dashboard the scheduler still serves /health over HTTP: on any free port
    http = {"dashboard_address": dashboard} if dashboard else {
        "dashboard_address": "127.0.0.1:0", "scheduler_kwargs": {"dashboard": False}}
    with _quiet_dask_logs(), dask.config.set(LOCAL_DASK_CONFIG):
        try:
            with warnings.catch_warnings():
                # "Port 8787 is already in use ... on port N instead": the address shown is N
                warnings.filterwarnings("ignore", message=r"Port \d+ is already in use")
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    env=dict(WORKER_ENV),
                    preload=["experiments._worker"],
                    silence_logs=logging.CRITICAL,
                    **http,
                )
        except (OSError, RuntimeError, ValueError, TimeoutError) as err:
            message = " ".join(str(err).split()) or type(err).__name__
            raise ClusterError(f"cannot start the local Dask cluster: {message}") from None
        try:
            client = Client(cluster)
            try:
                yield client
            finally:
                _close(client)
        finally:
            _close(cluster)


@contextlib.contextmanager
def remote_client(address: str, timeout: float = 10.0) -> Iterator[Any]:
    """A ``distributed.Client`` on an existing scheduler (``tcp://host:port``, or the path of
    a scheduler file as written by ``dask scheduler --scheduler-file``)."""
    kwargs: dict[str, Any]
    if os.path.isfile(address):
        kwargs = {"scheduler_file": address}
    elif "://" in address or ":" in address:
        kwargs = {"address": address}
    else:
        raise ClusterError(f"--scheduler '{address}' is neither a scheduler file that exists "
                           "nor an address such as tcp://127.0.0.1:8786")
    try:
        client = Client(timeout=timeout, **kwargs)
    except (OSError, TimeoutError, ValueError) as err:
        message = " ".join(str(err).split()) or type(err).__name__
        raise ClusterError(f"cannot reach the scheduler at '{address}': {message}") from None
    try:
        yield client
    finally:
        _close(client)


def _close(thing: Any) -> None:
    """Close a client or cluster; a sweep that is ending does not fail on shutdown trouble."""
    with contextlib.suppress(Exception):
        thing.close(timeout=10)


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Dask logs worker restarts, retries and shutdown chatter (at WARNING, some at ERROR);
    a sweep reports what matters itself: a failed run, or a task the cluster gave up on."""
    loggers = [logging.getLogger(n) for n in ("distributed", "distributed.nanny",
                                                "distributed.scheduler", "distributed.worker",
                                                "distributed.core", "tornado")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def total_threads(client: Any) -> int:
    """Worker threads the cluster has now (0 while none has joined)."""
    try:
        return int(sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - a transient comm error: assume one
        return 1
