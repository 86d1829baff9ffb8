"""Fixation probability of cooperation under death–birth updating (Ohtsuki et al. 2006).

Ohtsuki, Hauert, Lieberman & Nowak (2006, Nature 441:502) show that on a graph where everyone
has k neighbours, under death–birth (DB) updating and weak selection, a single cooperator in a
population of defectors has a fixation probability above the neutral 1/N when b/c > k (the
donation game: a cooperator pays c to give b to each neighbour, payoffs summed over ties).
For finite N on a k-regular graph the exact weak-selection threshold is
(b/c)* = (N - 2) / (N/k - 2) (Taylor, Day & Wild 2007, Nature 447:469, for transitive graphs;
Chen 2013, Ann. Appl. Probab. 23:637, for every k-regular graph), which tends to k as N grows.

Mapping onto the engine (docs/science.md section 1). On ``edges`` groups with ``binary``
strategies, an edge is a 2-player public-goods game with endowment E and multiplication factor r:
payoff = E - x_i + (r/2)(x_i + x_j) with x in {0, E}. Summed over an agent's k_j ties,

    P_j = k_j E + b nc_j - c k_j s_j,   b = r E / 2,   c = E (1 - r/2),

i.e. the donation game plus the constant k_j E that everyone keeps (nc_j = cooperating
neighbours, s_j = 1 for a cooperator). So b/c = r / (2 - r), r = 2 (b/c) / (1 + b/c), and
E = b + c (:func:`public_goods_for_donation`). The engine's ``death-birth`` rule with
``update="asynchronous"`` and ``mutation=0`` is Ohtsuki's DB process with fitness
1 - w_e + w_e P_j. On a k-regular graph the constant k E only rescales selection:
1 - w_e + w_e (kE + pi) is proportional to 1 - w + w pi with w = w_e / (1 + w_e k E), i.e.
w_e = w / (1 - w k E) (:func:`engine_selection`). The dedicated kernel
(:func:`sim.validation.kernels.db_fixation_runs`) plays the donation-game form directly; the
tests check it against the engine's own rule and against the exact Markov chain.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numba
import numpy as np

from sim.graph import CSRGraph
from sim.params import ConfigError
from sim.validation.kernels import FIXED, NOT_ABSORBED, db_fixation_runs

#: normal quantile for two-sided 95% intervals
Z95 = 1.959963984540054
#: largest graph for the exact Markov-chain solution (2^n states)
EXACT_MAX_N = 10


# ------------------------------------------------------------------------------ mapping
def donation_game(r: float, endowment: float) -> tuple[float, float]:
    """(b, c) of the 2-player all-or-nothing public-goods game with factor r and endowment E:
    b = r E / 2, c = E (1 - r/2)."""
    return r * endowment / 2.0, endowment * (1.0 - r / 2.0)


def public_goods_for_donation(b: float, c: float) -> tuple[float, float]:
    """(r, E) of the edge game that is the donation game (b, c): r = 2b/(b+c), E = b + c."""
    if not (b > c > 0):
        raise ConfigError(f"the donation game needs b > c > 0 (got b={b!r}, c={c!r})")
    return 2.0 * b / (b + c), b + c


def engine_selection(w: float, degree: int, endowment: float) -> float:
    """The engine's ``selection`` w_e giving donation-game selection w on a k-regular graph.

    The engine's fitness 1 - w_e + w_e (k E + pi) equals (1 + w_e k E)(1 - w + w pi) with
    w = w_e / (1 + w_e k E); solved for w_e: w / (1 - w k E). Death–birth only compares
    fitnesses of neighbours, so the common factor drops out.
    """
    denominator = 1.0 - w * degree * endowment
    if denominator <= 0.0:
        raise ConfigError(f"selection w={w:g} is too strong to map for k={degree}, E={endowment:g}")
    return w / denominator


def regular_threshold(n: int, k: int) -> float:
    """Weak-selection DB threshold (b/c)* = (N - 2)/(N/k - 2) on a k-regular graph of N nodes
    (Taylor, Day & Wild 2007; Chen 2013); Ohtsuki et al.'s b/c > k is its large-N limit."""
    if n <= 2 * k:
        return float("inf")
    return (n - 2.0) / (n / k - 2.0)


