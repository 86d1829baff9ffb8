"""Every Numba kernel against its plain-Python twin in ``tests/reference.py``.

Random inputs come from a seeded generator; edge cases (isolated nodes, groups of one, a single
agent, all-zero contributions, equal payoffs, binary strategies) are checked explicitly.
Run keys are passed as ``numpy.uint64`` scalars, as ``Simulation`` passes them. The human-like
decision's own steps (sim/behaviour/kernels.py) are checked in ``tests/test_behaviour.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference as ref

from sim import rng as krandom
from sim.behaviour import kernels as bk
from sim.graph import CSRGraph
from sim.groups import Groups, edge_groups, neighbourhood_groups
from sim.kernels import games, metrics
from sim.kernels import rules as krules
from sim.rules import RULES

TIGHT = dict(rtol=1e-12, atol=1e-12)
RULE_NAMES = sorted(RULES)
UPDATES = ("synchronous", "asynchronous")
STRUCTURES = ("neighbourhood", "edges", "partition", "arbitrary")


# ---------------------------------------------------------------------------- builders


def random_key(rng: np.random.Generator) -> np.uint64:
    return np.uint64(int(rng.integers(0, 2**64, dtype=np.uint64)))


def random_graph(rng: np.random.Generator, n: int, mean_degree: float = 3.0) -> CSRGraph:
    """An Erdős–Rényi-like graph; at this density some nodes are usually isolated."""
    m = int(rng.poisson(mean_degree * n / 2)) if n > 1 else 0
    edges = rng.integers(0, n, size=(m, 2))
    return CSRGraph.from_edges(n, edges)


def arbitrary_groups(rng: np.random.Generator, n: int) -> Groups:
    """Groups of random sizes (some of one member); an agent may be in none or in several."""
    sizes = rng.integers(1, min(n, 5) + 1, size=int(rng.integers(1, 2 * n + 1)))
    group_ptr = np.concatenate([[0], np.cumsum(sizes)])
    members = np.concatenate([rng.choice(n, size=s, replace=False) for s in sizes])
    return Groups.from_members(n, group_ptr, members)


def build_groups(kind: str, graph: CSRGraph, rng: np.random.Generator) -> Groups:
    if kind == "neighbourhood":
        return neighbourhood_groups(graph)
    if kind == "edges":
        return edge_groups(graph)
    if kind == "partition":
        return Groups.from_order(rng.permutation(graph.n), int(rng.integers(1, 6)))
    return arbitrary_groups(rng, graph.n)


def contributions(rng: np.random.Generator, n: int, endowment: float, binary: bool) -> np.ndarray:
    if binary:
        return np.where(rng.random(n) < 0.5, endowment, 0.0)
    return rng.random(n) * endowment


def game_arrays(groups: Groups, n: int, per_individual: bool, rng: np.random.Generator,
                r_mode: bool = False):
    """(weight, own_games, share) as ``Simulation`` derives them."""
    games_per_agent = groups.games_per_agent.astype(np.float64)
    if per_individual:
        weight = np.where(games_per_agent > 0, 1.0 / np.maximum(games_per_agent, 1.0), 0.0)
        own_games = np.ones(n)
    else:
        weight = np.ones(n)
        own_games = games_per_agent
    if r_mode:
        share = float(rng.uniform(1.0, 5.0)) / np.maximum(groups.sizes.astype(np.float64), 1.0)
    else:
        share = np.full(groups.n_groups, float(rng.uniform(0.05, 1.0)))
    return weight, own_games, share


def play(x, weight, own_games, share, endowment, groups: Groups):
    """One round of the game with the kernels: (payout, payoff, raw group sums)."""
    n = len(x)
    payout = np.empty(groups.n_groups)
    raw = np.empty(groups.n_groups)
    games.group_payouts(x, weight, share, groups.group_ptr, groups.members, np.empty(n), payout,
                        raw)
    payoff = np.empty(n)
    games.payoffs(x, own_games, endowment, payout, groups.agent_ptr, groups.agent_groups, payoff)
    alone = np.empty(groups.n_groups)
    games.group_sums(x, groups.group_ptr, groups.members, alone)
    assert np.array_equal(raw, alone)  # the payouts' pass sums what group_sums sums
    return payout, payoff, raw


def param_vector(rng: np.random.Generator, endowment: float, binary: bool, mutation: float,
                 noise: float | None = None) -> np.ndarray:
    p = np.zeros(krules.N_PARAMS)
    p[krules.P_ENDOWMENT] = endowment
    p[krules.P_BINARY] = 1.0 if binary else 0.0
    p[krules.P_MUTATION] = mutation
    p[krules.P_TEMPERATURE] = float(rng.choice([0.05, 0.5, 5.0]))
    p[krules.P_SELECTION] = float(rng.choice([0.0, 0.1, 1.0]))
    p[krules.P_BELIEF_WEIGHT] = float(rng.uniform(0.0, 1.0))
    p[krules.P_NOISE] = float(rng.choice([0.0, 0.05, 0.3])) if noise is None else noise
    p[krules.P_PAYOFF_WEIGHT] = float(rng.choice([0.0, 1.0, rng.uniform(0.0, 1.0)]))
    p[krules.P_ASPIRATION] = float(rng.choice([0.0, rng.uniform(-1.0, 1.0)]))
    p[krules.P_SENSITIVITY] = float(rng.choice([0.0, 5.0, rng.uniform(0.0, 50.0)]))
    p[krules.P_PEER_COMPARISON] = float(rng.choice([0.0, 1.0, rng.uniform()]))
    return p


class State:
    """A random but self-consistent state for the rule kernels."""

    def __init__(self, rng: np.random.Generator, n: int, *, binary: bool, mutation: float,
                 structure: str = "neighbourhood", per_individual: bool = False,
                 equal_payoffs: bool = False, zero: bool = False, graph: CSRGraph | None = None,
                 noise: float | None = None):
        self.n = n
        self.endowment = float(rng.choice([1.0, 10.0, 20.0]))
        self.graph = graph if graph is not None else random_graph(rng, n)
        self.groups = build_groups(structure, self.graph, rng)
        self.weight, self.own_games, self.share = game_arrays(self.groups, n, per_individual, rng)
        self.x = np.zeros(n) if zero else contributions(rng, n, self.endowment, binary)
        self.payout, self.payoff, self.raw = play(self.x, self.weight, self.own_games, self.share,
                                                  self.endowment, self.groups)
        self.consistent = not equal_payoffs  # payoffs are what x earns
        if equal_payoffs:
            self.payoff[:] = 7.0
        self.obs = np.empty(n)
        games.observed_means(self.x, self.raw, self.groups.group_ptr, self.groups.agent_ptr,
                             self.groups.agent_groups, self.obs)
        # what each earned per game and her co-players' mean of it, as Simulation derives them
        self.earned = np.empty(n)
        games.per_game(self.payoff, self.own_games, self.earned)
        earned_total = np.empty(self.groups.n_groups)
        games.group_sums(self.earned, self.groups.group_ptr, self.groups.members, earned_total)
        self.peers = np.empty(n)
        games.observed_means(self.earned, earned_total, self.groups.group_ptr,
                             self.groups.agent_ptr, self.groups.agent_groups, self.peers)
        self.belief = rng.random(n) * self.endowment
        self.kind = rng.integers(0, 4, size=n).astype(np.int8)
        self.slope = rng.uniform(0.0, 2.0, size=n)
        self.base = rng.random(n) * self.endowment
        # propensities, some exactly at 0 or 1
        self.propensity = np.where(rng.random(n) < 0.2, rng.integers(0, 2, size=n).astype(float),
                                   rng.random(n))
        # proportional imitation's payoff bounds: sometimes degenerate (lo == hi)
        low = self.payoff - rng.random(n) * 5.0
        self.lo = np.where(rng.random(n) < 0.1, self.payoff, low)
        self.hi = np.where(rng.random(n) < 0.1, self.lo, self.payoff + rng.random(n) * 5.0)
        self.params = param_vector(rng, self.endowment, binary, mutation, noise)
        self.key = random_key(rng)
        self.t = int(rng.integers(1, 1000))


# ------------------------------------------------------------------------------ random


def test_numpy_sum_is_numpys_sum_bit_for_bit(rng):
    """The kernels that replaced NumPy code keep its sums' last bits: ``numpy_sum`` walks
    NumPy's pairwise tree (blocks of 128, eight accumulators) at every size tried."""
    sizes = [*range(0, 300), 1000, 1023, 1024, 1025, 4095, 8192, 8193, 65537, 200_003]
    for n in sizes:
        values = rng.standard_normal(n) * 10.0 ** rng.uniform(-4, 4, n)
        assert metrics.numpy_sum(values) == values.sum(), n


