"""Tests for the Mesa model in models/public_goods: a view onto the engine, not a second engine.

Int seeds are taken from ``conftest.SEEDS`` (run keys >= 2**63), so that the bare engines these
tests compare with never give Numba an int64 key (see tests/conftest.py).
"""

from __future__ import annotations

import math
import multiprocessing
from functools import partial

import mesa
import numpy as np
import pandas as pd
import pytest

from models.public_goods import PublicGoodsAgent, PublicGoodsModel, PythonFermiAgent
from models.public_goods.collector import ArrayDataCollector
from sim import ConfigError, Simulation, SimulationConfig
from sim.behaviour.kernels import TYPE_NAMES
from sim.history import METRICS

# settings × update modes the model must reproduce bit for bit
ENGINE_CASES = {
    "fermi-neighbourhood": dict(n=80, rule="fermi", groups="neighbourhood"),
    "conditional-rematch": dict(n=60, rule="conditional", groups="rematch", group_size=4),
    "imitate-best-edges-async": dict(
        n=80, rule="imitate-best", groups="edges", update="asynchronous"
    ),
    "proportional-partition-binary": dict(
        n=60, rule="proportional", groups="partition", strategies="binary", r=1.6
    ),
    "death-birth-neighbourhood-async": dict(
        n=60, rule="death-birth", update="asynchronous", cost="per-individual"
    ),
}


def _engine_history(settings, seed, rounds, **kwargs):
    return Simulation(SimulationConfig(**settings), seed=seed, **kwargs).run(rounds)


def _assert_same_history(a, b):
    for m in METRICS:
        np.testing.assert_array_equal(getattr(a, m), getattr(b, m), err_msg=m)
    if a.contributions is not None or b.contributions is not None:
        np.testing.assert_array_equal(a.contributions, b.contributions)


def test_smoke():
    n, steps = 40, 3
    model = PublicGoodsModel(rng=12, n=n, rule="conditional")
    for _ in range(steps):
        model.step()

    assert len(model.agents) == n
    assert model.steps == steps and model.engine.round == steps
    coords = [agent.cell.coordinate for agent in model.agents]
    assert sorted(coords) == list(range(n))
    endowment = model.config.endowment
    for agent in model.agents:
        assert agent.cell.coordinate == agent.node
        assert list(agent.cell.agents) == [agent]
        assert model.agent_at(agent.node) is agent
        assert 0.0 <= agent.contribution <= endowment
        assert 0.0 <= agent.belief <= endowment
        assert math.isfinite(agent.payoff) and agent.payoff >= 0.0
        assert agent.kind in TYPE_NAMES.values()
        assert [a.node for a in agent.neighbours] == model.engine.graph.neighbours(
            agent.node
        ).tolist()

    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(METRICS) and len(frame) == steps
    agents = model.datacollector.get_agent_vars_dataframe()
    assert len(agents) == steps * n
    assert set(agents.columns) == {"contribution", "payoff"}


def test_agent_views_follow_the_engine_arrays():
    """Synchronous rounds swap the engine's contribution buffers; agents must follow."""
    model = PublicGoodsModel(rng=3, n=30, rule="fermi")
    assert all(agent.kind is None for agent in model.agents)
    for _ in range(3):
        model.step()
        engine = model.engine
        got = np.array([model.agent_at(i).contribution for i in range(engine.n)])
        np.testing.assert_array_equal(got, engine.contribution)
        pay = np.array([model.agent_at(i).payoff for i in range(engine.n)])
        np.testing.assert_array_equal(pay, engine.payoff)
    last = model.datacollector.get_agent_vars_dataframe().xs(3, level="Step")
    np.testing.assert_array_equal(last["contribution"].to_numpy(), model.engine.contribution)


def test_contribution_setter_writes_the_engine():
    model = PublicGoodsModel(rng=1, n=20, rule="fermi", endowment=10.0)
    for agent in model.agents:
        agent.contribution = 10.0
    model.step()
    assert model.history().mean_contribution[0] == 10.0
    with pytest.raises(ValueError, match="contribution"):
        model.agent_at(0).contribution = 11.0


@pytest.mark.parametrize("case", sorted(ENGINE_CASES))
def test_model_equals_engine(case):
    settings, rounds, seed = ENGINE_CASES[case], 50, 9
    expected = _engine_history(settings, seed, rounds, record_agents=True)

    model = PublicGoodsModel(rng=seed, record_agents=True, **settings)
    model.run_for(rounds)
    _assert_same_history(model.history(), expected)
    frame = model.datacollector.get_model_vars_dataframe()
    for m in METRICS:
        np.testing.assert_array_equal(frame[m].to_numpy(), getattr(expected, m), err_msg=m)

    stepped = PublicGoodsModel(rng=seed, collect_agents=False, **settings)
    for _ in range(rounds):
        stepped.step()
    assert not stepped.running
    np.testing.assert_array_equal(stepped.history().mean_contribution, expected.mean_contribution)