# ---------------------------------------------------------------------------- estimates
def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927, JASA 22:209)."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * np.sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class FixationEstimate:
    """Monte Carlo fixation probability of a single cooperator.

    Attributes:
        runs: independent runs played.
        fixed: runs that ended with everyone cooperating.
        not_absorbed: runs stopped at ``max_events`` before absorbing (counted as not fixed).
        mean_events: mean number of death–birth events per run.
        n: population size.
    """

    runs: int
    fixed: int
    not_absorbed: int
    mean_events: float
    n: int

    @property
    def rho(self) -> float:
        return self.fixed / self.runs

    @property
    def ci(self) -> tuple[float, float]:
        """95% Wilson interval of rho."""
        return wilson_interval(self.fixed, self.runs)

    @property
    def se(self) -> float:
        """Binomial standard error of rho."""
        p = self.rho
        return float(np.sqrt(max(p * (1.0 - p), 1.0 / self.runs) / self.runs))


def fixation_probability(
    graph: CSRGraph,
    b: float,
    c: float,
    w: float,
    runs: int,
    key: int | np.uint64,
    max_events: int | None = None,
    first_run: int = 0,
) -> FixationEstimate:
    """Estimate the fixation probability of one randomly placed cooperator under DB updating.

    Args:
        graph: the population (undirected CSR); every node needs at least one neighbour.
        b, c: donation game benefit and cost.
        w: selection intensity; fitness is max(0, 1 - w + w * payoff).
        runs: independent runs.
        key: 64-bit key of the counter-based generator; run r draws from (key, event, r).
        max_events: events after which a run is abandoned (default 10^4 N^2, far beyond the
            mean absorption time; abandoned runs are reported, never silently dropped).
        first_run: index of the first run (to extend an earlier estimate with new runs).
    """
    n = graph.n
    if n < 2 or np.any(graph.degree == 0):
        raise ConfigError("fixation needs a graph of n >= 2 nodes, each with a neighbour")
    if not (isinstance(runs, int | np.integer) and runs >= 1):
        raise ConfigError(f"runs must be an integer >= 1 (got {runs!r})")
    if not 0.0 <= w <= 1.0:
        raise ConfigError(f"selection w must be in [0, 1] (got {w!r})")
    if max_events is None:
        max_events = 10_000 * n * n
    outcome = np.empty(int(runs), dtype=np.int8)
    events = np.empty(int(runs), dtype=np.int64)
    # hand chunks of runs to threads one at a time (dynamic scheduling), so a thread slowed by
    # another process on its CPU does not hold the others up; results do not depend on it
    previous = numba.set_parallel_chunksize(1)
    try:
        db_fixation_runs(np.uint64(key), graph.indptr, graph.indices, float(b), float(c),
                         float(w), int(max_events), int(first_run), outcome, events)
    finally:
        numba.set_parallel_chunksize(previous)
    return FixationEstimate(
        runs=int(runs),
        fixed=int(np.count_nonzero(outcome == FIXED)),
        not_absorbed=int(np.count_nonzero(outcome == NOT_ABSORBED)),
        mean_events=float(events.mean()),
        n=n,
    )


