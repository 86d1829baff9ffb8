"""The simulated Fehr & Gächter (2002) laboratory (sim/lab/): schedule, kernels against their
plain-Python twins (tests/reference_lab.py), exports, determinism and the paired runs.

The punishment stage itself (sim.behaviour.kernels.punish_group) is checked against its twin in
tests/test_behaviour.py."""

from __future__ import annotations

import numba
import numpy as np
import pytest
import reference_lab as rl

from sim import ConfigError
from sim.analysis.causal import UNREACHED, causal_cascade, temporal_degree
from sim.behaviour import kernels as bk
from sim.behaviour.parameters import Behaviour
from sim.lab import kernels as lk
from sim.lab import schedule as sch
from sim.lab.counterfactual import paired_runs
from sim.lab.design import LabDesign
from sim.lab.lab import LONG_COLUMNS, draw_sessions, parameter_vector, run_lab, run_sessions

EXACT = dict(rtol=0, atol=0)
TIGHT = dict(rtol=1e-12, atol=1e-12)


def random_key(rng: np.random.Generator) -> np.uint64:
    return np.uint64(int(rng.integers(0, 2**64, dtype=np.uint64)))


def random_params(rng: np.random.Generator) -> np.ndarray:
    q = np.zeros(lk.N_Q)
    q[lk.Q_ENDOWMENT] = rng.choice([10.0, 20.0])
    q[lk.Q_MPCR] = rng.uniform(0.2, 0.8)
    q[lk.Q_BELIEF_WEIGHT] = rng.uniform(0, 1)
    q[lk.Q_NOISE] = rng.choice([0.0, rng.uniform(0, 0.3)])
    q[lk.Q_COMPLIANCE] = rng.uniform(0, 1)
    q[lk.Q_MARGIN] = rng.uniform(0, 5)
    q[lk.Q_LEARNING] = rng.uniform(0, 1)
    q[lk.Q_PUNISH_RATE] = rng.choice([0.0, rng.uniform(0, 1), 50.0])
    q[lk.Q_MAX_POINTS] = rng.choice([0, 3, 10])
    q[lk.Q_COST] = 1.0
    q[lk.Q_IMPACT] = 3.0
    q[lk.Q_RESTART] = rng.uniform(0, 1)
    q[lk.Q_PAYOFF_WEIGHT] = rng.choice([0.0, 1.0, rng.uniform(0, 1)])
    q[lk.Q_ASPIRATION] = rng.choice([0.0, rng.uniform(-0.5, 0.5)])
    q[lk.Q_SENSITIVITY] = rng.choice([0.0, rng.uniform(0, 20)])
    q[lk.Q_PROPENSITY] = rng.choice([0.0, 1.0, rng.uniform(0, 1)])
    q[lk.Q_PEER_COMPARISON] = rng.choice([0.0, 1.0, rng.uniform(0, 1)])
    return q


@pytest.fixture(scope="module")
def lab():
    return run_lab(LabDesign(), Behaviour(), seed=11)


# ------------------------------------------------------------------------------ schedule


def test_library_designs_are_perfect_strangers():
    designs, worst = sch.library(24, 4, 6)
    assert worst == 0 and len(designs) >= 4
    for design in designs:
        assert design.shape == (6, 24)
        assert all(sorted(row) == list(range(24)) for row in design)
        assert sch.repeats(design, 4) == 0


def test_repeats_counts_each_extra_meeting():
    one_round = np.arange(8)[None, :]
    assert sch.repeats(one_round, 4) == 0
    twice = np.vstack([np.arange(8), np.arange(8)])
    assert sch.repeats(twice, 4) == 12  # 2 groups x 6 pairs, each met twice
    swapped = np.vstack([np.arange(8), [0, 1, 2, 4, 3, 5, 6, 7]])
    assert sch.repeats(swapped, 4) == 6  # pairs 0-1, 0-2, 1-2 and 5-6, 5-7, 6-7 meet again