def test_config_keyword_and_overrides():
    config = SimulationConfig(n=50, rule="fermi", mpcr=0.6)
    model = PublicGoodsModel(rng=5, config=config, degree=6)
    assert model.config.degree == 6 and model.config.mpcr == 0.6
    model.run_for(5)
    expected = _engine_history(dict(n=50, rule="fermi", mpcr=0.6, degree=6), 5, 5)
    _assert_same_history(model.history(), expected)


@pytest.mark.parametrize(
    "settings",
    [
        dict(n=100, rule="fermi", mutation=0.05),
        dict(n=60, rule="fermi", groups="edges", strategies="binary", mutation=0.1),
    ],
)
def test_python_fermi_agent_equals_kernel(settings):
    rounds, seed = 20, 6
    expected = _engine_history(settings, seed, rounds, record_agents=True)
    model = PublicGoodsModel(rng=seed, agent_class=PythonFermiAgent, record_agents=True, **settings)
    assert model.python_decisions
    model.run_for(rounds)
    _assert_same_history(model.history(), expected)
    # the comparison means something only if agents changed their contributions
    assert np.count_nonzero(expected.contributions[-1] != expected.contributions[0]) > 10


class Generous(PublicGoodsAgent):
    """Always gives the whole endowment."""

    def decide(self) -> float:
        return self.config.endowment


def test_custom_agent_changes_the_outcome():
    settings = dict(n=50, rule="fermi", endowment=20.0)
    model = PublicGoodsModel(rng=2, agent_class=Generous, **settings)
    model.run_for(6)
    mean = model.history().mean_contribution
    expected = _engine_history(settings, 2, 6).mean_contribution
    assert mean[0] == expected[0]  # the first round is the shared initial population
    np.testing.assert_array_equal(mean[1:], 20.0)
    assert not np.array_equal(mean, expected)


def test_python_decisions_need_synchronous_updates():
    with pytest.raises(ConfigError, match="synchronous"):
        PublicGoodsModel(rng=1, n=20, agent_class=Generous, update="asynchronous")


def test_python_decision_out_of_range_names_the_agent():
    class Greedy(PublicGoodsAgent):
        def decide(self) -> float:
            return -1.0

    model = PublicGoodsModel(rng=1, n=20, agent_class=Greedy)
    model.step()
    with pytest.raises(ValueError, match="node 0"):
        model.step()


def _mean_contribution(rng, **settings):
    model = PublicGoodsModel(rng=rng, collect_agents=False, **settings)
    model.run_for(10)
    return model.history().mean_contribution


def test_rng_reproducibility():
    settings = dict(n=50, rule="fermi")
    first = _mean_contribution(4, **settings)
    np.testing.assert_array_equal(first, _mean_contribution(4, **settings))
    assert not np.array_equal(first, _mean_contribution(5, **settings))
    same = [_mean_contribution(np.random.default_rng(9), **settings) for _ in range(2)]
    np.testing.assert_array_equal(*same)


def test_engine_seed_replays_any_rng():
    model = PublicGoodsModel(n=40, rule="conditional")  # rng=None: fresh entropy
    model.run_for(5)
    replay = Simulation(model.config, seed=model.engine_seed)
    replay.key = np.uint64(replay.key)  # any key, so typed as the model does (see conftest.py)
    replay.run(5)
    _assert_same_history(model.history(), replay.history())


def test_unknown_keyword_rejected():
    with pytest.raises(ConfigError, match="'colour'"):
        PublicGoodsModel(rng=1, colour="red")
    with pytest.raises(ConfigError, match="rng="):
        PublicGoodsModel(seed=1)
    with pytest.raises(ConfigError, match="mpcr"):
        PublicGoodsModel(rng=1, mpcr=2.0)
    with pytest.raises(TypeError, match="agent_class"):
        PublicGoodsModel(rng=1, n=10, agent_class=object)


def test_models_with_keys_on_both_sides_of_2_63():
    """Seed 7's run key is < 2**63, seed 0's is not; the model must run both in one process."""
    for seed in (7, 0, 7):
        model = PublicGoodsModel(rng=seed, n=20, rule="fermi", collect_agents=False)
        model.run_for(3)
        assert model.engine.round == 3