# -------------------------------------------------------------------------- exact chain
def exact_fixation_probability(graph: CSRGraph, b: float, c: float, w: float) -> float:
    """Exact fixation probability of one uniformly placed cooperator, by solving the DB Markov
    chain over all 2^n strategy profiles (n <= :data:`EXACT_MAX_N`).

    From profile s, the agent i (chosen with prob. 1/n) becomes a cooperator with probability
    (sum of fitness of cooperating neighbours) / (sum of fitness of all neighbours), fitness
    max(0, 1 - w + w pi) as in the kernel (uniform choice if all fitnesses are 0).
    """
    n = graph.n
    if n > EXACT_MAX_N:
        raise ConfigError(f"the exact chain is for n <= {EXACT_MAX_N} (got {n})")
    indptr, indices = graph.indptr, graph.indices
    deg = np.diff(indptr)
    states = 1 << n
    full = states - 1
    profiles = np.array(list(itertools.product((0, 1), repeat=n)))[:, ::-1]  # bit i = agent i
    # transition matrix among transient states 1 .. full-1; absorption into `full` gives rhs
    size = states
    a = np.zeros((size, size))
    rhs = np.zeros(size)
    for code in range(states):
        a[code, code] += 1.0
        if code in (0, full):
            if code == full:
                rhs[code] = 1.0
            continue
        s = profiles[code]
        nc = np.array([s[indices[indptr[j]:indptr[j + 1]]].sum() for j in range(n)])
        fit = np.maximum(0.0, 1.0 - w + w * (b * nc - c * deg * s))
        for i in range(n):
            nbrs = indices[indptr[i]:indptr[i + 1]]
            if len(nbrs) == 0:
                continue
            total = fit[nbrs].sum()
            if total > 0:
                p_coop = fit[nbrs][s[nbrs] == 1].sum() / total
            else:
                p_coop = s[nbrs].mean()
            up, down = code | (1 << i), code & ~(1 << i)
            a[code, up] -= p_coop / n
            a[code, down] -= (1.0 - p_coop) / n
    x = np.linalg.solve(a, rhs)
    return float(np.mean([x[1 << i] for i in range(n)]))


# ------------------------------------------------------------------------------ crossing
@dataclass(frozen=True)
class Crossing:
    """Where N rho - 1 changes sign along b/c.

    Attributes:
        estimate: the root of the fitted curve (NaN if it does not cross inside the grid).
        ci: 95% parametric-bootstrap interval (NaN where the resampled curves do not cross).
        method: how it was estimated, in words.
    """

    estimate: float
    ci: tuple[float, float]
    method: str


def crossing_point(x, y, se, draws: int = 4000, seed: int = 0) -> Crossing:
    """Root of y(x) from noisy points: a weighted least-squares polynomial (quadratic with
    4 or more points, else linear) through (x, y) with weights 1/se^2, root taken inside
    [min x, max x]; the interval re-fits ``draws`` curves to y + se * N(0, 1) (parametric
    bootstrap) and takes the 2.5% and 97.5% quantiles of their roots."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    se = np.maximum(np.asarray(se, dtype=float), 1e-12)
    degree = 2 if len(x) >= 4 else 1
    if len(x) < 2:
        return Crossing(float("nan"), (float("nan"), float("nan")), "too few points")
    rng = np.random.default_rng(seed)
    estimate = _poly_root(x, y, se, degree)
    roots = np.array(
        [_poly_root(x, y + se * rng.standard_normal(len(y)), se, degree) for _ in range(draws)]
    )
    ok = roots[np.isfinite(roots)]
    if len(ok) < 0.95 * draws:
        ci = (float("nan"), float("nan"))
    else:
        ci = (float(np.quantile(ok, 0.025)), float(np.quantile(ok, 0.975)))
    kind = "quadratic" if degree == 2 else "linear"
    method = (f"root of a weighted least-squares {kind} fit of N*rho - 1 against b/c; 95% "
              f"interval from {draws} parametric-bootstrap refits")
    return Crossing(estimate, ci, method)


def _poly_root(x, y, se, degree) -> float:
    coef = np.polyfit(x, y, degree, w=1.0 / se)
    lo, hi = x.min(), x.max()
    roots = np.roots(coef)
    real = roots[np.abs(roots.imag) < 1e-9].real
    inside = real[(real >= lo) & (real <= hi)]
    if len(inside) == 0:
        return float("nan")
    # the increasing crossing nearest the middle of the grid
    slope = np.polyval(np.polyder(coef), inside)
    rising = inside[slope > 0]
    pool = rising if len(rising) else inside
    return float(pool[np.argmin(np.abs(pool - 0.5 * (lo + hi)))])