def test_mix64_matches_twin(rng):
    values = [0, 1, 2**63 - 1, 2**63, 2**64 - 1]
    values += [int(v) for v in rng.integers(0, 2**64, size=500, dtype=np.uint64)]
    for z in values:
        assert int(krandom.mix64(np.uint64(z))) == ref.mix64(z)


def test_mix64_twin_known_values():
    # SplitMix64's published outputs for seed 0 (state += golden, then the finaliser)
    state, outputs = 0, []
    for _ in range(3):
        state = ref.u64(state + ref.GOLDEN)
        outputs.append(ref.mix64(state))
    assert outputs == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_uniform_matches_twin_exactly(rng):
    keys = [np.uint64(0), np.uint64(2**63 - 1), np.uint64(2**63), np.uint64(2**64 - 1)]
    keys += [random_key(rng) for _ in range(40)]
    for key in keys:
        for _ in range(10):
            t, c, s = (int(v) for v in rng.integers(0, 10**6, size=3))
            assert krandom.uniform(key, t, c, s) == ref.uniform(int(key), t, c, s)
        assert krandom.uniform(key, 0, 0, 0) == ref.uniform(int(key), 0, 0, 0)


def test_normal_matches_twin(rng):
    for _ in range(300):
        key = random_key(rng)
        t, c = (int(v) for v in rng.integers(0, 10**6, size=2))
        got = krandom.normal(key, t, c, krandom.STREAM_NOISE_A, krandom.STREAM_NOISE_B)
        want = ref.normal(int(key), t, c, ref.STREAM_NOISE_A, ref.STREAM_NOISE_B)
        np.testing.assert_allclose(got, want, **TIGHT)


def test_stream_numbers_match_twin():
    for name in ("PARTNER", "ACCEPT", "MUTATE", "MUTANT", "NOISE_A", "NOISE_B", "ROUNDING",
                 "PICK"):
        assert getattr(krandom, f"STREAM_{name}") == getattr(ref, f"STREAM_{name}")
    streams = [getattr(krandom, n) for n in dir(krandom) if n.startswith("STREAM_")]
    assert len(set(streams)) == len(streams)


def test_uniform_is_in_unit_interval_and_roughly_uniform():
    key = np.uint64(0xDEADBEEF12345678)
    draws = np.array([krandom.uniform(key, 3, c, 1) for c in range(20_000)])
    assert draws.min() >= 0.0 and draws.max() < 1.0
    assert abs(draws.mean() - 0.5) < 0.01
    assert abs(draws.var() - 1.0 / 12.0) < 0.005
    buckets = 20
    counts = np.bincount((draws * buckets).astype(int), minlength=buckets)
    expected = len(draws) / buckets
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 60.0  # 19 degrees of freedom: P(chi2 > 60) < 1e-5
    # consecutive counters are not correlated
    assert abs(np.corrcoef(draws[:-1], draws[1:])[0, 1]) < 0.05


def test_uniform_extremes_of_the_float_conversion():
    assert ref.uniform(0, 0, 0, 0) < 1.0
    # the largest 53-bit value maps just below 1, exactly representable
    assert ((ref.MASK64 >> 11) * ref.TWO_POW_MINUS_53) == 1.0 - 2.0**-53


def test_uniform_differs_across_round_counter_stream_and_key():
    key = np.uint64(12345)
    values = {
        (t, c, s): krandom.uniform(key, t, c, s)
        for t in range(6)
        for c in range(12)
        for s in range(8)
    }
    assert len(set(values.values())) == len(values)
    assert krandom.uniform(np.uint64(12346), 0, 0, 0) != krandom.uniform(key, 0, 0, 0)


def test_normal_moments():
    key = np.uint64(987654321)
    draws = np.array([krandom.normal(key, 1, c, 4, 5) for c in range(20_000)])
    assert np.all(np.isfinite(draws))
    assert abs(draws.mean()) < 0.05
    assert abs(draws.std() - 1.0) < 0.05


