"""The ``Simulation`` driver: every rule, group structure and update mode, replayed round by
round with the plain-Python twins; hand-checked payoffs; history and export; config errors;
perfect-strangers re-matching."""

from __future__ import annotations

import itertools
import math
import pickle
import re

import numpy as np
import pandas as pd
import pytest
import reference as ref

import sim
from sim import Simulation, SimulationConfig
from sim.behaviour import kernels as bk
from sim.config import PARAMETERS as CONFIG_PARAMETERS
from sim.groups import GROUP_STRUCTURES
from sim.history import METRICS
from sim.kernels import rules as krules
from sim.networks import NETWORKS
from sim.params import Param
from sim.policies import POLICIES
from sim.rules import RULES
from sim.ties import CONTAGIONS, PLACEMENTS

TIGHT = dict(rtol=1e-12, atol=1e-12)
RULE_NAMES = sorted(RULES)
STRUCTURES = list(GROUP_STRUCTURES)
UPDATES = ("synchronous", "asynchronous")


def params_from_config(config: SimulationConfig) -> np.ndarray:
    p = np.zeros(ref.N_PARAMS)
    p[ref.P_ENDOWMENT] = config.endowment
    p[ref.P_BINARY] = 1.0 if config.strategies == "binary" else 0.0
    p[ref.P_MUTATION] = config.mutation
    p[ref.P_TEMPERATURE] = config.temperature
    p[ref.P_SELECTION] = config.selection
    p[ref.P_BELIEF_WEIGHT] = config.belief_weight
    p[ref.P_NOISE] = config.noise
    p[ref.P_PAYOFF_WEIGHT] = config.payoff_weight
    p[ref.P_ASPIRATION] = config.aspiration
    p[ref.P_SENSITIVITY] = config.sensitivity
    p[ref.P_PEER_COMPARISON] = config.peer_comparison
    return p


class Twin:
    """The run replayed with the plain-Python twins, from the simulation's initial state and
    its groups (re-matching is the simulation's; everything else is recomputed here)."""

    def __init__(self, s: Simulation):
        self.config = s.config
        self.code = RULES[s.config.rule].code
        self.key = int(s.key)
        self.graph = s.graph
        self.params = params_from_config(s.config)
        self.x = s.contribution.astype(np.float64).copy()
        self.belief = s.belief.copy()
        self.propensity = s.propensity.copy()
        self.kind = s.kind.copy()
        self.slope = s.slope.copy()
        self.base = s.base.copy()
        self.n = s.n
        self.payoff = self.payout = self.raw = None
        self.groups = None

    def arrays(self, groups):
        weight, own_games, share = ref.game_weights(groups.agent_ptr, groups.sizes,
                                                    self.config.cost, self.config.share_mode)
        if RULES[self.config.rule].uses_payoff_bounds:
            lo, hi = ref.payoff_bounds(weight, own_games, share, self.config.endowment,
                                       groups.group_ptr, groups.members, groups.agent_ptr,
                                       groups.agent_groups)
        else:
            lo = hi = np.zeros(self.n)
        return weight, own_games, share, lo, hi

    def learn(self, t: int) -> None:
        g, graph = self.groups, self.graph
        weight, own_games, share, lo, hi = self.arrays(g)
        if self.config.update == "asynchronous":
            (self.x, self.belief, self.propensity, self.payoff, self.payout, self.raw,
             _) = ref.asynchronous_update(
                self.code, t, self.key, self.x, self.payoff, graph.indptr, graph.indices,
                self.belief, self.propensity, self.kind, self.slope, self.base, lo, hi,
                self.params, weight, own_games, share, g.group_ptr, g.members, g.agent_ptr,
                g.agent_groups, self.payout, self.raw)
            return
        obs = ref.observed_means(self.x, self.raw, g.group_ptr, g.agent_ptr, g.agent_groups)
        earned = ref.per_game(self.payoff, own_games)
        peers = ref.peer_means(earned, g.group_ptr, g.members, g.agent_ptr, g.agent_groups)
        self.x, self.belief, self.propensity, _ = ref.synchronous_update(
            self.code, t, self.key, self.x, self.payoff, graph.indptr, graph.indices, obs,
            earned, peers, self.belief, self.propensity, self.kind, self.slope, self.base, lo,
            hi, self.params)

    def play(self, groups) -> None:
        self.groups = groups
        weight, own_games, share, _, _ = self.arrays(groups)
        self.payout = ref.group_payouts(self.x, weight, share, groups.group_ptr, groups.members)
        self.payoff = ref.payoffs(self.x, own_games, self.config.endowment, self.payout,
                                  groups.agent_ptr, groups.agent_groups)
        self.raw = ref.group_sums(self.x, groups.group_ptr, groups.members)


