"""A run that would not fit in memory is refused before it allocates (sim/memory.py)."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from cli.main import main
from sim import ConfigError, Simulation, SimulationConfig
from sim.memory import available_bytes, check_fits, estimate_bytes

ROOT = Path(__file__).resolve().parents[1]


def test_estimate_grows_with_n_degree_and_recording():
    base = estimate_bytes(10**6, 4)
    assert estimate_bytes(2 * 10**6, 4) > base
    assert estimate_bytes(10**6, 10) > base
    assert estimate_bytes(10**6, 4, two_level=True) > base
    assert estimate_bytes(10**6, 4, recorded_rounds=50) >= base + 4 * 50 * 10**6
    # the target: n = 10^7 at degree 10 under 4 GB (measured ~290 B/agent at 10^6)
    assert estimate_bytes(10**7, 10) < 4 * 2**30


def test_available_memory_is_known():
    assert available_bytes() > 2**20


def test_huge_n_is_refused_quickly_without_allocating():
    config = SimulationConfig(n=1_000_000_000)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ConfigError, match="--n 1,000,000,000"):
        Simulation(config, seed=0)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 10 * 2**20  # nothing of the size of n was allocated


def test_check_fits_against_a_given_budget():
    config = SimulationConfig(n=10**6, degree=4)
    check_fits(config, available=10 * 2**30)
    with pytest.raises(ConfigError, match="--n 1,000,000 needs about"):
        check_fits(config, available=100 * 2**20)
    with pytest.raises(ConfigError, match="--agents"):
        check_fits(config, recorded_rounds=10_000, available=2 * 2**30)


def test_small_runs_still_run():
    assert Simulation(SimulationConfig(n=200, rounds=2), seed=0).run().cooperators.shape == (2,)


def test_cli_refuses_with_one_line_and_status_2(capsys):
    assert main(["run", "--n", "1000000000"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--n 1,000,000,000" in err and "memory" in err


def test_cli_process_exit_status():
    out = subprocess.run([sys.executable, "-m", "cli", "run", "--n", "1000000000"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_threads_are_chosen_by_the_work_and_do_not_change_results():
    """Small runs now choose one thread, so tests/test_determinism.py's n = 2000 runs play on
    one thread at either NUMBA_NUM_THREADS; here its cases are forced to 1 and 2 threads."""
    import numba
    import numpy as np

    from sim.threads import choose_threads, min_agents_for_threads

    assert choose_threads(1_000) == 1
    assert choose_threads(min_agents_for_threads()) == numba.config.NUMBA_NUM_THREADS
    outer = numba.get_num_threads()
    cases = [("fermi", "synchronous", "neighbourhood"), ("fermi", "asynchronous", "neighbourhood"),
             ("conditional", "synchronous", "neighbourhood"),
             ("conditional", "asynchronous", "neighbourhood"), ("fermi", "synchronous", "rematch")]
    for rule, update, groups in cases:
        runs = []
        for threads in (1, 2):
            sim = Simulation(n=2000, rounds=20, rule=rule, update=update, groups=groups, seed=42)
            sim.threads = threads
            runs.append((sim.run(), sim.contribution.copy(), sim.payoff.copy()))
            assert numba.get_num_threads() == outer  # restored after every step
        (h1, x1, p1), (h2, x2, p2) = runs
        for metric in ("mean_contribution", "welfare", "gini", "cooperators"):
            np.testing.assert_array_equal(getattr(h1, metric), getattr(h2, metric))
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(p1, p2)
