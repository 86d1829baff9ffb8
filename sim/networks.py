"""Network builders, registered by name; every one returns a :class:`~sim.graph.CSRGraph`.

All randomness comes from the ``rng`` argument (a ``numpy.random.Generator`` spawned from the
run's seed), so the same seed gives the same network. Builders for large random networks are
vectorised NumPy, fast at n = 10^6 and beyond.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from sim.config import ConfigError, SimulationConfig
from sim.graph import CSRGraph


@dataclass(frozen=True)
class NetworkBuilder:
    """A named network: ``check(config)`` raises ConfigError, ``build(config, rng)`` builds."""

    name: str
    summary: str
    build: Callable[[SimulationConfig, np.random.Generator], CSRGraph]
    check: Callable[[SimulationConfig], None]


NETWORKS: dict[str, NetworkBuilder] = {}


def register(name: str, summary: str, check: Callable[[SimulationConfig], None]):
    """Decorator adding a builder to :data:`NETWORKS`."""

    def wrap(build):
        NETWORKS[name] = NetworkBuilder(name, summary, build, check)
        return build

    return wrap


def build_network(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    """Check the settings, then build the configured network."""
    builder = NETWORKS[config.network]
    builder.check(config)
    return builder.build(config, rng)


def from_networkx(graph: nx.Graph) -> CSRGraph:
    """Convert any networkx graph; nodes become 0..n-1 in the graph's node order.

    A node attribute ``team`` (ints or strings) is kept as integer codes.
    """
    nodes = list(graph.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
    team = None
    labels = [graph.nodes[v].get("team") for v in nodes]
    if nodes and all(label is not None for label in labels):
        _, codes = np.unique(np.asarray([str(x) for x in labels]), return_inverse=True)
        team = codes.astype(np.int32)
    return CSRGraph.from_edges(len(nodes), edges.reshape(-1, 2), team=team)


# ----------------------------------------------------------------------------- checks
def _fail(option: str, message: str, value) -> None:
    raise ConfigError(f"--{option} {message} (got {value})")


def _check_degree_below_n(config: SimulationConfig) -> None:
    if config.degree >= config.n:
        _fail("degree", f"must be less than n={config.n} for {config.network}", config.degree)


def _check_ring(config: SimulationConfig) -> None:
    if config.degree % 2 or config.degree == 0:
        _fail("degree", f"must be even and > 0 for {config.network}", config.degree)
    _check_degree_below_n(config)


def _check_square(config: SimulationConfig) -> None:
    side = int(round(config.n**0.5))
    if side * side != config.n or side < 3:
        _fail("n", "must be a perfect square of a side >= 3 for square-lattice", config.n)
    if config.degree not in (4, 8):
        _fail("degree", "must be 4 (von Neumann) or 8 (Moore) for square-lattice", config.degree)


def _check_regular(config: SimulationConfig) -> None:
    _check_degree_below_n(config)
    if (config.n * config.degree) % 2:
        _fail("degree", "times n must be even for random-regular", config.degree)


def _check_scale_free(config: SimulationConfig) -> None:
    if config.degree < 2:
        _fail("degree", "must be >= 2 for scale-free (each new node brings degree/2 ties)",
              config.degree)
    if config.degree // 2 >= config.n:
        _fail("degree", f"/ 2 must be less than n={config.n} for scale-free", config.degree)


def _check_complete(config: SimulationConfig) -> None:
    if config.n > 20_000:
        _fail("n", "must be at most 20000 for complete (memory grows as n^2)", config.n)


def _check_silos(config: SimulationConfig) -> None:
    if config.team_size > config.n:
        _fail("team-size", f"must be at most n={config.n} for silos", config.team_size)
    if config.team_size < 2:
        _fail("team-size", "must be at least 2 for silos", config.team_size)
    p_in, _ = _silo_probabilities(config)
    if p_in > 1.0:
        _fail("team-size", f"must exceed the within-team degree for silos; with --degree "
              f"{config.degree} and --bridging {config.bridging:g} teams need more members",
              config.team_size)


def _check_file(config: SimulationConfig) -> None:
    if not config.network_file:
        raise ConfigError(f"--network-file is required for --network {config.network}")
    path = Path(config.network_file)
    if not path.is_file():
        raise ConfigError(f"--network-file '{path}' does not exist or is not a file")


def _no_check(config: SimulationConfig) -> None:
    if config.degree >= config.n and config.n > 1:
        _check_degree_below_n(config)


# ------------------------------------------------------------------------- sampling
def _sample_pairs(rng: np.random.Generator, m: int, draw, keep=None) -> np.ndarray:
    """``m`` distinct undirected pairs from ``draw(k) -> (k, 2)``, rejecting self-pairs,
    duplicates and pairs failing ``keep``."""
    found = np.empty((0, 2), dtype=np.int64)
    while len(found) < m:
        extra = draw(max(16, int((m - len(found)) * 1.1)))
        lo, hi = np.minimum(extra[:, 0], extra[:, 1]), np.maximum(extra[:, 0], extra[:, 1])
        ok = lo != hi
        if keep is not None:
            ok &= keep(lo, hi)
        extra = np.stack([lo[ok], hi[ok]], axis=1)
        found = np.unique(np.concatenate([found, extra]), axis=0)
    if len(found) > m:
        found = found[rng.choice(len(found), size=m, replace=False)]
    return found


def _gnp_edges(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Exact G(n, p) edges: a binomial count of uniformly sampled distinct pairs."""
    pairs = n * (n - 1) // 2
    if n < 2 or p <= 0.0:
        return np.empty((0, 2), dtype=np.int64)
    if p >= 1.0:
        return np.array(np.triu_indices(n, 1)).T.astype(np.int64)
    m = int(rng.binomial(pairs, p))
    if m > pairs // 2:  # dense: choose among all pairs directly
        chosen = rng.choice(pairs, size=m, replace=False)
        lo, hi = np.triu_indices(n, 1)
        return np.stack([lo[chosen], hi[chosen]], axis=1).astype(np.int64)
    return _sample_pairs(rng, m, lambda k: rng.integers(0, n, size=(k, 2)))


