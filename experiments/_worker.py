"""Dask preload for the local cluster's worker processes (``LocalCluster(preload=[...])``).

Ctrl-C in a terminal sends SIGINT to every process of the foreground group: the sweep's client
and its local worker processes alike. The client stops the sweep and shuts the workers down
itself, so the workers ignore SIGINT rather than each dying with a traceback of its own.
Workers started by hand (``dask worker``) do not load this: Ctrl-C stops them as usual.
"""

from __future__ import annotations

import signal
import threading


def dask_setup(worker=None) -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