def test_relabelled_designs_stay_repeat_free(rng):
    design = sch.library(24, 4, 6)[0][0]
    for _ in range(20):
        copy = sch.relabelled(design, 4, rng)
        assert sch.repeats(copy, 4) == 0
        assert all(sorted(row) == list(range(24)) for row in copy)


def test_search_finds_a_resolvable_design(rng):
    # 9 subjects in groups of 3 for 4 periods: the affine plane of order 3 exists
    design, cost = sch.search_design(9, 3, 4, rng, restarts=20)
    assert cost == 0 and sch.repeats(design, 3) == 0
    assert all(sorted(row) == list(range(9)) for row in design)


@pytest.mark.parametrize("seed", range(6))
def test_tabu_search_matches_twin(seed):
    rng = np.random.default_rng(seed)
    n, k, rounds = [(12, 3, 4), (9, 3, 4), (8, 2, 5), (12, 4, 3)][seed % 4]
    start = np.stack([rng.permutation(n) for _ in range(rounds)]).astype(np.int64)
    key = random_key(rng)
    got, cost = sch.tabu_search(start, k, key, 60, 3, 5)
    want, want_cost = rl.tabu_search(start, k, int(key), 60, 3, 5)
    np.testing.assert_array_equal(got, want)
    assert cost == want_cost == sch.repeats(got, k)


def test_lab_schedule_sessions_groups_and_counterbalancing(lab):
    design = lab.design
    s, p, n = lab.sessions.schedule.shape
    assert (s, p, n) == (10, 12, 24)
    assert lab.repeat_meetings() == 0
    for m in range(s):
        first = lab.sessions.punish[m, :6]
        assert len(set(first)) == 1 and (lab.sessions.punish[m, 6:] == 1 - first[0]).all()
        assert bool(first[0]) == design.punishment_first(m)
        for t in range(p):
            assert sorted(lab.sessions.schedule[m, t]) == list(range(24))
    assert lab.sessions.punishment_first.sum() == 5  # counterbalanced: half each order
    frame = lab.to_frame()
    sizes = frame.groupby(["session", "period", "group"]).size()
    assert (sizes == 4).all() and len(sizes) == 10 * 12 * 6


@pytest.mark.parametrize("order,first", [("punishment-first", True), ("punishment-last", False)])
def test_fixed_orders(order, first):
    result = run_lab(LabDesign(sessions=3, order=order), Behaviour(), seed=1)
    assert (result.sessions.punishment_first == first).all()


# ------------------------------------------------------------------------- kernel twins