# ------------------------------------------------------------------------------- games


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("per_individual", [False, True], ids=["per-game", "per-individual"])
def test_game_kernels_match_twins(rng, structure, per_individual):
    for trial in range(15):
        n = int(rng.integers(1, 40))
        graph = random_graph(rng, n)
        groups = build_groups(structure, graph, rng)
        weight, own_games, share = game_arrays(groups, n, per_individual, rng, r_mode=trial % 2)
        endowment = float(rng.choice([1.0, 20.0]))
        x = contributions(rng, n, endowment, binary=trial % 3 == 0)
        payout, payoff, raw = play(x, weight, own_games, share, endowment, groups)

        want_payout = ref.group_payouts(x, weight, share, groups.group_ptr, groups.members)
        np.testing.assert_allclose(payout, want_payout, **TIGHT)
        unweighted = np.empty(groups.n_groups)
        games.group_payouts(x, np.empty(0), share, groups.group_ptr, groups.members,
                            np.empty(n), unweighted, np.empty(0))
        np.testing.assert_allclose(
            unweighted,
            ref.group_payouts(x, np.ones(n), share, groups.group_ptr, groups.members),
            **TIGHT,
        )
        want_raw = ref.group_sums(x, groups.group_ptr, groups.members)
        np.testing.assert_allclose(raw, want_raw, **TIGHT)
        want_payoff = ref.payoffs(x, own_games, endowment, want_payout, groups.agent_ptr,
                                  groups.agent_groups)
        np.testing.assert_allclose(payoff, want_payoff, **TIGHT)

        obs = np.empty(n)
        games.observed_means(x, raw, groups.group_ptr, groups.agent_ptr, groups.agent_groups, obs)
        want_obs = ref.observed_means(x, want_raw, groups.group_ptr, groups.agent_ptr,
                                      groups.agent_groups)
        np.testing.assert_array_equal(np.isnan(obs), np.isnan(want_obs))
        np.testing.assert_allclose(obs, want_obs, equal_nan=True, **TIGHT)
        for i in range(0, n, 7):
            one = games.observed_mean_one(i, x, raw, groups.group_ptr, groups.agent_ptr,
                                          groups.agent_groups)
            np.testing.assert_allclose(one, want_obs[i], equal_nan=True, **TIGHT)

        # payoffs per game, and the co-players' mean of them
        earned = np.full(n, SENTINEL)
        games.per_game(payoff, own_games, earned)
        np.testing.assert_array_equal(earned, ref.per_game(payoff, own_games))
        want_peers = ref.peer_means(earned, groups.group_ptr, groups.members, groups.agent_ptr,
                                    groups.agent_groups)
        for i in range(n):
            one = games.peer_mean_one(i, earned, groups.group_ptr, groups.members,
                                      groups.agent_ptr, groups.agent_groups)
            twin = ref.peer_mean_one(i, earned, groups.group_ptr, groups.members,
                                     groups.agent_ptr, groups.agent_groups)
            assert math.isnan(one) == math.isnan(twin) == math.isnan(want_obs[i])
            if not math.isnan(twin):
                assert one == twin  # the same sum, term by term
                # member by member or group sums less her own: the same mean
                scale = max(1.0, float(np.abs(earned).max()))
                assert one == pytest.approx(want_peers[i], rel=1e-9, abs=1e-12 * scale)


def test_payoff_formula_for_one_group():
    # textbook: payoff_i = E - x_i + mpcr * sum_j x_j
    x = np.array([0.0, 4.0, 10.0, 6.0])
    groups = Groups.from_members(4, np.array([0, 4]), np.arange(4))
    payout, payoff, raw = play(x, np.ones(4), np.ones(4), np.array([0.4]), 10.0, groups)
    assert raw[0] == 20.0
    assert payout[0] == pytest.approx(8.0)
    np.testing.assert_allclose(payoff, [18.0, 14.0, 8.0, 12.0], **TIGHT)


def test_game_edge_cases():
    # agent 0 is in no group, agent 1 alone in a group, agents 2..4 together
    n = 5
    groups = Groups.from_members(n, np.array([0, 1, 4]), np.array([1, 2, 3, 4]))
    assert groups.games_per_agent.tolist() == [0, 1, 1, 1, 1]
    x = np.array([3.0, 5.0, 1.0, 2.0, 3.0])
    weight, own_games = np.ones(n), groups.games_per_agent.astype(np.float64)
    share = np.array([0.5, 0.5])
    payout, payoff, raw = play(x, weight, own_games, share, 10.0, groups)
    np.testing.assert_allclose(payout, [2.5, 3.0], **TIGHT)
    # isolated: plays nothing, earns nothing under cost per game
    np.testing.assert_allclose(payoff, [0.0, 7.5, 12.0, 11.0, 10.0], **TIGHT)
    obs = np.empty(n)
    games.observed_means(x, raw, groups.group_ptr, groups.agent_ptr, groups.agent_groups, obs)
    assert math.isnan(obs[0]) and math.isnan(obs[1])  # no co-players
    np.testing.assert_allclose(obs[2:], [2.5, 2.0, 1.5], **TIGHT)

    # payoffs per game: nothing for the agent without a game; the co-players' mean of them
    earned = np.empty(n)
    games.per_game(payoff, own_games, earned)
    np.testing.assert_allclose(earned, [0.0, 7.5, 12.0, 11.0, 10.0], **TIGHT)
    args = (groups.group_ptr, groups.members, groups.agent_ptr, groups.agent_groups)
    assert math.isnan(games.peer_mean_one(0, earned, *args))  # in no group
    assert math.isnan(games.peer_mean_one(1, earned, *args))  # alone in her group
    assert games.peer_mean_one(2, earned, *args) == (11.0 + 10.0) / 2

    # all contributions zero: every agent keeps E per game
    zero = np.zeros(n)
    payout, payoff, raw = play(zero, weight, own_games, share, 10.0, groups)
    assert not payout.any() and not raw.any()
    np.testing.assert_allclose(payoff, 10.0 * own_games, **TIGHT)

    # a single agent alone in its group
    one = Groups.from_order(np.array([0]), 1)
    payout, payoff, raw = play(np.array([4.0]), np.ones(1), np.ones(1), np.array([0.3]), 10.0,
                               one)
    np.testing.assert_allclose(payoff, [6.0 + 0.3 * 4.0], **TIGHT)


def test_neighbourhood_groups_of_an_isolated_node():
    graph = CSRGraph.from_edges(4, np.array([[0, 1], [1, 2]]))  # node 3 isolated
    groups = neighbourhood_groups(graph)
    assert groups.members_of(3).tolist() == [3]
    assert groups.groups_of(3).tolist() == [3]
    assert sorted(groups.groups_of(1).tolist()) == [0, 1, 2]
    x = np.array([1.0, 2.0, 3.0, 4.0])
    weight, own_games, share = np.ones(4), groups.games_per_agent.astype(float), np.full(4, 0.5)
    _, payoff, _ = play(x, weight, own_games, share, 10.0, groups)
    # node 3 plays alone: E - x + 0.5 x
    assert payoff[3] == pytest.approx(10.0 - 4.0 + 2.0)


