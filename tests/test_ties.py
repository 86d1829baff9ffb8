"""Campaigns and ties: silo degrees, network roles, placements, committed campaigners, complex
contagion, weaving and cutting kernels against their twins, the `cascade roles` command and a
tiny `cascade experiment ties`."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import networkx as nx
import numba
import numpy as np
import pytest
import reference as ref
import reference_ties as ref_ties
from test_kernels import State, check_update

from cli.main import main
from sim import ConfigError, Simulation, SimulationConfig
from sim.behaviour import kernels as bk
from sim.graph import CSRGraph
from sim.groups import neighbourhood_groups
from sim.kernels import centrality as kcentrality
from sim.kernels import games
from sim.kernels import rules as krules
from sim.kernels import weaving as kweaving
from sim.networks import build_network, from_networkx
from sim.ties import PLACEMENTS, Campaign, TieDynamics, place_campaign, rewired
from sim.ties import roles as roles_module
from sim.ties.roles import burt_constraint, network_roles, team_clustering


def random_graph(rng: np.random.Generator, n: int, p: float) -> CSRGraph:
    return from_networkx(nx.gnp_random_graph(n, p, seed=int(rng.integers(2**31))))


def silo_graph(n=200, team_size=20, degree=6, bridging=0.1, seed=0) -> CSRGraph:
    config = SimulationConfig(n=n, network="silos", team_size=team_size, degree=degree,
                              bridging=bridging)
    return build_network(config, np.random.default_rng(seed))


# ------------------------------------------------------------------------------- silos
@pytest.mark.parametrize("bridging", [0.0, 0.25, 0.5, 1.0])
def test_silo_degree_stays_comparable_across_bridging(bridging):
    graphs = [silo_graph(n=2000, degree=10, bridging=bridging, seed=s) for s in range(3)]
    mean_degree = np.mean([g.degree.mean() for g in graphs])
    assert abs(mean_degree - 10.0) < 0.3
    # the share of ties leaving the team follows the bridging share (plus chance in-team hits)
    g = graphs[0]
    src = np.repeat(np.arange(g.n), g.degree)
    across = np.mean(g.team[src] != g.team[g.indices])
    assert abs(across - bridging * (1 - 19 / 1999)) < 0.03


# ------------------------------------------------------------------------------- roles
def test_barbell_bridge_is_the_broker():
    graph = from_networkx(nx.barbell_graph(5, 1))  # node 5 (last in networkx's order) bridges
    frame = network_roles(graph)
    bridge = int(frame["betweenness"].idxmax())
    assert graph.degree[bridge] == 2
    assert frame.loc[bridge, "role"] == "broker"
    assert frame.loc[bridge, "broker_score"] == frame["broker_score"].max() == 1.0
    assert frame.loc[bridge, "constraint"] == pytest.approx(0.5)  # 2 * (1/2)^2, no shared ties
    # no labels: Louvain finds the two cliques
    assert frame["team"].nunique() == 2
    assert list(frame.columns) == list(roles_module.COLUMNS)


def test_star_centre_brokers_and_a_clique_holds_connectors():
    # a 6-clique (team 0) whose node 0 also leads a star of leaves in team 1
    g = nx.complete_graph(6)
    g.add_edges_from((0, leaf) for leaf in range(6, 12))
    team = np.array([0] * 6 + [1] * 6)
    frame = network_roles(from_networkx(g), team=team)
    assert frame.loc[0, "role"] == "broker"
    assert frame.loc[0, "betweenness"] == frame["betweenness"].max()
    clique = frame.loc[1:5]
    assert (clique["clustering"] == 1.0).all() and (clique["team_degree"] == 5).all()
    assert set(frame.loc[1:5, "role"]) == {"connector"}
    assert (frame.loc[6:, "role"] == "other").all()  # leaves: one contact, nothing else


def test_constraint_and_team_clustering_match_networkx(rng):
    for _ in range(5):
        graph = random_graph(rng, 40, 0.15)
        g = graph.to_networkx()
        want = nx.constraint(g)
        got = burt_constraint(graph)
        for i in range(graph.n):
            if graph.degree[i] >= 2:
                assert got[i] == pytest.approx(want[i])
            else:
                assert got[i] == 1.0
        team = rng.integers(0, 3, size=graph.n)
        clustering, team_degree = team_clustering(graph, team)
        for label in range(3):
            nodes = [i for i in range(graph.n) if team[i] == label]
            sub = g.subgraph(nodes)
            want_c = nx.clustering(sub)
            for i in nodes:
                assert clustering[i] == pytest.approx(want_c[i])
                assert team_degree[i] == sub.degree[i]


def test_brandes_kernel_matches_twin_and_networkx(rng):
    graphs = [random_graph(rng, int(rng.integers(1, 60)), float(rng.choice([0.02, 0.1, 0.3])))
              for _ in range(25)]
    graphs += [from_networkx(nx.path_graph(3)), from_networkx(nx.empty_graph(4)),
               from_networkx(nx.barbell_graph(4, 2))]
    for graph in graphs:
        sources = np.arange(graph.n, dtype=np.int64)
        got = kcentrality.brandes(graph.indptr, graph.indices, sources)
        np.testing.assert_allclose(got, ref_ties.brandes(graph.indptr, graph.indices, sources),
                                   rtol=1e-12, atol=1e-12)
        want = nx.betweenness_centrality(graph.to_networkx())
        np.testing.assert_allclose(roles_module.betweenness(graph),
                                   [want[i] for i in range(graph.n)], rtol=1e-9, atol=1e-12)
        some = np.sort(rng.choice(graph.n, size=max(1, graph.n // 3), replace=False))
        np.testing.assert_allclose(kcentrality.brandes(graph.indptr, graph.indices, some),
                                   ref_ties.brandes(graph.indptr, graph.indices, some),
                                   rtol=1e-12, atol=1e-12)


def test_sampled_betweenness_is_seeded(monkeypatch):
    monkeypatch.setattr(roles_module, "EXACT_BETWEENNESS_MAX", 10)
    monkeypatch.setattr(roles_module, "BETWEENNESS_PIVOTS", 40)
    graph = silo_graph(n=80, team_size=10, degree=4)
    a = network_roles(graph, seed=3)["betweenness"].to_numpy()
    b = network_roles(graph, seed=3)["betweenness"].to_numpy()
    c = network_roles(graph, seed=4)["betweenness"].to_numpy()
    exact = nx.betweenness_centrality(graph.to_networkx())
    exact = np.array([exact[i] for i in range(graph.n)])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c) and not np.allclose(a, exact)
    assert np.corrcoef(a, exact)[0, 1] > 0.9  # an estimate of the same thing


def test_isolated_nodes_have_no_role():
    graph = CSRGraph.from_edges(4, np.array([[0, 1], [1, 2], [0, 2]]))
    frame = network_roles(graph, team=np.zeros(4, dtype=int))
    assert frame.loc[3, "role"] == "other" and frame.loc[3, "constraint"] == 1.0


# -------------------------------------------------------------------------- placements
def test_placement_registry_names():
    assert set(PLACEMENTS) == {"random", "brokers", "connectors", "one-team", "spread",
                               "cluster"}


@pytest.mark.parametrize("name", sorted(PLACEMENTS))
def test_placements_put_the_campaign_where_they_say(name):
    graph = silo_graph(n=200, team_size=20, degree=6, bridging=0.1)
    members = place_campaign(graph, 8, name, np.random.default_rng(1))
    assert len(members) == 8 == len(np.unique(members))
    assert np.all((members >= 0) & (members < graph.n))
    again = place_campaign(graph, 8, name, np.random.default_rng(1))
    np.testing.assert_array_equal(members, again)
    teams = graph.team[members]
    frame = network_roles(graph, seed=0)
    if name == "one-team":
        assert len(np.unique(teams)) == 1
    elif name == "spread":
        assert len(np.unique(teams)) == 8
    elif name in ("brokers", "connectors"):
        score = frame[f"{name[:-1]}_score"].to_numpy()
        assert score[members].min() >= np.sort(score)[-8]
    elif name == "cluster":
        assert nx.is_connected(graph.to_networkx().subgraph(members.tolist()))


def is_arc(members: np.ndarray, n: int) -> bool:
    """Whether the nodes are consecutive on a ring of n (wrapping round)."""
    gaps = np.diff(np.sort(members), append=np.sort(members)[0] + n)
    return int((gaps > 1).sum()) <= 1 and len(members) < n or len(members) == n


def test_cluster_placement_is_a_node_and_its_contacts():
    ring = build_network(SimulationConfig(n=30, network="ring", degree=6),
                         np.random.default_rng(0))
    for seed in range(5):
        rng = np.random.default_rng(seed)
        seven = place_campaign(ring, 7, "cluster", rng)
        assert is_arc(seven, 30)
        assert any(set(seven) == {i, *ring.neighbours(i).tolist()} for i in seven)
        assert is_arc(place_campaign(ring, 12, "cluster", rng), 30)  # grows at the edges
    regular = build_network(SimulationConfig(n=40, network="random-regular", degree=4),
                            np.random.default_rng(1))
    for seed in range(5):
        five = place_campaign(regular, 5, "cluster", np.random.default_rng(seed))
        assert any(set(five) == {i, *regular.neighbours(i).tolist()} for i in five)
    assert not is_arc(place_campaign(ring, 7, "random", np.random.default_rng(0)), 30)
    # a component that runs out: the rest starts a new cluster elsewhere
    two = CSRGraph.from_edges(6, np.array([[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5]]))
    members = place_campaign(two, 4, "cluster", np.random.default_rng(2))
    assert sorted(np.bincount(members // 3, minlength=2)) == [1, 3]
    np.testing.assert_array_equal(place_campaign(two, 6, "cluster", np.random.default_rng(2)),
                                  np.arange(6))


def test_one_team_fills_the_next_team_and_spread_goes_round_robin():
    graph = silo_graph(n=60, team_size=10, degree=4)
    one = place_campaign(graph, 15, "one-team", np.random.default_rng(2))
    assert sorted(np.bincount(graph.team[one], minlength=6)) == [0, 0, 0, 0, 5, 10]
    spread = place_campaign(graph, 9, "spread", np.random.default_rng(2))
    assert sorted(np.bincount(graph.team[spread], minlength=6)) == [1, 1, 1, 2, 2, 2]


def test_placement_without_team_labels_uses_communities():
    graph = from_networkx(nx.barbell_graph(6, 0))
    members = place_campaign(graph, 3, "one-team", np.random.default_rng(0))
    assert len({int(m) // 6 for m in members}) == 1


def test_committed_agents_give_the_endowment_every_round():
    config = SimulationConfig(n=200, network="silos", degree=6, team_size=20, rounds=8,
                              campaign_size=10, campaign_placement="spread",
                              initial_cooperation=0.0, share_conditional=0.0,
                              share_free_rider=1.0, share_hump=0.0)
    sim = Simulation(config, seed=3, record_agents=True)
    history = sim.run()
    members = next(h for h in sim.hooks if isinstance(h, Campaign)).members
    assert len(members) == 10
    np.testing.assert_array_equal(history.contributions[:, members], 20.0)
    others = np.setdiff1d(np.arange(200), members)
    assert history.contributions[:, others].mean() < 1.0  # free riders stay (nearly) at 0


# ------------------------------------------------------------------ complex contagion
@pytest.mark.parametrize("update", ["synchronous", "asynchronous"])
@pytest.mark.parametrize("binary", [True, False])
def test_complex_gate_matches_twin(rng, update, binary):
    for _ in range(25):
        s = State(rng, int(rng.integers(1, 40)), binary=binary,
                  mutation=float(rng.choice([0.0, 0.1])))
        s.params[krules.P_THRESHOLD] = float(rng.integers(0, 4))
        check_update(update, krules.CONDITIONAL, s)


def test_complex_gate_by_hand():
    # a path 0 - 1 - 2 - 3: agent 1 sees two cooperators (0 and 2), agent 3 sees one (2)
    graph = CSRGraph.from_edges(4, np.array([[0, 1], [1, 2], [2, 3]]))
    x = np.array([20.0, 0.0, 20.0, 0.0])
    kind = np.full(4, bk.CONDITIONAL_COOPERATOR, dtype=np.int8)
    params = np.zeros(krules.N_PARAMS)
    params[krules.P_ENDOWMENT] = 20.0
    params[krules.P_THRESHOLD] = 2.0
    for i, want in ((1, 15.0), (3, 0.0), (0, 0.0)):
        assert krules.complex_gate(i, 15.0, x, graph.indptr, graph.indices, kind,
                                   params) == want
        assert ref.complex_gate(i, 15.0, x, graph.indptr, graph.indices, kind, params) == want
    params[krules.P_THRESHOLD] = 0.0  # simple contagion: untouched
    assert krules.complex_gate(3, 15.0, x, graph.indptr, graph.indices, kind, params) == 15.0
    kind[3] = bk.OTHER  # only conditional types are gated
    params[krules.P_THRESHOLD] = 2.0
    assert krules.complex_gate(3, 15.0, x, graph.indptr, graph.indices, kind, params) == 15.0


def test_complex_contagion_needs_reinforcement():
    base = SimulationConfig(n=300, network="silos", degree=8, team_size=20, bridging=0.05,
                            rounds=20, groups="edges", strategies="binary",
                            initial_cooperation=0.0, campaign_size=20,
                            campaign_placement="spread", slope=1.3, share_conditional=0.8,
                            share_free_rider=0.1, share_hump=0.05, mutation=0.0, noise=0.0)
    simple = Simulation(base, seed=2).run().cooperators[-1]
    complex_ = Simulation(base.replace(contagion="complex"), seed=2).run().cooperators[-1]
    assert complex_ < simple


# ------------------------------------------------------------------- weaving kernels
def check_rewire(graph: CSRGraph, added: np.ndarray, cut: np.ndarray) -> CSRGraph:
    new = rewired(graph, added, cut)
    want_indptr, want_indices = ref_ties.rewire(graph.indptr, graph.indices, added, cut)
    np.testing.assert_array_equal(new.indptr, want_indptr)
    np.testing.assert_array_equal(new.indices, want_indices)
    assert new.indptr.dtype == np.int64 and new.indices.dtype == graph.indices.dtype
    # simple, sorted, symmetric
    for i in range(new.n):
        row = new.neighbours(i)
        assert np.all(np.diff(row) > 0) and i not in row
    edges = new.edge_array()
    assert 2 * len(edges) == len(new.indices)
    return new


def test_rewire_matches_twin(rng):
    for _ in range(60):
        n = int(rng.integers(1, 50))
        graph = random_graph(rng, n, float(rng.choice([0.0, 0.05, 0.3])))
        k_add, k_cut = (int(v) for v in rng.integers(0, 2 * n + 1, size=2))
        added = rng.integers(0, n, size=(k_add, 2))  # self-loops and repeats included
        existing = graph.edge_array()
        cut = rng.integers(0, n, size=(k_cut, 2))
        if len(existing):
            picks = existing[rng.integers(0, len(existing), size=k_cut)]
            cut = np.concatenate([cut, picks[:, ::-1]])  # real ties, listed either way round
        check_rewire(graph, added, cut)


def test_rewire_edge_cases():
    empty = np.empty((0, 2), dtype=np.int64)
    single = CSRGraph(np.array([0, 0]), np.empty(0, dtype=np.int32))
    assert check_rewire(single, np.array([[0, 0]]), empty).n_edges == 0
    graph = CSRGraph.from_edges(3, np.array([[0, 1]]))
    same = check_rewire(graph, empty, empty)
    np.testing.assert_array_equal(same.indices, graph.indices)
    # a tie both added and cut is cut; an isolated node gains its first tie
    new = check_rewire(graph, np.array([[1, 2], [2, 0]]), np.array([[2, 1]]))
    assert new.neighbours(2).tolist() == [0]
    graph = silo_graph(n=40, team_size=10, degree=4)
    assert check_rewire(graph, np.array([[0, 39]]), empty).team is graph.team


def test_least_giving_contacts_matches_twin(rng):
    for _ in range(60):
        n = int(rng.integers(1, 40))
        graph = random_graph(rng, n, float(rng.choice([0.05, 0.2, 0.6])))
        x = rng.choice([0.0, 5.0, 20.0], size=n) if rng.random() < 0.5 else rng.random(n)
        agents = rng.integers(0, n, size=int(rng.integers(0, n + 1)))
        u = rng.random(len(agents))
        got = np.empty(len(agents), dtype=np.int64)
        kweaving.least_giving_contacts(graph.indptr, graph.indices, x, agents, u, got)
        want = ref_ties.least_giving_contacts(graph.indptr, graph.indices, x, agents, u)
        np.testing.assert_array_equal(got, want)


def test_weaving_adds_ties_and_cutting_removes_ties_to_free_riders():
    config = SimulationConfig(n=300, network="silos", degree=6, team_size=20, rounds=10,
                              weaving=0.3)
    sim = Simulation(config, seed=1)
    before = sim.graph.n_edges
    sim.run()
    assert before + 0.3 * 300 * 10 * 0.8 < sim.graph.n_edges <= before + 0.3 * 300 * 10 * 1.2
    # cutting: ties end up removed, and free riders lose more of theirs than others do
    config = SimulationConfig(n=400, network="silos", degree=8, team_size=20, rounds=10,
                              cutting=0.3, strategies="binary", noise=0.0)
    sim = Simulation(config, seed=1)
    start_degree = sim.graph.degree.copy()
    sim.run()
    lost = start_degree - sim.graph.degree
    assert sim.graph.degree.sum() < start_degree.sum()
    free = sim.kind == bk.FREE_RIDER
    assert lost[free].mean() > lost[~free].mean()


def test_set_graph_refreshes_what_agents_saw():
    sim = Simulation(SimulationConfig(n=100, network="silos", degree=4, team_size=10,
                                      rounds=3, weaving=0.5), seed=0)
    sim.step()
    g = sim.groups
    assert g.n_groups == sim.n and g.group_ptr[-1] == sim.n + len(sim.graph.indices)
    np.testing.assert_array_equal(g.members, neighbourhood_groups(sim.graph).members)
    raw = np.empty(g.n_groups)
    games.group_sums(sim.contribution, g.group_ptr, g.members, raw)
    np.testing.assert_allclose(sim.raw_total, raw)


def test_tie_dynamics_hook_needs_start():
    with pytest.raises(AssertionError):
        TieDynamics(0.1).end_round(Simulation(SimulationConfig(n=20), seed=0))


# ------------------------------------------------------------------------ determinism
def test_same_seed_same_run_at_any_thread_count():
    config = SimulationConfig(n=300, network="silos", degree=6, team_size=20, rounds=12,
                              campaign_size=10, campaign_placement="brokers",
                              contagion="complex", weaving=0.1, cutting=0.1,
                              strategies="binary", initial_cooperation=0.0)
    previous = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            sim = Simulation(config, seed=9)
            history = sim.run()
            runs.append((history.mean_contribution, sim.graph.indices))
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    other = Simulation(config, seed=10).run()
    assert not np.array_equal(other.mean_contribution, runs[0][0])


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("changes, option", [
    ({"campaign_placement": "nowhere"}, "--campaign-placement"),
    ({"campaign_size": -1}, "--campaign-size"),
    ({"campaign_size": 5000}, "--campaign-size"),
    ({"contagion": "viral"}, "--contagion"),
    ({"threshold": 0}, "--threshold"),
    ({"weaving": 1.5}, "--weaving"),
    ({"cutting": -0.1}, "--cutting"),
    ({"contagion": "complex", "rule": "fermi"}, "--contagion"),
])
def test_bad_settings_are_one_line_errors(changes, option):
    with pytest.raises(ConfigError) as err:
        SimulationConfig(n=100, **changes).validate()
    message = str(err.value)
    assert "\n" not in message and option in message


def test_cli_rejects_a_bad_placement(capsys):
    assert main(["run", "--n", "50", "--campaign-placement", "nowhere"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--campaign-placement" in err and "one-team" in err


def test_help_lists_placements_and_contagions(capsys):
    assert main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    assert "campaigns and ties" in out and "one-team" in out and "complex" in out


# ------------------------------------------------------------------------ cascade roles
def test_cascade_roles_end_to_end(tmp_path, capsys):
    edgelist = tmp_path / "barbell.txt"
    edgelist.write_text("# two cliques and a bridge\n" + "\n".join(
        f"p{u} p{v}" for u, v in nx.barbell_graph(5, 1).edges()))
    out = tmp_path / "roles.csv"
    assert main(["roles", str(edgelist), "--out", str(out), "--seed", "1"]) == 0
    import pandas as pd

    frame = pd.read_csv(out)
    assert len(frame) == 11 and "role" in frame.columns
    assert frame.loc[frame["broker_score"].idxmax(), "label"] == "p5"
    assert frame.set_index("label").loc["p5", "role"] == "broker"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["barbell.txt", "roles.csv"]
    capsys.readouterr()
    assert main(["roles", str(edgelist)]) == 0
    assert capsys.readouterr().out.startswith("node,label,team,degree")


@pytest.mark.parametrize("args, text", [
    (["roles", "missing.txt"], "EDGELIST"),
    (["roles", "BAD", "--seed", "-1"], "--seed"),
])
def test_cascade_roles_errors(tmp_path, capsys, args, text):
    bad = tmp_path / "bad.txt"
    bad.write_text("lonely\n")
    args = [str(bad) if a == "BAD" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and text in err
    assert main(["roles", str(bad)]) == 2
    assert "EDGELIST" in capsys.readouterr().err


# ------------------------------------------------------------------ experiment ties
TINY = (Path(__file__).with_name("data") / "ties_tiny.toml").read_text(encoding="utf-8")


def run_tiny(tmp_path, capsys, *extra):
    params = tmp_path / "tiny.toml"
    params.write_text(TINY)
    assert main(["experiment", "ties", "--params", str(params), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_tiny_experiment_json(tmp_path, capsys):
    document = run_tiny(tmp_path, capsys, "--out", str(tmp_path / "report"))
    rows = document["results"]
    assert len(rows) == 2 * 2 * 2 * 2 * 4
    assert all(set(r) == {"seeding", "bridging", "contagion", "weaving", "metric", "estimate",
                          "ci"} for r in rows)
    assert {r["metric"] for r in rows} == {"final_cooperation", "reach", "rounds_to_half",
                                           "censored"}
    for r in rows:
        if r["metric"] in ("final_cooperation", "reach", "censored") and r["estimate"] is not None:
            assert 0.0 <= r["estimate"] <= 1.0
    # isolated silos: nothing reaches the teams without campaigners
    isolated = [r for r in rows if r["bridging"] == 0.0 and r["metric"] == "reach"
                and r["weaving"] == 0.0]
    assert all(r["estimate"] < 0.2 for r in isolated)
    assert document["reading"]
    names = sorted(p.name for p in (tmp_path / "report").iterdir())
    assert names == ["final_cooperation.png", "reach.png", "report.md", "results.json",
                     "runs.csv"]


def test_tiny_experiment_is_independent_of_workers(tmp_path, capsys):
    one = run_tiny(tmp_path, capsys, "--workers", "1")
    two = run_tiny(tmp_path, capsys, "--workers", "2")
    assert one["results"] == two["results"]
    three = run_tiny(tmp_path, capsys, "--seed", "6")
    assert three["results"] != one["results"]


TINY_CENTOLA = TINY + """
[centola]
network = ["ring", "random-regular"]
seeding = ["cluster", "random"]
contagion = ["simple", "complex"]
[centola.simulation]
n = 40
degree = 4
campaign_size = 5
rounds = 8
"""


def run_tiny_centola(tmp_path, capsys, *extra):
    params = tmp_path / "tiny_centola.toml"
    params.write_text(TINY_CENTOLA)
    assert main(["experiment", "ties", "--params", str(params), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_tiny_centola_json(tmp_path, capsys):
    document = run_tiny_centola(tmp_path, capsys, "--out", str(tmp_path / "report"))
    assert document["results"] == run_tiny(tmp_path, capsys)["results"]  # silo part unchanged
    rows = document["centola"]
    assert len(rows) == 2 * 2 * 2 * 3
    assert all(set(r) == {"network", "seeding", "contagion", "metric", "estimate", "ci"}
               for r in rows)
    assert {r["metric"] for r in rows} == {"final_cooperation", "rounds_to_half", "censored"}
    for r in rows:
        if r["metric"] != "rounds_to_half":
            assert 0.0 <= r["estimate"] <= 1.0
    clustering = document["centola_clustering"]
    assert clustering["ring"] == pytest.approx(0.5)  # ring of degree 4: 3(k-2)/(4(k-1))
    assert clustering["random-regular"] < 0.3
    assert any("Centola (2010)" in line for line in document["centola_reading"])
    assert document["settings"]["centola"]["replicates"] == 2
    assert document["timing"]["centola_runs"] == 2 * 2 * 2 * 2
    names = sorted(p.name for p in (tmp_path / "report").iterdir())
    assert names == ["centola.png", "centola_runs.csv", "final_cooperation.png", "reach.png",
                     "report.md", "results.json", "runs.csv"]
    report = (tmp_path / "report" / "report.md").read_text()
    assert "## Clustered against random ties (Centola)" in report
    one = run_tiny_centola(tmp_path, capsys, "--workers", "2", "--replicates", "3")
    two = run_tiny_centola(tmp_path, capsys, "--workers", "1", "--replicates", "3")
    assert one["centola"] == two["centola"] and one["centola"] != document["centola"]


def test_tiny_experiment_headline_numbers(tmp_path, capsys):
    from experiments.ties import EXPERIMENT

    document = run_tiny_centola(tmp_path, capsys)
    metrics = EXPERIMENT.metrics(document)
    reach = [r["estimate"] for r in document["results"] if r["metric"] == "reach"]
    assert metrics["reach"] == pytest.approx(np.mean(reach))
    one_team = [r["estimate"] for r in document["results"]
                if r["metric"] == "reach" and r["seeding"] == "one-team"]
    assert metrics["reach:seeding=one-team"] == pytest.approx(np.mean(one_team))
    assert {"reach:bridging=0", "reach:bridging=1", "reach:contagion=complex",
            "reach:weaving=0.3", "centola:final_cooperation:ring:complex"} <= set(metrics)
    assert all(isinstance(v, float) for v in metrics.values())


def centola_row(network, seeding, contagion, metric, estimate, lo, hi):
    return {"network": network, "seeding": seeding, "contagion": contagion, "metric": metric,
            "estimate": estimate, "ci": [lo, hi]}


@pytest.mark.parametrize("complex_ring, censored, verdict", [
    ((0.7, 0.6, 0.8), 0.0, "reproduced here under complex contagion."),
    ((0.7, 0.6, 0.8), 1.0, "reproduced here under complex contagion; but it stays small: at "
                           "most 0.70 cooperating on ring, where most runs never reach 50%."),
    ((0.12, 0.05, 0.2), 1.0, "not reproduced here under complex contagion (no difference"),
    ((0.02, 0.0, 0.04), 1.0, "not reproduced here under complex contagion (the random network"),
])
def test_centola_reading_claims_only_where_intervals_separate(complex_ring, censored, verdict):
    from experiments.ties_centola import centola_reading

    grid = {"network": ["random-regular", "ring"], "seeding": ["cluster"],
            "contagion": ["simple", "complex"]}
    rows = []
    for network, contagion in product(grid["network"], grid["contagion"]):
        ring_complex = (network, contagion) == ("ring", "complex")
        final = complex_ring if ring_complex else (0.1, 0.05, 0.15)
        share = censored if ring_complex else 1.0
        rows += [centola_row(network, "cluster", contagion, "final_cooperation", *final),
                 centola_row(network, "cluster", contagion, "rounds_to_half", None, 40, None),
                 centola_row(network, "cluster", contagion, "censored", share, share, share)]
    lines = centola_reading(rows, grid, {"ring": 0.64, "random-regular": 0.04})
    text = "\n".join(lines)
    assert verdict in text
    assert "ring (clustering 0.64)" in text or "ring vs random-regular: no difference" in text
    assert "simple contagion, ring vs random-regular: no difference" in text
    assert "consistent here" in text


def test_experiment_bad_input_writes_nothing(tmp_path, capsys):
    params = tmp_path / "bad.toml"
    params.write_text(TINY.replace('"spread"', '"everywhere"'))
    out = tmp_path / "out"
    assert main(["experiment", "ties", "--params", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--campaign-placement" in err
    assert not out.exists()
    assert main(["experiment", "ties", "--replicates", "0"]) == 2
    assert "--replicates" in capsys.readouterr().err


@pytest.mark.parametrize("change, text", [
    (('network = ["ring", "random-regular"]', 'network = ["ring", "hexagons"]'), "--network"),
    (("degree = 4\ncampaign_size = 5", "degree = 5\ncampaign_size = 5"), "--degree"),
    (('seeding = ["cluster", "random"]', 'seeding = ["cluster", "clump"]'),
     "--campaign-placement"),
    (('contagion = ["simple", "complex"]\n[centola.simulation]',
      'contagion = []\n[centola.simulation]'), "[centola] contagion"),
    (("[centola.simulation]", "speed = 3\n[centola.simulation]"), "unknown key(s) speed"),
    (("tail = 2", "tail = 0"), "[experiment] tail must be an integer >= 1"),
    (("replicates = 2\n", ""), "[experiment] lacks replicates"),
    (("bridging = [0.0, 1.0]", 'bridging = [0.0, "x"]'), "[grid] bridging must be a list of"),
])
def test_centola_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, change, text):
    params = tmp_path / "bad.toml"
    assert TINY_CENTOLA.count(change[0]) == 1
    params.write_text(TINY_CENTOLA.replace(*change))
    out = tmp_path / "out"
    assert main(["experiment", "ties", "--params", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and text in err
    assert not out.exists()