@pytest.mark.parametrize("seed", range(4))
def test_decide_matches_twin(seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(300):
        params = random_params(rng)
        e = params[lk.Q_ENDOWMENT]
        args = (int(rng.integers(4)), rng.uniform(0, 1.5), rng.uniform(0, e),
                rng.choice([0.0, e, rng.uniform(0, e)]), rng.choice([0.0, 1.0, rng.uniform(0, 1)]),
                rng.uniform(0, 1), bool(rng.integers(2)))
        key, t, c = random_key(rng), int(rng.integers(12)), int(rng.integers(24))
        got = lk.decide(*args, params, key, t, c)
        want = rl.decide(*args, params, int(key), t, c)
        assert 0.0 <= got <= e
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


def _punish(x, ids, n, params, key, t):
    """The laboratory's punishment stage with its rate and cap from the parameter vector."""
    out = np.empty((len(x), len(x)))
    bk.punish_group(np.asarray(x, float), np.asarray(ids, np.int64), n,
                    params[lk.Q_PUNISH_RATE], params[lk.Q_MAX_POINTS], key, t, out)
    return out


def test_punishment_hits_the_free_rider_hardest():
    params = np.zeros(lk.N_Q)
    params[lk.Q_PUNISH_RATE] = 0.5
    params[lk.Q_MAX_POINTS] = 10
    x = np.array([0.0, 20.0, 20.0, 10.0])
    points = _punish(x, np.arange(4), 4, params, np.uint64(7), 0)
    received = points.sum(axis=0)
    assert received[0] > received[3] > 0 and received[1] == received[2] == 0
    # shortfall of the free rider: 50/3 MU, 0.5 points per MU, by three punishers
    assert received[0] == pytest.approx(3 * 50 / 6, abs=3)
    assert _punish(np.full(4, 5.0), np.arange(4), 4, params, np.uint64(7), 0).sum() == 0


def _random_sessions(rng, count, n, k, periods):
    sched = np.stack([np.stack([rng.permutation(n) for _ in range(2 * periods)])
                      for _ in range(count)]).astype(np.int64)
    punish = np.zeros((count, 2 * periods), np.int8)
    block = np.zeros((count, 2 * periods), np.int8)
    for m in range(count):
        first = int(rng.integers(2))
        punish[m, :periods], punish[m, periods:] = first, 1 - first
        block[m, 0] = block[m, periods] = 1
    kind = rng.integers(0, 4, (count, n)).astype(np.int8)
    slope = rng.uniform(0, 1.2, (count, n))
    base = rng.uniform(0, 20, (count, n))
    belief0 = rng.uniform(0, 20, (count, n))
    keys = rng.integers(0, 2**64, count, dtype=np.uint64)
    return sched, punish, block, kind, slope, base, belief0, keys


@pytest.mark.parametrize("seed", range(3))
def test_simulate_sessions_matches_twin(seed):
    rng = np.random.default_rng(300 + seed)
    k = [4, 3, 2][seed]
    n, periods, count = 4 * k, 3, 4
    inputs = _random_sessions(rng, count, n, k, periods)
    params = random_params(rng)
    params[lk.Q_ENDOWMENT] = 20.0
    seed_agent = rng.integers(0, n, count)
    extra = np.array([0.0, 1.0, 2.5, 1.0])
    extra_period = rng.integers(0, 2 * periods, count)
    shape = (count, 2 * periods, n)
    got = {name: np.empty(shape) for name in ("contribution", "belief", "given", "received",
                                              "payoff")}
    points = np.empty((*shape, k))
    lk.simulate_sessions(*inputs, params, seed_agent, extra, extra_period, got["contribution"],
                         got["belief"], got["given"], got["received"], got["payoff"], points)
    want, want_points = rl.simulate_sessions(*inputs, params, seed_agent, extra, extra_period, k)
    for name in got:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10, atol=1e-10, err_msg=name)
    np.testing.assert_array_equal(points, want_points)


# ----------------------------------------------------------------------------- exports


def test_long_table_columns_counts_and_accounting(lab):
    frame = lab.to_frame()
    assert list(frame.columns) == list(LONG_COLUMNS)
    assert list(frame.columns[:7]) == ["session", "period", "subject", "group", "contribution",
                                       "punishment_given", "punishment_received"]
    assert len(frame) == 10 * 12 * 24
    assert frame["subject"].nunique() == 240
    assert not frame.duplicated(["session", "period", "subject"]).any()
    assert frame["contribution"].between(0, 20).all()
    by_period = frame.groupby(["session", "period"])[["punishment_given",
                                                     "punishment_received"]].sum()
    np.testing.assert_allclose(by_period["punishment_given"], by_period["punishment_received"])
    without = frame[frame.treatment == "without_punishment"]
    assert (without[["punishment_given", "punishment_received"]] == 0).all().all()
    assert frame.loc[frame.treatment == "with_punishment", "punishment_given"].sum() > 0
    counts = frame.groupby(["session", "treatment"]).period.nunique()
    assert (counts == 6).all()
    # payoff: E - x + 0.4 * group total - given - 3 * received
    totals = frame.groupby(["session", "period", "group"]).contribution.transform("sum")
    expected = (20 - frame.contribution + 0.4 * totals - frame.punishment_given
                - 3 * frame.punishment_received)
    np.testing.assert_allclose(frame.payoff, expected, **TIGHT)


