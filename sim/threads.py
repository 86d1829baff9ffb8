"""Which threading layer the engine's parallel loops run on, and how many threads a run gets.

A round is about ten short parallel loops, each ended by a barrier. Numba's default layer here
is OpenMP, whose waiting threads spin: when another process holds one of the cores, the thread
that shares it is set aside and every barrier waits for it, so two threads ran 2-130x slower
than one (benchmarks/NOTES.md). Intel TBB (the ``tbb`` package) steals the work of a thread
that is set aside instead: two threads were no slower than one with a core busy, and faster
from 10^4 agents on an idle machine (1.2x at 10^4, 1.4x at 10^5, 2.0x at 10^6). So the engine
uses TBB where the package is installed, and else stays on one thread below
:data:`OPENMP_MIN_AGENTS`.

The pip wheel puts ``libtbb.so.12`` in the environment's ``lib`` folder, which the loader does
not search: :func:`use_tbb` loads it by its path before Numba looks for it. A layer the user
chose (``NUMBA_THREADING_LAYER``) is left alone. Results never depend on the layer or the
number of threads: every draw is counter-based (:mod:`sim.rng`).
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

import numba

#: the smallest run given several threads on TBB (below it one thread is faster)
TBB_MIN_AGENTS = 10_000
#: the same on OpenMP, whose barriers stall when a core is busy
OPENMP_MIN_AGENTS = 200_000


def _tbb_library() -> Path | None:
    for folder in (Path(sys.prefix) / "lib", Path(sys.base_prefix) / "lib"):
        path = folder / "libtbb.so.12"
        if path.exists():
            return path
    return None


def use_tbb() -> bool:
    """Make TBB Numba's threading layer if it is installed and the user chose no other layer
    (with ``NUMBA_THREADING_LAYER=tbb`` the library is loaded the same way); returns whether
    the engine runs on TBB."""
    chosen = os.environ.get("NUMBA_THREADING_LAYER")
    if chosen and chosen != "tbb":
        return False
    library = _tbb_library()
    if library is None:
        return False
    try:
        ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
        from numba.np.ufunc import tbbpool  # noqa: F401 - fails if Numba cannot use this TBB
    except (OSError, ImportError):
        return False
    numba.config.THREADING_LAYER = "tbb"
    return True


#: whether this process's parallel loops run on TBB
ON_TBB = use_tbb()


def min_agents_for_threads() -> int:
    """The smallest run that gets all the configured threads."""
    return TBB_MIN_AGENTS if ON_TBB else OPENMP_MIN_AGENTS


def choose_threads(n: int) -> int:
    """Numba threads for a run of ``n`` agents: one below :func:`min_agents_for_threads`, else
    all the configured ones (``NUMBA_NUM_THREADS``)."""
    return 1 if n < min_agents_for_threads() else numba.config.NUMBA_NUM_THREADS