def _silo_probabilities(config: SimulationConfig) -> tuple[float, float]:
    """Within- and between-team tie probabilities for silos with bridging share b:
    p_out = degree b / (n - 1), p_in = degree (1 - b) / (team_size - 1) + p_out."""
    n, s, d, b = config.n, config.team_size, config.degree, config.bridging
    p_out = d * b / max(n - 1, 1)
    p_in = d * (1.0 - b) / max(s - 1, 1) + p_out
    return p_in, p_out


# ------------------------------------------------------------------------- builders
def _ring_edges(n: int, degree: int) -> np.ndarray:
    nodes = np.arange(n, dtype=np.int64)
    return np.concatenate(
        [np.stack([nodes, (nodes + j) % n], axis=1) for j in range(1, degree // 2 + 1)]
    )


@register("ring", "ring lattice: each node tied to its degree/2 nearest on each side", _check_ring)
def ring(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    return CSRGraph.from_edges(config.n, _ring_edges(config.n, config.degree))


@register("square-lattice", "periodic square lattice; degree 4 von Neumann, 8 Moore",
          _check_square)
def square_lattice(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    side = int(round(config.n**0.5))
    row, col = np.divmod(np.arange(config.n, dtype=np.int64), side)
    steps = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if config.degree == 8 else [])
    edges = [
        np.stack([row * side + col, ((row + dr) % side) * side + (col + dc) % side], axis=1)
        for dr, dc in steps
    ]
    return CSRGraph.from_edges(config.n, np.concatenate(edges))


@register("random-regular", "random regular graph: every node has exactly --degree ties",
          _check_regular)
def random_regular(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    """Stub pairing (Bollobás 1980) with local re-pairing of self-loops and multi-edges."""
    n, d = config.n, config.degree
    if d == 0:
        return CSRGraph.from_edges(n, np.empty((0, 2)))
    stubs = rng.permutation(np.repeat(np.arange(n, dtype=np.int64), d)).reshape(-1, 2)
    for _ in range(1000):
        lo, hi = np.minimum(stubs[:, 0], stubs[:, 1]), np.maximum(stubs[:, 0], stubs[:, 1])
        key = lo * n + hi
        order = np.argsort(key, kind="stable")
        duplicate = np.zeros(len(key), dtype=bool)
        duplicate[order[1:]] = key[order[1:]] == key[order[:-1]]
        bad = (lo == hi) | duplicate
        n_bad = int(bad.sum())
        if n_bad == 0:
            return CSRGraph.from_edges(n, stubs)
        good = np.flatnonzero(~bad)
        extra = rng.choice(good, size=min(len(good), max(2 * n_bad, 8)), replace=False)
        redo = np.concatenate([np.flatnonzero(bad), extra])
        stubs[redo] = rng.permutation(stubs[redo].ravel()).reshape(-1, 2)
    raise ConfigError(f"could not build a random-regular graph with n={n}, degree={d}")


@register("erdos-renyi", "Erdős–Rényi G(n, p) with mean degree --degree", _check_degree_below_n)
def erdos_renyi(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    """Erdős & Rényi 1959; Gilbert 1959: each pair tied with p = degree / (n - 1)."""
    p = config.degree / max(config.n - 1, 1)
    return CSRGraph.from_edges(config.n, _gnp_edges(rng, config.n, p))


@register("small-world", "Watts–Strogatz: ring of --degree with ties rewired with prob. --rewire",
          _check_ring)
def small_world(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    """Watts & Strogatz 1998 (Nature 393:440): rewire each lattice tie's far end with
    probability ``rewire`` to a uniform node, avoiding self-loops and duplicate ties."""
    n = config.n
    edges = _ring_edges(n, config.degree)
    rewire = rng.random(len(edges)) < config.rewire
    kept = edges[~rewire]
    existing = set((kept[:, 0] * n + kept[:, 1]).tolist()) | set(
        (kept[:, 1] * n + kept[:, 0]).tolist())
    result = [kept]
    new = []
    for u, v in edges[rewire].tolist():
        for _ in range(100):
            w = int(rng.integers(n))
            if w != u and u * n + w not in existing:
                break
        else:
            w = v
        existing.add(u * n + w)
        existing.add(w * n + u)
        new.append((u, w))
    result.append(np.array(new, dtype=np.int64).reshape(-1, 2))
    return CSRGraph.from_edges(n, np.concatenate(result))


@register("scale-free", "Barabási–Albert preferential attachment, mean degree about --degree",
          _check_scale_free)
def scale_free(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    """Barabási & Albert 1999 (Science 286:509): each new node ties to degree/2 others."""
    g = nx.barabasi_albert_graph(config.n, config.degree // 2, seed=int(rng.integers(2**31)))
    return from_networkx(g)


@register("complete", "everyone tied to everyone", _check_complete)
def complete(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    return CSRGraph.from_edges(config.n, np.array(np.triu_indices(config.n, 1)).T)


@register("silos", "teams of --team-size, dense inside; --bridging share of ties between teams",
          _check_silos)
def silos(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    """A stochastic block model (Holland, Laskey & Leinhardt 1983): bridging 0 gives isolated
    teams, bridging 1 an Erdős–Rényi graph; the mean degree stays near --degree."""
    n, s = config.n, config.team_size
    team = (np.arange(n) // s).astype(np.int32)
    p_in, p_out = _silo_probabilities(config)
    edges = []
    for start in range(0, n, s):
        size = min(s, n - start)
        edges.append(_gnp_edges(rng, size, p_in) + start)
    between = n * (n - 1) // 2 - sum(
        min(s, n - a) * (min(s, n - a) - 1) // 2 for a in range(0, n, s))
    m = int(rng.binomial(between, p_out)) if p_out > 0 else 0
    if m:
        edges.append(_sample_pairs(rng, m, lambda k: rng.integers(0, n, size=(k, 2)),
                                   keep=lambda lo, hi: team[lo] != team[hi]))
    return CSRGraph.from_edges(n, np.concatenate(edges), team=team)


@register("edgelist", "read --network-file: one 'u v' pair per line ('#' comments); "
          "the file sets n", _check_file)
def edgelist(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    path = Path(config.network_file)
    index: dict[str, int] = {}
    pairs = []
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--network-file '{path}' cannot be read: {exc}") from None
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].replace(",", " ").split()
        if not text:
            continue
        if len(text) < 2:
            raise ConfigError(
                f"--network-file '{path}' line {number}: expected two node labels 'u v'")
        u, v = (index.setdefault(label, len(index)) for label in text[:2])
        pairs.append((u, v))
    if not index:
        raise ConfigError(f"--network-file '{path}' has no edges")
    return CSRGraph.from_edges(len(index), np.array(pairs, dtype=np.int64))


@register("graphml", "read --network-file as GraphML; the file sets n", _check_file)
def graphml(config: SimulationConfig, rng: np.random.Generator) -> CSRGraph:
    path = Path(config.network_file)
    try:
        graph = nx.read_graphml(path)
    except Exception as exc:  # networkx raises several parser errors
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"--network-file '{path}' is not valid GraphML: {reason}") from None
    if graph.number_of_nodes() == 0:
        raise ConfigError(f"--network-file '{path}' has no nodes")
    return from_networkx(nx.Graph(graph.to_undirected()))