# ------------------------------------------------------------------------ rule helpers


PARAMETER_INDICES = ("P_ENDOWMENT", "P_BINARY", "P_MUTATION", "P_TEMPERATURE", "P_SELECTION",
                     "P_BELIEF_WEIGHT", "P_NOISE", "P_THRESHOLD", "P_PAYOFF_WEIGHT",
                     "P_ASPIRATION", "P_SENSITIVITY", "P_PEER_COMPARISON")


def test_rule_codes_match_twin():
    for name in ("FERMI", "PROPORTIONAL", "IMITATE_BEST", "DEATH_BIRTH", "CONDITIONAL", "HUMAN",
                 *PARAMETER_INDICES, "N_PARAMS"):
        assert getattr(krules, name) == getattr(ref, name), name
    assert sorted(rule.code for rule in RULES.values()) == list(range(len(RULES)))
    # one slot per parameter, none left over; the slope is per agent now
    assert sorted(getattr(krules, name) for name in PARAMETER_INDICES) == list(
        range(krules.N_PARAMS))
    assert not hasattr(krules, "P_SLOPE")
    for name, rule in RULES.items():
        assert krules.uses_beliefs(rule.code) == ref.uses_beliefs(rule.code) == rule.uses_beliefs
        assert (rule.code == krules.HUMAN) == rule.learns_from_payoff, name


def test_fermi_probability_matches_twin(rng):
    cases = [(0.0, 0.0, 1.0), (1.0, 0.0, 0.5), (0.0, 1.0, 0.5), (40.0, 0.0, 1.0),
             (0.0, 40.0, 1.0), (40.0 + 1e-9, 0.0, 1.0), (0.0, 40.0 + 1e-9, 1.0),
             (1e6, 0.0, 0.01), (0.0, 1e6, 0.01), (5.0, 5.0, 1e-9)]
    cases += [tuple(v) for v in rng.normal(0.0, 20.0, size=(500, 2)).tolist()]
    cases = [c if len(c) == 3 else (*c, float(rng.choice([0.01, 0.5, 3.0]))) for c in cases]
    for a, b, k in cases:
        got = krules.fermi_probability(a, b, k)
        want = ref.fermi_probability(a, b, k)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)  # relative: tiny p too
        assert 0.0 <= got <= 1.0
        # copying a better earner is more likely than not, and p(a,b) + p(b,a) = 1
        np.testing.assert_allclose(got + krules.fermi_probability(b, a, k), 1.0, **TIGHT)
    assert krules.fermi_probability(41.0, 0.0, 1.0) == 0.0
    # the cut-off is at |z| = 40, not before
    assert krules.fermi_probability(40.0, 0.0, 1.0) == 1.0 / (1.0 + math.exp(40.0)) > 0.0
    assert krules.fermi_probability(20.0, 0.0, 0.5) > 0.0
    assert krules.fermi_probability(40.0 + 1e-9, 0.0, 1.0) == 0.0
    assert krules.fermi_probability(0.0, 41.0, 1.0) == 1.0
    assert krules.fermi_probability(3.0, 3.0, 0.5) == 0.5


def test_random_neighbour_matches_twin(rng):
    for _ in range(10):
        n = int(rng.integers(1, 50))
        graph = random_graph(rng, n)
        key, t = random_key(rng), int(rng.integers(0, 100))
        for i in range(n):
            c = int(rng.integers(0, 10 * n))
            got = krules.random_neighbour(i, c, t, key, graph.indptr, graph.indices)
            want = ref.random_neighbour(i, c, t, int(key), graph.indptr, graph.indices)
            assert got == want
            if graph.degree[i] == 0:
                assert got == -1
            else:
                assert got in graph.neighbours(i)


def test_random_neighbour_is_roughly_uniform():
    graph = CSRGraph.from_edges(6, np.array([[0, k] for k in range(1, 6)]))  # a star
    key = np.uint64(99)
    picks = [krules.random_neighbour(0, c, 1, key, graph.indptr, graph.indices)
             for c in range(5000)]
    counts = np.bincount(picks, minlength=6)
    assert counts[0] == 0
    assert np.all(np.abs(counts[1:] - 1000) < 150)
    # a leaf's only neighbour is the centre
    assert krules.random_neighbour(3, 0, 1, key, graph.indptr, graph.indices) == 0


def test_uses_partner():
    for name, rule in RULES.items():
        assert krules.uses_partner(rule.code) == ref.uses_partner(rule.code), name


# ------------------------------------------------------------------------------ decide


def check_decide(code: int, s: State, agents, counter_offset: int = 0):
    for i in agents:
        c = int(i) + counter_offset
        j = (krules.random_neighbour(i, c, s.t, s.key, s.graph.indptr, s.graph.indices)
             if ref.uses_partner(code) else -1)
        got = krules.decide(code, i, c, s.t, s.key, j, s.x, s.payoff, s.graph.indptr,
                            s.graph.indices, s.obs[i], s.earned, s.peers[i], s.belief,
                            s.propensity, s.kind, s.slope, s.base, s.lo, s.hi, s.params)
        want = ref.decide(code, i, c, s.t, int(s.key), j, s.x, s.payoff, s.graph.indptr,
                          s.graph.indices, s.obs[i], s.earned, s.peers[i], s.belief,
                          s.propensity, s.kind, s.slope, s.base, s.lo, s.hi, s.params)
        np.testing.assert_allclose(got, want, **TIGHT, err_msg=f"agent {i}")
        # the parts: the rule's proposal, then mutation (for every rule but human)
        if ref.uses_beliefs(code):
            part = krules.human_like(code, i, c, s.t, s.key, s.obs[i], s.x, s.earned,
                                     s.peers[i], s.belief, s.propensity, s.kind, s.slope,
                                     s.base, s.params)
            want_part = ref.human_like(code, i, c, s.t, int(s.key), s.obs[i], s.x, s.earned,
                                       s.peers[i], s.belief, s.propensity, s.kind, s.slope,
                                       s.base, s.params)
            np.testing.assert_allclose(part, want_part, **TIGHT)
            assert part[1:] == got[1:]
            assert 0.0 <= got[2] <= 1.0
            if code == krules.CONDITIONAL:  # no learning from payoffs
                assert got[2] == s.propensity[i]
            proposal = krules.complex_gate(i, part[0], s.x, s.graph.indptr, s.graph.indices,
                                           s.kind, s.params)
        else:
            proposal = krules.imitation(code, i, c, s.t, s.key, j, s.x, s.payoff,
                                        s.graph.indptr, s.graph.indices, s.lo, s.hi, s.params)
            assert proposal == ref.imitation(code, i, c, s.t, int(s.key), j, s.x, s.payoff,
                                             s.graph.indptr, s.graph.indices, s.lo, s.hi,
                                             s.params)
            assert got[1:] == (s.belief[i], s.propensity[i])
        if code == krules.HUMAN:  # its exploration is its decision noise: no mutation
            assert got[0] == proposal
        else:
            mutated = krules.mutate(proposal, c, s.t, s.key, s.params)
            assert mutated == ref.mutate(proposal, c, s.t, int(s.key), s.params)
            assert mutated == got[0]
        new_x = got[0]
        assert 0.0 <= new_x <= s.params[krules.P_ENDOWMENT]
        if s.params[krules.P_BINARY]:
            assert new_x in (0.0, s.params[krules.P_ENDOWMENT])