def replay(s: Simulation, rounds: int) -> Twin:
    """Step ``s`` and its twin together, checking state and metrics after every round."""
    twin = Twin(s)
    e = s.config.endowment
    for t in range(rounds):
        s.step()
        if t > 0:
            twin.learn(t)
        twin.play(s.groups)
        where = f"round {t + 1}"
        np.testing.assert_allclose(s.contribution, twin.x, **TIGHT, err_msg=where)
        np.testing.assert_allclose(s.payoff, twin.payoff, **TIGHT, err_msg=where)
        np.testing.assert_allclose(s.belief, twin.belief, **TIGHT, err_msg=where)
        np.testing.assert_allclose(s.propensity, twin.propensity, **TIGHT, err_msg=where)
        latest = {m: getattr(s.history(), m)[-1] for m in METRICS}
        np.testing.assert_allclose(latest["mean_contribution"], np.mean(twin.x), **TIGHT)
        np.testing.assert_allclose(latest["welfare"], np.mean(twin.payoff), **TIGHT)
        np.testing.assert_allclose(latest["gini"], ref.gini(twin.payoff), **TIGHT)
        assert latest["cooperators"] == np.count_nonzero(twin.x >= 0.5 * e) / s.n
    return twin


# --------------------------------------------------------------------- the full matrix


@pytest.mark.parametrize("strategies", ["continuous", "binary"])
@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("groups", STRUCTURES)
@pytest.mark.parametrize("rule", RULE_NAMES)
def test_every_rule_structure_and_update(rule, groups, update, strategies):
    rounds = 4
    s = Simulation(n=60, rounds=rounds, rule=rule, groups=groups, update=update,
                   strategies=strategies, degree=4, mutation=0.05, seed=11,
                   record_agents=True)
    replay(s, rounds)
    e = s.config.endowment
    h = s.history()
    assert h.rounds == rounds
    for m in METRICS:
        series = getattr(h, m)
        assert isinstance(series, np.ndarray) and series.shape == (rounds,), m
        assert np.all(np.isfinite(series)), m
    assert np.all((h.mean_contribution >= 0) & (h.mean_contribution <= e))
    assert np.all((h.gini >= 0) & (h.gini <= 1))
    assert np.all((h.cooperators >= 0) & (h.cooperators <= 1))
    assert h.contributions.shape == (rounds, 60) and h.contributions.dtype == np.float32
    assert np.all((h.contributions >= 0) & (h.contributions <= e))
    if strategies == "binary":
        assert set(np.unique(h.contributions)) <= {0.0, np.float32(e)}
    np.testing.assert_allclose(h.mean_contribution, h.contributions.mean(axis=1), rtol=1e-6)


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("rule", RULE_NAMES)
def test_cost_per_individual_and_r_mode_replay(rule, update):
    s = Simulation(n=40, rounds=3, rule=rule, update=update, groups="neighbourhood",
                   network="erdos-renyi", degree=3, cost="per-individual", r=3.0, seed=5)
    replay(s, 3)


def test_isolated_nodes_and_odd_group_sizes_replay():
    # an Erdős–Rényi graph this sparse has isolated nodes; 61 agents in groups of 4 leave one
    # group of 1
    for rule in RULE_NAMES:
        s = Simulation(n=61, rounds=3, rule=rule, network="erdos-renyi", degree=1, seed=3)
        assert np.any(s.graph.degree == 0)
        replay(s, 3)
        s = Simulation(n=61, rounds=3, rule=rule, groups="rematch", group_size=4, r=2.0, seed=3)
        assert s.groups.sizes.min() == 1
        replay(s, 3)


def test_single_agent_runs():
    for rule, update in itertools.product(RULE_NAMES, UPDATES):
        s = Simulation(n=1, rounds=3, rule=rule, update=update, network="complete", degree=0,
                       groups="partition", group_size=1, seed=2)
        twin = replay(s, 3)
        assert twin.payoff.shape == (1,)


