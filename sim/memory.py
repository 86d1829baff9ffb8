"""How much memory a run needs, and refusing one that would not fit before it allocates.

The estimate is linear in the number of agents n and the degree d, calibrated on measured
peaks (``python benchmarks/memory.py``: tracemalloc over building a run and playing two rounds,
random-regular networks, n = 10^4 ... 3 x 10^5, degree 4 and 10; the slopes between sizes):

* neighbourhood groups: about 195 + 8 d bytes per agent (the graph's indices, each group's
  member list and each agent's group list grow with d; the rest is ~20 float64 arrays of
  length n and the network builder's temporary stubs);
* partition and rematch groups: about 175 + 4 d;
* the two-level game: ~20 more float64 arrays (160 bytes per agent);
* ``record_agents``: 4 bytes per agent per round (float32 rows);
* a fixed ~20 MB traced, ~60 MB resident (compiled kernels loaded, first-round objects);
  the estimate takes 100 MB.

:func:`estimate_bytes` takes the neighbourhood slope for every structure and adds
:data:`MARGIN` on top, so it overestimates a little rather than let a run start that will not
finish. :func:`check_fits` compares it with the memory the system has available now
(``MemAvailable`` in /proc/meminfo, else physical memory) and raises a one-line
:class:`~sim.params.ConfigError` naming ``--n``.
"""

from __future__ import annotations

import os

from sim.params import ConfigError, Settings

#: measured bytes per agent at degree 0 and per unit of degree (neighbourhood groups)
PER_AGENT = 195.0
PER_DEGREE = 8.0
#: the two-level game's extra arrays, per agent
TWO_LEVEL = 160.0
#: bytes held whatever the size
FIXED = 100 * 2**20
#: safety factor on the per-agent part
MARGIN = 1.25


def estimate_bytes(n: int, degree: int, *, two_level: bool = False,
                   recorded_rounds: int = 0) -> int:
    """Peak bytes of a run of ``n`` agents at mean degree ``degree`` (see the module doc)."""
    per_agent = PER_AGENT + PER_DEGREE * max(degree, 0)
    if two_level:
        per_agent += TWO_LEVEL
    per_agent += 4.0 * max(recorded_rounds, 0)
    return int(FIXED + MARGIN * per_agent * n)


#: bytes per agent per replicate of an ensemble's packs (sim/ensemble.py): twelve float64
#: state and scratch arrays, the type codes, and three float64 values per group (about one
#: group per agent with neighbourhood groups)
PER_AGENT_REPLICATE = 12 * 8 + 1 + 3 * 8


def estimate_ensemble_bytes(n: int, degree: int, replicates: int, networks: int, *,
                            recorded_rounds: int = 0) -> int:
    """Peak bytes of an ensemble: one run's worth per network (its graph, groups and the
    template run that holds them) plus each replicate's packed state."""
    per_network = estimate_bytes(n, degree) - FIXED
    per_replicate = PER_AGENT_REPLICATE + 4.0 * max(recorded_rounds, 0)
    return int(FIXED + networks * per_network + MARGIN * per_replicate * n * replicates)


def available_bytes() -> int:
    """Memory available to a new allocation now: ``MemAvailable`` (Linux), else physical."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):  # pragma: no cover - not POSIX
        return 1 << 62


def _gb(b: float) -> str:
    return f"{b / 1e9:,.1f} GB"


def check_fits(config: Settings, *, n: int | None = None, recorded_rounds: int = 0,
               available: int | None = None) -> None:
    """Raise :class:`ConfigError` if a run of ``config`` (``n`` agents, default ``config.n``)
    needs more memory than is available; nothing is allocated."""
    n = config.n if n is None else n
    need = estimate_bytes(n, config.degree, two_level=config.mpcr_system is not None,
                          recorded_rounds=recorded_rounds)
    have = available_bytes() if available is None else available
    if need > have:
        rows = " and --agents" if recorded_rounds else ""
        raise ConfigError(
            f"--n {n:,} needs about {_gb(need)} of memory{rows} at degree {config.degree}; "
            f"{_gb(have)} is available (about {need / n:,.0f} bytes per agent): use a smaller "
            f"--n")


def check_ensemble_fits(config: Settings, replicates: int, networks: int, *,
                        recorded_rounds: int = 0, available: int | None = None) -> None:
    """Raise :class:`ConfigError` if an ensemble of ``replicates`` runs of ``config`` on
    ``networks`` networks would need more memory than is available; nothing is allocated."""
    n = config.n
    need = estimate_ensemble_bytes(n, config.degree, replicates, networks,
                                   recorded_rounds=recorded_rounds)
    have = available_bytes() if available is None else available
    if need > have:
        raise ConfigError(
            f"--n {n:,} with --replicates {replicates} needs about {_gb(need)} of memory at "
            f"degree {config.degree}; {_gb(have)} is available (about "
            f"{need / (n * replicates):,.0f} bytes per agent-replicate): use fewer replicates "
            f"or a smaller --n")
