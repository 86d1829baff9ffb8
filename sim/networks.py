"""Network builders, registered by name; every one returns a :class:`~sim.graph.CSRGraph`.

``NETWORKS[name]`` is a :class:`NetworkBuilder` (an :class:`~sim.params.Entry`): its
``parameters`` are the settings it reads (declared here, see :data:`PARAMETERS`), its
``check(config)`` raises :class:`~sim.params.ConfigError` (one line naming the option) when the
settings do not fit it, and its ``build(config, rng)`` builds the graph. All randomness comes
from the ``rng`` argument (a ``numpy.random.Generator`` spawned from the run's seed), so the same
seed gives the same network. The random builders are vectorised NumPy and run in seconds at
n = 10^6.

:func:`build_network` checks, then builds: the entry point for settings nobody has validated.
A :class:`~sim.Simulation` builds from a validated config without checking again.

File networks (``edgelist``, ``graphml``) ignore ``config.n``: the file defines the nodes, and
the simulation takes the number of agents from ``graph.n``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from sim.graph import CSRGraph
from sim.params import ConfigError, Entry, Param, Registry, Settings

Build = Callable[[Settings, np.random.Generator], CSRGraph]
Check = Callable[[Settings], None]

#: largest n for ``complete`` (the CSR holds n(n-1) int32 neighbours)
COMPLETE_MAX_N = 20_000
#: re-pairing rounds before ``random-regular`` gives up
REGULAR_MAX_ROUNDS = 1000


@dataclass(frozen=True, kw_only=True)
class NetworkBuilder(Entry):
    """A named network: ``entry`` (also ``build``) is ``build(config, rng) -> CSRGraph``."""

    @property
    def build(self) -> Build:
        return self.entry


#: network name -> builder, in the order the command line lists them
NETWORKS = Registry("networks (--network)")

# ------------------------------------------------------------------------- parameters
N = Param("n", 1000, "number of agents", kind=int, low=1)
NETWORK = Param("network", "random-regular", "network builder name", kind=str,
                choices=NETWORKS, sort_choices=True)
NETWORK_FILE = Param("network_file", None, "path for edgelist / graphml networks", kind=str,
                     optional=True)
DEGREE = Param("degree", 4, "degree (regular networks) or mean degree (random ones)", kind=int,
               low=0)
REWIRE = Param("rewire", 0.1, "Watts–Strogatz rewiring probability", low=0.0, high=1.0)
TEAM_SIZE = Param("team_size", 20, "agents per team for silos", kind=int, low=1)
BRIDGING = Param("bridging", 0.1, "share of ties that leave the team for silos (0 isolated "
                 "silos, 1 random)", low=0.0, high=1.0)
#: the ``population and network`` settings, in the order of the command line
PARAMETERS = (N, NETWORK, NETWORK_FILE, DEGREE, REWIRE, TEAM_SIZE, BRIDGING)


def register(name: str, summary: str, check: Check, *, source: str = "",
             parameters: tuple[Param, ...] = (N, DEGREE)) -> Callable[[Build], Build]:
    """Decorator adding a build function to :data:`NETWORKS` under ``name``."""

    def wrap(build: Build) -> Build:
        NETWORKS.add(NetworkBuilder(name=name, summary=summary, source=source,
                                    parameters=parameters, entry=build, check=check))
        return build

    return wrap


def build_network(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Check the settings, then build ``config.network`` with randomness from ``rng``.

    Raises:
        ConfigError: unknown network name or settings that do not fit it.
    """
    builder = NETWORKS.get(config.network)
    if builder is None:
        NETWORK.validate(config.network)
    builder.check(config)
    return builder.build(config, rng)


def check(config: Settings) -> None:
    """The chosen network's own checks (the fields are checked one by one before)."""
    NETWORKS[config.network].check(config)


