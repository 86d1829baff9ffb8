"""Tests for the plain-Mesa public-goods baseline in benchmarks/mesa_baseline.py."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "mesa_baseline.py"


def _load_module():
    name = "mesa_baseline"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


mb = _load_module()


def _by_node(model):
    return {agent.cell.coordinate: agent for agent in model.agents}


def _expected_payoff(graph, x, node, endowment, mpcr):
    """Payoff of ``node`` straight from the definition (cost per game)."""
    total = 0.0
    for centre in [node, *graph.neighbors(node)]:
        members = [centre, *graph.neighbors(centre)]
        total += endowment - x[node] + mpcr * sum(x[m] for m in members)
    return total


def _trajectory(rng, steps=10, **kwargs):
    model = mb.BaselinePGGModel(n=50, rng=rng, **kwargs)
    traj = [model.mean_contribution]
    for _ in range(steps):
        model.step()
        traj.append(model.mean_contribution)
    return traj


def test_construction():
    model = mb.BaselinePGGModel(n=50, degree=4, rng=3)
    assert len(model.agents) == 50
    assert all(d == 4 for _, d in model.graph.degree())
    for agent in model.agents:
        assert list(agent.cell.agents) == [agent]
        assert len(agent.cell.connections) == 4
        assert 0.0 <= agent.contribution <= model.endowment


def test_payoffs_match_hand_computation():
    model = mb.BaselinePGGModel(n=50, degree=4, mpcr=0.4, endowment=20.0, rng=11)
    model.step()  # move away from the initial state first
    agents = _by_node(model)
    x = {node: a.contribution for node, a in agents.items()}
    model.step()  # payoffs of this step are computed from x
    for node in (0, 17, 42):
        expected = _expected_payoff(model.graph, x, node, model.endowment, model.mpcr)
        assert agents[node].payoff == pytest.approx(expected, rel=1e-12)
    # every agent, and the closed form (k+1)(E - x_i) + mpcr * sum of the k+1 group totals
    k = model.degree
    for node, agent in agents.items():
        expected = _expected_payoff(model.graph, x, node, model.endowment, model.mpcr)
        assert agent.payoff == pytest.approx(expected, rel=1e-12)
        assert agent.payoff >= (k + 1) * (model.endowment - x[node]) - 1e-9


def test_contributions_stay_in_range():
    model = mb.BaselinePGGModel(n=50, rng=5, temperature=0.1)
    initial = {a.contribution for a in model.agents}
    for _ in range(20):
        model.step()
        for agent in model.agents:
            assert 0.0 <= agent.contribution <= model.endowment
            # imitation only copies existing values
            assert agent.contribution in initial
            assert math.isfinite(agent.payoff)


def test_same_rng_same_trajectory_different_rng_different():
    a = _trajectory(7)
    b = _trajectory(7)
    c = _trajectory(8)
    assert a == b
    assert a != c


def test_collector_off_by_default_and_optional():
    assert mb.BaselinePGGModel(n=50, rng=1).datacollector is None
    model = mb.BaselinePGGModel(n=50, rng=1, collect=True)
    for _ in range(3):
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 4
    assert df["mean_contribution"].iloc[-1] == pytest.approx(model.mean_contribution)


def test_dilemma_contributions_fall():
    drops = []
    for seed in range(4):
        traj = _trajectory(seed, steps=30, mpcr=0.4, temperature=0.1)
        drops.append(traj[0] - traj[-1])
    assert sum(drops) / len(drops) > 0.0
    assert sum(d > 0 for d in drops) >= 3


def test_rate_function_runs():
    rate = mb.agent_rounds_per_second(n=100, rounds=2, seed=0)
    assert rate > 0.0
