"""Round hooks: called in the documented order, seeded from the run, able to change the graph."""

import numpy as np
import pytest

from sim import Simulation, SimulationConfig
from sim.graph import CSRGraph
from sim.hooks import RoundHook


class Recorder(RoundHook):
    def __init__(self):
        self.calls = []

    def start(self, sim, rng):
        self.calls.append(("start", sim.round))
        self.draw = rng.random()

    def after_decide(self, sim):
        self.calls.append(("after_decide", sim.round))

    def after_play(self, sim):
        self.calls.append(("after_play", sim.round))

    def end_round(self, sim):
        self.calls.append(("end_round", sim.round))


class Bonus(RoundHook):
    def after_play(self, sim):
        sim.payoff += 2.5


def test_hooks_run_in_order_every_round():
    hook = Recorder()
    Simulation(SimulationConfig(n=50, rounds=3), seed=1, hooks=[hook]).run()
    expected = [("start", 0)]
    for t in range(3):
        expected += [("after_decide", t), ("after_play", t), ("end_round", t)]
    assert hook.calls == expected


def test_hook_rng_follows_the_run_seed():
    a, b, c = Recorder(), Recorder(), Recorder()
    Simulation(SimulationConfig(n=50), seed=7, hooks=[a])
    Simulation(SimulationConfig(n=50), seed=7, hooks=[b])
    Simulation(SimulationConfig(n=50), seed=8, hooks=[c])
    assert a.draw == b.draw != c.draw


def test_a_hook_without_effect_leaves_the_history_unchanged():
    config = SimulationConfig(n=120, rounds=8)
    plain = Simulation(config, seed=4).run()
    hooked = Simulation(config, seed=4, hooks=[Recorder()]).run()
    np.testing.assert_array_equal(plain.mean_contribution, hooked.mean_contribution)


def test_payoff_changes_after_play_reach_the_metrics():
    config = SimulationConfig(n=120, rounds=1)
    plain = Simulation(config, seed=4).run()
    paid = Simulation(config, seed=4, hooks=[Bonus()]).run()
    assert paid.welfare[0] == pytest.approx(plain.welfare[0] + 2.5)


def test_set_graph_rebuilds_neighbourhood_groups():
    sim = Simulation(SimulationConfig(n=6, degree=2, network="ring", rounds=2), seed=0)
    assert sim.groups.n_groups == 6
    # a star centred on node 0: the centre's group holds everyone
    indptr = np.array([0, 5, 6, 7, 8, 9, 10])
    indices = np.array([1, 2, 3, 4, 5, 0, 0, 0, 0, 0], dtype=np.int32)
    sim.set_graph(CSRGraph(indptr, indices))
    assert sorted(sim.groups.members_of(0)) == [0, 1, 2, 3, 4, 5]
    assert sim.groups.games_per_agent[0] == 6
    sim.step()
    with pytest.raises(ValueError, match="nodes"):
        sim.set_graph(CSRGraph(np.array([0, 0]), np.array([], dtype=np.int32)))


def test_set_graph_keeps_a_fixed_partition():
    sim = Simulation(SimulationConfig(n=8, groups="partition", group_size=4), seed=0)
    before = sim.groups.members.copy()
    sim.set_graph(sim.graph)
    np.testing.assert_array_equal(sim.groups.members, before)