def test_interaction_network(lab):
    frame = lab.to_frame()
    edges = lab.network_frame()
    assert len(edges) == 10 * 12 * 24 * 3
    assert list(edges.columns) == ["session", "period", "subject", "other", "group", "points"]
    per = edges.groupby(["session", "period", "subject"]).other.nunique()
    assert (per == 3).all()
    # edges agree with the long table's groups and punishment totals
    groups = frame.set_index(["session", "period", "subject"]).group
    src = groups.loc[list(zip(edges.session, edges.period, edges.subject, strict=True))]
    dst = groups.loc[list(zip(edges.session, edges.period, edges.other, strict=True))]
    assert (src.to_numpy() == dst.to_numpy()).all()
    assert (src.to_numpy() == edges.group.to_numpy()).all()
    given = edges.groupby(["session", "period", "subject"]).points.sum()
    received = edges.groupby(["session", "period", "other"]).points.sum()
    table = frame.set_index(["session", "period", "subject"]).sort_index()
    np.testing.assert_allclose(given.sort_index(), table.punishment_given)
    np.testing.assert_allclose(received.sort_index().to_numpy(),
                               table.punishment_received.to_numpy())
    # perfect strangers: within a session and treatment, no ordered pair twice
    edges["treatment"] = (edges.period > 6).astype(int)
    assert not edges.duplicated(["session", "treatment", "subject", "other"]).any()
    graph = lab.to_networkx()
    assert graph.number_of_nodes() == 240 and graph.number_of_edges() == len(edges)


# ---------------------------------------------------------------------- reproducibility


def test_same_seed_same_result_other_seed_differs():
    a = run_lab(LabDesign(sessions=3), Behaviour(), seed=5)
    b = run_lab(LabDesign(sessions=3), Behaviour(), seed=5)
    c = run_lab(LabDesign(sessions=3), Behaviour(), seed=6)
    np.testing.assert_array_equal(a.contribution, b.contribution)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.contribution, c.contribution)


def test_thread_count_does_not_matter():
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = run_lab(LabDesign(sessions=6), Behaviour(), seed=3)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = run_lab(LabDesign(sessions=6), Behaviour(), seed=3)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one.contribution, many.contribution)
    np.testing.assert_array_equal(one.received, many.received)


def test_bad_design_and_behaviour_raise_one_line_config_errors():
    cases = [
        (lambda: LabDesign(sessions=0), "--sessions"),
        (lambda: LabDesign(sessions="3"), "--sessions"),
        (lambda: LabDesign(session_size=10, group_size=4), "--session-size"),
        (lambda: LabDesign(order="random"), "--order"),
        (lambda: LabDesign(mpcr=0), "--mpcr"),
        (lambda: Behaviour(belief_weight=1.5), "--belief-weight"),
        (lambda: Behaviour(share_free_rider=0.6, share_conditional=0.6), "at most 1"),
        (lambda: Behaviour.from_dict({"slopes": 1}), "slopes"),
    ]
    for make, mention in cases:
        with pytest.raises(ConfigError) as err:
            make()
        assert mention in str(err.value) and "\n" not in str(err.value)


def test_parameter_vector_and_free_rider_rescaling():
    beh = Behaviour()
    q = parameter_vector(LabDesign(), beh)
    assert q.shape == (lk.N_Q,)
    assert q[lk.Q_ENDOWMENT] == 20 and q[lk.Q_MPCR] == 0.4 and q[lk.Q_IMPACT] == 3
    # the margin is a share of E in the behaviour, MU in the kernel
    assert q[lk.Q_MARGIN] == pytest.approx(beh.punishment_margin * 20)
    assert q[lk.Q_COMPLIANCE] == beh.punishment_compliance
    assert q[lk.Q_LEARNING] == beh.punishment_learning
    assert q[lk.Q_PUNISH_RATE] == beh.punishment_rate
    assert q[lk.Q_PAYOFF_WEIGHT] == beh.payoff_weight
    assert q[lk.Q_ASPIRATION] == beh.aspiration
    assert q[lk.Q_SENSITIVITY] == beh.sensitivity
    assert q[lk.Q_PROPENSITY] == beh.initial_cooperation
    more = beh.with_free_riders(0.4)
    assert more.share_free_rider == 0.4
    assert more.share_conditional / more.share_hump == pytest.approx(
        beh.share_conditional / beh.share_hump)
    total = more.share_conditional + more.share_free_rider + more.share_hump + more.share_other
    assert total == pytest.approx(1.0)


