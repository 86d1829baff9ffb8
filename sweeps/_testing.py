"""Fault injection for the sweep's own tests; inert unless its environment variables are set.

- ``CASCADE_SWEEP_TEST_CRASH="RUN_ID:MARKER"``: the worker process that is about to start run
  ``RUN_ID`` creates the file ``MARKER`` and ends itself at once (``os._exit``), as a killed
  worker would, unless ``MARKER`` already exists: so the crash happens once, and Dask's retry of
  the task on a worker succeeds.
- ``CASCADE_SWEEP_TEST_DELAY=SECONDS``: sleep this long before each run, so that a test can
  interrupt a sweep part-way through whatever the machine's speed.

The variables are read in the worker processes, which inherit them from the process that
starts the local cluster.
"""

from __future__ import annotations

import os
import time

CRASH = "CASCADE_SWEEP_TEST_CRASH"
DELAY = "CASCADE_SWEEP_TEST_DELAY"


def before_run(run_id: int) -> None:
    """Called by the worker before each run."""
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