def test_proportional_payoffs_stay_within_bounds():
    for groups, cost in itertools.product(STRUCTURES, ("per-game", "per-individual")):
        s = Simulation(n=50, rounds=4, rule="proportional", groups=groups, cost=cost, seed=4)
        for _ in range(4):
            s.step()
            g = s.groups
            w, own, share = ref.game_weights(g.agent_ptr, g.sizes, cost, s.config.share_mode)
            lo, hi = ref.payoff_bounds(w, own, share, s.config.endowment, g.group_ptr,
                                       g.members, g.agent_ptr, g.agent_groups)
            np.testing.assert_allclose(s.payoff_low, lo, **TIGHT)
            np.testing.assert_allclose(s.payoff_high, hi, **TIGHT)
            assert np.all(s.payoff >= lo - 1e-9) and np.all(s.payoff <= hi + 1e-9)


# ------------------------------------------------------------------- hand-checked games


def three_in_a_group(**overrides) -> Simulation:
    settings = dict(n=3, network="complete", groups="partition", group_size=3, mpcr=0.5,
                    endowment=10.0, rounds=3, rule="imitate-best", seed=1)
    settings.update(overrides)
    return Simulation(**settings)


def test_payoff_hand_checked_one_group():
    s = three_in_a_group()
    assert s.groups.n_groups == 1 and sorted(s.groups.members.tolist()) == [0, 1, 2]
    s.step()
    s.step(next_contributions=np.array([0.0, 4.0, 10.0]))
    # payoff_i = E - x_i + 0.5 * (0 + 4 + 10)
    np.testing.assert_allclose(s.payoff, [17.0, 13.0, 7.0], **TIGHT)
    np.testing.assert_allclose(s.contribution, [0.0, 4.0, 10.0], **TIGHT)
    h = s.history()
    np.testing.assert_allclose(h.mean_contribution[-1], 14.0 / 3.0, **TIGHT)
    np.testing.assert_allclose(h.welfare[-1], 37.0 / 3.0, **TIGHT)
    assert h.cooperators[-1] == pytest.approx(1.0 / 3.0)
    np.testing.assert_allclose(h.gini[-1], ref.gini_pairwise([17.0, 13.0, 7.0]), **TIGHT)


@pytest.mark.parametrize("cooperation, expected", [(0.0, 10.0), (1.0, 15.0)])
def test_payoff_hand_checked_first_round(cooperation, expected):
    s = three_in_a_group(strategies="binary", initial_cooperation=cooperation)
    s.step()
    np.testing.assert_allclose(s.contribution, [10.0 * cooperation] * 3, **TIGHT)
    # all give 0: keep 10; all give 10: 0 + 0.5 * 30
    np.testing.assert_allclose(s.payoff, [expected] * 3, **TIGHT)
    assert s.history().gini[0] == 0.0


@pytest.mark.parametrize("strategies", ["continuous", "binary"])
@pytest.mark.parametrize("cooperation", [0.0, 0.25, 0.5, 1.0])
def test_initial_contributions(strategies, cooperation):
    e = 20.0
    s = Simulation(n=4000, rounds=1, rule="fermi", strategies=strategies, endowment=e,
                   initial_cooperation=cooperation, seed=8)
    s.step()
    x = s.contribution
    assert np.all((x >= 0.0) & (x <= e))
    assert abs(x.mean() - cooperation * e) < 0.03 * e
    if strategies == "binary":
        assert set(np.unique(x).tolist()) <= {0.0, e}


@pytest.mark.parametrize("rule", ["conditional", "human"])
def test_human_like_first_round_is_their_decision(rule):
    """Types in the configured shares; first beliefs around initial_cooperation * E; free
    riders give only noise (conditional) or their learnt share (human) in round one."""
    s = Simulation(n=4000, rounds=1, rule=rule, initial_cooperation=0.6, seed=8)
    kinds = np.bincount(s.kind, minlength=4) / s.n
    np.testing.assert_allclose(kinds, [0.5, 0.3, 0.14, 0.06], atol=0.04)
    e = s.config.endowment
    np.testing.assert_allclose(s.belief.mean(), 0.6 * e, rtol=0.03)
    np.testing.assert_allclose(s.propensity, 0.6)
    free = s.contribution[s.kind == bk.FREE_RIDER]
    conditional = s.contribution[s.kind == bk.CONDITIONAL_COOPERATOR]
    assert free.mean() < conditional.mean()
    if rule == "conditional":  # nothing but clipped noise: mean sd * E / sqrt(2 pi)
        np.testing.assert_allclose(free.mean(), s.config.noise * e / np.sqrt(2 * np.pi),
                                   rtol=0.15)
    else:  # the learnt share weighs in: payoff_weight * 0.6 * E on average
        np.testing.assert_allclose(free.mean(), s.config.payoff_weight * 0.6 * e, rtol=0.1)