@pytest.mark.parametrize("binary", [False, True], ids=["continuous", "binary"])
@pytest.mark.parametrize("rule", RULE_NAMES)
def test_decide_matches_twin(rng, rule, binary):
    code = RULES[rule].code
    for trial in range(12):
        mutation = [0.0, 0.05, 1.0][trial % 3]
        s = State(rng, int(rng.integers(1, 40)), binary=binary, mutation=mutation,
                  structure=STRUCTURES[trial % 4], per_individual=trial % 2 == 1)
        check_decide(code, s, range(s.n), counter_offset=int(rng.integers(0, 3)) * s.n)


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_decide_edge_cases(rng, rule):
    code = RULES[rule].code
    for binary in (False, True):
        # all payoffs equal, all contributions zero, a single agent
        for kwargs in (dict(equal_payoffs=True), dict(zero=True), dict(n=1)):
            n = kwargs.pop("n", 12)
            s = State(rng, n, binary=binary, mutation=0.0, **kwargs)
            check_decide(code, s, range(n))
    # an isolated agent keeps its contribution under every imitation rule (no mutation)
    graph = CSRGraph.from_edges(3, np.array([[0, 1]]))
    s = State(rng, 3, binary=False, mutation=0.0, graph=graph, noise=0.0)
    check_decide(code, s, range(3))
    if not ref.uses_beliefs(code):
        new_x, new_belief, new_p = krules.decide(code, 2, 2, s.t, s.key, -1, s.x, s.payoff,
                                                 graph.indptr, graph.indices, s.obs[2],
                                                 s.earned, s.peers[2], s.belief, s.propensity,
                                                 s.kind, s.slope, s.base, s.lo, s.hi, s.params)
        assert new_x == s.x[2] and new_belief == s.belief[2] and new_p == s.propensity[2]


def test_imitation_rules_copy_exactly(rng):
    """With no mutation, imitation rules return some agent's contribution bit for bit."""
    for name in ("fermi", "proportional", "imitate-best", "death-birth"):
        code = RULES[name].code
        for _ in range(5):
            s = State(rng, 30, binary=False, mutation=0.0)
            new_x = ref.synchronous_update(code, s.t, int(s.key), s.x, s.payoff,
                                           s.graph.indptr, s.graph.indices, s.obs, s.earned,
                                           s.peers, s.belief, s.propensity, s.kind, s.slope,
                                           s.base, s.lo, s.hi, s.params)[0]
            for i, v in enumerate(new_x):
                allowed = {s.x[i], *s.x[s.graph.neighbours(i)]}
                assert v in allowed


def test_imitate_best_hand_checked():
    # path 0 - 1 - 2; agent 1 sees payoffs 5 (self), 9 and 9: the first best (agent 0) wins
    graph = CSRGraph.from_edges(3, np.array([[0, 1], [1, 2]]))
    x = np.array([1.0, 2.0, 3.0])
    payoff = np.array([9.0, 5.0, 9.0])
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = 10.0
    z = np.zeros(3)
    args = (graph.indptr, graph.indices, np.nan, z, np.nan, z, z, np.zeros(3, np.int8), z, z, z,
            z, params)
    got = krules.decide(krules.IMITATE_BEST, 1, 1, 0, np.uint64(1), -1, x, payoff, *args)
    assert got[0] == 1.0
    # the best earner keeps its own contribution
    assert krules.decide(krules.IMITATE_BEST, 0, 0, 0, np.uint64(1), -1, x, payoff, *args)[0] == 1.0


def test_conditional_types_without_noise():
    """Noise-free conditional rule: belief update and each type's target, hand-checked."""
    graph = CSRGraph.from_edges(4, np.empty((0, 2)))
    e = 20.0
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = e
    params[krules.P_BELIEF_WEIGHT] = 0.6
    params[krules.P_PAYOFF_WEIGHT] = 0.5  # read by the human rule only
    x = np.array([5.0, 5.0, 5.0, 5.0])
    belief = np.full(4, 10.0)
    kind = np.array([bk.CONDITIONAL_COOPERATOR, bk.FREE_RIDER, bk.HUMP_SHAPED, bk.OTHER],
                    dtype=np.int8)
    slope = np.full(4, 0.8)
    base = np.array([0.0, 0.0, 0.0, 7.5])
    propensity = np.full(4, 0.25)
    z = np.zeros(4)
    obs = 15.0
    expected_belief = 0.6 * 15.0 + 0.4 * 10.0  # 13
    targets = [0.8 * 13.0, 0.0, 0.8 * min(13.0, 20.0 - 13.0), 7.5]
    for i in range(4):
        got = krules.decide(krules.CONDITIONAL, i, i, 1, np.uint64(5), -1, x, z,
                            graph.indptr, graph.indices, obs, z, np.nan, belief, propensity,
                            kind, slope, base, z, z, params)
        np.testing.assert_allclose(got, (targets[i], expected_belief, 0.25), **TIGHT)
        # no co-players (NaN): the belief stays
        got = krules.decide(krules.CONDITIONAL, i, i, 1, np.uint64(5), -1, x, z,
                            graph.indptr, graph.indices, np.nan, z, np.nan, belief, propensity,
                            kind, slope, base, z, z, params)
        assert got[1] == 10.0
    # slopes are each agent's own
    slope = np.array([0.5, 0.8, 1.5, 0.8])
    got = krules.decide(krules.CONDITIONAL, 0, 0, 1, np.uint64(5), -1, x, z, graph.indptr,
                        graph.indices, obs, z, np.nan, belief, propensity, kind, slope, base, z,
                        z, params)
    assert got[0] == pytest.approx(0.5 * 13.0)
    got = krules.decide(krules.CONDITIONAL, 2, 2, 1, np.uint64(5), -1, x, z, graph.indptr,
                        graph.indices, obs, z, np.nan, belief, propensity, kind, slope, base, z,
                        z, params)
    assert got[0] == pytest.approx(1.5 * 7.0)