# -------------------------------------------------------------------------- paired runs


def test_zero_extra_gives_exactly_zero_difference():
    paired = paired_runs(LabDesign(), Behaviour(), seed=4, pairs=40, extra=0.0)
    assert np.array_equal(paired.baseline.contribution, paired.treated.contribution)
    assert np.array_equal(paired.baseline.points, paired.treated.points)
    assert (paired.extra == 0).all()


def test_one_extra_mu_starts_a_positive_cascade():
    # people who also learn from their earnings make single pairs noisy (a gift changes who
    # earns more than whom): 2,000 pairs bound the multiplier away from 0 (300 did not)
    paired = paired_runs(LabDesign(), Behaviour(), seed=4, pairs=2000, extra=1.0)
    rows = np.arange(paired.pairs)
    diff = paired.difference
    np.testing.assert_allclose(diff[rows, 0, paired.giver], 1.0, **TIGHT)
    first = diff[:, 0].copy()
    first[rows, paired.giver] = 0.0
    assert (first == 0).all()  # nobody else changes in the period of the gift
    cascade = causal_cascade(paired)
    assert cascade.unreached_total == 0.0
    assert cascade.estimate > 0 and cascade.ci[0] > 0
    assert cascade.by_degree[1, 1] > 0  # the giver's group-mates give more in period 2
    assert np.all(cascade.by_degree[2, :2] == 0)  # degree 2 cannot act before period 3
    np.testing.assert_allclose(cascade.by_degree[1:].sum(), cascade.estimate, rtol=1e-9)


def test_paired_runs_share_worlds_with_common_random_numbers():
    a = paired_runs(LabDesign(), Behaviour(), seed=9, pairs=20)
    b = paired_runs(LabDesign(), Behaviour(), seed=9, pairs=20)
    np.testing.assert_array_equal(a.treated.contribution, b.treated.contribution)
    np.testing.assert_array_equal(a.baseline.sessions.keys, a.treated.sessions.keys)
    with pytest.raises(ValueError):
        paired_runs(pairs=0)


def test_temporal_degree_by_hand():
    # 8 subjects, groups of 2; the giver is 0
    schedule = np.array([[
        [0, 1, 2, 3, 4, 5, 6, 7],  # period 0: 0-1
        [1, 2, 0, 3, 4, 5, 6, 7],  # period 1: 1-2, 0-3
        [2, 4, 3, 5, 0, 6, 1, 7],  # period 2: 2-4, 3-5, 0-6, 1-7
        [4, 6, 0, 1, 2, 3, 5, 7],
    ]])
    deg = temporal_degree(schedule, 2, np.array([0]), 0)
    u = UNREACHED
    np.testing.assert_array_equal(deg[0, 0], [0, u, u, u, u, u, u, u])
    np.testing.assert_array_equal(deg[0, 1], [0, 1, u, u, u, u, u, u])
    np.testing.assert_array_equal(deg[0, 2], [0, 1, 2, 1, u, u, u, u])
    np.testing.assert_array_equal(deg[0, 3], [0, 1, 2, 1, 3, 2, 1, 2])


def test_draw_sessions_is_per_session_reproducible():
    seeds = np.random.SeedSequence(1).spawn(4)
    a = draw_sessions(LabDesign(), Behaviour(), seeds)
    b = draw_sessions(LabDesign(), Behaviour(), seeds[2:], first_index=2)
    np.testing.assert_array_equal(a.schedule[2:], b.schedule)
    np.testing.assert_array_equal(a.kind[2:], b.kind)
    result = run_sessions(LabDesign(), Behaviour(), a.take(np.array([2, 3])))
    again = run_sessions(LabDesign(), Behaviour(), b)
    np.testing.assert_array_equal(result.contribution, again.contribution)