def test_step_rejects_bad_contributions():
    s = three_in_a_group()
    s.step()
    for bad in ([0.0, 4.0], [0.0, 4.0, 10.5], [-1.0, 0.0, 0.0], [np.nan, 0.0, 0.0]):
        with pytest.raises(ValueError):
            s.step(next_contributions=np.array(bad))


RING_X = np.array([0.0, 10.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "cost, expected",
    [
        # agent 1 (gives 10) is in the games centred on 0, 1 and 2 (3 members each)
        ("per-game", [30 + 0.5 * 20, 0 + 0.5 * 30, 30 + 0.5 * 20, 30 + 0.5 * 10, 30 + 0.5 * 10]),
        # under cost per individual agent 1's 10 is split 10/3 per game
        ("per-individual", [10 + 0.5 * 20 / 3, 0 + 0.5 * 10, 10 + 0.5 * 20 / 3,
                            10 + 0.5 * 10 / 3, 10 + 0.5 * 10 / 3]),
    ],
)
def test_neighbourhood_payoffs_on_a_ring(cost, expected):
    s = Simulation(n=5, network="ring", degree=2, groups="neighbourhood", cost=cost, mpcr=0.5,
                   endowment=10.0, rounds=2, rule="fermi", seed=1)
    assert s.groups.n_groups == 5 and s.groups.sizes.tolist() == [3] * 5
    s.step()
    s.step(next_contributions=RING_X)
    np.testing.assert_allclose(s.payoff, expected, **TIGHT)
    # from the definition, summing over each game i plays
    ring = [[(c - 1) % 5, c, (c + 1) % 5] for c in range(5)]
    for i in range(5):
        games_i = [g for g in ring if i in g]
        if cost == "per-game":
            want = sum(10.0 - RING_X[i] + 0.5 * sum(RING_X[m] for m in g) for g in games_i)
        else:
            want = 10.0 - RING_X[i] + sum(0.5 * sum(RING_X[m] / 3 for m in g) for g in games_i)
        assert s.payoff[i] == pytest.approx(want, abs=1e-12)


def test_mpcr_mode_and_r_mode_shares():
    # 10 agents in groups of 4: sizes 4, 4, 2
    base = dict(n=10, groups="partition", group_size=4, endowment=10.0, rounds=2, seed=1,
                rule="imitate-best")
    x = np.arange(10, dtype=np.float64)
    by_mode = {}
    for mode, settings in (("mpcr", dict(mpcr=0.4)), ("r", dict(r=2.0)),
                           ("default", dict())):
        s = Simulation(**base, **settings)
        assert sorted(s.groups.sizes.tolist()) == [2, 4, 4]
        s.step()
        s.step(next_contributions=x)
        by_mode[mode] = s
        sizes = s.groups.sizes.astype(float)
        want_share = 2.0 / sizes if mode == "r" else np.full(3, 0.4)
        np.testing.assert_allclose(s.share, want_share, **TIGHT)
        for g in range(s.groups.n_groups):
            members = s.groups.members_of(g)
            for i in members:
                want = 10.0 - x[i] + want_share[g] * x[members].sum()
                assert s.payoff[i] == pytest.approx(want, abs=1e-12)
    # the default is MPCR 0.4
    np.testing.assert_array_equal(by_mode["default"].payoff, by_mode["mpcr"].payoff)


# ------------------------------------------------------------------ history and export


def test_gini_is_exact_gini_of_payoffs():
    s = Simulation(n=80, rounds=5, rule="fermi", seed=9)
    for _ in range(5):
        s.step()
        got = s.history().gini[-1]
        np.testing.assert_allclose(got, ref.gini(s.payoff), **TIGHT)
        np.testing.assert_allclose(got, ref.gini_pairwise(s.payoff), rtol=1e-10, atol=1e-12)
        assert s.latest()["gini"] == got


def test_run_twice_continues():
    cfg = SimulationConfig(n=60, rounds=6, rule="conditional", degree=4)
    s = Simulation(cfg, seed=3)
    first = s.run(2)
    assert first.rounds == 2 and s.round == 2
    rest = s.run()  # up to config.rounds
    assert rest.rounds == 6 and s.round == 6
    np.testing.assert_array_equal(rest.mean_contribution[:2], first.mean_contribution)
    assert s.run().rounds == 6  # nothing left to play
    assert s.run(1).rounds == 7  # but more can be asked for
    whole = Simulation(cfg, seed=3).run()
    for m in METRICS:
        np.testing.assert_array_equal(getattr(rest, m), getattr(whole, m)[:6], err_msg=m)


def test_history_frames_and_parquet_round_trip(tmp_path):
    s = Simulation(n=30, rounds=4, rule="fermi", seed=1, record_agents=True)
    h = s.run()
    frame = h.to_frame()
    assert list(frame.columns) == ["round", *METRICS]
    assert frame["round"].tolist() == [1, 2, 3, 4]
    for m in METRICS:
        np.testing.assert_array_equal(frame[m].to_numpy(), getattr(h, m))

    agents = h.agent_frame()
    assert list(agents.columns) == ["round", "agent", "contribution"]
    assert len(agents) == 4 * 30
    row = agents[(agents["round"] == 3) & (agents["agent"] == 7)]
    assert row["contribution"].item() == h.contributions[2, 7]

    path = h.to_parquet(tmp_path / "out" / "history.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)
    path = h.to_parquet(tmp_path / "agents.parquet", agents=True)
    pd.testing.assert_frame_equal(pd.read_parquet(path), agents)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agents.parquet", "out"]

    summary = h.summary()
    assert summary["rounds"] == 4
    assert summary["final_mean_contribution"] == h.mean_contribution[-1]
    assert h.config["rule"] == "fermi" and h.seed == 1

    plain = Simulation(n=30, rounds=2, seed=1).run()
    assert plain.contributions is None
    with pytest.raises(ValueError, match="record_agents"):
        plain.agent_frame()


# --------------------------------------------------------------------- invalid configs


@pytest.mark.parametrize(
    "settings, option",
    [
        (dict(n=0), r"--n\b"),
        (dict(mpcr=1.5), r"--mpcr\b"),
        (dict(mpcr=0.0), r"--mpcr\b"),
        (dict(endowment=-1.0), r"--endowment\b"),
        (dict(endowment=0.0), r"--endowment\b"),
        (dict(rule="no-such-rule"), r"--rule\b"),
        (dict(update="sideways"), r"--update\b"),
        (dict(groups="cliques"), r"--groups\b"),
        (dict(mpcr=0.5, r=2.0), r"\bmpcr\b.*\br\b"),
        (dict(n=3, network="complete", groups="partition", group_size=4), r"group[_-]size"),
        (dict(n=3, network="complete", groups="rematch", group_size=4), r"group[_-]size"),
        (dict(rounds=0), r"--rounds\b"),
        (dict(temperature=0.0), r"--temperature\b"),
        (dict(mutation=1.5), r"--mutation\b"),
        (dict(n=2.5), r"--n\b"),
    ],
)
def test_invalid_configs_raise_config_error(settings, option):
    with pytest.raises(sim.ConfigError) as info:
        Simulation(**settings)
    message = str(info.value)
    assert re.search(option, message), message
    assert "\n" not in message
    with pytest.raises(sim.ConfigError):
        SimulationConfig(**settings).validate()


def test_config_error_is_a_value_error():
    assert issubclass(sim.ConfigError, ValueError)
    with pytest.raises(sim.ConfigError, match="unknown setting"):
        SimulationConfig.from_dict({"n": 10, "colour": "blue"})


def test_a_validated_config_is_checked_once(monkeypatch):
    calls = []
    original = Param.validate

    def counting(self, value):
        calls.append(self.name)
        return original(self, value)

    monkeypatch.setattr(Param, "validate", counting)
    config = SimulationConfig(n=30, rounds=2).validate()
    assert config.validated and calls.count("n") == 1
    Simulation(config, seed=1).run()
    SimulationConfig.validate(config)
    assert calls.count("n") == 1  # the engine trusts a validated config
    config.n = 0  # a changed field is checked again
    assert not config.validated
    with pytest.raises(sim.ConfigError, match="--n must be an integer >= 1"):
        Simulation(config, seed=1)
    # overrides make a new config, checked once
    calls.clear()
    Simulation(SimulationConfig(n=30), seed=1, rounds=3)
    assert calls.count("n") == 1


def test_the_simulation_keeps_its_own_copy_of_the_config():
    config = SimulationConfig(n=30).validate()
    engine = Simulation(config, seed=1)
    assert engine.config == config and engine.config is not config


REGISTRIES = {"network": NETWORKS, "groups": GROUP_STRUCTURES, "rule": RULES,
              "policy": POLICIES, "campaign_placement": PLACEMENTS, "contagion": CONTAGIONS}


@pytest.mark.parametrize("field", list(REGISTRIES))
def test_every_registry_has_one_shape(field):
    """Name, summary, source, parameters and entry, read the same way everywhere."""
    registry = REGISTRIES[field]
    declared = {p.name: p for p in CONFIG_PARAMETERS}
    assert declared[field].choices is registry and registry.title
    defaults = SimulationConfig()
    for name, entry in registry.items():
        assert entry.name == name and entry.summary and "\n" not in entry.summary
        assert isinstance(entry.source, str)
        for param in entry.parameters:
            assert declared[param.name] is param
            assert getattr(defaults, param.name) == param.default
    assert registry.describe().splitlines()[0] == f"{registry.title}:"


def test_config_fields_are_the_declared_parameters():
    assert SimulationConfig.field_names() == [p.name for p in CONFIG_PARAMETERS]
    defaults = SimulationConfig()
    for param in CONFIG_PARAMETERS:
        assert getattr(defaults, param.name) == param.default
        param.validate(param.default)
        assert f"    {param.name}: " in SimulationConfig.__doc__


def test_config_pickles():
    config = SimulationConfig(n=12, policy="cooperation").validate()
    again = pickle.loads(pickle.dumps(config))
    assert again == config and type(again) is SimulationConfig


# ------------------------------------------------------------------ perfect strangers


def test_perfect_strangers_never_meet_twice():
    n, size, rounds = 24, 4, 5
    s = Simulation(n=n, groups="rematch", matching="perfect-strangers", group_size=size,
                   rounds=rounds, seed=7)
    met: set[tuple[int, int]] = set()
    seen_partitions = []
    for _ in range(rounds):
        s.step()
        g = s.groups
        assert g.n_groups == n // size and np.all(g.sizes == size)
        assert sorted(g.members.tolist()) == list(range(n))  # a partition of everyone
        partition = []
        for k in range(g.n_groups):
            members = sorted(g.members_of(k).tolist())
            partition.append(tuple(members))
            for pair in itertools.combinations(members, 2):
                assert pair not in met, f"{pair} meet twice"
                met.add(pair)
        seen_partitions.append(sorted(partition))
    assert len(met) == rounds * (n // size) * math.comb(size, 2)


def test_random_rematching_changes_groups():
    s = Simulation(n=40, groups="rematch", group_size=4, rounds=3, seed=1)
    partitions = []
    for _ in range(3):
        s.step()
        partitions.append(sorted(tuple(sorted(s.groups.members_of(k).tolist()))
                                 for k in range(s.groups.n_groups)))
    assert partitions[0] != partitions[1] != partitions[2]


def test_fixed_structures_keep_their_groups():
    for groups in ("neighbourhood", "edges", "partition"):
        s = Simulation(n=40, groups=groups, rounds=3, seed=1)
        first = s.groups
        s.run()
        assert s.groups is first


def test_rule_codes_are_the_kernels():
    assert {name: rule.code for name, rule in RULES.items()} == {
        "fermi": krules.FERMI,
        "proportional": krules.PROPORTIONAL,
        "imitate-best": krules.IMITATE_BEST,
        "death-birth": krules.DEATH_BIRTH,
        "conditional": krules.CONDITIONAL,
        "human": krules.HUMAN,
    }


def test_any_networkx_graph_can_be_played_on():
    import networkx as nx

    from sim.graph import CSRGraph

    g = nx.karate_club_graph()
    sim = Simulation(SimulationConfig(rule="fermi", rounds=5), seed=1, graph=g)
    assert sim.n == g.number_of_nodes()
    assert sim.graph.n_edges == g.number_of_edges()
    history = sim.run()
    assert len(history.mean_contribution) == 5
    csr = CSRGraph.from_edges(4, np.array([[0, 1], [1, 2], [2, 3]]))
    again = Simulation(SimulationConfig(rule="fermi", rounds=3), seed=1, graph=csr)
    assert again.graph is csr and again.n == 4