def test_human_rule_by_hand():
    """Noise-free human rule: the propensity learns from last round's payoff per game against
    the co-players' mean, then is mixed with the social target by ``payoff_weight``."""
    graph = CSRGraph.from_edges(2, np.empty((0, 2)))
    e = 20.0
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = e
    params[krules.P_BELIEF_WEIGHT] = 0.5
    params[krules.P_PAYOFF_WEIGHT] = 0.4
    params[krules.P_ASPIRATION] = 0.1
    params[krules.P_SENSITIVITY] = 2.0
    params[krules.P_PEER_COMPARISON] = 1.0
    params[krules.P_MUTATION] = 1.0  # the human rule does not mutate
    kind = np.full(2, bk.CONDITIONAL_COOPERATOR, dtype=np.int8)
    slope, base = np.full(2, 0.8), np.zeros(2)
    belief, propensity = np.full(2, 10.0), np.array([0.5, 0.5])
    x = np.array([20.0, 0.0])  # agent 0 cooperated, agent 1 defected
    earned = np.array([14.0, 26.0])
    z = np.zeros(2)
    social = 0.8 * (0.5 * 12.0 + 0.5 * 10.0)  # belief 11
    for i, peers in ((0, 26.0), (1, 14.0)):
        s = math.tanh(2.0 * ((earned[i] - peers) / e - 0.1))
        if x[i] >= 10.0:  # cooperated
            p = 0.5 + (1 - 0.5) * s if s >= 0 else 0.5 + 0.5 * s
        else:
            p = 0.5 - 0.5 * s if s >= 0 else 0.5 - (1 - 0.5) * s
        want = (0.6 * social + 0.4 * p * e, 11.0, p)
        got = krules.decide(krules.HUMAN, i, i, 3, np.uint64(9), -1, x, z, graph.indptr,
                            graph.indices, 12.0, earned, peers, belief, propensity, kind, slope,
                            base, z, z, params)
        np.testing.assert_allclose(got, want, **TIGHT)
    # the cooperator earned 0.6 E less than her co-player: she cooperates less; the defector
    # earned 0.6 E more, beyond the aspiration: he defects more
    got0 = krules.decide(krules.HUMAN, 0, 0, 3, np.uint64(9), -1, x, z, graph.indptr,
                         graph.indices, 12.0, earned, 26.0, belief, propensity, kind, slope,
                         base, z, z, params)
    got1 = krules.decide(krules.HUMAN, 1, 1, 3, np.uint64(9), -1, x, z, graph.indptr,
                         graph.indices, 12.0, earned, 14.0, belief, propensity, kind, slope,
                         base, z, z, params)
    assert got0[2] < 0.5 and got1[2] < 0.5
    # no co-players (NaN peers): nothing is learnt
    got = krules.decide(krules.HUMAN, 0, 0, 3, np.uint64(9), -1, x, z, graph.indptr,
                        graph.indices, np.nan, earned, np.nan, belief, propensity, kind, slope,
                        base, z, z, params)
    assert got[1:] == (10.0, 0.5)
    assert got[0] == pytest.approx(0.6 * 8.0 + 0.4 * 0.5 * e)


# ------------------------------------------------------------------------------ drivers


SENTINEL = -12345.0


def run_synchronous(code: int, s: State):
    n = s.n
    partner = np.full(n, -7, dtype=np.int32)
    new_x, new_belief, new_p = np.full(n, SENTINEL), np.full(n, SENTINEL), np.full(n, SENTINEL)
    before = [a.copy() for a in (s.x, s.belief, s.propensity, s.earned, s.peers)]
    krules.synchronous_update(code, s.t, s.key, s.x, s.payoff, s.graph.indptr, s.graph.indices,
                              s.obs, s.earned, s.peers, s.belief, s.propensity, s.kind, s.slope,
                              s.base, s.lo, s.hi, s.params, partner, new_x, new_belief, new_p)
    # the snapshot is left alone
    for a, b in zip((s.x, s.belief, s.propensity, s.earned, s.peers), before, strict=True):
        np.testing.assert_array_equal(a, b)
    return new_x, new_belief, new_p, partner


def run_asynchronous(code: int, s: State):
    x, belief, payoff = s.x.copy(), s.belief.copy(), s.payoff.copy()
    propensity = s.propensity.copy()
    payout, raw = s.payout.copy(), s.raw.copy()
    g = s.groups
    krules.asynchronous_update(code, s.t, s.key, x, payoff, s.graph.indptr, s.graph.indices,
                               belief, propensity, s.kind, s.slope, s.base, s.lo, s.hi, s.params,
                               s.weight, s.own_games, s.share, g.group_ptr, g.members,
                               g.agent_ptr, g.agent_groups, payout, raw, np.zeros(s.n))
    return x, belief, propensity, payoff, payout, raw