# ------------------------------------------------- ArrayDataCollector against mesa.DataCollector
COLLECTOR_CASES = {
    "fermi-synchronous": dict(n=120, rule="fermi", mutation=0.05),
    "conditional-asynchronous": dict(n=60, rule="conditional", update="asynchronous"),
}


def _mesa_collector(model, **kwargs):
    """Mesa's own DataCollector with the model's reporters (agent reporters read per agent)."""
    return mesa.DataCollector(
        model_reporters=model.datacollector.model_reporters,
        agent_reporters=dict(model.datacollector.agent_reporters),
        **kwargs,
    )


@pytest.mark.parametrize("case", sorted(COLLECTOR_CASES))
def test_array_collector_gives_mesa_frames(case):
    model = PublicGoodsModel(rng=9, **COLLECTOR_CASES[case])
    ours = model.datacollector
    assert isinstance(ours, ArrayDataCollector) and isinstance(ours, mesa.DataCollector)
    reference = _mesa_collector(model)
    # ids from model.agents and the arrays through a callable: same frames
    implicit = ArrayDataCollector(
        model_reporters=ours.model_reporters,
        agent_reporters=dict(ours.agent_reporters),
        source=lambda m: m.engine,
    )
    collectors = (ours, reference, implicit)
    for dc in collectors:
        dc.collect(model)  # before the first round, as a user may do
    for _ in range(5):
        model.step()
        for dc in collectors[1:]:
            dc.collect(model)
        frame = ours.get_agent_vars_dataframe().xs(model.time, level="Step")
        np.testing.assert_array_equal(frame.index.to_numpy(), [a.unique_id for a in model._by_node])
        np.testing.assert_array_equal(frame["contribution"].to_numpy(), model.engine.contribution)
        np.testing.assert_array_equal(frame["payoff"].to_numpy(), model.engine.payoff)

    expected_agents = reference.get_agent_vars_dataframe()
    expected_model = reference.get_model_vars_dataframe()
    assert expected_agents.index.names == ["Step", "AgentID"]
    assert len(expected_agents) == 6 * model.engine.n
    same = partial(pd.testing.assert_frame_equal, check_exact=True)
    for dc in (ours, implicit):
        same(dc.get_agent_vars_dataframe(), expected_agents)
        same(dc.get_model_vars_dataframe(), expected_model)
        assert dc._collection_steps == reference._collection_steps
        assert dc._agent_records[3.0] == reference._agent_records[3.0]  # rows as Mesa keeps them
    # the earlier steps are copies, not views of the engine's (swapped) buffers
    assert expected_agents.xs(1.0, level="Step")["contribution"].nunique() > 1


class _MesaCollected(PublicGoodsModel):
    """The model with Mesa's own DataCollector in place of the array collector."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.datacollector = _mesa_collector(self)


def test_array_collector_works_with_batch_run():
    """mesa.batch_run reads the collector's per-step agent rows (``_agent_records``)."""
    kwargs = dict(parameters=dict(n=40, rule="fermi"), rng=12, max_steps=4,
                  data_collection_period=1, number_processes=1, display_progress=False)
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        ours = mesa.batch_run(PublicGoodsModel, **kwargs)
        theirs = mesa.batch_run(_MesaCollected, **kwargs)
    finally:  # batch_run forces "spawn" on the whole process; give other tests theirs back
        multiprocessing.set_start_method(method, force=True)
    assert len(ours) == 4 * 40
    assert ours == theirs


def test_array_collector_agenttype_reporters_and_errors():
    model = PublicGoodsModel(rng=9, n=50, rule="conditional", collect_agents=False)
    by_type = {PublicGoodsAgent: {"kind": "kind", "contribution": "contribution"}}
    ours = ArrayDataCollector(agenttype_reporters=by_type)
    reference = mesa.DataCollector(agenttype_reporters=by_type)
    for _ in range(3):
        model.step()
        ours.collect(model)
        reference.collect(model)
    pd.testing.assert_frame_equal(
        ours.get_agenttype_vars_dataframe(PublicGoodsAgent),
        reference.get_agenttype_vars_dataframe(PublicGoodsAgent),
    )
    # no agent reporters: Mesa's UserWarning, raised
    with pytest.raises(UserWarning, match="No agent reporters"):
        model.datacollector.get_agent_vars_dataframe()
    with pytest.raises(TypeError, match="array attribute"):
        ArrayDataCollector(agent_reporters={"c": lambda agent: agent.contribution})
    wrong = ArrayDataCollector(agent_reporters={"c": "contribution"}, agent_ids=[1, 2, 3])
    with pytest.raises(ValueError, match="one entry per agent"):
        wrong.collect(model)
