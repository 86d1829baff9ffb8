"""Reproducibility: the same seed gives the same history, at any Numba thread count."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sim import Simulation, SimulationConfig
from sim.history import METRICS

ROOT = Path(__file__).resolve().parents[1]

# One subprocess per thread count runs every case and prints one line per case.
SCRIPT = textwrap.dedent(
    """
    import hashlib
    import numba
    from sim import Simulation

    print("threads", numba.get_num_threads())
    cases = [
        ("fermi", "synchronous", "neighbourhood"),
        ("fermi", "asynchronous", "neighbourhood"),
        ("conditional", "synchronous", "neighbourhood"),
        ("conditional", "asynchronous", "neighbourhood"),
        ("human", "synchronous", "neighbourhood"),
        ("human", "asynchronous", "neighbourhood"),
        ("fermi", "synchronous", "rematch"),
    ]
    for rule, update, groups in cases:
        s = Simulation(n=2000, rounds=20, rule=rule, update=update, groups=groups, seed=42)
        # small runs choose one thread by themselves; ask for every thread the process has
        s.threads = numba.get_num_threads()
        h = s.run()
        series = [getattr(h, m).tobytes().hex() for m in
                  ("mean_contribution", "welfare", "gini", "cooperators")]
        final = hashlib.sha256(s.contribution.tobytes() + s.payoff.tobytes()).hexdigest()
        print(rule, update, groups, *series, final)
    """
)


def run_script(threads: int) -> subprocess.Popen:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_same_history_with_one_and_two_threads():
    procs = {threads: run_script(threads) for threads in (1, 2)}
    outputs = {}
    for threads, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        lines = out.strip().splitlines()
        assert lines[0] == f"threads {threads}"
        outputs[threads] = lines[1:]
    assert len(outputs[1]) == 7
    for one, two in zip(outputs[1], outputs[2], strict=True):
        assert one == two, f"{one.split()[:3]} differs between 1 and 2 threads"


def histories_equal(a, b) -> bool:
    return all(np.array_equal(getattr(a, m), getattr(b, m)) for m in METRICS)


CONFIG = SimulationConfig(n=300, rounds=8, rule="conditional", degree=4)


@pytest.mark.parametrize("update", ["synchronous", "asynchronous"])
@pytest.mark.parametrize("rule", ["fermi", "conditional", "death-birth"])
def test_same_seed_same_history(rule, update):
    cfg = CONFIG.replace(rule=rule, update=update)
    a = Simulation(cfg, seed=17, record_agents=True)
    b = Simulation(cfg, seed=17, record_agents=True)
    ha, hb = a.run(), b.run()
    assert histories_equal(ha, hb)
    np.testing.assert_array_equal(ha.contributions, hb.contributions)
    np.testing.assert_array_equal(a.payoff, b.payoff)
    np.testing.assert_array_equal(a.graph.indices, b.graph.indices)


def test_different_seeds_differ():
    a = Simulation(CONFIG, seed=1).run()
    b = Simulation(CONFIG, seed=2).run()
    assert not np.array_equal(a.mean_contribution, b.mean_contribution)
    assert not np.array_equal(a.welfare, b.welfare)


def test_run_keys_on_both_sides_of_2_63_in_one_process():
    """Numba types a Python int >= 2**63 as uint64 and a smaller one as int64; once a kernel
    holds an int64 specialisation, a later int >= 2**63 fails with ``OverflowError: int too big
    to convert``. Runs whose keys fall on both sides must work in one process."""
    sims = {seed: Simulation(CONFIG, seed=seed) for seed in range(12)}
    keys = {seed: int(s.key) for seed, s in sims.items()}
    small = [seed for seed, key in keys.items() if key < 2**63]
    large = [seed for seed, key in keys.items() if key >= 2**63]
    assert small and large
    for seed in (small[0], large[0], small[1], large[1]):
        assert sims[seed].run().rounds == CONFIG.rounds


def test_seed_sequence_spawned_from_a_master():
    children = np.random.SeedSequence(2024).spawn(3)
    again = np.random.SeedSequence(2024).spawn(3)
    a = Simulation(CONFIG, seed=children[1]).run()
    b = Simulation(CONFIG, seed=again[1]).run()
    assert histories_equal(a, b)
    assert a.seed == {"entropy": 2024, "spawn_key": [1]}
    # the recorded seed rebuilds the run
    rebuilt = np.random.SeedSequence(a.seed["entropy"], spawn_key=tuple(a.seed["spawn_key"]))
    assert histories_equal(a, Simulation(CONFIG, seed=rebuilt).run())
    # siblings differ
    c = Simulation(CONFIG, seed=children[2]).run()
    assert not histories_equal(a, c)
    # an int seed is the SeedSequence of that int
    assert histories_equal(Simulation(CONFIG, seed=5).run(),
                           Simulation(CONFIG, seed=np.random.SeedSequence(5)).run())


def test_same_seed_sequence_object_twice():
    child = np.random.SeedSequence(2024).spawn(2)[1]
    a = Simulation(CONFIG, seed=child).run()
    b = Simulation(CONFIG, seed=child).run()
    assert a.seed == b.seed
    assert histories_equal(a, b)


def test_numpy_integer_seed_is_the_int_seed():
    a = Simulation(CONFIG, seed=np.int64(5)).run()
    b = Simulation(CONFIG, seed=5).run()
    assert histories_equal(a, b)
    with pytest.raises(TypeError):
        Simulation(CONFIG, seed=5.0)


def test_numpy_integer_seed_is_recorded_as_json():
    import json

    h = Simulation(CONFIG, seed=np.int64(5)).run()
    assert h.seed == 5
    json.dumps(h.seed)


def test_child_seeds_are_the_spawned_children_and_leave_the_parent_alone():
    from sim.seeds import child_seed, child_seeds

    parent = np.random.SeedSequence(2026, spawn_key=(3,))
    spawned = np.random.SeedSequence(2026, spawn_key=(3,)).spawn(4)
    for k, child in enumerate(child_seeds(parent, 4)):
        assert child.spawn_key == spawned[k].spawn_key
        np.testing.assert_array_equal(child.generate_state(4), spawned[k].generate_state(4))
    grandchild = child_seed(parent, 2, 1)
    np.testing.assert_array_equal(grandchild.generate_state(4),
                                  spawned[2].spawn(2)[1].generate_state(4))
    assert parent.n_children_spawned == 0