def check_update(update: str, code: int, s: State):
    g = s.groups
    if update == "synchronous":
        new_x, new_belief, new_p, partner = run_synchronous(code, s)
        want_x, want_belief, want_p, want_partner = ref.synchronous_update(
            code, s.t, int(s.key), s.x, s.payoff, s.graph.indptr, s.graph.indices, s.obs,
            s.earned, s.peers, s.belief, s.propensity, s.kind, s.slope, s.base, s.lo, s.hi,
            s.params)
        if want_partner is not None:
            np.testing.assert_array_equal(partner, want_partner)
        np.testing.assert_allclose(new_x, want_x, **TIGHT)
        if ref.uses_beliefs(code):
            np.testing.assert_allclose(new_belief, want_belief, **TIGHT)
            np.testing.assert_allclose(new_p, want_p, **TIGHT)
            assert np.all((new_p >= 0.0) & (new_p <= 1.0))
            if code == krules.CONDITIONAL:  # learns nothing from payoffs
                np.testing.assert_array_equal(new_p, s.propensity)
        else:  # beliefs and propensities are written only by the human-like rules
            assert np.all(new_belief == SENTINEL) and np.all(new_p == SENTINEL)
        return
    got = run_asynchronous(code, s)
    want = ref.asynchronous_update(
        code, s.t, int(s.key), s.x, s.payoff, s.graph.indptr, s.graph.indices, s.belief,
        s.propensity, s.kind, s.slope, s.base, s.lo, s.hi, s.params, s.weight, s.own_games,
        s.share, g.group_ptr, g.members, g.agent_ptr, g.agent_groups, s.payout, s.raw)
    for name, a, b in zip(("x", "belief", "propensity", "payoff", "payout", "raw"), got,
                          want[:6], strict=True):
        np.testing.assert_allclose(a, b, **TIGHT, err_msg=name)
    x, _, propensity, payoff, payout, raw = got
    # agents never picked keep their contribution and propensity
    unpicked = np.setdiff1d(np.arange(s.n), want[6])
    np.testing.assert_array_equal(x[unpicked], s.x[unpicked])
    np.testing.assert_array_equal(propensity[unpicked], s.propensity[unpicked])
    if code != krules.HUMAN:
        np.testing.assert_array_equal(propensity, s.propensity)
    if not s.consistent:
        return
    # the incrementally updated payoffs equal a fresh round played with the new contributions
    fresh_payout, fresh_payoff, fresh_raw = play(x, s.weight, s.own_games, s.share, s.endowment, g)
    scale = max(1.0, float(np.abs(fresh_payoff).max(initial=0.0)))
    np.testing.assert_allclose(payoff, fresh_payoff, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(payout, fresh_payout, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(raw, fresh_raw, rtol=1e-9, atol=1e-9 * scale)


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("rule", RULE_NAMES)
def test_update_drivers_match_twins(rng, rule, update):
    code = RULES[rule].code
    for trial in range(10):
        s = State(rng, int(rng.integers(1, 60)), binary=trial % 2 == 0,
                  mutation=[0.0, 0.02, 0.5][trial % 3], structure=STRUCTURES[trial % 4],
                  per_individual=trial % 3 == 1)
        check_update(update, code, s)


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("rule", RULE_NAMES)
def test_update_drivers_edge_cases(rng, rule, update):
    code = RULES[rule].code
    for binary in (False, True):
        for kwargs in (dict(n=1), dict(n=2), dict(n=10, zero=True),
                       dict(n=10, equal_payoffs=True)):
            kwargs = dict(kwargs)
            s = State(rng, kwargs.pop("n"), binary=binary, mutation=0.0, **kwargs)
            check_update(update, code, s)


def pairs_graph(n: int) -> CSRGraph:
    """n/2 disjoint edges (2k, 2k + 1): each agent's only partner is its twin."""
    return CSRGraph.from_edges(n, np.arange(n).reshape(-1, 2))


def test_fermi_and_proportional_acceptance_frequencies():
    """Over many agents, copying happens with the rule's probability, draw for draw as the twin."""
    n = 20_000
    graph = pairs_graph(n)
    x = np.where(np.arange(n) % 2 == 0, 0.0, 10.0)
    payoff = np.where(np.arange(n) % 2 == 0, 2.0, 0.0)  # even agents earn 2 more
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = 10.0
    params[krules.P_TEMPERATURE] = 0.38  # p = 0.005 for the better earner
    lo, hi = np.full(n, -1.0), np.full(n, 7.0)  # span 8
    z8, kind = np.zeros(n), np.zeros(n, np.int8)
    key = np.uint64(2024)
    expected = {
        krules.FERMI: (1.0 / (1.0 + math.exp(2.0 / 0.38)), 1.0 / (1.0 + math.exp(-2.0 / 0.38))),
        krules.PROPORTIONAL: (0.0, 2.0 / 8.0),
    }
    for code, (p_even, p_odd) in expected.items():
        partner = np.empty(n, np.int32)
        new_x, new_belief, new_p = np.empty(n), np.empty(n), np.empty(n)
        krules.synchronous_update(code, 3, key, x, payoff, graph.indptr, graph.indices, z8, z8,
                                  z8, z8, z8, kind, z8, z8, lo, hi, params, partner, new_x,
                                  new_belief, new_p)
        np.testing.assert_array_equal(partner, np.arange(n) ^ 1)
        want_x = ref.synchronous_update(code, 3, int(key), x, payoff, graph.indptr,
                                        graph.indices, z8, z8, z8, z8, z8, kind, z8, z8, lo, hi,
                                        params)[0]
        np.testing.assert_array_equal(new_x, want_x)
        copied = new_x != x
        for parity, p in ((0, p_even), (1, p_odd)):
            freq = copied[parity::2].mean()
            assert abs(freq - p) < 4.0 * math.sqrt(p * (1 - p) / (n / 2)) + 1e-12, (code, parity)


def test_death_birth_roulette_frequencies():
    """A star's centre takes a leaf's contribution in proportion to fitness 1 - w + w P."""
    graph = CSRGraph.from_edges(5, np.array([[0, k] for k in range(1, 5)]))
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    z, kind = np.zeros(5), np.zeros(5, np.int8)
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = 10.0
    draws = 6000
    for w, payoff, weights in (
        (1.0, [0.0, 0.0, 1.0, 2.0, 3.0], [0, 1, 2, 3]),  # the leaf earning 0 has fitness 0
        (0.5, [0.0, 1.0, 1.0, 1.0, 5.0], [1, 1, 1, 3]),
        (1.0, [9.0, 0.0, 0.0, 0.0, 0.0], [1, 1, 1, 1]),  # all fitness 0: a uniform pick
        (0.0, [0.0, 9.0, 0.0, 3.0, 0.0], [1, 1, 1, 1]),  # neutral drift
    ):
        params[krules.P_SELECTION] = w
        payoff = np.array(payoff)
        picks = []
        for c in range(draws):
            got = krules.decide(krules.DEATH_BIRTH, 0, c, 1, np.uint64(77), -1, x, payoff,
                                graph.indptr, graph.indices, np.nan, z, np.nan, z, z, kind, z,
                                z, z, z, params)
            want = ref.decide(krules.DEATH_BIRTH, 0, c, 1, 77, -1, x, payoff, graph.indptr,
                              graph.indices, np.nan, z, np.nan, z, z, kind, z, z, z, z, params)
            assert got == want
            picks.append(int(got[0]))
        counts = np.bincount(picks, minlength=5)[1:]
        p = np.array(weights) / sum(weights)
        assert np.all(np.abs(counts / draws - p) <= 4.0 * np.sqrt(p * (1 - p) / draws) + 1e-12)


@pytest.mark.parametrize("binary", [False, True], ids=["continuous", "binary"])
def test_mutation_frequency_and_mutants(binary):
    """Imitate-best among equal earners keeps x; mutation replaces it with prob. mu."""
    n, e, mu = 20_000, 10.0, 0.1
    graph = pairs_graph(n)
    x = np.full(n, 3.0)
    z, kind = np.zeros(n), np.zeros(n, np.int8)
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = e
    params[krules.P_MUTATION] = mu
    params[krules.P_BINARY] = 1.0 if binary else 0.0
    new_x, new_belief, new_p = np.empty(n), np.empty(n), np.empty(n)
    krules.synchronous_update(krules.IMITATE_BEST, 2, np.uint64(5), x, z, graph.indptr,
                              graph.indices, z, z, z, z, z, kind, z, z, z, z, params,
                              np.empty(n, np.int32), new_x, new_belief, new_p)
    want_x = ref.synchronous_update(krules.IMITATE_BEST, 2, 5, x, z, graph.indptr,
                                    graph.indices, z, z, z, z, z, kind, z, z, z, z, params)[0]
    np.testing.assert_array_equal(new_x, want_x)
    mutants = new_x[new_x != 3.0]
    assert abs(len(mutants) / n - mu) < 4.0 * math.sqrt(mu * (1 - mu) / n)
    if binary:
        assert set(mutants.tolist()) <= {0.0, e}
        assert abs((mutants == e).mean() - 0.5) < 0.05
    else:
        assert mutants.min() >= 0.0 and mutants.max() < e
        assert abs(mutants.mean() - e / 2) < 0.05 * e


def test_conditional_binary_rounding_frequency():
    """Binary strategies: give E with probability target / E (noise-free unconditional givers)."""
    n, e = 20_000, 20.0
    graph = pairs_graph(n)
    z = np.zeros(n)
    kind = np.full(n, bk.OTHER, np.int8)
    base = np.where(np.arange(n) % 2 == 0, 5.0, 15.0)  # targets E/4 and 3E/4
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = e
    params[krules.P_BINARY] = 1.0
    obs = np.full(n, np.nan)
    new_x, new_belief, new_p = np.empty(n), np.empty(n), np.empty(n)
    krules.synchronous_update(krules.CONDITIONAL, 4, np.uint64(11), z, z, graph.indptr,
                              graph.indices, obs, z, obs, z, z, kind, z, base, z, z, params,
                              np.empty(n, np.int32), new_x, new_belief, new_p)
    want = ref.synchronous_update(krules.CONDITIONAL, 4, 11, z, z, graph.indptr, graph.indices,
                                  obs, z, obs, z, z, kind, z, base, z, z, params)
    np.testing.assert_array_equal(new_x, want[0])
    assert set(new_x.tolist()) <= {0.0, e}
    for parity, p in ((0, 0.25), (1, 0.75)):
        freq = (new_x[parity::2] == e).mean()
        assert abs(freq - p) < 4.0 * math.sqrt(p * (1 - p) / (n / 2))


def test_synchronous_partner_is_drawn_with_counter_i(rng):
    s = State(rng, 40, binary=False, mutation=0.0)
    partner = run_synchronous(krules.FERMI, s)[3]
    for i in range(s.n):
        assert partner[i] == ref.random_neighbour(i, i, s.t, int(s.key), s.graph.indptr,
                                                  s.graph.indices)


def test_asynchronous_picks_cover_agents(rng):
    """n picks with replacement: about 1 - 1/e of the agents are picked at least once."""
    n = 2000
    picks = [min(int(ref.uniform(1234, 5, c, ref.STREAM_PICK) * n), n - 1) for c in range(n)]
    share = len(set(picks)) / n
    assert abs(share - (1.0 - math.exp(-1.0))) < 0.03


# ----------------------------------------------------------------------------- metrics


def test_gini_exact_matches_twin_and_pairwise(rng):
    for _ in range(60):
        n = int(rng.integers(1, 80))
        values = rng.exponential(3.0, size=n)
        if rng.random() < 0.3:
            values[rng.random(n) < 0.5] = 0.0
        got = metrics.gini(values, 0)
        np.testing.assert_allclose(got, ref.gini(values, 0), **TIGHT)
        np.testing.assert_allclose(got, ref.gini_pairwise(values), rtol=1e-10, atol=1e-12)
        assert 0.0 <= got <= 1.0


def test_gini_binned_matches_twin_and_bound(rng):
    for _ in range(60):
        n = int(rng.integers(1, 300))
        values = rng.gamma(float(rng.uniform(0.3, 3.0)), size=n)
        if rng.random() < 0.3:
            values = np.round(values, 1)  # ties
        bins = int(rng.choice([1, 2, 7, 64, 1024]))
        got = metrics.gini(values, bins)
        np.testing.assert_allclose(got, ref.gini(values, bins), **TIGHT)
        exact = metrics.gini(values, 0)
        if values.sum() > 0:
            bound = (values.max() - values.min()) / (bins * values.mean())
            assert abs(got - exact) <= bound + 1e-12


def test_gini_special_values():
    for bins in (0, 16):
        assert metrics.gini(np.zeros(0), bins) == 0.0
        assert metrics.gini(np.array([5.0]), bins) == 0.0
        assert metrics.gini(np.full(10, 3.7), bins) == 0.0
        assert metrics.gini(np.zeros(10), bins) == 0.0
        for n in (2, 5, 100):
            one = np.zeros(n)
            one[n // 2] = 4.2
            np.testing.assert_allclose(metrics.gini(one, bins), (n - 1) / n, **TIGHT)
            assert ref.gini(one, bins) == pytest.approx((n - 1) / n, abs=1e-12)
    # two values (1, 3): sum of |v_i - v_j| over ordered pairs 4, over 2 n^2 mean = 16
    np.testing.assert_allclose(metrics.gini(np.array([1.0, 3.0]), 0), 0.25, **TIGHT)
    # order does not matter
    v = np.array([4.0, 1.0, 0.0, 9.0, 2.5])
    assert metrics.gini(v, 0) == pytest.approx(metrics.gini(v[::-1].copy(), 0), abs=1e-15)


def test_gini_large_n_uses_bins_close_to_exact(rng):
    values = rng.lognormal(0.0, 1.0, size=(1 << 16) + 10)
    exact = metrics.gini(values, 0)
    binned = metrics.gini(values, metrics.GINI_BINS)
    bound = (values.max() - values.min()) / (metrics.GINI_BINS * values.mean())
    assert abs(binned - exact) <= bound


def test_param_tuple_is_the_parameter_vector():
    """The per-agent calls get the parameters as a tuple; it must hold the same numbers in the
    same places (one entry per ``P_*`` index)."""
    params = np.arange(krules.N_PARAMS, dtype=np.float64) * 1.5 + 0.25
    assert krules.param_tuple(params) == tuple(params)


def test_pair_span_is_read_by_the_proportional_rule_only():
    lo = np.array([-3.0, 1.0])
    hi = np.array([5.0, 9.0])
    assert krules.pair_span(krules.PROPORTIONAL, 0, 1, lo, hi) == 12.0
    assert krules.pair_span(krules.FERMI, 0, 1, lo, hi) == 0.0
