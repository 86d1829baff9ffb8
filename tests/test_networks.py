"""Tests for the network registry (`sim.networks`): CSR invariants, seeding, degrees, errors."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.config import ConfigError, SimulationConfig
from sim.graph import CSRGraph
from sim.networks import NETWORKS, build_network, from_networkx

RANDOM = {"random-regular", "erdos-renyi", "small-world", "scale-free", "silos"}
FILES = {"edgelist", "graphml"}


def config_for(name: str, tmp_path: Path, **changes) -> SimulationConfig:
    """A small valid configuration for builder ``name`` (files written into ``tmp_path``)."""
    values = {
        "n": 400,
        "network": name,
        "degree": 6,
        "rewire": 0.2,
        "team_size": 20,
        "bridging": 0.2,
    }
    if name == "square-lattice":
        values.update(n=441, degree=8)
    elif name == "edgelist":
        path = tmp_path / "net.txt"
        path.write_text("".join(f"{i} {(i + 1) % 30}\n{i} {(i + 7) % 30}\n" for i in range(30)))
        values["network_file"] = str(path)
    elif name == "graphml":
        path = tmp_path / "net.graphml"
        nx.write_graphml(nx.petersen_graph(), path)
        values["network_file"] = str(path)
    values.update(changes)
    return SimulationConfig(**values)


def build(cfg: SimulationConfig, seed: int = 0) -> CSRGraph:
    return build_network(cfg, np.random.default_rng(seed))


def assert_csr(g: CSRGraph) -> None:
    """Every CSRGraph invariant: dtypes, monotone indptr, sorted simple rows, symmetry."""
    n = g.n
    assert g.indptr.dtype == np.int64 and g.indices.dtype == np.int32
    assert g.indptr[0] == 0 and g.indptr[-1] == len(g.indices)
    assert np.all(np.diff(g.indptr) >= 0)
    src = np.repeat(np.arange(n, dtype=np.int64), g.degree)
    dst = g.indices.astype(np.int64)
    assert np.all((dst >= 0) & (dst < n))
    assert not np.any(src == dst), "self-loop"
    same_row = src[1:] == src[:-1]
    assert np.all(dst[1:][same_row] > dst[:-1][same_row]), "rows unsorted or duplicated"
    assert np.array_equal(np.sort(src * n + dst), np.sort(dst * n + src)), "not symmetric"
    if g.team is not None:
        assert g.team.dtype == np.int32 and g.team.shape == (n,)


def same(a: CSRGraph, b: CSRGraph) -> bool:
    return np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)


# ----------------------------------------------------------------------------- registry
def test_registry_names_and_summaries():
    expected = {
        "ring",
        "square-lattice",
        "random-regular",
        "erdos-renyi",
        "small-world",
        "scale-free",
        "complete",
        "silos",
        "edgelist",
        "graphml",
    }
    assert set(NETWORKS) == expected
    for name, builder in NETWORKS.items():
        assert builder.name == name
        assert builder.summary and "\n" not in builder.summary


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_builder_gives_a_valid_csr(name, tmp_path):
    cfg = config_for(name, tmp_path)
    NETWORKS[name].check(cfg)
    g = build(cfg)
    assert_csr(g)
    assert g.n_edges > 0
    if name not in FILES:
        assert g.n == cfg.n


@pytest.mark.parametrize("name", list(NETWORKS))
def test_seeding(name, tmp_path):
    cfg = config_for(name, tmp_path)
    assert same(build(cfg, 1), build(cfg, 1))
    assert same(build(cfg, 1), build(cfg, 2)) == (name not in RANDOM)


def test_build_network_checks_and_rejects_unknown_names(tmp_path):
    with pytest.raises(ConfigError, match="--degree"):
        build(config_for("ring", tmp_path, degree=5))
    with pytest.raises(ConfigError, match="--network"):
        build(config_for("ring", tmp_path, network="hypercube"))


# ------------------------------------------------------------------------------ degrees
@pytest.mark.parametrize(
    ("name", "n", "degree"),
    [
        ("ring", 50, 2),
        ("ring", 51, 10),
        ("square-lattice", 9, 4),
        ("square-lattice", 9, 8),
        ("square-lattice", 400, 4),
        ("random-regular", 301, 4),
        ("random-regular", 300, 7),
        ("random-regular", 5, 4),
        ("random-regular", 12, 8),
        ("random-regular", 20, 0),
        ("complete", 30, 29),
    ],
)
def test_exact_degrees(name, n, degree, tmp_path):
    g = build(config_for(name, tmp_path, n=n, degree=degree), seed=3)
    assert_csr(g)
    assert np.all(g.degree == degree)


def test_ring_neighbours():
    g = build(SimulationConfig(n=10, network="ring", degree=4))
    assert g.neighbours(0).tolist() == [1, 2, 8, 9]


def test_large_random_regular_is_fast_and_exact():
    g = build(SimulationConfig(n=200_000, network="random-regular", degree=4), seed=5)
    assert g.n == 200_000 and np.all(g.degree == 4)


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("erdos-renyi", {"n": 3000, "degree": 10}),
        ("small-world", {"n": 2000, "degree": 6}),
        ("small-world", {"n": 2000, "degree": 4, "rewire": 1.0}),
        ("silos", {"n": 3000, "degree": 8, "bridging": 0.0}),
        ("silos", {"n": 3000, "degree": 8, "bridging": 0.3}),
        ("silos", {"n": 3000, "degree": 8, "bridging": 1.0}),
        ("scale-free", {"n": 3000, "degree": 6}),
    ],
)
def test_mean_degree(name, changes, tmp_path):
    cfg = config_for(name, tmp_path, **changes)
    g = build(cfg, seed=7)
    assert_csr(g)
    assert abs(g.degree.mean() - cfg.degree) < 0.3


def test_erdos_renyi_pairs_are_equally_likely():
    cfg = SimulationConfig(n=5, network="erdos-renyi", degree=2)  # p = 1/2 on 10 pairs
    rng = np.random.default_rng(11)
    counts = np.zeros((5, 5))
    for _ in range(2000):
        e = NETWORKS["erdos-renyi"].build(cfg, rng).edge_array()
        counts[e[:, 0], e[:, 1]] += 1
    share = counts[np.triu_indices(5, 1)] / 2000
    assert np.all(np.abs(share - 0.5) < 0.05)


def test_erdos_renyi_extremes():
    assert build(SimulationConfig(n=50, network="erdos-renyi", degree=0)).n_edges == 0
    g = build(SimulationConfig(n=50, network="erdos-renyi", degree=49))
    assert np.all(g.degree == 49)


def test_small_world_without_rewiring_is_the_ring():
    ring = build(SimulationConfig(n=60, network="ring", degree=4))
    ws = build(SimulationConfig(n=60, network="small-world", degree=4, rewire=0.0), seed=9)
    assert same(ring, ws)


def test_small_world_on_a_complete_ring_keeps_every_tie():
    g = build(SimulationConfig(n=7, network="small-world", degree=6, rewire=1.0))
    assert np.all(g.degree == 6)


# -------------------------------------------------------------------------------- silos
def cross_share(g: CSRGraph) -> float:
    e = g.edge_array()
    return float(np.mean(g.team[e[:, 0]] != g.team[e[:, 1]]))


def test_silos_teams_and_isolation():
    cfg = SimulationConfig(n=105, network="silos", degree=6, team_size=20, bridging=0.0)
    g = build(cfg)
    assert g.team.tolist() == (np.arange(105) // 20).tolist()  # last team has 5 members
    assert cross_share(g) == 0.0


def test_silos_full_bridging_is_random():
    n, s = 4000, 20
    g = build(SimulationConfig(n=n, network="silos", degree=8, team_size=s, bridging=1.0), 2)
    assert abs(cross_share(g) - (1 - (s - 1) / (n - 1))) < 0.005


def test_silos_bridging_share():
    g = build(SimulationConfig(n=4000, network="silos", degree=8, team_size=40, bridging=0.3), 4)
    expected = 0.3 * (1 - 39 / 3999)  # random ties that happen to stay home do not count
    assert abs(cross_share(g) - expected) < 0.03


# ------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("changes", "option"),
    [
        ({"network": "ring", "degree": 5}, "--degree"),
        ({"network": "ring", "degree": 0}, "--degree"),
        ({"network": "ring", "n": 6, "degree": 6}, "--degree"),
        ({"network": "small-world", "degree": 3}, "--degree"),
        ({"network": "small-world", "rewire": 1.5}, "--rewire"),
        ({"network": "square-lattice", "n": 50, "degree": 4}, "--n"),
        ({"network": "square-lattice", "n": 4, "degree": 4}, "--n"),
        ({"network": "square-lattice", "n": 49, "degree": 6}, "--degree"),
        ({"network": "random-regular", "n": 10, "degree": 10}, "--degree"),
        ({"network": "random-regular", "n": 11, "degree": 3}, "--degree"),
        ({"network": "erdos-renyi", "n": 10, "degree": 10}, "--degree"),
        ({"network": "scale-free", "degree": 1}, "--degree"),
        ({"network": "complete", "n": 20_001}, "--n"),
        ({"network": "silos", "degree": 20, "team_size": 20, "bridging": 0.0}, "--team-size"),
        ({"network": "silos", "n": 10, "team_size": 20}, "--team-size"),
        ({"network": "silos", "degree": 8, "team_size": 1}, "--team-size"),
        ({"network": "ring", "n": 0}, "--n"),
        ({"network": "edgelist", "network_file": None}, "--network-file"),
        ({"network": "edgelist", "network_file": "/no/such/file.txt"}, "--network-file"),
        ({"network": "graphml", "network_file": "/no/such/file.graphml"}, "--network-file"),
    ],
)
def test_bad_settings_name_the_option(changes, option, tmp_path):
    cfg = config_for(changes["network"], tmp_path, **changes)
    with pytest.raises(ConfigError, match=option) as info:
        NETWORKS[cfg.network].check(cfg)
    assert "\n" not in str(info.value)


def test_silos_rejects_p_in_above_one_with_a_clear_line():
    cfg = SimulationConfig(n=1000, network="silos", degree=10, team_size=8, bridging=0.1)
    with pytest.raises(ConfigError, match=r"--team-size must be > degree for silos"):
        build(cfg)


# -------------------------------------------------------------------------------- files
def edgelist_config(tmp_path: Path, text: str) -> SimulationConfig:
    path = tmp_path / "edges.csv"
    path.write_text(text)
    return SimulationConfig(n=999, network="edgelist", network_file=str(path))


def test_edgelist_labels_comments_and_separators(tmp_path):
    text = (
        "# a comment\n\nalice bob\n bob, carol ,0.5  # weight ignored\n"
        "carol alice extra columns\nalice alice\ndave\tbob\nbob alice\n"
    )
    g = build(edgelist_config(tmp_path, text))
    assert_csr(g)
    assert g.n == 4  # alice, bob, carol, dave: config n=999 is ignored
    assert sorted(map(tuple, g.edge_array().tolist())) == [(0, 1), (0, 2), (1, 2), (1, 3)]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("1 2\n2 3\nlonely\n", "--network-file .*line 3"),
        ("# nothing\n\n", "--network-file"),
        ("", "--network-file"),
    ],
)
def test_edgelist_errors(tmp_path, text, match):
    with pytest.raises(ConfigError, match=match):
        build(edgelist_config(tmp_path, text))


def test_edgelist_unreadable_file(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\xff\xfe\x00\x81 1\n")
    cfg = SimulationConfig(network="edgelist", network_file=str(path))
    with pytest.raises(ConfigError, match="--network-file"):
        build(cfg)


def test_graphml_directed_with_teams(tmp_path):
    d = nx.DiGraph()
    d.add_nodes_from([("x", {"team": "red"}), ("y", {"team": "blue"}), ("z", {"team": "red"})])
    d.add_edges_from([("x", "y"), ("y", "x"), ("y", "z")])
    path = tmp_path / "d.graphml"
    nx.write_graphml(d, path)
    g = build(SimulationConfig(n=5, network="graphml", network_file=str(path)))
    assert_csr(g)
    assert g.n == 3 and g.n_edges == 2
    assert g.team.tolist() == [1, 0, 1]


def test_graphml_malformed(tmp_path):
    path = tmp_path / "bad.graphml"
    path.write_text("<graphml><graph><node id='a'></graph>")
    with pytest.raises(ConfigError, match="--network-file"):
        build(SimulationConfig(network="graphml", network_file=str(path)))


# ------------------------------------------------------------------------- from_networkx
def test_from_networkx_relabels_in_node_order_and_codes_teams():
    h = nx.Graph()
    h.add_nodes_from([("c", {"team": 10}), ("a", {"team": 2}), ("b", {"team": 10})])
    h.add_edges_from([("c", "a"), ("a", "b"), ("b", "b")])
    g = from_networkx(h)
    assert_csr(g)
    assert sorted(map(tuple, g.edge_array().tolist())) == [(0, 1), (1, 2)]
    assert g.team.tolist() == [1, 0, 1]
    h.nodes["a"].pop("team")
    assert from_networkx(h).team is None


def test_from_networkx_round_trip():
    g = build(SimulationConfig(n=120, network="silos", degree=6, team_size=10), seed=3)
    back = from_networkx(g.to_networkx())
    assert same(g, back) and np.array_equal(g.team, back.team)
