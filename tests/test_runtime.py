"""Tests for the experiment runtime (experiments/runtime.py): one experiment, run every way.

The ``policies`` experiment, small (60 agents, 8 rounds, 4 worlds per cell, 2 networks x 2
policies x 2 populations = 8 tasks), run in this process with one worker is the reference; the
same experiment on a ``LocalCluster`` of 2 workers and on an external Dask scheduler (started
here with ``dask scheduler`` and ``dask worker``, one of whose workers is killed while it holds
tasks) must print the same JSON, timings aside. Also: ``--out`` writes everything or nothing, a
scheduler that cannot be reached is one line, and ``Runner.map`` keeps the order of its tasks.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from distributed import Client

from cli.main import main
from experiments.runtime import Runner

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ARGS = ["experiment", "policies", "--n", "60", "--rounds", "8", "--replicates", "4",
        "--networks", "silos,random", "--policies", "baseline,competition", "--seed", "3"]
#: the environment of every process started here: the project importable, one thread each
ENV = dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")


def comparable(run: Any) -> Any:
    """The run without what may differ between equal runs: the timings (``seconds``) and the
    number of local workers recorded in the settings."""
    if isinstance(run, dict):
        out = {key: comparable(value) for key, value in run.items() if key != "seconds"}
        if isinstance(out.get("settings"), dict):
            out["settings"].pop("workers", None)
        return out
    if isinstance(run, list):
        return [comparable(value) for value in run]
    return run


def run_here(*argv: str) -> tuple[int, str]:
    """``cascade ARGV`` in this process: the exit status and what it printed."""
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = main(list(argv))
    return status, stdout.getvalue()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, Any]:
    """The experiment with one worker, in this process, with ``--out``."""
    out = tmp_path_factory.mktemp("reference") / "report"
    status, printed = run_here(*ARGS, "--workers", "1", "--json", "--out", str(out))
    assert status == 0
    return {"run": json.loads(printed), "out": out}


def test_out_writes_results_report_and_figures(reference):
    out = reference["out"]
    names = sorted(p.name for p in out.iterdir())
    assert {"results.json", "report.md", "trajectories.png", "metrics.png"} <= set(names)
    assert not [name for name in names if name.startswith(".") or name.endswith(".tmp")]
    saved = json.loads((out / "results.json").read_text())
    assert comparable(saved) == comparable(reference["run"])
    assert "trajectories.png" in (out / "report.md").read_text()
    for figure in ("trajectories.png", "metrics.png"):
        assert (out / figure).read_bytes().startswith(PNG_MAGIC)


def test_one_and_two_local_workers_print_the_same_json(reference):
    status, printed = run_here(*ARGS, "--workers", "2", "--json")
    assert status == 0
    run = json.loads(printed)
    assert run["settings"]["workers"] == 2
    assert comparable(run) == comparable(reference["run"])


def test_an_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "report"
    # no such scheduler file, and not an address either: refused at once (a closed port
    # would be retried for the client's connect timeout)
    missing = tmp_path / "scheduler.json"
    status = main([*ARGS, "--scheduler", str(missing), "--json", "--out", str(out)])
    captured = capsys.readouterr()
    # the cluster failed, not the input: exit status 1, as for `cascade sweep`
    assert status == 1, captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cascade: error: "), captured.err
    assert str(missing) in lines[0] and "Traceback" not in captured.err
    assert captured.out == ""
    assert not out.exists()


def _later_first(i: int) -> int:
    """Task ``i`` of 6: the earlier the task, the longer it takes."""
    time.sleep(0.05 * (6 - i))
    return i * i


def test_runner_maps_in_task_order():
    tasks = list(range(6))
    with Runner(workers=1) as runner:
        assert not runner.parallel
        assert runner.map(_later_first, tasks) == [i * i for i in tasks]
    # on 2 local workers the later tasks finish first; the results still come in task order
    with Runner(workers=2) as runner:
        assert runner.parallel
        assert runner.map(_later_first, tasks) == [i * i for i in tasks]
        assert runner.map(_later_first, [5, 4]) == [25, 16]  # the same cluster, a second map
        assert runner.map(_later_first, []) == []


def test_an_experiment_on_an_external_scheduler_loses_nothing_when_a_worker_dies(
    reference, tmp_path
):
    scheduler_file = tmp_path / "scheduler.json"
    processes: list[subprocess.Popen] = []

    def start(*argv: str, **kwargs: Any) -> subprocess.Popen:
        # each in a session of its own: a worker's group is its nanny and its worker process
        proc = subprocess.Popen(list(argv), cwd=ROOT, env=ENV, start_new_session=True,
                                **kwargs)
        processes.append(proc)
        return proc

    try:
        start(str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(scheduler_file),
              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scheduler_file.is_file(), "the scheduler did not start"
        workers = [
            start(str(DASK), "worker", "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                  "--host", "127.0.0.1", "--scheduler-file", str(scheduler_file),
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(2)
        ]
        with Client(scheduler_file=str(scheduler_file), timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            pids = client.run(os.getpid)  # worker address -> its process id
            experiment = start(sys.executable, "-m", "cli", *ARGS, "--scheduler",
                               str(scheduler_file), "--json",
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            killed = None
            deadline = time.monotonic() + 90
            while killed is None and experiment.poll() is None and time.monotonic() < deadline:
                busy = [address for address, keys in client.processing().items() if keys]
                if busy:
                    group = os.getpgid(pids[busy[0]])
                    assert group in {w.pid for w in workers}  # one of ours
                    os.killpg(group, signal.SIGKILL)
                    killed = busy[0]
                else:
                    time.sleep(0.01)
            stdout, stderr = experiment.communicate(timeout=120)
            survivors = set(client.scheduler_info()["workers"])
        assert killed is not None, "no task was seen on a worker before the run ended"
        assert killed not in survivors  # that worker's tasks were played by the other one
        assert experiment.returncode == 0, stderr
        assert "Traceback" not in stderr
        assert comparable(json.loads(stdout)) == comparable(reference["run"])
    finally:
        for proc in processes:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=10)
