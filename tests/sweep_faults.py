"""A sweep model with faults on demand, for the sweep tests: ``model = "sweep_faults:FAULTY"``.

It is the built-in ``run`` model (same parameters, checks and metrics) with two faults, read in
the worker process from environment variables that the workers inherit from the process that
starts the local cluster:

- ``CASCADE_SWEEP_TEST_CRASH="RUN_ID:MARKER"``: the worker process about to play run
  ``RUN_ID`` creates the file ``MARKER`` and ends itself at once (``os._exit``), as a killed
  worker would, unless ``MARKER`` already exists: so the crash happens once, and Dask's retry
  of the task on a worker succeeds;
- ``CASCADE_SWEEP_TEST_DELAY=SECONDS``: sleep this long before each run, so that a test can
  interrupt a sweep part-way through whatever the machine's speed.

A run's id is the last entry of its seed's spawn key (``sweeps.design.run_seed``). The module
must be importable in the workers as in the client: the tests put ``tests/`` on ``PYTHONPATH``
(local worker processes also inherit the client's ``sys.path``).
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any

import numpy as np

from sweeps.models import get_model

CRASH = "CASCADE_SWEEP_TEST_CRASH"
DELAY = "CASCADE_SWEEP_TEST_DELAY"

RUN = get_model("run")


def before_run(seed: np.random.SeedSequence) -> None:
    """The faults asked for by the environment, for the run of this seed."""
    run_id = seed.spawn_key[-1]
    crash = os.environ.get(CRASH)
    if crash:
        target, _, marker = crash.partition(":")
        if target.strip() == str(run_id) and marker:
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.close(fd)
                os._exit(17)
    delay = os.environ.get(DELAY)
    if delay:
        time.sleep(float(delay))


def run(params: dict[str, Any], seed: np.random.SeedSequence) -> Any:
    before_run(seed)
    return RUN.run(params, seed)


def run_rounds(params: dict[str, Any], seed: np.random.SeedSequence) -> Any:
    before_run(seed)
    assert RUN.run_rounds is not None
    return RUN.run_rounds(params, seed)


FAULTY = dataclasses.replace(
    RUN,
    name="sweep_faults:FAULTY",  # the workers look the model up by this name
    run=run,
    run_rounds=run_rounds,
    summary="the built-in 'run' model with faults on demand (tests only)",
)