def from_networkx(graph: nx.Graph) -> CSRGraph:
    """Convert a networkx graph; nodes become ``0..n-1`` in the graph's node order.

    Directions, self-loops and parallel edges are dropped. If every node has a ``team``
    attribute it becomes ``CSRGraph.team`` as integer codes ``0..k-1`` (numeric order for
    integer labels, sorted string order otherwise).
    """
    nodes = list(graph.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.fromiter(
        (index[x] for edge in graph.edges() for x in edge[:2]), dtype=np.int64
    ).reshape(-1, 2)
    return _graph(len(nodes), edges, team=_team_codes(graph, nodes))


def _team_codes(graph: nx.Graph, nodes: list) -> np.ndarray | None:
    labels = [graph.nodes[v].get("team") for v in nodes]
    if not labels or any(label is None for label in labels):
        return None
    if all(isinstance(x, int | np.integer) and not isinstance(x, bool) for x in labels):
        values = np.asarray(labels, dtype=np.int64)
    else:
        values = np.asarray([str(x) for x in labels])
    return np.unique(values, return_inverse=True)[1].astype(np.int32).ravel()


# ------------------------------------------------------------------------------ checks
def _fail(option: str, allowed: str, value: object) -> None:
    raise ConfigError(f"--{option} {allowed} (got {value!r})")


def _check_basics(config: Settings) -> None:
    for name, low in (("n", 1), ("degree", 0)):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            _fail(name, f"must be an integer >= {low}", value)


def _check_degree_below_n(config: Settings) -> None:
    _check_basics(config)
    if config.degree >= config.n:
        _fail("degree", f"must be < n={config.n} for {config.network}", config.degree)


def _check_ring(config: Settings) -> None:
    _check_basics(config)
    d, n = config.degree, config.n
    if d % 2 or not 0 < d < n:
        _fail("degree", f"must be even and 0 < degree < n={n} for {config.network}", d)


def _check_small_world(config: Settings) -> None:
    _check_ring(config)
    if not 0.0 <= config.rewire <= 1.0:
        _fail("rewire", "must be a probability in [0, 1] for small-world", config.rewire)


def _check_square(config: Settings) -> None:
    _check_basics(config)
    side = math.isqrt(config.n)
    if side * side != config.n or side < 3:
        _fail("n", "must be a perfect square with side >= 3 for square-lattice", config.n)
    if config.degree not in (4, 8):
        _fail("degree", "must be 4 (von Neumann) or 8 (Moore) for square-lattice", config.degree)


def _check_regular(config: Settings) -> None:
    _check_degree_below_n(config)
    if (config.n * config.degree) % 2:
        _fail("degree", f"times n={config.n} must be even for random-regular", config.degree)


def _check_scale_free(config: Settings) -> None:
    _check_basics(config)
    if config.degree < 2 or config.degree // 2 >= config.n:
        _fail(
            "degree",
            f"must be >= 2 with degree/2 < n={config.n} for scale-free "
            "(each new node brings degree/2 ties; even degree recommended)",
            config.degree,
        )


def _check_complete(config: Settings) -> None:
    _check_basics(config)
    if config.n > COMPLETE_MAX_N:
        _fail("n", f"must be <= {COMPLETE_MAX_N} for complete (memory grows as n^2)", config.n)


def _check_silos(config: Settings) -> None:
    _check_degree_below_n(config)
    s, n = config.team_size, config.n
    if isinstance(s, bool) or not isinstance(s, int | np.integer) or not 2 <= s <= n:
        _fail("team-size", f"must be an integer with 2 <= team-size <= n={n} for silos", s)
    if not 0.0 <= config.bridging <= 1.0:
        _fail("bridging", "must be a share in [0, 1] for silos", config.bridging)
    p_in, _ = _silo_probabilities(config)
    if p_in > 1.0:
        _fail(
            "team-size",
            f"must be > degree for silos (within-team tie probability "
            f"{p_in:.3g} > 1 with --degree {config.degree}, --bridging {config.bridging:g})",
            s,
        )


def _check_file(config: Settings) -> None:
    if not config.network_file:
        raise ConfigError(f"--network-file is required for --network {config.network}")
    if not Path(config.network_file).is_file():
        raise ConfigError(f"--network-file '{config.network_file}' does not exist or is not a file")


# ---------------------------------------------------------------------------- sampling
def _distinct_codes(rng: np.random.Generator, m: int, population: int) -> np.ndarray:
    """A uniform random ``m``-subset of ``range(population)`` as int64.

    Sparse case: draw uniform integers, drop duplicates, top up, trim a uniform subset.
    Dense case (``m`` a sizeable share of ``population``): ``rng.choice`` without replacement.
    """
    if m <= 0:
        return np.empty(0, dtype=np.int64)
    if 4 * m + 1024 >= population:
        return rng.choice(population, size=m, replace=False).astype(np.int64)
    codes = np.empty(0, dtype=np.int64)
    while len(codes) < m:
        draw = rng.integers(0, population, size=int((m - len(codes)) * 1.1) + 64)
        codes = _unique(np.concatenate([codes, draw]))
    if len(codes) > m:
        codes = rng.choice(codes, size=m, replace=False)
    return codes


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` without its slow hashing path in NumPy >= 2.3)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _graph(n: int, edges: np.ndarray, team: np.ndarray | None = None) -> CSRGraph:
    return CSRGraph.from_edges(n, edges, team=team)


def _triangle_pairs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode ``k = b(b-1)/2 + a`` into the pair ``(a, b)`` with ``0 <= a < b``."""
    b = np.floor((1.0 + np.sqrt(1.0 + 8.0 * codes)) / 2.0).astype(np.int64)
    b -= b * (b - 1) // 2 > codes  # undo float rounding, at most one step either way
    b += (b + 1) * b // 2 <= codes
    return codes - b * (b - 1) // 2, b


def _gnp_edges(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Exact G(n, p) edges: m ~ Binomial(n(n-1)/2, p), then m distinct uniform pairs."""
    pairs = n * (n - 1) // 2
    m = int(rng.binomial(pairs, min(max(p, 0.0), 1.0))) if pairs else 0
    return np.stack(_triangle_pairs(_distinct_codes(rng, m, pairs)), axis=1)


def _block_codes(
    rng: np.random.Generator, sizes: np.ndarray, p: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``sizes.sum()`` code slots (block ``t`` owns ``sizes[t]``) kept with prob. ``p``.

    Returns ``(block, local code)`` of the kept slots; exact because the slots are independent.
    """
    offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
    total = int(offsets[-1])
    m = int(rng.binomial(total, min(max(p, 0.0), 1.0))) if total else 0
    codes = _distinct_codes(rng, m, total)
    block = np.searchsorted(offsets, codes, side="right") - 1
    return block, codes - offsets[block]


def _silo_probabilities(config: Settings) -> tuple[float, float]:
    """``(p_in, p_out)`` for silos: ``p_out = d b / (n-1)``, ``p_in = d (1-b) / (s-1) + p_out``."""
    n, s, d, b = config.n, config.team_size, config.degree, config.bridging
    p_out = d * b / max(n - 1, 1)
    return d * (1.0 - b) / max(s - 1, 1) + p_out, p_out


# ---------------------------------------------------------------------------- builders
def _ring_edges(n: int, degree: int) -> np.ndarray:
    """Edges ``(u, u + j mod n)`` for ``j = 1..degree/2``, grouped by ``j``."""
    nodes = np.arange(n, dtype=np.int64)
    steps = np.arange(1, degree // 2 + 1, dtype=np.int64)
    far = (nodes[None, :] + steps[:, None]) % n
    return np.stack([np.broadcast_to(nodes, far.shape).ravel(), far.ravel()], axis=1)


@register("ring", "ring lattice: each node tied to its degree/2 nearest on each side", _check_ring,
          source="Watts & Strogatz 1998, Nature 393:440 (rewiring probability 0)")
def ring(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Ring lattice (the p = 0 case of Watts & Strogatz 1998, Nature 393:440)."""
    return _graph(config.n, _ring_edges(config.n, config.degree))


@register(
    "square-lattice",
    "periodic square lattice, n = side^2; degree 4 von Neumann, 8 Moore",
    _check_square,
    source="Nowak & May 1992, Nature 359:826 (spatial games on a lattice)",
)
def square_lattice(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Periodic (toroidal) square lattice; von Neumann (4) or Moore (8) neighbourhood."""
    side = math.isqrt(config.n)
    row, col = np.divmod(np.arange(config.n, dtype=np.int64), side)
    steps = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if config.degree == 8 else [])
    edges = [
        np.stack([row * side + col, ((row + dr) % side) * side + (col + dc) % side], axis=1)
        for dr, dc in steps
    ]
    return _graph(config.n, np.concatenate(edges))


@register(
    "random-regular", "random regular graph: every node has exactly --degree ties", _check_regular,
    source="Bollobás 1980, Eur. J. Combin. 1:311 (stub pairing)",
)
def random_regular(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Random d-regular graph by stub pairing (Bollobás 1980, Eur. J. Combin. 1:311).

    Shuffled stubs are paired; then the bad pairs (self-loops, repeated edges) together with a
    random sample of good pairs are reshuffled and re-paired until none is bad. Dense cases
    (degree > (n-1)/2) build the complement of a random (n-1-degree)-regular graph.

    Raises:
        ConfigError: no simple pairing found after ``REGULAR_MAX_ROUNDS`` rounds.
    """
    n, d = config.n, config.degree
    if 2 * d > n - 1:
        return _complement(n, _regular_pairs(n, n - 1 - d, rng))
    graph = _graph(n, _regular_pairs(n, d, rng))
    if not np.all(graph.degree == d):  # pragma: no cover - guards the pairing logic
        raise RuntimeError(f"random-regular produced degrees other than {d}")
    return graph


def _regular_pairs(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """Simple stub pairing: ``(n d / 2, 2)`` edges, each node in exactly ``d`` of them.

    After one full check, each round re-checks only the re-paired pairs against the sorted
    keys of the others, so a round costs O(n d) rather than a sort.
    """
    stubs = rng.permutation(np.repeat(np.arange(n, dtype=np.int64), d)).reshape(-1, 2)
    ok = _fresh(stubs, np.empty(0, dtype=np.int64), n)
    taken = np.sort(_undirected_keys(stubs[ok], n))
    for _ in range(REGULAR_MAX_ROUNDS):
        bad = np.flatnonzero(~ok)
        if not len(bad):
            return stubs
        good = np.flatnonzero(ok)
        extra = rng.choice(good, size=min(len(good), 2 * len(bad) + 4), replace=False)
        taken = np.delete(taken, np.searchsorted(taken, _undirected_keys(stubs[extra], n)))
        redo = np.concatenate([bad, extra])
        stubs[redo] = rng.permutation(stubs[redo].ravel()).reshape(-1, 2)
        ok[redo] = _fresh(stubs[redo], taken, n)
        added = np.sort(_undirected_keys(stubs[redo[ok[redo]]], n))
        taken = np.insert(taken, np.searchsorted(taken, added), added)
    raise ConfigError(
        f"--degree {d}: no simple random-regular pairing on n={n} nodes after "
        f"{REGULAR_MAX_ROUNDS} rounds; try another seed or degree"
    )


def _complement(n: int, edges: np.ndarray) -> CSRGraph:
    """The complement of the simple graph with these edges."""
    adjacency = np.ones((n, n), dtype=bool)
    np.fill_diagonal(adjacency, False)
    adjacency[edges[:, 0], edges[:, 1]] = adjacency[edges[:, 1], edges[:, 0]] = False
    return _graph(n, np.argwhere(np.triu(adjacency)))


@register(
    "erdos-renyi",
    "Erdős–Rényi G(n, p), p = degree/(n-1): mean degree --degree",
    _check_degree_below_n,
    source="Erdős & Rényi 1959, Publ. Math. Debrecen 6:290; Gilbert 1959",
)
def erdos_renyi(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Exact G(n, p) with p = degree / (n - 1) (Erdős & Rényi 1959, Publ. Math. Debrecen 6:290;
    Gilbert 1959): a binomial edge count, then that many distinct uniform pairs."""
    p = config.degree / max(config.n - 1, 1)
    return _graph(config.n, _gnp_edges(rng, config.n, p))


@register(
    "small-world",
    "Watts–Strogatz: ring of --degree, ties rewired with prob. --rewire",
    _check_small_world,
    source="Watts & Strogatz 1998, Nature 393:440",
    parameters=(N, DEGREE, REWIRE),
)
def small_world(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Watts & Strogatz 1998 (Nature 393:440).

    Each ring tie ``(u, u + j)`` has its far end moved, with probability ``rewire``, to a
    uniform random node ``w``, redrawing ``w`` while ``(u, w)`` would be a self-loop or a tie
    that already exists (a tie still waiting to move counts as existing, as in the sequential
    algorithm). All rewired ties are redrawn together, a round at a time; the number of ties
    is unchanged.
    """
    n = config.n
    edges = _ring_edges(n, config.degree)
    moved = rng.random(len(edges)) < config.rewire
    taken = np.sort(_undirected_keys(edges[~moved], n))
    pending = edges[moved]
    new = [edges[~moved]]
    for _ in range(100):
        if not len(pending):
            break
        blocked = np.sort(np.concatenate([taken, _undirected_keys(pending, n)]))
        trial = np.stack([pending[:, 0], rng.integers(0, n, size=len(pending))], axis=1)
        ok = _fresh(trial, blocked, n)
        new.append(trial[ok])
        taken = np.sort(np.concatenate([taken, _undirected_keys(trial[ok], n)]))
        pending = pending[~ok]
    new.append(pending)  # ties of a node linked to everyone stay where they were
    return _graph(n, np.concatenate(new))


def _undirected_keys(edges: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])


def _fresh(trial: np.ndarray, taken: np.ndarray, n: int) -> np.ndarray:
    """Mask of the first copy of each trial edge that is no self-loop and not in ``taken``
    (sorted undirected keys)."""
    key = _undirected_keys(trial, n)
    ok = (trial[:, 0] != trial[:, 1]) & ~_contains(taken, key)
    ordered = np.sort(key)
    repeated = _unique(ordered[1:][ordered[1:] == ordered[:-1]])
    copies = np.flatnonzero(_contains(repeated, key))  # few: only edges drawn twice
    first = np.zeros(len(key), dtype=bool)
    first[copies[np.unique(key[copies], return_index=True)[1]]] = True
    ok[copies] &= first[copies]
    return ok


def _contains(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mask of ``values`` found in the sorted array ``sorted_values``."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[pos] == values


@register(
    "scale-free",
    "Barabási–Albert preferential attachment, mean degree about --degree",
    _check_scale_free,
    source="Barabási & Albert 1999, Science 286:509",
)
def scale_free(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Barabási & Albert 1999 (Science 286:509): each new node ties to m = degree // 2
    existing nodes chosen with probability proportional to degree (networkx, seeded from
    ``rng``)."""
    seed = int(rng.integers(2**31))
    return from_networkx(nx.barabasi_albert_graph(config.n, config.degree // 2, seed=seed))


@register("complete", f"everyone tied to everyone (n <= {COMPLETE_MAX_N})", _check_complete,
          parameters=(N,))
def complete(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """The complete graph, built row by row straight into CSR."""
    n = config.n
    indptr = np.arange(n + 1, dtype=np.int64) * (n - 1)
    col = np.arange(max(n - 1, 0), dtype=np.int32)
    indices = np.empty(n * (n - 1), dtype=np.int32)
    for i in range(n):
        indices[indptr[i] : indptr[i + 1]] = col + (col >= i)
    return CSRGraph(indptr=indptr, indices=indices)


@register(
    "silos",
    "teams of --team-size; --bridging share of ties between teams (0 isolated, 1 random)",
    _check_silos,
    source="Holland, Laskey & Leinhardt 1983, Social Networks 5:109 (stochastic block model)",
    parameters=(N, DEGREE, TEAM_SIZE, BRIDGING),
)
def silos(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Stochastic block model (Holland, Laskey & Leinhardt 1983, Social Networks 5:109).

    Teams are runs of ``team_size`` consecutive ids (the last may be smaller). A share
    ``b = bridging`` of each node's expected ``degree`` ties goes to uniform random nodes:
    ``p_out = degree b / (n-1)`` between any pair, ``p_in = degree (1-b) / (s-1) + p_out``
    within a team. So b = 0 gives isolated teams, b = 1 Erdős–Rényi; mean degree ~ ``degree``.
    """
    n, s = config.n, config.team_size
    p_in, p_out = _silo_probabilities(config)
    starts = np.arange(0, n, s, dtype=np.int64)
    sizes = np.minimum(s, n - starts)
    ends = starts + sizes
    # within team t: pair codes of a triangle over its members
    block, local = _block_codes(rng, sizes * (sizes - 1) // 2, p_in)
    a, b = _triangle_pairs(local)
    inside = np.stack([starts[block] + a, starts[block] + b], axis=1)
    # between: u in team t, v after team t's end (each cross pair once)
    block, local = _block_codes(rng, sizes * (n - ends), p_out)
    row, col = np.divmod(local, np.maximum(n - ends[block], 1))
    across = np.stack([starts[block] + row, ends[block] + col], axis=1)
    team = (np.arange(n) // s).astype(np.int32)
    return _graph(n, np.concatenate([inside, across]), team=team)


@register(
    "edgelist",
    "read --network-file: 'u v' per line, any labels, '#' comments; the file sets n",
    _check_file,
    parameters=(NETWORK_FILE,),
)
def edgelist(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Read an edge list; ``config.n`` is ignored (the file defines the nodes).

    Lines hold ``u v`` separated by whitespace or commas; extra columns are ignored, ``#``
    starts a comment, blank lines are skipped. Labels are any tokens, numbered ``0..n-1`` in
    order of first appearance. Self-loops and repeated edges are dropped.

    Raises:
        ConfigError: missing or unreadable file, a line with fewer than two labels, no edges.
    """
    return read_edgelist(config.network_file or "")[0]


def read_edgelist(path: str | Path) -> tuple[CSRGraph, list[str]]:
    """Read an edge list (the ``edgelist`` network's format); return the graph and the label
    of each node ``0..n-1``.

    Raises:
        ConfigError: missing or unreadable file, a line with fewer than two labels, no edges.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--network-file '{path}' cannot be read: {exc}") from None
    index: dict[str, int] = {}
    pairs: list[int] = []
    for number, line in enumerate(lines, 1):
        tokens = line.split("#", 1)[0].replace(",", " ").split()
        if not tokens:
            continue
        if len(tokens) < 2:
            raise ConfigError(
                f"--network-file '{path}' line {number}: expected two node labels 'u v', "
                f"got {line.strip()!r}"
            )
        pairs += [index.setdefault(label, len(index)) for label in tokens[:2]]
    if not pairs:
        raise ConfigError(f"--network-file '{path}' has no edges")
    return _graph(len(index), np.array(pairs, dtype=np.int64).reshape(-1, 2)), list(index)


@register(
    "graphml",
    "read --network-file as GraphML (keeps a 'team' node attribute); the file sets n",
    _check_file,
    parameters=(NETWORK_FILE,),
)
def graphml(config: Settings, rng: np.random.Generator) -> CSRGraph:
    """Read GraphML with networkx; ``config.n`` is ignored. Directed graphs become undirected.

    Raises:
        ConfigError: missing file, malformed XML or GraphML, or a graph without nodes.
    """
    path = Path(config.network_file or "")
    try:
        graph = nx.read_graphml(path)
    except Exception as exc:  # the parsers raise many types; report one line
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ConfigError(f"--network-file '{path}' is not readable GraphML: {reason}") from None
    if graph.number_of_nodes() == 0:
        raise ConfigError(f"--network-file '{path}' has no nodes")
    return from_networkx(graph.to_undirected() if graph.is_directed() else graph)
